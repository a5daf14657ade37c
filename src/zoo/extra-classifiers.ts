/**
 * More ImageNet classifiers, each built by code from its upstream recipe (params count a folded
 * BN's γ and β, MACs are conv/linear only, model-reference.md §0):
 * - mnasnet-1.0:   torchvision/models/mnasnet.py (`MNASNet(1.0)`, `_stack`, `_InvertedResidual`).
 *                  Check: `MNASNet1_0_Weights.IMAGENET1K_V1` 4,383,312 params, 0.314 GMACs at 224 (§1).
 * - densenet-121:  torchvision/models/densenet.py (`DenseNet(32, (6, 12, 24, 16), 64)`, bn_size 4).
 *                  Check: 7,978,856 params, 2.834 GMACs at 224 (§1).
 * - vgg-16:        torchvision/models/vgg.py (cfgs["D"], no BN, conv bias). Check: 138,357,544 / 15.470 G (§1).
 * - resnet-101:    torchvision/models/resnet.py (Bottleneck [3, 4, 23, 3], v1.5). Check: 44,549,160 / 7.801 G (§1).
 * - resnet-101-v2: keras/applications/resnet_v2.py `ResNet101V2` (pre-activation, `stack2`/`block2` in
 *                  keras/applications/resnet.py). Check: keras.io/api/applications table 44,675,560 params,
 *                  which is Keras' total: trainable 44,577,896 (= this graph exactly) + 97,664 BN moving mean/var.
 * - inception-v4:  timm/models/inception_v4.py (same layers as TF-slim nets/inception_v4.py), eval graph
 *                  without AuxLogits, 299. Check: OpenVINO open_model_zoo googlenet-v4-tf (the slim
 *                  checkpoint: 1001 classes, BN β only) "MParams 42.648, GFLOPs 24.584" (≈ 2 × MACs). This graph:
 *                  42,679,816 params (timm convention); slim convention (β-only BN, 1001 classes) 42,649,769; 12.254 GMACs.
 * - inception-v2:  TF-slim nets/inception_v2.py (BN-Inception with a separable 7×7 stem), 224, 1001 classes.
 *                  Check: OpenVINO open_model_zoo googlenet-v2-tf (the slim checkpoint) "MParams 11.185, GFLOPs
 *                  4.058". This graph: 11,189,313 params (γ+β; 11,179,361 with slim's β-only BN), 1.935 GMACs,
 *                  4.6 % under GFLOPs/2 (a full, non-separable 7×7 stem would give 2.019 G; not resolved).
 * - mobilenet-edgetpu: TF-slim nets/mobilenet/mobilenet_v3.py `V3_EDGETPU` (`mbv3_fused` / `mbv3_op`,
 *                  expanded_conv from nets/mobilenet/conv_blocks.py), 1001 classes. Check: slim mobilenet
 *                  README "Edge TPU checkpoints": dm=1 990 M MACs / 4.0 M params; dm=0.75 624 M / 2.9 M.
 *                  This graph: dm=1 990.7 M / 4.09 M; dm=0.75 624.5 M / 2.99 M.
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph, LayerAttrs } from '../graph/types.ts';
import { EdgeplanError } from '../errors/index.ts';
import { classifier, conv, dwconv, imageInput, makeDivisible } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

type Kernel = number | readonly [number, number];
type Padding = LayerAttrs['padding'];

function builder(id: string, o: BuildOptions, useWidth = true): GraphBuilder {
  return new GraphBuilder({ name: id, task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: useWidth ? o.widthMultiplier : undefined, source: `zoo:${id}` });
}

function minResolution(id: string, o: BuildOptions, min: number, dflt: number): void {
  if (o.resolution < min) throw new EdgeplanError('bad_value', `${id} needs a resolution of at least ${min}, got ${o.resolution}`, { fix: `pass --resolution ${dflt}` });
}

// ───────────────────────────── MnasNet (torchvision mnasnet.py) ─────────────────────────────

/** `_stack(in, out, kernel, stride, exp_factor, repeats)` rows of MNASNet.layers[8..13]: [out index, k, s, e, n]. */
const MNAS_STACKS: readonly (readonly [number, number, number, number, number])[] = [
  [2, 3, 2, 3, 3], [3, 5, 2, 3, 3], [4, 5, 2, 6, 3], [5, 3, 1, 6, 2], [6, 5, 2, 6, 4], [7, 3, 1, 6, 1],
];
/** `_get_depths`: [32, 16, 24, 40, 80, 96, 192, 320] × alpha, `_round_to_multiple_of(·, 8)` (bias 0.9 = makeDivisible). */
const MNAS_DEPTHS = [32, 16, 24, 40, 80, 96, 192, 320];

