/**
 * src/plan owns the planner: per-layer precision and channel pruning that meet latency, memory,
 * flash, power/energy and throughput budgets at the least estimated accuracy loss. The search
 * is an exact MILP (milp.ts) whose coefficients come from the cost model itself (each layer
 * variant is simulated), and every plan is re-simulated with the full cost model before it is
 * returned; if the re-simulation breaks a budget the budget is tightened and the MILP re-solved.
 */
import { simulate, type SimResult } from '../cost/index.ts';
import { EdgeplanError } from '../errors/index.ts';
import { makeLayer } from '../graph/build.ts';
import { DTYPE_BYTES, type Graph, type Layer } from '../graph/types.ts';
import type { HardwareProfile, Precision } from '../hardware/types.ts';
import { corePeak } from '../memory/liveness.ts';
import { buildAccuracyModel } from './accuracy.ts';
import { applyPlan, pruneGraph } from './apply.ts';
import { findPruneGroups, type PruneGroups } from './groups.ts';
import { solveMilp, type Combo, type LayerVars, type MilpBudgets, type MilpModel, type Objective } from './milp.ts';
import { solverPool } from './pool.ts';
import type { Budgets, LayerChoice, ParetoPoint, PlanOptions, PlanResult, Predicted } from './types.ts';

export type * from './types.ts';
export { applyPlan } from './apply.ts';
export { findPruneGroups } from './groups.ts';
export { buildAccuracyModel, NETWORK_DROP_PCT, pruneDropPct } from './accuracy.ts';

export const PRUNE_RATIOS: readonly number[] = [0, 0.25, 0.5, 0.75];
const PRECISION_ORDER: readonly Precision[] = ['fp32', 'fp16', 'int8', 'int4'];

/** The unit's reference precision: fp32 where it runs it, else its widest (Edge TPU: int8). */
export function baselinePrecisionOf(p: HardwareProfile, unit: string): Precision {
  const u = p.units[unit];
  return PRECISION_ORDER.find((q) => u.precisions.includes(q)) ?? 'fp32';
}

export function predictedOf(r: SimResult): Predicted {
  return { latencyMs: r.latencyMs, energyMj: r.energyMj, powerW: r.powerW, weightsBytes: r.memory.weightsBytes, peakActivationBytes: r.memory.peakActivationBytes };
}

interface Prepared {
  readonly graph: Graph;
  readonly groups: PruneGroups;
  readonly model: MilpModel;
  readonly unit: string;
  readonly baselinePrecision: Precision;
  readonly baseline: SimResult;
  readonly memberLayers: ReadonlyMap<number, string[]>;
}

const kib = (bytes: number) => bytes / 1024;

