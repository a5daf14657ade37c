/** ResNet-18/50 (torchvision/models/resnet.py, v1.5 bottleneck: stride on the 3×3), model-reference.md §7.4. */
import { GraphBuilder } from '../graph/build.ts';
import { classifier, conv, imageInput } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

function buildResNet(id: string, bottleneck: boolean, layers: readonly number[], o: BuildOptions) {
  const b = new GraphBuilder({ name: id, task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${id}` });
  const w = (c: number) => Math.max(8, Math.round(c * o.widthMultiplier));
  const expansion = bottleneck ? 4 : 1;
  let x = conv(b, b.input, 'conv1', w(64), 7, 2, { act: 'relu' });
  x = b.add('maxpool', 'max_pool', x, { kernel: 3, stride: 2, padding: 1 });
  layers.forEach((n, stage) => {
    const width = w(64 * 2 ** stage);
    for (let i = 0; i < n; i++) {
      const name = `layer${stage + 1}.${i}`;
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const cin = b.channels(x);
      let h: string;
      if (bottleneck) {
        h = conv(b, x, `${name}.conv1`, width, 1, 1, { act: 'relu' });
        h = conv(b, h, `${name}.conv2`, width, 3, stride, { act: 'relu' });
        h = conv(b, h, `${name}.conv3`, width * expansion, 1, 1);
      } else {
        h = conv(b, x, `${name}.conv1`, width, 3, stride, { act: 'relu' });
        h = conv(b, h, `${name}.conv2`, width, 3, 1);
      }
      const short = stride !== 1 || cin !== width * expansion ? conv(b, x, `${name}.downsample`, width * expansion, 1, stride) : x;
      // The add's ReLU is fused (TFLite ADD fused_activation_function; TensorRT fusion).
      x = b.add(`${name}.add`, 'add', [short, h], { activation: 'relu' });
    }
  });
  classifier(b, x, 1000, 'fc');
  return b.build();
}

export const resnetEntries: readonly ZooEntry[] = [
  { id: 'resnet-18', aliases: ['resnet18'], task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/resnet.py (resnet18, BasicBlock [2,2,2,2])', build: (o) => buildResNet('resnet-18', false, [2, 2, 2, 2], o) },
  { id: 'resnet-50', aliases: ['resnet50'], task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/resnet.py (resnet50, Bottleneck [3,4,6,3])', build: (o) => buildResNet('resnet-50', true, [3, 4, 6, 3], o) },
];
