/**
 * The planning MILP. One binary per (layer, precision) and per (prune group, ratio); one continuous
 * w per (layer, combination of its precision, its output group's ratio and its input group's ratio),
 * tied to the binaries by marginal equalities, so w is exactly the product of the chosen indicators
 * (with w ≥ 0 and one-hot binaries, the marginals leave one non-zero w of value 1). Every quantity
 * simulate reports is then linear in w: latency, energy, weights, and the live activation bytes at
 * each execution step. Solved by HiGHS (Huangfu & Hall 2018) compiled to WebAssembly (`highs`).
 */
import type { Precision } from '../hardware/types.ts';

export interface Combo {
  readonly p: Precision;
  /** 2:4 structured sparsity on this layer. */
  readonly sparse: boolean;
  /** Weights-only quantization: weights stored at this precision, computed at `p` (unit's weight_only). */
  readonly storedWeights?: Precision;
  /** Ratio of the layer's output group, and of its input group. */
  readonly a: number;
  readonly b: number;
  readonly latMs: number;
  readonly energyMj: number;
  readonly weightKiB: number;
  /** Bytes (KiB) of this layer's output tensor at this choice. */
  readonly outKiB: number;
  /** Graph-input bytes (KiB) when this is the first layer (its precision sets the input's). */
  readonly inputKiB: number;
  /** Edge TPU: weights that occupy the parameter cache. */
  readonly remoteWeightKiB: number;
  /** Edge TPU: this layer's own latency when it runs on the accelerator (it hides weight streaming). */
  readonly remoteLayerLatMs: number;
  readonly acc: number;
}

export interface LayerVars {
  readonly combos: readonly Combo[];
  /** Index of the layer whose precision this one follows (weightless ops run at their producer's precision). */
  readonly followsLayer?: number;
  readonly outGroup?: number;
  readonly inGroup?: number;
  readonly precisions: readonly Precision[];
  /** Whether the layer may take 2:4 sparsity (the unit accelerates it and the layer has weights). */
  readonly sparseOption: boolean;
  /**
   * A weightless follower whose every choice is fixed by its root producer's (same precision, same
   * channel group): it gets no variables of its own, and `comboOf[c]` is its combination when the
   * root takes combination c. Its costs ride on the root's variables.
   */
  readonly foldedInto?: { readonly root: number; readonly comboOf: readonly number[] };
}

export interface MilpModel {
  readonly layers: readonly LayerVars[];
  readonly groups: readonly { id: number; ratios: readonly number[]; acc: readonly number[] }[];
  /** Latency/energy not carried by any layer (invoke, per-boundary constants), at any plan. */
  readonly constLatMs: number;
  readonly constEnergyMj: number;
  readonly idleW: number;
  /** Steps of the execution order: which tensors are live (indices of layers whose output is live, and whether the graph input is). */
  readonly liveAtStep: readonly { readonly layers: readonly number[]; readonly input: boolean }[];
  /** Edge TPU parameter cache: KiB and streaming ms per KiB (undefined when the device has none). */
  readonly paramCache?: { readonly sizeKiB: number; readonly msPerKiB: number; readonly powerW: number };
}

export interface MilpBudgets {
  readonly latencyMs?: number;
  readonly peakKiB?: number;
  readonly weightsKiB?: number;
  readonly powerW?: number;
  readonly energyMj?: number;
  readonly maxAcc?: number;
}

export type Objective = 'accuracy' | 'latency';

const fmt = (x: number): string => {
  if (!Number.isFinite(x)) throw new Error(`non-finite coefficient ${x}`);
  if (Math.abs(x) < 1e-12) return '0';
  const s = x.toPrecision(9);
  return s.includes('e') ? x.toFixed(14).replace(/\.?0+$/, '') : s;
};

class Expr {
  readonly terms = new Map<string, number>();
  constant = 0;
  add(v: string, c: number): this {
    if (c !== 0) this.terms.set(v, (this.terms.get(v) ?? 0) + c);
    return this;
  }
  addExpr(e: Expr, k = 1): this {
    for (const [v, c] of e.terms) this.add(v, c * k);
    this.constant += e.constant * k;
    return this;
  }
  text(): string {
    const parts = [...this.terms].filter(([, c]) => Math.abs(c) >= 1e-12).map(([v, c]) => `${c < 0 ? '-' : '+'} ${fmt(Math.abs(c))} ${v}`);
    return parts.length ? parts.join(' ') : '0 dummy';
  }
}