/** Builds the MILP's coefficients by simulating every variant of every layer with the cost model. */
export function prepare(g: Graph, profile: HardwareProfile, opts: PlanOptions): Prepared {
  const unit = opts.unit ?? profile.default_unit;
  if (!profile.units[unit]) throw new EdgeplanError('bad_value', `device ${profile.id} has no unit '${unit}'`, { fix: `use --unit ${Object.keys(profile.units).join(' | ')}` });
  const batch = opts.batch ?? 1;
  const basePrec = baselinePrecisionOf(profile, unit);
  const baseline = simulate(g, profile, { precision: basePrec, unit, batch, link: opts.link });
  const unitOf = new Map(baseline.layers.map((l) => [l.name, l.unit]));
  const groups = findPruneGroups(g);

  // Protected layers keep the baseline precision and their output group unpruned.
  const weighted = g.layers.filter((l) => l.weightElements > 0);
  const protectedNames = new Set<string>();
  for (const p of opts.protect ?? []) {
    if (p === 'first' && weighted[0]) protectedNames.add(weighted[0].name);
    else if (p === 'last' && weighted.length) protectedNames.add(weighted[weighted.length - 1].name);
    else if (g.layers.some((l) => l.name === p)) protectedNames.add(p);
    else if (p !== 'first' && p !== 'last') throw new EdgeplanError('bad_value', `--protect names no layer '${p}'`, { fix: 'use first, last, or layer names from `edgeplan show`' });
  }
  const prunable = new Set([...groups.prunable].filter((gid) => ![...protectedNames].some((n) => groups.groupOf.get(n) === gid)));
  const ratiosOf = (gid: number | undefined) => (gid !== undefined && prunable.has(gid) ? PRUNE_RATIOS : [0]);

  // Graph variants with every prunable group at one ratio give each tensor's shape at that ratio.
  const variants = new Map<number, Graph>(PRUNE_RATIOS.map((r) => [r, r === 0 || !prunable.size ? g : pruneGraph(g, { groupOf: groups.groupOf, prunable }, () => r)]));
  const layerIn = (v: Graph) => new Map(v.layers.map((l) => [l.name, l]));
  const variantLayers = new Map([...variants].map(([r, v]) => [r, layerIn(v)]));
  const shapeIn = (r: number, name: string) => variantLayers.get(r)!.get(name)?.outputShape ?? g.inputs.find((i) => i.name === name)!.shape;

  const macsOfGroup = new Map<number, number>();
  const memberLayers = new Map<number, string[]>();
  for (const l of g.layers) {
    const gid = groups.groupOf.get(l.name)!;
    if (!prunable.has(gid)) continue;
    macsOfGroup.set(gid, (macsOfGroup.get(gid) ?? 0) + l.macs);
    memberLayers.set(gid, [...(memberLayers.get(gid) ?? []), l.name]);
  }
  const acc = buildAccuracyModel(g, macsOfGroup, opts.sensitivity);
  const startUnit = profile.units[unit];
  const idleW = profile.power.idle_w.value;

  // Boundaries as simulate forms them: the first consumer of (tensor, unit) pays the transfer.
  const link = profile.links?.[opts.link ?? profile.default_link ?? ''];
  const remote = (u: string) => profile.default_link !== undefined && profile.units[u]?.kind !== 'cpu';
  const actBw = profile.memory[profile.activations_in]?.bandwidth_bytes_per_s.value ?? Number.POSITIVE_INFINITY;
  const msPerByte = (from: string, to: string) => ((remote(from) || remote(to)) && link ? 1e3 / link.bandwidth_bytes_per_s.value : 2e3 / actBw);
  const seenEdge = new Set<string>();
  const pairs = new Set<string>();
  const transfersOf = new Map<string, { input: number; msPerByte: number; fromHost: boolean }[]>();
  for (const l of g.layers) {
    const to = unitOf.get(l.name)!;
    l.inputs.forEach((src, k) => {
      const from = unitOf.get(src) ?? 'host';
      const key = `${src}->${to}`;
      if (seenEdge.has(key)) return;
      seenEdge.add(key);
      if (from === to || (from === 'host' && !remote(to))) return;
      pairs.add(`${from}->${to}`);
      transfersOf.set(l.name, [...(transfersOf.get(l.name) ?? []), { input: k, msPerByte: msPerByte(from, to), fromHost: from === 'host' }]);
    });
  }
  const outputsToHost = new Set(g.outputs.filter((o) => remote(unitOf.get(o) ?? '')));
  for (const o of outputsToHost) pairs.add(`${unitOf.get(o)}->host`);
  let constLatMs = 0, constEnergyMj = 0;
  for (const key of pairs) {
    const [from, to] = key.split('->');
    const ms = (remote(from) || remote(to)) && link ? link.latency_us.value / 1e3 : to !== 'host' ? profile.units[to].overhead_us_per_layer.value / 1e3 : 0;
    const owner = to === 'host' ? from : to;
    constLatMs += ms; constEnergyMj += ms * profile.units[owner].power_w.active.value;
  }
  for (const e of baseline.extras) if (e.kind === 'overhead') { constLatMs += e.latencyMs; constEnergyMj += e.latencyMs * profile.units[e.unit].power_w.active.value; }
  const cacheLevel = profile.memory[profile.weights_in];
  const paramCache = cacheLevel?.kind === 'param_cache' && link && remote(unit) ? { sizeKiB: kib(cacheLevel.size_bytes.value), msPerKiB: (1024 / link.bandwidth_bytes_per_s.value) * 1e3, powerW: startUnit.power_w.active.value } : undefined;

  const index = new Map(g.layers.map((l, i) => [l.name, i]));
  const variantCache = new Map<string, { lr: SimResult['layers'][number]; weightsBytes: number; activationBytes: number; weightElements: number }>();
  const layers: (LayerVars & { combos: Combo[]; precisions: Precision[] })[] = g.layers.map((l, li) => {
    const u = unitOf.get(l.name)!;
    const onStart = u === unit && !protectedNames.has(l.name);
    const assigned = baseline.layers[li].precision;
    const precisions = onStart ? PRECISION_ORDER.filter((q) => startUnit.precisions.includes(q) && startUnit.peak_ops_per_s[q]) : [protectedNames.has(l.name) ? basePrec : assigned];
    const outGroup = groups.groupOf.get(l.name)!;
    const inGroups = [...new Set(l.inputs.map((i) => groups.groupOf.get(i)!))];
    const inGroup = inGroups.length === 1 ? inGroups[0] : undefined;
    const combos: Combo[] = [];
    // 2:4 sparsity is a choice only where the unit accelerates it (Orin tensor cores, DLA).
    // 50 % sparsity is a choice where the unit accelerates 2:4 (Orin tensor cores, DLA); elsewhere it
    // only shrinks stored weights (bitmask-compressed), so it is offered only under a flash budget.
    const sparseOption = onStart && l.weightElements > 0 && l.macs > 0 && (startUnit.sparse_speedup_2_4 !== undefined || opts.sizeOnlySparsity === true);
    // Weights-only quantization (weights dequantized at load) only shrinks stored weights, so it is
    // offered under a flash budget, at the unit's float precisions, on units that declare it.
    const storedOptions = onStart && l.weightElements > 0 && opts.sizeOnlySparsity === true ? startUnit.weight_only?.precisions ?? [] : [];
    // Keys of this layer's variants: its attributes at each output ratio, its input shapes at each input ratio.
    const attrsKey = new Map<number, string>(), shapesKey = new Map<number, string>();
    for (const sparse of sparseOption ? [false, true] : [false])
    for (const p of precisions)
    for (const stored of [undefined, ...(sparse || (p !== 'fp32' && p !== 'fp16') ? [] : storedOptions)]) {
      for (const a of ratiosOf(outGroup)) {
        for (const b of inGroup === outGroup ? [a] : ratiosOf(inGroup)) {
          const variantLayer = variantLayers.get(a)!.get(l.name)!;
          const inShapes = l.inputs.map((i) => shapeIn(b, i));
          if (!attrsKey.has(a)) attrsKey.set(a, JSON.stringify(variantLayer.attrs));
          if (!shapesKey.has(b)) shapesKey.set(b, JSON.stringify(inShapes));
          // Identical variants (repeated blocks) are simulated once.
          const key = `${u}|${p}|${sparse}|${stored ?? ''}|${l.op}|${attrsKey.get(a)}|${shapesKey.get(b)}`;
          let sim = variantCache.get(key);
          if (!sim) {
            const v: Layer = makeLayer({ name: l.name, op: l.op, inputs: l.inputs.map((_, k) => `in${k}`), attrs: variantLayer.attrs }, inShapes, p);
            const tiny: Graph = { name: 'layer', task: g.task, layout: 'NCHW', inputs: inShapes.map((s, k) => ({ name: `in${k}`, shape: s, dtype: p })), layers: [v], outputs: [l.name], source: 'plan' };
            const r = simulate(tiny, profile, { precision: p, unit: u, batch, link: opts.link, layerSparse24: sparse ? new Set([l.name]) : undefined, sparse24CompressedStorage: true, layerStoredWeightPrecision: stored ? new Map([[l.name, stored]]) : undefined });
            sim = { lr: r.layers[0], weightsBytes: r.memory.weightsBytes, activationBytes: v.activationBytes, weightElements: v.weightElements };
            variantCache.set(key, sim);
          }
          const lr = sim.lr;
          const power = profile.units[lr.unit].power_w.active.value;
          let latMs = lr.latencyMs;
          for (const t of transfersOf.get(l.name) ?? []) {
            const bytes = inShapes[t.input].reduce((x, y) => x * y, 1) * DTYPE_BYTES[p] * batch;
            latMs += bytes * t.msPerByte;
          }
          const outBytes = sim.activationBytes * batch;
          if (outputsToHost.has(l.name)) latMs += outBytes * msPerByte(u, 'host');
          const inputBytes = li === 0 ? g.inputs[0].shape.reduce((x, y) => x * y, 1) * DTYPE_BYTES[p] * batch : 0;
          const wBytes = sim.weightsBytes;
          combos.push({
            p, sparse, ...(stored ? { storedWeights: stored } : {}), a, b, latMs, energyMj: latMs * power, weightKiB: kib(wBytes), outKiB: kib(outBytes), inputKiB: kib(inputBytes),
            remoteWeightKiB: paramCache && remote(u) && sim.weightElements > 0 ? kib(wBytes) : 0,
            remoteLayerLatMs: paramCache && remote(lr.unit) ? lr.latencyMs : 0,
            acc: acc.precisionDrop(l.name, stored ?? p) + (sparse ? acc.sparseDrop(l.name) : 0),
          });
        }
      }
    }
    // Weightless ops (add, pool, activations) run at their producer's precision, as runtimes do.
    const producer = l.weightElements === 0 ? index.get(l.inputs[0]) : undefined;
    return { combos, precisions: [...precisions], sparseOption, followsLayer: producer, outGroup: prunable.has(outGroup) ? outGroup : undefined, inGroup: inGroup !== undefined && prunable.has(inGroup) ? inGroup : undefined };
  });

  // Which tensors are live at each step: the lifetimes src/memory computes for simulate's peak.
  const lives = corePeak(g).tensors;
  const liveAtStep = g.layers.map((_, s) => {
    const live: number[] = [];
    let input = false;
    for (const t of lives) {
      if (t.firstStep <= s && s <= t.lastStep) {
        if (index.has(t.name)) live.push(index.get(t.name)!);
        else input = true;
      }
    }
    return { layers: live.sort((a, b) => a - b), input };
  });

  const groupList = [...prunable].sort((a, b) => a - b).map((id) => ({ id, ratios: PRUNE_RATIOS, acc: PRUNE_RATIOS.map((r) => acc.pruneDrop(memberLayers.get(id) ?? [], r)) }));
  dropDominatedOptions(layers);
  foldFollowers(layers);
  return {
    graph: g, groups: { groupOf: groups.groupOf, prunable }, unit, baselinePrecision: basePrec, baseline, memberLayers,
    model: { layers, groups: groupList, constLatMs, constEnergyMj, idleW, liveAtStep, paramCache },
  };
}

