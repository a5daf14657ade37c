/**
 * Worker thread body: receives the sweep inputs once (workerData), then batches of grid points,
 * and answers each batch with its CSV lines. Graphs stay cached for the worker's life.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SweepEvaluator } from './evaluate.ts';
import type { WorkerReply, WorkerTask } from './pool.ts';
import type { SweepInputs } from './types.ts';

const evaluator = new SweepEvaluator(workerData as SweepInputs);
const port = parentPort!;
port.on('message', (task: WorkerTask) => {
  const reply: WorkerReply = { id: task.id, lines: evaluator.evaluate(task.points) };
  port.postMessage(reply);
});
port.postMessage({ ready: true });
