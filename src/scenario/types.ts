/**
 * Scenario types: the YAML as written (mirroring schemas/scenario.schema.json) and the parsed
 * scenario with budgets converted to numbers whose units are in their names.
 */
import type { Precision } from '../hardware/types.ts';
import type { Budgets } from '../plan/types.ts';
import type { PathSegment } from '../yaml-input/index.ts';

export type ReportFormat = 'md' | 'html' | 'json' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'json', 'csv'];

/** A device as written: an id/alias/profile path, or a mapping. */
export type DeviceEntryYaml = string | {
  readonly id?: string;
  readonly device?: string;
  readonly base?: string;
  readonly overrides?: Record<string, unknown>;
  readonly unit?: string;
  readonly link?: string;
  readonly description?: string;
};

export type ModelEntryYaml = string | {
  readonly model: string;
  readonly id?: string;
  readonly resolution?: number;
  readonly width?: number;
  readonly description?: string;
};

export interface BudgetsYaml {
  readonly latency?: string | number;
  readonly fps?: number;
  readonly memory?: string | number;
  readonly flash?: string | number;
  readonly power?: string | number;
  readonly energy?: string | number;
  readonly max_accuracy_drop?: number;
}

export interface SweepYaml {
  readonly precision?: readonly Precision[];
  readonly resolution?: readonly number[];
  readonly batch?: readonly number[];
  readonly threads?: readonly number[];
}

export interface RunYaml {
  readonly simulate?: { readonly precision?: Precision; readonly batch?: number; readonly threads?: number };
  readonly plan?: boolean | { readonly protect?: readonly string[]; readonly when?: 'always' | 'misses' };
  readonly pareto?: boolean | { readonly devices?: readonly string[]; readonly models?: readonly string[] };
  readonly sweep?: SweepYaml;
}

export interface ScenarioYaml {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly devices: readonly DeviceEntryYaml[];
  readonly models: readonly ModelEntryYaml[];
  readonly budgets?: BudgetsYaml;
  readonly run?: RunYaml;
  readonly formats?: readonly ReportFormat[];
  readonly assumptions?: readonly string[];
}

/** A device entry in normal form: exactly one of `device` (id or path) or `base` (+ overrides). */
export interface DeviceEntry {
  readonly index: number;
  /** Written as a mapping (fields have their own lines) rather than a bare string. */
  readonly mapping: boolean;
  /** Label in the report, unique within the scenario. */
  readonly key: string;
  readonly device?: string;
  readonly base?: string;
  readonly overrides?: Readonly<Record<string, unknown>>;
  readonly unit?: string;
  readonly link?: string;
  readonly description?: string;
}

export interface ModelEntry {
  readonly index: number;
  readonly mapping: boolean;
  readonly key: string;
  /** Zoo id or path, as written (paths resolve from the scenario file). */
  readonly model: string;
  readonly kind: 'zoo' | 'yaml' | 'onnx' | 'tflite';
  readonly resolution?: number;
  readonly width?: number;
  readonly description?: string;
}

export interface RunSettings {
  /** Baseline precision; undefined = each unit's default. */
  readonly precision?: Precision;
  readonly batch: number;
  readonly threads?: number;
  readonly plan: boolean;
  readonly protect: readonly string[];
  /** Plan every pair, or only those that miss a budget at baseline. */
  readonly planWhen: 'always' | 'misses';
  /** Trace Pareto fronts at all. */
  readonly pareto: boolean;
  /** Device and model labels to trace them for (undefined = all). */
  readonly paretoDevices?: readonly string[];
  readonly paretoModels?: readonly string[];
  readonly sweep?: SweepYaml;
}

/** The parsed scenario: plain data plus the locator that maps a field path to its YAML line. */
export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly devices: readonly DeviceEntry[];
  readonly models: readonly ModelEntry[];
  readonly budgets: Budgets;
  /** Budgets as the user typed them, for the report (e.g. `16ms`). */
  readonly budgetText: Readonly<Record<string, string>>;
  readonly run: RunSettings;
  readonly formats: readonly ReportFormat[];
  readonly assumptions: readonly string[];
  readonly locate: (path: readonly PathSegment[]) => { line: number; col: number };
}

/** One point of a sweep: settings that differ from the baseline. */
export interface SweepPoint {
  readonly precision?: Precision;
  readonly resolution?: number;
  readonly batch?: number;
  readonly threads?: number;
}