const wName = (l: number, c: number) => `w${l}_${c}`;
interface LayerOption { readonly p: Precision; readonly sparse: boolean; readonly storedWeights?: Precision }
const xName = (l: number, o: LayerOption) => `x${l}_${o.p}${o.sparse ? '_s' : ''}${o.storedWeights ? `_w${o.storedWeights}` : ''}`;
const sameOption = (c: LayerOption, o: LayerOption) => c.p === o.p && c.sparse === o.sparse && c.storedWeights === o.storedWeights;
/**
 * The (precision, sparsity, stored weights) options of a layer, one binary each: every precision
 * dense and (where the layer may take it) sparse — an option with no combination left after
 * dominance is pinned to 0 by its empty marginal row — then its weights-only options.
 */
const optionsOf = (L: LayerVars): LayerOption[] => {
  const out: LayerOption[] = [];
  for (const p of L.precisions) {
    out.push({ p, sparse: false });
    if (L.sparseOption) out.push({ p, sparse: true });
    for (const c of L.combos) if (c.p === p && c.storedWeights && !out.some((o) => sameOption(c, o))) out.push({ p, sparse: false, storedWeights: c.storedWeights });
  }
  return out;
};
const zName = (g: number, k: number) => `z${g}_${k}`;

export interface MilpSolution {
  readonly status: string;
  readonly objective: number;
  /** Chosen combination index per layer. */
  readonly comboOf: readonly number[];
  readonly ratioOfGroup: ReadonlyMap<number, number>;
}

interface Row {
  readonly name: string;
  readonly expr: Expr;
  readonly sense: '=' | '<=';
  readonly rhs: number;
}

/** The MILP as data: rows, objective, binaries and column bounds (everything else is [0, 1]). */
export interface MilpProblem {
  readonly rows: readonly Row[];
  readonly objective: Expr;
  readonly binaries: readonly string[];
  /** Columns with bounds other than [0, 1]. */
  readonly unbounded: readonly string[];
}

