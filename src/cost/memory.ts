/**
 * Peak activation memory from tensor liveness along the execution order: a tensor is live
 * from the step that produces it to the last step that reads it; graph inputs are live from
 * step 0, graph outputs to the end; in-place ops (reshape/flatten) alias their input and add
 * no bytes; constants (weights) are not activations.
 */
import { DTYPE_BYTES, type Graph } from '../graph/types.ts';
import type { Precision } from '../hardware/types.ts';

export interface ActivationPeak {
  readonly peakBytes: number;
  readonly peakStep: string;
  /** Live bytes at each step, in execution order (for the memory chart). */
  readonly timeline: readonly number[];
}

export function activationPeak(g: Graph, batch: number, precisionOf: (layer: string) => Precision): ActivationPeak {
  const n = g.layers.length;
  // Resolve aliases: an in-place layer's tensor is its input's tensor.
  const owner = new Map<string, string>();
  const bytes = new Map<string, number>();
  for (const i of g.inputs) {
    owner.set(i.name, i.name);
    bytes.set(i.name, i.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[precisionOf(g.layers[0]?.name ?? i.name)] * batch);
  }
  for (const l of g.layers) {
    if (l.activationBytes === 0 && l.inputs.length === 1) {
      owner.set(l.name, owner.get(l.inputs[0]) ?? l.inputs[0]);
    } else {
      owner.set(l.name, l.name);
      const elems = l.outputShape.reduce((a, b) => a * b, 1);
      bytes.set(l.name, Math.ceil(elems * DTYPE_BYTES[precisionOf(l.name)]) * batch);
    }
  }
  const start = new Map<string, number>();
  const end = new Map<string, number>();
  for (const i of g.inputs) { start.set(i.name, 0); end.set(i.name, 0); }
  g.layers.forEach((l, step) => {
    const own = owner.get(l.name)!;
    if (!start.has(own)) start.set(own, step);
    end.set(own, Math.max(end.get(own) ?? step, step));
    for (const i of l.inputs) {
      const o = owner.get(i) ?? i;
      end.set(o, Math.max(end.get(o) ?? step, step));
    }
  });
  for (const o of g.outputs) end.set(owner.get(o) ?? o, n - 1);
  const delta = new Array<number>(n + 1).fill(0);
  for (const [t, b] of bytes) {
    if (!start.has(t)) continue;
    delta[start.get(t)!] += b;
    delta[end.get(t)! + 1] -= b;
  }
  let live = 0, peak = 0, peakAt = 0;
  const timeline: number[] = [];
  for (let s = 0; s < n; s++) {
    live += delta[s];
    timeline.push(live);
    if (live > peak) { peak = live; peakAt = s; }
  }
  return { peakBytes: peak, peakStep: g.layers[peakAt]?.name ?? '', timeline };
}
