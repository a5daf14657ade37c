/**
 * Fits a CPU profile to latencies measured on that CPU with ONNX Runtime (edgeplan calibrate).
 *
 * What is fitted, per op class and never per model (the same roofline simulate() evaluates):
 * - efficiency of conv2d, depthwise_conv2d, linear and elementwise (fraction of peak);
 * - channel_half_efficiency h: a conv/linear layer runs at eff × 1/(1 + h/C_out + h/K), so narrow
 *   layers (few output channels, short reduction K = C_in/groups × k², i.e. most 1×1 convs) reach a
 *   lower fraction of peak than wide 3×3 convs — GEMM efficiency saturating with layer size;
 * - the per-layer dispatch overhead and the fixed per-inference overhead;
 * - two bandwidths: the private cache level (L2, size read from /sys by the CLI) for layers whose
 *   input + output + weight bytes fit it, and the level behind it for the rest.
 * Element-wise layers are memory-bound in this model; the calibration set includes synthetic
 * chains of Add layers at tensor sizes below and above L2 (bandwidthProbes) so the two
 * bandwidths are pinned by pure streaming, not confounded with depthwise or conv efficiency.
 *
 * Objective: least squares on log(predicted / measured) (a 0.1 ms and a 200 ms model weigh the
 * same) plus a small ridge toward the starting values. The roofline's max() makes it piecewise
 * smooth, so the search is coordinate descent on log θ with shrinking steps (as in
 * scripts/fit-profiles.ts). An efficiency above 1 is folded into the peak (itself an estimate).
 */
import { simulate } from '../cost/index.ts';
import { loadYamlModel } from '../graph/yaml-model.ts';
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

/** One CPU cache level as Linux reports it (/sys/devices/system/cpu/cpu0/cache/index*). */
export interface CpuCache {
  readonly level: number;
  readonly type: string;
  readonly sizeBytes: number;
}

/** Id of the private-cache memory level calibrate adds and names as the unit's on-chip level. */
export const L2_LEVEL = 'l2';

const CLASSES: readonly OpClass[] = ['conv2d', 'depthwise_conv2d', 'linear', 'elementwise'];
const LAMBDA = 0.002;

interface Theta { eff: Record<OpClass, number>; h: number; ovhUs: number; fixedUs: number; bwOnchip: number; bwMem: number }

/**
 * `base` with the cache levels Linux reports: an `l2` level (the largest private unified/data
 * cache below L3, the unit's on-chip level) and the `llc` level resized to L3.
 * Sizes are facts read from /sys; bandwidths stay placeholders until the fit.
 */
export function withCpuCaches(base: HardwareProfile, caches: readonly CpuCache[]): HardwareProfile {
  const unitId = base.default_unit;
  const u = base.units[unitId];
  const data = caches.filter((c) => c.type !== 'Instruction');
  const l2 = data.filter((c) => c.level === 2).sort((a, b) => b.sizeBytes - a.sizeBytes)[0];
  const l3 = data.filter((c) => c.level === 3).sort((a, b) => b.sizeBytes - a.sizeBytes)[0];
  if (!l2) return base;
  const src = 'read from /sys at calibrate time (/sys/devices/system/cpu/cpu0/cache/index*/size)';
  const memory: Record<string, MemoryLevel> = { ...base.memory };
  const onchipBw = base.memory[u.onchip_memory ?? '']?.bandwidth_bytes_per_s ?? { value: 1e11, source: 'assumption: placeholder until fitted', estimate: true as const };
  memory[L2_LEVEL] = { kind: 'cache', description: `L2 cache of one core (${l2.sizeBytes} bytes): tensors of a layer that fit it stream at its bandwidth`, size_bytes: { value: l2.sizeBytes, source: src, estimate: true, note: 'as the OS reports it; in a VM, the share of a cache this process gets is not known' }, bandwidth_bytes_per_s: onchipBw };
  if (l3 && memory.llc) memory.llc = { ...memory.llc, description: 'L3 (last-level) cache, shared', size_bytes: { value: l3.sizeBytes, source: src, estimate: true, note: 'shared with every other core (and VM) on the socket' } };
  return { ...base, units: { ...base.units, [unitId]: { ...u, onchip_memory: L2_LEVEL } }, memory };
}

