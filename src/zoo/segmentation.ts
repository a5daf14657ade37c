/**
 * MobileNetV2-based segmentation models.
 *
 * DeepLabv3-MobileNetV2 — TF DeepLab `mobilenetv2_coco_voc_trainaug`
 * (tensorflow/models research/deeplab/g3doc/model_zoo.md): MobileNet-v2 models use no atrous ASPP
 * branches and no decoder; eval at output stride 16, single scale, 513×513 crop (VOC), 21 classes;
 * the zoo table gives 2.75B Multiply-Adds for that setting (152.59B is OS 8 with 6 scales + flips).
 * Graph from research/deeplab/model.py `extract_features` (aspp_with_batch_norm, add_image_level_feature,
 * no atrous_rates) and research/deeplab/core/feature_extractor.py (`_MOBILENET_V2_FINAL_ENDPOINT =
 * 'layer_18'`, i.e. the 320-ch output, no 1280 conv):
 *   backbone (OS 16: the last stride-2 becomes stride 1 and later depthwise convs use rate 2,
 *   slim mobilenet.py `output_stride` logic) → [image_pooling: avg pool → 1×1 256 + BN + ReLU →
 *   bilinear resize] ‖ [aspp0: 1×1 256 + BN + ReLU] → concat → concat_projection 1×1 256 + BN + ReLU
 *   → logits 1×1 (bias) → bilinear resize to the input size.
 *
 * U-Net-MobileNetV2 — TF tutorial "Image segmentation" (tensorflow/docs site/en/tutorials/images/
 * segmentation.ipynb): Keras MobileNetV2(input_shape=[128, 128, 3], include_top=False), skips
 * block_1_expand_relu (64²), block_3_expand_relu (32²), block_6_expand_relu (16²),
 * block_13_expand_relu (8²), block_16_project (4²); up_stack = pix2pix.upsample(512|256|128|64, 3)
 * (tensorflow/examples tensorflow_examples/models/pix2pix/pix2pix.py: Conv2DTranspose k3 s2 'same',
 * no bias → BatchNorm → ReLU), each followed by a concat with the skip; last = Conv2DTranspose(3, 3,
 * strides=2, padding='same') with bias, OUTPUT_CLASSES = 3. Keras `block_k` is `features.{k+1}` here.
 * The 'block_16_project' tap is the raw Conv2D (before block_16_project_BN), so that BN is left out.
 * Check value: the tutorial model's Keras model.summary() (as printed in ArthurFDLR/pet-image-segmentation
 * README.md) — Total 6,504,227, down_stack 1,841,984. Keras also counts BN moving mean/variance, so
 * Keras total = our params + 2 × (BN channels) = 6,471,395 + 2 × 16,416.
 *
 * Both backbones follow the MobileNetV2 layer table (torchvision/models/mobilenetv2.py
 * `inverted_residual_setting`, identical to TF-slim V2_DEF and keras.applications.MobileNetV2) and
 * reuse `invertedResidual` from mobilenet.ts; widthMultiplier scales the backbone (α).
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import { EdgeplanError } from '../errors/index.ts';
import { conv, dwconv, imageInput, makeDivisible } from './blocks.ts';
import { invertedResidual } from './mobilenet.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

/** [t, c, n, s] rows of torchvision `inverted_residual_setting` (= TF-slim mobilenet_v2 V2_DEF). */
const V2_SETTING: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/**
 * MobileNetV2 trunk without the final 1×1 conv (slim `layer_18` / Keras `block_16_project`),
 * named like `mobileNetV2Features` (`features.N.expand|dw|project`). With `outputStrideTotal`,
 * strides past it become 1 and later depthwise convs are dilated (slim mobilenet.py `mobilenet_base`).
 */
export function mobileNetV2Trunk(b: GraphBuilder, width: number, outputStrideTotal?: number, lastProjectBn = true): string {
  const STEM_STRIDE = 2;
  let x = conv(b, b.input, 'features.0', makeDivisible(32 * width, 8), 3, STEM_STRIDE, { act: 'relu6' });
  let currentStride = STEM_STRIDE, rate = 1, blk = 1;
  for (const [t, c, n, s] of V2_SETTING) {
    const out = makeDivisible(c * width, 8);
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      let layerStride = stride, layerRate = 1;
      if (outputStrideTotal !== undefined && currentStride === outputStrideTotal) {
        layerStride = 1; layerRate = rate; rate *= stride;
      } else {
        currentStride *= stride;
      }
      const isLast = blk === V2_SETTING.reduce((a, r) => a + r[2], 0);
      x = isLast && !lastProjectBn
        ? invertedResidualRawProject(b, x, `features.${blk++}`, out, layerStride, t, layerRate)
        : invertedResidual(b, x, `features.${blk++}`, out, layerStride, t, layerRate);
    }
  }
  return x;
}

/**
 * `invertedResidual` whose 1×1 project conv is tapped before its BN (Keras `block_16_project` is the
 * raw Conv2D output; `block_16_project_BN` is not part of the tutorial's down_stack): no bias, no BN.
 */
function invertedResidualRawProject(b: GraphBuilder, x: string, name: string, out: number, stride: number, expand: number, dilation: number): string {
  const cin = b.channels(x);
  let h = expand !== 1 ? conv(b, x, `${name}.expand`, cin * expand, 1, 1, { act: 'relu6' }) : x;
  h = dwconv(b, h, `${name}.dw`, 3, stride, { act: 'relu6', dilation });
  h = conv(b, h, `${name}.project`, out, 1, 1, { bn: false, bias: false });
  return stride === 1 && cin === out ? b.add(`${name}.add`, 'add', [x, h]) : h;
}

