import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/cost/index.ts';
import { loadYamlModel, type Graph } from '../../src/graph/index.ts';
import { parseProfile, type HardwareProfile, type Precision } from '../../src/hardware/index.ts';
import { accuracyDropOf, applyPlan, baselinePrecisionOf, findPruneGroups, paretoFront, planModel, prepare, PRUNE_RATIOS, violations, type Budgets, type LayerChoice } from '../../src/plan/index.ts';
import { solveMilpChain, solveMilpSweep } from '../../src/plan/milp.ts';
import { solverPool } from '../../src/plan/pool.ts';
import { buildZooModel } from '../../src/zoo/index.ts';
import { runCli, tempFiles } from '../helpers.ts';

const profile = (id: string): HardwareProfile => parseProfile(readFileSync(`hardware-profiles/${id}.yaml`, 'utf8'), id);

const SMALL = `
name: small-cnn
input: {shape: [1, 3, 64, 64]}
layers:
  - {name: conv1, op: conv2d, out_channels: 32, kernel: 3, stride: 2, batchnorm: true, activation: relu6}
  - {name: dw, op: depthwise_conv2d, kernel: 3, batchnorm: true, activation: relu6}
  - {name: pw, op: conv2d, out_channels: 64, kernel: 1, batchnorm: true, activation: relu6}
  - {name: pool, op: global_pool}
  - {name: flatten, op: flatten}
  - {name: fc, op: linear, out_features: 10}
`;

/** Every plan of a small model, simulated exactly as `simulate --plan` does. */
function enumerate(g: Graph, p: HardwareProfile, sizeOnlySparsity = false) {
  const unit = p.default_unit;
  const precs = (['fp32', 'fp16', 'int8', 'int4'] as Precision[]).filter((q) => p.units[unit].precisions.includes(q));
  const groups = findPruneGroups(g);
  const gids = [...groups.prunable].sort((a, b) => a - b);
  const weighted = g.layers.filter((l) => l.weightElements > 0).map((l) => l.name);
  const out: { choices: LayerChoice[]; latencyMs: number; weightsBytes: number; peak: number; acc: number; sim: ReturnType<typeof simulate> }[] = [];
  // Where the unit accelerates 2:4 sparsity, each weighted layer also chooses dense or sparse.
  // (and, under a flash budget, on any unit for its smaller stored weights).
  const sparseChoice = p.units[unit].sparse_speedup_2_4 !== undefined || sizeOnlySparsity;
  const options = precs.flatMap((q) => (sparseChoice ? [{ q, s: false }, { q, s: true }] : [{ q, s: false }]));
  const total = options.length ** weighted.length * PRUNE_RATIOS.length ** gids.length;
  for (let code = 0; code < total; code++) {
    let c = code;
    const precOf = new Map<string, Precision>();
    const sparseOf = new Set<string>();
    for (const n of weighted) { const o = options[c % options.length]; precOf.set(n, o.q); if (o.s) sparseOf.add(n); c = Math.floor(c / options.length); }
    const ratioOf = new Map<number, number>();
    for (const gid of gids) { ratioOf.set(gid, PRUNE_RATIOS[c % PRUNE_RATIOS.length]); c = Math.floor(c / PRUNE_RATIOS.length); }
    // Weightless layers run at their producer's precision (as the planner assumes).
    const choices: LayerChoice[] = [];
    for (const l of g.layers) {
      const prec = precOf.get(l.name) ?? choices.find((x) => x.name === l.inputs[0])?.precision ?? precs[0];
      const gid = groups.groupOf.get(l.name)!;
      choices.push({ name: l.name, precision: prec, prune: ratioOf.get(gid) ?? 0, ...(sparseOf.has(l.name) ? { sparse24: true } : {}) });
    }
    const { graph, layerPrecision, layerSparse24 } = applyPlan(g, groups, choices);
    const sim = simulate(graph, p, { precision: baselinePrecisionOf(p, unit), batch: 1, layerPrecision, layerSparse24, sparse24CompressedStorage: true });
    out.push({ choices, latencyMs: sim.latencyMs, weightsBytes: sim.memory.weightsBytes, peak: sim.memory.peakActivationBytes, acc: accuracyDropOf(g, choices), sim });
  }
  return out;
}

