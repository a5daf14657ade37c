/**
 * The roofline cost model. Per layer: time = max(ops / (peak × efficiency), bytes / bandwidth)
 * + per-layer overhead (the roofline of Williams et al., CACM 2009, with an issue cost per
 * kernel as in nn-Meter's kernel-level predictors). Units are assigned from op/precision
 * support; partition boundaries pay a transfer; the Edge TPU streams weights that do not fit its
 * parameter cache over the host link every inference (coral.ai/docs/edgetpu/compiler, "parameter
 * data caching"), and after its first unsupported op the rest runs on the CPU (op-support.md §1.2).
 */
import { EdgeplanError } from '../errors/index.ts';
import { weightBytesAt } from '../graph/build.ts';
import type { Graph, Layer } from '../graph/types.ts';
import { DTYPE_BYTES } from '../graph/types.ts';
import type { ComputeUnit, HardwareProfile, OpClass, Precision } from '../hardware/types.ts';
import { activationPeak } from './memory.ts';
import type { Bound, ExtraCost, LayerResult, Partition, SimOptions, SimResult } from './types.ts';

export function opClassOf(l: Layer): OpClass {
  switch (l.op) {
    case 'conv2d':
    case 'conv_transpose2d':
      return 'conv2d';
    case 'depthwise_conv2d':
      return 'depthwise_conv2d';
    case 'linear':
    case 'matmul':
      return 'linear';
    case 'attention':
      return 'attention';
    default:
      return 'elementwise';
  }
}

/** Ops of a layer: 2 per MAC; element-wise layers 1 per output element per operand. */
export function layerOps(l: Layer): number {
  if (l.macs > 0) return 2 * l.macs;
  const elems = l.outputShape.reduce((a, b) => a * b, 1);
  return elems * Math.max(1, l.inputs.length);
}

const PRECISION_ORDER: readonly Precision[] = ['int4', 'int8', 'fp16', 'fp32'];

/** The peak for a precision, or the next wider precision the unit runs (int4 → int8, fp16 → fp32). */
export function peakFor(u: ComputeUnit, p: Precision): { peak: number; precision: Precision } | undefined {
  for (let i = PRECISION_ORDER.indexOf(p); i < PRECISION_ORDER.length; i++) {
    const q = PRECISION_ORDER[i];
    const v = u.peak_ops_per_s[q]?.value;
    if (v && u.precisions.includes(q)) return { peak: v, precision: q };
  }
  return undefined;
}

/** Why `unit` cannot run layer `l` at precision `p`, or undefined when it can. */
export function unsupportedReason(u: ComputeUnit, l: Layer, p: Precision): string | undefined {
  if (u.ops !== 'all' && !(u.ops as readonly string[]).includes(l.op)) return `${l.op} not supported`;
  if (!u.precisions.includes(p)) return `${p} not supported (runs ${u.precisions.join('/')})`;
  const c = u.constraints;
  if (!c) return undefined;
  const k = l.attrs.kernel;
  const kmax = typeof k === 'number' ? k : k ? Math.max(k[0], k[1]) : 0;
  if (c.max_kernel_size && kmax > c.max_kernel_size.value) return `kernel ${kmax} > ${c.max_kernel_size.value}`;
  const s = l.attrs.stride;
  const smax = typeof s === 'number' ? s : s ? Math.max(s[0], s[1]) : 0;
  if (c.max_stride && smax > c.max_stride.value && l.op !== 'max_pool' && l.op !== 'avg_pool') return `stride ${smax} > ${c.max_stride.value}`;
  if (c.max_channels && l.outputShape.length === 4 && l.outputShape[1] > c.max_channels.value) return `${l.outputShape[1]} channels > ${c.max_channels.value}`;
  if (c.max_spatial_dim && l.outputShape.slice(2).some((d) => d > c.max_spatial_dim!.value)) return `spatial size > ${c.max_spatial_dim.value}`;
  return undefined;
}

function isRemote(profile: HardwareProfile, unitId: string): boolean {
  // Accelerator units reached over a host link (Coral USB, the Dev Board's on-board PCIe Edge TPU,
  // Hailo M.2) sit behind that link; CPUs are the host.
  return profile.default_link !== undefined && profile.units[unitId].kind !== 'cpu';
}