const COST_FIELDS = ['latMs', 'energyMj', 'weightKiB', 'outKiB', 'inputKiB', 'remoteWeightKiB', 'remoteLayerLatMs', 'acc'] as const;

/**
 * Removes (precision, sparsity) options that another option of the same layer beats or equals on
 * every cost — its own, at every prune combination, and that of the weightless layers that follow
 * its precision — e.g. sparse fp32 against dense fp16 on an Orin GPU. Any plan using a dropped
 * option can switch to the dominating one without worsening the objective or any budget, so the
 * optimum is unchanged; the MILP just gets smaller.
 */
function dropDominatedOptions(layers: (LayerVars & { combos: Combo[]; precisions: Precision[] })[]): void {
  // Weightless layers follow their producer's precision, and so do the layers that follow them.
  const children = new Map<number, number[]>();
  layers.forEach((L, li) => { if (L.followsLayer !== undefined) children.set(L.followsLayer, [...(children.get(L.followsLayer) ?? []), li]); });
  const followers = new Map<number, number[]>();
  layers.forEach((_, li) => {
    const out: number[] = [];
    const stack = [...(children.get(li) ?? [])];
    while (stack.length) { const f = stack.pop()!; out.push(f); stack.push(...(children.get(f) ?? [])); }
    followers.set(li, out);
  });
  const key = (c: Combo) => `${c.a}|${c.b}`;
  const optKey = (c: Combo) => `${c.p}|${c.sparse}|${c.storedWeights ?? ''}`;
  layers.forEach((L, li) => {
    // A follower's precision is its producer's: it has no options of its own to drop.
    if (L.followsLayer !== undefined) return;
    const opts = [...new Set(L.combos.map(optKey))];
    if (opts.length < 2) return;
    const byOpt = new Map(opts.map((o) => [o, new Map(L.combos.filter((c) => optKey(c) === o).map((c) => [key(c), c]))]));
    const fols = (followers.get(li) ?? []).map((f) => layers[f]);
    const followerCost = (p: Precision) => fols.map((F) => new Map(F.combos.filter((c) => c.p === p).map((c) => [key(c), c])));
    const dominates = (o1: string, o2: string): boolean => {
      const m1 = byOpt.get(o1)!, m2 = byOpt.get(o2)!;
      for (const [k, c2] of m2) {
        const c1 = m1.get(k);
        if (!c1 || COST_FIELDS.some((f) => c1[f] > c2[f] + 1e-12)) return false;
      }
      const p1 = o1.split('|')[0] as Precision, p2 = o2.split('|')[0] as Precision;
      if (p1 !== p2) {
        const f1 = followerCost(p1), f2 = followerCost(p2);
        for (let i = 0; i < f2.length; i++) {
          if (f2[i].size && !f1[i].size) return false;
          for (const [k, c2] of f2[i]) {
            const c1 = f1[i].get(k);
            if (!c1 || COST_FIELDS.some((f) => c1[f] > c2[f] + 1e-12)) return false;
          }
        }
      }
      return true;
    };
    const dropped = new Set<string>();
    for (const o2 of opts) {
      // Keep one of any exactly equal pair (the earlier option).
      if (opts.some((o1) => o1 !== o2 && !dropped.has(o1) && dominates(o1, o2) && (!dominates(o2, o1) || opts.indexOf(o1) < opts.indexOf(o2)))) dropped.add(o2);
    }
    if (!dropped.size) return;
    L.combos = L.combos.filter((c) => !dropped.has(optKey(c)));
    // A precision with no option left is gone; a layer with no sparse option left is dense-only.
    L.precisions = L.precisions.filter((p) => L.combos.some((c) => c.p === p));
    (L as { sparseOption: boolean }).sparseOption = L.combos.some((c) => c.sparse);
  });
}