function buildMnasNet(id: string, o: BuildOptions): Graph {
  const b = builder(id, o);
  const d = MNAS_DEPTHS.map((c) => makeDivisible(c * o.widthMultiplier, 8));
  let x = conv(b, b.input, 'layers.0', d[0], 3, 2, { act: 'relu' });
  x = dwconv(b, x, 'layers.3', 3, 1, { act: 'relu' });
  x = conv(b, x, 'layers.6', d[1], 1, 1);
  MNAS_STACKS.forEach(([oi, k, s, e, n], si) => {
    for (let i = 0; i < n; i++) {
      const name = `layers.${8 + si}.${i}.layers`;
      const cin = b.channels(x), stride = i === 0 ? s : 1;
      let h = conv(b, x, `${name}.0`, cin * e, 1, 1, { act: 'relu' });
      h = dwconv(b, h, `${name}.3`, k, stride, { act: 'relu' });
      h = conv(b, h, `${name}.6`, d[oi], 1, 1);
      x = stride === 1 && cin === d[oi] ? b.add(`layers.${8 + si}.${i}.add`, 'add', [x, h]) : h;
    }
  });
  // The 1280-wide head is not scaled by alpha in torchvision.
  x = conv(b, x, 'layers.14', 1280, 1, 1, { act: 'relu' });
  classifier(b, x, 1000, 'classifier.1');
  return b.build();
}

// ─────────────────────────── DenseNet-121 (torchvision densenet.py) ───────────────────────────

const DENSENET121 = { growth: 32, blocks: [6, 12, 24, 16], init: 64, bnSize: 4 } as const;

function buildDenseNet121(id: string, o: BuildOptions): Graph {
  // widthMultiplier does not apply (DenseNet defines none); it is ignored.
  const b = builder(id, o, false);
  const { growth, blocks, init, bnSize } = DENSENET121;
  // conv0 → norm0 → relu0 (post-activation: BN folds into conv0) → pool0.
  let x = conv(b, b.input, 'features.conv0', init, 7, 2, { act: 'relu' });
  x = b.add('features.pool0', 'max_pool', x, { kernel: 3, stride: 2, padding: 1 });
  blocks.forEach((n, bi) => {
    for (let i = 1; i <= n; i++) {
      const name = `features.denseblock${bi + 1}.denselayer${i}`;
      // Pre-activation: norm1 + relu1 act on the concatenated input, so they stay a separate BN layer;
      // norm2 + relu2 follow conv1 and fold into it. conv2 has neither bias nor BN.
      let h = b.add(`${name}.norm1`, 'batchnorm', x, { activation: 'relu' });
      h = conv(b, h, `${name}.conv1`, bnSize * growth, 1, 1, { act: 'relu' });
      h = conv(b, h, `${name}.conv2`, growth, 3, 1, { bn: false, bias: false });
      // torch.cat(prev_features + [new], 1), written as a running concat (the Keras/TFLite form).
      x = b.add(`${name}.cat`, 'concat', [x, h], { axis: 1 });
    }
    if (bi < blocks.length - 1) {
      const name = `features.transition${bi + 1}`;
      let h = b.add(`${name}.norm`, 'batchnorm', x, { activation: 'relu' });
      h = conv(b, h, `${name}.conv`, Math.floor(b.channels(x) / 2), 1, 1, { bn: false, bias: false });
      x = b.add(`${name}.pool`, 'avg_pool', h, { kernel: 2, stride: 2 });
    }
  });
  x = b.add('features.norm5', 'batchnorm', x, { activation: 'relu' });
  classifier(b, x, 1000, 'classifier');
  return b.build();
}

