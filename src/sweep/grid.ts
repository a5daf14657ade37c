/**
 * Grid expansion and sharding. The order is fixed (device, unit, model, resolution, precision,
 * batch, each axis sorted), so a grid point's index is the same in every job and every shard:
 * `--shard k/n` keeps the points with index % n == k - 1 and `merge` puts them back by index.
 */
import { createHash } from 'node:crypto';
import { EdgeplanError } from '../errors/index.ts';
import { PRECISIONS, type Precision } from '../hardware/types.ts';
import type { GridPoint, Shard, SweepGrid, SweepInputs } from './types.ts';

/** Largest grid one sweep accepts: beyond it the row array alone would not fit in memory comfortably. */
export const MAX_GRID_POINTS = 5_000_000;

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts and de-duplicates every axis (precisions in the fp32, fp16, int8, int4 order). */
export function canonicalGrid(g: SweepGrid): SweepGrid {
  const devs = new Map(g.devices.map((d) => [`${d.key}\u0000${d.unit}`, d]));
  const models = new Map(g.models.map((m) => [m.name, m]));
  return {
    devices: [...devs.values()].sort((a, b) => byString(a.key, b.key) || byString(a.unit, b.unit)),
    models: [...models.values()].sort((a, b) => byString(a.name, b.name)),
    precisions: PRECISIONS.filter((p) => g.precisions.includes(p)),
    resolutions: [...new Set(g.resolutions)].sort((a, b) => a - b),
    batches: [...new Set(g.batches)].sort((a, b) => a - b),
  };
}

/** Number of configurations in the grid. */
export function gridSize(g: SweepGrid): number {
  const res = (m: number) => (g.resolutions.length ? g.resolutions.length : 1) * m;
  return g.devices.length * res(g.models.length) * g.precisions.length * g.batches.length;
}

/** The grid points of one shard (all of them for 1/1), in index order. */
export function expandGrid(g: SweepGrid, shard: Shard = { k: 1, n: 1 }): GridPoint[] {
  const out: GridPoint[] = [];
  let index = 0;
  for (let d = 0; d < g.devices.length; d++) {
    for (let m = 0; m < g.models.length; m++) {
      const resolutions = g.resolutions.length ? g.resolutions : [g.models[m].nativeResolution];
      for (const resolution of resolutions) {
        for (const precision of g.precisions) {
          for (const batch of g.batches) {
            if (index % shard.n === shard.k - 1) out.push({ index, device: d, model: m, resolution, precision, batch });
            index++;
          }
        }
      }
    }
  }
  return out;
}

/** Parses `k/n` (1 ≤ k ≤ n). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const k = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n || !Number.isSafeInteger(n)) {
    throw new EdgeplanError('bad_value', `--shard must be k/n with 1 ≤ k ≤ n, got '${text}'`, { path: '--shard', fix: 'pass --shard 1/8 … --shard 8/8, one per job' });
  }
  return { k, n };
}

/** Parses a precision list; unknown names are input errors naming the accepted ones. */
export function parsePrecisions(text: string): Precision[] {
  const items = splitList(text, '--precisions');
  for (const p of items) {
    if (!(PRECISIONS as readonly string[]).includes(p)) {
      throw new EdgeplanError('bad_value', `unknown precision '${p}' in --precisions`, { path: '--precisions', fix: `use a comma-separated list of ${PRECISIONS.join(', ')}` });
    }
  }
  return items as Precision[];
}

/** Parses a list of positive integers (resolutions, batch sizes) no larger than `max`. */
export function parsePositiveInts(text: string, flag: string, max: number, example: string): number[] {
  return splitList(text, flag).map((s) => {
    const v = Number(s);
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(v) || v < 1 || v > max) {
      throw new EdgeplanError('bad_value', `${flag} takes positive integers up to ${max}, got '${s}'`, { path: flag, fix: `pass e.g. ${flag} ${example}` });
    }
    return v;
  });
}

/** Splits a comma-separated flag value; an empty item is an input error. */
export function splitList(text: string, flag: string): string[] {
  const items = String(text).split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    throw new EdgeplanError('bad_value', `${flag} has an empty item in '${text}'`, { path: flag, fix: `write a comma-separated list without blanks, e.g. ${flag} a,b` });
  }
  return items;
}

/**
 * A short fingerprint of everything that decides the rows: the axes, the profiles' data and
 * YAML models' text. Shards of one grid carry the same id; `merge` refuses to mix ids.
 */
export function gridId(inputs: SweepInputs): string {
  const g = inputs.grid;
  const h = createHash('sha256');
  h.update(JSON.stringify({
    devices: g.devices, precisions: g.precisions, resolutions: g.resolutions, batches: g.batches,
    models: g.models.map((m) => ({ name: m.name, native: m.nativeResolution, text: m.source.kind === 'yaml' ? m.source.text : undefined })),
  }));
  for (const key of Object.keys(inputs.profiles).sort()) h.update(key + JSON.stringify(inputs.profiles[key]));
  return h.digest('hex').slice(0, 16);
}
