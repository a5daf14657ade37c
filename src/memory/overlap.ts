/**
 * Overlapping output placement: a sliding-window layer (convolution, depthwise convolution,
 * pooling) whose input dies at that layer may write its output over that input, shifted by the
 * smallest offset at which no output row ever lands on an input row that is still to be read.
 * The two buffers then need `max(out, offset + in)` bytes together instead of `in + out`.
 *
 * Row streaming in NHWC (the layout X-CUBE-AI and TFLite use): output row r, written after the
 * rows before it, occupies [r·outRow, (r+1)·outRow) from the output's start; it is computed from
 * input rows r·stride − padTop onward, and rows below that are never read again. With the input
 * starting `offset` bytes after the output, no unread row is overwritten iff for every r
 *   (r+1)·outRow ≤ offset + max(0, r·stride − padTop)·inRow,
 * so the smallest offset is the maximum of the left side minus the right over the output rows.
 */
import { resolvePadding } from '../graph/ops.ts';
import type { Layer } from '../graph/types.ts';

const pair = (v: number | readonly [number, number] | undefined, dflt: number): [number, number] => (v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** True for the ops whose output can be streamed row by row over their own input. */
export function isSlidingWindow(l: Layer): boolean {
  return (l.op === 'conv2d' || l.op === 'depthwise_conv2d' || l.op === 'max_pool' || l.op === 'avg_pool') && l.inputShapes.length === 1 && l.inputShapes[0].length === 4 && l.outputShape.length === 4;
}

/**
 * Smallest offset (bytes) of the input's start after the output's start such that writing the
 * output row by row never overwrites an input row still to be read; `elemBytes` per element.
 */
export function rowStreamingOffsetBytes(l: Layer, elemBytes: number): number {
  const [, ci, hi, wi] = l.inputShapes[0];
  const [, co, ho, wo] = l.outputShape;
  const pool = l.op === 'max_pool' || l.op === 'avg_pool';
  const [kh, kw] = pair(l.attrs.kernel, pool ? 2 : 1);
  const [sh, sw] = pair(l.attrs.stride ?? (pool ? l.attrs.kernel : undefined), pool ? kh : 1);
  const dil = l.attrs.dilation ?? 1;
  const [padTop] = resolvePadding({ padding: l.attrs.padding ?? (pool ? 'valid' : 'same') }, hi, wi, kh, kw, sh, sw, dil);
  const inRow = ci * wi * elemBytes, outRow = co * wo * elemBytes;
  let offset = 0;
  for (let r = 0; r < ho; r++) offset = Math.max(offset, (r + 1) * outRow - Math.max(0, r * sh - padTop) * inRow);
  return Math.ceil(offset);
}

/** Bytes an input and the output overlapped onto it occupy together (never more than side by side). */
export function overlappedPairBytes(inBytes: number, outBytes: number, offsetBytes: number): number {
  return Math.min(inBytes + outBytes, Math.max(outBytes, offsetBytes + inBytes));
}
