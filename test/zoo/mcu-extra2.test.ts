/**
 * The models of src/zoo/mcu-extra2.ts against the figures their publishers print. Tolerances: params
 * max(0.5 %, one unit in the last printed digit), MACs max(2 %, one unit), bytes 0.5 %.
 */
import { describe, expect, it } from 'vitest';
import { graphTotals, type Graph } from '../../src/graph/index.ts';
import { buildResNetV1Cifar } from '../../src/zoo/mcu-extra2.ts';
import { buildZooModel, findZooEntry } from '../../src/zoo/index.ts';

/** |actual − published| ≤ max(rel × published, unit). */
function expectNear(actual: number, published: number, rel: number, unit: number, what: string): void {
  const tol = Math.max(rel * published, unit);
  expect(Math.abs(actual - published), `${what}: ${actual} vs published ${published} (±${tol})`).toBeLessThanOrEqual(tol);
}

/** Params as PyTorch counts them: each folded bias stands for BN γ and β; the classifier keeps its bias. */
function torchParams(g: Graph): number {
  return g.layers.reduce((s, l) => s + l.weightElements + (l.op === 'linear' ? 1 : 2) * l.biasElements, 0);
}

/** int8 .tflite / X-CUBE-AI weights: one byte per weight, int32 biases. */
function int8WeightBytes(g: Graph): number {
  return g.layers.reduce((s, l) => s + l.weightElements + 4 * l.biasElements, 0);
}

const M = 1e6;
const KIB = 1024;

describe('MCUNet VWW and ProxylessNAS w0.3 against the mcunet README', () => {
  // mit-han-lab/mcunet @9c164f8 README.md, "The VWW model list" and the ImageNet baseline rows:
  // net_id | MACs | #Params | ... | resolution. #Params are PyTorch counts (BN γ/β included).
  const rows = [
    { id: 'mcunet-vww0', macs: 6.0 * M, params: 0.37 * M, resolution: 64 },
    { id: 'mcunet-vww1', macs: 11.6 * M, params: 0.43 * M, resolution: 80 },
    { id: 'mcunet-vww2', macs: 55.8 * M, params: 0.64 * M, resolution: 144 },
    { id: 'proxylessnas-w03', macs: 38.3 * M, params: 0.75 * M, resolution: 176 },
  ];
  for (const r of rows) {
    it(`${r.id}: ${r.macs / M} M MACs, ${r.params / M} M params at ${r.resolution}`, () => {
      expect(findZooEntry(r.id).resolution).toBe(r.resolution);
      const g = buildZooModel(r.id);
      expectNear(graphTotals(g).macs, r.macs, 0.02, 0.1 * M, 'MACs');
      expectNear(torchParams(g), r.params, 0.005, 0.01 * M, 'params');
    });
  }

  it('mcunet-vww1 matches the int8 .tflite it was read from, exactly', () => {
    // mit-han-lab/tinyengine @47bb283 assets/vww.tflite (mcunet-5fps_vww, 80×80×3) read with
    // src/import: 426,634 stored weight + bias elements and 11,578,816 MACs.
    const t = graphTotals(buildZooModel('mcunet-vww1'));
    expect(t.params).toBe(426_634);
    expect(t.macs).toBe(11_578_816);
  });

  it('knows the model_zoo.py net ids and net names as aliases', () => {
    expect(findZooEntry('mcunet-10fps_vww').id).toBe('mcunet-vww0');
    expect(findZooEntry('mcunet-320kB-vww').id).toBe('mcunet-vww2');
    expect(findZooEntry('proxyless-w0.3').id).toBe('proxylessnas-w03');
  });
});

describe('ST model zoo models against their published weights', () => {
  it('resnet32-cifar100: 464.38 KiB of X-CUBE-AI weights', () => {
    // STMicroelectronics/stm32ai-modelzoo @6f10965 image_classification/resnetv1/README.md,
    // resnet_v1_32_32_tfs (CIFAR-100): Weights Flash 464.38 KiB (= 475,525 B, mcu-memory.csv).
    expectNear(int8WeightBytes(buildZooModel('resnet32-cifar100')), 464.38 * KIB, 0.005, 0, 'weight bytes');
  });

  it('ResNet-32 with 10 classes has the 0.46 M params of He et al. 2016 (Table 6)', () => {
    const g = buildResNetV1Cifar('resnet32-cifar10', 32, 10, { resolution: 32, widthMultiplier: 1 });
    expectNear(graphTotals(g).params, 0.46 * M, 0.005, 0.01 * M, 'params');
  });

  it('st-yolo-lc-v1: 276.73 KiB of weights at 192, 224 and 256', () => {
    // object_detection/st_yolo_lc_v1/README.md, MCU footprint table: Weights Flash 276.73 KiB at every size.
    for (const resolution of [192, 224, 256]) {
      expectNear(int8WeightBytes(buildZooModel('st-yolo-lc-v1', { resolution })), 276.73 * KIB, 0.005, 0, `weight bytes at ${resolution}`);
    }
  });

  it('st-ssd-mobilenet-v1-025: 483.16 KiB at 192 and 675.64 KiB at 224/256, anchors included', () => {
    // object_detection/st_ssd_mobilenet_v1/README.md, MCU footprint table. X-CUBE-AI's weights also hold
    // the constant anchor-box output (n_anchors × 4 float32), which the graph carries as constantBytes:
    // with it the totals match to a few bytes (6825 anchors at 224 and 256, 3830 at 192).
    for (const [resolution, kib, anchors] of [[192, 483.16, 3830], [224, 675.64, 6825], [256, 675.64, 6825]] as const) {
      const g = buildZooModel('st-ssd-mobilenet-v1-025', { resolution });
      const boxes = g.layers.find((l) => l.name === 'bboxes_concat')!;
      expect(boxes.outputShape).toEqual([1, anchors, 4]);
      expect(g.constantBytes).toBe(anchors * 4 * 4);
      expectNear(int8WeightBytes(g) + g.constantBytes!, kib * KIB, 0.005, 0, `weight bytes at ${resolution}`);
    }
  });

  it('st-ssd-mobilenet-v1-025 uses the 5-map layout at 192 and the 6-map one above', () => {
    const heads = (r: number) => buildZooModel('st-ssd-mobilenet-v1-025', { resolution: r }).layers.filter((l) => l.name.endsWith('.cls')).map((l) => l.outputShape[2]);
    expect(heads(192)).toEqual([24, 12, 6, 3, 1]);
    expect(heads(224)).toEqual([32, 16, 8, 4, 2, 1]);
    expect(heads(256)).toEqual([32, 16, 8, 4, 2, 1]);
  });
});
