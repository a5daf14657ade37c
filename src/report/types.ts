/**
 * The report as data: everything report.md, report.html, report.json and sweep.csv show, computed
 * once by `evaluateScenario`. Renderers format this and compute nothing.
 */
import type { Bound } from '../cost/types.ts';
import type { Precision } from '../hardware/types.ts';
import type { Budgets, ParetoPoint } from '../plan/types.ts';
import type { ReportFormat } from '../scenario/types.ts';

export type CheckUnit = 'ms' | 'bytes' | 'W' | 'mJ';

/** One budget or device limit checked against a prediction. */
export interface BudgetCheck {
  /** 'latency', 'memory', 'flash', 'power', 'energy', or 'fits <level>' for a device memory level. */
  readonly constraint: string;
  readonly limit: number;
  readonly achieved: number;
  readonly unit: CheckUnit;
  readonly ok: boolean;
  /** achieved / limit: > 1 misses. */
  readonly ratio: number;
}

export interface Verdict {
  readonly meets: boolean;
  /** The check with the highest ratio: the one that fails worst, or the tightest when all pass. */
  readonly binding?: BudgetCheck;
  /** e.g. "meets: 12.30 ms ≤ 16.00 ms" or "misses latency by 4.20 ms (20.20 ms vs 16.00 ms)". */
  readonly text: string;
}

export interface LayerRow {
  readonly name: string;
  readonly op: string;
  readonly unit: string;
  readonly precision: Precision;
  readonly latencyMs: number;
  readonly bound: Bound;
  readonly fallback: boolean;
  readonly fallbackReason?: string;
  readonly opsPerByte: number;
  readonly attainedOpsPerS: number;
}

export interface ExtraRow {
  readonly name: string;
  readonly kind: 'transfer' | 'overhead';
  readonly unit: string;
  readonly latencyMs: number;
}

/** The configuration and headline figures of one simulation (shared by summaries and sweep rows). */
export interface SimHeadline {
  readonly unit: string;
  readonly precision: Precision;
  readonly batch: number;
  readonly threads?: number;
  readonly resolution?: number;
  readonly latencyMs: number;
  readonly throughputFps: number;
  readonly energyMj: number;
  readonly powerW: number;
  readonly weightsBytes: number;
  readonly peakActivationBytes: number;
}

export interface SimSummary extends SimHeadline {
  readonly streamedWeightsBytes?: number;
  readonly fits: Readonly<Record<string, boolean>>;
  readonly fallbackLayers: number;
  readonly fallbackMs: number;
  readonly transferMs: number;
}

export interface PlanSummary {
  readonly feasible: boolean;
  readonly baselinePrecision: Precision;
  readonly latencyMs: number;
  readonly energyMj: number;
  readonly powerW: number;
  readonly weightsBytes: number;
  readonly peakActivationBytes: number;
  readonly baselineLatencyMs: number;
  /** Estimated top-1 drop, percentage points: an additive per-layer proxy, not a measurement. */
  readonly accuracyDropPct: number;
  readonly binding: readonly string[];
  /** Layers per choice, e.g. {"int8": 50, "fp16": 2, "int8 prune 25%": 3}. */
  readonly choices: Readonly<Record<string, number>>;
  /** Layers that differ from the baseline precision, unpruned (at most 12, in execution order). */
  readonly changedLayers: readonly string[];
  readonly changedCount: number;
  readonly solverStatus: string;
  readonly pareto: readonly ParetoPoint[];
  readonly closest?: { readonly budget: string; readonly limit: number; readonly achieved: number; readonly shortfallPct: number };
  readonly notes: readonly string[];
}

/** One device × model at the baseline settings. */
export interface Cell {
  readonly device: string;
  readonly model: string;
  readonly sim: SimSummary;
  readonly layers: readonly LayerRow[];
  readonly extras: readonly ExtraRow[];
  /** Live activation bytes at each step of the execution order. */
  readonly memoryTimeline: readonly number[];
  readonly checks: readonly BudgetCheck[];
  readonly verdict: Verdict;
  readonly plan?: PlanSummary;
  /** Why there is no plan, when one was asked for. */
  readonly planNote?: string;
}

export interface SourceRow {
  readonly quantity: string;
  readonly value: string;
  readonly source: string;
  readonly estimate: boolean;
}

export interface MemoryLimit {
  readonly level: string;
  readonly kind: string;
  readonly bytes: number;
  /** What the level holds in this report: activations or weights. */
  readonly holds: 'activations' | 'weights' | 'on-chip tensors';
}

export interface DeviceSummary {
  readonly key: string;
  readonly profileId: string;
  readonly name: string;
  readonly unit: string;
  readonly unitKind: string;
  readonly link?: string;
  readonly precision: Precision;
  readonly overrides: readonly string[];
  /** Roof of the placement unit at the baseline precision. */
  readonly roof: { readonly peakOpsPerS: number; readonly bandwidthBytesPerS: number; readonly onchipBandwidthBytesPerS?: number; readonly ridgeOpsPerByte: number };
  readonly memoryLimits: readonly MemoryLimit[];
  /** Unit id → kind, for every unit that ran a layer (chart colours). */
  readonly unitKinds: Readonly<Record<string, string>>;
  readonly sources: readonly SourceRow[];
  /** The profile's source index entries cited by the numbers used ([C1] → URL). */
  readonly citations: Readonly<Record<string, string>>;
  readonly estimates: number;
  readonly notes: readonly string[];
}

export interface ModelSummary {
  readonly key: string;
  readonly model: string;
  readonly kind: string;
  readonly name: string;
  readonly resolution?: number;
  readonly width?: number;
  readonly params: number;
  readonly macs: number;
  readonly layers: number;
}

export interface SweepRow extends SimHeadline {
  readonly device: string;
  readonly model: string;
  readonly fitsDevice: boolean;
  readonly meets: boolean;
  readonly binding: string;
  readonly note?: string;
}

export interface ScenarioReport {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** The scenario file as the user named it. */
  readonly file: string;
  readonly budgets: Budgets;
  readonly budgetText: Readonly<Record<string, string>>;
  /** The latency limit the verdicts use: min(latency, 1000 · batch / fps), ms. */
  readonly latencyLimitMs?: number;
  readonly devices: readonly DeviceSummary[];
  readonly models: readonly ModelSummary[];
  /** Device-major, in scenario order. */
  readonly cells: readonly Cell[];
  readonly sweep: readonly SweepRow[];
  readonly ranPlanner: boolean;
  readonly assumptions: readonly string[];
  readonly formats: readonly ReportFormat[];
}
