/**
 * More microcontroller models for memory validation (shared/data/mcu-memory.csv): the MCUNet VWW
 * models, the ProxylessNAS w0.3 baseline, ST's detectors st_ssd_mobilenet_v1 (α 0.25) and
 * st_yolo_lc_v1, and ST's CIFAR-100 ResNet-32. All are counted as deployed in int8: BN folded into a
 * per-channel bias. Checks against published figures: test/zoo/mcu-extra2.test.ts.
 *
 * MCUNet VWW (mit-han-lab/mcunet `mcunet/model_zoo.py`: mcunet-vww0/1/2 = net_name mcunet-10fps_vww,
 * mcunet-5fps_vww, mcunet-320kb-1mb_vww). Their JSON configs are only on the hanlab18 release server,
 * so the block lists are read from TinyEngine code generated from the released int8 .tflite files
 * (each layer call carries its input/output H×W×C and kernel; the depthwise kernel and stride are in
 * the function name):
 * - vww1 (80×80): mit-han-lab/tinyengine @47bb283 tests/examples/assets/vww/codegen.zip
 *   (codegen/Source/genModel.c, made by examples/vww.py from `download_tflite("mcunet-5fps-vww")`),
 *   cross-checked layer by layer against assets/vww.tflite in the same commit (426,634 stored params,
 *   11.58 M MACs).
 * - vww2 (144×144): mit-han-lab/tinyengine @47bb283 experimental/vww/lib/TinyEngine/codegen/Source/genModel.c.
 * - vww0 (64×64): EnochRichy/TinyEngine @ee0874c PersonPresence/My_MCC_Config/src/TinyEngine/codegen/Source/genModel.c,
 *   TinyEngine's code generator run on the released mcunet-10fps_vww.tflite (its CONTEXT.md says so).
 * The three agree with the mcunet README's MACs/params and input sizes (64, 80, 144), which is what
 * ties each block list to its net_name. The network is `ProxylessNASNets` as in mcu-extra.ts: 3×3/2
 * stem with ReLU6, MobileInvertedResidualBlocks (1×1 expand → k×k depthwise → 1×1 linear; identity
 * shortcut when stride 1 and channels match), global average pool, linear classifier to 2 classes.
 *
 * ProxylessNAS w0.3 (model_zoo.py "proxyless-320kB" → proxyless-w0.3-r176_imagenet): the same
 * ProxylessNASNets builder, with the config read from mit-han-lab/mcunet @8326da6
 * assets/configs/proxyless-w0.3-r176_imagenet.json (dropped from later commits): 22 blocks, two of them
 * ZeroLayer blocks (identity, so no layers), a 1×1 feature-mix conv 96 → 384 with BN and ReLU6, and a
 * linear classifier to 1000 classes. mid_channels is absent there, so MBInvertedConvLayer uses
 * round(in × expand_ratio) (mcunet/tinynas/nn/modules/layers.py).
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import { conv, dwconv, imageInput } from './blocks.ts';
import type { McunetBase, McunetBlock } from './mcu-extra.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

/** BN folded into a per-channel bias, as stored in the int8 .tflite files. */
const folded = { bn: false, bias: true } as const;
/** TF/Keras 'same' padding (output = ceil(in / stride), extra pad at the end). */
const TF_SAME = 'same_upper' as const;

// ---------------------------------------------------------------------------------------------
// MCUNet VWW
// ---------------------------------------------------------------------------------------------

interface McunetVwwConfig extends McunetBase {
  readonly netId: string;
  readonly codegen: string;
}

