/**
 * MLPerf Tiny's four reference int8 models (mlcommons/tiny @1afd2c9, benchmark/training/<task>/trained_models,
 * Apache-2.0, kept as fixtures): edgeplan's core activation peak and bare int8 weight bytes of the
 * imported graph must equal an independent count made straight from the file's tensor and operator
 * tables — no IR, no cost model.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importModel } from '../../src/import/index.ts';
import { readTfliteRoot } from '../../src/import/tflite-schema.ts';
import { corePeak } from '../../src/memory/liveness.ts';

const FILES = ['pretrainedResnet_quant.tflite', 'vww_96_int8.tflite', 'kws_ref_model.tflite', 'ad01_int8.tflite'];

// tensorflow/lite/schema/schema.fbs: TensorType element sizes, and builtin operator codes used here.
const TYPE_BYTES: Record<number, number> = { 0: 4, 1: 2, 2: 4, 3: 1, 4: 8, 6: 1, 7: 2, 9: 1, 10: 8 };
const RESHAPE = 22, SQUEEZE = 43, CONV_2D = 3, DEPTHWISE_CONV_2D = 4, FULLY_CONNECTED = 9;

/** Liveness straight from the flatbuffer: variable tensors live from producer to last consumer; reshapes alias. */
function independentCount(bytes: Uint8Array) {
  const model = readTfliteRoot(bytes);
  const codes = model.tables(1).map((c) => Math.max(c.int(0, 0, 1), c.int(3)));
  const buffers = model.tables(4);
  const sg = model.tables(2)[0];
  const tensors = sg.tables(0);
  const isConst = (t: number) => (buffers[tensors[t].int(2)]?.bytes(0)?.length ?? 0) > 0;
  const size = (t: number) => tensors[t].ints(0).reduce((a, b) => a * b, 1) * TYPE_BYTES[tensors[t].int(1, 0, 1)];
  const ops = sg.tables(3);
  const owner = new Map<number, number>();
  const start = new Map<number, number>(), end = new Map<number, number>();
  for (const t of sg.ints(1)) { owner.set(t, t); start.set(t, 0); end.set(t, 0); }
  let weights = 0;
  ops.forEach((op, step) => {
    const code = codes[op.int(0)];
    const ins = op.ints(1).filter((t) => t >= 0), outs = op.ints(2);
    if (code === CONV_2D || code === DEPTHWISE_CONV_2D || code === FULLY_CONNECTED) {
      for (const t of ins.slice(1)) if (isConst(t)) weights += buffers[tensors[t].int(2)].bytes(0)!.length;
    }
    for (const t of ins) if (!isConst(t)) { const o = owner.get(t) ?? t; end.set(o, Math.max(end.get(o) ?? step, step)); }
    for (const t of outs) {
      if ((code === RESHAPE || code === SQUEEZE) && ins.length) owner.set(t, owner.get(ins[0]) ?? ins[0]);
      else { owner.set(t, t); start.set(t, step); end.set(t, Math.max(end.get(t) ?? step, step)); }
    }
  });
  for (const t of sg.ints(2)) end.set(owner.get(t) ?? t, ops.length - 1);
  let peak = 0;
  for (let s = 0; s < ops.length; s++) {
    let live = 0;
    for (const [t, st] of start) if (st <= s && s <= end.get(t)!) live += size(t);
    peak = Math.max(peak, live);
  }
  return { peak, weights };
}

describe('MLPerf Tiny reference .tflite models: core peak and int8 weights bytes', () => {
  it.each(FILES)('%s', (file) => {
    const bytes = new Uint8Array(readFileSync(`test/fixtures/mlperf-tiny/${file}`));
    const ref = independentCount(bytes);
    const g = importModel(bytes, file).graph;
    const ours = corePeak(g, (n) => g.layers.find((l) => l.name === n)?.dtype ?? 'int8');
    expect(ours.peakBytes).toBe(ref.peak);
    expect(g.layers.reduce((s, l) => s + l.weightBytes, 0)).toBe(ref.weights);
  });
});