/**
 * Synthetic streaming probes: 16 chained Adds (a_i = a_{i-1} + x) on one tensor of 128 KiB to
 * 8 MiB, exported and timed like the models. Their time is pure element-wise memory traffic and
 * dispatch, which pins the cache and memory bandwidths and the element-wise class.
 */
export function bandwidthProbes(): readonly { readonly model: string; readonly graph: Graph }[] {
  return ([[128, 32], [512, 64], [2048, 128], [8192, 256]] as const).map(([kib, hw]) => {
    const name = `probe-add-${kib}k`;
    const layers = Array.from({ length: 16 }, (_, i) => `  - {name: a${i}, op: add, inputs: [${i ? `a${i - 1}` : 'x'}, x]}`).join('\n');
    return { model: name, graph: loadYamlModel(`name: ${name}\ninput: {name: x, shape: [1, 32, ${hw}, ${hw}]}\nlayers:\n${layers}\n`, `${name}.yaml`) };
  });
}

function apply(p: HardwareProfile, unit: string, th: Theta, source: string, threads: number): HardwareProfile {
  const u = p.units[unit];
  const s = (value: number): SourcedNumber => ({ value, source, estimate: true });
  const eff = { ...u.efficiency } as Record<OpClass, SourcedNumber>;
  for (const c of CLASSES) eff[c] = s(th.eff[c]);
  const nu: ComputeUnit = {
    ...u,
    threads: { value: threads, source: `${source}: threads used while measuring`, estimate: true },
    efficiency: eff,
    channel_half_efficiency: s(th.h),
    overhead_us_per_layer: s(th.ovhUs),
    fixed_overhead_us: s(th.fixedUs),
  };
  const memory: Record<string, MemoryLevel> = { ...p.memory };
  const setBw = (id: string | undefined, v: number) => { if (id && memory[id]) memory[id] = { ...memory[id], bandwidth_bytes_per_s: s(v) }; };
  setBw(u.memory, th.bwMem);
  setBw(u.onchip_memory, th.bwOnchip);
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
  const bw = (id: string | undefined) => (id ? base.memory[id]?.bandwidth_bytes_per_s.value : undefined);
  const prior: Theta = {
    eff: Object.fromEntries(CLASSES.map((c) => [c, u.efficiency[c].value])) as Record<OpClass, number>,
    h: Math.max(0.5, u.channel_half_efficiency?.value ?? 2),
    ovhUs: Math.max(0.5, u.overhead_us_per_layer.value),
    fixedUs: Math.max(1, u.fixed_overhead_us.value),
    bwOnchip: bw(u.onchip_memory) ?? 1e11,
    bwMem: bw(u.memory) ?? 2e10,
  };
  type Key = { get: (t: Theta) => number; set: (t: Theta, v: number) => Theta };
  const keys: Key[] = [
    ...CLASSES.map((c): Key => ({ get: (t) => t.eff[c], set: (t, v) => ({ ...t, eff: { ...t.eff, [c]: v } }) })),
    { get: (t) => t.h, set: (t, v) => ({ ...t, h: v }) },
    { get: (t) => t.ovhUs, set: (t, v) => ({ ...t, ovhUs: v }) },
    { get: (t) => t.fixedUs, set: (t, v) => ({ ...t, fixedUs: v }) },
    ...(u.onchip_memory ? [{ get: (t: Theta) => t.bwOnchip, set: (t: Theta, v: number) => ({ ...t, bwOnchip: v }) }] : []),
    { get: (t) => t.bwMem, set: (t, v) => ({ ...t, bwMem: v }) },
  ];
  const start = { ...base, units: { ...base.units, [unit]: { ...u, threads: { value: threads, source: 'calibration', estimate: true as const } } } };
  const profileFor = (t: Theta) => apply(start, unit, t, source, threads);
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
    fitted = apply({ ...start, units: { ...start.units, [unit]: { ...start.units[unit], peak_ops_per_s: peaks } } }, unit, scaled, source, threads);
  }
  const rows = samples.map((s) => {
    const pred = predictMs(fitted, s.graph, threads);
    return { model: s.model, measured_ms: s.measuredMs, predicted_ms: pred, error_pct: (100 * (pred - s.measuredMs)) / s.measuredMs };
  });
  return { profile: fitted, rows, median_abs_error_pct: median(rows.map((r) => Math.abs(r.error_pct))) };
}
