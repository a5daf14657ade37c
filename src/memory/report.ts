/**
 * memoryReport: one graph on one runtime → core peak, arena, runtime RAM, weights, flash and a
 * fits verdict per memory level of a hardware profile. Pure: plain data in, plain data out.
 */
import { EdgeplanError } from '../errors/index.ts';
import { weightBytesAt } from '../graph/build.ts';
import type { Graph, Layer } from '../graph/types.ts';
import { DTYPE_BYTES } from '../graph/types.ts';
import type { HardwareProfile, Precision } from '../hardware/types.ts';
import { planGreedyArena } from './arena.ts';
import { buildMemGraph, livenessOf, liveTimeline, type MemGraph } from './liveness.ts';
import { searchMinPeakOrder } from './order.ts';
import { overlappedPairBytes, rowStreamingOffsetBytes } from './overlap.ts';
import { planPatches } from './patch.ts';
import { RUNTIMES, type RuntimeSpec } from './runtimes.ts';
import type { LevelFit, MemoryOptions, MemoryReport, TensorLife } from './types.ts';

/** Bare weights at each layer's precision: n_weights × bytes + n_biases × 4 for int8/int4 (int32 biases). */
export function weightsBytesOf(g: Graph, precisionOf: (layer: string) => Precision = () => 'int8'): number {
  return g.layers.reduce((s, l) => s + weightBytesAt(l.weightElements, l.biasElements, precisionOf(l.name)), 0);
}

const pair = (v: number | readonly [number, number] | undefined): [number, number] => (typeof v === 'number' ? [v, v] : v ? [v[0], v[1]] : [1, 1]);

/** Applies a runtime's in-place, cascade and scratch rules to the core buffers. */
function runtimeBuffers(g: Graph, mg: MemGraph, order: readonly number[], core: readonly TensorLife[], rt: RuntimeSpec, precisionOf: (l: string) => Precision, batch: number, patchedUntil = -1): { buffers: TensorLife[]; ioBytes: number } {
  let buffers = core.map((t) => ({ ...t }));
  let ioBytes = 0;
  const stepOf = new Map<number, number>();
  order.forEach((li, s) => stepOf.set(li, s));
  const extra: TensorLife[] = [];
  const elem = (l: Layer) => DTYPE_BYTES[precisionOf(l.name)];

  // A layer's single input that dies at its step (not a graph output), with the buffers involved.
  const dyingInput = (li: number, s: number) => {
    const m = mg.layers[li];
    if (m.writes < 0 || m.reads.length !== 1) return undefined;
    const x = buffers[m.reads[0]], y = buffers[m.writes];
    return x.lastStep === s && x.kind !== 'output' ? { read: m.reads[0], x, y } : undefined;
  };
  // The output is written over that input: during step s the pair needs `pairBytes`, charged as the
  // output plus a one-step rest, and the input no longer lives at s.
  const writeOver = (name: string, d: NonNullable<ReturnType<typeof dyingInput>>, s: number, pairBytes: number) => {
    extra.push({ name, bytes: pairBytes - d.y.bytes, firstStep: s, lastStep: s, kind: 'scratch' });
    buffers[d.read] = d.x.firstStep <= s - 1 ? { ...d.x, lastStep: s - 1 } : { ...d.x, bytes: 0 };
  };

  if (rt.inPlaceDepthwise) {
    for (const [li, s] of stepOf) {
      const l = g.layers[li];
      const d = l.op === 'depthwise_conv2d' ? dyingInput(li, s) : undefined;
      if (!d) continue;
      const x = d.x;
      // In place: during this step input and output need max(in, out) bytes.
      writeOver(`${l.name}:in-place`, d, s, Math.max(x.bytes, d.y.bytes));
      if (rt.inPlaceDepthwise.tempChannelBuffer) {
        const [kh, kw] = pair(l.attrs.kernel);
        const [, c, h, w] = l.inputShapes[0];
        // One padded input channel; inside a patch stage, one channel of the patch's tile.
        const hw = s <= patchedUntil ? x.bytes / (c * elem(l) * batch) : h * w;
        const scale = ((h + kh - 1) * (w + kw - 1)) / (h * w);
        extra.push({ name: `${l.name}:channel-buffer`, bytes: Math.ceil(hw * scale * elem(l)) * batch, firstStep: s, lastStep: s, kind: 'scratch' });
      }
    }
  }

  if (rt.overlapOutput) {
    for (const [li, s] of stepOf) {
      const l = g.layers[li];
      const d = rt.overlapOutput.eligible(l) ? dyingInput(li, s) : undefined;
      if (!d || d.x.bytes <= 0) continue;
      // Shifted by the row-streaming offset (overlap.ts): the pair needs max(out, offset + in) bytes.
      writeOver(`${l.name}:overlap`, d, s, overlappedPairBytes(d.x.bytes, d.y.bytes, rowStreamingOffsetBytes(l, elem(l)) * batch));
    }
  }

  if (rt.cascade) {
    // An intermediate larger than its producer's input, read by one spatial layer, is kept as a
    // rolling stripe of (kernel + stride) rows; the producer's input stays alive while the cascade runs.
    for (const [li, s] of stepOf) {
      const m = mg.layers[li];
      if (m.writes < 0) continue;
      const t = buffers[m.writes];
      const readers = mg.layers.map((x, j) => ({ x, j })).filter(({ x }) => x.reads.includes(m.writes));
      if (readers.length !== 1 || t.kind !== 'activation') continue;
      const c = g.layers[readers[0].j];
      const p = g.layers[li];
      if (!(c.op === 'conv2d' || c.op === 'depthwise_conv2d') || p.outputShape.length !== 4 || !(p.op === 'conv2d' || p.op === 'depthwise_conv2d')) continue;
      const inBytes = m.reads.reduce((sum, r) => sum + core[r].bytes, 0);
      if (t.bytes <= inBytes) continue;
      const [kh] = pair(c.attrs.kernel);
      const [sh] = pair(c.attrs.stride);
      const [, ch, h, w] = p.outputShape;
      buffers[m.writes] = { ...t, bytes: Math.ceil(Math.min(h, kh + sh) * w * ch * elem(p)) * batch };
      const cs = stepOf.get(readers[0].j)!;
      for (const r of m.reads) if (buffers[r].lastStep === s) buffers[r] = { ...buffers[r], lastStep: Math.max(buffers[r].lastStep, cs) };
    }
  }

  for (const [li, s] of stepOf) {
    const bytes = rt.scratchBytes(g.layers[li], elem(g.layers[li])) * batch;
    if (bytes > 0) extra.push({ name: `${g.layers[li].name}:scratch`, bytes, firstStep: s, lastStep: s, kind: 'scratch' });
  }

  if (!rt.ioInArena) {
    ioBytes = buffers.filter((b) => b.kind === 'input' || b.kind === 'output').reduce((sum, b) => sum + b.bytes, 0);
    buffers = buffers.map((b) => (b.kind === 'input' || b.kind === 'output' ? { ...b, bytes: 0 } : b));
  }
  return { buffers: [...buffers, ...extra], ioBytes };
}