function bandwidth(profile: HardwareProfile, level: string): number {
  return profile.memory[level]?.bandwidth_bytes_per_s.value ?? Number.POSITIVE_INFINITY;
}

export function simulate(g: Graph, profile: HardwareProfile, opts: SimOptions): SimResult {
  const startUnit = opts.unit ?? profile.default_unit;
  const first = profile.units[startUnit];
  if (!first) {
    throw new EdgeplanError('bad_value', `device ${profile.id} has no unit '${startUnit}'`, { fix: `use --unit ${Object.keys(profile.units).join(' | ')}` });
  }
  if (!peakFor(first, opts.precision)) {
    throw new EdgeplanError('bad_value', `unit '${startUnit}' of ${profile.id} cannot run ${opts.precision}`, { fix: `use --precision ${first.precisions.join(' | ')}` });
  }
  if (!Number.isInteger(opts.batch) || opts.batch < 1) throw new EdgeplanError('bad_value', `batch must be a positive integer, got ${opts.batch}`, { fix: 'pass --batch 1' });
  const linkId = opts.link ?? profile.default_link;
  const link = linkId ? profile.links?.[linkId] : undefined;
  if (opts.link && !link) throw new EdgeplanError('bad_value', `device ${profile.id} has no link '${opts.link}'`, { fix: `use --link ${Object.keys(profile.links ?? {}).join(' | ') || '(none: this device has no host link)'}` });
  const batch = opts.batch;

  // 1. Unit assignment: the requested unit, falling back along the chain for what it cannot run.
  const precisionOf = (name: string) => opts.layerPrecision?.get(name) ?? opts.precision;
  const assign = new Map<string, { unit: string; precision: Precision; reason?: string }>();
  let rest: string | undefined; // set once a first_unsupported rule has sent the rest of the graph away
  for (const l of g.layers) {
    let unitId = rest ?? startUnit;
    let p = precisionOf(l.name);
    let reason: string | undefined;
    for (let hops = 0; hops < 8; hops++) {
      const u = profile.units[unitId];
      const why = unsupportedReason(u, l, p);
      if (!why) break;
      reason ??= `${unitId}: ${why}`;
      if (!u.fallback) {
        // The last resort runs everything, at the nearest precision it has.
        p = u.precisions.includes(p) ? p : peakFor(u, p)?.precision ?? u.precisions[u.precisions.length - 1];
        break;
      }
      if (u.partition_rule === 'first_unsupported_rest_on_fallback' && unitId === startUnit) rest = u.fallback;
      unitId = u.fallback;
      if (!profile.units[unitId].precisions.includes(p)) p = peakFor(profile.units[unitId], p)?.precision ?? 'fp32';
    }
    assign.set(l.name, { unit: unitId, precision: p, reason });
  }

  // 2. Edge TPU style parameter cache: weights of the remote unit's layers fill it in order.
  const extras: ExtraCost[] = [];
  const weightLevel = profile.memory[profile.weights_in];
  let cachedWeightsBytes: number | undefined, streamedWeightsBytes: number | undefined;
  if (weightLevel?.kind === 'param_cache') {
    let used = 0;
    cachedWeightsBytes = 0; streamedWeightsBytes = 0;
    for (const l of g.layers) {
      const a = assign.get(l.name)!;
      if (!isRemote(profile, a.unit) || l.weightElements === 0) continue;
      const w = weightBytesAt(l.weightElements, l.biasElements, a.precision);
      if (used + w <= weightLevel.size_bytes.value) { used += w; cachedWeightsBytes += w; } else streamedWeightsBytes += w;
    }
  }

  // 3. Per-layer roofline.
  const layers: LayerResult[] = [];
  const unitBusyMs = new Map<string, number>();
  for (const l of g.layers) {
    const a = assign.get(l.name)!;
    const u = profile.units[a.unit];
    const pk = peakFor(u, a.precision)!;
    const threadsAvail = u.threads?.value ?? u.cores?.value ?? 1;
    const threadScale = u.kind === 'cpu' && opts.threads ? Math.min(opts.threads, threadsAvail) / threadsAvail : 1;
    const eff = u.efficiency[opClassOf(l)].value;
    const ops = layerOps(l) * batch;
    const inPlace = l.activationBytes === 0 && l.macs === 0;
    const computeMs = inPlace ? 0 : (ops / (pk.peak * threadScale * eff)) * 1e3;
    const bytesPer = DTYPE_BYTES[a.precision];
    const outBytes = l.outputShape.reduce((x, y) => x * y, 1) * bytesPer * batch;
    const inBytes = l.inputShapes.reduce((s, sh) => s + sh.reduce((x, y) => x * y, 1), 0) * bytesPer * batch;
    const wBytes = weightBytesAt(l.weightElements, l.biasElements, a.precision);
    // Activations live in the unit's memory, or its on-chip level when the layer's tensors fit there.
    const onchip = u.onchip_memory ? profile.memory[u.onchip_memory] : undefined;
    const actLevel = onchip && inBytes + outBytes + wBytes <= onchip.size_bytes.value ? u.onchip_memory! : isRemote(profile, a.unit) || profile.class === 'mcu' ? profile.activations_in : u.memory;
    const remoteCache = weightLevel?.kind === 'param_cache' && isRemote(profile, a.unit);
    // Cached Edge TPU weights are read from on-chip SRAM (fast); streamed ones are charged below as link traffic.
    const wLevel = remoteCache ? undefined : profile.class === 'mcu' ? profile.weights_in : actLevel;
    const memoryMs = inPlace ? 0 : ((inBytes + outBytes) / bandwidth(profile, actLevel) + (wLevel ? wBytes / bandwidth(profile, wLevel) : 0)) * 1e3;
    const overheadMs = inPlace ? 0 : u.overhead_us_per_layer.value / 1e3;
    const core = Math.max(computeMs, memoryMs);
    const latencyMs = core + overheadMs;
    const bound: Bound = overheadMs > core ? 'overhead' : computeMs >= memoryMs ? 'compute' : 'memory';
    const bytes = inPlace ? 0 : inBytes + outBytes + wBytes;
    layers.push({
      name: l.name, op: l.op, unit: a.unit, precision: a.precision, macs: l.macs * batch, bytes, latencyMs, computeMs, memoryMs, bound,
      fallback: a.unit !== startUnit, fallbackReason: a.unit !== startUnit ? a.reason : undefined,
      opsPerByte: bytes > 0 ? ops / bytes : 0, attainedOpsPerS: latencyMs > 0 ? ops / (latencyMs / 1e3) : 0,
    });
    unitBusyMs.set(a.unit, (unitBusyMs.get(a.unit) ?? 0) + latencyMs);
  }

  // 4. Transfers: streamed weights, partition boundaries, and the remote unit's input/output.
  if (streamedWeightsBytes && link) {
    const b = streamedWeightsBytes;
    extras.push({ name: `stream uncached weights over ${linkId}`, kind: 'transfer', unit: startUnit, latencyMs: (b / link.bandwidth_bytes_per_s.value) * 1e3, bytes: b });
  }
  const producerUnit = (name: string) => assign.get(name)?.unit ?? 'host';
  const boundaryBytes = new Map<string, { bytes: number; remote: boolean; from: string; to: string }>();
  const addBoundary = (from: string, to: string, bytes: number) => {
    if (from === to) return;
    const key = `${from}->${to}`;
    const remote = (from === 'host' ? false : isRemote(profile, from)) || (to === 'host' ? false : isRemote(profile, to));
    const e = boundaryBytes.get(key) ?? { bytes: 0, remote, from, to };
    e.bytes += bytes;
    boundaryBytes.set(key, e);
  };
  const seenEdge = new Set<string>();
  for (const l of g.layers) {
    const to = assign.get(l.name)!.unit;
    l.inputs.forEach((src, k) => {
      const from = producerUnit(src);
      const key = `${src}->${to}`;
      if (seenEdge.has(key)) return;
      seenEdge.add(key);
      const b = l.inputShapes[k].reduce((x, y) => x * y, 1) * DTYPE_BYTES[assign.get(l.name)!.precision] * batch;
      // Graph inputs arrive in host memory; only a remote unit pays to receive them.
      if (from === 'host') { if (isRemote(profile, to)) addBoundary('host', to, b); return; }
      addBoundary(from, to, b);
    });
  }
  for (const o of g.outputs) {
    const from = producerUnit(o);
    if (isRemote(profile, from)) {
      const l = g.layers.find((x) => x.name === o)!;
      addBoundary(from, 'host', l.outputShape.reduce((x, y) => x * y, 1) * DTYPE_BYTES[assign.get(o)!.precision] * batch);
    }
  }
  for (const [key, e] of [...boundaryBytes].sort(([a], [b]) => a.localeCompare(b))) {
    let ms: number;
    if (e.remote && link) ms = (e.bytes / link.bandwidth_bytes_per_s.value) * 1e3 + link.latency_us.value / 1e3;
    else {
      // Shared memory hand-off: written by one unit and read by the other, plus a sync.
      const dst = e.to === 'host' ? undefined : profile.units[e.to];
      ms = ((2 * e.bytes) / bandwidth(profile, profile.activations_in)) * 1e3 + (dst ? dst.overhead_us_per_layer.value / 1e3 : 0);
    }
    extras.push({ name: `transfer ${key}`, kind: 'transfer', unit: e.to === 'host' ? e.from : e.to, latencyMs: ms, bytes: e.bytes });
  }
  for (const unitId of [...unitBusyMs.keys()].sort()) {
    const fixed = profile.units[unitId].fixed_overhead_us.value / 1e3;
    if (fixed > 0) extras.push({ name: `invoke ${unitId}`, kind: 'overhead', unit: unitId, latencyMs: fixed, bytes: 0 });
  }

  const latencyMs = layers.reduce((s, l) => s + l.latencyMs, 0) + extras.reduce((s, e) => s + e.latencyMs, 0);

  // 5. Partitions: maximal runs of consecutive layers on one unit.
  const partitions: Partition[] = [];
  for (const l of layers) {
    const last = partitions[partitions.length - 1];
    if (last && last.unit === l.unit) partitions[partitions.length - 1] = { ...last, layers: last.layers + 1, latencyMs: last.latencyMs + l.latencyMs };
    else partitions.push({ unit: l.unit, layers: 1, latencyMs: l.latencyMs });
  }

  // 6. Memory and fits.
  const peak = activationPeak(g, batch, (n) => assign.get(n)?.precision ?? opts.precision);
  const weightsBytes = g.layers.reduce((s, l) => s + weightBytesAt(l.weightElements, l.biasElements, assign.get(l.name)!.precision), 0);
  const fits: Record<string, boolean> = {};
  for (const [id, level] of Object.entries(profile.memory).sort(([a], [b]) => a.localeCompare(b))) {
    const size = level.size_bytes.value;
    if (id === profile.weights_in && id === profile.activations_in) fits[id] = weightsBytes + peak.peakBytes <= size;
    else if (id === profile.weights_in) fits[id] = weightsBytes <= size;
    else if (id === profile.activations_in) fits[id] = peak.peakBytes <= size;
    else if (level.kind === 'dram') fits[id] = weightsBytes + peak.peakBytes <= size;
    else fits[id] = peak.peakBytes <= size;
  }

  // 7. Energy: each unit's active power over its busy time, transfers at the link owner's power,
  //    plus the device's idle power over the whole inference (Σ P·t, as in the definition).
  let energyMj = 0;
  for (const [unitId, ms] of unitBusyMs) energyMj += profile.units[unitId].power_w.active.value * ms;
  for (const e of extras) energyMj += profile.units[e.unit].power_w.active.value * e.latencyMs;
  energyMj += profile.power.idle_w.value * latencyMs;
  const pj = first.energy_pj_per_byte?.value;
  if (pj) energyMj += (layers.reduce((s, l) => s + l.bytes, 0) * pj) / 1e9;

  return {
    device: profile.id, model: g.name, unit: startUnit, precision: opts.precision, batch,
    latencyMs, throughputFps: (batch * 1000) / latencyMs, energyMj, powerW: energyMj / latencyMs,
    macs: layers.reduce((s, l) => s + l.macs, 0), params: g.layers.reduce((s, l) => s + l.params, 0),
    memory: { weightsBytes, peakActivationBytes: peak.peakBytes, peakStep: peak.peakStep, fits, cachedWeightsBytes, streamedWeightsBytes },
    partitions, layers, extras,
  };
}
