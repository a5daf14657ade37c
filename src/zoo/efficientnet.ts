/**
 * EfficientNet-B0 (torchvision/models/efficientnet.py, `_efficientnet_conf`, model-reference.md §7.3)
 * and EfficientNet-Lite0..4 (tensorflow/tpu models/official/efficientnet/lite/efficientnet_lite_builder.py:
 * no SE, ReLU6, stem and head fixed; efficientnet_model.py keeps the first and last stage's repeats
 * unscaled when fix_head_stem is set).
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Activation } from '../graph/types.ts';
import { classifier, conv, dwconv, imageInput, makeDivisible, squeezeExcite } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

/** (expand ratio, kernel, stride, in, out, repeats) — B0's `MBConvConfig` list, also Lite's block strings. */
const B0_BLOCKS: readonly (readonly [number, number, number, number, number, number])[] = [
  [1, 3, 1, 32, 16, 1], [6, 3, 2, 16, 24, 2], [6, 5, 2, 24, 40, 2], [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3], [6, 5, 2, 112, 192, 4], [6, 3, 1, 192, 320, 1],
];

interface EffNetConfig {
  readonly id: string;
  readonly width: number;
  readonly depth: number;
  readonly lite: boolean;
}

function buildEfficientNet(cfg: EffNetConfig, o: BuildOptions) {
  const b = new GraphBuilder({ name: cfg.id, task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${cfg.id}` });
  const width = cfg.width * o.widthMultiplier;
  const ch = (c: number) => makeDivisible(c * width, 8);
  const act: Activation = cfg.lite ? 'relu6' : 'silu';
  // Lite fixes the stem at 32 and the head at 1280 (fix_head_stem=True).
  let x = conv(b, b.input, 'stem', cfg.lite ? 32 : ch(32), 3, 2, { act });
  B0_BLOCKS.forEach(([t, k, s, , out, n], stage) => {
    const fixed = cfg.lite && (stage === 0 || stage === B0_BLOCKS.length - 1);
    const repeats = fixed ? n : Math.ceil(n * cfg.depth);
    for (let i = 0; i < repeats; i++) {
      const name = `blocks.${stage}.${i}`;
      const cin = b.channels(x);
      const cout = ch(out);
      const stride = i === 0 ? s : 1;
      let h = x;
      if (t !== 1) h = conv(b, h, `${name}.expand`, cin * t, 1, 1, { act });
      h = dwconv(b, h, `${name}.dw`, k, stride, { act });
      // torchvision: squeeze channels = max(1, block_in // 4), SiLU then sigmoid gate.
      if (!cfg.lite) h = squeezeExcite(b, h, `${name}.se`, Math.max(1, Math.floor(cin / 4)), 'silu', 'sigmoid');
      h = conv(b, h, `${name}.project`, cout, 1, 1);
      x = stride === 1 && cin === cout ? b.add(`${name}.add`, 'add', [x, h]) : h;
    }
  });
  x = conv(b, x, 'head', cfg.lite ? 1280 : 4 * ch(320), 1, 1, { act });
  classifier(b, x, 1000);
  return b.build();
}

const LITE: readonly (readonly [string, number, number, number])[] = [
  // (id, width, depth, resolution) — efficientnet_lite_params
  ['efficientnet-lite0', 1.0, 1.0, 224], ['efficientnet-lite1', 1.0, 1.1, 240], ['efficientnet-lite2', 1.1, 1.2, 260],
  ['efficientnet-lite3', 1.2, 1.4, 280], ['efficientnet-lite4', 1.4, 1.8, 300],
];

export const efficientnetEntries: readonly ZooEntry[] = [
  { id: 'efficientnet-b0', task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/efficientnet.py (_efficientnet_conf, b0)', build: (o) => buildEfficientNet({ id: 'efficientnet-b0', width: 1, depth: 1, lite: false }, o) },
  ...LITE.map(([id, width, depth, res]): ZooEntry => ({
    id, task: 'classification', resolution: res, resizable: true,
    reference: 'tensorflow/tpu models/official/efficientnet/lite/efficientnet_lite_builder.py',
    build: (o) => buildEfficientNet({ id, width, depth, lite: true }, o),
  })),
];
