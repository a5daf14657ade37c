/**
 * MobileNet V1 / V2 / V3 builders.
 * V1: TF-slim `mobilenet_v1.py` (_CONV_DEFS) and the MLPerf Tiny VWW model (vww_model.py).
 * V2: torchvision/models/mobilenetv2.py (`inverted_residual_setting`), model-reference.md §7.1.
 * V3: torchvision/models/mobilenetv3.py (`_mobilenet_v3_conf`), model-reference.md §7.2.
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Activation } from '../graph/types.ts';
import { classifier, conv, dwconv, imageInput, makeDivisible, squeezeExcite } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

/** TF-slim MobileNetV1 layer list: [stride, out channels] of each depthwise-separable block. */
const V1_BLOCKS: readonly (readonly [number, number])[] = [
  [1, 64], [2, 128], [1, 128], [2, 256], [1, 256], [2, 512],
  [1, 512], [1, 512], [1, 512], [1, 512], [1, 512], [2, 1024], [1, 1024],
];

export function buildMobileNetV1(id: string, o: BuildOptions, classes = 1000, task = 'classification', bnParams = true): ReturnType<GraphBuilder['build']> {
  const b = new GraphBuilder({ name: id, task, inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${id}` });
  // TF-slim depth(): max(int(d * alpha), 8)
  const depth = (d: number) => Math.max(Math.floor(d * o.widthMultiplier), 8);
  const convOpts = bnParams ? {} : { bn: false, bias: true };
  let x = conv(b, b.input, 'conv1', depth(32), 3, 2, { act: 'relu6', ...convOpts });
  V1_BLOCKS.forEach(([s, c], i) => {
    x = dwconv(b, x, `block${i + 1}.dw`, 3, s, { act: 'relu6', ...convOpts });
    x = conv(b, x, `block${i + 1}.pw`, depth(c), 1, 1, { act: 'relu6', ...convOpts });
  });
  classifier(b, x, classes);
  return b.build();
}

const V2_SETTING: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/** Adds the MobileNetV2 feature extractor; returns each stage's last tensor (for SSD/DeepLab/U-Net). */
export function mobileNetV2Features(b: GraphBuilder, width: number, stages?: string[]): string {
  let x = conv(b, b.input, 'features.0', makeDivisible(32 * width, 8), 3, 2, { act: 'relu6' });
  let blk = 1;
  for (const [t, c, n, s] of V2_SETTING) {
    const out = makeDivisible(c * width, 8);
    for (let i = 0; i < n; i++) {
      x = invertedResidual(b, x, `features.${blk++}`, out, i === 0 ? s : 1, t);
    }
    stages?.push(x);
  }
  return conv(b, x, `features.${blk}`, makeDivisible(1280 * Math.max(1, width), 8), 1, 1, { act: 'relu6' });
}

export function invertedResidual(b: GraphBuilder, x: string, name: string, out: number, stride: number, expand: number, dilation = 1): string {
  const cin = b.channels(x);
  let h = x;
  if (expand !== 1) h = conv(b, h, `${name}.expand`, cin * expand, 1, 1, { act: 'relu6' });
  h = dwconv(b, h, `${name}.dw`, 3, stride, { act: 'relu6', dilation });
  h = conv(b, h, `${name}.project`, out, 1, 1);
  return stride === 1 && cin === out ? b.add(`${name}.add`, 'add', [x, h]) : h;
}

function buildMobileNetV2(o: BuildOptions) {
  const b = new GraphBuilder({ name: 'mobilenet-v2', task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: 'zoo:mobilenet-v2' });
  classifier(b, mobileNetV2Features(b, o.widthMultiplier), 1000);
  return b.build();
}

type V3Row = readonly [number, number, number, number, boolean, 'RE' | 'HS', number];
const V3_LARGE: readonly V3Row[] = [
  [16, 3, 16, 16, false, 'RE', 1], [16, 3, 64, 24, false, 'RE', 2], [24, 3, 72, 24, false, 'RE', 1],
  [24, 5, 72, 40, true, 'RE', 2], [40, 5, 120, 40, true, 'RE', 1], [40, 5, 120, 40, true, 'RE', 1],
  [40, 3, 240, 80, false, 'HS', 2], [80, 3, 200, 80, false, 'HS', 1], [80, 3, 184, 80, false, 'HS', 1], [80, 3, 184, 80, false, 'HS', 1],
  [80, 3, 480, 112, true, 'HS', 1], [112, 3, 672, 112, true, 'HS', 1],
  [112, 5, 672, 160, true, 'HS', 2], [160, 5, 960, 160, true, 'HS', 1], [160, 5, 960, 160, true, 'HS', 1],
];
const V3_SMALL: readonly V3Row[] = [
  [16, 3, 16, 16, true, 'RE', 2], [16, 3, 72, 24, false, 'RE', 2], [24, 3, 88, 24, false, 'RE', 1],
  [24, 5, 96, 40, true, 'HS', 2], [40, 5, 240, 40, true, 'HS', 1], [40, 5, 240, 40, true, 'HS', 1],
  [40, 5, 120, 48, true, 'HS', 1], [48, 5, 144, 48, true, 'HS', 1],
  [48, 5, 288, 96, true, 'HS', 2], [96, 5, 576, 96, true, 'HS', 1], [96, 5, 576, 96, true, 'HS', 1],
];

function buildMobileNetV3(id: string, rows: readonly V3Row[], lastChannel: number, o: BuildOptions) {
  const b = new GraphBuilder({ name: id, task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${id}` });
  const w = (c: number) => makeDivisible(c * o.widthMultiplier, 8);
  let x = conv(b, b.input, 'features.0', w(16), 3, 2, { act: 'hardswish' });
  rows.forEach(([cin, k, exp, out, se, actName, s], i) => {
    const act: Activation = actName === 'RE' ? 'relu' : 'hardswish';
    const name = `features.${i + 1}`;
    // TF-slim (the implementation behind the paper's 0.75 figures) sizes the expansion as a factor
    // of the actual input depth (expand_input_by_factor); at width 1 this equals torchvision's table.
    const inC = b.channels(x), expC = makeDivisible(inC * (exp / cin), 8), outC = w(out);
    let h = x;
    if (expC !== inC) h = conv(b, h, `${name}.expand`, expC, 1, 1, { act });
    h = dwconv(b, h, `${name}.dw`, k, s, { act });
    if (se) h = squeezeExcite(b, h, `${name}.se`, makeDivisible(Math.floor(expC / 4), 8), 'relu', 'hardsigmoid');
    h = conv(b, h, `${name}.project`, outC, 1, 1);
    x = s === 1 && inC === outC ? b.add(`${name}.add`, 'add', [x, h]) : h;
  });
  // torchvision: lastconv_output_channels = 6 × last in; last_channel scaled by width.
  x = conv(b, x, `features.${rows.length + 1}`, 6 * w(rows[rows.length - 1][3]), 1, 1, { act: 'hardswish' });
  const p = b.add('pool', 'global_pool', x, { mode: 'avg' });
  const f = b.add('flatten', 'flatten', p);
  // Below width 1 the head keeps its full width, as TF-slim's mobilenet_v3 does
  // (finegrain_classification_mode) and as the paper's 0.75 figures (155 M / 4.0 M) count it.
  const h = b.add('classifier.0', 'linear', f, { outFeatures: makeDivisible(lastChannel * Math.max(1, o.widthMultiplier), 8), activation: 'hardswish' });
  b.add('classifier.3', 'linear', h, { outFeatures: 1000 });
  return b.build();
}

export const mobilenetEntries: readonly ZooEntry[] = [
  { id: 'mobilenet-v1', task: 'classification', resolution: 224, resizable: true, reference: 'tensorflow/models research/slim/nets/mobilenet_v1.py (_CONV_DEFS)', build: (o) => buildMobileNetV1('mobilenet-v1', o) },
  { id: 'mobilenet-v2', task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/mobilenetv2.py', build: buildMobileNetV2 },
  { id: 'mobilenet-v3-large', task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/mobilenetv3.py (_mobilenet_v3_conf, large)', build: (o) => buildMobileNetV3('mobilenet-v3-large', V3_LARGE, 1280, o) },
  { id: 'mobilenet-v3-small', task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/mobilenetv3.py (_mobilenet_v3_conf, small)', build: (o) => buildMobileNetV3('mobilenet-v3-small', V3_SMALL, 1024, o) },
];