const VWW0: McunetVwwConfig = {
  id: 'mcunet-vww0', netName: 'mcunet-10fps_vww', netId: 'mcunet-10fps-vww', resolution: 64, stem: 16,
  codegen: 'EnochRichy/TinyEngine@ee0874c PersonPresence/.../codegen/Source/genModel.c',
  blocks: [[1, 8, 1, 3], [6, 16, 2, 5], [4, 16, 1, 3], [5, 24, 2, 3], [4, 24, 1, 3], [4, 24, 1, 3], [5, 40, 2, 3], [4, 40, 1, 3], [3, 40, 1, 7], [3, 48, 1, 3], [4, 48, 1, 3], [5, 96, 2, 7], [5, 96, 1, 5], [4, 160, 1, 7]],
};
const VWW1: McunetVwwConfig = {
  id: 'mcunet-vww1', netName: 'mcunet-5fps_vww', netId: 'mcunet-5fps-vww', resolution: 80, stem: 16,
  codegen: 'mit-han-lab/tinyengine@47bb283 tests/examples/assets/vww/codegen.zip + assets/vww.tflite',
  blocks: [[1, 8, 1, 3], [6, 16, 2, 3], [3, 16, 1, 3], [3, 16, 1, 3], [3, 24, 2, 7], [6, 24, 1, 3], [5, 24, 1, 5], [6, 40, 2, 7], [6, 40, 1, 7], [6, 48, 1, 3], [4, 48, 1, 3], [5, 96, 2, 5], [5, 96, 1, 3], [4, 96, 1, 3], [3, 160, 1, 7]],
};
const VWW2: McunetVwwConfig = {
  id: 'mcunet-vww2', netName: 'mcunet-320kb-1mb_vww', netId: 'mcunet-320kB-vww', resolution: 144, stem: 16,
  codegen: 'mit-han-lab/tinyengine@47bb283 experimental/vww/lib/TinyEngine/codegen/Source/genModel.c',
  blocks: [[1, 8, 1, 3], [3, 16, 2, 3], [5, 16, 1, 3], [6, 16, 1, 5], [3, 16, 1, 3], [5, 24, 2, 7], [4, 24, 1, 5], [4, 24, 1, 3], [6, 24, 1, 7], [6, 40, 2, 3], [6, 40, 1, 7], [4, 40, 1, 5], [5, 40, 1, 3], [5, 48, 1, 5], [3, 48, 1, 5], [4, 48, 1, 3], [3, 48, 1, 5], [4, 96, 2, 3], [5, 96, 1, 5], [4, 96, 1, 5], [4, 96, 1, 3], [5, 160, 1, 3]],
};

export const MCUNET_VWW_CONFIGS: readonly McunetVwwConfig[] = [VWW0, VWW1, VWW2];

/**
 * proxyless-w0.3-r176_imagenet.json blocks in order, ZeroLayer blocks 3 and 4 left out (their forward
 * is `res = x`). Every block with stride 1 and equal channels has an IdentityLayer shortcut there.
 */
const PROXYLESS_W03_BLOCKS: readonly McunetBlock[] = [
  [1, 8, 1, 3], [3, 16, 2, 5], [3, 16, 1, 3],
  [3, 16, 2, 7], [3, 16, 1, 3], [3, 16, 1, 5], [3, 16, 1, 5],
  [6, 24, 2, 7], [3, 24, 1, 5], [3, 24, 1, 5], [3, 24, 1, 5],
  [6, 32, 1, 5], [3, 32, 1, 5], [3, 32, 1, 5], [3, 32, 1, 5],
  [6, 64, 2, 7], [6, 64, 1, 7], [3, 64, 1, 7], [3, 64, 1, 7],
  [6, 96, 1, 7],
];

interface ProxylessNetSpec {
  readonly id: string;
  readonly task: ZooEntry['task'];
  readonly stem: number;
  readonly blocks: readonly McunetBlock[];
  /** 1×1 conv + BN + ReLU6 before the pool (0 = none). */
  readonly featureMix: number;
  readonly classes: number;
}

