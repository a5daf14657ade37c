import { parse } from 'csv-parse/sync';
import type { Argv } from 'yargs';
import { EdgeplanError } from '../../errors/index.ts';
import { perDevice, predictRow, summarize, type LatencyRow } from '../../validate/index.ts';
import { buildZooModel } from '../../zoo/index.ts';
import { builtinProfiles } from '../device-arg.ts';
import { table, toJson } from '../format.ts';
import type { Io } from '../io.ts';
import { resolveDeviceId } from '../../hardware/index.ts';

const REQUIRED = ['row_id', 'device_id', 'unit', 'model_id', 'resolution', 'width_multiplier', 'precision', 'batch', 'latency_ms'];

export function readLatencyCsv(text: string, file: string): LatencyRow[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true });
  } catch (e) {
    const m = /line (\d+)/.exec((e as Error).message);
    throw new EdgeplanError('bad_value', `not a readable CSV: ${(e as Error).message.split('\n')[0]}`, { file, line: m ? Number(m[1]) : undefined, fix: 'use the columns of shared/data/published-latency.csv' });
  }
  if (!rows.length) throw new EdgeplanError('empty_file', 'the CSV has no rows', { file, line: 1, fix: 'add a header and rows' });
  const missing = REQUIRED.filter((c) => !(c in rows[0]));
  if (missing.length) throw new EdgeplanError('schema', `missing column(s) ${missing.join(', ')}`, { file, line: 1, fix: `the header needs: ${REQUIRED.join(',')}` });
  return rows as unknown as LatencyRow[];
}

export function validateCommand(io: Io) {
  return {
    command: 'validate',
    describe: 'Compare predicted latencies with measured ones (CSV in the format of published-latency.csv)',
    builder: (y: Argv) => y
      .option('data', { type: 'string', demandOption: true, describe: 'CSV of measured latencies' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .example('$0 validate --data ../shared/data/published-latency.csv', 'accuracy summary and per-device table'),
    handler: (argv: { data: string; json: boolean }) => {
      const rows = readLatencyCsv(io.readText(argv.data), argv.data);
      const profiles = builtinProfiles(io);
      const all = [...profiles.values()];
      const outcomes = rows.map((row) => predictRow(row, {
        profileFor: (id) => {
          try { return profiles.get(resolveDeviceId(id, all)); } catch { return undefined; }
        },
        graphFor: (id, resolution, widthMultiplier) => buildZooModel(id, { resolution, widthMultiplier }),
      }));
      const summary = summarize(outcomes);
      if (argv.json) {
        io.out(toJson({ rows: outcomes, summary, devices: perDevice(outcomes) }));
      } else {
        io.out(table(['device', 'rows', 'median |error|', 'within ±25 %'], perDevice(outcomes).map((d) => [d.device, d.rows, `${d.median_abs_error_pct.toFixed(1)} %`, `${(100 * d.within_25_pct).toFixed(0)} %`]), [false, true, true, true]));
        const reasons = new Map<string, number>();
        for (const o of outcomes) if ('skipped' in o) { const k = o.skipped.replace(/'[^']*'/, "'…'"); reasons.set(k, (reasons.get(k) ?? 0) + 1); }
        io.out(`\n${summary.n} rows compared, ${summary.skipped} skipped (${[...reasons].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}× ${k}`).join('; ')})\n`);
        io.out(`median |error| ${summary.median_abs_error_pct.toFixed(1)} %, within ±10 %: ${(100 * summary.within_10_pct).toFixed(0)} %, within ±25 %: ${(100 * summary.within_25_pct).toFixed(0)} %\n`);
      }
    },
  };
}
