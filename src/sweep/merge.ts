/**
 * Joins shard CSVs back into the grid-order file a single unsharded sweep would have written
 * (byte-identical). Refuses files from different grids, duplicated rows and missing rows, each
 * as one error naming the file (or, for missing rows, the shard to rerun).
 */
import { EdgeplanError } from '../errors/index.ts';
import { formatMetadata, parseSweepCsv, SWEEP_HEADER, type ParsedSweepCsv } from './csv.ts';

export interface MergeInput {
  readonly file: string;
  readonly text: string;
}

export interface MergeResult {
  readonly csv: string;
  readonly grid: string;
  readonly configs: number;
  readonly errors: number;
}

export function mergeSweepCsvs(inputs: readonly MergeInput[]): MergeResult {
  if (inputs.length === 0) throw new EdgeplanError('usage', 'merge needs at least one sweep CSV', { fix: 'pass the shard files, e.g. `edgeplan merge part-*.csv --out all.csv`' });
  const seen = new Set<string>();
  for (const i of inputs) {
    if (seen.has(i.file)) throw new EdgeplanError('usage', 'the file is given twice', { file: i.file, fix: 'pass each shard file once' });
    seen.add(i.file);
  }
  const parsed: (ParsedSweepCsv & { file: string })[] = inputs.map((i) => ({ ...parseSweepCsv(i.text, i.file), file: i.file }));
  const first = parsed[0];
  for (const p of parsed.slice(1)) {
    const a = first.meta, b = p.meta;
    if (a.grid !== b.grid || a.configs !== b.configs || a.axes !== b.axes) {
      const what = a.axes !== b.axes ? axisDifference(b.axes, a.axes) : a.configs !== b.configs ? `${b.configs} vs ${a.configs} configurations` : `grid ${b.grid} vs ${a.grid}: same axes, different profile or model files`;
      throw new EdgeplanError('bad_value', `comes from a different grid than ${first.file} (${what})`, {
        file: p.file, line: 1, fix: 'merge only the shards of one sweep: the same --devices, --models, --precisions, --resolutions, --batch and profile files',
      });
    }
  }
  const { configs, grid } = first.meta;
  const lines: string[] = new Array(configs);
  const from: string[] = new Array(configs);
  for (const p of parsed) {
    for (const r of p.rows) {
      if (lines[r.index] !== undefined) {
        throw new EdgeplanError('bad_value', `row ${r.index} is duplicated (also in ${from[r.index]})`, { file: p.file, line: r.lineNo, fix: 'pass each shard once (shards of different --shard k/n splits overlap)' });
      }
      lines[r.index] = r.line;
      from[r.index] = `${p.file}:${r.lineNo}`;
    }
  }
  const missing: number[] = [];
  for (let i = 0; i < configs; i++) if (lines[i] === undefined) missing.push(i);
  if (missing.length) {
    const n = first.meta.shard.n;
    const shards = [...new Set(missing.map((i) => (i % n) + 1))].sort((x, y) => x - y);
    const given = parsed.slice(0, 8).map((p) => `${p.file} = ${p.meta.shard.k}/${p.meta.shard.n}`).concat(parsed.length > 8 ? ['…'] : []);
    const cut = parsed.find((p) => p.rows.length < shardSize(configs, p.meta.shard.k, p.meta.shard.n));
    throw new EdgeplanError('bad_value', `${missing.length} of ${configs} rows are missing (first: row ${missing[0]}); ${cut ? `${cut.file} is cut short (${cut.rows.length} of ${shardSize(configs, cut.meta.shard.k, cut.meta.shard.n)} rows)` : `no file holds shard ${shards.slice(0, 5).map((k) => `${k}/${n}`).join(', ')}${shards.length > 5 ? ', …' : ''} (given: ${given.join(', ')})`}`, {
      file: cut?.file,
      fix: cut ? `rerun its shard (--shard ${cut.meta.shard.k}/${cut.meta.shard.n}) and merge again` : `run the missing shard(s) with --shard k/${n} and pass every part`,
    });
  }
  const errors = lines.filter((l) => !l.endsWith(',')).length;
  const csv = [formatMetadata({ ...first.meta, shard: { k: 1, n: 1 } }), SWEEP_HEADER, ...lines].join('\n') + '\n';
  return { csv, grid, configs, errors };
}

/** Rows in shard k/n of a grid of `configs` points. */
export function shardSize(configs: number, k: number, n: number): number {
  return configs >= k ? Math.floor((configs - k) / n) + 1 : 0;
}

/** The first axis (devices=, models=, …) where two metadata lines differ, shortened. */
function axisDifference(b: string, a: string): string {
  const parts = (t: string) => new Map(t.split('; ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const pa = parts(a), pb = parts(b);
  const cut = (t: string | undefined) => (t === undefined ? '(none)' : t.length > 60 ? t.slice(0, 57) + '…' : t);
  for (const k of new Set([...pb.keys(), ...pa.keys()])) {
    if (pa.get(k) !== pb.get(k)) return `${k}=${cut(pb.get(k))} vs ${cut(pa.get(k))}`;
  }
  return 'different axes';
}