describe('planner optimality against exhaustive enumeration', () => {
  it('the Orin sweep includes 2:4 sparsity as a choice', () => {
    expect(profile('jetson-orin-nano-8gb').units.gpu.sparse_speedup_2_4).toBeDefined();
  });

  for (const device of ['jetson-orin-nano-8gb', 'stm32h7a3']) {
    it(`${device}: every budget of a sweep gets the enumerated optimum`, async () => {
      const g = loadYamlModel(SMALL, 'small.yaml');
      const p = profile(device);
      const all = enumerate(g, p);
      const allSized = p.units[p.default_unit].sparse_speedup_2_4 ? all : enumerate(g, p, true);
      expect(all.length).toBeGreaterThan(200);
      const fastest = Math.min(...all.map((x) => x.latencyMs)), slowest = Math.max(...all.map((x) => x.latencyMs));
      const budgets: Budgets[] = [];
      for (const f of [0.05, 0.2, 0.4, 0.6, 0.8, 1.0]) budgets.push({ latencyMs: fastest + (slowest - fastest) * f });
      const peaks = all.map((x) => x.peak).sort((a, b) => a - b);
      budgets.push({ latencyMs: fastest + (slowest - fastest) * 0.5, peakActivationBytes: peaks[Math.floor(peaks.length * 0.3)] });
      const minW = Math.min(...allSized.map((x) => x.weightsBytes));
      budgets.push({ weightsBytes: minW * 3 }, { weightsBytes: minW * 1.5, latencyMs: fastest + (slowest - fastest) * 0.5 });
      budgets.push({ latencyMs: fastest * 0.9 }); // infeasible
      for (const b of budgets) {
        const pool = b.weightsBytes !== undefined ? allSized : all;
        const feasible = pool.filter((x) => violations(b, x.sim, x.acc, 1).length === 0);
        const r = await planModel(g, p, b);
        expect(r.feasible, JSON.stringify(b)).toBe(feasible.length > 0);
        if (!feasible.length) continue;
        const best = Math.min(...feasible.map((x) => x.acc));
        expect(r.accuracyDropPct, JSON.stringify(b)).toBeCloseTo(best, 9);
        // And the plan re-simulates within every budget.
        const { graph, layerPrecision, layerSparse24 } = applyPlan(g, findPruneGroups(g), r.plan.layers);
        const sim = simulate(graph, p, { precision: r.baselinePrecision, batch: 1, layerPrecision, layerSparse24, sparse24CompressedStorage: true });
        expect(violations(b, sim, r.accuracyDropPct, 1)).toEqual([]);
      }
    });
  }
});

describe('planner on zoo models', () => {
  it.each([
    ['jetson-orin-nano-8gb', 'mobilenet-v3-large', { latencyMs: 1.6 }],
    ['jetson-orin-nano-8gb', 'resnet-50', { latencyMs: 4 }],
    ['stm32h7a3', 'mobilenet-v1-025-vww', { latencyMs: 50, peakActivationBytes: 96 * 1024, weightsBytes: 512 * 1024 }],
    ['coral-usb', 'resnet-50', { latencyMs: 25 }],
    ['pixel-4', 'efficientnet-lite0', { latencyMs: 10 }],
  ] as const)('%s %s %j: plan re-simulates within every budget', async (dev, model, b) => {
    const p = profile(dev);
    const g = buildZooModel(model);
    const r = await planModel(g, p, b);
    expect(r.feasible).toBe(true);
    const { graph, layerPrecision, layerSparse24 } = applyPlan(g, findPruneGroups(g), r.plan.layers);
    const sim = simulate(graph, p, { precision: r.baselinePrecision, batch: 1, layerPrecision, layerSparse24, sparse24CompressedStorage: true });
    expect(violations(b, sim, r.accuracyDropPct, 1)).toEqual([]);
    expect(sim.latencyMs).toBeCloseTo(r.predicted.latencyMs, 9);
    expect(r.predicted.latencyMs).toBeLessThan(r.baseline.latencyMs);
  });

  it('a slack budget changes nothing', async () => {
    const r = await planModel(buildZooModel('mobilenet-v2'), profile('jetson-orin-nano-8gb'), { latencyMs: 1000 });
    expect(r.plan.layers.every((l) => l.precision === 'fp32' && l.prune === 0)).toBe(true);
    expect(r.accuracyDropPct).toBe(0);
    expect(r.binding).toEqual([]);
  });

  it('--protect first,last keeps those layers at full precision and unpruned', async () => {
    const g = buildZooModel('mobilenet-v2');
    const r = await planModel(g, profile('jetson-orin-nano-8gb'), { latencyMs: 1.2 }, { protect: ['first', 'last'] });
    const weighted = g.layers.filter((l) => l.weightElements > 0);
    for (const n of [weighted[0].name, weighted[weighted.length - 1].name]) {
      const c = r.plan.layers.find((l) => l.name === n)!;
      expect(c.precision).toBe('fp32');
      expect(c.prune).toBe(0);
    }
  });

  it('a sensitivity entry steers the plan away from a layer', async () => {
    const g = buildZooModel('resnet-18');
    const p = profile('jetson-orin-nano-8gb');
    const free = await planModel(g, p, { latencyMs: 1 });
    const target = free.plan.layers.find((l) => l.precision === 'int8' && g.layers.find((x) => x.name === l.name)!.weightElements > 0)!;
    const steered = await planModel(g, p, { latencyMs: 1 }, { sensitivity: [{ layer: target.name, choice: 'int8', dropPct: 50 }] });
    expect(steered.plan.layers.find((l) => l.name === target.name)!.precision).not.toBe('int8');
  });

  it('the Pareto front is non-dominated and sorted by latency', async () => {
    const r = await planModel(buildZooModel('mobilenet-v2'), profile('jetson-orin-nano-8gb'), { latencyMs: 2 }, { pareto: true });
    expect(r.pareto.length).toBeGreaterThan(2);
    for (let i = 1; i < r.pareto.length; i++) {
      expect(r.pareto[i].latencyMs).toBeGreaterThanOrEqual(r.pareto[i - 1].latencyMs);
      const a = r.pareto[i - 1], b = r.pareto[i];
      expect(b.accuracyDropPct < a.accuracyDropPct || b.weightsBytes < a.weightsBytes || b.latencyMs === a.latencyMs).toBe(true);
    }
  });
});

