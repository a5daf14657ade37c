/**
 * Extra microcontroller models for memory validation (shared/data/mcu-memory.csv): the MCUNet
 * ImageNet models and TFLM's person-detection MobileNet.
 *
 * MCUNet (mit-han-lab/mcunet `mcunet/model_zoo.py`): each model is a `ProxylessNASNets` net
 * config (mcunet/tinynas/nn/networks/proxyless_nets.py) released as
 * https://hanlab18.mit.edu/projects/tinyml/mcunet/release/<net_name>.json: a 3×3 stride-2 stem
 * (BN, ReLU6), a list of `MobileInvertedResidualBlock`s (optional 1×1 expand with ReLU6 →
 * k×k depthwise with ReLU6 → 1×1 linear projection; an identity shortcut when stride is 1 and
 * the channels match), no feature-mix layer, global average pool and a linear classifier.
 * The block lists below are [expand ratio, out channels, stride, kernel] per block, from those
 * JSON configs (mcunet-in2's checked field by field against the released
 * mcunet-256kb-1mb_imagenet.json; the others as transcribed in a torchvision-style port of
 * the same JSONs). Params and MACs are checked against the mcunet README in
 * test/memory/mcu-extra.test.ts.
 *
 * The VWW configs (mcunet-10fps_vww, 5fps_vww, 320kb-1mb_vww) and ProxylessNAS w0.3 were not
 * found in a retrievable form, so those models are absent (their CSV rows are skipped).
 */
import { GraphBuilder } from '../graph/build.ts';
import { conv, dwconv } from './blocks.ts';
import { buildMobileNetV1 } from './mobilenet.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

/** [mid channels / in channels, out channels, stride, depthwise kernel] per MobileInvertedResidualBlock. */
export type McunetBlock = readonly [expand: number, out: number, stride: number, kernel: number];

/** What every MCUNet variant (ImageNet and VWW) is built from: its name in the model zoo and its searched blocks. */
export interface McunetBase {
  readonly id: string;
  readonly netName: string;
  readonly resolution: number;
  readonly stem: number;
  readonly blocks: readonly McunetBlock[];
}

interface McunetConfig extends McunetBase {
  readonly classes: number;
}

const IN0: McunetConfig = {
  id: 'mcunet-in0', netName: 'mcunet-10fps_imagenet', resolution: 48, stem: 24, classes: 1000,
  blocks: [[1, 16, 1, 3], [4, 16, 2, 5], [3, 16, 1, 3], [4, 16, 1, 3], [5, 24, 2, 7], [4, 24, 1, 5], [5, 24, 1, 5], [5, 48, 2, 7], [4, 48, 1, 5], [5, 56, 1, 3], [4, 56, 1, 5], [5, 56, 1, 3], [6, 112, 2, 3], [4, 112, 1, 5], [6, 192, 1, 3]],
};
const IN1: McunetConfig = {
  id: 'mcunet-in1', netName: 'mcunet-5fps_imagenet', resolution: 96, stem: 16, classes: 1000,
  blocks: [[1, 8, 1, 3], [4, 16, 2, 3], [3, 16, 1, 3], [3, 24, 2, 7], [5, 24, 1, 3], [5, 40, 2, 3], [4, 40, 1, 7], [4, 48, 1, 5], [3, 48, 1, 3], [4, 48, 1, 3], [5, 96, 2, 7], [4, 96, 1, 5], [4, 96, 1, 5], [6, 160, 1, 3]],
};
const IN2: McunetConfig = {
  id: 'mcunet-in2', netName: 'mcunet-256kb-1mb_imagenet', resolution: 160, stem: 16, classes: 1000,
  blocks: [[1, 8, 1, 3], [3, 16, 2, 5], [6, 16, 1, 7], [5, 16, 1, 3], [5, 16, 1, 5], [5, 24, 2, 3], [6, 24, 1, 7], [6, 24, 1, 5], [4, 40, 2, 7], [5, 40, 1, 5], [5, 48, 1, 3], [5, 48, 1, 5], [4, 48, 1, 3], [6, 96, 2, 5], [4, 96, 1, 5], [3, 96, 1, 5], [4, 96, 1, 3], [5, 160, 1, 5]],
};
const IN3: McunetConfig = {
  id: 'mcunet-in3', netName: 'mcunet-320kb-1mb_imagenet', resolution: 176, stem: 16, classes: 1000,
  blocks: [[1, 8, 1, 3], [3, 16, 2, 7], [5, 16, 1, 3], [5, 16, 1, 7], [4, 16, 1, 5], [5, 24, 2, 5], [5, 24, 1, 5], [5, 24, 1, 5], [5, 40, 2, 3], [6, 40, 1, 7], [4, 40, 1, 5], [5, 48, 1, 5], [5, 48, 1, 7], [5, 48, 1, 3], [6, 96, 2, 3], [5, 96, 1, 7], [4, 96, 1, 3], [5, 160, 1, 7]],
};
const IN4: McunetConfig = {
  id: 'mcunet-in4', netName: 'mcunet-512kb-2mb_imagenet', resolution: 160, stem: 32, classes: 1000,
  blocks: [[1, 16, 1, 3], [3, 24, 2, 7], [5, 24, 1, 3], [4, 24, 1, 5], [5, 40, 2, 7], [4, 40, 1, 3], [4, 40, 1, 7], [3, 80, 2, 7], [3, 80, 1, 3], [3, 80, 1, 7], [4, 96, 1, 3], [3, 96, 1, 5], [3, 96, 1, 5], [4, 192, 2, 7], [3, 192, 1, 7], [3, 192, 1, 5], [4, 320, 1, 5]],
};

