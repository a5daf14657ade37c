/**
 * `edgeplan measure`: times an ONNX model with ONNX Runtime on the host CPU (onnxruntime-node,
 * CPU execution provider, all graph optimisations on, sequential execution): warm-up runs, then
 * timed runs until there are at least `runs` of them AND they add up to at least `minTimeMs`
 * (the adaptive stopping rule of benchmark libraries: Google Benchmark's --benchmark_min_time,
 * pyperf's minimum run time), at most `maxRuns`. A sub-millisecond model thus gets hundreds or
 * thousands of runs spread over a second instead of 20 runs over a few milliseconds, so a short
 * slow spell of a shared machine (another tenant, a timer interrupt storm) moves its median less,
 * and the quartiles show how much the runs disagreed. Reported: median (the statistic
 * compared), min, max, the quartiles and their IQR, and the median absolute deviation, in
 * milliseconds, plus the IQR as a share of the median (spread). Inputs are random (seeded) tensors
 * of the model's input shapes (dynamic H/W fixed by --resolution).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { EdgeplanError } from '../../errors/index.ts';
import { toJson } from '../format.ts';
import type { Io } from '../io.ts';
import { importModelFile, readModelBytes } from '../model-arg.ts';

export interface MeasureOptions {
  readonly threads?: number;
  /** Fewest timed runs. */
  readonly runs: number;
  readonly warmup: number;
  /** Keep timing until the timed runs add up to at least this many ms (default 1000; 0: exactly `runs`). */
  readonly minTimeMs?: number;
  /** Most timed runs, whatever minTimeMs says (default 10 000). */
  readonly maxRuns?: number;
  readonly resolution?: number;
  /** Also run a second, profiled session this many times and return per-node times (ORT's profiler). */
  readonly profileRuns?: number;
}

/** One ONNX Runtime kernel as its profiler names it, with the median of its durations over the profiled runs. */
export interface NodeTime {
  readonly name: string;
  readonly op: string;
  readonly dur_us: number;
}

export interface Measurement {
  readonly model: string;
  readonly threads: number | null;
  /** Timed runs done. */
  readonly runs: number;
  /** The stopping rule: at least min_runs runs and min_time_ms of timed runs (at most max_runs). */
  readonly min_runs: number;
  readonly min_time_ms: number;
  readonly max_runs: number;
  readonly warmup: number;
  readonly input_shapes: readonly (readonly number[])[];
  readonly median_ms: number;
  readonly min_ms: number;
  readonly max_ms: number;
  /** First and third quartiles and their difference (interquartile range). */
  readonly p25_ms: number;
  readonly p75_ms: number;
  readonly iqr_ms: number;
  /** Median absolute deviation from the median (unscaled). */
  readonly mad_ms: number;
  /** IQR as a percentage of the median: how much the runs disagree. */
  readonly spread_pct: number;
  /** Sum of the timed runs. */
  readonly timed_ms: number;
  readonly session_ms: number;
  /** Per-node medians in execution order (only with profileRuns): ORT's profile, `cat: "Node"` events. */
  readonly nodes?: readonly NodeTime[];
}

export const DEFAULT_MIN_TIME_MS = 1000;
export const DEFAULT_MAX_RUNS = 10000;
/** measure prints a note when the IQR is above this share of the median. */
export const SPREAD_WARN_PCT = 10;

/** The q-quantile of sorted values, linearly interpolated between order statistics (Hyndman & Fan type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

/** Median, quartiles, IQR, MAD and spread of run times (ms). */
export function runStats(times: readonly number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const p25 = quantile(sorted, 0.25), p75 = quantile(sorted, 0.75);
  const mad = quantile(sorted.map((t) => Math.abs(t - median)).sort((a, b) => a - b), 0.5);
  return {
    median_ms: median, min_ms: sorted[0], max_ms: sorted[sorted.length - 1], p25_ms: p25, p75_ms: p75, iqr_ms: p75 - p25, mad_ms: mad,
    spread_pct: median > 0 ? (100 * (p75 - p25)) / median : 0, timed_ms: times.reduce((a, b) => a + b, 0),
  };
}

/**
 * Times `run` after `warmup` untimed calls: at least `minRuns` timed calls and, unless `maxRuns`
 * stops it first, until they add up to `minTimeMs`. Returns each call's time (ms).
 */
