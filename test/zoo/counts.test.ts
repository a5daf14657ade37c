import { describe, expect, it } from 'vitest';
import { graphTotals, type Graph } from '../../src/graph/index.ts';
import { buildZooModel, ZOO } from '../../src/zoo/index.ts';
import { readReferenceRows, REFERENCE_FILE, type ReferenceRow } from './reference-figures.ts';

const { rows, skipped } = readReferenceRows();

/** Params under the convention the source used (see ReferenceRow). */
function paramsAs(g: Graph, row: ReferenceRow): number {
  const t = graphTotals(g);
  if (row.paramsConvention === 'weights-only') return g.layers.reduce((s, l) => s + l.weightElements + (l.attrs.batchnorm ? 0 : l.biasElements), 0);
  if (row.paramsConvention === 'stored') return g.layers.reduce((s, l) => s + l.weightElements + l.biasElements, 0);
  return t.params;
}

function macsAs(g: Graph, row: ReferenceRow): number {
  const t = graphTotals(g);
  if (row.macsConvention === 'tf-elementwise') {
    // The Lite README's MAdds exceed the conv MACs by ≈3 per BN output element for all five
    // rows (BN scale, shift and the ReLU6 clip counted as ops by the TF profiler).
    const bnElems = g.layers.reduce((s, l) => s + (l.attrs.batchnorm ? l.outputShape.reduce((a, b) => a * b, 1) : 0), 0);
    return t.macs + 3 * bnElems;
  }
  return t.macs;
}

describe(`zoo counts against ${REFERENCE_FILE.replace(/.*\/(shared|test)\//, '$1/')}`, () => {
  it('reads a substantial set of reference rows', () => {
    expect(rows.length).toBeGreaterThan(60);
  });

  it('reads all four MobileNetV3 paper figures', () => {
    expect(rows.filter((r) => r.source.includes('paper')).length).toBe(4);
  });

  it('covers every zoo family that the reference file lists', () => {
    const covered = new Set(rows.map((r) => r.id));
    for (const id of ['mobilenet-v2', 'mobilenet-v3-large', 'mobilenet-v3-small', 'efficientnet-b0', 'efficientnet-lite0', 'efficientnet-lite4', 'resnet-18', 'resnet-50', 'yolov8n', 'yolov8s', 'yolov8m', 'yolo11n', 'yolo11s', 'vit-b-16', 'squeezenet-1.1', 'shufflenet-v2', 'mnasnet-1.0', 'densenet-121', 'vgg-16', 'resnet-101', 'resnet8-cifar', 'mobilenet-v1-025-vww', 'ds-cnn', 'fc-autoencoder']) {
      expect(covered.has(id), id).toBe(true);
    }
    // Rows naming models the zoo does not build are listed, not silently dropped.
    expect(skipped.some((s) => s.includes('resnet34'))).toBe(true);
  });

  const cases = rows.filter((r) => ZOO.some((z) => z.id === r.id));
  it.each(cases.map((r) => [r.source, r] as const))('%s', (_name, row) => {
    const g = buildZooModel(row.id, { resolution: row.resolution, widthMultiplier: row.widthMultiplier });
    if (row.params !== undefined) {
      const p = paramsAs(g, row);
      expect(Math.abs(p - row.params), `params ${p} vs ${row.params} (tolerance ±${Math.round(row.paramsTol!)})`).toBeLessThanOrEqual(row.paramsTol!);
    }
    if (row.macs !== undefined) {
      const m = macsAs(g, row);
      expect(Math.abs(m - row.macs), `MACs ${m} vs ${row.macs} (tolerance ±${Math.round(row.macsTol!)})`).toBeLessThanOrEqual(row.macsTol!);
    }
  });
});

describe('zoo graphs are well formed', () => {
  it.each(ZOO.map((z) => [z.id] as const))('%s: layer sums equal totals, topological, no empty tensors', (id) => {
    const g = buildZooModel(id);
    const seen = new Set(g.inputs.map((i) => i.name));
    for (const l of g.layers) {
      for (const i of l.inputs) expect(seen.has(i), `${l.name} reads ${i} before it exists`).toBe(true);
      seen.add(l.name);
      expect(l.outputShape.every((d) => Number.isInteger(d) && d > 0), l.name).toBe(true);
    }
    const t = graphTotals(g);
    expect(g.layers.reduce((s, l) => s + l.params, 0)).toBe(t.params);
    expect(t.params).toBeGreaterThan(0);
    expect(new Set(g.layers.map((l) => l.name)).size).toBe(g.layers.length);
  });

  it('--resolution rebuilds shapes: MACs scale with pixel count for a fully convolutional net', () => {
    const a = graphTotals(buildZooModel('yolov8n', { resolution: 320 })).macs;
    const b = graphTotals(buildZooModel('yolov8n', { resolution: 640 })).macs;
    expect(b / a).toBeCloseTo(4, 2);
  });

  it('--width-multiplier rebuilds channels', () => {
    const g = buildZooModel('mobilenet-v2', { widthMultiplier: 0.5 });
    expect(g.layers[0].outputShape[1]).toBe(16);
    expect(graphTotals(g).params).toBeLessThan(graphTotals(buildZooModel('mobilenet-v2')).params);
  });

  it('rejects a resolution on fixed-input models and bad multipliers', () => {
    expect(() => buildZooModel('ds-cnn', { resolution: 64 })).toThrow(/fixed input size/);
    expect(() => buildZooModel('mobilenet-v2', { widthMultiplier: -1 })).toThrow(/width multiplier/);
  });
});

