import type { Precision } from '../hardware/types.ts';

/** Budgets a plan must meet; absent = unconstrained. Units are in the names. */
export interface Budgets {
  readonly latencyMs?: number;
  /** Peak activation memory (the figure `simulate` reports as memory.peak_activation_bytes). */
  readonly peakActivationBytes?: number;
  /** Deployed weight bytes (flash on MCUs). */
  readonly weightsBytes?: number;
  readonly powerW?: number;
  readonly energyMj?: number;
  /** Minimum throughput; equivalent to latencyMs ≤ 1000·batch/fps. */
  readonly fps?: number;
  /** Largest acceptable estimated top-1 drop (percentage points, a proxy). */
  readonly maxAccuracyDropPct?: number;
}

/** One layer's choice in a plan. `prune` is the fraction of output channels removed (0, 0.25, 0.5, 0.75). */
export interface LayerChoice {
  readonly name: string;
  readonly precision: Precision;
  readonly prune: number;
  /** 50 % (2:4) sparsity: faster on units that accelerate it, smaller stored weights everywhere. */
  readonly sparse24?: boolean;
  /**
   * Weights-only quantization: weights stored at this precision and dequantized at load to
   * `precision`, which the layer computes in (units with `weight_only`); only stored weights shrink.
   */
  readonly weights?: Precision;
}

/** A user's measured sensitivity: the top-1 drop of one layer under one choice. */
export interface SensitivityEntry {
  readonly layer: string;
  /** e.g. 'int8', 'int4', 'fp16', 'prune25', 'prune50', 'prune75', 'sparse24' */
  readonly choice: string;
  readonly dropPct: number;
}

export interface PlanOptions {
  readonly unit?: string;
  readonly batch?: number;
  readonly link?: string;
  /** Layer names, or 'first' / 'last', kept at the baseline precision and unpruned. */
  readonly protect?: readonly string[];
  readonly sensitivity?: readonly SensitivityEntry[];
  readonly pareto?: boolean;
  /**
   * Offer the choices that only shrink stored weights — 50 % sparsity on units without 2:4 hardware,
   * weights-only quantization on units with `weight_only` (set when a flash budget is given).
   */
  readonly sizeOnlySparsity?: boolean;
  /** Clock for the solver-time report (the CLI passes performance.now; the core never reads the clock). */
  readonly now?: () => number;
  /** Worker threads for the Pareto sweep (the CLI passes the machine's cores; 1 = this thread only). */
  readonly jobs?: number;
}

export interface Predicted {
  readonly latencyMs: number;
  readonly energyMj: number;
  readonly powerW: number;
  readonly weightsBytes: number;
  readonly peakActivationBytes: number;
}

export interface ParetoPoint {
  readonly latencyMs: number;
  readonly accuracyDropPct: number;
  readonly weightsBytes: number;
  readonly plan: readonly LayerChoice[];
}

export interface PlanResult {
  readonly feasible: boolean;
  readonly device: string;
  readonly model: string;
  readonly budgets: Budgets;
  /** Baseline precision of the unit (fp32 where it runs it, else its widest). */
  readonly baselinePrecision: Precision;
  readonly plan: { readonly layers: readonly LayerChoice[] };
  readonly predicted: Predicted;
  readonly baseline: Predicted;
  /** Estimated top-1 drop (additive per-layer proxy, not a measurement). */
  readonly accuracyDropPct: number;
  /** Budgets that are tight at the chosen plan. */
  readonly binding: readonly string[];
  readonly solver: { readonly status: string; readonly gap: number; readonly ms: number; readonly iterations: number };
  readonly pareto: readonly ParetoPoint[];
  /** When infeasible: the closest point — fastest achievable and which budget fails by how much. */
  readonly closest?: { readonly budget: string; readonly limit: number; readonly achieved: number; readonly shortfallPct: number };
  readonly notes: readonly string[];
}
