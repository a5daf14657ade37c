import type { Precision } from '../hardware/types.ts';

export type Bound = 'compute' | 'memory' | 'overhead' | 'transfer';

export interface SimOptions {
  /** Unit the model is placed on (default: the profile's default_unit). */
  readonly unit?: string;
  /** Precision of every layer unless `layerPrecision` says otherwise. */
  readonly precision: Precision;
  readonly batch: number;
  /** CPU threads (default: the unit's `threads`). */
  readonly threads?: number;
  /** Host link id for accelerators (default: the profile's default_link). */
  readonly link?: string;
  /** Per-layer precision from a plan. */
  readonly layerPrecision?: ReadonlyMap<string, Precision>;
  /**
   * Inference runtime by name or id (e.g. 'NCNN', 'onnx', 'PyTorch (Ultralytics export)'), matched
   * against each unit's `runtimes` (case-insensitive regular expressions); a unit with no match
   * runs its reference runtime, the one its efficiencies describe.
   */
  readonly runtime?: string;
  /**
   * Layers pruned to 2:4 structured sparsity (two of every four weights zero). On a unit with
   * `sparse_speedup_2_4`, conv/linear compute divides by the realized speed-up and weights are
   * stored and read compressed; elsewhere the layer runs dense.
   */
  readonly layerSparse24?: ReadonlySet<string>;
  /**
   * Count 2:4 layers at their compressed size in the weights footprint even on units without
   * sparse hardware (compressed storage, decompressed for compute). Default false.
   */
  readonly sparse24CompressedStorage?: boolean;
  /**
   * Weights-only quantization: layers whose weights are stored at this precision and dequantized
   * once at load (the unit's `weight_only`). Only the stored weights figure changes.
   */
  readonly layerStoredWeightPrecision?: ReadonlyMap<string, Precision>;
}

export interface LayerResult {
  readonly name: string;
  readonly op: string;
  readonly unit: string;
  readonly precision: Precision;
  readonly macs: number;
  /** Bytes moved for this layer: weights read + input activations read + output written. */
  readonly bytes: number;
  readonly latencyMs: number;
  readonly computeMs: number;
  readonly memoryMs: number;
  readonly bound: Bound;
  /** True when the layer runs on a fallback unit, not the one asked for. */
  readonly fallback: boolean;
  /** Why it fell back, when it did. */
  readonly fallbackReason?: string;
  /** The layer the runtime runs this one inside (a residual Add or its activation fused into a Conv): it costs nothing itself. */
  readonly fusedInto?: string;
  /** Time of the layout-conversion kernels charged to this layer (ONNX Runtime NCHWc ReorderInput/ReorderOutput), included in latencyMs. */
  readonly layoutMs?: number;
  /** Arithmetic intensity (ops per byte) and attained ops/s, for the roofline chart. */
  readonly opsPerByte: number;
  readonly attainedOpsPerS: number;
}

/** A transfer or other whole-graph cost that is not a layer (link streaming, partition boundaries, invoke). */
export interface ExtraCost {
  readonly name: string;
  readonly kind: 'transfer' | 'overhead';
  readonly unit: string;
  readonly latencyMs: number;
  readonly bytes: number;
}

export interface Partition {
  readonly unit: string;
  readonly layers: number;
  readonly latencyMs: number;
}

export interface MemoryReport {
  readonly weightsBytes: number;
  readonly peakActivationBytes: number;
  /** Layer at whose step the activation peak happens. */
  readonly peakStep: string;
  /** Level id → whether what it must hold fits (weights for weight levels, activations for activation levels). */
  readonly fits: Readonly<Record<string, boolean>>;
  /** Edge TPU: weights that fit the on-chip parameter cache and the rest streamed every inference. */
  readonly cachedWeightsBytes?: number;
  readonly streamedWeightsBytes?: number;
}

/** One context of a dataflow unit (Hailo-8): the layers mapped together and their weights. */
export interface DataflowContext {
  readonly unit: string;
  readonly firstLayer: string;
  readonly lastLayer: string;
  readonly layers: number;
  readonly weightsBytes: number;
}

export interface SimResult {
  readonly device: string;
  readonly model: string;
  readonly unit: string;
  /** Runtime id matched on the start unit, when `runtime` was given and a unit runtime matched. */
  readonly runtime?: string;
  readonly precision: Precision;
  readonly batch: number;
  readonly latencyMs: number;
  /**
   * Images per second when calls are issued back to back: batch / latency, except on a dataflow
   * unit holding the whole model in one context, where frames overlap in the pipeline and the
   * slowest resource (the unit's summed stage work, the link, another unit) sets the rate.
   */
  readonly throughputFps: number;
  readonly energyMj: number;
  readonly powerW: number;
  readonly macs: number;
  readonly params: number;
  readonly memory: MemoryReport;
  readonly partitions: readonly Partition[];
  /** Contexts of a dataflow unit (absent when no layer runs on one). */
  readonly contexts?: readonly DataflowContext[];
  readonly layers: readonly LayerResult[];
  readonly extras: readonly ExtraCost[];
}
