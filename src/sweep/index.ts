/**
 * src/sweep owns grid sweeps: expanding devices × models × resolutions × precisions × batch into
 * indexed configurations, splitting them into shards (index % n), evaluating them with the cost
 * model on worker threads, writing the fixed-format CSV, and merging shard CSVs back in order.
 * It reads no files, env or clock; the CLI (src/cli/commands/sweep.ts, merge.ts) does.
 */
export type * from './types.ts';
export { canonicalGrid, expandGrid, gridId, gridSize, parsePositiveInts, parsePrecisions, parseShard, splitList, MAX_GRID_POINTS } from './grid.ts';
export { SWEEP_COLUMNS, SWEEP_HEADER, formatMetadata, parseMetadata, parseSweepCsv, formatNumber, type SweepMetadata } from './csv.ts';
export { SweepEvaluator } from './evaluate.ts';
export { runPoints, batchPoints, type PoolOptions } from './pool.ts';
export { mergeSweepCsvs, shardSize, type MergeInput, type MergeResult } from './merge.ts';

import { formatMetadata, SWEEP_HEADER } from './csv.ts';
import type { Shard, SweepInputs } from './types.ts';

/** The `devices=…; models=…` part of the metadata line: the canonical axes, human-readable. */
export function describeAxes(inputs: SweepInputs): string {
  const g = inputs.grid;
  return [
    `devices=${g.devices.map((d) => `${d.key}:${d.unit}`).join(',')}`,
    `models=${g.models.map((m) => m.name).join(',')}`,
    `resolutions=${g.resolutions.length ? g.resolutions.join(',') : 'native'}`,
    `precisions=${g.precisions.join(',')}`,
    `batch=${g.batches.join(',')}`,
  ].join('; ');
}

/** The whole CSV text of one shard from its evaluated lines (in grid order). */
export function sweepCsv(inputs: SweepInputs, grid: string, configs: number, shard: Shard, lines: readonly string[]): string {
  return [formatMetadata({ grid, configs, shard, axes: describeAxes(inputs) }), SWEEP_HEADER, ...lines].join('\n') + '\n';
}