/**
 * Folds each weightless follower whose choice its producer fixes — same precision, and the same
 * channel group on its input and output as the producer's output (residual adds, pooling,
 * resizes, activations) — into that producer: the MILP then has no variables for it (yolo11l:
 * 128 of 302 layers). Followers of a folded layer follow its root instead.
 */
function foldFollowers(layers: (LayerVars & { combos: Combo[]; precisions: Precision[] })[]): void {
  const rootOf = (li: number): number => layers[li].foldedInto?.root ?? li;
  layers.forEach((F, li) => {
    if (F.followsLayer === undefined) return;
    const root = rootOf(F.followsLayer);
    if (root !== F.followsLayer) layers[li] = F = { ...F, followsLayer: root };
    const R = layers[root];
    if (F.combos.length < 2 || F.precisions.length < 2 || F.inGroup !== F.outGroup || F.outGroup !== R.outGroup) return;
    const comboOf: number[] = [];
    for (const rc of R.combos) {
      const fc = F.combos.findIndex((c) => c.p === rc.p && c.a === rc.a && c.b === rc.a);
      if (fc < 0) return;
      comboOf.push(fc);
    }
    layers[li] = { ...F, foldedInto: { root, comboOf } };
  });
}

function choicesFrom(prep: Prepared, comboOf: readonly number[], ratioOfGroup: ReadonlyMap<number, number>): LayerChoice[] {
  return prep.graph.layers.map((l, li) => {
    const c = prep.model.layers[li].combos[comboOf[li]];
    const gid = prep.groups.groupOf.get(l.name)!;
    return { name: l.name, precision: c.p, prune: prep.groups.prunable.has(gid) ? ratioOfGroup.get(gid) ?? 0 : 0, ...(c.sparse ? { sparse24: true } : {}), ...(c.storedWeights ? { weights: c.storedWeights } : {}) };
  });
}

