/**
 * Shape inference and counting for every IR op: output shape, params and MACs follow from
 * the input shapes and attributes alone. MACs follow the convention of
 * ../shared/research/model-reference.md §0 (torchvision `_ops`): conv, depthwise, transposed
 * conv, linear/matmul and attention only; BN, activations, pooling, element-wise ops count 0.
 */
import { EdgeplanError } from '../errors/index.ts';
import type { LayerAttrs, OpName, Shape } from './types.ts';

export interface LayerCounts {
  readonly outputShape: Shape;
  readonly params: number;
  readonly macs: number;
  readonly weightElements: number;
  readonly biasElements: number;
  /** True when the op only re-labels its input (reshape/flatten): no new tensor at run time. */
  readonly inPlace: boolean;
}

const fail = (msg: string, fix?: string): never => {
  throw new EdgeplanError('bad_shape', msg, { fix });
};

const pair = (v: number | readonly [number, number] | undefined, dflt: number): [number, number] =>
  v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

const prod = (s: Shape): number => s.reduce((a, b) => a * b, 1);

function positiveInt(v: number | undefined, what: string): number {
  if (v === undefined) return fail(`missing ${what}`, `set ${what} to a positive integer`);
  if (!Number.isInteger(v) || v <= 0) fail(`${what} must be a positive integer, got ${v}`, `set ${what} to a positive integer such as 16`);
  return v as number;
}

function expectRank(shape: Shape, rank: number, op: string): void {
  if (shape.length !== rank) fail(`${op} expects a rank-${rank} input, got shape [${shape.join(', ')}]`, rank === 4 ? 'feed it an NCHW feature map (add a reshape before it)' : 'reshape the input first');
}

/** Padding per side [top, left, bottom, right] for a sliding window. */
export function resolvePadding(attrs: LayerAttrs, inH: number, inW: number, kh: number, kw: number, sh: number, sw: number, dil: number): [number, number, number, number] {
  const p = attrs.padding ?? 'same';
  if (p === 'valid') return [0, 0, 0, 0];
  if (p === 'same') {
    // PyTorch convention used by torchvision/ultralytics: symmetric k//2 (× dilation).
    const ph = Math.floor(((kh - 1) * dil) / 2), pw = Math.floor(((kw - 1) * dil) / 2);
    return [ph, pw, ph, pw];
  }
  if (p === 'same_upper') {
    // TF/ONNX SAME_UPPER: output = ceil(in / stride); the extra pad goes at the end.
    const outH = Math.ceil(inH / sh), outW = Math.ceil(inW / sw);
    const th = Math.max(0, (outH - 1) * sh + (kh - 1) * dil + 1 - inH);
    const tw = Math.max(0, (outW - 1) * sw + (kw - 1) * dil + 1 - inW);
    return [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
  }
  if (typeof p === 'number') return [p, p, p, p];
  return [p[0], p[1], p[2], p[3]];
}

function windowOut(inSize: number, k: number, s: number, p0: number, p1: number, dil: number, ceil: boolean): number {
  const span = inSize + p0 + p1 - dil * (k - 1) - 1;
  const out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  return out;
}

function convLike(op: OpName, attrs: LayerAttrs, x: Shape): LayerCounts {
  expectRank(x, 4, op);
  const [n, cin, h, w] = x;
  const [kh, kw] = pair(attrs.kernel, 1);
  const [sh, sw] = pair(attrs.stride, 1);
  const dil = attrs.dilation ?? 1;
  positiveInt(kh, 'kernel'); positiveInt(sh, 'stride'); positiveInt(dil, 'dilation');
  let groups: number, cout: number;
  if (op === 'depthwise_conv2d') {
    const mult = attrs.depthMultiplier ?? 1;
    cout = attrs.outChannels ?? cin * mult;
    groups = cin;
    if (cout % cin !== 0) fail(`depthwise_conv2d needs out_channels to be a multiple of in_channels (${cin}), got ${cout}`, `set out_channels to ${cin}`);
  } else {
    cout = positiveInt(attrs.outChannels, 'out_channels');
    groups = attrs.groups ?? 1;
    positiveInt(groups, 'groups');
    if (cin % groups !== 0 || cout % groups !== 0) fail(`groups=${groups} must divide in_channels (${cin}) and out_channels (${cout})`, 'choose groups that divide both channel counts');
  }
  const [pt, pl, pb, pr] = resolvePadding(attrs, h, w, kh, kw, sh, sw, dil);
  let oh: number, ow: number;
  if (op === 'conv_transpose2d') {
    const op_ = attrs.outputPadding ?? 0;
    oh = (h - 1) * sh - pt - pb + dil * (kh - 1) + op_ + 1;
    ow = (w - 1) * sw - pl - pr + dil * (kw - 1) + op_ + 1;
  } else {
    oh = windowOut(h, kh, sh, pt, pb, dil, false);
    ow = windowOut(w, kw, sw, pl, pr, dil, false);
  }
  if (oh <= 0 || ow <= 0) fail(`${kh}x${kw} ${op} with stride ${sh} on a ${h}x${w} input gives an empty output`, 'raise the input resolution or reduce kernel/stride');
  const weights = kh * kw * (cin / groups) * cout;
  const bias = attrs.bias || attrs.batchnorm ? cout : 0;
  // Frameworks count a BN's γ and β (2·C) as params; a conv bias is C more.
  const params = weights + (attrs.bias ? cout : 0) + (attrs.batchnorm ? 2 * cout : 0);
  // Transposed conv: every input pixel scatters a kh·kw·cout/groups patch.
  const macs = op === 'conv_transpose2d' ? h * w * kh * kw * (cin / groups) * cout : oh * ow * cout * kh * kw * (cin / groups);
  return { outputShape: [n, cout, oh, ow], params, macs: macs * n, weightElements: weights, biasElements: bias, inPlace: false };
}

function broadcast(a: Shape, b: Shape, op: string): Shape {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1, db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail(`${op} cannot broadcast [${a.join(', ')}] with [${b.join(', ')}]`, 'make the shapes equal or 1 along each axis');
    out.push(Math.max(da, db));
  }
  return out;
}

