/**
 * The core activation peak every runtime starts from (shared/data/mcu-memory.md, "The core
 * quantity"): the peak, over execution steps, of the bytes of all tensors alive at that step.
 *
 * Conventions, the same as TF-Lite Micro's lifetime marking (tflite-micro
 * tensorflow/lite/micro/micro_allocation_info.cc, `MarkAllocationLifetimes`):
 * - a tensor lives from the step of its producer to the step of its last consumer, both
 *   inclusive (a layer's inputs and output are alive together at its step);
 * - graph inputs are alive from step 0; graph outputs to the last step;
 * - constants (weights, biases, shape/axis tensors) are not activations;
 * - element size comes from the precision of the producing layer (graph inputs: of their
 *   first consumer), × batch; int4 packs two elements per byte (rounded up per tensor);
 * - fused activations are layer attributes and add no tensor; in-graph reshape/flatten
 *   (`activationBytes === 0` in the IR) alias their input and add no bytes.
 */
import { DTYPE_BYTES, type Graph, type Layer } from '../graph/types.ts';
import type { Precision } from '../hardware/types.ts';
import type { LivenessResult, TensorLife } from './types.ts';

/** A layer as the memory code sees it: which tensors it reads and which it writes. */
export interface MemLayer {
  readonly name: string;
  /** Tensor ids read (owners, after aliasing), without duplicates. */
  readonly reads: readonly number[];
  /** Tensor id written, or -1 for an alias layer (reshape/flatten) that writes nothing new. */
  readonly writes: number;
}

export interface MemTensor {
  readonly name: string;
  readonly bytes: number;
  /** Index of the producing layer, or -1 for a graph input. */
  readonly producer: number;
  readonly isInput: boolean;
  readonly isOutput: boolean;
}

/** The graph reduced to tensors and who reads/writes them. */
export interface MemGraph {
  readonly layers: readonly MemLayer[];
  readonly tensors: readonly MemTensor[];
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function tensorBytes(shape: readonly number[], p: Precision, batch = 1): number {
  return Math.ceil(elementCount(shape) * DTYPE_BYTES[p]) * batch;
}

/** True for layers that alias their input (reshape, flatten): no new tensor. */
export function isAliasLayer(l: Layer): boolean {
  return l.activationBytes === 0 && l.inputs.length === 1 && l.macs === 0;
}

/**
 * Reduces a graph to tensors. `merge(l)` may name an input of `l` whose buffer `l` overwrites
 * in place (TinyEngine's in-place depthwise): the output then shares that tensor, whose size
 * becomes the larger of the two.
 */
export function buildMemGraph(
  g: Graph,
  precisionOf: (layer: string) => Precision,
  batch = 1,
  merge?: (l: Layer, inputReaders: (name: string) => number) => string | undefined,
): MemGraph {
  const tensors: { name: string; bytes: number; producer: number; isInput: boolean; isOutput: boolean }[] = [];
  const ownerOf = new Map<string, number>();
  const readers = new Map<string, number>();
  for (const l of g.layers) for (const i of new Set(l.inputs)) readers.set(i, (readers.get(i) ?? 0) + 1);
  for (const i of g.inputs) {
    const first = g.layers.find((l) => l.inputs.includes(i.name));
    ownerOf.set(i.name, tensors.length);
    tensors.push({ name: i.name, bytes: tensorBytes(i.shape, precisionOf(first?.name ?? i.name), batch), producer: -1, isInput: true, isOutput: false });
  }
  const layers: MemLayer[] = [];
  g.layers.forEach((l, idx) => {
    const reads = [...new Set(l.inputs.map((i) => ownerOf.get(i)!).filter((x) => x !== undefined))];
    if (isAliasLayer(l)) {
      ownerOf.set(l.name, ownerOf.get(l.inputs[0])!);
      layers.push({ name: l.name, reads, writes: -1 });
      return;
    }
    const bytes = tensorBytes(l.outputShape, precisionOf(l.name), batch);
    const target = merge?.(l, (n) => readers.get(n) ?? 0);
    if (target !== undefined && ownerOf.has(target)) {
      const t = ownerOf.get(target)!;
      tensors[t].bytes = Math.max(tensors[t].bytes, bytes);
      ownerOf.set(l.name, t);
      layers.push({ name: l.name, reads, writes: -1 });
      return;
    }
    ownerOf.set(l.name, tensors.length);
    tensors.push({ name: l.name, bytes, producer: idx, isInput: false, isOutput: false });
    layers.push({ name: l.name, reads, writes: tensors.length - 1 });
  });
  for (const o of g.outputs) {
    const t = ownerOf.get(o);
    if (t !== undefined) tensors[t].isOutput = true;
  }
  return { layers, tensors };
}

/** Lifetimes of every tensor for an execution order (a permutation of layer indices). */
export function tensorLifetimes(mg: MemGraph, order: readonly number[]): TensorLife[] {
  const n = order.length;
  const pos = new Array<number>(mg.layers.length);
  order.forEach((li, p) => { pos[li] = p; });
  const first = mg.tensors.map((t) => (t.producer < 0 ? 0 : pos[t.producer]));
  const last = [...first];
  mg.layers.forEach((l, li) => {
    for (const r of l.reads) last[r] = Math.max(last[r], pos[li]);
  });
  return mg.tensors.map((t, i) => ({
    name: t.name,
    bytes: t.bytes,
    firstStep: first[i],
    lastStep: t.isOutput ? Math.max(n - 1, first[i]) : last[i],
    kind: t.isInput ? 'input' : t.isOutput ? 'output' : 'activation',
  }));
}

/** Live bytes at each step and the peak, for buffers with lifetimes over `steps` steps. */
export function liveTimeline(buffers: readonly TensorLife[], steps: number): { timeline: number[]; peakBytes: number; peakStepIndex: number } {
  const delta = new Array<number>(steps + 1).fill(0);
  for (const b of buffers) {
    if (b.bytes <= 0) continue;
    delta[b.firstStep] += b.bytes;
    delta[b.lastStep + 1] -= b.bytes;
  }
  let live = 0, peakBytes = 0, peakStepIndex = 0;
  const timeline: number[] = [];
  for (let s = 0; s < steps; s++) {
    live += delta[s];
    timeline.push(live);
    if (live > peakBytes) { peakBytes = live; peakStepIndex = s; }
  }
  return { timeline, peakBytes, peakStepIndex };
}

/** The core peak of a MemGraph in a given order (default: the graph's). */
export function livenessOf(mg: MemGraph, order: readonly number[] = mg.layers.map((_, i) => i)): LivenessResult {
  const tensors = tensorLifetimes(mg, order);
  const { timeline, peakBytes, peakStepIndex } = liveTimeline(tensors, order.length);
  return {
    peakBytes,
    peakStepIndex,
    peakStep: mg.layers[order[peakStepIndex]]?.name ?? '',
    timeline,
    order: order.map((i) => mg.layers[i].name),
    tensors,
  };
}

/** Core peak of a graph in its own order. */
export function corePeak(g: Graph, precisionOf: (layer: string) => Precision = () => 'int8', batch = 1): LivenessResult {
  return livenessOf(buildMemGraph(g, precisionOf, batch));
}
