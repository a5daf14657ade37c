/**
 * Fits a CPU profile's per-op-class efficiencies, per-layer and fixed overheads and a memory
 * bandwidth scale to latencies measured on that CPU (edgeplan calibrate). Objective: least squares
 * on log(predicted / measured) (relative error, so a 2 ms and a 200 ms model weigh the same),
 * plus a small ridge toward the starting profile so op classes the models say little about stay
 * put. The roofline's max() makes the objective piecewise smooth, so the search is coordinate
 * descent on log θ with shrinking steps (the derivative-free scheme scripts/fit-profiles.ts uses).
 * Efficiencies are fitted per op class, never per model; if one exceeds 1 the peak is raised and
 * all efficiencies rescaled, since the starting peak was itself an estimate.
 */
import { simulate } from '../cost/index.ts';
import type { Graph } from '../graph/types.ts';
import type { ComputeUnit, HardwareProfile, MemoryLevel, OpClass, SourcedNumber } from '../hardware/types.ts';

export interface HostSample {
  readonly model: string;
  readonly graph: Graph;
  readonly measuredMs: number;
}

export interface HostFitRow {
  readonly model: string;
  readonly measured_ms: number;
  readonly predicted_ms: number;
  readonly error_pct: number;
}

export interface HostFit {
  readonly profile: HardwareProfile;
  readonly rows: readonly HostFitRow[];
  readonly median_abs_error_pct: number;
}

const CLASSES: readonly OpClass[] = ['conv2d', 'depthwise_conv2d', 'linear', 'elementwise'];
const LAMBDA = 0.01;

interface Theta { eff: Record<OpClass, number>; ovhUs: number; fixedUs: number; bwScale: number }

function apply(p: HardwareProfile, unit: string, th: Theta, source: string, threads: number): HardwareProfile {
  const u = p.units[unit];
  const s = (value: number): SourcedNumber => ({ value, source, estimate: true });
  const eff = { ...u.efficiency } as Record<OpClass, SourcedNumber>;
  for (const c of CLASSES) eff[c] = s(th.eff[c]);
  const nu: ComputeUnit = {
    ...u,
    threads: { value: threads, source: `${source}: threads used while measuring`, estimate: true },
    efficiency: eff,
    overhead_us_per_layer: s(th.ovhUs),
    fixed_overhead_us: s(th.fixedUs),
  };
  const memory: Record<string, MemoryLevel> = {};
  for (const [id, m] of Object.entries(p.memory)) {
    memory[id] = { ...m, bandwidth_bytes_per_s: { value: m.bandwidth_bytes_per_s.value * th.bwScale, source: th.bwScale === 1 ? m.bandwidth_bytes_per_s.source : `${source}: ${m.bandwidth_bytes_per_s.value.toExponential(3)} × fitted scale ${th.bwScale.toFixed(3)}`, estimate: true } };
  }
  return { ...p, units: { ...p.units, [unit]: nu }, memory };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function predictMs(p: HardwareProfile, g: Graph, threads: number): number {
  return simulate(g, p, { precision: 'fp32', batch: 1, threads }).latencyMs;
}

/**
 * Fits `base` (a CPU profile, its default unit) to `samples` measured with `threads` threads.
 * `source` is written into every fitted number.
 */
export function fitHostProfile(base: HardwareProfile, samples: readonly HostSample[], threads: number, source: string): HostFit {
  const unit = base.default_unit;
  const u = base.units[unit];
  // The unit's peak is for all its threads; run at `threads` from here on.
  const prior: Theta = {
    eff: Object.fromEntries(CLASSES.map((c) => [c, u.efficiency[c].value])) as Record<OpClass, number>,
    ovhUs: Math.max(0.5, u.overhead_us_per_layer.value),
    fixedUs: Math.max(1, u.fixed_overhead_us.value),
    bwScale: 1,
  };
  const keys: { get: (t: Theta) => number; set: (t: Theta, v: number) => Theta }[] = [
    ...CLASSES.map((c) => ({ get: (t: Theta) => t.eff[c], set: (t: Theta, v: number) => ({ ...t, eff: { ...t.eff, [c]: v } }) })),
    { get: (t) => t.ovhUs, set: (t, v) => ({ ...t, ovhUs: v }) },
    { get: (t) => t.fixedUs, set: (t, v) => ({ ...t, fixedUs: v }) },
    { get: (t) => t.bwScale, set: (t, v) => ({ ...t, bwScale: v }) },
  ];
  const profileFor = (t: Theta) => apply({ ...base, units: { ...base.units, [unit]: { ...u, threads: { value: threads, source: 'calibration', estimate: true } } } }, unit, t, source, threads);
  const loss = (t: Theta) => {
    const p = profileFor(t);
    let sum = 0;
    for (const s of samples) sum += Math.log(predictMs(p, s.graph, threads) / s.measuredMs) ** 2;
    for (const k of keys) sum += LAMBDA * Math.log(k.get(t) / k.get(prior)) ** 2;
    return sum;
  };
  let th = prior;
  let best = loss(th);
  for (let step = 1.0; step > 0.01; step /= 2) {
    for (let improved = true, rounds = 0; improved && rounds < 20; rounds++) {
      improved = false;
      for (const k of keys) {
        for (const dir of [1, -1]) {
          const cand = k.set(th, k.get(th) * Math.exp(dir * step));
          const l = loss(cand);
          if (l < best - 1e-12) { best = l; th = cand; improved = true; }
        }
      }
    }
  }
  // Efficiencies are fractions of peak: fold any excess into the peak (itself an estimate).
  const maxEff = Math.max(...CLASSES.map((c) => th.eff[c]));
  let fitted = profileFor(th);
  if (maxEff > 1) {
    const scaled: Theta = { ...th, eff: Object.fromEntries(CLASSES.map((c) => [c, th.eff[c] / maxEff])) as Record<OpClass, number> };
    const peaks = Object.fromEntries(Object.entries(u.peak_ops_per_s).map(([k, v]) => [k, { value: v!.value * maxEff, source: `${source}: ${v!.value.toExponential(3)} × ${maxEff.toFixed(3)} (fitted efficiency above 1 folded into the peak)`, estimate: true as const }]));
    fitted = apply({ ...base, units: { ...base.units, [unit]: { ...u, peak_ops_per_s: peaks } } }, unit, scaled, source, threads);
  }
  const rows = samples.map((s) => {
    const pred = predictMs(fitted, s.graph, threads);
    return { model: s.model, measured_ms: s.measuredMs, predicted_ms: pred, error_pct: (100 * (pred - s.measuredMs)) / s.measuredMs };
  });
  return { profile: fitted, rows, median_abs_error_pct: median(rows.map((r) => Math.abs(r.error_pct))) };
}
