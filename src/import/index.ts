/**
 * src/import owns reading model files into the graph IR: ONNX (onnx.ts, via onnx-proto) and
 * TFLite (tflite.ts, via a minimal flatbuffers reader of schema.fbs), plus the reverse direction
 * for the host runtime (onnx-export.ts: zoo graphs as runnable ONNX) and the host profile fit that
 * uses those exports (host-fit.ts). Pure: bytes in, graph out; the CLI reads files and the clock.
 */
export type { ImportOptions, ImportResult } from './types.ts';
export { importOnnx } from './onnx.ts';
export { importTflite } from './tflite.ts';
export { exportOnnx, type ExportOptions } from './onnx-export.ts';
export { fitHostProfile, type HostSample, type HostFit } from './host-fit.ts';

import { EdgeplanError } from '../errors/index.ts';
import { importOnnx } from './onnx.ts';
import { importTflite } from './tflite.ts';
import type { ImportOptions, ImportResult } from './types.ts';

/** Imports by file extension (.onnx or .tflite). */
export function importModel(bytes: Uint8Array, file: string, opts: ImportOptions = {}): ImportResult {
  if (/\.onnx$/i.test(file)) return importOnnx(bytes, file, opts);
  if (/\.tflite$/i.test(file)) return importTflite(bytes, file, opts);
  throw new EdgeplanError('bad_model_file', 'not an .onnx or .tflite file', { file, fix: 'pass a .onnx or .tflite model' });
}
