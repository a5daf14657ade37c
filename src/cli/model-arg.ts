/** Resolves `--model ID|file` to a graph: zoo ids are built, .yaml files loaded. */
import { EdgeplanError } from '../errors/index.ts';
import { loadYamlModel, type Graph } from '../graph/index.ts';
import { buildZooModel } from '../zoo/index.ts';
import type { Io } from './io.ts';

export interface ModelArgs {
  readonly model: string;
  readonly resolution?: number;
  readonly widthMultiplier?: number;
}

export function loadModelArg(io: Io, a: ModelArgs): Graph {
  const m = a.model;
  if (/\.(ya?ml)$/i.test(m)) {
    return loadYamlModel(io.readText(m), m, { resolution: a.resolution, widthMultiplier: a.widthMultiplier });
  }
  if (/\.(onnx|tflite)$/i.test(m)) {
    throw new EdgeplanError('bad_model_file', 'ONNX/TFLite import is not available in this version', { file: m, fix: 'use a zoo id (edgeplan models) or a YAML model' });
  }
  if (/[/\\]/.test(m) || /\.\w+$/.test(m)) {
    throw new EdgeplanError('bad_model_file', `cannot tell the model format of '${m}'`, { file: m, fix: 'use a .yaml, .onnx or .tflite file, or a zoo id' });
  }
  return buildZooModel(m, { resolution: a.resolution, widthMultiplier: a.widthMultiplier });
}
