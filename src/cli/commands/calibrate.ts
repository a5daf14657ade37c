/**
 * `edgeplan calibrate --device host`: reads the CPU's cache sizes from /sys, exports a fixed set of
 * zoo models and synthetic streaming probes to ONNX, times each with ONNX Runtime on this CPU
 * (totals from a plain session, per-kernel times from a second, profiled one), fits the host
 * profile's per-op-class efficiencies, overheads and cache/memory bandwidths to the kernel times
 * and the totals (src/import/host-fit.ts) and writes the fitted profile. Prints the fit's own error.
 * Each model is simulated from its exported ONNX file re-imported, i.e. the graph ONNX Runtime runs
 * (SiLU as Sigmoid·Mul, as `simulate --model file.onnx` sees it), not the zoo graph. The profile
 * gets ONNX Runtime's Conv + residual Add fusion for this architecture (withOrtFusions), so a fused
 * kernel is fitted as the Conv that reads the Add's other operand.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { stringify } from 'yaml';
import { EdgeplanError } from '../../errors/index.ts';
import { parseProfile } from '../../hardware/index.ts';
import { exportOnnx, fitHostProfile, importModel, type HostSample } from '../../import/index.ts';
import { attributeNodeTimes, bandwidthProbes, withCpuCaches, withOrtFusions, type CpuCache } from '../../import/host-fit.ts';

import { buildZooModel } from '../../zoo/index.ts';
import { loadDeviceArg } from '../device-arg.ts';
import { table, toJson } from '../format.ts';
import type { Io } from '../io.ts';
import { DEFAULT_MIN_TIME_MS, measureOnnx } from './measure.ts';

/**
 * The fit set, chosen to span op classes and sizes rather than model families: dense 3×3 convs
 * small to large (resnet8-cifar 12 M MACs … vgg-16 15 G), 1×1-heavy and depthwise 3×3 (MobileNet
 * V1/V2, SSD-MobileNetV2), depthwise 5×5/7×7 (MnasNet, EfficientNet-Lite, MCUNet), grouped conv,
 * split/concat/transpose (ShuffleNet, SqueezeNet, Inception-v2), SE blocks and hard-swish
 * (MobileNetV3-Small), SiLU, resize and concat at 640 px (YOLO11n), decoders with resize (U-Net),
 * tiny models where dispatch dominates (VWW, MCUNet-in1). Models used to check the fit
 * (scripts/host-holdout.ts) are deliberately not in this list.
 */
export const CALIBRATION_MODELS: readonly string[] = [
  'resnet8-cifar', 'mobilenet-v1-025-vww', 'mcunet-in1', 'mcunet-in3', 'mcunet-in4', 'mobilenet-v3-small',
  'shufflenet-v2', 'squeezenet-1.1', 'mobilenet-v2', 'mnasnet-1.0', 'mobilenet-v1', 'efficientnet-lite0',
  'efficientnet-lite2', 'unet-mobilenet-v2', 'ssd-mobilenet-v2', 'resnet-18', 'inception-v2', 'yolo11n', 'vgg-16',
];

/** Cache levels of cpu0 as Linux lists them; empty where /sys is absent (not Linux). */
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function readCpuCaches(root = '/sys/devices/system/cpu/cpu0/cache'): CpuCache[] {
  if (!existsSync(root)) return [];
  const size = (t: string) => { const m = /^(\d+)([KMG]?)/.exec(t.trim()); return m ? Number(m[1]) * ({ '': 1, K: 1024, M: 1048576, G: 1073741824 } as Record<string, number>)[m[2]] : 0; };
  return readdirSync(root).filter((d) => /^index\d+$/.test(d)).sort().map((d) => {
    const read = (f: string) => readFileSync(join(root, d, f), 'utf8').trim();
    return { level: Number(read('level')), type: read('type'), sizeBytes: size(read('size')) };
  }).filter((c) => c.sizeBytes > 0);
}

