/** The host fit recovers a known profile from latencies that profile predicts (no timing noise). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALIBRATION_MODELS, readCpuCaches } from '../../src/cli/commands/calibrate.ts';
import { parseProfile } from '../../src/hardware/index.ts';
import { readFileSync } from 'node:fs';
import { fitHostProfile } from '../../src/import/index.ts';
import { attributeNodeTimes, bandwidthProbes, L2_LEVEL, predictMs, withCpuCaches } from '../../src/import/host-fit.ts';
import { parseOrtProfile } from '../../src/cli/commands/measure.ts';
import { layerOps, simulate, swishPairs } from '../../src/cost/simulate.ts';
import { loadYamlModel } from '../../src/graph/yaml-model.ts';
import type { Graph } from '../../src/graph/types.ts';
import type { HardwareProfile } from '../../src/hardware/types.ts';
import { buildZooModel } from '../../src/zoo/index.ts';

const CACHES = [
  { level: 1, type: 'Data', sizeBytes: 48 * 1024 }, { level: 1, type: 'Instruction', sizeBytes: 64 * 1024 },
  { level: 2, type: 'Unified', sizeBytes: 2 * 1048576 }, { level: 3, type: 'Unified', sizeBytes: 32 * 1048576 },
];
const host = () => withCpuCaches(parseProfile(readFileSync('hardware-profiles/host.yaml', 'utf8'), 'host.yaml'), CACHES);

describe('withCpuCaches', () => {
  it('adds the L2 level as the CPU\'s on-chip level and resizes the LLC to L3, citing /sys', () => {
    const p = host();
    expect(p.units.cpu.onchip_memory).toBe(L2_LEVEL);
    expect(p.memory[L2_LEVEL].size_bytes).toMatchObject({ value: 2 * 1048576, source: expect.stringContaining('read from /sys at calibrate time'), estimate: true });
    expect(p.memory.llc.size_bytes.value).toBe(32 * 1048576);
  });
  it('reads cache sizes in the format of /sys/devices/system/cpu/cpu0/cache', () => {
    const root = mkdtempSync(join(tmpdir(), 'edgeplan-sys-'));
    try {
      for (const [i, [level, type, size]] of [[1, 'Data', '48K'], [2, 'Unified', '2048K'], [3, 'Unified', '491520K']].entries()) {
        mkdirSync(join(root, `index${i}`));
        writeFileSync(join(root, `index${i}`, 'level'), `${level}\n`);
        writeFileSync(join(root, `index${i}`, 'type'), `${type}\n`);
        writeFileSync(join(root, `index${i}`, 'size'), `${size}\n`);
      }
      expect(readCpuCaches(root)).toEqual([{ level: 1, type: 'Data', sizeBytes: 49152 }, { level: 2, type: 'Unified', sizeBytes: 2097152 }, { level: 3, type: 'Unified', sizeBytes: 503316480 }]);
      expect(readCpuCaches(join(root, 'absent'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('fitHostProfile', () => {
  it('recovers op-class efficiencies, channel half-efficiency, overheads and both bandwidths from synthetic measurements', () => {
    const base = host();
    const cpu = base.units.cpu;
    const s = (value: number) => ({ value, source: 'test truth' });
    const truth = {
      ...base,
      units: { cpu: { ...cpu, efficiency: { ...cpu.efficiency, conv2d: s(0.6), depthwise_conv2d: s(0.08), linear: s(0.5), elementwise: s(0.3) }, channel_half_efficiency: s(6), row_half_width: s(3), depthwise_half_taps: s(6), overhead_us_per_layer: s(8), fixed_overhead_us: s(40), output_copy_bytes_per_s: s(3e9) } },
      memory: { ...base.memory, [L2_LEVEL]: { ...base.memory[L2_LEVEL], bandwidth_bytes_per_s: s(5e10) }, dram: { ...base.memory.dram, bandwidth_bytes_per_s: s(1.5e10) } },
    };
    const cases = [...bandwidthProbes(), ...['resnet8-cifar', 'mobilenet-v1-025-vww', 'mcunet-in1', 'mobilenet-v3-small', 'shufflenet-v2', 'squeezenet-1.1'].map((id) => ({ model: id, graph: buildZooModel(id) }))];
    for (const c of cases.slice(4)) expect(CALIBRATION_MODELS).toContain(c.model);
    const samples = cases.map((c) => ({ ...c, measuredMs: predictMs(truth, c.graph, 1) }));
    const fit = fitHostProfile(base, samples, 1, 'test fit');
    expect(fit.median_abs_error_pct).toBeLessThan(3);
    const u = fit.profile.units.cpu;
    for (const n of [u.efficiency.conv2d, u.efficiency.depthwise_conv2d, u.channel_half_efficiency!, u.overhead_us_per_layer, fit.profile.memory[L2_LEVEL].bandwidth_bytes_per_s, fit.profile.memory.dram.bandwidth_bytes_per_s]) {
      expect(n.source).toBe('test fit');
      expect(n.estimate).toBe(true);
    }
    // Pure streaming probes pin the bandwidths (from totals alone, within 10 %: the per-call
    // output copy and the weights read from memory share the totals with them).
    expect(Math.abs(fit.profile.memory[L2_LEVEL].bandwidth_bytes_per_s.value / 5e10 - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.profile.memory.dram.bandwidth_bytes_per_s.value / 1.5e10 - 1)).toBeLessThan(0.1);
    // Held out: models not in the fit, of other families.
    for (const id of ['mobilenet-v3-large', 'mcunet-in2']) {
      const g = buildZooModel(id);
      expect(Math.abs(predictMs(fit.profile, g, 1) / predictMs(truth, g, 1) - 1)).toBeLessThan(0.1);
    }
  });
});

/** Per-kernel times the profile `p` predicts for `g`, as ONNX Runtime's profiler would name them. */
const kernelTimes = (p: HardwareProfile, g: Graph) => new Map(simulate(g, p, { precision: 'fp32', batch: 1, threads: 1 }).layers.filter((l) => l.latencyMs > 0).map((l) => [l.name, l.latencyMs * 1e3]));