/** ProxylessNASNets.build_from_config (mcunet/tinynas/nn/networks/proxyless_nets.py), BN folded. */
function buildProxylessNet(spec: ProxylessNetSpec, o: BuildOptions): Graph {
  const b = new GraphBuilder({ name: spec.id, task: spec.task, inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: 1, source: `zoo:${spec.id}` });
  let x = conv(b, b.input, 'first_conv', spec.stem, 3, 2, { act: 'relu6', ...folded });
  spec.blocks.forEach(([t, c, s, k], i) => {
    const cin = b.channels(x);
    let h = x;
    // MBInvertedConvLayer: feature_dim = round(in × expand_ratio); no 1×1 expand when the ratio is 1.
    if (t !== 1) h = conv(b, h, `blocks.${i}.inverted_bottleneck`, Math.round(cin * t), 1, 1, { act: 'relu6', ...folded });
    h = dwconv(b, h, `blocks.${i}.depth_conv`, k, s, { act: 'relu6', ...folded });
    h = conv(b, h, `blocks.${i}.point_linear`, c, 1, 1, folded);
    x = s === 1 && cin === c ? b.add(`blocks.${i}.add`, 'add', [x, h]) : h;
  });
  if (spec.featureMix) x = conv(b, x, 'feature_mix_layer', spec.featureMix, 1, 1, { act: 'relu6', ...folded });
  const p = b.add('pool', 'global_pool', x, { mode: 'avg' });
  const f = b.add('flatten', 'flatten', p);
  b.add('classifier', 'linear', f, { outFeatures: spec.classes, bias: true });
  return b.build();
}

/** An MCUNet VWW model: no feature-mix layer, 2 classes. */
export function buildMcunetVww(cfg: McunetVwwConfig, o: BuildOptions): Graph {
  return buildProxylessNet({ id: cfg.id, task: 'visual-wake-words', stem: cfg.stem, blocks: cfg.blocks, featureMix: 0, classes: 2 }, o);
}

/** proxyless-w0.3-r176_imagenet: stem 16, feature mix 384, 1000 classes. */
export function buildProxylessW03(o: BuildOptions): Graph {
  return buildProxylessNet({ id: 'proxylessnas-w03', task: 'classification', stem: 16, blocks: PROXYLESS_W03_BLOCKS, featureMix: 384, classes: 1000 }, o);
}

// ---------------------------------------------------------------------------------------------
// st_yolo_lc_v1
// ---------------------------------------------------------------------------------------------

/**
 * STMicroelectronics/stm32ai-modelzoo object_detection/src/models/st_yolo_lc_v1.py `st_yolo_lc_v1_body`
 * (commit fb06762): four 3×3/2 convs (16, 32, 64, 128; BN, ReLU), then depthwise-separable pairs
 * (3×3 depthwise + BN with no activation, 1×1 conv + BN + ReLU) to 256, 256, a 2×2/1 'same' max pool,
 * 128, 256, and a 1×1 conv + BN to num_anchors × (5 + classes). The pretrained COCO-person models use
 * 1 class and 5 anchors (30 outputs per cell on a res/16 grid). Output reshaped to (1, W×H, 30) as the
 * README describes.
 */
export function buildStYoloLcV1(o: BuildOptions, anchors = 5, classes = 1): Graph {
  const id = 'st-yolo-lc-v1';
  const b = new GraphBuilder({ name: id, task: 'detection', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: 1, source: `zoo:${id}` });
  let x = b.input;
  [16, 32, 64, 128].forEach((c, i) => { x = conv(b, x, `conv${i + 1}`, c, 3, 2, { act: 'relu', ...folded, padding: TF_SAME }); });
  const sep = (name: string, out: number) => {
    x = dwconv(b, x, `${name}.dw`, 3, 1, { ...folded, padding: TF_SAME });
    x = conv(b, x, `${name}.pw`, out, 1, 1, { act: 'relu', ...folded });
  };
  sep('sep1', 256);
  sep('sep2', 256);
  x = b.add('maxpool', 'max_pool', x, { kernel: 2, stride: 1, padding: TF_SAME });
  sep('sep3', 128);
  sep('sep4', 256);
  const head = conv(b, x, 'detection', anchors * (5 + classes), 1, 1, folded);
  b.add('reshape', 'reshape', head, { shape: [1, -1, anchors * (5 + classes)] });
  return b.build();
}

// ---------------------------------------------------------------------------------------------
// st_ssd_mobilenet_v1
// ---------------------------------------------------------------------------------------------