export function buildProblem(m: MilpModel, budgets: MilpBudgets, objective: Objective, tieBreakMs: number): MilpProblem {
  const rows: Row[] = [];
  const binaries: string[] = [];
  const unbounded: string[] = [];
  const eq = (name: string, expr: Expr, rhs: number) => rows.push({ name, expr, sense: '=', rhs });
  const lat = new Expr(), energy = new Expr(), weights = new Expr(), acc = new Expr(), remote = new Expr(), remoteLat = new Expr();
  lat.constant = m.constLatMs;
  energy.constant = m.constEnergyMj;
  // Value of each layer's out tensor / input, as expressions.
  const outKiB: Expr[] = [];
  const inputKiB = new Expr();
  // A combination's costs and output bytes: on its variable `w`, or constants when the choice is fixed.
  const charge = (c: Combo, e: Expr, w?: string) => {
    if (w === undefined) {
      lat.constant += c.latMs; energy.constant += c.energyMj; weights.constant += c.weightKiB; acc.constant += c.acc; remote.constant += c.remoteWeightKiB; remoteLat.constant += c.remoteLayerLatMs;
      e.constant = c.outKiB;
      inputKiB.constant += c.inputKiB;
      return;
    }
    lat.add(w, c.latMs); energy.add(w, c.energyMj); weights.add(w, c.weightKiB); acc.add(w, c.acc); remote.add(w, c.remoteWeightKiB); remoteLat.add(w, c.remoteLayerLatMs);
    e.add(w, c.outKiB);
    inputKiB.add(w, c.inputKiB);
  };
  const options = m.layers.map(optionsOf);
  m.layers.forEach((L, li) => {
    const e = new Expr();
    outKiB.push(e);
    if (L.foldedInto) {
      // A folded follower rides on its root's variables (or constants).
      const { root, comboOf } = L.foldedInto;
      comboOf.forEach((fc, rc) => charge(L.combos[fc], e, m.layers[root].combos.length === 1 ? undefined : wName(root, rc)));
      return;
    }
    if (L.combos.length === 1) {
      charge(L.combos[0], e);
      return;
    }
    const sum = new Expr();
    L.combos.forEach((c, ci) => {
      sum.add(wName(li, ci), 1);
      charge(c, e, wName(li, ci));
    });
    eq(`one${li}`, sum, 1);
    if (options[li].length > 1) {
      for (const o of options[li]) {
        const r = new Expr();
        L.combos.forEach((c, ci) => sameOption(c, o) && r.add(wName(li, ci), 1));
        r.add(xName(li, o), -1);
        eq(`mp${xName(li, o).slice(1)}`, r, 0);
      }
    }
    const tie = (g: number | undefined, key: 'a' | 'b', tag: string) => {
      if (g === undefined) return;
      const G = m.groups.find((x) => x.id === g)!;
      G.ratios.forEach((ratio, k) => {
        const r = new Expr();
        L.combos.forEach((c, ci) => c[key] === ratio && r.add(wName(li, ci), 1));
        r.add(zName(g, k), -1);
        eq(`${tag}${li}_${k}`, r, 0);
      });
    };
    tie(L.outGroup, 'a', 'ma');
    if (L.inGroup !== L.outGroup) tie(L.inGroup, 'b', 'mb');
  });
  m.layers.forEach((L, li) => {
    if (L.foldedInto) return;
    const opts = options[li];
    if (opts.length > 1) for (const o of opts) binaries.push(xName(li, o));
    const f = L.followsLayer;
    if (f !== undefined && opts.length > 1) {
      // A weightless op runs at its producer's precision (whatever the producer's sparsity or stored weights).
      const fOpts = options[f];
      for (const p of L.precisions) {
        const producerHas = fOpts.filter((o) => o.p === p);
        if (fOpts.length > 1) {
          const r = new Expr().add(xName(li, { p, sparse: false }), 1);
          for (const o of producerHas) r.add(xName(f, o), -1);
          eq(`fol${li}_${p}`, r, 0);
        } else eq(`fol${li}_${p}`, new Expr().add(xName(li, { p, sparse: false }), 1), producerHas.length ? 1 : 0);
      }
    }
  });
  for (const G of m.groups) {
    const r = new Expr();
    G.ratios.forEach((_, k) => { r.add(zName(G.id, k), 1); binaries.push(zName(G.id, k)); acc.add(zName(G.id, k), G.acc[k]); });
    eq(`onez${G.id}`, r, 1);
  }
  if (m.paramCache) {
    // Weights beyond the cache stream over the link every call, overlapped with the accelerator's
    // compute (src/cost/simulate.ts): the call pays ext = max(0, stream − compute) on top. Both
    // maxima are exact here: streamed ≥ weights − cache, ext ≥ stream − compute, and neither
    // variable can help the solver by being larger than its bound.
    unbounded.push('streamed', 'ext');
    rows.push({ name: 'cache', expr: new Expr().addExpr(remote).add('streamed', -1), sense: '<=', rhs: m.paramCache.sizeKiB - remote.constant });
    const hide = new Expr().add('streamed', m.paramCache.msPerKiB).addExpr(remoteLat, -1).add('ext', -1);
    rows.push({ name: 'hide', expr: hide, sense: '<=', rhs: remoteLat.constant });
    lat.add('ext', 1);
    energy.add('ext', m.paramCache.powerW);
  }
  const le = (name: string, e: Expr, rhs: number) => rows.push({ name, expr: e, sense: '<=', rhs: rhs - e.constant });
  if (budgets.latencyMs !== undefined) le('latency', lat, budgets.latencyMs);
  if (budgets.weightsKiB !== undefined) le('weights', weights, budgets.weightsKiB);
  if (budgets.energyMj !== undefined) le('energy', new Expr().addExpr(energy).addExpr(lat, m.idleW), budgets.energyMj);
  if (budgets.powerW !== undefined) le('power', new Expr().addExpr(energy).addExpr(lat, m.idleW - budgets.powerW), 0);
  if (budgets.maxAcc !== undefined) le('accuracy', acc, budgets.maxAcc);
  if (budgets.peakKiB !== undefined) {
    m.liveAtStep.forEach((st, si) => {
      const e = new Expr();
      for (const li of st.layers) e.addExpr(outKiB[li]);
      if (st.input) e.addExpr(inputKiB);
      // A step whose live bytes are fixed and over budget makes the problem infeasible (empty row, negative rhs).
      le(`peak${si}`, e, budgets.peakKiB!);
    });
  }
  const obj = objective === 'accuracy' ? new Expr().addExpr(acc).addExpr(lat, tieBreakMs) : new Expr().addExpr(lat).addExpr(acc, 1e-6);
  return { rows, objective: obj, binaries, unbounded };
}