describe('parseOrtProfile', () => {
  it('keeps Node events, strips "_kernel_time" and takes the per-node median in first-run order', () => {
    const ev = (name: string, dur: number, op = 'Conv') => ({ cat: 'Node', name: `${name}_kernel_time`, dur, args: { op_name: op } });
    const trace = [
      { cat: 'Session', name: 'model_run', dur: 999 },
      ev('conv1_nchwc', 10), ev('ReorderOutput', 2, 'ReorderOutput'), { cat: 'Node', name: 'conv1_nchwc_fence_before', dur: 0 },
      ev('conv1_nchwc', 30), ev('ReorderOutput', 4, 'ReorderOutput'),
      ev('conv1_nchwc', 20), ev('ReorderOutput', 3, 'ReorderOutput'),
    ];
    expect(parseOrtProfile(trace)).toEqual([{ name: 'conv1_nchwc', op: 'Conv', dur_us: 20 }, { name: 'ReorderOutput', op: 'ReorderOutput', dur_us: 3 }]);
    expect(parseOrtProfile({ not: 'a trace' })).toEqual([]);
  });
});

describe('attributeNodeTimes', () => {
  const g = loadYamlModel(`name: t
input: {name: x, shape: [1, 8, 16, 16]}
layers:
  - {name: c0__0, op: conv2d, inputs: [x], out_channels: 8, kernel: 3, padding: 1}
  - {name: s__1, op: sigmoid, inputs: [c0__0]}
  - {name: act, op: mul, inputs: [c0__0, s__1]}
  - {name: fc, op: conv2d, inputs: [act], out_channels: 8, kernel: 1}
  - {name: sum, op: add, inputs: [fc, act]}
`, 't.yaml');
  it('matches ORT names to layers through its NCHWc, "fused " and "/…Fusion/" renamings and charges inserted nodes to the next layer', () => {
    const nodes = [
      { name: 'c0__0_nchwc', op: 'Conv', dur_us: 50 },
      { name: 'ReorderOutput', op: 'ReorderOutput', dur_us: 4 },
      { name: 'act/QuickGeluFusion/', op: 'QuickGelu', dur_us: 6 },
      { name: 'fused fc', op: 'FusedConv', dur_us: 20 },
      { name: 'Unknown_token_1', op: 'Whatever', dur_us: 1 },
    ];
    const a = attributeNodeTimes(g, nodes);
    expect([...a.layerUs]).toEqual([['c0__0', 50], ['act', 10], ['fc', 21]]);
    expect(a.matchedNodes).toBe(3);
    expect(a.unmatchedUs).toBe(0);
    // The residual Add ORT fused into the conv has no kernel: it is left out, not given 0 µs.
    expect(a.layerUs.has('sum')).toBe(false);
  });
  it('matches a layer named with the exporter\'s __N suffix to the ORT node without it', () => {
    const a = attributeNodeTimes(g, [{ name: 'c0_nchwc', op: 'Conv', dur_us: 7 }]);
    expect([...a.layerUs]).toEqual([['c0__0', 7]]);
  });
});