/** anchor_boxes_utils.get_sizes_ratios: 2 sizes × 4 ratios → len(sizes) + len(ratios) − 1 = 5 anchors. */
const SSD_ANCHORS = 5;
/** st_ssd_mobilenet_v1 `fmap_channels`. */
const SSD_FMAP_CHANNELS = 32;
/** Keras MobileNet (keras/applications/mobilenet.py) pointwise filters after conv1 (32): [stride, filters]. */
const KERAS_MOBILENET_BLOCKS: readonly (readonly [number, number])[] = [
  [1, 64], [2, 128], [1, 128], [2, 256], [1, 256], [2, 512],
  [1, 512], [1, 512], [1, 512], [1, 512], [1, 512], [2, 1024], [1, 1024],
];

/**
 * STMicroelectronics/stm32ai-modelzoo object_detection/src/models/st_ssd_mobilenet_v1.py (commit ff424ea),
 * defaults bn_dw = bn_pred = True, dw_pred = False, activation relu6:
 * - backbone `tf.keras.applications.MobileNet(alpha)` without top (conv/BN/ReLU6, int(f × α) filters);
 * - lateral 1×1 convs (32, bias) + BN on conv_pw_5, conv_pw_11 and conv_pw_13, and on the outputs of
 *   extra depthwise-separable pairs `dw_conv` (3×3 depthwise + BN + ReLU6, 1×1 256 + BN + ReLU6, both
 *   with bias) at stride 2 then 1; a global-average-pool branch with a 1×1 lateral conv is the top map;
 * - top-down path: bilinear 2× upsampling added into the next map (FPN);
 * - per map a class head (5 × (1 + classes)) and a box head (5 × 4): 3×3 convs with bias + BN, except the
 *   1×1 top map of the 6-map layout, whose heads are 1×1;
 * - class scores softmaxed. The third output, the anchor boxes, is a constant (n_anchors × 4 float32),
 *   carried as the graph's constantBytes; X-CUBE-AI counts it in its weights flash (see the test).
 * The layout depends on the input: at 192 there are 5 maps (24, 12, 6, 3, 1; the 1×1 top upsampled to
 * 2×2 and zero-padded to 3×3); otherwise 6 maps with a second extra pair. At 224 the code zero-pads
 * conv_pw_13 from 7 to 8 and the two lateral maps to 16 and 32 so the FPN sizes double; other sizes
 * get the same treatment (pad only where a map is not already the doubled size), which gives the 256
 * layout unchanged.
 */