/** Estimated accuracy drop of a plan under the proxy. */
export function planAccuracyDrop(prep: Prepared, choices: readonly LayerChoice[]): number {
  let drop = 0;
  const ratioOf = new Map<number, number>();
  choices.forEach((c, li) => {
    drop += prep.model.layers[li].combos.find((x) => x.p === c.precision && x.sparse === (c.sparse24 === true) && x.storedWeights === c.weights)?.acc ?? 0;
    const gid = prep.groups.groupOf.get(c.name)!;
    if (prep.groups.prunable.has(gid)) ratioOf.set(gid, c.prune);
  });
  for (const G of prep.model.groups) drop += G.acc[G.ratios.indexOf(ratioOf.get(G.id) ?? 0)];
  return drop;
}

export function resimulate(prep: Prepared, profile: HardwareProfile, choices: readonly LayerChoice[], opts: PlanOptions): SimResult {
  const { graph, layerPrecision, layerSparse24, layerStoredWeightPrecision } = applyPlan(prep.graph, prep.groups, choices);
  return simulate(graph, profile, { precision: prep.baselinePrecision, unit: prep.unit, batch: opts.batch ?? 1, link: opts.link, layerPrecision, layerSparse24, sparse24CompressedStorage: true, layerStoredWeightPrecision });
}

function toMilpBudgets(b: Budgets, batch: number): MilpBudgets {
  const fromFps = b.fps !== undefined ? (1000 * batch) / b.fps : undefined;
  const lat = b.latencyMs !== undefined && fromFps !== undefined ? Math.min(b.latencyMs, fromFps) : b.latencyMs ?? fromFps;
  return {
    latencyMs: lat,
    peakKiB: b.peakActivationBytes !== undefined ? kib(b.peakActivationBytes) : undefined,
    weightsKiB: b.weightsBytes !== undefined ? kib(b.weightsBytes) : undefined,
    powerW: b.powerW, energyMj: b.energyMj, maxAcc: b.maxAccuracyDropPct,
  };
}

interface Violation { budget: string; limit: number; achieved: number; shortfallPct: number }