// ─────────────────────────────── VGG-16 (torchvision vgg.py) ───────────────────────────────

/** cfgs["D"]: conv widths, 'M' = MaxPool2d(2, 2). */
const VGG16_CFG: readonly (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];

function buildVgg16(id: string, o: BuildOptions): Graph {
  minResolution(id, o, 32, 224);
  const b = builder(id, o);
  const w = (c: number) => Math.max(8, Math.round(c * o.widthMultiplier));
  let x = b.input, idx = 0;
  for (const v of VGG16_CFG) {
    if (v === 'M') {
      x = b.add(`features.${idx}`, 'max_pool', x, { kernel: 2, stride: 2 });
      idx += 1;
    } else {
      x = conv(b, x, `features.${idx}`, w(v), 3, 1, { bn: false, bias: true, act: 'relu' });
      idx += 2; // Conv2d, ReLU
    }
  }
  // AdaptiveAvgPool2d((7, 7)): identity at 224; a plain pool when it divides; otherwise a 7×7 average resize.
  const h = b.shapeOf(x)[2];
  if (h % 7 === 0 && h > 7) x = b.add('avgpool', 'avg_pool', x, { kernel: h / 7, stride: h / 7 });
  else if (h !== 7) x = b.add('avgpool', 'resize', x, { size: [7, 7], mode: 'avg' });
  x = b.add('flatten', 'flatten', x);
  x = b.add('classifier.0', 'linear', x, { outFeatures: w(4096), activation: 'relu' });
  x = b.add('classifier.3', 'linear', x, { outFeatures: w(4096), activation: 'relu' });
  b.add('classifier.6', 'linear', x, { outFeatures: 1000 });
  return b.build();
}

// ───────────────────────── ResNet-101 (torchvision resnet.py, v1.5) ─────────────────────────

function buildResNet101(id: string, o: BuildOptions): Graph {
  // Same recipe as resnet.ts (Bottleneck, stride on the 3×3), with [3, 4, 23, 3] blocks.
  const b = builder(id, o);
  const w = (c: number) => Math.max(8, Math.round(c * o.widthMultiplier));
  let x = conv(b, b.input, 'conv1', w(64), 7, 2, { act: 'relu' });
  x = b.add('maxpool', 'max_pool', x, { kernel: 3, stride: 2, padding: 1 });
  [3, 4, 23, 3].forEach((n, stage) => {
    const width = w(64 * 2 ** stage);
    for (let i = 0; i < n; i++) {
      const name = `layer${stage + 1}.${i}`;
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const cin = b.channels(x);
      let h = conv(b, x, `${name}.conv1`, width, 1, 1, { act: 'relu' });
      h = conv(b, h, `${name}.conv2`, width, 3, stride, { act: 'relu' });
      h = conv(b, h, `${name}.conv3`, width * 4, 1, 1);
      const short = stride !== 1 || cin !== width * 4 ? conv(b, x, `${name}.downsample`, width * 4, 1, stride) : x;
      x = b.add(`${name}.add`, 'add', [short, h], { activation: 'relu' });
    }
  });
  classifier(b, x, 1000, 'fc');
  return b.build();
}

// ──────────────────── ResNet-101 V2 (Keras applications resnet_v2.py, pre-activation) ────────────────────

