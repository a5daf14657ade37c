/** Resolves `--model ID|file` to a graph: zoo ids are built, .yaml files loaded, .onnx/.tflite imported. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EdgeplanError } from '../errors/index.ts';
import { loadYamlModel, type Graph } from '../graph/index.ts';
import { importModel, type ImportResult } from '../import/index.ts';
import { buildZooModel } from '../zoo/index.ts';
import type { Io } from './io.ts';

export interface ModelArgs {
  readonly model: string;
  readonly resolution?: number;
  readonly widthMultiplier?: number;
}

/** Reads a binary model file; a missing path or a directory is a one-line input error. */
export function readModelBytes(io: Io, path: string): Uint8Array {
  if (!existsSync(path)) throw new EdgeplanError('file_not_found', 'model file not found', { file: path, fix: 'check the path (relative paths resolve from the current directory)' });
  if (statSync(path).isDirectory()) throw new EdgeplanError('file_not_found', 'model path is a directory', { file: path, fix: 'pass a .onnx or .tflite file' });
  return io.readBytes(path);
}

/** Imports an .onnx/.tflite file; external data files are read next to the model. */
export function importModelFile(io: Io, path: string, resolution?: number): ImportResult {
  const bytes = readModelBytes(io, path);
  return importModel(bytes, path, {
    resolution,
    readExternal: (loc) => {
      const p = join(dirname(path), loc);
      return existsSync(p) && !statSync(p).isDirectory() ? new Uint8Array(readFileSync(p)) : undefined;
    },
  });
}

export function loadModelArg(io: Io, a: ModelArgs): Graph {
  const m = a.model;
  if (/\.(ya?ml)$/i.test(m)) {
    return loadYamlModel(io.readText(m), m, { resolution: a.resolution, widthMultiplier: a.widthMultiplier });
  }
  if (/\.(onnx|tflite)$/i.test(m)) {
    if (a.widthMultiplier !== undefined && a.widthMultiplier !== 1) {
      throw new EdgeplanError('bad_value', '--width-multiplier does not apply to an imported model', { file: m, fix: 'drop --width-multiplier (the file fixes the channel counts)' });
    }
    const r = importModelFile(io, m, a.resolution);
    for (const w of r.warnings) io.err(`warning: ${m}: ${w}\n`);
    return r.graph;
  }
  if (/[/\\]/.test(m) || /\.\w+$/.test(m)) {
    throw new EdgeplanError('bad_model_file', `cannot tell the model format of '${m}'`, { file: m, fix: 'use a .yaml, .onnx or .tflite file, or a zoo id' });
  }
  try {
    return buildZooModel(m, { resolution: a.resolution, widthMultiplier: a.widthMultiplier });
  } catch (e) {
    throw e instanceof EdgeplanError && e.code === 'unknown_model' ? e.withLocation({ path: '--model' }) : e;
  }
}
