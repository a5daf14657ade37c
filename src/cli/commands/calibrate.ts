/**
 * `edgeplan calibrate --device host`: exports a fixed set of zoo models to ONNX, times each with
 * ONNX Runtime on this CPU, fits the host profile's per-op-class efficiencies and overheads to
 * those times (src/import/host-fit.ts) and writes the fitted profile. Prints the fit's own error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { stringify } from 'yaml';
import { EdgeplanError } from '../../errors/index.ts';
import { parseProfile } from '../../hardware/index.ts';
import { exportOnnx, fitHostProfile, type HostSample } from '../../import/index.ts';
import { buildZooModel } from '../../zoo/index.ts';
import { loadDeviceArg } from '../device-arg.ts';
import { table, toJson } from '../format.ts';
import type { Io } from '../io.ts';
import { measureOnnx } from './measure.ts';

/**
 * The fit set: CNNs that cover every op class the host runs (dense/1×1/grouped conv, depthwise,
 * linear, pooling, concat/add, resize, transposed conv) from 7 M to 1.8 G MACs. Models used to
 * check the fit (scripts/host-holdout.ts) are deliberately not in this list.
 */
export const CALIBRATION_MODELS: readonly string[] = [
  'mobilenet-v1', 'mobilenet-v2', 'resnet-18', 'squeezenet-1.1', 'shufflenet-v2', 'mnasnet-1.0',
  'efficientnet-lite0', 'unet-mobilenet-v2', 'mobilenet-v1-025-vww', 'resnet8-cifar',
];

export interface CalibrateArgs { device: string; threads?: number; runs: number; out: string; json: boolean }

export async function runCalibrate(io: Io, a: CalibrateArgs) {
  const base = loadDeviceArg(io, a.device);
  const u = base.units[base.default_unit];
  if (u.kind !== 'cpu') throw new EdgeplanError('bad_value', `calibrate measures the CPU this runs on, but ${base.id}'s default unit is a ${u.kind}`, { fix: 'use --device host (or a CPU profile of this machine)' });
  const threads = a.threads ?? u.threads?.value ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'edgeplan-calibrate-'));
  const samples: HostSample[] = [];
  try {
    for (const id of CALIBRATION_MODELS) {
      const g = buildZooModel(id);
      const path = join(dir, `${id}.onnx`);
      writeFileSync(path, exportOnnx(g, { seed: 1 }));
      const m = await measureOnnx(io, path, { threads, runs: a.runs, warmup: Math.min(5, a.runs) });
      samples.push({ model: id, graph: g, measuredMs: m.median_ms });
      if (io.isTty) io.err(`measured ${id}: ${m.median_ms.toFixed(2)} ms\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const source = `edgeplan calibrate: least-squares log-error fit to ONNX Runtime CPU medians of ${samples.length} zoo models (${CALIBRATION_MODELS.join(', ')}), ${threads} thread(s), ${a.runs} runs each`;
  const fit = fitHostProfile(base, samples, threads, source);
  const profile = {
    ...fit.profile,
    id: `${base.id}-calibrated`,
    name: `${base.name.replace(/ \(uncalibrated placeholder\)$/, '')} (calibrated, ${threads} thread(s))`,
    aliases: [],
    notes: [...(base.notes ?? []).filter((n) => !/until calibrated/.test(n)), `Efficiencies, overheads and bandwidths fitted by edgeplan calibrate (${threads} thread(s)); the fit's median |error| on its own models was ${fit.median_abs_error_pct.toFixed(1)} %.`],
  };
  const text = '# yaml-language-server: $schema=./profile.schema.json\n# Written by `edgeplan calibrate`; every fitted number says so in its source.\n' + stringify(profile, { lineWidth: 0 });
  parseProfile(text, a.out); // the written profile must load (schema and cross-checks)
  io.writeText(a.out, text);
  return { fit, threads, out: a.out, id: profile.id };
}

export function calibrateCommand(io: Io) {
  return {
    command: 'calibrate',
    describe: 'Measure zoo models on this CPU with ONNX Runtime and fit the host profile to them',
    builder: (y: Argv) => y
      .option('device', { type: 'string', default: 'host', describe: 'CPU profile to start from (id or .yaml)' })
      .option('threads', { type: 'number', describe: 'threads to measure and fit with (default: the profile\'s threads)' })
      .option('runs', { type: 'number', default: 10, describe: 'timed runs per model' })
      .option('out', { type: 'string', demandOption: true, describe: 'profile .yaml to write' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .check((x) => {
        for (const k of ['threads', 'runs'] as const) {
          const v = x[k];
          if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) throw new Error(`--${k} must be a positive integer, got ${v}`);
        }
        return true;
      })
      .example('$0 calibrate --device host --threads 2 --out host-calibrated.yaml', 'fit, then: edgeplan simulate --device host-calibrated.yaml --model m.onnx'),
    handler: async (argv: CalibrateArgs) => {
      const r = await runCalibrate(io, argv);
      if (argv.json) { io.out(toJson({ profile: r.id, out: r.out, threads: r.threads, median_abs_error_pct: r.fit.median_abs_error_pct, rows: r.fit.rows })); return; }
      io.out(table(['model', 'measured', 'predicted', 'error'], r.fit.rows.map((x) => [x.model, `${x.measured_ms.toFixed(2)} ms`, `${x.predicted_ms.toFixed(2)} ms`, `${x.error_pct >= 0 ? '+' : ''}${x.error_pct.toFixed(1)} %`]), [false, true, true, true]));
      io.out(`\nwrote ${r.out} (${r.id}, ${r.threads} thread(s)); fit median |error| ${r.fit.median_abs_error_pct.toFixed(1)} % on its ${r.fit.rows.length} models (in-sample; check held-out models with scripts/host-holdout.ts)\n`);
    },
  };
}
