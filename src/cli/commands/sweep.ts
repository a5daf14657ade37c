/**
 * `edgeplan sweep`: evaluates devices × models × resolutions × precisions × batch with the cost
 * model on worker threads and writes one CSV row per configuration (src/sweep). `--shard k/n`
 * runs one deterministic slice of the grid so a batch runner can spread it over jobs; `edgeplan
 * merge` joins the slices.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EdgeplanError } from '../../errors/index.ts';
import { loadYamlModel } from '../../graph/yaml-model.ts';
import type { HardwareProfile } from '../../hardware/index.ts';
import {
  canonicalGrid, expandGrid, gridId, gridSize, MAX_GRID_POINTS, parsePositiveInts, parsePrecisions, parseShard, runPoints, splitList, sweepCsv,
  type SweepDevice, type SweepInputs, type SweepModel,
} from '../../sweep/index.ts';
import { findZooEntry, ZOO } from '../../zoo/index.ts';
import { builtinProfiles, loadDeviceArg } from '../device-arg.ts';
import { toJson } from '../format.ts';
import type { Io } from '../io.ts';

export interface SweepArgs {
  devices: string;
  models: string;
  precisions: string;
  resolutions?: string;
  batch: string;
  shard: string;
  jobs?: number;
  out?: string;
  json: boolean;
}

/** Below this many configurations threads cost more to start than they save (unless --jobs is given). */
const INLINE_BELOW = 300;

/** Fails before a long run, not after it, when the output file cannot be written there. */
export function checkOutPath(out: string | undefined): void {
  if (out === undefined) return;
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EdgeplanError('file_not_found', `cannot write here: folder ${dirname(out)} does not exist`, { file: out, path: '--out', fix: `create it first (mkdir -p ${dirname(out)}) or pass another --out` });
  }
  if (existsSync(out) && statSync(out).isDirectory()) throw new EdgeplanError('bad_value', 'the --out path is a folder', { file: out, path: '--out', fix: 'pass a file name, e.g. --out results.csv' });
}

/** Runs `f`, adding the flag to an input error that names no file. */
function atFlag<T>(flag: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof EdgeplanError && !e.location.file && !e.location.path ? e.withLocation({ path: flag }) : e;
  }
}

/** `id[:unit]` or `profile.yaml[:unit]`, or `all` for every built-in profile on its default unit. */
function resolveDevices(io: Io, text: string): { devices: SweepDevice[]; profiles: Record<string, HardwareProfile> } {
  const profiles: Record<string, HardwareProfile> = {};
  const devices: SweepDevice[] = [];
  const items = text.trim() === 'all' ? [...builtinProfiles(io).keys()] : splitList(text, '--devices');
  for (const item of items) {
    const m = /^(.*?)(?::([A-Za-z0-9_-]+))?$/.exec(item)!;
    const profile = atFlag('--devices', () => loadDeviceArg(io, m[1], '--devices'));
    let key = profile.id;
    if (profiles[key] && JSON.stringify(profiles[key]) !== JSON.stringify(profile)) key = m[1];
    profiles[key] = profile;
    const unit = m[2] ?? profile.default_unit;
    if (!profile.units[unit]) {
      throw new EdgeplanError('bad_value', `device ${profile.id} has no unit '${unit}'`, { path: '--devices', fix: `write ${m[1]}:${Object.keys(profile.units).join(` or ${m[1]}:`)}` });
    }
    devices.push({ key, unit });
  }
  return { devices, profiles };
}

/** Zoo ids (canonicalised) or YAML model files (read and checked once here), or `all` for the zoo. */
function resolveModels(io: Io, text: string): SweepModel[] {
  const items = text.trim() === 'all' ? ZOO.map((z) => z.id) : splitList(text, '--models');
  return items.map((item): SweepModel => {
    if (/\.ya?ml$/i.test(item)) {
      const src = io.readText(item);
      const g = loadYamlModel(src, item);
      return { name: item, source: { kind: 'yaml', file: item, text: src }, nativeResolution: g.resolution ?? g.inputs[0]?.shape[3] ?? 0 };
    }
    if (/\.(onnx|tflite)$/i.test(item) || /[/\\]/.test(item)) {
      throw new EdgeplanError('bad_value', `sweep takes zoo ids and .yaml models, not '${item}'`, { path: '--models', fix: 'simulate an imported model with `edgeplan simulate --model FILE`, or sweep its zoo counterpart' });
    }
    const e = atFlag('--models', () => findZooEntry(item));
    return { name: e.id, source: { kind: 'zoo', id: e.id }, nativeResolution: e.resolution };
  });
}