/** The CPU feature flags of cpu0 as Linux lists them (/proc/cpuinfo), or undefined where that file is absent. */
export function readCpuFlags(path = '/proc/cpuinfo'): string[] | undefined {
  if (!existsSync(path)) return undefined;
  const line = readFileSync(path, 'utf8').split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  return line ? line.split(':')[1].trim().split(/\s+/) : undefined;
}

export interface CalibrateArgs { device: string; threads?: number; runs: number; minTimeMs?: number; passes?: number; statistic?: 'median' | 'min'; out: string; json: boolean }

export async function runCalibrate(io: Io, a: CalibrateArgs) {
  const loaded = loadDeviceArg(io, a.device);
  const u0 = loaded.units[loaded.default_unit];
  if (u0.kind !== 'cpu') throw new EdgeplanError('bad_value', `calibrate measures the CPU this runs on, but ${loaded.id}'s default unit is a ${u0.kind}`, { fix: 'use --device host (or a CPU profile of this machine)' });
  const caches = readCpuCaches();
  const base = withOrtFusions(withCpuCaches(loaded, caches), process.arch, readCpuFlags());
  const u = base.units[base.default_unit];
  const stat = a.statistic ?? 'median';
  const threads = a.threads ?? u.threads?.value ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'edgeplan-calibrate-'));
  const samples: HostSample[] = [];
  const passes = a.passes ?? 3;
  let nodeCount = 0;
  try {
    const cases = [...bandwidthProbes(), ...CALIBRATION_MODELS.map((id) => ({ model: id, graph: buildZooModel(id), streaming: false }))];
    const totals = new Map<string, number[]>();
    const pending: Omit<HostSample, 'measuredMs'>[] = [];
    for (const c of cases) {
      const path = join(dir, `${c.model}.onnx`);
      const bytes = exportOnnx(c.graph, { seed: 1 });
      writeFileSync(path, bytes);
      const m = await measureOnnx(io, path, { threads, runs: a.runs, minTimeMs: a.minTimeMs, warmup: Math.min(5, a.runs), profileRuns: a.runs });
      totals.set(c.model, [stat === 'min' ? m.min_ms : m.median_ms]);
      const graph = importModel(bytes, path).graph;
      const att = attributeNodeTimes(graph, m.nodes ?? []);
      pending.push({ model: c.model, graph, layerUs: att.layerUs, streaming: c.streaming });
      nodeCount += att.matchedNodes;
      if (io.isTty) io.err(`measured ${c.model}: ${m.median_ms.toFixed(2)} ms (median), ${att.matchedNodes} of ${m.nodes?.length ?? 0} kernels matched to ${graph.layers.length} layers\n`);
    }
    // Further passes over the whole set time the totals again: a machine's speed drifts over a
    // minute (other tenants, clock), and the median of interleaved passes is not one slow spell.
    for (let pass = 1; pass < passes; pass++) {
      for (const c of cases) {
        const m = await measureOnnx(io, join(dir, `${c.model}.onnx`), { threads, runs: a.runs, minTimeMs: a.minTimeMs, warmup: Math.min(5, a.runs) });
        totals.get(c.model)!.push(stat === 'min' ? m.min_ms : m.median_ms);
      }
    }
    for (const p of pending) samples.push({ ...p, measuredMs: median(totals.get(p.model)!) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cacheNote = caches.length ? `; cache sizes read from /sys at calibrate time: ${caches.map((c) => `L${c.level} ${c.type} ${c.sizeBytes} B`).join(', ')}` : '; /sys cache sizes unavailable';
  const source = `edgeplan calibrate: least-squares log-error fit to ${nodeCount} ONNX Runtime CPU kernel times (profiler medians), per-layer and per-call overheads from ${stat} totals (median of ${passes} passes), of ${samples.length} models (4 Add streaming probes and ${CALIBRATION_MODELS.join(', ')}), ${threads} thread(s), at least ${a.runs} runs and ${a.minTimeMs ?? DEFAULT_MIN_TIME_MS} ms of runs per model and pass`;
  const fit = fitHostProfile(base, samples, threads, source);
  const profile = {
    ...fit.profile,
    id: `${base.id}-calibrated`,
    name: `${base.name.replace(/ \(uncalibrated placeholder\)$/, '')} (calibrated, ${threads} thread(s))`,
    aliases: [],
    notes: [...(base.notes ?? []).filter((n) => !/until calibrated/.test(n)), `Efficiencies, overheads and bandwidths fitted by edgeplan calibrate (${threads} thread(s)); the fit's median |error| on its own models was ${fit.median_abs_error_pct.toFixed(1)} %${cacheNote}.`],
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
      .option('runs', { type: 'number', default: 20, describe: 'fewest timed runs per model and pass (also the profiled runs per model)' })
      .option('min-time-ms', { type: 'number', default: DEFAULT_MIN_TIME_MS, describe: 'per model and pass, time until the runs add up to this many ms (as measure does; 0: exactly --runs runs)' })
      .option('passes', { type: 'number', default: 3, describe: 'interleaved timing passes over the set; each model\'s total is the median over passes' })
      .option('statistic', { choices: ['median', 'min'] as const, default: 'median' as const, describe: 'per-model statistic fitted (min is robust to other processes on a busy machine)' })
      .option('out', { type: 'string', demandOption: true, describe: 'profile .yaml to write' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .check((x) => {
        for (const k of ['threads', 'runs', 'passes'] as const) {
          const v = x[k];
          if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) throw new Error(`--${k} must be a positive integer, got ${v}`);
        }
        const mt = x['min-time-ms'] as number;
        if (!Number.isFinite(mt) || mt < 0) throw new Error(`--min-time-ms must be a non-negative number, got ${x['min-time-ms']}`);
        return true;
      })
      .example('$0 calibrate --device host --threads 1 --out host-calibrated.yaml', 'fit, then: edgeplan simulate --device host-calibrated.yaml --model m.onnx'),
    handler: async (argv: CalibrateArgs) => {
      const r = await runCalibrate(io, argv);
      if (argv.json) { io.out(toJson({ profile: r.id, out: r.out, threads: r.threads, median_abs_error_pct: r.fit.median_abs_error_pct, ...(r.fit.dispatch ? { dispatch: r.fit.dispatch } : {}), rows: r.fit.rows })); return; }
      io.out(table(['model', 'measured', 'predicted', 'error'], r.fit.rows.map((x) => [x.model, `${x.measured_ms.toFixed(2)} ms`, `${x.predicted_ms.toFixed(2)} ms`, `${x.error_pct >= 0 ? '+' : ''}${x.error_pct.toFixed(1)} %`]), [false, true, true, true]));
      const d = r.fit.dispatch;
      // A negative gap is ORT's profiler's own cost per node: profiled kernel times exceed what the
      // same kernels take unprofiled (200 chained Relu kernels on 256 floats: 2.0 µs each profiled,
      // 0.28 µs each in an unprofiled run, on the project host).
      if (d) io.out(`\nfitted on ${d.nodes} kernel times: per-kernel overhead ${d.kernelOverheadUs.toFixed(2)} µs as profiled, ${(d.kernelOverheadUs + d.gapUs).toFixed(2)} µs per layer in unprofiled runs (${d.gapUs < 0 ? `ORT's profiler adds ${(-d.gapUs).toFixed(2)} µs per kernel` : `dispatch gap ${d.gapUs.toFixed(2)} µs`}), per-call ${d.fixedUs.toFixed(1)} µs\n`);
      io.out(`\nwrote ${r.out} (${r.id}, ${r.threads} thread(s)); fit median |error| ${r.fit.median_abs_error_pct.toFixed(1)} % on its ${r.fit.rows.length} models (in-sample; check held-out models with scripts/host-holdout.ts)\n`);
    },
  };
}
