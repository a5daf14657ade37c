/**
 * Reusable blocks for the zoo builders. Each returns the name of its output tensor.
 * Conv blocks default to the torchvision habit: no conv bias, BN folded (γ, β counted as params).
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Activation, LayerAttrs } from '../graph/types.ts';

/** torchvision `_make_divisible(v, 8)` (torchvision/models/_utils.py), also TF-slim's. */
export function makeDivisible(v: number, divisor = 8, minValue?: number): number {
  const min = minValue ?? divisor;
  let newV = Math.max(min, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}

export interface ConvOpts {
  readonly act?: Activation;
  readonly bn?: boolean;
  readonly bias?: boolean;
  readonly groups?: number;
  readonly dilation?: number;
  readonly padding?: LayerAttrs['padding'];
}

export function conv(b: GraphBuilder, x: string, name: string, out: number, k: number | readonly [number, number], s: number, o: ConvOpts = {}): string {
  const bn = o.bn ?? true;
  return b.add(name, 'conv2d', x, {
    outChannels: out, kernel: k, stride: s, padding: o.padding ?? 'same', dilation: o.dilation, groups: o.groups,
    bias: o.bias ?? !bn, batchnorm: bn, activation: o.act,
  });
}

export function dwconv(b: GraphBuilder, x: string, name: string, k: number, s: number, o: ConvOpts = {}): string {
  const bn = o.bn ?? true;
  return b.add(name, 'depthwise_conv2d', x, {
    kernel: k, stride: s, padding: o.padding ?? 'same', dilation: o.dilation, bias: o.bias ?? !bn, batchnorm: bn, activation: o.act,
  });
}

/** Squeeze-and-excitation: global pool → 1×1 (bias) → act → 1×1 (bias) → gate → channel-wise mul. */
export function squeezeExcite(b: GraphBuilder, x: string, name: string, squeeze: number, act: Activation, gate: Activation): string {
  const c = b.channels(x);
  const p = b.add(`${name}.pool`, 'global_pool', x, { mode: 'avg' });
  const f1 = b.add(`${name}.fc1`, 'conv2d', p, { outChannels: squeeze, kernel: 1, bias: true, activation: act });
  const f2 = b.add(`${name}.fc2`, 'conv2d', f1, { outChannels: c, kernel: 1, bias: true, activation: gate });
  return b.add(`${name}.scale`, 'mul', [x, f2]);
}

/** Classifier head: global pool → flatten → linear. */
export function classifier(b: GraphBuilder, x: string, classes: number, name = 'classifier'): string {
  const p = b.add('pool', 'global_pool', x, { mode: 'avg' });
  const f = b.add('flatten', 'flatten', p);
  return b.add(name, 'linear', f, { outFeatures: classes, bias: true });
}

export function imageInput(resolution: number, channels = 3, height?: number) {
  return [{ name: 'input', shape: [1, channels, height ?? resolution, resolution], dtype: 'fp32' as const }];
}