/** Progress on stderr, redrawn at most ten times a second; nothing unless stderr is a terminal. */
function progressBar(io: Io, total: number, enabled: boolean) {
  let last = -Infinity;
  const t0 = io.now();
  return {
    update(done: number) {
      if (!enabled) return;
      const t = io.now();
      if (done < total && t - last < 100) return;
      last = t;
      const width = 30, filled = Math.round((done / total) * width);
      io.err(`\rsweep [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} configurations, ${((t - t0) / 1e3).toFixed(1)} s`);
    },
    clear() {
      if (enabled) io.err('\r\x1b[K');
    },
  };
}

export function sweepCommand(io: Io) {
  return {
    command: 'sweep',
    describe: 'Simulate a grid of devices × models × resolutions × precisions × batch sizes into a CSV (sharded, on worker threads)',
    builder: (y: Argv) => y
      .option('devices', { type: 'string', demandOption: true, describe: 'comma-separated device ids or profile .yaml files, each optionally :unit (jetson-agx-orin-64gb:dla0); `all` for every built-in' })
      .option('models', { type: 'string', demandOption: true, describe: 'comma-separated zoo ids or .yaml models; `all` for the whole zoo' })
      .option('precisions', { type: 'string', default: 'fp32,fp16,int8,int4', describe: 'comma-separated precisions' })
      .option('resolutions', { type: 'string', describe: 'comma-separated input sides (default: each model\'s own)' })
      .option('batch', { type: 'string', default: '1', describe: 'comma-separated batch sizes' })
      .option('shard', { type: 'string', default: '1/1', describe: 'k/n: evaluate only grid rows with index % n == k - 1 (join with `edgeplan merge`)' })
      .option('jobs', { type: 'number', describe: 'worker threads (default: the CPU count)' })
      .option('out', { type: 'string', describe: 'CSV file to write (default: stdout)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary (and no progress bar); without --out the rows too' })
      .check((a) => {
        if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || (a.jobs as number) < 1 || (a.jobs as number) > 256)) throw new Error(`--jobs must be an integer from 1 to 256, got ${a.jobs}`);
        return true;
      })
      .example('$0 sweep --devices jetson-orin-nano,coral-usb --models mobilenet-v2,resnet-50 --precisions fp32,int8 --resolutions 160,224 --out results.csv', '16 configurations; fp32 on the Edge TPU becomes an error row')
      .example('$0 sweep --devices all --models all --shard 3/8 --out part-3.csv', 'one of eight independent jobs'),
    handler: async (argv: SweepArgs) => {
      checkOutPath(argv.out);
      const shard = parseShard(argv.shard);
      const precisions = parsePrecisions(argv.precisions);
      const resolutions = argv.resolutions === undefined ? [] : parsePositiveInts(argv.resolutions, '--resolutions', 16384, '160,224');
      const batches = parsePositiveInts(argv.batch, '--batch', 4096, '1,4');
      const { devices, profiles } = resolveDevices(io, argv.devices);
      const models = resolveModels(io, argv.models);
      const inputs: SweepInputs = { grid: canonicalGrid({ devices, models, precisions, resolutions, batches }), profiles };
      const configs = gridSize(inputs.grid);
      if (configs > MAX_GRID_POINTS) {
        throw new EdgeplanError('bad_value', `the grid has ${configs.toLocaleString('en-US')} configurations, more than one sweep takes (${MAX_GRID_POINTS.toLocaleString('en-US')})`, { path: '--devices/--models', fix: 'split the sweep by device or model, or drop axes' });
      }
      const id = gridId(inputs);
      const points = expandGrid(inputs.grid, shard);
      const jobs = argv.jobs ?? (points.length < INLINE_BELOW ? 1 : availableParallelism());
      const bar = progressBar(io, points.length, io.isTty && !argv.json && !process.env.CI);
      const t0 = io.now();
      const lines = await runPoints(inputs, points, { jobs, onProgress: (d) => bar.update(d) });
      bar.clear();
      const seconds = (io.now() - t0) / 1e3;
      const csv = sweepCsv(inputs, id, configs, shard, lines);
      const errors = lines.filter((l) => !l.endsWith(',')).length;
      if (argv.out) io.writeText(argv.out, csv);
      const summary = { grid: id, configs, shard: `${shard.k}/${shard.n}`, rows: points.length, error_rows: errors, jobs, seconds: Number(seconds.toFixed(3)), out: argv.out ?? null };
      if (argv.json) {
        io.out(toJson(argv.out ? summary : { ...summary, csv }));
      } else if (argv.out) {
        const rate = seconds > 0 ? `, ${Math.round(points.length / seconds).toLocaleString('en-US')} configurations/s` : '';
        io.out(`wrote ${points.length.toLocaleString('en-US')} row${points.length === 1 ? '' : 's'} (${errors} with an error) of grid ${id}${shard.n > 1 ? ` shard ${shard.k}/${shard.n}` : ''} to ${argv.out} in ${seconds.toFixed(1)} s${rate}\n`);
      } else {
        io.out(csv);
      }
    },
  };
}
