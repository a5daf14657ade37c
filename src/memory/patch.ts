/**
 * Patch-based inference of the first stages (MCUNetV2, Lin et al., NeurIPS 2021,
 * arXiv:2110.15352 §3.1): the early, high-resolution layers run on one spatial patch of the
 * output at a time (p × p patches); only that patch's receptive field is held per layer, and
 * the stage's output is assembled in a full-size buffer. Later layers run layer by layer.
 *
 * Here: the patch region is the prefix of the execution order that ends at the first
 * single-tensor cut (one tensor alive across the boundary, not the graph input) of height
 * in (H_in / 2^(N+1), H_in / 2^N] with the smallest crossing tensor, N = `--patch-stages`. A tensor's per-patch tile is the receptive field of
 * one output tile, back-propagated through kernel, stride and dilation:
 * in = (out − 1) · stride + (kernel − 1) · dilation + 1, clamped to the tensor's size. The
 * full input image is not held (as in MCUNetV2's tables: it is read patch by patch, mcunet
 * issue #9); the overlap recomputation costs MACs, not memory.
 */
import { EdgeplanError } from '../errors/index.ts';
import type { Graph, Layer } from '../graph/types.ts';
import { DTYPE_BYTES } from '../graph/types.ts';
import type { Precision } from '../hardware/types.ts';
import type { MemGraph } from './liveness.ts';
import type { TensorLife } from './types.ts';

const pair = (v: number | readonly [number, number] | undefined, d: number): [number, number] => (typeof v === 'number' ? [v, v] : v ? [v[0], v[1]] : [d, d]);

export interface PatchPlan {
  /** Steps 0..lastStep run patch by patch. */
  readonly lastStep: number;
  /** Tensor index assembled at full size. */
  readonly outputTensor: number;
  readonly grid: number;
  /** Buffers after the patch rewrite (same order as the input list). */
  readonly buffers: readonly TensorLife[];
}

export function planPatches(
  g: Graph, mg: MemGraph, order: readonly number[], tensors: readonly TensorLife[],
  stages: number, grid: number, precisionOf: (layer: string) => Precision, batch: number,
): PatchPlan {
  const shapeOf = new Map<string, readonly number[]>(g.inputs.map((i) => [i.name, i.shape]));
  for (const l of g.layers) shapeOf.set(l.name, l.outputShape);
  const hIn = g.inputs[0]?.shape[2];
  if (!hIn || g.inputs[0].shape.length !== 4) throw new EdgeplanError('bad_value', `--patch-stages needs an image input (NCHW); ${g.name} has [${g.inputs[0]?.shape.join(', ')}]`, { fix: 'drop --patch-stages for this model' });
  const target = hIn / 2 ** stages;
  // Among the single-tensor cuts at the target resolution (H in (target/2, target]), take the
  // one with the smallest crossing tensor (the stage output, not an expanded intermediate).
  let cut = -1, crossing = -1, best = Number.POSITIVE_INFINITY;
  for (let s = 0; s < order.length - 1; s++) {
    const layer = g.layers[order[s]];
    if (layer.outputShape.length !== 4) break;
    const live = tensors.map((t, i) => ({ t, i })).filter(({ t }) => t.firstStep <= s && t.lastStep > s);
    if (live.length !== 1 || live[0].t.kind === 'input') continue;
    const h = shapeOf.get(live[0].t.name)?.[2] ?? Number.POSITIVE_INFINITY;
    if (h <= target / 2) break;
    if (h <= target && live[0].t.bytes < best) { cut = s; crossing = live[0].i; best = live[0].t.bytes; }
  }
  if (cut < 0) {
    throw new EdgeplanError('bad_value', `--patch-stages ${stages}: ${g.name} has no single-tensor cut at ${target.toFixed(0)} px or below before its first non-spatial layer`, { fix: 'use a smaller --patch-stages' });
  }
  // Back-propagate tile sizes from the crossing tensor through the region's layers.
  const outShape = shapeOf.get(tensors[crossing].name)!;
  const need = new Map<number, [number, number]>();
  need.set(crossing, [Math.ceil(outShape[2] / grid), Math.ceil(outShape[3] / grid)]);
  const layerTensor = (li: number): number => {
    // The tensor a layer's output lives in (its own, or its alias owner's).
    const w = mg.layers[li].writes;
    return w >= 0 ? w : mg.layers[li].reads[0];
  };
  for (let s = cut; s >= 0; s--) {
    const li = order[s];
    const l: Layer = g.layers[li];
    const [oh, ow] = need.get(layerTensor(li)) ?? [0, 0];
    if (!oh) continue;
    const [kh, kw] = l.op === 'conv2d' || l.op === 'depthwise_conv2d' || l.op === 'max_pool' || l.op === 'avg_pool' ? pair(l.attrs.kernel, 1) : [1, 1];
    const [sh, sw] = l.op === 'conv2d' || l.op === 'depthwise_conv2d' || l.op === 'max_pool' || l.op === 'avg_pool' ? pair(l.attrs.stride, 1) : [1, 1];
    const d = l.attrs.dilation ?? 1;
    for (const r of mg.layers[li].reads) {
      const shape = shapeOf.get(tensors[r].name)!;
      const ih = Math.min(shape[2], (oh - 1) * sh + (kh - 1) * d + 1);
      const iw = Math.min(shape[3], (ow - 1) * sw + (kw - 1) * d + 1);
      const prev = need.get(r) ?? [0, 0];
      need.set(r, [Math.max(prev[0], ih), Math.max(prev[1], iw)]);
    }
  }
  const buffers = tensors.map((t, i): TensorLife => {
    if (i === crossing) return { ...t, firstStep: 0 };
    const tile = need.get(i);
    if (!tile || t.firstStep > cut) return t;
    const shape = shapeOf.get(t.name)!;
    const producer = mg.tensors[i].producer;
    const p = precisionOf(producer >= 0 ? g.layers[producer].name : g.layers[order[0]].name);
    return { ...t, bytes: Math.ceil(tile[0] * tile[1] * shape[1] * DTYPE_BYTES[p]) * batch };
  });
  return { lastStep: cut, outputTensor: crossing, grid, buffers };
}