describe('simulate changes the host fit relies on', () => {
  const p = host();
  it('costs x·sigmoid(x) as one element-wise kernel (ORT QuickGelu): the Sigmoid is free, the Mul reads x once', () => {
    const src = (mulInputs: string) => `name: s
input: {name: x, shape: [1, 32, 64, 64]}
layers:
  - {name: sg, op: sigmoid, inputs: [x]}
  - {name: m, op: mul, inputs: [${mulInputs}]}
`;
    const g = loadYamlModel(src('x, sg'), 's.yaml');
    expect(swishPairs(g)).toEqual({ sigmoids: new Set(['sg']), muls: new Map([['m', 0]]) });
    const r = simulate(g, p, { precision: 'fp32', batch: 1, threads: 1 });
    expect(r.layers.find((l) => l.name === 'sg')!.latencyMs).toBe(0);
    expect(r.layers.find((l) => l.name === 'm')!.bytes).toBe(2 * 32 * 64 * 64 * 4);
    // A Mul of the Sigmoid with another tensor is not a Swish.
    const other = loadYamlModel(src('x, sg').replace('inputs: [x]}', 'inputs: [x]}\n  - {name: y, op: relu, inputs: [x]}').replace('[x, sg]', '[y, sg]'), 's.yaml');
    expect(swishPairs(other).sigmoids.size).toBe(0);
  });
  it('counts 8 ops per output element for bilinear resize (4 taps), 1 for nearest', () => {
    const g = loadYamlModel(`name: r
input: {name: x, shape: [1, 4, 8, 8]}
layers:
  - {name: b, op: resize, inputs: [x], size: [16, 16], mode: bilinear}
  - {name: n, op: resize, inputs: [x], size: [16, 16], mode: nearest}
`, 'r.yaml');
    expect(layerOps(g.layers[0])).toBe(8 * 4 * 16 * 16);
    expect(layerOps(g.layers[1])).toBe(4 * 16 * 16);
  });
  it('streams the part of a layer\'s bytes that fits the on-chip cache at its rate and only the excess at memory rate', () => {
    const s = (value: number) => ({ value, source: 'test' });
    const q = { ...p, memory: { ...p.memory, [L2_LEVEL]: { ...p.memory[L2_LEVEL], bandwidth_bytes_per_s: s(1e11) }, dram: { ...p.memory.dram, bandwidth_bytes_per_s: s(1e10) } } };
    const g = loadYamlModel('name: a\ninput: {name: x, shape: [1, 64, 128, 128]}\nlayers:\n  - {name: y, op: relu, inputs: [x]}\n  - {name: a, op: add, inputs: [x, y]}\n', 'a.yaml');
    const bytes = 3 * 64 * 128 * 128 * 4; // 12 MiB > the 2 MiB L2
    const l2 = 2 * 1048576;
    expect(simulate(g, q, { precision: 'fp32', batch: 1, threads: 1 }).layers[1].memoryMs).toBeCloseTo((l2 / 1e11 + (bytes - l2) / 1e10) * 1e3, 9);
  });
});