describe('weights-only quantization', () => {
  it('under a flash budget a float-only GPU stores int8 weights (dequantized at load): same latency, smaller weights, and simulate --plan agrees', async () => {
    const f = tempFiles({ 'x.txt': '' });
    const out = f['x.txt'].replace('x.txt', 'plan.json');
    const args = ['--device', 'pixel-4', '--unit', 'gpu', '--model', 'mobilenet-v2'];
    const r = await runCli(['plan', ...args, '--budget', '30ms', '--flash', '4MB', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const planned = JSON.parse(r.stdout);
    const wo = planned.plan.layers.filter((l: { weights?: string }) => l.weights === 'int8');
    expect(wo.length).toBeGreaterThan(0);
    for (const l of wo) expect(['fp32', 'fp16']).toContain(l.precision);
    expect(planned.predicted.weights_bytes).toBeLessThanOrEqual(4e6);
    const s = await runCli(['simulate', ...args, '--plan', out, '--json']);
    expect(s.code).toBe(0);
    const sim = JSON.parse(s.stdout);
    expect(sim.memory.weights_bytes).toBe(planned.predicted.weights_bytes);
    expect(sim.latency_ms).toBeCloseTo(planned.predicted.latency_ms, 6);
    // Dropping the weights-only flags changes only the stored weights, not the latency.
    const plain = JSON.parse(readFileSync(out, 'utf8'));
    plain.plan.layers = plain.plan.layers.map(({ weights: _w, ...l }: { weights?: string }) => l);
    const g = tempFiles({ 'plain.json': JSON.stringify(plain) });
    const s2 = JSON.parse((await runCli(['simulate', ...args, '--plan', g['plain.json'], '--json'])).stdout);
    expect(s2.latency_ms).toBeCloseTo(sim.latency_ms, 9);
    expect(s2.memory.weights_bytes).toBeGreaterThan(sim.memory.weights_bytes);
  });

  it('is not offered without a flash budget, nor on a unit that does not declare it (simulate --plan exits 2)', async () => {
    const r = await planModel(buildZooModel('mobilenet-v2'), profile('pixel-4'), { latencyMs: 30 }, { unit: 'gpu' });
    expect(r.plan.layers.some((l) => l.weights)).toBe(false);
    const f = tempFiles({ 'plan.json': JSON.stringify({ device: 'jetson-orin-nano', model: 'mobilenet-v2', unit: 'gpu', batch: 1, plan: { layers: [{ name: 'features.0', precision: 'fp16', prune: 0, weights: 'int8' }] } }) });
    const s = await runCli(['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--plan', f['plan.json']]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/does not take weights-only int8/);
    expect(s.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('Pareto sweep', () => {
  it('bound-based fixing along a chain keeps every optimum (same objective as independent solves)', async () => {
    const g = buildZooModel('mobilenet-v2');
    const p = profile('jetson-orin-nano-8gb');
    const prep = prepare(g, p, {});
    const base = prep.baseline.latencyMs;
    const limits = [0.45, 0.5, 0.6, 0.75, 0.9, 1.0].map((f) => f * base);
    const tb = 1e-6 / base;
    const chained = await solveMilpChain(prep.model, {}, 'accuracy', tb, limits);
    const alone = await solveMilpSweep(prep.model, {}, 'accuracy', tb, limits);
    expect(chained.map((s) => s.status)).toEqual(alone.map((s) => s.status));
    chained.forEach((s, k) => expect(Math.abs(s.objective - alone[k].objective)).toBeLessThanOrEqual(2e-6 + 1e-6 * Math.abs(alone[k].objective)));
    // The objective falls as the limit loosens, so later links really are bounded, and fixing bites.
    expect(chained[chained.length - 1].objective).toBeLessThan(chained[0].objective);
    expect(chained[0].fixedColumns).toBe(0);
    expect(chained[chained.length - 1].fixedColumns).toBeGreaterThan(100);
  });

  it('a worker that cannot start leaves its chains to the calling thread (same results)', async () => {
    const prep = prepare(buildZooModel('mobilenet-v2'), profile('jetson-orin-nano-8gb'), {});
    const base = prep.baseline.latencyMs;
    const chains = [[0.6 * base, 0.9 * base], [0.7 * base]];
    // A function cannot be cloned into a worker, so both workers fail to start.
    const unclonable = { ...prep.model, hook: () => 0 } as unknown as typeof prep.model;
    const pool = solverPool(unclonable, 2);
    const got = await pool.solveChains({}, 'accuracy', 1e-6 / base, chains);
    await pool.close();
    const want = await solverPool(prep.model, 1).solveChains({}, 'accuracy', 1e-6 / base, chains);
    expect(got.map((c) => c.map((x) => x.objective))).toEqual(want.map((c) => c.map((x) => x.objective)));
  });

  it('the front is byte-identical on one thread and on worker threads', async () => {
    const g = buildZooModel('mobilenet-v2');
    const p = profile('jetson-orin-nano-8gb');
    const prep = prepare(g, p, {});
    const one = await paretoFront(prep, p, {}, { jobs: 1 }, 12);
    const two = await paretoFront(prep, p, {}, { jobs: 2 }, 12);
    expect(one.length).toBeGreaterThan(3);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });
});

describe('edgeplan plan CLI', () => {
  it('the README main command works and its JSON has the contract keys, byte-identical across runs', async () => {
    const args = ['plan', '--device', 'jetson-orin-nano', '--budget', '16ms', '--json'];
    const a = await runCli(args), b = await runCli(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    for (const k of ['feasible', 'device', 'model', 'budgets', 'plan', 'predicted', 'baseline', 'accuracy_drop_pct', 'binding', 'solver', 'pareto']) expect(j).toHaveProperty(k);
    expect(j.model).toBe('mobilenet-v3-large');
    for (const k of ['latency_ms', 'energy_mj', 'power_w', 'weights_bytes', 'peak_activation_bytes']) expect(j.predicted).toHaveProperty(k);
  });

  it('--budget 0.01ms exits 1 with the closest point', async () => {
    const r = await runCli(['plan', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--budget', '0.01ms']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/infeasible: .*latency budget 10\.0 us is missed by .*the fastest plan reaches [\d.]+ (ms|us)/);
  });

  it('--budget 16parsecs exits 2 naming the accepted units', async () => {
    const r = await runCli(['plan', '--device', 'jetson-orin-nano', '--budget', '16parsecs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--budget: cannot read '16parsecs'.*us, ms, s/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('no budget is a usage error', async () => {
    const r = await runCli(['plan', '--device', 'jetson-orin-nano']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no budget given/);
  });

  it('plan --out writes a plan.json that simulate --plan accepts and reports accuracy_drop_pct for', async () => {
    const f = tempFiles({ 'sens.csv': 'layer,choice,drop\nconv1,int8,0.9\n' });
    const out = f['sens.csv'].replace('sens.csv', 'plan.json');
    const r = await runCli(['plan', '--device', 'stm32h7a3', '--model', 'mobilenet-v1-025-vww', '--budget', '40ms', '--memory', '100KiB', '--sensitivity', f['sens.csv'], '--out', out, '--json']);
    expect(r.code).toBe(0);
    const planned = JSON.parse(r.stdout);
    const s = await runCli(['simulate', '--device', 'stm32h7a3', '--model', 'mobilenet-v1-025-vww', '--plan', out, '--json']);
    expect(s.code).toBe(0);
    const sim = JSON.parse(s.stdout);
    expect(sim.latency_ms).toBeCloseTo(planned.predicted.latency_ms, 6);
    expect(sim.latency_ms).toBeLessThanOrEqual(40);
    expect(sim.memory.peak_activation_bytes).toBeLessThanOrEqual(100 * 1024);
    expect(sim).toHaveProperty('accuracy_drop_pct');
  });

  it('a plan for another model is rejected naming the layer', async () => {
    const f = tempFiles({ 'plan.json': JSON.stringify({ device: 'x', model: 'y', unit: 'gpu', batch: 1, plan: { layers: [{ name: 'nope', precision: 'int8', prune: 0 }] } }) });
    const r = await runCli(['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--plan', f['plan.json']]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plan.json.*layer 'nope'/);
  });
});
