/**
 * Runs grid points on worker threads (node:worker_threads). Points are grouped by (model,
 * resolution) so each worker builds a graph once and reuses it for every device, precision and
 * batch; groups go largest first to whichever worker is free. Lines come back keyed by batch id
 * and are put in point order, so the output does not depend on the number of threads or timing.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers/index.ts';
import { SweepEvaluator } from './evaluate.ts';
import type { GridPoint, SweepInputs } from './types.ts';

export interface WorkerTask {
  readonly id: number;
  readonly points: readonly GridPoint[];
}

export interface WorkerReply {
  readonly id: number;
  readonly lines: readonly string[];
}

export interface PoolOptions {
  /** Worker threads; 1 evaluates on the calling thread. */
  readonly jobs: number;
  /** Called after each batch with the number of points done so far. */
  readonly onProgress?: (done: number) => void;
}

const WORKER_ENTRY = new URL('./worker.ts', import.meta.url);

/** Splits points into batches that share a graph, at most `maxSize` each, largest first. */
export function batchPoints(points: readonly GridPoint[], maxSize: number): { points: GridPoint[]; offsets: number[] }[] {
  const groups = new Map<string, { points: GridPoint[]; offsets: number[] }>();
  points.forEach((p, i) => {
    const key = `${p.model}@${p.resolution}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { points: [], offsets: [] }));
    g.points.push(p);
    g.offsets.push(i);
  });
  const batches: { points: GridPoint[]; offsets: number[] }[] = [];
  for (const g of groups.values()) {
    for (let i = 0; i < g.points.length; i += maxSize) batches.push({ points: g.points.slice(i, i + maxSize), offsets: g.offsets.slice(i, i + maxSize) });
  }
  // Stable: equal sizes keep grid order.
  return batches.map((b, i) => ({ b, i })).sort((x, y) => y.b.points.length - x.b.points.length || x.i - y.i).map((x) => x.b);
}

/**
 * Evaluates `points` and returns their CSV lines in the same order. With `jobs` > 1 the calling
 * thread works as one of the `jobs` and `jobs - 1` worker threads take the others, all pulling
 * batches from one queue; with 1 (or a single batch) everything runs on the calling thread.
 */
export async function runPoints(inputs: SweepInputs, points: readonly GridPoint[], opts: PoolOptions): Promise<string[]> {
  const lines: string[] = new Array(points.length);
  const jobs = Math.max(1, Math.floor(opts.jobs));
  // Small enough batches that the last ones balance across threads, big enough to share graphs.
  const maxSize = Math.max(16, Math.min(256, Math.ceil(points.length / (jobs * 8))));
  const batches = batchPoints(points, maxSize);
  let next = 0, done = 0;
  const store = (id: number, got: readonly string[]) => {
    const b = batches[id];
    got.forEach((l, j) => { lines[b.offsets[j]] = l; });
    done += b.points.length;
    opts.onProgress?.(done);
  };
  const workers: Worker[] = [];
  let failure: Error | undefined;
  // Set when the run ends: a worker that finishes starting after that is stopped at once.
  let closed = false;
  try {
    // Settles when every worker has gone idle with the queue empty; a worker that fails stops the run.
    const workersDone = new Promise<void>((resolve, reject) => {
      let live = Math.min(jobs - 1, batches.length - 1);
      if (live <= 0) return resolve();
      for (let i = 0; i < live; i++) void startWorker(WORKER_ENTRY, inputs).then((w) => {
        workers.push(w);
        if (closed) return void w.terminate();
        let idle = false;
        const send = () => {
          if (next < batches.length && !failure) {
            const task: WorkerTask = { id: next++, points: batches[next - 1].points };
            w.postMessage(task);
          } else {
            idle = true;
            if (--live === 0) resolve();
          }
        };
        w.on('message', (m: WorkerReply | { ready: true }) => {
          if (!('ready' in m)) store(m.id, m.lines);
          send();
        });
        w.on('error', reject);
        w.on('exit', (code) => { if (!idle) reject(new Error(`a sweep worker thread stopped early (exit code ${code})`)); });
      }, reject);
    }).catch((e: Error) => { failure = e; });
    const ev = new SweepEvaluator(inputs);
    while (next < batches.length && !failure) {
      const id = next++;
      store(id, ev.evaluate(batches[id].points));
      // Let worker replies in (and hand them new batches) between the calling thread's own.
      if (jobs > 1) await new Promise((r) => setImmediate(r));
    }
    await workersDone;
    if (failure) throw failure;
  } finally {
    closed = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return lines;
}