export async function timeRuns(now: () => number, run: () => Promise<unknown>, o: { minRuns: number; warmup: number; minTimeMs: number; maxRuns: number }): Promise<number[]> {
  for (let k = 0; k < o.warmup; k++) await run();
  const times: number[] = [];
  let total = 0;
  while (times.length < o.maxRuns && (times.length < o.minRuns || total < o.minTimeMs)) {
    const t = now();
    await run();
    const dt = now() - t;
    times.push(dt);
    total += dt;
  }
  return times;
}

/**
 * Per-node median durations from an ONNX Runtime profile (Chrome trace JSON: events with
 * `cat: "Node"`, `name` = node name + "_kernel_time", `dur` in µs, `args.op_name`), in the order
 * the nodes first ran. Pure, so the fit's input is testable without a runtime.
 */
export function parseOrtProfile(trace: unknown): NodeTime[] {
  if (!Array.isArray(trace)) return [];
  const byName = new Map<string, { op: string; durs: number[] }>();
  for (const e of trace as { cat?: string; name?: string; dur?: number; args?: { op_name?: string } }[]) {
    if (e?.cat !== 'Node' || typeof e.name !== 'string' || typeof e.dur !== 'number' || !e.name.endsWith('_kernel_time')) continue;
    const name = e.name.slice(0, -'_kernel_time'.length);
    const r = byName.get(name) ?? { op: e.args?.op_name ?? '', durs: [] };
    r.durs.push(e.dur);
    byName.set(name, r);
  }
  return [...byName].map(([name, r]) => {
    const s = [...r.durs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return { name, op: r.op, dur_us: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 };
  });
}

export async function measureOnnx(io: Io, path: string, o: MeasureOptions): Promise<Measurement> {
  if (!/\.onnx$/i.test(path)) throw new EdgeplanError('bad_value', 'measure runs .onnx files only', { file: path, fix: 'export a zoo model first: edgeplan export --model ID --format onnx --out model.onnx' });
  // The importer validates the file (one-line errors for corrupt files and open input shapes).
  const g = importModelFile(io, path, o.resolution).graph;
  const bytes = readModelBytes(io, path);
  const ort = await import('onnxruntime-node');
  const t0 = io.now();
  let session;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
      ...(o.threads ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {}),
    });
  } catch (e) {
    throw new EdgeplanError('bad_model_file', `ONNX Runtime cannot load the model: ${(e as Error).message.split('\n')[0]}`, { file: path, fix: 'check that the model runs in onnxruntime (opset ≤ 21, standard ops)' });
  }
  const sessionMs = io.now() - t0;
  try {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const i of g.inputs) {
      const n = i.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let k = 0; k < n; k++) data[k] = rnd();
      feeds[i.name] = new ort.Tensor('float32', data, [...i.shape]);
    }
    const minTimeMs = o.minTimeMs ?? DEFAULT_MIN_TIME_MS;
    const maxRuns = Math.max(o.runs, o.maxRuns ?? DEFAULT_MAX_RUNS);
    const times = await timeRuns(() => io.now(), () => session.run(feeds), { minRuns: o.runs, warmup: o.warmup, minTimeMs, maxRuns });
    let nodes: NodeTime[] | undefined;
    if (o.profileRuns) {
      // A separate session: profiling adds a little time per node, so totals come from the plain one.
      const dir = mkdtempSync(join(tmpdir(), 'edgeplan-ortprof-'));
      const ps = await ort.InferenceSession.create(bytes, {
        executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
        ...(o.threads ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {}),
        enableProfiling: true, profileFilePrefix: join(dir, 'ort'),
      });
      try {
        // Warm-up runs stay in the trace; per-node medians over many runs drop them.
        for (let k = 0; k < o.warmup + o.profileRuns; k++) await ps.run(feeds);
        ps.endProfiling();
        const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
        const events: unknown[] = [];
        for (const f of files.slice(-1)) events.push(...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown[]));
        nodes = parseOrtProfile(events);
      } finally {
        await ps.release();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return {
      model: path, threads: o.threads ?? null, runs: times.length, min_runs: o.runs, min_time_ms: minTimeMs, max_runs: maxRuns, warmup: o.warmup,
      input_shapes: g.inputs.map((i) => i.shape), ...runStats(times), session_ms: sessionMs, ...(nodes ? { nodes } : {}),
    };
  } catch (e) {
    if (e instanceof EdgeplanError) throw e;
    throw new EdgeplanError('bad_model_file', `ONNX Runtime failed to run the model: ${(e as Error).message.split('\n')[0]}`, { file: path, fix: 'check the input shape (--resolution) and that the model runs in onnxruntime' });
  } finally {
    await session.release();
  }
}

