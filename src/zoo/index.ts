/**
 * The model zoo: real architectures built by code from their upstream recipes, so params and
 * MACs can be checked against published figures (test/zoo/counts.test.ts).
 */
import { EdgeplanError } from '../errors/index.ts';
import { suggestFrom } from '../graph/suggest.ts';
import type { Graph } from '../graph/types.ts';
import { efficientnetEntries } from './efficientnet.ts';
import { mlperfTinyEntries } from './mlperf-tiny.ts';
import { mobilenetEntries } from './mobilenet.ts';
import { resnetEntries } from './resnet.ts';
import { yoloEntries } from './yolo.ts';
import { vitEntries } from './vit.ts';
import { inceptionEntries } from './inception.ts';
import { squeezenetEntries } from './squeezenet.ts';
import { shufflenetEntries } from './shufflenet.ts';
import { ssdEntries } from './ssd.ts';
import { segmentationEntries } from './segmentation.ts';
import { extraClassifierEntries } from './extra-classifiers.ts';
import { ssdV1Entries } from './ssd-v1.ts';
import { mcuExtraEntries } from './mcu-extra.ts';
import { mcuExtra2Entries } from './mcu-extra2.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

export type { ZooEntry, BuildOptions } from './types.ts';

export const ZOO: readonly ZooEntry[] = [
  ...mobilenetEntries, ...efficientnetEntries, ...resnetEntries,
  ...inceptionEntries, ...squeezenetEntries, ...shufflenetEntries,
  ...extraClassifierEntries, ...vitEntries, ...ssdV1Entries, ...ssdEntries, ...segmentationEntries, ...yoloEntries, ...mlperfTinyEntries, ...mcuExtraEntries, ...mcuExtra2Entries,
];

export function zooIds(): string[] {
  return ZOO.map((e) => e.id);
}

export function findZooEntry(id: string): ZooEntry {
  const q = id.toLowerCase();
  const e = ZOO.find((z) => z.id === q || z.aliases?.includes(q));
  if (!e) {
    const s = suggestFrom(q, ZOO.map((z) => z.id));
    throw new EdgeplanError('unknown_model', `unknown model '${id}'`, {
      fix: s.length ? `did you mean ${s.map((x) => `'${x}'`).join(' or ')}? (edgeplan models lists all)` : 'run `edgeplan models` for the list, or pass a .yaml/.onnx/.tflite file',
    });
  }
  return e;
}

export function buildZooModel(id: string, opts: Partial<BuildOptions> = {}): Graph {
  const e = findZooEntry(id);
  const resolution = opts.resolution ?? e.resolution;
  const widthMultiplier = opts.widthMultiplier ?? e.widthMultiplier ?? 1;
  if (!Number.isInteger(resolution) || resolution <= 0) throw new EdgeplanError('bad_value', `resolution must be a positive integer, got ${resolution}`, { fix: 'pass --resolution 224' });
  if (!(widthMultiplier > 0) || widthMultiplier > 4) throw new EdgeplanError('bad_value', `width multiplier must be in (0, 4], got ${widthMultiplier}`, { fix: 'pass --width-multiplier 0.5' });
  if (!e.resizable && opts.resolution !== undefined && opts.resolution !== e.resolution) {
    throw new EdgeplanError('bad_value', `${e.id} has a fixed input size (${e.resolution}); --resolution does not apply`, { fix: 'drop --resolution for this model' });
  }
  return e.build({ resolution, widthMultiplier });
}
