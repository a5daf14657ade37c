/**
 * Types of src/memory: what a runtime puts in RAM and flash for one graph. Sizes are bytes
 * (names end in `Bytes`); steps are positions in the execution order (0 = first layer).
 */
import type { Precision } from '../hardware/types.ts';

export const RUNTIMES = ['generic', 'tflm', 'x-cube-ai', 'tinyengine', 'microtvm', 'vela'] as const;
/** Deployment runtime whose memory conventions are applied. */
export type RuntimeId = (typeof RUNTIMES)[number];

export const MEMORY_ORDERS = ['graph', 'min-peak'] as const;
/** `graph`: the graph's own layer order; `min-peak`: a topological order searched for a lower peak. */
export type MemoryOrder = (typeof MEMORY_ORDERS)[number];

export interface MemoryOptions {
  readonly runtime?: RuntimeId;
  readonly order?: MemoryOrder;
  /** Run the first N downsampling stages patch by patch (MCUNetV2); 0 = off. */
  readonly patchStages?: number;
  /** Patches per side in patch-based execution (MCUNetV2 uses 4 × 4 for MobileNetV2). */
  readonly patchGrid?: number;
  /** Precision of each layer's output and weights (default int8). */
  readonly precisionOf?: (layer: string) => Precision;
  readonly batch?: number;
  /** Include the live-bytes timeline (for the report's memory chart). */
  readonly timeline?: boolean;
}

/** One activation tensor with its lifetime in execution steps (inclusive on both ends). */
export interface TensorLife {
  /** Producing layer name, or graph input name. */
  readonly name: string;
  readonly bytes: number;
  readonly firstStep: number;
  readonly lastStep: number;
  /** 'scratch' buffers are kernel workspaces that live for one step. */
  readonly kind: 'input' | 'activation' | 'output' | 'scratch';
}

export interface LivenessResult {
  /** Max over steps of the bytes of all tensors alive at that step. */
  readonly peakBytes: number;
  /** Layer executing at the peak step. */
  readonly peakStep: string;
  readonly peakStepIndex: number;
  /** Live bytes at every step, in execution order. */
  readonly timeline: readonly number[];
  /** Layer names in the execution order used. */
  readonly order: readonly string[];
  readonly tensors: readonly TensorLife[];
}

/** A TFLM-style arena plan: an offset for every buffer. */
export interface ArenaPlan {
  readonly arenaBytes: number;
  readonly alignmentBytes: number;
  /** Offsets, in the order the buffers were given. */
  readonly offsets: readonly number[];
}

export interface LevelFit {
  readonly fits: boolean;
  /** The figure compared with the level's size. */
  readonly comparedBytes: number;
  readonly sizeBytes: number;
  /** What `comparedBytes` is made of, e.g. "runtime RAM (arena 102,400 + persistent 4,096)". */
  readonly what: string;
}

export interface MemoryReport {
  readonly runtime: RuntimeId;
  readonly order: MemoryOrder;
  /** Core peak (conventions in liveness.ts) in the order used. */
  readonly peakActivationBytes: number;
  readonly peakStep: string;
  /** Core peak in the graph's own order (equals peakActivationBytes when order = graph). */
  readonly graphOrderPeakBytes: number;
  /** Core peak of the searched order, when order = min-peak. */
  readonly minPeakOrderBytes?: number;
  /** Execution order used, when it differs from the graph's. */
  readonly executionOrder?: readonly string[];
  /** Bytes of the planned tensor arena (offsets from the runtime's planner, aligned); never below the core peak. */
  readonly arenaBytes: number;
  /** Arena after the runtime's own reductions (in-place ops, patch-based stages); equals arenaBytes otherwise. */
  readonly runtimeActivationBytes: number;
  /** Peak live bytes inside the patch-based stage (MCUNetV2's per-patch peak), with --patch-stages. */
  readonly patchStagePeakBytes?: number;
  /** Persistent RAM beside the activations (tensor structs, op data, quantization params). */
  readonly persistentBytes: number;
  /** What the runtime's tools report as RAM for this model (see runtimes.ts for each convention). */
  readonly runtimeRamBytes: number;
  /** Bare weights: n_weights × bytes + n_biases × 4 (int8/int4) or × bytes (float). */
  readonly weightsBytes: number;
  /** What the runtime stores in flash for the model (TFLM: the whole .tflite; X-CUBE-AI: weights + metadata). */
  readonly flashBytes: number;
  readonly fits: Readonly<Record<string, LevelFit>>;
  /** Live bytes per step in the order used, when asked for. */
  readonly timeline?: readonly number[];
  /** Conventions applied, one sentence each (for the report). */
  readonly notes: readonly string[];
}
