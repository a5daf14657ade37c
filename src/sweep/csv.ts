/**
 * The sweep CSV: a `#` metadata line that identifies the grid, a header, then one row per grid
 * point in index order. Numbers use a fixed format (6 significant digits, integers for bytes and
 * counts), so the same grid gives byte-identical files whatever the thread count or shard split.
 * Read it with `pandas.read_csv(path, skiprows=1)`.
 */
import type { SimResult } from '../cost/types.ts';
import { EdgeplanError, formatError } from '../errors/index.ts';
import type { Shard } from './types.ts';

export const SWEEP_COLUMNS = [
  'index', 'device', 'unit', 'model', 'resolution', 'precision', 'batch',
  'latency_ms', 'throughput_fps', 'energy_mj', 'power_w', 'weights_bytes', 'peak_activation_bytes',
  'fits_all', 'not_fitting', 'fallback_layers', 'macs', 'params', 'error',
] as const;
export type SweepColumn = (typeof SWEEP_COLUMNS)[number];

export const SWEEP_HEADER = SWEEP_COLUMNS.join(',');
export const METADATA_PREFIX = '# edgeplan sweep v1';

/** What the metadata line says. `fields` keeps the order it was written in. */
export interface SweepMetadata {
  readonly grid: string;
  readonly configs: number;
  readonly shard: Shard;
  /** Axis descriptions (devices=…, models=…), compared verbatim by merge. */
  readonly axes: string;
}

export function formatMetadata(m: SweepMetadata): string {
  return `${METADATA_PREFIX}; grid=${m.grid}; configs=${m.configs}; shard=${m.shard.k}/${m.shard.n}; ${m.axes}`;
}

/** Parses a metadata line; undefined when the line is not one. */
export function parseMetadata(line: string): SweepMetadata | undefined {
  if (!line.startsWith(METADATA_PREFIX + ';')) return undefined;
  const m = /^# edgeplan sweep v1; grid=([0-9a-f]+); configs=(\d+); shard=(\d+)\/(\d+); (.*)$/.exec(line);
  if (!m) return undefined;
  return { grid: m[1], configs: Number(m[2]), shard: { k: Number(m[3]), n: Number(m[4]) }, axes: m[5] };
}

/** Fixed number format: 6 significant digits, no trailing zeros; empty for a missing value. */
export function formatNumber(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  return String(Number(x.toPrecision(6)));
}

function formatInt(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '' : String(Math.round(x));
}

/** RFC 4180 quoting, and one line per row whatever the text holds. */
export function csvField(s: string): string {
  const t = s.replace(/\s*[\r\n]+\s*/g, ' ');
  return /[",]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** Identifying columns of a row (the grid point, as written). */
export interface RowKey {
  readonly index: number;
  readonly device: string;
  readonly unit: string;
  readonly model: string;
  readonly resolution: number;
  readonly precision: string;
  readonly batch: number;
}

function keyFields(k: RowKey): string[] {
  return [String(k.index), csvField(k.device), csvField(k.unit), csvField(k.model), String(k.resolution), k.precision, String(k.batch)];
}

/** A CSV line for a simulated configuration. */
export function formatResultRow(k: RowKey, r: SimResult): string {
  const notFitting = Object.keys(r.memory.fits).filter((level) => !r.memory.fits[level]).sort();
  return [
    ...keyFields(k),
    formatNumber(r.latencyMs), formatNumber(r.throughputFps), formatNumber(r.energyMj), formatNumber(r.powerW),
    formatInt(r.memory.weightsBytes), formatInt(r.memory.peakActivationBytes),
    notFitting.length ? 'false' : 'true', csvField(notFitting.join(';')),
    String(r.layers.filter((l) => l.fallback).length), formatInt(r.macs), formatInt(r.params), '',
  ].join(',');
}

/** A CSV line for a configuration the device cannot run or the model cannot be built for. */
export function formatErrorRow(k: RowKey, e: unknown): string {
  const text = e instanceof EdgeplanError
    ? formatError(new EdgeplanError(e.code, e.message, { ...e.location, file: undefined, fix: e.fix })).replace(/^error: /, '')
    : `internal error: ${(e as Error)?.message ?? String(e)}`;
  return [...keyFields(k), '', '', '', '', '', '', '', '', '', '', '', csvField(text)].join(',');
}

/** One parsed sweep CSV: its metadata and its rows as raw lines keyed by index. */
export interface ParsedSweepCsv {
  readonly meta: SweepMetadata;
  readonly rows: readonly { readonly index: number; readonly line: string; readonly lineNo: number }[];
}

/** Reads a sweep CSV back (for merge); every problem names the file and line. */
export function parseSweepCsv(text: string, file: string): ParsedSweepCsv {
  if (text.trim() === '') throw new EdgeplanError('empty_file', 'the file is empty', { file, fix: 'pass a CSV written by `edgeplan sweep --out` (a shard may have failed: rerun it)' });
  const lines = text.split('\n');
  const meta = parseMetadata(lines[0].replace(/\r$/, ''));
  if (!meta) {
    throw new EdgeplanError('bad_value', `not a sweep CSV: line 1 is not an '${METADATA_PREFIX}; grid=…' metadata line`, { file, line: 1, fix: 'pass the unedited files written by `edgeplan sweep --out`' });
  }
  if (lines[lines.length - 1] === '') lines.pop();
  else throw new EdgeplanError('bad_value', 'the last line is cut short (no newline at the end)', { file, line: lines.length, fix: 'the shard did not finish writing: rerun it' });
  if ((lines[1] ?? '').replace(/\r$/, '') !== SWEEP_HEADER) {
    throw new EdgeplanError('bad_value', 'the header line differs from this version\'s sweep columns', { file, line: 2, fix: 'rerun the shard with this edgeplan version, or merge files written by one version' });
  }
  const rows: { index: number; line: string; lineNo: number }[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const m = /^(\d+),/.exec(line);
    const index = m ? Number(m[1]) : NaN;
    if (!m || index >= meta.configs) {
      throw new EdgeplanError('bad_value', m ? `row index ${index} is outside the grid (${meta.configs} configurations)` : 'not a sweep row (it must start with the grid index)', { file, line: i + 1, fix: 'the file was edited or cut short: rerun its shard' });
    }
    if (countFields(line) !== SWEEP_COLUMNS.length) {
      throw new EdgeplanError('bad_value', `row has ${countFields(line)} fields, expected ${SWEEP_COLUMNS.length}`, { file, line: i + 1, fix: 'the file was edited or cut short: rerun its shard' });
    }
    if (index % meta.shard.n !== meta.shard.k - 1) {
      throw new EdgeplanError('bad_value', `row index ${index} does not belong to shard ${meta.shard.k}/${meta.shard.n}`, { file, line: i + 1, fix: 'pass the unedited files written by `edgeplan sweep --shard k/n --out`' });
    }
    rows.push({ index, line, lineNo: i + 1 });
  }
  return { meta, rows };
}

/** Fields in one CSV line, honouring double-quoted fields. */
function countFields(line: string): number {
  let n = 1, quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) n++;
  }
  return quoted ? -1 : n;
}
