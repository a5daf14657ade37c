/**
 * Solves the chains of a Pareto sweep (milp.ts solveMilpChain) on worker threads
 * (node:worker_threads), each worker with its own HiGHS instance. A chain's result depends only on
 * its limits, so results are placed by index and do not depend on the number of threads or on
 * timing. Workers are started when the pool is made, so loading the solver overlaps the caller's
 * own first solve (the fastest plan, which fixes the sweep's range).
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers/index.ts';
import { solveMilpChain, type MilpBudgets, type MilpModel, type MilpSolutionWithGap, type Objective } from './milp.ts';

export interface ChainTask {
  readonly id: number;
  readonly budgets: MilpBudgets;
  readonly objective: Objective;
  readonly tieBreakMs: number;
  readonly limits: readonly number[];
}

export interface ChainReply {
  readonly id: number;
  readonly solutions: readonly MilpSolutionWithGap[];
}

const WORKER_ENTRY = new URL('./worker.ts', import.meta.url);

export interface SolverPool {
  /** Solves each chain of latency limits; results in the order given. */
  solveChains(budgets: MilpBudgets, objective: Objective, tieBreakMs: number, chains: readonly (readonly number[])[]): Promise<MilpSolutionWithGap[][]>;
  close(): Promise<void>;
}

/** A pool of `jobs` worker threads for `model`; with jobs ≤ 1 it solves on the calling thread. */
export function solverPool(model: MilpModel, jobs: number): SolverPool {
  const n = Math.max(0, Math.floor(jobs));
  if (n <= 1) {
    return {
      solveChains: async (budgets, objective, tieBreakMs, chains) => {
        const out: MilpSolutionWithGap[][] = [];
        for (const c of chains) out.push(await solveMilpChain(model, budgets, objective, tieBreakMs, c));
        return out;
      },
      close: async () => {},
    };
  }
  const workers: Worker[] = [];
  const ready = Array.from({ length: n }, async () => {
    const w = await startWorker(WORKER_ENTRY, model);
    workers.push(w);
    await new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    return w;
  });
  // A worker that fails to start is handled in solveChains; until then the rejection is expected.
  for (const r of ready) r.catch(() => {});
  return {
    async solveChains(budgets, objective, tieBreakMs, chains) {
      const out: MilpSolutionWithGap[][] = new Array(chains.length);
      let next = 0;
      await Promise.all(ready.map(async (started) => {
        // A worker that cannot start leaves its share to the others; if none starts, this thread
        // solves every chain (same results: a chain depends only on its limits).
        const w = await started.catch(() => undefined);
        if (!w) return;
        while (next < chains.length) {
          const id = next++;
          const task: ChainTask = { id, budgets, objective, tieBreakMs, limits: chains[id] };
          out[id] = await new Promise<MilpSolutionWithGap[]>((resolve, reject) => {
            const onMessage = (r: ChainReply) => { w.off('error', onError); resolve([...r.solutions]); };
            const onError = (e: Error) => { w.off('message', onMessage); reject(e); };
            w.once('message', onMessage);
            w.once('error', onError);
            w.postMessage(task);
          });
        }
      }));
      for (let id = 0; id < chains.length; id++) out[id] ??= await solveMilpChain(model, budgets, objective, tieBreakMs, chains[id]);
      return out;
    },
    async close() {
      await Promise.allSettled(ready);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