/** CPLEX LP text of the problem (for inspection: `HiGHS` reads it as is). */
export function buildLp(m: MilpModel, budgets: MilpBudgets, objective: Objective, tieBreakMs: number): string {
  const pb = buildProblem(m, budgets, objective, tieBreakMs);
  const cols = columnsOf(pb);
  const lp = ['Minimize', ` obj: ${pb.objective.text()}`, 'Subject To'];
  for (const r of pb.rows) lp.push(` ${r.name}: ${r.expr.text()} ${r.sense} ${fmt(r.rhs)}`);
  lp.push('Bounds', ' dummy = 0');
  const free = new Set(pb.unbounded);
  for (const c of cols) if (!free.has(c)) lp.push(` 0 <= ${c} <= 1`);
  if (pb.binaries.length) lp.push('Binary', ...pb.binaries.map((b) => ` ${b}`));
  lp.push('End');
  return lp.join('\n');
}

function columnsOf(pb: MilpProblem): string[] {
  const seen = new Set<string>();
  const add = (v: string) => { if (!seen.has(v)) seen.add(v); };
  for (const v of pb.objective.terms.keys()) add(v);
  for (const r of pb.rows) for (const v of r.expr.terms.keys()) add(v);
  for (const b of pb.binaries) add(b);
  return [...seen];
}