function buildResNet101V2(id: string, o: BuildOptions): Graph {
  minResolution(id, o, 32, 224);
  const b = builder(id, o);
  const w = (c: number) => Math.max(8, Math.round(c * o.widthMultiplier));
  // ResNet(preact=True, use_bias=True): conv1_pad(3) + conv1_conv 7×7/2 with bias, no BN; pool1_pad(1) + 3×3/2 max pool.
  let x = conv(b, b.input, 'conv1_conv', w(64), 7, 2, { bn: false, bias: true, padding: 3 });
  x = b.add('pool1_pool', 'max_pool', x, { kernel: 3, stride: 2, padding: 1 });
  // stack2(x, filters, blocks, stride1): block1 has the conv shortcut; the LAST block carries the stride.
  const stacks: readonly (readonly [number, number, number])[] = [[64, 3, 2], [128, 4, 2], [256, 23, 2], [512, 3, 1]];
  stacks.forEach(([filters, n, stride1], si) => {
    for (let i = 1; i <= n; i++) {
      const name = `conv${si + 2}_block${i}`;
      const stride = i === n ? stride1 : 1;
      const f = w(filters);
      const preact = b.add(`${name}_preact_bn`, 'batchnorm', x, { activation: 'relu' });
      const short = i === 1
        ? conv(b, preact, `${name}_0_conv`, 4 * f, 1, stride, { bn: false, bias: true })
        : stride > 1 ? b.add(`${name}_shortcut_pool`, 'max_pool', x, { kernel: 1, stride }) : x;
      let h = conv(b, preact, `${name}_1_conv`, f, 1, 1, { act: 'relu' });
      h = conv(b, h, `${name}_2_conv`, f, 3, stride, { act: 'relu', padding: 1 });
      h = conv(b, h, `${name}_3_conv`, 4 * f, 1, 1, { bn: false, bias: true });
      x = b.add(`${name}_out`, 'add', [short, h]);
    }
  });
  x = b.add('post_bn', 'batchnorm', x, { activation: 'relu' });
  classifier(b, x, 1000, 'predictions');
  return b.build();
}

// ─────────────────────────── Inception-style mixed blocks (shared) ───────────────────────────

/** One conv+BN+ReLU: [name, out channels, kernel, stride, padding]. */
type IConv = readonly [string, number, Kernel, number, Padding];
interface IBranch {
  readonly pool?: { readonly op: 'avg_pool' | 'max_pool'; readonly stride: number; readonly padding: Padding; readonly name: string };
  readonly convs: readonly IConv[];
  /** The last `split` convs all read the conv before them and are concatenated (1×3 / 3×1 pairs). */
  readonly split?: number;
}

function mixed(b: GraphBuilder, x: string, block: string, branches: readonly IBranch[]): string {
  const outs: string[] = [];
  for (const br of branches) {
    let h = x;
    if (br.pool) h = b.add(`${block}.${br.pool.name}`, br.pool.op, h, { kernel: 3, stride: br.pool.stride, padding: br.pool.padding });
    const split = br.split ?? 0;
    for (const [n, c, k, s, p] of br.convs.slice(0, br.convs.length - split)) h = conv(b, h, `${block}.${n}`, c, k, s, { act: 'relu', padding: p });
    if (split) for (const [n, c, k, s, p] of br.convs.slice(-split)) outs.push(conv(b, h, `${block}.${n}`, c, k, s, { act: 'relu', padding: p }));
    else outs.push(h);
  }
  return b.add(`${block}.cat`, 'concat', outs, { axis: 1 });
}

// ─────────────────────── Inception-v4 (timm inception_v4.py / TF-slim inception_v4.py) ───────────────────────

const S = 'same' as const, V = 'valid' as const;
/** timm `BasicConv2d` padding 0 → valid; the padded (k//2) convs → same. Pools are 3×3 valid unless stated. */
const V4_AVG = { op: 'avg_pool', stride: 1, padding: 1, name: 'branch3.0' } as const; // count_include_pad=False
const v4MaxS2 = (name: string) => ({ op: 'max_pool', stride: 2, padding: V, name } as const);