export function measureCommand(io: Io) {
  return {
    command: 'measure',
    describe: 'Time an ONNX model on this machine\'s CPU with ONNX Runtime (warm-up, then at least --runs runs and --min-time-ms of them; median, IQR, MAD, min/max)',
    builder: (y: Argv) => y
      .option('model', { type: 'string', demandOption: true, describe: '.onnx file' })
      .option('threads', { type: 'number', describe: 'intra-op threads (default: ONNX Runtime\'s choice)' })
      .option('runs', { type: 'number', default: 20, describe: 'fewest timed runs (timing goes on until --min-time-ms is reached too)' })
      .option('min-time-ms', { type: 'number', default: DEFAULT_MIN_TIME_MS, describe: 'keep timing until the timed runs add up to this many ms (0: exactly --runs runs); a fast model gets many runs, so a slow spell on a busy machine moves the median less' })
      .option('max-runs', { type: 'number', default: DEFAULT_MAX_RUNS, describe: 'stop after this many timed runs even before --min-time-ms' })
      .option('warmup', { type: 'number', default: 5, describe: 'untimed runs first' })
      .option('resolution', { type: 'number', describe: 'side for dynamic input height/width' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .check((a) => {
        for (const k of ['threads', 'runs', 'resolution', 'max-runs'] as const) {
          const v = a[k];
          if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) throw new Error(`--${k} must be a positive integer, got ${v}`);
        }
        if (!Number.isInteger(a.warmup) || (a.warmup as number) < 0) throw new Error(`--warmup must be a non-negative integer, got ${a.warmup}`);
        const mt = a['min-time-ms'] as number;
        if (!Number.isFinite(mt) || mt < 0) throw new Error(`--min-time-ms must be a non-negative number, got ${a['min-time-ms']}`);
        return true;
      })
      .example('$0 measure --model mobilenet-v2.onnx --threads 2', 'median latency on the host CPU (≥ 20 runs and ≥ 1 s of them)')
      .example('$0 measure --model tiny.onnx --runs 50 --min-time-ms 3000', 'a sub-millisecond model: 3 s of runs, thousands of them')
      .example('$0 measure --model m.onnx --runs 10 --min-time-ms 0', 'exactly 10 timed runs')
      .example('$0 measure --model det.onnx --resolution 640 --runs 10 --json', 'a model with dynamic H/W, as JSON'),
    handler: async (argv: { model: string; threads?: number; runs: number; 'min-time-ms': number; 'max-runs': number; warmup: number; resolution?: number; json: boolean }) => {
      const m = await measureOnnx(io, argv.model, { threads: argv.threads, runs: argv.runs, minTimeMs: argv['min-time-ms'], maxRuns: argv['max-runs'], warmup: argv.warmup, resolution: argv.resolution });
      if (argv.json) { io.out(toJson(m)); return; }
      const f = (x: number) => x.toFixed(3);
      io.out(`${m.model}: median ${f(m.median_ms)} ms (IQR ${f(m.p25_ms)}–${f(m.p75_ms)}, spread ${m.spread_pct.toFixed(1)} %; MAD ${f(m.mad_ms)}; min ${f(m.min_ms)}, max ${f(m.max_ms)}) over ${m.runs} runs (${m.timed_ms.toFixed(0)} ms) after ${m.warmup} warm-up, ${m.threads ?? 'default'} thread(s), input ${m.input_shapes.map((s) => s.join('x')).join(', ')}\n`);
      if (m.spread_pct > SPREAD_WARN_PCT) io.err(`note: the runs spread widely (IQR ${m.spread_pct.toFixed(0)} % of the median): other processes are probably competing for the CPU; compare min, or raise --min-time-ms\n`);
    },
  };
}
