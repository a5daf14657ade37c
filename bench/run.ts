/**
 * `npm run bench`: speed targets, printed as PASS or MISS (not part of `npm test`).
 * Clock reads live here, outside src/.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { simulate } from '../src/cost/index.ts';
import { GraphBuilder } from '../src/graph/index.ts';
import { parseProfile } from '../src/hardware/index.ts';
import { buildZooModel, ZOO } from '../src/zoo/index.ts';
import { planModel, prepare, paretoFront } from '../src/plan/index.ts';

function timeMs(fn: () => void, reps: number): number {
  fn(); fn(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

const profile = parseProfile(readFileSync('hardware-profiles/jetson-orin-nano-8gb.yaml', 'utf8'), 'jetson-orin-nano-8gb.yaml');

// A 1,000-layer residual chain of 3×3 convs with adds.
const b = new GraphBuilder({ name: 'chain-1000', task: 'bench', inputs: [{ name: 'input', shape: [1, 32, 56, 56], dtype: 'fp32' }], source: 'bench' });
let x = b.add('stem', 'conv2d', b.input, { outChannels: 32, kernel: 3 });
for (let i = 0; b.build().layers.length < 1000; i++) {
  const y = b.add(`conv${i}`, 'conv2d', x, { outChannels: 32, kernel: 3, activation: 'relu' });
  x = b.add(`add${i}`, 'add', [x, y]);
}
const big = b.build();

const rows: [string, number, number, string][] = [];
rows.push(['simulate, 1,000-layer graph (warm)', timeMs(() => simulate(big, profile, { precision: 'fp16', batch: 1 }), 20), 20, 'ms']);
rows.push(['build all zoo models', timeMs(() => ZOO.forEach((z) => z.build({ resolution: z.resolution, widthMultiplier: z.widthMultiplier ?? 1 })), 3), 2000, 'ms']);
const yolo = buildZooModel('yolov8m');
rows.push(['simulate yolov8m', timeMs(() => simulate(yolo, profile, { precision: 'int8', batch: 1 }), 20), 20, 'ms']);

// Planner: a ≥ 300-layer model (yolo11l, 302 layers) at half its baseline latency, and a 50-point Pareto front.
const big300 = buildZooModel('yolo11l');
await planModel(big300, profile, { latencyMs: 1 }); // load the solver (WebAssembly) once
{
  const base = prepare(big300, profile, {}).baseline.latencyMs;
  const t0 = performance.now();
  await planModel(big300, profile, { latencyMs: base / 2 });
  rows.push([`plan yolo11l (${big300.layers.length} layers) at half its baseline latency`, performance.now() - t0, 1000, 'ms']);
}
{
  const g = buildZooModel('mobilenet-v2');
  const t0 = performance.now();
  const prep = prepare(g, profile, {});
  const front = await paretoFront(prep, profile, {}, { jobs: os.availableParallelism() }, 50);
  rows.push([`Pareto front of mobilenet-v2 on the Orin GPU, 50 budgets (${front.length} non-dominated points)`, performance.now() - t0, 5000, 'ms']);
}
{
  const mcu = parseProfile(readFileSync('hardware-profiles/stm32h7a3.yaml', 'utf8'), 'stm32h7a3.yaml');
  const t0 = performance.now();
  const prep = prepare(buildZooModel('mobilenet-v1-025-vww'), mcu, {});
  const front = await paretoFront(prep, mcu, { peakActivationBytes: 128 * 1024 }, { jobs: os.availableParallelism() }, 50);
  rows.push([`Pareto front of the VWW MobileNet on stm32h7a3 under 128 KiB SRAM, 50 budgets (${front.length} points)`, performance.now() - t0, 5000, 'ms']);
}

{
  // Sweep (src/sweep): every built-in device × every zoo model × 3 resolutions × 4 precisions
  // (≈ 10,000 configurations) on all cores, workers included; target 10,000 in < 10 s.
  const sw = await import('../src/sweep/index.ts');
  const { readdirSync } = await import('node:fs');
  const profiles = Object.fromEntries(readdirSync('hardware-profiles').filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => parseProfile(readFileSync(`hardware-profiles/${f}`, 'utf8'), f)).map((p) => [p.id, p]));
  const grid = sw.canonicalGrid({
    devices: Object.values(profiles).map((p) => ({ key: p.id, unit: p.default_unit })),
    models: ZOO.map((z) => ({ name: z.id, source: { kind: 'zoo', id: z.id }, nativeResolution: z.resolution })),
    precisions: ['fp32', 'fp16', 'int8', 'int4'], resolutions: [160, 224, 320], batches: [1],
  });
  const points = sw.expandGrid(grid);
  const jobs = os.availableParallelism();
  const t0 = performance.now();
  await sw.runPoints({ grid, profiles }, points, { jobs });
  const ms = performance.now() - t0;
  rows.push([`sweep ${points.length} configurations on ${jobs} threads (${Math.round(points.length / (ms / 1e3))} configurations/s; load average ${os.loadavg()[0].toFixed(1)})`, ms, points.length, 'ms']);
}

// Import of a ~100 MB ONNX file (resnet-50 exported with fp32 weights).
{
  const { exportOnnx, importModel } = await import('../src/import/index.ts');
  const bytes = exportOnnx(buildZooModel('resnet-50'));
  importModel(bytes, 'resnet-50.onnx');
  const t0 = performance.now();
  importModel(bytes, 'resnet-50.onnx');
  rows.push([`import a ${(bytes.length / 1e6).toFixed(0)} MB ONNX (resnet-50, fp32 weights)`, performance.now() - t0, 2000, 'ms']);
}

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'} × ${os.cpus().length}, node ${process.version}`);
for (const [name, ms, target, unit] of rows) console.log(`${ms <= target ? 'PASS' : 'MISS'}  ${name}: ${ms.toFixed(2)} ${unit} (target < ${target} ${unit})`);