const V4_A: readonly IBranch[] = [
  { convs: [['branch0', 96, 1, 1, V]] },
  { convs: [['branch1.0', 64, 1, 1, V], ['branch1.1', 96, 3, 1, S]] },
  { convs: [['branch2.0', 64, 1, 1, V], ['branch2.1', 96, 3, 1, S], ['branch2.2', 96, 3, 1, S]] },
  { pool: V4_AVG, convs: [['branch3.1', 96, 1, 1, V]] },
];
const V4_REDUCTION_A: readonly IBranch[] = [
  { convs: [['branch0', 384, 3, 2, V]] },
  { convs: [['branch1.0', 192, 1, 1, V], ['branch1.1', 224, 3, 1, S], ['branch1.2', 256, 3, 2, V]] },
  { pool: v4MaxS2('branch2'), convs: [] },
];
const V4_B: readonly IBranch[] = [
  { convs: [['branch0', 384, 1, 1, V]] },
  { convs: [['branch1.0', 192, 1, 1, V], ['branch1.1', 224, [1, 7], 1, S], ['branch1.2', 256, [7, 1], 1, S]] },
  { convs: [['branch2.0', 192, 1, 1, V], ['branch2.1', 192, [7, 1], 1, S], ['branch2.2', 224, [1, 7], 1, S], ['branch2.3', 224, [7, 1], 1, S], ['branch2.4', 256, [1, 7], 1, S]] },
  { pool: V4_AVG, convs: [['branch3.1', 128, 1, 1, V]] },
];
const V4_REDUCTION_B: readonly IBranch[] = [
  { convs: [['branch0.0', 192, 1, 1, V], ['branch0.1', 192, 3, 2, V]] },
  { convs: [['branch1.0', 256, 1, 1, V], ['branch1.1', 256, [1, 7], 1, S], ['branch1.2', 320, [7, 1], 1, S], ['branch1.3', 320, 3, 2, V]] },
  { pool: v4MaxS2('branch2'), convs: [] },
];
const V4_C: readonly IBranch[] = [
  { convs: [['branch0', 256, 1, 1, V]] },
  { split: 2, convs: [['branch1_0', 384, 1, 1, V], ['branch1_1a', 256, [1, 3], 1, S], ['branch1_1b', 256, [3, 1], 1, S]] },
  { split: 2, convs: [['branch2_0', 384, 1, 1, V], ['branch2_1', 448, [3, 1], 1, S], ['branch2_2', 512, [1, 3], 1, S], ['branch2_3a', 256, [1, 3], 1, S], ['branch2_3b', 256, [3, 1], 1, S]] },
  { pool: V4_AVG, convs: [['branch3.1', 256, 1, 1, V]] },
];
/** timm InceptionV4.features[3..5]: Mixed3a, Mixed4a, Mixed5a. */
const V4_MIXED_3A: readonly IBranch[] = [{ pool: v4MaxS2('maxpool'), convs: [] }, { convs: [['conv', 96, 3, 2, V]] }];
const V4_MIXED_4A: readonly IBranch[] = [
  { convs: [['branch0.0', 64, 1, 1, V], ['branch0.1', 96, 3, 1, V]] },
  { convs: [['branch1.0', 64, 1, 1, V], ['branch1.1', 64, [1, 7], 1, S], ['branch1.2', 64, [7, 1], 1, S], ['branch1.3', 96, 3, 1, V]] },
];
const V4_MIXED_5A: readonly IBranch[] = [{ convs: [['conv', 192, 3, 2, V]] }, { pool: v4MaxS2('maxpool'), convs: [] }];

/** features[6..21]: 4 × InceptionA, ReductionA, 7 × InceptionB, ReductionB, 3 × InceptionC. */
const V4_BODY: readonly (readonly IBranch[])[] = [
  V4_MIXED_3A, V4_MIXED_4A, V4_MIXED_5A,
  V4_A, V4_A, V4_A, V4_A, V4_REDUCTION_A,
  V4_B, V4_B, V4_B, V4_B, V4_B, V4_B, V4_B, V4_REDUCTION_B,
  V4_C, V4_C, V4_C,
];