export const MCUNET_CONFIGS: readonly McunetConfig[] = [IN0, IN1, IN2, IN3, IN4];

/** ProxylessNASNets.build_from_config for an MCUNet config; BN folded into a bias when deployed. */
export function buildMcunet(cfg: McunetConfig, o: BuildOptions) {
  const b = new GraphBuilder({
    name: cfg.id, task: 'classification', inputs: [{ name: 'input', shape: [1, 3, o.resolution, o.resolution], dtype: 'fp32' }],
    resolution: o.resolution, widthMultiplier: 1, source: `zoo:${cfg.id}`,
  });
  let x = conv(b, b.input, 'first_conv', cfg.stem, 3, 2, { act: 'relu6' });
  cfg.blocks.forEach(([t, c, s, k], i) => {
    const cin = b.channels(x);
    let h = x;
    // MBInvertedConvLayer: mid_channels = round(in × expand) (the configs list it explicitly).
    if (t !== 1) h = conv(b, h, `blocks.${i}.inverted_bottleneck`, Math.round(cin * t), 1, 1, { act: 'relu6' });
    h = dwconv(b, h, `blocks.${i}.depth_conv`, k, s, { act: 'relu6' });
    h = conv(b, h, `blocks.${i}.point_linear`, c, 1, 1);
    x = s === 1 && cin === c ? b.add(`blocks.${i}.add`, 'add', [x, h]) : h;
  });
  const p = b.add('pool', 'global_pool', x, { mode: 'avg' });
  const f = b.add('flatten', 'flatten', p);
  b.add('classifier', 'linear', f, { outFeatures: cfg.classes, bias: true });
  return b.build();
}

/**
 * TF-Lite Micro's person-detection model (tflite-micro examples/person_detection): MobileNetV1
 * α = 0.25 on a 96×96 grayscale image, 2 classes (kCategoryCount = 2 in model_settings.h),
 * BN folded into conv biases as stored in the .tflite.
 */
function buildPersonDetect(o: BuildOptions) {
  const g = buildMobileNetV1('mobilenet-v1-025-person-detect', { ...o, widthMultiplier: 0.25 }, 2, 'visual-wake-words', false);
  return withInputChannels(g, 1);
}

/** Same graph with a different number of input channels (shapes re-inferred). */
function withInputChannels(g: ReturnType<GraphBuilder['build']>, channels: number) {
  const [n, , h, w] = g.inputs[0].shape;
  const b = new GraphBuilder({ name: g.name, task: g.task, inputs: [{ ...g.inputs[0], shape: [n, channels, h, w] }], resolution: g.resolution, widthMultiplier: g.widthMultiplier, source: g.source });
  for (const l of g.layers) b.add(l.name, l.op, l.inputs, l.attrs);
  return b.build(g.outputs);
}

export const mcuExtraEntries: readonly ZooEntry[] = [
  ...MCUNET_CONFIGS.map((cfg): ZooEntry => ({
    id: cfg.id, aliases: [cfg.netName], task: 'classification', resolution: cfg.resolution, resizable: true,
    reference: `mit-han-lab/mcunet mcunet/model_zoo.py → release/${cfg.netName}.json (ProxylessNASNets)`,
    build: (o) => buildMcunet(cfg, o),
  })),
  {
    id: 'mobilenet-v1-025-person-detect', aliases: ['person-detect', 'person_detect'], task: 'visual-wake-words', resolution: 96, widthMultiplier: 0.25, resizable: true,
    reference: 'tensorflow/tflite-micro tensorflow/lite/micro/examples/person_detection (MobileNetV1 α=0.25, 96×96×1, 2 classes)',
    build: buildPersonDetect,
  },
];