/** Each given budget with its limit and the value the simulation reached (fps as a latency limit). */
function budgetChecks(b: Budgets, r: SimResult, accDrop: number, batch: number): { budget: string; limit: number; achieved: number }[] {
  const all: [string, number | undefined, number][] = [
    ['latency', b.latencyMs, r.latencyMs],
    ['fps', b.fps !== undefined ? (1000 * batch) / b.fps : undefined, r.latencyMs],
    ['memory', b.peakActivationBytes, r.memory.peakActivationBytes],
    ['flash', b.weightsBytes, r.memory.weightsBytes],
    ['power', b.powerW, r.powerW],
    ['energy', b.energyMj, r.energyMj],
    ['accuracy', b.maxAccuracyDropPct, accDrop],
  ];
  return all.filter(([, limit]) => limit !== undefined).map(([budget, limit, achieved]) => ({ budget, limit: limit!, achieved }));
}

export function violations(b: Budgets, r: SimResult, accDrop: number, batch: number): Violation[] {
  return budgetChecks(b, r, accDrop, batch)
    .filter((c) => c.achieved > c.limit * (1 + 1e-9))
    .map((c) => ({ ...c, shortfallPct: ((c.achieved - c.limit) / c.limit) * 100 }));
}

/** Budgets within 5 % of their limit at the chosen plan. */
function bindingOf(b: Budgets, r: SimResult, accDrop: number, batch: number): string[] {
  return budgetChecks(b, r, accDrop, batch).filter((c) => c.achieved >= 0.95 * c.limit).map((c) => c.budget);
}

interface Solved { choices: LayerChoice[]; sim: SimResult; acc: number; status: string; gap: number; iterations: number; notes: string[] }

/** Solve, re-simulate, and tighten any budget the exact simulation breaks (at most 6 rounds). */
async function solveChecked(prep: Prepared, profile: HardwareProfile, budgets: Budgets, objective: Objective, opts: PlanOptions): Promise<Solved | { status: string; iterations: number; notes: string[] }> {
  const batch = opts.batch ?? 1;
  let mb = toMilpBudgets(budgets, batch);
  const notes: string[] = [];
  for (let it = 1; it <= 6; it++) {
    const sol = await solveMilp(prep.model, mb, objective, 1e-6 / Math.max(1e-9, prep.baseline.latencyMs));
    if (sol.status !== 'Optimal' && !sol.status.startsWith('Time limit')) return { status: sol.status, iterations: it, notes };
    if (sol.status !== 'Optimal') notes.push(`the solver stopped at its time limit; the plan is the best found, within a relative gap of ${sol.gap.toPrecision(3)} of the optimum`);
    const choices = choicesFrom(prep, sol.comboOf, sol.ratioOfGroup);
    const sim = resimulate(prep, profile, choices, opts);
    const acc = planAccuracyDrop(prep, choices);
    const v = violations(budgets, sim, acc, batch);
    if (!v.length) return { choices, sim, acc, status: sol.status, gap: sol.gap, iterations: it, notes };
    // Tighten each broken budget by its overshoot and re-solve.
    const next = { ...mb } as Record<string, number | undefined>;
    for (const x of v) {
      const key = { latency: 'latencyMs', fps: 'latencyMs', memory: 'peakKiB', flash: 'weightsKiB', power: 'powerW', energy: 'energyMj', accuracy: 'maxAcc' }[x.budget]!;
      const cur = next[key]!;
      next[key] = cur * (x.limit / x.achieved) * (1 - 1e-6);
    }
    notes.push(`re-simulation broke ${v.map((x) => `${x.budget} by ${x.shortfallPct.toFixed(2)} %`).join(', ')}; tightened and re-solved`);
    mb = next as MilpBudgets;
  }
  return { status: 'Tightening did not converge', iterations: 6, notes };
}

export async function planModel(g: Graph, profile: HardwareProfile, budgets: Budgets, opts: PlanOptions = {}): Promise<PlanResult> {
  const now = opts.now ?? (() => 0);
  const t0 = now();
  const batch = opts.batch ?? 1;
  // Size-only sparsity matters only when weights are budgeted.
  opts = { ...opts, sizeOnlySparsity: budgets.weightsBytes !== undefined };
  const prep = prepare(g, profile, opts);
  const baseline = predictedOf(prep.baseline);
  const res = await solveChecked(prep, profile, budgets, 'accuracy', opts);
  const notes = [...res.notes, 'accuracy_drop_pct is a proxy: per-layer drops fitted to published whole-network figures (accuracy-drop.csv), assumed additive'];

  let pareto: ParetoPoint[] = [];
  if (opts.pareto) pareto = await paretoFront(prep, profile, budgets, opts, 12);

  if (!('choices' in res)) {
    // Infeasible: report the closest point — the fastest plan, and what it still misses.
    const fastest = await solveChecked(prep, profile, {}, 'latency', opts);
    let closest: PlanResult['closest'];
    let predicted = baseline;
    let layers: LayerChoice[] = [];
    let accDrop = 0;
    if ('choices' in fastest) {
      predicted = predictedOf(fastest.sim);
      layers = fastest.choices;
      accDrop = fastest.acc;
      const v = violations(budgets, fastest.sim, fastest.acc, batch).sort((a, b) => b.shortfallPct - a.shortfallPct);
      closest = v[0] ?? { budget: 'combination', limit: 0, achieved: 0, shortfallPct: 0 };
    }
    return {
      feasible: false, device: profile.id, model: g.name, budgets, baselinePrecision: prep.baselinePrecision,
      plan: { layers }, predicted, baseline, accuracyDropPct: accDrop, binding: closest ? [closest.budget] : [],
      solver: { status: res.status, gap: 0, ms: now() - t0, iterations: res.iterations }, pareto, closest, notes,
    };
  }
  return {
    feasible: true, device: profile.id, model: g.name, budgets, baselinePrecision: prep.baselinePrecision,
    plan: { layers: res.choices }, predicted: predictedOf(res.sim), baseline, accuracyDropPct: res.acc,
    binding: bindingOf(budgets, res.sim, res.acc, batch),
    solver: { status: res.status, gap: res.gap, ms: now() - t0, iterations: res.iterations }, pareto, notes,
  };
}

