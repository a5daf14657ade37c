/**
 * ShuffleNetV2: torchvision/models/shufflenetv2.py (`ShuffleNetV2`, `InvertedResidual`,
 * `channel_shuffle`). stages_repeats [4, 8, 4]; stages_out_channels per width from the
 * `shufflenet_v2_x*` constructors. The width multiplier selects one of those four tables
 * (the channel counts are not a formula of the multiplier), so only 0.5/1.0/1.5/2.0 are accepted.
 * Check values (`ShuffleNet_V2_X*_Weights` meta, 224): x0_5 1,366,792 / 0.040 GMACs;
 * x1_0 2,278,604 / 0.145; x1_5 3,503,624 / 0.296; x2_0 7,393,996 / 0.583.
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import { EdgeplanError } from '../errors/index.ts';
import { conv, dwconv, imageInput } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

const STAGES_REPEATS: readonly number[] = [4, 8, 4];
/** stages_out_channels: [conv1, stage2, stage3, stage4, conv5] by width multiplier. */
const STAGES_OUT_CHANNELS: ReadonlyMap<number, readonly number[]> = new Map([
  [0.5, [24, 48, 96, 192, 1024]],
  [1.0, [24, 116, 232, 464, 1024]],
  [1.5, [24, 176, 352, 704, 1024]],
  [2.0, [24, 244, 488, 976, 2048]],
]);

/** channel_shuffle(x, groups): view [n, g, c/g, h, w] → transpose(1, 2) → view [n, c, h, w]. */
function channelShuffle(b: GraphBuilder, x: string, name: string, groups: number): string {
  const [n, c, h, w] = b.shapeOf(x);
  let y = b.add(`${name}.shuffle.view`, 'reshape', x, { shape: [n, groups, c / groups, h, w] });
  y = b.add(`${name}.shuffle.transpose`, 'transpose', y, { perm: [0, 2, 1, 3, 4] });
  return b.add(`${name}.shuffle.flatten`, 'reshape', y, { shape: [n, c, h, w] });
}

/** InvertedResidual(inp, oup, stride); Sequential indices kept in the names (BN/ReLU folded). */
function invertedResidual(b: GraphBuilder, x: string, name: string, out: number, stride: number): string {
  const branchFeatures = out / 2;
  const cin = b.channels(x);
  let left: string, right: string;
  if (stride > 1) {
    // branch1: dw 3×3 (stride) + BN → 1×1 + BN + ReLU
    left = dwconv(b, x, `${name}.branch1.0`, 3, stride);
    left = conv(b, left, `${name}.branch1.2`, branchFeatures, 1, 1, { act: 'relu' });
    right = x;
  } else {
    // x.chunk(2, dim=1): the first half passes through, the second feeds branch2.
    left = b.add(`${name}.chunk.0`, 'slice', x, { axis: 1, start: 0, end: cin / 2 });
    right = b.add(`${name}.chunk.1`, 'slice', x, { axis: 1, start: cin / 2, end: cin });
  }
  // branch2: 1×1 + BN + ReLU → dw 3×3 (stride) + BN → 1×1 + BN + ReLU
  right = conv(b, right, `${name}.branch2.0`, branchFeatures, 1, 1, { act: 'relu' });
  right = dwconv(b, right, `${name}.branch2.3`, 3, stride);
  right = conv(b, right, `${name}.branch2.5`, branchFeatures, 1, 1, { act: 'relu' });
  const cat = b.add(`${name}.cat`, 'concat', [left, right], { axis: 1 });
  return channelShuffle(b, cat, name, 2);
}

export function buildShuffleNetV2(o: BuildOptions, classes = 1000): Graph {
  const channels = STAGES_OUT_CHANNELS.get(o.widthMultiplier);
  if (!channels) {
    throw new EdgeplanError('bad_value', `shufflenet-v2 is published at width 0.5, 1.0, 1.5 or 2.0, got ${o.widthMultiplier}`, { fix: 'pass --width-multiplier 0.5, 1, 1.5 or 2' });
  }
  const id = 'shufflenet-v2';
  const b = new GraphBuilder({ name: id, task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${id}` });
  let x = conv(b, b.input, 'conv1.0', channels[0], 3, 2, { act: 'relu' });
  x = b.add('maxpool', 'max_pool', x, { kernel: 3, stride: 2, padding: 1 });
  STAGES_REPEATS.forEach((repeats, si) => {
    for (let i = 0; i < repeats; i++) x = invertedResidual(b, x, `stage${si + 2}.${i}`, channels[si + 1], i === 0 ? 2 : 1);
  });
  x = conv(b, x, 'conv5.0', channels[4], 1, 1, { act: 'relu' });
  x = b.add('mean', 'global_pool', x, { mode: 'avg' }); // x.mean([2, 3])
  x = b.add('flatten', 'flatten', x);
  b.add('fc', 'linear', x, { outFeatures: classes });
  return b.build();
}

export const shufflenetEntries: readonly ZooEntry[] = [
  { id: 'shufflenet-v2', aliases: ['shufflenet_v2_x1_0', 'shufflenet-v2-x1.0'], task: 'classification', resolution: 224, widthMultiplier: 1, resizable: true, reference: 'torchvision/models/shufflenetv2.py (shufflenet_v2_x1_0; width 0.5/1.5/2.0 → x0_5/x1_5/x2_0)', build: (o) => buildShuffleNetV2(o) },
];