function buildInceptionV4(id: string, o: BuildOptions): Graph {
  // widthMultiplier does not apply (Inception-v4 defines none); it is ignored.
  minResolution(id, o, 75, 299);
  const b = builder(id, o, false);
  let x = conv(b, b.input, 'features.0.conv', 32, 3, 2, { act: 'relu', padding: V });
  x = conv(b, x, 'features.1.conv', 32, 3, 1, { act: 'relu', padding: V });
  x = conv(b, x, 'features.2.conv', 64, 3, 1, { act: 'relu', padding: S });
  V4_BODY.forEach((branches, i) => { x = mixed(b, x, `features.${i + 3}`, branches); });
  // global_pool → last_linear (timm: 1000 classes; the TF-slim checkpoint has 1001).
  classifier(b, x, 1000, 'last_linear');
  return b.build();
}

// ─────────────────────── Inception-v2 / BN-Inception (TF-slim inception_v2.py) ───────────────────────

/** TF-slim arg_scope: every conv and pool is padding='SAME' (TF semantics: ceil(in / stride)). */
const T = 'same_upper' as const;
const v2Avg = { op: 'avg_pool', stride: 1, padding: T, name: 'Branch_3.AvgPool_0a_3x3' } as const;
const v2Max = (stride: number, name: string) => ({ op: 'max_pool', stride, padding: T, name } as const);

/** Standard Mixed block: [b0 1×1, b1 1×1 → 3×3, b2 1×1 → 3×3 → 3×3, b3 pool → 1×1]. */
function v2Block(b0: number, b1: readonly [number, number], b2: readonly [number, number], b3: number, maxPool = false): IBranch[] {
  return [
    { convs: [['Branch_0.Conv2d_0a_1x1', b0, 1, 1, T]] },
    { convs: [['Branch_1.Conv2d_0a_1x1', b1[0], 1, 1, T], ['Branch_1.Conv2d_0b_3x3', b1[1], 3, 1, T]] },
    { convs: [['Branch_2.Conv2d_0a_1x1', b2[0], 1, 1, T], ['Branch_2.Conv2d_0b_3x3', b2[1], 3, 1, T], ['Branch_2.Conv2d_0c_3x3', b2[1], 3, 1, T]] },
    { pool: maxPool ? v2Max(1, 'Branch_3.MaxPool_0a_3x3') : v2Avg, convs: [['Branch_3.Conv2d_0b_1x1', b3, 1, 1, T]] },
  ];
}
/** Grid reduction: [b0 1×1 → 3×3/2, b1 1×1 → 3×3 → 3×3/2, b2 max pool /2]. */
function v2Reduction(b0: readonly [number, number], b1: readonly [number, number]): IBranch[] {
  return [
    { convs: [['Branch_0.Conv2d_0a_1x1', b0[0], 1, 1, T], ['Branch_0.Conv2d_1a_3x3', b0[1], 3, 2, T]] },
    { convs: [['Branch_1.Conv2d_0a_1x1', b1[0], 1, 1, T], ['Branch_1.Conv2d_0b_3x3', b1[1], 3, 1, T], ['Branch_1.Conv2d_1a_3x3', b1[1], 3, 2, T]] },
    { pool: v2Max(2, 'Branch_2.MaxPool_1a_3x3'), convs: [] },
  ];
}
const V2_MIXED: readonly (readonly [string, IBranch[]])[] = [
  ['Mixed_3b', v2Block(64, [64, 64], [64, 96], 32)],
  ['Mixed_3c', v2Block(64, [64, 96], [64, 96], 64)],
  ['Mixed_4a', v2Reduction([128, 160], [64, 96])],
  ['Mixed_4b', v2Block(224, [64, 96], [96, 128], 128)],
  ['Mixed_4c', v2Block(192, [96, 128], [96, 128], 128)],
  ['Mixed_4d', v2Block(160, [128, 160], [128, 160], 96)],
  ['Mixed_4e', v2Block(96, [128, 192], [160, 192], 96)],
  ['Mixed_5a', v2Reduction([128, 192], [192, 256])],
  ['Mixed_5b', v2Block(352, [192, 320], [160, 224], 128)],
  ['Mixed_5c', v2Block(352, [192, 320], [192, 224], 128, true)],
];

