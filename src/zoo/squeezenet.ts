/**
 * SqueezeNet 1.1: torchvision/models/squeezenet.py (`SqueezeNet(version="1_1")`, `Fire`).
 * Every conv has a bias and no BN; max pools are 3×3 stride 2 with ceil_mode=True.
 * Classifier: Dropout → Conv2d 1×1 (512 → classes) → ReLU → AdaptiveAvgPool2d(1) → flatten.
 * Check values (`SqueezeNet1_1_Weights.IMAGENET1K_V1`): 1,235,496 params, `_ops` 0.349 GMACs at 224.
 * widthMultiplier does not apply (SqueezeNet defines none); it is ignored.
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import { imageInput } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

/** `features` Sequential of version 1_1, index by index: Fire = [squeeze, expand1x1, expand3x3]. */
type FeatureRow =
  | readonly ['conv', number, number, number] // out channels, kernel, stride (+ ReLU at the next index)
  | readonly ['pool']
  | readonly ['fire', number, number, number];
const FEATURES_1_1: readonly FeatureRow[] = [
  ['conv', 64, 3, 2], ['pool'],
  ['fire', 16, 64, 64], ['fire', 16, 64, 64], ['pool'],
  ['fire', 32, 128, 128], ['fire', 32, 128, 128], ['pool'],
  ['fire', 48, 192, 192], ['fire', 48, 192, 192], ['fire', 64, 256, 256], ['fire', 64, 256, 256],
];

function fire(b: GraphBuilder, x: string, name: string, squeeze: number, e1: number, e3: number): string {
  const s = b.add(`${name}.squeeze`, 'conv2d', x, { outChannels: squeeze, kernel: 1, bias: true, activation: 'relu' });
  const a = b.add(`${name}.expand1x1`, 'conv2d', s, { outChannels: e1, kernel: 1, bias: true, activation: 'relu' });
  const c = b.add(`${name}.expand3x3`, 'conv2d', s, { outChannels: e3, kernel: 3, padding: 1, bias: true, activation: 'relu' });
  return b.add(`${name}.cat`, 'concat', [a, c], { axis: 1 });
}

export function buildSqueezeNet11(o: BuildOptions, classes = 1000): Graph {
  const b = new GraphBuilder({ name: 'squeezenet-1.1', task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, source: 'zoo:squeezenet-1.1' });
  let x = b.input;
  let idx = 0; // index in torchvision's `features` Sequential (the conv's ReLU takes its own index)
  for (const row of FEATURES_1_1) {
    if (row[0] === 'conv') {
      x = b.add(`features.${idx}`, 'conv2d', x, { outChannels: row[1], kernel: row[2], stride: row[3], padding: 'valid', bias: true, activation: 'relu' });
      idx += 2;
    } else if (row[0] === 'pool') {
      x = b.add(`features.${idx++}`, 'max_pool', x, { kernel: 3, stride: 2, ceilMode: true });
    } else {
      x = fire(b, x, `features.${idx++}`, row[1], row[2], row[3]);
    }
  }
  x = b.add('classifier.1', 'conv2d', x, { outChannels: classes, kernel: 1, bias: true, activation: 'relu' });
  x = b.add('classifier.3', 'global_pool', x, { mode: 'avg' });
  b.add('flatten', 'flatten', x);
  return b.build();
}

export const squeezenetEntries: readonly ZooEntry[] = [
  { id: 'squeezenet-1.1', aliases: ['squeezenet1_1', 'squeezenet'], task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/squeezenet.py (version 1_1)', build: (o) => buildSqueezeNet11(o) },
];
