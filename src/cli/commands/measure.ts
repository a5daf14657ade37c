/**
 * `edgeplan measure`: times an ONNX model with ONNX Runtime on the host CPU (onnxruntime-node,
 * CPU execution provider, all graph optimisations on, sequential execution): warm-up runs, then
 * median, min and max of the timed runs, in milliseconds. Inputs are random (seeded) tensors of
 * the model's input shapes (dynamic H/W fixed by --resolution).
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
  readonly runs: number;
  readonly warmup: number;
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
  readonly runs: number;
  readonly warmup: number;
  readonly input_shapes: readonly (readonly number[])[];
  readonly median_ms: number;
  readonly min_ms: number;
  readonly max_ms: number;
  readonly session_ms: number;
  /** Per-node medians in execution order (only with profileRuns): ORT's profile, `cat: "Node"` events. */
  readonly nodes?: readonly NodeTime[];
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
    for (let k = 0; k < o.warmup; k++) await session.run(feeds);
    const times: number[] = [];
    for (let k = 0; k < o.runs; k++) {
      const t = io.now();
      await session.run(feeds);
      times.push(io.now() - t);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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
    return { model: path, threads: o.threads ?? null, runs: o.runs, warmup: o.warmup, input_shapes: g.inputs.map((i) => i.shape), median_ms: median, min_ms: sorted[0], max_ms: sorted[sorted.length - 1], session_ms: sessionMs, ...(nodes ? { nodes } : {}) };
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
    describe: 'Time an ONNX model on this machine\'s CPU with ONNX Runtime (warm-up, then median/min/max)',
    builder: (y: Argv) => y
      .option('model', { type: 'string', demandOption: true, describe: '.onnx file' })
      .option('threads', { type: 'number', describe: 'intra-op threads (default: ONNX Runtime\'s choice)' })
      .option('runs', { type: 'number', default: 20, describe: 'timed runs' })
      .option('warmup', { type: 'number', default: 5, describe: 'untimed runs first' })
      .option('resolution', { type: 'number', describe: 'side for dynamic input height/width' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .check((a) => {
        for (const k of ['threads', 'runs', 'resolution'] as const) {
          const v = a[k];
          if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) throw new Error(`--${k} must be a positive integer, got ${v}`);
        }
        if (!Number.isInteger(a.warmup) || (a.warmup as number) < 0) throw new Error(`--warmup must be a non-negative integer, got ${a.warmup}`);
        return true;
      })
      .example('$0 measure --model mobilenet-v2.onnx --threads 2', 'median latency on the host CPU')
      .example('$0 measure --model det.onnx --resolution 640 --runs 10 --json', 'a model with dynamic H/W, as JSON'),
    handler: async (argv: { model: string; threads?: number; runs: number; warmup: number; resolution?: number; json: boolean }) => {
      const m = await measureOnnx(io, argv.model, { threads: argv.threads, runs: argv.runs, warmup: argv.warmup, resolution: argv.resolution });
      if (argv.json) { io.out(toJson(m)); return; }
      io.out(`${m.model}: median ${m.median_ms.toFixed(3)} ms (min ${m.min_ms.toFixed(3)}, max ${m.max_ms.toFixed(3)}) over ${m.runs} runs after ${m.warmup} warm-up, ${m.threads ?? 'default'} thread(s), input ${m.input_shapes.map((s) => s.join('x')).join(', ')}\n`);
    },
  };
}