function fitsFor(profile: HardwareProfile, r: { weightsBytes: number; flashBytes: number; runtimeRamBytes: number; peakActivationBytes: number; runtimeLabel: string }): Record<string, LevelFit> {
  const fits: Record<string, LevelFit> = {};
  for (const [id, level] of Object.entries(profile.memory).sort(([a], [b]) => a.localeCompare(b))) {
    const size = level.size_bytes.value;
    const ram = { bytes: r.runtimeRamBytes, what: `runtime RAM (${r.runtimeLabel}: arena + persistent)` };
    let compared: { bytes: number; what: string };
    if (id === profile.weights_in && id === profile.activations_in) compared = { bytes: ram.bytes + r.flashBytes, what: `${ram.what} + weights as stored (${r.flashBytes} B)` };
    else if (id === profile.weights_in) compared = { bytes: r.flashBytes, what: `weights as stored by ${r.runtimeLabel}` };
    else if (id === profile.activations_in) compared = ram;
    else if (level.kind === 'dram') compared = { bytes: ram.bytes + r.flashBytes, what: `${ram.what} + weights` };
    else if (level.kind === 'param_cache') compared = { bytes: r.weightsBytes, what: 'bare weights' };
    else compared = { bytes: r.peakActivationBytes, what: 'activations only (core peak)' };
    fits[id] = { fits: compared.bytes <= size, comparedBytes: compared.bytes, sizeBytes: size, what: compared.what };
  }
  return fits;
}

/**
 * Memory of `g` on a runtime: core peak (graph order and, with order = min-peak, the searched
 * one), TFLM-style arena, the runtime's RAM and flash figures, and fits per memory level of
 * `profile` (omit the profile for no verdicts).
 */