/** Models with fewer MILP columns than this solve their Pareto sweep on the calling thread. */
const POOL_MIN_COLUMNS = 400;
/** Chains of the Pareto sweep (see paretoFront). */
const PARETO_CHAINS = 8;

/**
 * Non-dominated (latency, accuracy drop, weights) plans across latency budgets from fastest to
 * baseline. With `opts.jobs` > 1 the chains of budgets are solved on that many worker threads; a
 * chain's result depends only on its limits, so the front is the same for any number of threads.
 */
export async function paretoFront(prep: Prepared, profile: HardwareProfile, budgets: Budgets, opts: PlanOptions, points: number): Promise<ParetoPoint[]> {
  const { latencyMs: _ignored, fps: _fps, ...others } = budgets;
  // Workers load the solver while this thread finds the fastest plan (which fixes the range).
  // Starting one costs ~0.1 s (bundling, thread start, WebAssembly) and the copy of the model;
  // models with a few hundred columns solve a whole sweep in about that, so they stay on this thread.
  const columns = prep.model.layers.reduce((n, l) => n + l.combos.length, 0);
  const pool = solverPool(prep.model, points > 2 && columns >= POOL_MIN_COLUMNS ? opts.jobs ?? 1 : 1);
  try {
    const fastest = await solveChecked(prep, profile, others, 'latency', opts);
    if (!('choices' in fastest)) return [];
    const lo = fastest.sim.latencyMs, hi = Math.max(lo, prep.baseline.latencyMs);
    const found: ParetoPoint[] = [{ latencyMs: lo, accuracyDropPct: fastest.acc, weightsBytes: fastest.sim.memory.weightsBytes, plan: fastest.choices }];
    const limits = Array.from({ length: points - 1 }, (_, k) => lo + ((hi - lo) * (k + 1)) / (points - 1));
    const batch = opts.batch ?? 1;
    // Interleaved chains: each solved in order, every optimum bounding the next (solveMilpChain);
    // a fixed count, so the front is the same on any machine, and the hard tight limits spread out.
    const chains = Array.from({ length: Math.min(PARETO_CHAINS, limits.length) }, (_, c) => limits.filter((_, k) => k % PARETO_CHAINS === c));
    const solved = await pool.solveChains(toMilpBudgets(others, batch), 'accuracy', 1e-6 / Math.max(1e-9, prep.baseline.latencyMs), chains);
    const sols = limits.map((_, k) => solved[k % PARETO_CHAINS][Math.floor(k / PARETO_CHAINS)]);
    for (let k = 0; k < limits.length; k++) {
      const sol = sols[k];
      if (sol.status !== 'Optimal' && !sol.status.startsWith('Time limit')) continue;
      const choices = choicesFrom(prep, sol.comboOf, sol.ratioOfGroup);
      const sim = resimulate(prep, profile, choices, opts);
      const acc = planAccuracyDrop(prep, choices);
      if (violations({ ...others, latencyMs: limits[k] }, sim, acc, batch).length === 0) {
        found.push({ latencyMs: sim.latencyMs, accuracyDropPct: acc, weightsBytes: sim.memory.weightsBytes, plan: choices });
        continue;
      }
      // The exact simulation broke a budget: fall back to the tightening loop for this point.
      const s = await solveChecked(prep, profile, { ...others, latencyMs: limits[k] }, 'accuracy', opts);
      if ('choices' in s) found.push({ latencyMs: s.sim.latencyMs, accuracyDropPct: s.acc, weightsBytes: s.sim.memory.weightsBytes, plan: s.choices });
    }
    return nonDominated(found);
  } finally {
    await pool.close();
  }
}

