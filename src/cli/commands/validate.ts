import { parse } from 'csv-parse/sync';
import type { Argv } from 'yargs';
import { EdgeplanError } from '../../errors/index.ts';
import { perDevice, predictRow, summarize, type LatencyRow } from '../../validate/index.ts';
import { buildZooModel } from '../../zoo/index.ts';
import { builtinProfiles } from '../device-arg.ts';
import { table, toJson } from '../format.ts';
import type { Io } from '../io.ts';
import { resolveDeviceId } from '../../hardware/index.ts';
import { MEMORY_CSV_COLUMNS, predictMemoryRow, summarizeMemory, type MemoryRow, type MemoryRowOutcome } from '../../memory/index.ts';
import type { Graph } from '../../graph/types.ts';

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

/** Reads a CSV in the format of shared/data/mcu-memory.csv; one-line errors with file:line. */
export function readMemoryCsv(text: string, file: string): MemoryRow[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true });
  } catch (e) {
    const m = /line (\d+)/.exec((e as Error).message);
    throw new EdgeplanError('bad_value', `not a readable CSV: ${(e as Error).message.split('\n')[0]}`, { file, line: m ? Number(m[1]) : undefined, fix: 'use the columns of shared/data/mcu-memory.csv' });
  }
  if (!rows.length) throw new EdgeplanError('empty_file', 'the CSV has no rows', { file, line: 1, fix: 'add a header and rows' });
  const missing = MEMORY_CSV_COLUMNS.filter((c) => !(c in rows[0]));
  if (missing.length) throw new EdgeplanError('schema', `missing column(s) ${missing.join(', ')}`, { file, line: 1, fix: `the header needs: ${MEMORY_CSV_COLUMNS.join(',')}` });
  rows.forEach((r, i) => {
    for (const c of ['activation_ram_bytes', 'weights_flash_bytes'] as const) {
      if (r[c] !== '' && !(Number(r[c]) >= 0)) throw new EdgeplanError('bad_value', `${c} must be a byte count, got '${r[c]}'`, { file, line: i + 2, path: c, fix: 'write plain bytes (KiB × 1024), or leave it empty' });
    }
  });
  return rows as unknown as MemoryRow[];
}

function memoryGraphFor(id: string, resolution?: number, widthMultiplier?: number): Graph {
  return buildZooModel(id, { resolution, widthMultiplier });
}

function runMemoryValidation(io: Io, file: string, json: boolean): void {
  const rows = readMemoryCsv(io.readText(file), file);
  const outcomes: MemoryRowOutcome[] = rows.map((row) => predictMemoryRow(row, { graphFor: memoryGraphFor }));
  const summary = summarizeMemory(outcomes);
  if (json) {
    io.out(toJson({ rows: outcomes, runtimes: summary }));
    return;
  }
  io.out(table(
    ['runtime', 'figure', 'rows', 'median |error|', 'within ±25 %', 'within ±30 %', 'bound rows exceeded'],
    summary.map((s) => [s.runtime, s.figure, s.rows, s.rows ? `${s.medianAbsErrorPct.toFixed(1)} %` : '–', s.rows ? `${(100 * s.within25Pct).toFixed(0)} %` : '–', s.rows ? `${(100 * s.within30Pct).toFixed(0)} %` : '–', s.boundRows ? `${s.boundExceeded} of ${s.boundRows}` : '–']),
    [false, false, true, true, true, true, true],
  ));
  const compared = outcomes.filter((o) => 'comparisons' in o).length;
  const reasons = new Map<string, number>();
  for (const o of outcomes) if ('skipped' in o) { const k = o.skipped.replace(/'[^']*'/, "'…'"); reasons.set(k, (reasons.get(k) ?? 0) + 1); }
  io.out(`\n${compared} rows compared, ${outcomes.length - compared} skipped (${[...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => `${v}× ${k}`).join('; ')})\n`);
}

export function validateCommand(io: Io) {
  return {
    command: 'validate',
    describe: 'Compare predicted latencies with measured ones (CSV in the format of published-latency.csv)',
    builder: (y: Argv) => y
      .option('data', { type: 'string', demandOption: true, describe: 'CSV of measured latencies' })
      .option('memory', { type: 'boolean', default: false, describe: 'compare RAM/flash figures (CSV in the format of mcu-memory.csv) instead of latencies' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .example('$0 validate --data ../shared/data/published-latency.csv', 'accuracy summary and per-device table')
      .example('$0 validate --memory --data ../shared/data/mcu-memory.csv', 'predicted vs published RAM and flash, per runtime'),
    handler: (argv: { data: string; json: boolean; memory: boolean }) => {
      if (argv.memory) {
        runMemoryValidation(io, argv.data, argv.json);
        return;
      }
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