function buildInceptionV2(id: string, o: BuildOptions): Graph {
  minResolution(id, o, 32, 224);
  const b = builder(id, o);
  // depth(d) = max(int(d × depth_multiplier), min_depth = 16).
  const depth = (d: number) => Math.max(Math.floor(d * o.widthMultiplier), 16);
  const scale = (branches: IBranch[]): IBranch[] => branches.map((br) => ({ ...br, convs: br.convs.map(([n, c, k, s, p]) => [n, depth(c), k, s, p] as const) }));
  // Conv2d_1a_7x7: separable_conv2d, depthwise 7×7/2 with depth multiplier min(int(depth(64) / 3), 8) (no BN,
  // no bias), then pointwise 1×1 to depth(64) with BN + ReLU.
  const mult = Math.min(Math.floor(depth(64) / 3), 8);
  let x = b.add('Conv2d_1a_7x7_depthwise', 'depthwise_conv2d', b.input, { kernel: 7, stride: 2, padding: T, depthMultiplier: mult, bias: false });
  x = conv(b, x, 'Conv2d_1a_7x7_pointwise', depth(64), 1, 1, { act: 'relu', padding: T });
  x = b.add('MaxPool_2a_3x3', 'max_pool', x, { kernel: 3, stride: 2, padding: T });
  x = conv(b, x, 'Conv2d_2b_1x1', depth(64), 1, 1, { act: 'relu', padding: T });
  x = conv(b, x, 'Conv2d_2c_3x3', depth(192), 3, 1, { act: 'relu', padding: T });
  x = b.add('MaxPool_3a_3x3', 'max_pool', x, { kernel: 3, stride: 2, padding: T });
  for (const [name, branches] of V2_MIXED) x = mixed(b, x, name, scale(branches));
  // Logits: AvgPool_1a (7×7 at 224, i.e. global) → dropout → Conv2d_1c_1x1 (1001, bias, no BN).
  const p = b.add('Logits.AvgPool_1a_7x7', 'global_pool', x, { mode: 'avg' });
  b.add('Logits.Conv2d_1c_1x1', 'conv2d', p, { outChannels: 1001, kernel: 1, bias: true });
  return b.build();
}

// ───────────────────── MobileNet-EdgeTPU (TF-slim mobilenet_v3.py V3_EDGETPU) ─────────────────────

/** [kind, kernel, stride, expansion factor, out channels, residual allowed]. */
type EdgeRow = readonly ['fused' | 'dw', number, number, number, number, boolean?];
const V3_EDGETPU: readonly EdgeRow[] = [
  ['fused', 3, 1, 1, 16],
  ['fused', 3, 2, 8, 32], ['fused', 3, 1, 4, 32], ['fused', 3, 1, 4, 32], ['fused', 3, 1, 4, 32],
  ['fused', 3, 2, 8, 48], ['fused', 3, 1, 4, 48], ['fused', 3, 1, 4, 48], ['fused', 3, 1, 4, 48],
  ['dw', 3, 2, 8, 96], ['dw', 3, 1, 4, 96], ['dw', 3, 1, 4, 96], ['dw', 3, 1, 4, 96],
  ['dw', 3, 1, 8, 96, false], ['dw', 3, 1, 4, 96], ['dw', 3, 1, 4, 96], ['dw', 3, 1, 4, 96],
  ['dw', 5, 2, 8, 160], ['dw', 5, 1, 4, 160], ['dw', 5, 1, 4, 160], ['dw', 5, 1, 4, 160],
  ['dw', 3, 1, 8, 192],
];

