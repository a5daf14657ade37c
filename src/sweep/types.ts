/** Plain-data types of a sweep: the grid, one point of it, and how models reach the workers. */
import type { HardwareProfile, Precision } from '../hardware/types.ts';

/** How a worker gets a model: a zoo id (built by code) or a YAML model's text. */
export type ModelSource =
  | { readonly kind: 'zoo'; readonly id: string }
  | { readonly kind: 'yaml'; readonly file: string; readonly text: string };

/** A device axis entry: a parsed profile placed on one of its units. */
export interface SweepDevice {
  /** Key into `SweepInputs.profiles` (the profile id; a file's id gets the file name appended if it clashes). */
  readonly key: string;
  readonly unit: string;
}

/** A model axis entry with the resolutions it is swept at (its own default when none were asked for). */
export interface SweepModel {
  /** Name written in the `model` column: the canonical zoo id or the file path as given. */
  readonly name: string;
  readonly source: ModelSource;
  /** Input side the model is built at when no resolution is passed. */
  readonly nativeResolution: number;
}

/** The canonical grid: every axis de-duplicated and sorted, so the same flags in any order give the same grid. */
export interface SweepGrid {
  readonly devices: readonly SweepDevice[];
  readonly models: readonly SweepModel[];
  readonly precisions: readonly Precision[];
  /** Empty: each model at its native resolution. */
  readonly resolutions: readonly number[];
  readonly batches: readonly number[];
}

/** Everything a worker needs to evaluate any point of the grid (structured-cloneable). */
export interface SweepInputs {
  readonly grid: SweepGrid;
  readonly profiles: Readonly<Record<string, HardwareProfile>>;
}

/** One configuration, by its index in grid order. */
export interface GridPoint {
  readonly index: number;
  readonly device: number;
  readonly model: number;
  readonly resolution: number;
  readonly precision: Precision;
  readonly batch: number;
}

/** `--shard k/n`: this job evaluates the grid points whose index % n == k - 1. */
export interface Shard {
  readonly k: number;
  readonly n: number;
}
