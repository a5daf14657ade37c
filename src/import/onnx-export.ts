/**
 * Graph IR → runnable ONNX (opset 17) with random weights, so ONNX Runtime can time the zoo's
 * architectures on the host (`edgeplan export`, `edgeplan calibrate`). Layers are written as
 * deployed: batchnorm folded into a conv bias, fused activations as the op after the conv.
 * Weights come from a seeded PRNG (mulberry32), so the same graph and seed give identical bytes.
 * Op semantics: onnx/docs/Operators.md (Conv, ConvTranspose, Gemm, MatMul, MaxPool, AveragePool,
 * GlobalAveragePool, Resize-13, Concat, Reshape, Transpose, Slice-13, Pad-13, LayerNormalization-17).
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { EdgeplanError } from '../errors/index.ts';
import type { Activation, Graph, Layer } from '../graph/types.ts';

const { onnx } = onnxProto;
const FLOAT = 1, INT64 = 7;

export interface ExportOptions {
  /** PRNG seed for the weights (default 1). */
  readonly seed?: number;
}

/** mulberry32: a small, well-mixed 32-bit PRNG (public domain, T. Ettinger). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pair = (v: number | readonly [number, number] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

export function exportOnnx(g: Graph, opts: ExportOptions = {}): Uint8Array {
  const rand = mulberry32(opts.seed ?? 1);
  const nodes: OnnxTypes.INodeProto[] = [];
  const inits: OnnxTypes.ITensorProto[] = [];
  let uid = 0;
  const fresh = (base: string) => `${base}__${uid++}`;

  const floatInit = (name: string, dims: readonly number[], scale: number, offset = 0): string => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = offset + (rand() * 2 - 1) * scale;
    inits.push({ name, dims: [...dims], dataType: FLOAT, rawData: new Uint8Array(data.buffer) });
    return name;
  };
  const intInit = (name: string, values: readonly number[]): string => {
    inits.push({ name, dims: [values.length], dataType: INT64, int64Data: [...values] });
    return name;
  };
  const attrInts = (name: string, ints: readonly number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...ints] });
  const attrInt = (name: string, i: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const attrFloat = (name: string, f: number) => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });
  const attrStr = (name: string, s: string) => ({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) });
  const node = (opType: string, inputs: readonly string[], output: string, attribute: OnnxTypes.IAttributeProto[] = []) => {
    nodes.push({ opType, input: [...inputs], output: [output], name: output, attribute });
    return output;
  };
  const unsupported = (l: Layer, why: string): never => {
    throw new EdgeplanError('bad_value', `cannot export layer '${l.name}' (${l.op}) to ONNX: ${why}`, { layer: l.name, fix: 'export another model, or simulate it without measuring' });
  };

  const activation = (act: Activation, x: string, out: string): string => {
    switch (act) {
      case 'relu': return node('Relu', [x], out);
      case 'relu6': return node('Clip', [x, scalar(0), scalar(6)], out);
      case 'hardswish': return node('HardSwish', [x], out);
      case 'hardsigmoid': return node('HardSigmoid', [x], out, [attrFloat('alpha', 1 / 6), attrFloat('beta', 0.5)]);
      case 'sigmoid': return node('Sigmoid', [x], out);
      case 'silu': case 'gelu': {
        // SiLU = x·σ(x); GELU ≈ x·σ(1.702x) (Hendrycks & Gimpel 2016, eq. 3's sigmoid form).
        const s = act === 'gelu' ? node('Mul', [x, scalar(1.702)], fresh(out)) : x;
        return node('Mul', [x, node('Sigmoid', [s], fresh(out))], out);
      }
    }
  };
  const scalars = new Map<number, string>();
  const scalar = (v: number): string => {
    let n = scalars.get(v);
    if (!n) {
      n = `const_${scalars.size}`;
      inits.push({ name: n, dims: [], dataType: FLOAT, floatData: [v] });
      scalars.set(v, n);
    }
    return n;
  };
  /** IR padding → ONNX [top, left, bottom, right] (or auto_pad for same_upper). */
  const pads = (l: Layer, kh: number, kw: number, dflt: 'same' | 'valid'): { pads?: number[]; autoPad?: string } => {
    const p = l.attrs.padding ?? dflt;
    const dil = l.attrs.dilation ?? 1;
    if (p === 'valid') return { pads: [0, 0, 0, 0] };
    if (p === 'same') { const ph = Math.floor(((kh - 1) * dil) / 2), pw = Math.floor(((kw - 1) * dil) / 2); return { pads: [ph, pw, ph, pw] }; }
    if (p === 'same_upper') return { autoPad: 'SAME_UPPER' };
    if (typeof p === 'number') return { pads: [p, p, p, p] };
    return { pads: [p[0], p[1], p[2], p[3]] };
  };

  for (const l of g.layers) {
    const x = l.inputs[0];
    const inC = l.inputShapes[0]?.[1] ?? 1;
    const a = l.attrs;
    const out = a.activation ? fresh(l.name) : l.name;
    switch (l.op) {
      case 'conv2d': case 'depthwise_conv2d': case 'conv_transpose2d': {
        const [kh, kw] = pair(a.kernel, 1);
        const [sh, sw] = pair(a.stride, 1);
        const cout = l.outputShape[1];
        const groups = l.op === 'depthwise_conv2d' ? inC : a.groups ?? 1;
        const wDims = l.op === 'conv_transpose2d' ? [inC, cout / groups, kh, kw] : [cout, inC / groups, kh, kw];
        const fanIn = (inC / groups) * kh * kw;
        const w = floatInit(`${l.name}.weight`, wDims, Math.sqrt(6 / fanIn) / 2);
        const ins = [x, w];
        if (a.bias || a.batchnorm) ins.push(floatInit(`${l.name}.bias`, [cout], 0.1));
        const p = pads(l, kh, kw, 'same');
        const attrs: OnnxTypes.IAttributeProto[] = [attrInts('kernel_shape', [kh, kw]), attrInts('strides', [sh, sw]), attrInts('dilations', [a.dilation ?? 1, a.dilation ?? 1]), attrInt('group', groups)];
        if (p.autoPad) attrs.push(attrStr('auto_pad', p.autoPad)); else attrs.push(attrInts('pads', p.pads!));
        if (l.op === 'conv_transpose2d' && a.outputPadding) attrs.push(attrInts('output_padding', [a.outputPadding, a.outputPadding]));
        node(l.op === 'conv_transpose2d' ? 'ConvTranspose' : 'Conv', ins, out, attrs);
        break;
      }
      case 'linear': {
        const fin = l.inputShapes[0][l.inputShapes[0].length - 1];
        const fout = l.outputShape[l.outputShape.length - 1];
        const hasBias = a.bias !== false || a.batchnorm;
        if (l.inputShapes[0].length === 2) {
          const ins = [x, floatInit(`${l.name}.weight`, [fout, fin], Math.sqrt(3 / fin))];
          if (hasBias) ins.push(floatInit(`${l.name}.bias`, [fout], 0.1));
          node('Gemm', ins, out, [attrInt('transB', 1)]);
        } else {
          const mm = node('MatMul', [x, floatInit(`${l.name}.weight`, [fin, fout], Math.sqrt(3 / fin))], hasBias ? fresh(l.name) : out);
          if (hasBias) node('Add', [mm, floatInit(`${l.name}.bias`, [fout], 0.1)], out);
        }
        break;
      }
      case 'matmul': node('MatMul', [l.inputs[0], l.inputs[1]], out); break;
      case 'add': case 'mul': {
        let acc = l.inputs[0];
        for (let i = 1; i < l.inputs.length; i++) acc = node(l.op === 'add' ? 'Add' : 'Mul', [acc, l.inputs[i]], i === l.inputs.length - 1 ? out : fresh(l.name));
        if (l.inputs.length === 1) node('Identity', [acc], out);
        break;
      }
      case 'concat': node('Concat', l.inputs, out, [attrInt('axis', a.axis ?? 1)]); break;
      case 'max_pool': case 'avg_pool': {
        const [kh, kw] = pair(a.kernel, 2);
        const [sh, sw] = pair(a.stride ?? a.kernel, kh);
        const p = pads(l, kh, kw, 'valid');
        const attrs: OnnxTypes.IAttributeProto[] = [attrInts('kernel_shape', [kh, kw]), attrInts('strides', [sh, sw]), attrInt('ceil_mode', a.ceilMode ? 1 : 0)];
        if (p.autoPad) attrs.push(attrStr('auto_pad', p.autoPad)); else attrs.push(attrInts('pads', p.pads!));
        node(l.op === 'max_pool' ? 'MaxPool' : 'AveragePool', [x], out, attrs);
        break;
      }
      case 'global_pool':
        if (l.inputShapes[0].length === 4) node(a.mode === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool', [x], out);
        else node('ReduceMean', [x], out, [attrInts('axes', [1]), attrInt('keepdims', 0)]);
        break;
      case 'resize':
        node('Resize', [x, '', '', intInit(fresh(`${l.name}.sizes`), l.outputShape)], out, [attrStr('mode', a.mode === 'bilinear' ? 'linear' : 'nearest')]);
        break;
      case 'softmax': node('Softmax', [x], out, [attrInt('axis', -1)]); break;
      case 'relu': case 'relu6': case 'hardswish': case 'hardsigmoid': case 'sigmoid': case 'silu': case 'gelu':
        activation(l.op, x, out);
        break;
      case 'batchnorm': {
        const c = l.inputShapes[0][1];
        node('BatchNormalization', [x, floatInit(`${l.name}.scale`, [c], 0.1, 1), floatInit(`${l.name}.b`, [c], 0.1), floatInit(`${l.name}.mean`, [c], 0.1), floatInit(`${l.name}.var`, [c], 0.1, 1)], out);
        break;
      }
      case 'layernorm': {
        const d = l.inputShapes[0][l.inputShapes[0].length - 1];
        node('LayerNormalization', [x, floatInit(`${l.name}.scale`, [d], 0.1, 1), floatInit(`${l.name}.b`, [d], 0.1)], out, [attrInt('axis', -1)]);
        break;
      }
      case 'reshape': case 'flatten': node('Reshape', [x, intInit(fresh(`${l.name}.shape`), l.outputShape)], out); break;
      case 'transpose': node('Transpose', [x], out, [attrInts('perm', a.perm ?? [...l.inputShapes[0].keys()].reverse())]); break;
      case 'slice': {
        const axis = a.axis ?? 1;
        node('Slice', [x, intInit(fresh(`${l.name}.starts`), [a.start ?? 0]), intInit(fresh(`${l.name}.ends`), [a.end ?? l.inputShapes[0][axis < 0 ? axis + l.inputShapes[0].length : axis]]), intInit(fresh(`${l.name}.axes`), [axis])], out);
        break;
      }
      case 'pad': {
        const [t, lf, b, r] = a.pads ?? [0, 0, 0, 0];
        node('Pad', [x, intInit(fresh(`${l.name}.pads`), [0, 0, t, lf, 0, 0, b, r])], out);
        break;
      }
      case 'attention': {
        // torchvision MultiheadAttention: in-proj D→3D, per-head softmax(QKᵀ/√d)V, out-proj D→D.
        const [n, len, d] = l.inputShapes[0];
        const h = a.heads ?? 1, dh = d / h;
        const qkv = node('MatMul', [x, floatInit(`${l.name}.in_proj`, [d, 3 * d], Math.sqrt(3 / d))], fresh(l.name));
        const heads = (k: number) => {
          const s = node('Slice', [qkv, intInit(fresh('s'), [k * d]), intInit(fresh('e'), [(k + 1) * d]), intInit(fresh('a'), [2])], fresh(l.name));
          const r = node('Reshape', [s, intInit(fresh('shape'), [n, len, h, dh])], fresh(l.name));
          return node('Transpose', [r], fresh(l.name), [attrInts('perm', k === 1 ? [0, 2, 3, 1] : [0, 2, 1, 3])]);
        };
        const [q, kT, v] = [heads(0), heads(1), heads(2)];
        const sc = node('Mul', [node('MatMul', [q, kT], fresh(l.name)), scalar(1 / Math.sqrt(dh))], fresh(l.name));
        const ctx = node('MatMul', [node('Softmax', [sc], fresh(l.name), [attrInt('axis', -1)]), v], fresh(l.name));
        const merged = node('Reshape', [node('Transpose', [ctx], fresh(l.name), [attrInts('perm', [0, 2, 1, 3])]), intInit(fresh('shape'), [n, len, d])], fresh(l.name));
        node('MatMul', [merged, floatInit(`${l.name}.out_proj`, [d, d], Math.sqrt(3 / d))], out);
        break;
      }
      case 'opaque':
        if (l.inputShapes[0] && l.inputShapes[0].join() === l.outputShape.join()) node('Identity', [x], out);
        else if (l.inputShapes[0] && l.inputShapes[0].reduce((p, q) => p * q, 1) === l.outputShape.reduce((p, q) => p * q, 1)) node('Reshape', [x, intInit(fresh(`${l.name}.shape`), l.outputShape)], out);
        else unsupported(l, `opaque ${a.opaqueType ?? 'op'} changes the shape; it has no ONNX equivalent here`);
        break;
    }
    if (a.activation && l.op !== 'relu') activation(a.activation, out, l.name);
  }

  const valueInfo = (name: string, shape: readonly number[]) => ({
    name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  });
  const byName = new Map(g.layers.map((l) => [l.name, l]));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'edgeplan',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: g.name,
      node: nodes,
      initializer: inits,
      input: g.inputs.map((i) => valueInfo(i.name, i.shape)),
      output: g.outputs.map((o) => valueInfo(o, byName.get(o)?.outputShape ?? [])),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
