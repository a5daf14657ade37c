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

export interface SimResult {
  readonly device: string;
  readonly model: string;
  readonly unit: string;
  readonly precision: Precision;
  readonly batch: number;
  readonly latencyMs: number;
  readonly throughputFps: number;
  readonly energyMj: number;
  readonly powerW: number;
  readonly macs: number;
  readonly params: number;
  readonly memory: MemoryReport;
  readonly partitions: readonly Partition[];
  readonly layers: readonly LayerResult[];
  readonly extras: readonly ExtraCost[];
}