/** The problem as HiGHS ModelData (CSR rows), without the LP text round trip. */
function toModelData(pb: MilpProblem, inf: number) {
  const cols = columnsOf(pb);
  const index = new Map(cols.map((c, i) => [c, i]));
  const free = new Set(pb.unbounded), bin = new Set(pb.binaries);
  const starts: number[] = [0], indices: number[] = [], values: number[] = [];
  const rowLower: number[] = [], rowUpper: number[] = [];
  for (const r of pb.rows) {
    for (const [v, c] of r.expr.terms) if (Math.abs(c) >= 1e-15) { indices.push(index.get(v)!); values.push(c); }
    starts.push(indices.length);
    rowLower.push(r.sense === '=' ? r.rhs : -inf);
    rowUpper.push(r.rhs);
  }
  return {
    index,
    data: {
      numCols: cols.length, numRows: pb.rows.length, offset: 0,
      colCost: Float64Array.from(cols, (c) => pb.objective.terms.get(c) ?? 0),
      colLower: new Float64Array(cols.length),
      colUpper: Float64Array.from(cols, (c) => (free.has(c) ? inf : 1)),
      rowLower: Float64Array.from(rowLower), rowUpper: Float64Array.from(rowUpper),
      matrix: { format: 'csr' as const, numRows: pb.rows.length, numCols: cols.length, starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
      integrality: Int32Array.from(cols, (c) => (bin.has(c) ? 1 : 0)),
    },
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
let highsPromise: Promise<any> | undefined;

async function highs(): Promise<any> {
  if (!highsPromise) highsPromise = import('highs').then((mod) => (mod.default as unknown as () => Promise<unknown>)());
  return highsPromise;
}

export interface MilpSolutionWithGap extends MilpSolution {
  /** Relative MIP gap HiGHS proved (0 = optimal to tolerance). */
  readonly gap: number;
  /** Columns fixed to 0 by bound-based fixing before the solve (solveMilpChain). */
  readonly fixedColumns?: number;
}

/** Tolerances: the proved objective is within 1e-6 (absolute, accuracy points) of the optimum. */
export const MIP_ABS_GAP = 1e-6;

/**
 * Solves the MILP once per latency limit in `latencyLimits`, or once when none is given. Each
 * limit gets a fresh native model, so a solution depends only on (model, budgets, limit) — not on
 * which limits were solved before it or on which thread.
 */
export async function solveMilpSweep(m: MilpModel, budgets: MilpBudgets, objective: Objective, tieBreakMs: number, latencyLimits?: readonly number[], timeLimitS = 30): Promise<MilpSolutionWithGap[]> {
  return solveLimits(m, budgets, objective, tieBreakMs, latencyLimits?.length ? latencyLimits : [undefined], timeLimitS, false);
}

/**
 * Solves a chain of increasing latency limits in order. A plan optimal at one limit stays feasible
 * at every looser one, so its objective U bounds the next optimum from above; any choice whose
 * objective alone — with every other layer and group at its cheapest — exceeds U cannot be in an
 * optimal plan, and its column is fixed to 0 before the solve (bound-based fixing, exact: the
 * optimum is unchanged). On loose limits, where the optimum is near zero loss, this removes most
 * lossy choices. A chain's result depends only on its limits, never on threads or timing.
 */
export async function solveMilpChain(m: MilpModel, budgets: MilpBudgets, objective: Objective, tieBreakMs: number, latencyLimits: readonly number[], timeLimitS = 30): Promise<MilpSolutionWithGap[]> {
  return latencyLimits.length ? solveLimits(m, budgets, objective, tieBreakMs, latencyLimits, timeLimitS, true) : [];
}

/** One problem, one fresh native model per limit (undefined: `budgets` as given); with `boundFixing`, each optimum bounds the next (solveMilpChain). */
async function solveLimits(m: MilpModel, budgets: MilpBudgets, objective: Objective, tieBreakMs: number, limits: readonly (number | undefined)[], timeLimitS: number, boundFixing: boolean): Promise<MilpSolutionWithGap[]> {
  const swept = limits[0] !== undefined;
  const pb = buildProblem(m, swept ? { ...budgets, latencyMs: limits[0] } : budgets, objective, tieBreakMs);
  const h = await highs();
  const { index, data } = toModelData(pb, h.infinity);
  const latRow = swept ? pb.rows.findIndex((r) => r.name === 'latency') : -1;
  const constLat = latencyConstant(m);
  // What bound-based fixing needs, fixed for the whole chain: each choice set's cheapest cost and their sum.
  const sets = boundFixing ? choiceSets(m, index) : [];
  const cost = data.colCost;
  const mins = sets.map((cols) => cols.reduce((lo, c) => Math.min(lo, cost[c]), Number.POSITIVE_INFINITY));
  let cheapest = 0;
  for (const v of mins) cheapest += v;
  const upper = Float64Array.from(data.colUpper);
  const out: MilpSolutionWithGap[] = [];
  let bound = Number.POSITIVE_INFINITY;
  for (const limit of limits) {
    if (limit !== undefined && latRow >= 0) data.rowUpper[latRow] = limit - constLat;
    if (!boundFixing) {
      out.push(solveOnce(h, m, index, data, timeLimitS));
      continue;
    }
    data.colUpper.set(upper);
    let fixed = 0;
    if (Number.isFinite(bound)) {
      // A margin well above the solver's tolerances keeps every optimal (and tied) choice.
      const slack = bound + 1e-7 + 1e-6 * Math.abs(bound);
      sets.forEach((cols, k) => { for (const c of cols) if (cheapest - mins[k] + cost[c] > slack) { data.colUpper[c] = 0; fixed++; } });
    }
    const sol = solveOnce(h, m, index, data, timeLimitS);
    if (Number.isFinite(sol.objective)) bound = sol.objective;
    out.push({ ...sol, fixedColumns: fixed });
  }
  return out;
}

/** Columns that form one-hot choices: each layer's combinations, each group's ratios. */
function choiceSets(m: MilpModel, index: ReadonlyMap<string, number>): number[][] {
  const sets: number[][] = [];
  m.layers.forEach((L, li) => {
    if (L.foldedInto || L.combos.length < 2) return;
    sets.push(L.combos.map((_, ci) => index.get(wName(li, ci))).filter((i): i is number => i !== undefined));
  });
  for (const G of m.groups) sets.push(G.ratios.map((_, k) => index.get(zName(G.id, k))).filter((i): i is number => i !== undefined));
  return sets.filter((s) => s.length > 0);
}

function solveOnce(h: any, m: MilpModel, index: ReadonlyMap<string, number>, data: ReturnType<typeof toModelData>['data'], timeLimitS: number): MilpSolutionWithGap {
  const model = h.createModel(data);
  try {
    model.options.set('output_flag', false);
    model.options.set('mip_rel_gap', MIP_ABS_GAP);
    model.options.set('mip_abs_gap', MIP_ABS_GAP);
    // Primal heuristics cost more than they save here: the LP relaxation is near-integral, and
    // branch-and-bound finds incumbents in a few nodes (measured on zoo models: up to 2× faster).
    // Feasibility jump runs even at effort 0 and took ~20 % of a 50-point Pareto sweep
    // (mobilenet-v2 on the Orin, `npm run bench`) without ever supplying the final incumbent.
    model.options.set('mip_heuristic_effort', 0);
    model.options.set('mip_heuristic_run_feasibility_jump', false);
    // A bound on solve time: past it the best plan found is returned with its proved gap (reported).
    model.options.set('time_limit', timeLimitS);
    const run = model.run();
    let status = statusName(h, run.modelStatus);
    // Out of time with a feasible plan in hand: keep it, and say so (status and gap are reported).
    if (status === 'timeLimit' && Number.isFinite(model.getObjectiveValue()) && Number(model.info.get('primal_solution_status')) === 2) status = 'Time limit reached (best plan found)';
    if (status !== 'Optimal' && !status.startsWith('Time limit')) return { status, objective: Number.NaN, comboOf: [], ratioOfGroup: new Map(), gap: Number.NaN };
    const x = model.getSolution().colValue as Float64Array;
    const val = (v: string) => { const i = index.get(v); return i !== undefined ? x[i] : 0; };
    return { ...readSolution(m, val, status, model.getObjectiveValue()), gap: Number(model.info.get('mip_gap')) || 0 };
  } finally {
    model.dispose();
  }
}

function statusName(h: any, code: number): string {
  const names: Record<number, string> = {};
  for (const [k, v] of Object.entries(h.constants.modelStatus as Record<string, number>)) names[v] = k;
  const n = names[code] ?? String(code);
  return n === 'optimal' ? 'Optimal' : n === 'infeasible' ? 'Infeasible' : n;
}

/** The latency expression's constant part (moved to the right-hand side by buildLp). */
function latencyConstant(m: MilpModel): number {
  let c = m.constLatMs;
  for (const L of m.layers) {
    if (L.foldedInto && m.layers[L.foldedInto.root].combos.length === 1) c += L.combos[L.foldedInto.comboOf[0]].latMs;
    else if (!L.foldedInto && L.combos.length === 1) c += L.combos[0].latMs;
  }
  return c;
}

function readSolution(m: MilpModel, val: (v: string) => number, status: string, objective: number): MilpSolution {
  const comboOf: number[] = [];
  m.layers.forEach((L, li) => {
    // Roots come before their folded followers (a producer precedes its consumers).
    if (L.foldedInto) { comboOf.push(L.foldedInto.comboOf[comboOf[L.foldedInto.root]]); return; }
    if (L.combos.length === 1) { comboOf.push(0); return; }
    let best = 0, bv = -1;
    L.combos.forEach((_, ci) => { const v = val(wName(li, ci)); if (v > bv + 1e-9) { bv = v; best = ci; } });
    comboOf.push(best);
  });
  const ratioOfGroup = new Map<number, number>();
  for (const G of m.groups) {
    let best = 0, bv = -1;
    G.ratios.forEach((_, k) => { const v = val(zName(G.id, k)); if (v > bv + 1e-9) { bv = v; best = k; } });
    ratioOfGroup.set(G.id, G.ratios[best]);
  }
  return { status, objective, comboOf, ratioOfGroup };
}

export async function solveMilp(m: MilpModel, budgets: MilpBudgets, objective: Objective, tieBreakMs = 1e-6): Promise<MilpSolutionWithGap> {
  return (await solveMilpSweep(m, budgets, objective, tieBreakMs))[0];
}
