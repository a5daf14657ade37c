/**
 * MLPerf Tiny reference models (mlcommons/tiny benchmark/training/**), model-reference.md §6.
 * Counted as stored in the reference .tflite files: BN folded into a per-channel bias.
 */
import { GraphBuilder } from '../graph/build.ts';
import { conv, dwconv, imageInput } from './blocks.ts';
import { buildMobileNetV1 } from './mobilenet.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

const folded = { bn: false, bias: true } as const;

/** image_classification/keras_model.py `resnet_v1_eembc` with the reference 16/32/64 filters (commit bceb91c5). */
function buildResNet8(o: BuildOptions) {
  const b = new GraphBuilder({ name: 'resnet8-cifar', task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: 'zoo:resnet8-cifar' });
  const w = (c: number) => Math.max(4, Math.round(c * o.widthMultiplier));
  let x = conv(b, b.input, 'conv1', w(16), 3, 1, { act: 'relu', ...folded });
  [16, 32, 64].forEach((c, i) => {
    const s = i === 0 ? 1 : 2;
    let y = conv(b, x, `stack${i + 1}.conv1`, w(c), 3, s, { act: 'relu', ...folded, padding: 'same_upper' });
    y = conv(b, y, `stack${i + 1}.conv2`, w(c), 3, 1, folded);
    // Stacks 2 and 3 project the shortcut with a strided 1×1 conv (no BN in the reference model).
    const short = i === 0 ? x : conv(b, x, `stack${i + 1}.shortcut`, w(c), 1, 2, folded);
    x = b.add(`stack${i + 1}.add`, 'add', [short, y], { activation: 'relu' });
  });
  const hw = b.shapeOf(x)[2];
  const p = b.add('pool', 'avg_pool', x, { kernel: hw, stride: hw });
  const f = b.add('flatten', 'flatten', p);
  const d = b.add('dense', 'linear', f, { outFeatures: 10 });
  b.add('softmax', 'softmax', d);
  return b.build();
}

/** keyword_spotting/keras_model.py, DS-CNN with 64 filters on a 49×10 MFCC input. */
function buildDsCnn(o: BuildOptions) {
  const b = new GraphBuilder({ name: 'ds-cnn', task: 'keyword-spotting', inputs: imageInput(10, 1, 49), resolution: 49, widthMultiplier: o.widthMultiplier, source: 'zoo:ds-cnn' });
  const c = Math.max(4, Math.round(64 * o.widthMultiplier));
  // TF 'same' padding with stride 2: output = ceil(in / 2) → 25×5.
  let x = conv(b, b.input, 'conv1', c, [10, 4], 2, { act: 'relu', ...folded, padding: 'same_upper' });
  for (let i = 1; i <= 4; i++) {
    x = dwconv(b, x, `ds${i}.dw`, 3, 1, { act: 'relu', ...folded });
    x = conv(b, x, `ds${i}.pw`, c, 1, 1, { act: 'relu', ...folded });
  }
  const [, , h, w] = b.shapeOf(x);
  const p = b.add('pool', 'avg_pool', x, { kernel: [h, w], stride: [h, w] });
  const f = b.add('flatten', 'flatten', p);
  const d = b.add('dense', 'linear', f, { outFeatures: 12 });
  b.add('softmax', 'softmax', d);
  return b.build();
}

/** anomaly_detection/keras_model.py: dense 640-128-128-128-128-8-128-128-128-128-640, BN+ReLU folded. */
function buildFcAutoencoder(o: BuildOptions) {
  const b = new GraphBuilder({ name: 'fc-autoencoder', task: 'anomaly-detection', inputs: [{ name: 'input', shape: [1, 640], dtype: 'fp32' }], resolution: 640, widthMultiplier: o.widthMultiplier, source: 'zoo:fc-autoencoder' });
  const hidden = (n: number) => Math.max(1, Math.round(n * o.widthMultiplier));
  let x = b.input;
  const widths = [128, 128, 128, 128, 8, 128, 128, 128, 128];
  widths.forEach((n, i) => {
    x = b.add(`dense${i + 1}`, 'linear', x, { outFeatures: n === 8 ? 8 : hidden(n), activation: 'relu' });
  });
  b.add('dense10', 'linear', x, { outFeatures: 640 });
  return b.build();
}

export const mlperfTinyEntries: readonly ZooEntry[] = [
  { id: 'resnet8-cifar', aliases: ['resnet8', 'mlperf-tiny-ic'], task: 'classification', resolution: 32, resizable: true, reference: 'mlcommons/tiny benchmark/training/image_classification/keras_model.py (resnet_v1_eembc, filters 16/32/64)', build: buildResNet8 },
  {
    id: 'mobilenet-v1-025-vww', aliases: ['vww', 'mlperf-tiny-vww'], task: 'visual-wake-words', resolution: 96, widthMultiplier: 0.25, resizable: true,
    reference: 'mlcommons/tiny benchmark/training/visual_wake_words/vww_model.py (MobileNetV1 α=0.25, 96×96, 2 classes)',
    build: (o) => buildMobileNetV1('mobilenet-v1-025-vww', o, 2, 'visual-wake-words', false),
  },
  { id: 'ds-cnn', aliases: ['ds-cnn-kws', 'mlperf-tiny-kws'], task: 'keyword-spotting', resolution: 49, resizable: false, reference: 'mlcommons/tiny benchmark/training/keyword_spotting/keras_model.py (DS-CNN, 64 filters, 49×10 MFCC)', build: buildDsCnn },
  { id: 'fc-autoencoder', aliases: ['fc-autoencoder-ad', 'mlperf-tiny-ad'], task: 'anomaly-detection', resolution: 640, resizable: false, reference: 'mlcommons/tiny benchmark/training/anomaly_detection/keras_model.py', build: buildFcAutoencoder },
];