export function inferLayer(op: OpName, attrs: LayerAttrs, inputs: readonly Shape[]): LayerCounts {
  for (const s of inputs) {
    for (const d of s) if (!Number.isInteger(d) || d <= 0) fail(`input shape [${s.join(', ')}] has a non-positive or non-integer dimension`, 'check the channel counts and resolution upstream');
  }
  const needInputs = (n: number, max = n) => {
    if (inputs.length < n || inputs.length > max) fail(`${op} takes ${n === max ? n : `${n}..${max}`} input(s), got ${inputs.length}`, `list ${n} input(s) in 'inputs'`);
  };
  const same = (x: Shape): LayerCounts => ({ outputShape: x, params: 0, macs: 0, weightElements: 0, biasElements: 0, inPlace: false });
  switch (op) {
    case 'conv2d':
    case 'depthwise_conv2d':
    case 'conv_transpose2d':
      needInputs(1);
      return convLike(op, attrs, inputs[0]);
    case 'linear': {
      needInputs(1);
      const x = inputs[0];
      if (x.length < 2) fail('linear expects [N, ..., features]', 'flatten or reshape the input first');
      const fin = x[x.length - 1];
      const fout = positiveInt(attrs.outFeatures, 'out_features');
      const rows = prod(x.slice(0, -1));
      const params = fin * fout + (attrs.bias === false ? 0 : fout) + (attrs.batchnorm ? 2 * fout : 0);
      return { outputShape: [...x.slice(0, -1), fout], params, macs: rows * fin * fout, weightElements: fin * fout, biasElements: attrs.bias === false && !attrs.batchnorm ? 0 : fout, inPlace: false };
    }
    case 'matmul': {
      needInputs(2);
      const [a, b] = inputs;
      if (a.length < 2 || b.length < 2) fail('matmul expects rank ≥ 2 operands');
      const m = a[a.length - 2], k = a[a.length - 1], k2 = b[b.length - 2], nn = b[b.length - 1];
      if (k !== k2) fail(`matmul inner dimensions differ: ${k} vs ${k2}`, 'transpose one operand');
      const batch = broadcast(a.slice(0, -2), b.slice(0, -2), 'matmul');
      return { outputShape: [...batch, m, nn], params: 0, macs: prod(batch) * m * k * nn, weightElements: 0, biasElements: 0, inPlace: false };
    }
    case 'add':
    case 'mul': {
      needInputs(2, 8);
      return same(inputs.reduce((acc, s) => broadcast(acc, s, op)));
    }
    case 'concat': {
      needInputs(1, 64);
      const rank = inputs[0].length;
      const axis = (attrs.axis ?? 1) < 0 ? rank + (attrs.axis ?? 1) : attrs.axis ?? 1;
      if (axis < 0 || axis >= rank) fail(`concat axis ${attrs.axis} out of range for rank ${rank}`);
      const out = [...inputs[0]];
      for (const s of inputs.slice(1)) {
        if (s.length !== rank || s.some((d, i) => i !== axis && d !== out[i])) fail(`concat inputs [${inputs.map((x) => x.join('x')).join(', ')}] differ outside axis ${axis}`, 'resize or reshape the inputs so only the concat axis differs');
        out[axis] += s[axis];
      }
      return same(out);
    }
    case 'max_pool':
    case 'avg_pool': {
      needInputs(1);
      const x = inputs[0];
      expectRank(x, 4, op);
      const [kh, kw] = pair(attrs.kernel, 2);
      const [sh, sw] = pair(attrs.stride ?? attrs.kernel, kh);
      const pads = resolvePadding({ padding: attrs.padding ?? 'valid' }, x[2], x[3], kh, kw, sh, sw, 1);
      const oh = windowOut(x[2], kh, sh, pads[0], pads[2], 1, attrs.ceilMode ?? false);
      const ow = windowOut(x[3], kw, sw, pads[1], pads[3], 1, attrs.ceilMode ?? false);
      if (oh <= 0 || ow <= 0) fail(`${kh}x${kw} ${op} on a ${x[2]}x${x[3]} input gives an empty output`, 'raise the input resolution');
      return same([x[0], x[1], oh, ow]);
    }
    case 'global_pool': {
      needInputs(1);
      const x = inputs[0];
      if (x.length === 4) return same([x[0], x[1], 1, 1]);
      if (x.length === 3) return same([x[0], x[2]]); // mean over tokens
      return fail('global_pool expects [N, C, H, W] or [N, L, D]');
    }
    case 'resize': {
      needInputs(1);
      const x = inputs[0];
      expectRank(x, 4, op);
      if (attrs.size) return same([x[0], x[1], attrs.size[0], attrs.size[1]]);
      const s = attrs.scale ?? 2;
      if (!(s > 0)) fail(`resize scale must be > 0, got ${s}`);
      return same([x[0], x[1], Math.floor(x[2] * s), Math.floor(x[3] * s)]);
    }
    case 'softmax':
    case 'relu': case 'relu6': case 'hardswish': case 'hardsigmoid': case 'sigmoid': case 'silu': case 'gelu':
      needInputs(1);
      return same(inputs[0]);
    case 'batchnorm': {
      needInputs(1);
      const c = inputs[0][1];
      return { outputShape: inputs[0], params: 2 * c, macs: 0, weightElements: 2 * c, biasElements: 0, inPlace: false };
    }
    case 'layernorm': {
      needInputs(1);
      const d = inputs[0][inputs[0].length - 1];
      return { outputShape: inputs[0], params: 2 * d, macs: 0, weightElements: 2 * d, biasElements: 0, inPlace: false };
    }
    case 'reshape': {
      needInputs(1);
      const x = inputs[0];
      const target = attrs.shape;
      if (!target) return fail('reshape needs a shape', 'set shape: [1, -1] (one -1 is inferred)');
      const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const total = prod(x);
      const out = target.map((d) => (d === -1 ? total / known : d));
      if (prod(out) !== total || out.some((d) => !Number.isInteger(d) || d <= 0)) fail(`cannot reshape [${x.join(', ')}] (${total} elements) to [${target.join(', ')}]`, 'make the element counts match');
      return { ...same(out), inPlace: true };
    }
    case 'flatten': {
      needInputs(1);
      const x = inputs[0];
      const sd = attrs.startDim ?? 1;
      return { ...same([...x.slice(0, sd), prod(x.slice(sd))]), inPlace: true };
    }
    case 'transpose': {
      needInputs(1);
      const x = inputs[0];
      const perm = attrs.perm ?? [...x.keys()].reverse();
      if (perm.length !== x.length || [...perm].sort().some((p, i) => p !== i)) fail(`perm [${perm.join(', ')}] is not a permutation of ${x.length} axes`);
      return same(perm.map((p) => x[p]));
    }
    case 'attention': {
      // torchvision MultiheadAttention: in-proj (3·D² + 3·D) and out-proj (D² + D) params;
      // MACs 4·L·D² (projections) + 2·L²·D (QKᵀ and AV), model-reference.md §1 notes.
      needInputs(1);
      const x = inputs[0];
      if (x.length !== 3) fail('attention expects [N, L, D]', 'reshape the feature map to tokens first');
      const [n, l, d] = x;
      const heads = attrs.heads ?? 1;
      if (d % heads !== 0) fail(`attention dim ${d} is not divisible by heads=${heads}`);
      const bias = attrs.bias === false ? 0 : 4 * d;
      return { outputShape: x, params: 4 * d * d + bias, macs: n * (4 * l * d * d + 2 * l * l * d), weightElements: 4 * d * d, biasElements: bias, inPlace: false };
    }
    case 'slice': {
      needInputs(1);
      const x = inputs[0];
      const rank = x.length;
      const axis = (attrs.axis ?? 1) < 0 ? rank + (attrs.axis ?? 1) : attrs.axis ?? 1;
      const start = attrs.start ?? 0, end = Math.min(attrs.end ?? x[axis], x[axis]);
      if (axis < 0 || axis >= rank || start < 0 || end <= start) fail(`slice [${start}:${end}] on axis ${attrs.axis} is empty or out of range for [${x.join(', ')}]`);
      const out = [...x]; out[axis] = end - start;
      return same(out);
    }
    case 'pad': {
      needInputs(1);
      const x = inputs[0];
      expectRank(x, 4, op);
      const [t, l, b, r] = attrs.pads ?? [0, 0, 0, 0];
      return same([x[0], x[1], x[2] + t + b, x[3] + l + r]);
    }
    case 'opaque': {
      const out = attrs.outputShape ?? inputs[0];
      if (!out) return fail('opaque layer needs output_shape', 'set output_shape: [1, C, H, W]');
      const p = attrs.paramCount ?? 0;
      return { outputShape: out, params: p, macs: 0, weightElements: p, biasElements: 0, inPlace: false };
    }
  }
}