function buildMobileNetEdgeTpu(id: string, o: BuildOptions): Graph {
  const b = builder(id, o);
  // lib.depth_multiplier: _make_divisible(num_outputs × multiplier, 8, min_depth 8).
  const w = (c: number) => makeDivisible(c * o.widthMultiplier, 8);
  let x = conv(b, b.input, 'Conv', w(32), 3, 2, { act: 'relu', padding: T });
  V3_EDGETPU.forEach(([kind, k, s, ef, out, residual = true], i) => {
    const name = i === 0 ? 'expanded_conv' : `expanded_conv_${i}`;
    const cin = b.channels(x), outC = w(out);
    // expand_input_by_factor: inner = _make_divisible(input depth × ef, 8); expanded_conv only expands
    // when inner > input depth (so the first fused block, ef = 1, is a bare 1×1 projection).
    const inner = makeDivisible(cin * ef, 8);
    let h = x;
    if (kind === 'fused') {
      // mbv3_fused: the expansion is a full k×k conv carrying the stride; no depthwise.
      if (inner > cin) h = conv(b, h, `${name}.expand`, inner, k, s, { act: 'relu', padding: T });
    } else {
      if (inner > cin) h = conv(b, h, `${name}.expand`, inner, 1, 1, { act: 'relu', padding: T });
      h = dwconv(b, h, `${name}.depthwise`, k, s, { act: 'relu', padding: T });
    }
    h = conv(b, h, `${name}.project`, outC, 1, 1, { padding: T });
    x = residual && s === 1 && cin === outC ? b.add(`${name}.add`, 'add', [x, h]) : h;
  });
  // Final 1×1 conv: 1280 kept at full width below 1.0 (edge_tpu_075 sets finegrain_classification_mode).
  x = conv(b, x, `Conv_1`, makeDivisible(1280 * Math.max(1, o.widthMultiplier), 8), 1, 1, { act: 'relu', padding: T });
  const p = b.add('Logits.AvgPool', 'global_pool', x, { mode: 'avg' });
  b.add('Logits.Conv2d_1c_1x1', 'conv2d', p, { outChannels: 1001, kernel: 1, bias: true });
  return b.build();
}

export const extraClassifierEntries: readonly ZooEntry[] = [
  { id: 'mnasnet-1.0', aliases: ['mnasnet', 'mnasnet1_0'], task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/mnasnet.py (mnasnet1_0)', build: (o) => buildMnasNet('mnasnet-1.0', o) },
  { id: 'densenet-121', aliases: ['densenet', 'densenet121'], task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/densenet.py (densenet121)', build: (o) => buildDenseNet121('densenet-121', o) },
  { id: 'vgg-16', aliases: ['vgg16'], task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/vgg.py (vgg16, cfgs["D"])', build: (o) => buildVgg16('vgg-16', o) },
  { id: 'resnet-101', aliases: ['resnet101'], task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/resnet.py (resnet101, Bottleneck [3,4,23,3])', build: (o) => buildResNet101('resnet-101', o) },
  { id: 'resnet-101-v2', aliases: ['resnet101v2'], task: 'classification', resolution: 224, resizable: true, reference: 'keras/applications/resnet_v2.py (ResNet101V2; block2/stack2 in resnet.py)', build: (o) => buildResNet101V2('resnet-101-v2', o) },
  { id: 'inception-v4', aliases: ['inception_v4', 'inceptionv4'], task: 'classification', resolution: 299, resizable: true, reference: 'timm/models/inception_v4.py (= TF-slim nets/inception_v4.py layers), eval graph without AuxLogits', build: (o) => buildInceptionV4('inception-v4', o) },
  { id: 'inception-v2', aliases: ['inception_v2', 'inceptionv2'], task: 'classification', resolution: 224, resizable: true, reference: 'tensorflow/models research/slim/nets/inception_v2.py', build: (o) => buildInceptionV2('inception-v2', o) },
  { id: 'mobilenet-edgetpu', aliases: ['mobilenet_edgetpu', 'mobilenetedgetpu'], task: 'classification', resolution: 224, resizable: true, reference: 'tensorflow/models research/slim/nets/mobilenet/mobilenet_v3.py (V3_EDGETPU)', build: (o) => buildMobileNetEdgeTpu('mobilenet-edgetpu', o) },
];
