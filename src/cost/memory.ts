/**
 * Peak activation memory along the execution order, as simulate reports it. The liveness rules
 * (producer to last consumer, inputs from step 0, outputs to the end, reshape/flatten aliasing,
 * weights excluded) live in one place, src/memory/liveness.ts; this is its view for the cost model.
 */
import type { Graph } from '../graph/types.ts';
import type { Precision } from '../hardware/types.ts';
import { corePeak } from '../memory/liveness.ts';

export interface ActivationPeak {
  readonly peakBytes: number;
  readonly peakStep: string;
  /** Live bytes at each step, in execution order (for the memory chart). */
  readonly timeline: readonly number[];
}

export function activationPeak(g: Graph, batch: number, precisionOf: (layer: string) => Precision): ActivationPeak {
  const r = corePeak(g, precisionOf, batch);
  return { peakBytes: r.peakBytes, peakStep: r.peakStep, timeline: r.timeline };
}