// ---------------------------------------------------------------- DeepLabv3 (MobileNetV2)

/** model_zoo.md: eval OS 16 at a single scale is the 2.75B MAdds row; train.py default aspp depth 256. */
const DEEPLAB_OUTPUT_STRIDE = 16;
const ASPP_DEPTH = 256;
const VOC_CLASSES = 21;

export function buildDeepLabV3MobileNetV2(o: BuildOptions, classes = VOC_CLASSES, outputStrideTotal = DEEPLAB_OUTPUT_STRIDE): Graph {
  const id = 'deeplabv3-mobilenet-v2';
  if (o.resolution < outputStrideTotal) {
    throw new EdgeplanError('bad_value', `${id} needs a resolution of at least ${outputStrideTotal}, got ${o.resolution}`, { fix: 'pass --resolution 513' });
  }
  const b = new GraphBuilder({ name: id, task: 'segmentation', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${id}` });
  const features = mobileNetV2Trunk(b, o.widthMultiplier, outputStrideTotal);
  const [, , fh, fw] = b.shapeOf(features);
  // Image-level feature: avg pool over the whole (crop-sized) map, 1×1 conv, bilinear back.
  let pooled = b.add('image_pooling.pool', 'global_pool', features, { mode: 'avg' });
  pooled = conv(b, pooled, 'image_pooling', ASPP_DEPTH, 1, 1, { act: 'relu' });
  pooled = b.add('image_pooling.resize', 'resize', pooled, { mode: 'bilinear', size: [fh, fw] });
  const aspp0 = conv(b, features, 'aspp0', ASPP_DEPTH, 1, 1, { act: 'relu' });
  let x = b.add('aspp.concat', 'concat', [pooled, aspp0], { axis: 1 });
  x = conv(b, x, 'concat_projection', ASPP_DEPTH, 1, 1, { act: 'relu' });
  // get_branch_logits: 1×1 conv with bias, no BN, no activation (scope logits/semantic).
  x = b.add('logits.semantic', 'conv2d', x, { outChannels: classes, kernel: 1, bias: true });
  b.add('logits.resize', 'resize', x, { mode: 'bilinear', size: [o.resolution, o.resolution] });
  return b.build();
}

// ---------------------------------------------------------------- U-Net (MobileNetV2 encoder)

/** Keras layer name → tensor here: block_k = features.{k+1}; "_expand_relu" = the expand conv's output. */
const UNET_SKIPS: readonly string[] = ['features.2.expand', 'features.4.expand', 'features.7.expand', 'features.14.expand'];
/** pix2pix.upsample filters, deepest first. */
const UNET_UP_FILTERS: readonly number[] = [512, 256, 128, 64];
const UNET_KERNEL = 3;
const PET_CLASSES = 3;

/** Conv2DTranspose(k, strides=2, padding='same'): out = 2·in, i.e. pad k//2 each side + output_padding 1. */
function convTranspose2x(b: GraphBuilder, x: string, name: string, out: number, o: { bn: boolean; act?: 'relu' }): string {
  return b.add(name, 'conv_transpose2d', x, {
    outChannels: out, kernel: UNET_KERNEL, stride: 2, padding: Math.floor(UNET_KERNEL / 2), outputPadding: 1,
    bias: !o.bn, batchnorm: o.bn, activation: o.act,
  });
}

export function buildUnetMobileNetV2(o: BuildOptions, classes = PET_CLASSES): Graph {
  const id = 'unet-mobilenet-v2';
  const DOWNSAMPLE = 32;
  if (o.resolution % DOWNSAMPLE !== 0) {
    throw new EdgeplanError('bad_value', `${id} needs a resolution divisible by ${DOWNSAMPLE} so the skips line up, got ${o.resolution}`, { fix: 'pass --resolution 128 (or 96, 160, 224, ...)' });
  }
  const b = new GraphBuilder({ name: id, task: 'segmentation', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${id}` });
  let x = mobileNetV2Trunk(b, o.widthMultiplier, undefined, false); // block_16_project (pre-BN)
  const skips = [...UNET_SKIPS].reverse();
  UNET_UP_FILTERS.forEach((filters, i) => {
    x = convTranspose2x(b, x, `sequential_${i}.conv2d_transpose`, filters, { bn: true, act: 'relu' });
    x = b.add(`concatenate_${i}`, 'concat', [x, skips[i]], { axis: 1 });
  });
  convTranspose2x(b, x, 'conv2d_transpose_last', classes, { bn: false });
  return b.build();
}

export const segmentationEntries: readonly ZooEntry[] = [
  { id: 'deeplabv3-mobilenet-v2', aliases: ['deeplabv3_mnv2', 'mobilenetv2_coco_voc_trainaug'], task: 'segmentation', resolution: 513, resizable: true, reference: 'tensorflow/models research/deeplab (model.py, core/feature_extractor.py, g3doc/model_zoo.md mobilenetv2_coco_voc_trainaug, OS 16)', build: (o) => buildDeepLabV3MobileNetV2(o) },
  { id: 'unet-mobilenet-v2', aliases: ['unet_mobilenet_v2'], task: 'segmentation', resolution: 128, resizable: true, reference: 'tensorflow/docs site/en/tutorials/images/segmentation.ipynb (unet_model) + tensorflow_examples pix2pix.upsample', build: (o) => buildUnetMobileNetV2(o) },
];