export function buildStSsdMobileNetV1(o: BuildOptions, classes = 1): Graph {
  const id = 'st-ssd-mobilenet-v1-025';
  const b = new GraphBuilder({ name: id, task: 'detection', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${id}` });
  const alpha = o.widthMultiplier;
  const relu6 = { act: 'relu6' as const, ...folded, padding: TF_SAME };

  // Keras MobileNet: conv1 3×3/2 (ZeroPadding ((0,1),(0,1)) + 'valid' = TF SAME on even sizes).
  let x = conv(b, b.input, 'conv1', Math.floor(32 * alpha), 3, 2, relu6);
  const pw: string[] = [];
  KERAS_MOBILENET_BLOCKS.forEach(([s, f], i) => {
    x = dwconv(b, x, `conv_dw_${i + 1}`, 3, s, relu6);
    x = conv(b, x, `conv_pw_${i + 1}`, Math.floor(f * alpha), 1, 1, relu6);
    pw.push(x);
  });
  const side = (t: string) => b.shapeOf(t)[2];
  const padTo = (t: string, name: string, size: number) => {
    const d = size - side(t);
    if (d === 0) return t;
    // st_ssd_mobilenet_v1: even gaps are padded on both sides, an odd one of 1 at top/left ((1,0),(1,0)).
    const lo = d % 2 === 0 ? d / 2 : Math.ceil(d / 2), hi = d - lo;
    return b.add(name, 'pad', t, { pads: [lo, lo, hi, hi] });
  };
  const lateral = (t: string, name: string) => conv(b, t, name, SSD_FMAP_CHANNELS, 1, 1, folded);
  const dwPair = (t: string, name: string, s: number) => {
    const h = dwconv(b, t, `${name}.dw`, 3, s, relu6);
    return conv(b, h, `${name}.pw`, 256, 1, 1, relu6);
  };

  const fiveMaps = o.resolution === 192;
  let top = pw[12];
  const base = fiveMaps ? side(top) : 2 * Math.ceil(side(top) / 2);
  top = padTo(top, 'conv_pw_13.pad', base);
  const c5 = padTo(pw[4], 'conv_pw_5.pad', 4 * base);
  const c11 = padTo(pw[10], 'conv_pw_11.pad', 2 * base);
  const laterals = [lateral(c5, 'fmap_0.conv'), lateral(c11, 'fmap_1.conv'), lateral(top, 'fmap_2.conv')];
  x = dwPair(top, 'extra1', 2);
  x = dwPair(x, 'extra1b', 1);
  laterals.push(lateral(x, 'fmap_3.conv'));
  if (!fiveMaps) {
    x = dwPair(x, 'extra2', 2);
    x = dwPair(x, 'extra2b', 1);
    laterals.push(lateral(x, 'fmap_4.conv'));
  }
  const gap = b.add('gap', 'global_pool', x, { mode: 'avg' });
  laterals.push(lateral(gap, `fmap_${laterals.length}.conv`));

  // Top-down: fmap_k = lateral_k + upsample(fmap_{k+1}), the 1×1 top map padded up when needed.
  const maps: string[] = new Array<string>(laterals.length);
  maps[laterals.length - 1] = laterals[laterals.length - 1];
  for (let k = laterals.length - 2; k >= 0; k--) {
    let up = b.add(`fmap_${k + 1}.up`, 'resize', maps[k + 1], { scale: 2, mode: 'bilinear' });
    up = padTo(up, `fmap_${k + 1}.up.pad`, side(laterals[k]));
    maps[k] = b.add(`fmap_${k}`, 'add', [laterals[k], up]);
  }

  const scores: string[] = [], boxes: string[] = [];
  maps.forEach((m, k) => {
    const kernel = !fiveMaps && k === maps.length - 1 ? 1 : 3;
    const cls = conv(b, m, `fmap_${k}.cls`, SSD_ANCHORS * (1 + classes), kernel, 1, folded);
    const box = conv(b, m, `fmap_${k}.box`, SSD_ANCHORS * 4, kernel, 1, folded);
    scores.push(b.add(`fmap_${k}.cls.reshape`, 'reshape', cls, { shape: [1, -1, 1 + classes] }));
    boxes.push(b.add(`fmap_${k}.box.reshape`, 'reshape', box, { shape: [1, -1, 4] }));
  });
  const clsConcat = b.add('classes_concat', 'concat', scores, { axis: 1 });
  const clsSoftmax = b.add('classes_softmax', 'softmax', clsConcat);
  const boxConcat = b.add('bboxes_concat', 'concat', boxes, { axis: 1 });
  const g = b.build([clsSoftmax, boxConcat]);
  // The third model output, the anchor boxes, is a stored constant: n_anchors × 4 float32.
  const anchors = g.layers.find((l) => l.name === boxConcat)!.outputShape[1];
  return { ...g, constantBytes: anchors * 4 * 4 };
}

// ---------------------------------------------------------------------------------------------
// ResNet v1 for CIFAR
// ---------------------------------------------------------------------------------------------

/**
 * STMicroelectronics/stm32ai-modelzoo image_classification/src/models/resnetv1.py `get_resnetv1` (the
 * Keras CIFAR ResNet v1, depth 6n + 2): 3×3 conv 16 + BN + ReLU; three stacks of n basic blocks (16, 32,
 * 64 filters; the first block of stacks 2 and 3 strides by 2 and projects the shortcut with a 1×1 conv
 * without BN); ReLU after each add; AveragePooling2D(8), flatten, dense + softmax. Every Conv2D has a bias
 * (Keras default), so folding BN leaves one bias per channel. The CIFAR-100 model is
 * resnet_v1_32_32_tfs (depth 32, 100 classes, 32×32×3).
 */
export function buildResNetV1Cifar(id: string, depth: number, classes: number, o: BuildOptions): Graph {
  if ((depth - 2) % 6 !== 0) throw new Error(`zoo bug: ResNet v1 depth must be 6n+2, got ${depth}`);
  const n = (depth - 2) / 6;
  const b = new GraphBuilder({ name: id, task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: 1, source: `zoo:${id}` });
  let x = conv(b, b.input, 'conv1', 16, 3, 1, { act: 'relu', ...folded, padding: TF_SAME });
  let filters = 16;
  for (let stack = 0; stack < 3; stack++) {
    for (let blk = 0; blk < n; blk++) {
      const s = stack > 0 && blk === 0 ? 2 : 1;
      const name = `stack${stack + 1}.block${blk + 1}`;
      let y = conv(b, x, `${name}.conv1`, filters, 3, s, { act: 'relu', ...folded, padding: TF_SAME });
      y = conv(b, y, `${name}.conv2`, filters, 3, 1, { ...folded, padding: TF_SAME });
      const short = s === 2 ? conv(b, x, `${name}.shortcut`, filters, 1, 2, { ...folded, padding: TF_SAME }) : x;
      x = b.add(`${name}.add`, 'add', [short, y], { activation: 'relu' });
    }
    filters *= 2;
  }
  const p = b.add('pool', 'avg_pool', x, { kernel: 8, stride: 8 });
  const f = b.add('flatten', 'flatten', p);
  const d = b.add('dense', 'linear', f, { outFeatures: classes });
  b.add('softmax', 'softmax', d);
  return b.build();
}

export const mcuExtra2Entries: readonly ZooEntry[] = [
  ...MCUNET_VWW_CONFIGS.map((cfg): ZooEntry => ({
    id: cfg.id, aliases: [cfg.netName, cfg.netId.toLowerCase()], task: 'visual-wake-words', resolution: cfg.resolution, resizable: true,
    reference: `mit-han-lab/mcunet mcunet/model_zoo.py (${cfg.netId} → ${cfg.netName}); blocks from TinyEngine codegen of the released .tflite: ${cfg.codegen}`,
    build: (o) => buildMcunetVww(cfg, o),
  })),
  {
    id: 'proxylessnas-w03', aliases: ['proxyless-w0.3', 'proxyless-w0.3-r176_imagenet', 'proxyless-320kb'], task: 'classification', resolution: 176, resizable: true,
    reference: 'mit-han-lab/mcunet @8326da6 assets/configs/proxyless-w0.3-r176_imagenet.json (ProxylessNASNets)',
    build: buildProxylessW03,
  },
  {
    id: 'st-ssd-mobilenet-v1-025', aliases: ['st_ssd_mobilenet_v1_025', 'st_ssd_mobilenet_v1'], task: 'detection', resolution: 256, widthMultiplier: 0.25, resizable: true,
    reference: 'STMicroelectronics/stm32ai-modelzoo object_detection/src/models/st_ssd_mobilenet_v1.py (α 0.25, COCO person, 1 class + background)',
    build: (o) => buildStSsdMobileNetV1(o),
  },
  {
    id: 'st-yolo-lc-v1', aliases: ['st_yolo_lc_v1'], task: 'detection', resolution: 256, resizable: true,
    reference: 'STMicroelectronics/stm32ai-modelzoo object_detection/src/models/st_yolo_lc_v1.py (COCO person: 1 class, 5 anchors)',
    build: (o) => buildStYoloLcV1(o),
  },
  {
    id: 'resnet32-cifar100', aliases: ['resnet_v1_32_32_tfs'], task: 'classification', resolution: 32, resizable: true,
    reference: 'STMicroelectronics/stm32ai-modelzoo image_classification/src/models/resnetv1.py (get_resnetv1 depth 32, 100 classes)',
    build: (o) => buildResNetV1Cifar('resnet32-cifar100', 32, 100, o),
  },
];