describe('fitHostProfile on kernel times', () => {
  it('recovers bandwidths from the probes, class efficiencies and h from kernels, and per-call and dispatch overheads from totals', () => {
    const base = host();
    const cpu = base.units.cpu;
    const s = (value: number) => ({ value, source: 'test truth' });
    const truth: HardwareProfile = {
      ...base,
      units: { cpu: { ...cpu, threads: s(1), efficiency: { ...cpu.efficiency, conv2d: s(0.6), depthwise_conv2d: s(0.08), linear: s(0.5), elementwise: s(0.3) }, channel_half_efficiency: s(6), row_half_width: s(3), depthwise_half_taps: s(6), overhead_us_per_layer: s(4), fixed_overhead_us: s(40), output_copy_bytes_per_s: s(3e9) } },
      memory: { ...base.memory, [L2_LEVEL]: { ...base.memory[L2_LEVEL], bandwidth_bytes_per_s: s(8e10) }, dram: { ...base.memory.dram, bandwidth_bytes_per_s: s(2e10) } },
    };
    // Kernel times exclude a 1.5 µs dispatch gap per layer that only the totals show.
    const gapUs = 1.5;
    const kernelTruth: HardwareProfile = { ...truth, units: { cpu: { ...truth.units.cpu, overhead_us_per_layer: s(4 - gapUs) } } };
    const cases = [
      ...bandwidthProbes(),
      ...['resnet8-cifar', 'mobilenet-v1-025-vww', 'mcunet-in1', 'mobilenet-v3-small', 'shufflenet-v2', 'squeezenet-1.1', 'mobilenet-v2'].map((id) => ({ model: id, graph: buildZooModel(id), streaming: false })),
    ];
    const samples = cases.map((c) => ({ ...c, measuredMs: predictMs(truth, c.graph, 1), layerUs: kernelTimes(kernelTruth, c.graph) }));
    const fit = fitHostProfile(base, samples, 1, 'test fit');
    expect(fit.median_abs_error_pct).toBeLessThan(2);
    const u = fit.profile.units.cpu;
    expect(fit.dispatch!.nodes).toBe(samples.reduce((a, x) => a + x.layerUs.size, 0));
    // Kernels alone give the per-kernel overhead; the totals add the dispatch gap (per-layer and
    // per-call overheads trade off a little across so few models, hence the loose bounds).
    expect(Math.abs(fit.dispatch!.kernelOverheadUs - (4 - gapUs))).toBeLessThan(0.5);
    expect(Math.abs(fit.dispatch!.gapUs - gapUs)).toBeLessThan(1);
    expect(Math.abs(u.overhead_us_per_layer.value / 4 - 1)).toBeLessThan(0.25);
    expect(Math.abs(u.fixed_overhead_us.value / 40 - 1)).toBeLessThan(0.3);
    expect(u.efficiency.conv2d.value / 0.6).toBeCloseTo(1, 0);
    // The row width and depthwise taps come from the kernels, the output copy from the totals.
    expect(Math.abs(u.row_half_width!.value / 3 - 1)).toBeLessThan(0.3);
    // (few 5×5/7×7 depthwise kernels here: the taps trade off against the depthwise efficiency)
    expect(Math.abs(u.depthwise_half_taps!.value / 6 - 1)).toBeLessThan(0.5);
    expect(Math.abs(u.output_copy_bytes_per_s!.value / 3e9 - 1)).toBeLessThan(0.3);
    expect(fit.profile.memory[L2_LEVEL].bandwidth_bytes_per_s.value / 8e10).toBeCloseTo(1, 1);
    expect(fit.profile.memory.dram.bandwidth_bytes_per_s.value / 2e10).toBeCloseTo(1, 1);
    for (const n of [u.efficiency.conv2d, u.efficiency.elementwise, u.channel_half_efficiency!, u.overhead_us_per_layer, u.fixed_overhead_us]) {
      expect(n.source).toBe('test fit');
      expect(n.estimate).toBe(true);
    }
    for (const id of ['mobilenet-v3-large', 'mcunet-in2', 'ds-cnn']) {
      const g = buildZooModel(id);
      expect(Math.abs(predictMs(fit.profile, g, 1) / predictMs(truth, g, 1) - 1)).toBeLessThan(0.05);
    }
  });
});

describe('fused kernels in the fit (ONNX Runtime on this machine)', () => {
  // ORT's NCHWc Sum fusion is x86-64 only; elsewhere the kernel names and the rule differ.
  it.runIf(process.arch === 'x64').each(['resnet8-cifar', 'mobilenet-v2'])('%s: the layers simulate folds into a Conv are exactly those with no kernel in ORT\'s profile, and the Conv has one', async (id) => {
    const { nodeIo } = await import('../../src/cli/main.ts');
    const { measureOnnx } = await import('../../src/cli/commands/measure.ts');
    const { exportOnnx, importModel } = await import('../../src/import/index.ts');
    const bytes = exportOnnx(buildZooModel(id), { seed: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'edgeplan-fused-'));
    try {
      const path = join(dir, `${id}.onnx`);
      writeFileSync(path, bytes);
      const m = await measureOnnx(nodeIo(), path, { threads: 1, runs: 1, minTimeMs: 0, warmup: 1, profileRuns: 2 });
      const g = importModel(bytes, path).graph;
      const { layerUs } = attributeNodeTimes(g, m.nodes ?? []);
      const r = simulate(g, host(), { precision: 'fp32', batch: 1, threads: 1 });
      const fused = r.layers.filter((l) => l.fusedInto !== undefined);
      expect(fused.length).toBeGreaterThan(0);
      for (const l of fused) {
        expect(layerUs.has(l.name), `${l.name} has a kernel of its own`).toBe(false);
        expect(layerUs.has(l.fusedInto!), `${l.fusedInto} (absorbed ${l.name}) has no kernel`).toBe(true);
      }
      // Every Add simulate still charges as a layer has its own kernel.
      for (const l of r.layers.filter((x) => x.op === 'add' && x.fusedInto === undefined)) expect(layerUs.has(l.name), l.name).toBe(true);
      // So the per-kernel fit compares like with like: each conv or element-wise kernel with a costed
      // layer (reshapes are views simulate does not cost; the fit skips them).
      for (const l of r.layers) if (layerUs.has(l.name) && !['reshape', 'flatten'].includes(l.op)) expect(l.latencyMs, l.name).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
