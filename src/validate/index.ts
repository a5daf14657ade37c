/**
 * src/validate owns the comparison of predictions with measured latencies (rows in the format
 * of ../shared/data/published-latency.csv): each row is simulated and compared, or listed as
 * skipped with the reason — never dropped.
 */
import { simulate, type SimOptions, type SimResult } from '../cost/index.ts';
import { EdgeplanError } from '../errors/index.ts';
import type { Graph } from '../graph/types.ts';
import type { HardwareProfile, Precision } from '../hardware/types.ts';

export interface LatencyRow {
  readonly row_id: string;
  readonly device_id: string;
  readonly unit: string;
  readonly model_id: string;
  readonly resolution: string;
  readonly width_multiplier: string;
  readonly precision: string;
  readonly batch: string;
  readonly latency_ms: string;
  /** Inference runtime as published; matched against the unit's `runtimes` (optional column). */
  readonly runtime?: string;
  readonly notes?: string;
}

export type RowOutcome =
  | { readonly row_id: string; readonly device_id: string; readonly unit: string; readonly model_id: string; readonly precision: Precision; readonly measured_ms: number; readonly predicted_ms: number; readonly error_pct: number }
  | { readonly row_id: string; readonly device_id: string; readonly model_id: string; readonly skipped: string };

export interface ValidationSummary {
  readonly n: number;
  readonly skipped: number;
  readonly median_abs_error_pct: number;
  readonly within_10_pct: number;
  readonly within_25_pct: number;
}

export interface ValidationContext {
  /** Profile for a device id, or undefined when there is none. */
  readonly profileFor: (deviceId: string) => HardwareProfile | undefined;
  /** Graph for a model id at a resolution/width, or an EdgeplanError when the zoo lacks it. */
  readonly graphFor: (modelId: string, resolution?: number, widthMultiplier?: number) => Graph;
}

/** The profile unit that ran a row: same id, else the only unit of that kind. */
export function unitForRow(p: HardwareProfile, rowUnit: string): string | undefined {
  if (p.units[rowUnit]) return rowUnit;
  const byKind = Object.entries(p.units).filter(([, u]) => u.kind === rowUnit).map(([id]) => id).sort();
  if (byKind.length) return byKind[0];
  if (rowUnit === 'mcu' || rowUnit === 'accelerator') return p.default_unit;
  return undefined;
}

/** Precision of a row: as published; blank means int8 on MCUs and int8-only units, else fp32. */
export function precisionForRow(p: HardwareProfile, unitId: string, published: string): Precision {
  if (published === 'fp32' || published === 'fp16' || published === 'int8' || published === 'int4') return published;
  const u = p.units[unitId];
  if (published === 'mixed') return u.precisions.includes('fp16') ? 'fp16' : 'int8';
  if (p.class === 'mcu' || !u.precisions.includes('fp32')) return u.precisions.includes('int8') ? 'int8' : u.precisions[0];
  return 'fp32';
}

export function predictRow(row: LatencyRow, ctx: ValidationContext): RowOutcome {
  const base = { row_id: row.row_id, device_id: row.device_id, model_id: row.model_id };
  const profile = ctx.profileFor(row.device_id);
  if (!profile) return { ...base, skipped: `no hardware profile for device '${row.device_id}'` };
  const unit = unitForRow(profile, row.unit);
  if (!unit) return { ...base, skipped: `profile ${profile.id} has no '${row.unit}' unit` };
  const measured = Number(row.latency_ms);
  if (!(measured > 0)) return { ...base, skipped: 'no latency value' };
  // Non-square inputs ("HxW") and blanks use the zoo model's own default input size.
  const res = /^\d+$/.test(row.resolution) ? Number(row.resolution) : undefined;
  const width = row.width_multiplier ? Number(row.width_multiplier) : undefined;
  let g: Graph;
  try {
    g = ctx.graphFor(row.model_id, res, width);
  } catch (e) {
    if (e instanceof EdgeplanError) return { ...base, skipped: e.code === 'unknown_model' ? `model '${row.model_id}' is not in the zoo` : e.message };
    throw e;
  }
  const precision = precisionForRow(profile, unit, row.precision);
  if (!profile.units[unit].precisions.includes(precision)) return { ...base, skipped: `${unit} of ${profile.id} does not run ${precision}` };
  const batch = Number(row.batch) || 1;
  const r = simulate(g, profile, rowSimOptions(row, precision, unit, batch));
  const predicted = predictedMs(r, profile, unit, row);
  return { ...base, unit, precision, measured_ms: measured, predicted_ms: predicted, error_pct: ((predicted - measured) / measured) * 100 };
}

/** The simulate options a measured row was taken with: precision, unit, batch, its runtime and thread count. */
export function rowSimOptions(row: Pick<LatencyRow, 'runtime' | 'notes'>, precision: Precision, unit: string, batch: number): SimOptions {
  return { precision, unit, batch, runtime: row.runtime || undefined, threads: threadsOfRow(row) };
}

/**
 * CPU threads a row was measured with, when its notes say so ("4 CPU threads", "--num_threads=2",
 * "single-threaded", "measured on large core"); undefined when they do not (the profile's own
 * thread count then applies). Benchmarks of one model differ by their thread count, so a row
 * must be predicted with its own.
 */
export function threadsOfRow(row: Pick<LatencyRow, 'notes'>): number | undefined {
  const n = row.notes ?? '';
  const m = /num_threads=(\d+)/i.exec(n) ?? /\b(\d+)\s*(?:CPU\s+)?threads?\b/i.exec(n);
  if (m) return Number(m[1]);
  if (/single[- ]thread|\bon (?:a |one |the )?(?:single )?large core\b/i.test(n)) return 1;
  return undefined;
}

/**
 * What a row measured, from a simulation: the call latency, or for THROUGHPUT-DERIVED rows
 * (1000/FPS) the time per image at the streaming rate — of all identical cores together when the
 * device has several (the DLA table), and of the pipeline on a dataflow chip (Hailo).
 */
export function predictedMs(r: SimResult, profile: HardwareProfile, unit: string, row: Pick<LatencyRow, 'notes'>): number {
  if (!(row.notes ?? '').startsWith('THROUGHPUT-DERIVED')) return r.latencyMs;
  const twins = Object.values(profile.units).filter((u) => u.kind === profile.units[unit].kind).length;
  return 1000 / r.throughputFps / twins;
}


export function median(xs: readonly number[]): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summarize(outcomes: readonly RowOutcome[]): ValidationSummary {
  const errs = outcomes.filter((o): o is Extract<RowOutcome, { error_pct: number }> => 'error_pct' in o).map((o) => Math.abs(o.error_pct));
  return {
    n: errs.length,
    skipped: outcomes.length - errs.length,
    median_abs_error_pct: median(errs),
    within_10_pct: errs.length ? errs.filter((e) => e <= 10).length / errs.length : 0,
    within_25_pct: errs.length ? errs.filter((e) => e <= 25).length / errs.length : 0,
  };
}

/** Per-device accuracy table (rows, median |error|) for the README. */
export function perDevice(outcomes: readonly RowOutcome[]): { device: string; rows: number; median_abs_error_pct: number; within_25_pct: number }[] {
  const by = new Map<string, number[]>();
  for (const o of outcomes) if ('error_pct' in o) by.set(o.device_id, [...(by.get(o.device_id) ?? []), Math.abs(o.error_pct)]);
  return [...by].sort(([a], [b]) => a.localeCompare(b)).map(([device, e]) => ({ device, rows: e.length, median_abs_error_pct: median(e), within_25_pct: e.filter((x) => x <= 25).length / e.length }));
}
