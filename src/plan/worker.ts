/**
 * Worker thread body for the Pareto sweep: receives the MILP model once (workerData), loads the
 * solver, says it is ready, then answers each task (a chain of latency limits) with its solutions.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { solveMilpChain, solveMilpSweep, type MilpModel } from './milp.ts';
import type { ChainReply, ChainTask } from './pool.ts';

const model = workerData as MilpModel;
const port = parentPort!;
// Load the WebAssembly solver before saying ready (an empty model solves instantly).
await solveMilpSweep({ layers: [], groups: [], constLatMs: 0, constEnergyMj: 0, idleW: 0, liveAtStep: [] }, {}, 'accuracy', 0);
port.on('message', async (t: ChainTask) => {
  const solutions = await solveMilpChain(model, t.budgets, t.objective, t.tieBreakMs, t.limits);
  const reply: ChainReply = { id: t.id, solutions };
  port.postMessage(reply);
});
port.postMessage({ ready: true });