export function memoryReport(g: Graph, profile: HardwareProfile | undefined, opts: MemoryOptions = {}): MemoryReport {
  const runtime = opts.runtime ?? 'generic';
  const rt = RUNTIMES[runtime];
  if (!rt) throw new EdgeplanError('bad_value', `unknown runtime '${runtime}'`, { fix: `use one of: ${Object.keys(RUNTIMES).join(', ')}` });
  const order = opts.order ?? 'graph';
  const precisionOf = opts.precisionOf ?? (() => 'int8' as const);
  const batch = opts.batch ?? 1;
  const patchStages = opts.patchStages ?? 0;
  if (!Number.isInteger(patchStages) || patchStages < 0) throw new EdgeplanError('bad_value', `patch stages must be a non-negative integer, got ${patchStages}`, { fix: 'pass --patch-stages 2' });
  const grid = opts.patchGrid ?? 4;
  if (!g.layers.length) throw new EdgeplanError('bad_value', `${g.name} has no layers`, { fix: 'add layers to the model' });

  const mg = buildMemGraph(g, precisionOf, batch);
  const graphLive = livenessOf(mg);
  let execOrder = mg.layers.map((_, i) => i);
  let minPeak: number | undefined;
  if (order === 'min-peak') {
    const found = searchMinPeakOrder(mg);
    execOrder = [...found.order];
    minPeak = found.peakBytes;
  }
  const live = order === 'min-peak' ? livenessOf(mg, execOrder) : graphLive;
  const notes: string[] = [
    'core peak: tensors live from producer to last consumer (inputs from step 0, outputs to the end), constants excluded, reshape/flatten alias their input',
  ];

  // Arena over the core tensors with the runtime's alignment: never below the core.
  const arena = planGreedyArena(live.tensors, rt.alignmentBytes.value);
  const arenaBytes = Math.max(arena.arenaBytes, live.peakBytes);

  let coreBuffers: readonly TensorLife[] = live.tensors;
  let patchedUntil = -1;
  if (patchStages > 0) {
    const pp = planPatches(g, mg, execOrder, live.tensors, patchStages, grid, precisionOf, batch);
    coreBuffers = pp.buffers;
    patchedUntil = pp.lastStep;
    notes.push(`patch-based: steps 0..${pp.lastStep} (through '${g.layers[execOrder[pp.lastStep]].name}') run as ${grid}×${grid} patches; full input image not held (MCUNetV2)`);
  }
  const { buffers, ioBytes } = runtimeBuffers(g, mg, execOrder, coreBuffers, rt, precisionOf, batch, patchedUntil);
  if (rt.inPlaceDepthwise) notes.push(`in-place depthwise: ${rt.inPlaceDepthwise.source}`);
  if (rt.overlapOutput) notes.push(`overlapping outputs: ${rt.overlapOutput.source}`);
  if (rt.planner) notes.push(`planner: ${rt.planner.source}`);
  if (rt.cascade) notes.push(`cascading: ${rt.cascade.source}`);
  const runtimeTimeline = liveTimeline(buffers, execOrder.length).timeline;
  // TFLM's greedy-by-size plan may fragment above the live bytes; a `live-bytes` planner does not.
  const runtimePlanBytes = rt.planner?.kind === 'live-bytes' ? 0 : planGreedyArena(buffers, rt.alignmentBytes.value).arenaBytes;
  const runtimeActivationBytes = Math.max(runtimePlanBytes, ...runtimeTimeline);
  const patchStagePeakBytes = patchedUntil >= 0 ? Math.max(...runtimeTimeline.slice(0, patchedUntil + 1)) : undefined;
  const persistentBytes = rt.persistentBytes(g);
  const runtimeRamBytes = runtimeActivationBytes + persistentBytes + ioBytes;
  const weightsBytes = weightsBytesOf(g, precisionOf);
  const int8Weights = g.layers.reduce((s, l) => s + Math.ceil(l.weightElements * DTYPE_BYTES[precisionOf(l.name)]), 0);
  // Stored constants that are not layer weights (an SSD's anchors) sit in flash under every runtime.
  const flashBytes = rt.flashBytes(g, weightsBytes, int8Weights) + (g.constantBytes ?? 0);
  notes.push(`runtime RAM: ${rt.persistentSource}; I/O: ${rt.ioSource}`);
  notes.push(`flash: ${rt.flashSource}`);

  return {
    runtime,
    order,
    peakActivationBytes: live.peakBytes,
    peakStep: live.peakStep,
    graphOrderPeakBytes: graphLive.peakBytes,
    ...(minPeak !== undefined ? { minPeakOrderBytes: minPeak } : {}),
    ...(order === 'min-peak' && execOrder.some((li, i) => li !== i) ? { executionOrder: live.order } : {}),
    arenaBytes,
    runtimeActivationBytes,
    ...(patchStagePeakBytes !== undefined ? { patchStagePeakBytes } : {}),
    persistentBytes,
    runtimeRamBytes,
    weightsBytes,
    flashBytes,
    fits: profile ? fitsFor(profile, { weightsBytes, flashBytes, runtimeRamBytes, peakActivationBytes: live.peakBytes, runtimeLabel: runtime }) : {},
    ...(opts.timeline ? { timeline: live.timeline } : {}),
    notes,
  };
}