/**
 * Models the reference file does not list, checked against figures from their own upstream
 * sources (cited per row). Params exact to 0.5 %, MACs to 2 %.
 */
const OTHER_PUBLISHED: readonly { id: string; opts?: { widthMultiplier?: number }; params?: number; macs?: number; source: string }[] = [
  // torchvision/models/inception.py Inception_V3_Weights meta: num_params 27,161,264 with AuxLogits
  // (98,560 + 2,459,136 + 769,000 params), _ops 5.713 GFLOPS (= GMACs) at 299.
  { id: 'inception-v3', params: 27_161_264 - (98_560 + 2_459_136 + 769_000), macs: 5.713e9, source: 'torchvision inception_v3 meta (eval graph, no aux head)' },
  // torchvision/models/shufflenetv2.py meta: x1_5 3,503,624 params 0.296 GFLOPS; x2_0 7,393,996 / 0.583.
  { id: 'shufflenet-v2', opts: { widthMultiplier: 1.5 }, params: 3_503_624, macs: 0.296e9, source: 'torchvision shufflenet_v2_x1_5 meta' },
  { id: 'shufflenet-v2', opts: { widthMultiplier: 2.0 }, params: 7_393_996, macs: 0.583e9, source: 'torchvision shufflenet_v2_x2_0 meta' },
  // tensorflow/models research/deeplab/g3doc/model_zoo.md: mobilenetv2_coco_voc_trainaug, 2.75B MAdds (OS 16, 513, single scale).
  { id: 'deeplabv3-mobilenet-v2', macs: 2.75e9, source: 'TF DeepLab model zoo, mobilenetv2_coco_voc_trainaug (OS 16)' },
  // MobileNets paper (arXiv 1704.04861) Table 13: SSD 300 / MobileNet 6.8 M params, 1.2 B Mult-Adds (printed to 0.1 B).
  { id: 'ssd-mobilenet-v1', params: 6.8e6, source: 'MobileNets paper Table 13 (params; 6.8 M printed to 0.1 M → within 0.5 %)' },
  // OpenVINO open_model_zoo googlenet-v4-tf (the TF-slim checkpoint): 12.292 GMACs (24.584 GFLOPs / 2).
  { id: 'inception-v4', macs: 12.292e9, source: 'OpenVINO open_model_zoo googlenet-v4-tf' },
  // TF-slim mobilenet README, Edge TPU checkpoints: mobilenet_edgetpu_224_1.0 990 M MACs.
  { id: 'mobilenet-edgetpu', macs: 990e6, source: 'TF-slim mobilenet README, Edge TPU table' },
];

describe('zoo counts against other published figures', () => {
  it.each(OTHER_PUBLISHED.map((r) => [`${r.id} ${JSON.stringify(r.opts ?? {})} — ${r.source}`, r] as const))('%s', (_n, r) => {
    const t = graphTotals(buildZooModel(r.id, r.opts));
    if (r.params !== undefined) expect(Math.abs(t.params - r.params) / r.params).toBeLessThanOrEqual(0.005);
    if (r.macs !== undefined) expect(Math.abs(t.macs - r.macs) / r.macs).toBeLessThanOrEqual(0.02);
  });

  it('unet-mobilenet-v2 matches the Keras summary of the TF segmentation tutorial model (6,504,227 incl. BN moving stats)', () => {
    // Keras counts BN moving mean and variance as (non-trainable) params: 2 per BN channel more.
    const g = buildZooModel('unet-mobilenet-v2');
    const bnChannels = g.layers.reduce((s, l) => s + (l.attrs.batchnorm ? l.outputShape[1] : 0), 0);
    expect(graphTotals(g).params + 2 * bnChannels).toBe(6_504_227);
  });
});
