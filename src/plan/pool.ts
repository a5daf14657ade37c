/**
 * Solves the points of a Pareto sweep on worker threads (node:worker_threads), each worker with its
 * own HiGHS instance. Every point is an independent solve (milp.ts gives each a fresh native model),
 * so results are placed by index and do not depend on the number of threads or on timing.
 * Workers are started when the pool is made, so loading the solver overlaps the caller's own
 * first solve (the fastest plan, which fixes the sweep's range).
 */
import { Worker } from 'node:worker_threads';
import { solveMilpSweep, type MilpBudgets, type MilpModel, type MilpSolutionWithGap, type Objective } from './milp.ts';

export interface SweepTask {
  readonly id: number;
  readonly budgets: MilpBudgets;
  readonly objective: Objective;
  readonly tieBreakMs: number;
  readonly limit: number;
}

export interface SweepReply {
  readonly id: number;
  readonly solution: MilpSolutionWithGap;
}

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export interface SolverPool {
  /** One solve per latency limit, in the order given. */
  solve(budgets: MilpBudgets, objective: Objective, tieBreakMs: number, limits: readonly number[]): Promise<MilpSolutionWithGap[]>;
  close(): Promise<void>;
}

/** A pool of `jobs` worker threads for `model`; with jobs ≤ 1 it solves on the calling thread. */
export function solverPool(model: MilpModel, jobs: number): SolverPool {
  const n = Math.max(0, Math.floor(jobs));
  if (n <= 1) {
    return {
      solve: (budgets, objective, tieBreakMs, limits) => solveMilpSweep(model, budgets, objective, tieBreakMs, limits),
      close: async () => {},
    };
  }
  const workers = Array.from({ length: n }, () => new Worker(WORKER_ENTRY, { workerData: model }));
  const ready = workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  }));
  return {
    async solve(budgets, objective, tieBreakMs, limits) {
      const out: MilpSolutionWithGap[] = new Array(limits.length);
      let next = 0;
      await Promise.all(workers.map(async (w, k) => {
        await ready[k];
        while (next < limits.length) {
          const id = next++;
          const task: SweepTask = { id, budgets, objective, tieBreakMs, limit: limits[id] };
          out[id] = await new Promise<MilpSolutionWithGap>((resolve, reject) => {
            const onMessage = (r: SweepReply) => { w.off('error', onError); resolve(r.solution); };
            const onError = (e: Error) => { w.off('message', onMessage); reject(e); };
            w.once('message', onMessage);
            w.once('error', onError);
            w.postMessage(task);
          });
        }
      }));
      return out;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
