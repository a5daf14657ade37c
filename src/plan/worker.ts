/**
 * Worker thread body for the Pareto sweep: receives the MILP model once (workerData), loads the
 * solver, says it is ready, then answers each task (one latency limit) with its solution.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { solveMilpSweep, type MilpModel } from './milp.ts';
import type { SweepReply, SweepTask } from './pool.ts';

const model = workerData as MilpModel;
const port = parentPort!;
// Load the WebAssembly solver before saying ready (an empty model solves instantly).
await solveMilpSweep({ layers: [], groups: [], constLatMs: 0, constEnergyMj: 0, idleW: 0, liveAtStep: [] }, {}, 'accuracy', 0);
port.on('message', async (t: SweepTask) => {
  const [solution] = await solveMilpSweep(model, t.budgets, t.objective, t.tieBreakMs, [t.limit]);
  const reply: SweepReply = { id: t.id, solution };
  port.postMessage(reply);
});
port.postMessage({ ready: true });