function nonDominated(found: readonly ParetoPoint[]): ParetoPoint[] {
  const dominated = (a: ParetoPoint, b: ParetoPoint) => b.latencyMs <= a.latencyMs && b.accuracyDropPct <= a.accuracyDropPct && b.weightsBytes <= a.weightsBytes && (b.latencyMs < a.latencyMs || b.accuracyDropPct < a.accuracyDropPct || b.weightsBytes < a.weightsBytes);
  const uniq = found.filter((p, i) => found.findIndex((q) => q.latencyMs === p.latencyMs && q.accuracyDropPct === p.accuracyDropPct && q.weightsBytes === p.weightsBytes) === i);
  return uniq.filter((p) => !uniq.some((q) => dominated(p, q))).sort((a, b) => a.latencyMs - b.latencyMs);
}

/** Estimated accuracy drop of any plan (as `simulate --plan` reports it), from the same proxy. */
export function accuracyDropOf(g: Graph, choices: readonly LayerChoice[], sensitivity?: PlanOptions['sensitivity']): number {
  const groups = findPruneGroups(g);
  const macsOfGroup = new Map<number, number>();
  const members = new Map<number, string[]>();
  for (const l of g.layers) {
    const gid = groups.groupOf.get(l.name)!;
    if (!groups.prunable.has(gid)) continue;
    macsOfGroup.set(gid, (macsOfGroup.get(gid) ?? 0) + l.macs);
    members.set(gid, [...(members.get(gid) ?? []), l.name]);
  }
  const acc = buildAccuracyModel(g, macsOfGroup, sensitivity);
  let drop = 0;
  const ratio = new Map<number, number>();
  for (const c of choices) {
    drop += acc.precisionDrop(c.name, c.weights ?? c.precision) + (c.sparse24 ? acc.sparseDrop(c.name) : 0);
    const gid = groups.groupOf.get(c.name);
    if (gid !== undefined && groups.prunable.has(gid) && c.prune > 0) ratio.set(gid, c.prune);
  }
  for (const [gid, r] of ratio) drop += acc.pruneDrop(members.get(gid) ?? [], r);
  return drop;
}

/** Checks a plan file's layers against the graph: known names, allowed precisions and ratios, coupled groups agreeing. */
export function checkPlanChoices(g: Graph, choices: readonly LayerChoice[]): void {
  const names = new Set(g.layers.map((l) => l.name));
  const groups = findPruneGroups(g);
  const ratioOfGroup = new Map<number, { ratio: number; layer: string }>();
  for (const c of choices) {
    if (!names.has(c.name)) throw new EdgeplanError('bad_value', `the plan names layer '${c.name}', which the model does not have`, { layer: c.name, fix: 'make the plan for this model (same resolution and width) or fix the name' });
    if (!PRECISION_ORDER.includes(c.precision)) throw new EdgeplanError('bad_value', `layer '${c.name}': unknown precision '${c.precision}'`, { layer: c.name, fix: 'use fp32, fp16, int8 or int4' });
    if (c.weights !== undefined && c.weights !== 'int8' && c.weights !== 'int4') throw new EdgeplanError('bad_value', `layer '${c.name}': weights '${c.weights}' is not a weights-only precision`, { layer: c.name, fix: 'use weights: int8 or int4 (or leave it out)' });
    if (!PRUNE_RATIOS.includes(c.prune)) throw new EdgeplanError('bad_value', `layer '${c.name}': prune ${c.prune} is not one of ${PRUNE_RATIOS.join(', ')}`, { layer: c.name, fix: 'use 0, 0.25, 0.5 or 0.75' });
    const gid = groups.groupOf.get(c.name)!;
    if (c.prune > 0 && !groups.prunable.has(gid)) throw new EdgeplanError('bad_value', `layer '${c.name}' cannot be pruned (its channels are fixed by an output or a coupled op)`, { layer: c.name, fix: 'set prune: 0 for it' });
    const prev = ratioOfGroup.get(gid);
    if (prev && c.prune > 0 && prev.ratio !== c.prune) throw new EdgeplanError('bad_value', `layers '${prev.layer}' and '${c.name}' share channels but the plan prunes them by ${prev.ratio} and ${c.prune}`, { layer: c.name, fix: 'give coupled layers (residual adds, concats, depthwise chains) the same prune ratio' });
    if (c.prune > 0) ratioOfGroup.set(gid, { ratio: c.prune, layer: c.name });
  }
}
