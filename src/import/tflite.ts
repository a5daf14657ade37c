/**
 * TFLite → graph IR, subgraph 0 only (the inference graph; others are control-flow bodies).
 * TFLite feature maps are NHWC; the IR is NCHW, so rank-4 shapes are permuted and axis attributes
 * remapped. Every TFLite tensor has a static shape, so ops the IR does not model become opaque
 * layers with the exact output shape. Operator codes and option field ids are from
 * tensorflow/lite/schema/schema.fbs (BuiltinOperator enum; Conv2DOptions, DepthwiseConv2DOptions,
 * Pool2DOptions, FullyConnectedOptions, ConcatenationOptions, ReducerOptions, TransposeConvOptions).
 */
import { EdgeplanError } from '../errors/index.ts';
import type { Activation, DType, GraphInput, LayerAttrs, OpName } from '../graph/types.ts';
import { Assembler, broadcastShapes, product } from './assemble.ts';
import { CorruptFlatbuffer, readTfliteRoot, type FbTable } from './tflite-schema.ts';
import type { ImportOptions, ImportResult } from './types.ts';

/** BuiltinOperator values used here (schema.fbs `enum BuiltinOperator`). */
const OP = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEPTH_TO_SPACE: 5, DEQUANTIZE: 6, FULLY_CONNECTED: 9,
  LOGISTIC: 14, MAX_POOL_2D: 17, MUL: 18, RELU: 19, RELU_N1_TO_1: 20, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23, SOFTMAX: 25, SPACE_TO_DEPTH: 26,
  TANH: 28, CUSTOM: 32, PAD: 34, GATHER: 36, TRANSPOSE: 39, MEAN: 40, SUB: 41, DIV: 42, SQUEEZE: 43, STRIDED_SLICE: 45,
  SPLIT: 49, LOG_SOFTMAX: 50, CAST: 53, PRELU: 54, MAXIMUM: 55, MINIMUM: 57, PADV2: 60, SLICE: 65, TRANSPOSE_CONV: 67,
  EXPAND_DIMS: 70, SQRT: 75, RSQRT: 76, POW: 78, PACK: 83, UNPACK: 88, SQUARED_DIFFERENCE: 99, RESIZE_NEAREST_NEIGHBOR: 97, LEAKY_RELU: 98,
  MIRROR_PAD: 100, SPLIT_V: 102, QUANTIZE: 114, HARD_SWISH: 117, DENSIFY: 124, BATCH_MATMUL: 126,
} as const;
const OP_NAMES = new Map<number, string>(Object.entries(OP).map(([k, v]) => [v, k]));

/** TensorType (schema.fbs): FLOAT32 0, FLOAT16 1, INT32 2, UINT8 3, INT64 4, INT16 7, INT8 9. */
const TT = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT16: 7, INT8: 9 } as const;

/** ActivationFunctionType: NONE 0, RELU 1, RELU_N1_TO_1 2, RELU6 3, TANH 4, SIGN_BIT 5. */
const FUSED: Readonly<Record<number, Activation | undefined>> = { 1: 'relu', 3: 'relu6' };

interface Tensor { readonly shape: number[]; readonly type: number; readonly buffer: number; readonly name: string; readonly sparse: boolean; readonly signature: number[] }
interface ConstVal { readonly kind: 'const'; readonly dims: readonly number[]; readonly type: number; readonly values: () => number[] }
interface DynVal { readonly kind: 'dyn'; readonly ref: string; readonly shape: readonly number[]; readonly int8: boolean }
type Val = ConstVal | DynVal;

/** NHWC → NCHW for rank-4 shapes. */
const toIr = (s: readonly number[]): number[] => (s.length === 4 ? [s[0], s[3], s[1], s[2]] : [...s]);
/** NHWC axis → NCHW axis for rank-4 tensors. */
const axisToIr = (axis: number, rank: number): number => {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? [0, 2, 3, 1][a] : a;
};

function dtypeOf(type: number): DType | undefined {
  if (type === TT.FLOAT32) return 'fp32';
  if (type === TT.FLOAT16) return 'fp16';
  if (type === TT.INT8 || type === TT.UINT8) return 'int8';
  return undefined;
}

function decode(data: Uint8Array, type: number): number[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  const w = type === TT.INT64 ? 8 : type === TT.FLOAT16 || type === TT.INT16 ? 2 : type === TT.INT8 || type === TT.UINT8 ? 1 : 4;
  for (let o = 0; o + w <= data.byteLength; o += w) {
    if (type === TT.FLOAT32) out.push(dv.getFloat32(o, true));
    else if (type === TT.INT32) out.push(dv.getInt32(o, true));
    else if (type === TT.INT64) out.push(Number(dv.getBigInt64(o, true)));
    else if (type === TT.INT8) out.push(dv.getInt8(o));
    else if (type === TT.UINT8) out.push(dv.getUint8(o));
    else if (type === TT.INT16) out.push(dv.getInt16(o, true));
    else out.push(dv.getUint16(o, true));
  }
  return out;
}

export function importTflite(bytes: Uint8Array, file: string, opts: ImportOptions = {}): ImportResult {
  try {
    return convert(bytes, file, opts);
  } catch (e) {
    if (e instanceof CorruptFlatbuffer || e instanceof RangeError) {
      throw new EdgeplanError('bad_model_file', `not a readable TFLite model (${e.message}); the file is truncated or corrupt`, { file, fix: 're-export the model or copy the file again' });
    }
    throw e;
  }
}

function convert(bytes: Uint8Array, file: string, opts: ImportOptions): ImportResult {
  const model = readTfliteRoot(bytes);
  const bad = (message: string, fix: string) => new EdgeplanError('bad_model_file', message, { file, fix });
  const sub = model.tables(2)[0];
  if (!sub) throw bad('the TFLite model has no subgraph', 'pass a complete .tflite model');
  const opcodes = model.tables(1).map((c) => ({
    // builtin_code (id 3) supersedes deprecated_builtin_code (id 0) from schema v3a on.
    code: Math.max(c.int(0, 0, 1), c.int(3, 0)),
    custom: c.string(1),
  }));
  const buffers = model.tables(4);
  const bufferData = (i: number): Uint8Array | undefined => {
    const b = buffers[i];
    if (!b) return undefined;
    const d = b.bytes(0);
    if (d && d.length) return d;
    const off = b.uint64(1), size = b.uint64(2);
    if (off > 1 && size > 0) {
      if (off + size > bytes.length) throw new CorruptFlatbuffer(`buffer ${i} (${off}+${size}) is outside the file`);
      return bytes.subarray(off, off + size);
    }
    return undefined;
  };
  const tensors: Tensor[] = sub.tables(0).map((t) => ({
    shape: t.ints(0), type: t.int(1, 0, 1), buffer: t.int(2), name: t.string(3) ?? '', sparse: t.has(6), signature: t.ints(7),
  }));
  const warnings: string[] = [];
  const vals = new Map<number, Val>();
  let storedParams = 0;
  const storedTypes = new Set<DType>();

  // Constant tensors: those with a non-empty buffer (or sparse weights, densified later).
  tensors.forEach((t, i) => {
    const data = t.buffer > 0 ? bufferData(t.buffer) : undefined;
    if (!data && !t.sparse) return;
    const dims = t.shape;
    vals.set(i, { kind: 'const', dims, type: t.type, values: () => (data ? decode(data, t.type) : []) });
    const n = product(dims);
    const dt = dtypeOf(t.type);
    if (n > 1 && dt) { storedParams += n; storedTypes.add(dt); }
  });

  // Graph inputs.
  const inputs: GraphInput[] = [];
  for (const i of sub.ints(1)) {
    const t = tensors[i];
    if (!t) throw bad(`subgraph input ${i} is not a tensor`, 're-export the model');
    if (vals.has(i)) continue;
    let shape = [...t.shape];
    const dynamic = t.signature.map((d, k) => (d < 0 && k > 0 ? k : -1)).filter((k) => k > 0);
    if (dynamic.length) {
      if (opts.resolution === undefined && opts.inputSize === undefined) throw new EdgeplanError('bad_value', `input '${t.name}' has a dynamic shape [${t.signature.map((d) => (d < 0 ? '?' : d)).join(', ')}]`, { file, fix: 'pass --resolution N to fix its open height/width' });
      const [h, w] = opts.inputSize ?? [opts.resolution!, opts.resolution!];
      for (const k of dynamic) shape[k] = shape.length === 4 ? (k === 1 ? h : k === 2 ? w : opts.resolution ?? h) : opts.resolution ?? h;
    } else if (opts.resolution !== undefined && !(shape.length === 4 && shape[1] === opts.resolution && shape[2] === opts.resolution)) {
      throw new EdgeplanError('bad_value', `input '${t.name}' has a fixed shape [${shape.join(', ')}]; --resolution does not apply`, { file, fix: 'drop --resolution for this model' });
    }
    shape = shape.map((d, k) => (k === 0 && d <= 0 ? 1 : d));
    const ir = toIr(shape);
    const dtype = dtypeOf(t.type) ?? 'fp32';
    const name = t.name || `input_${i}`;
    inputs.push({ name, shape: ir, dtype });
    vals.set(i, { kind: 'dyn', ref: name, shape: ir, int8: dtype === 'int8' });
  }
  if (!inputs.length) throw bad('the TFLite subgraph has no run-time input', 'pass a model with an input tensor');
  const asm = new Assembler(inputs, file);
  const graphOutputs = new Set(sub.ints(2));
  const operators = sub.tables(3);
  const readers = new Map<number, number>();
  for (const o of operators) for (const i of o.ints(1)) if (i >= 0) readers.set(i, (readers.get(i) ?? 0) + 1);
  const soleReader = (t: number) => readers.get(t) === 1 && !graphOutputs.has(t);

  operators.forEach((o, opIndex) => {
    const oc = opcodes[o.int(0)];
    if (!oc) throw bad(`operator ${opIndex} uses opcode ${o.int(0)}, which the model does not define`, 're-export the model');
    const ins = o.ints(1), outs = o.ints(2);
    const options: FbTable | undefined = o.table(4);
    const outT = tensors[outs[0]];
    if (!outT) throw bad(`operator ${opIndex} writes tensor ${outs[0]}, which does not exist`, 're-export the model');
    const opName = oc.code === OP.CUSTOM ? oc.custom ?? 'CUSTOM' : OP_NAMES.get(oc.code) ?? `BUILTIN_${oc.code}`;
    const nodeName = outT.name || `${opName.toLowerCase()}_${opIndex}`;
    const outShape = toIr(outT.shape);
    const val = (k: number) => (ins[k] !== undefined && ins[k] >= 0 ? vals.get(ins[k]) : undefined);
    const need = (k: number): Val => {
      const v = val(k);
      if (!v) throw bad(`operator ${opIndex} (${opName}) reads tensor ${ins[k]}, which no earlier operator writes`, 'the model is not topologically sorted or is truncated; re-export it');
      return v;
    };
    const int8 = [...ins, outs[0]].some((i) => i >= 0 && (tensors[i]?.type === TT.INT8 || tensors[i]?.type === TT.UINT8));
    const dtype: DType = int8 ? 'int8' : 'fp32';
    const set = (v: Val, k = 0) => vals.set(outs[k], v);
    const emit = (op: OpName, refs: readonly string[], attrs: LayerAttrs, k = 0) => {
      const name = asm.add(k === 0 ? nodeName : tensors[outs[k]]?.name || `${nodeName}_${k}`, op, refs, attrs, dtype);
      set({ kind: 'dyn', ref: name, shape: asm.shapeOf(name), int8 }, k);
      return name;
    };
    const dynRefs = () => ins.map((i) => (i >= 0 ? vals.get(i) : undefined)).filter((v): v is DynVal => v?.kind === 'dyn').map((v) => v.ref);
    const constParams = () => ins.reduce((s, i) => { const v = i >= 0 ? vals.get(i) : undefined; return s + (v?.kind === 'const' && product(v.dims) > 1 && dtypeOf(v.type) ? product(v.dims) : 0); }, 0);
    const opaque = (type: string, warn?: string) => {
      if (warn) warnings.push(warn);
      const refs = dynRefs();
      const name = asm.add(nodeName, 'opaque', refs.length ? refs : [inputs[0].name], { opaqueType: type, outputShape: outShape, paramCount: 0 }, dtype);
      outs.forEach((t, k) => vals.set(t, { kind: 'dyn', ref: name, shape: k === 0 ? asm.shapeOf(name) : toIr(tensors[t]?.shape ?? outT.shape), int8 }));
    };
    /** Applies a fused activation (options field `id`) to the layer just emitted. */
    const fused = (name: string, id: number) => {
      const code = options?.int(id, 0, 1) ?? 0;
      if (!code) return;
      const act = FUSED[code];
      if (act && asm.fuseActivation(name, act)) return;
      const k = act ? emitAct(name, act) : asm.add(`${nodeName}_act`, 'opaque', [name], { opaqueType: code === 4 ? 'TANH' : 'RELU_N1_TO_1', outputShape: asm.shapeOf(name) }, dtype);
      set({ kind: 'dyn', ref: k, shape: asm.shapeOf(k), int8 });
    };
    const emitAct = (src: string, act: Activation) => asm.add(`${nodeName}_${act}`, act, [src], {}, dtype);
    const activation = (act: Activation) => {
      const x = need(0);
      if (x.kind !== 'dyn') { set(x); return; }
      if (soleReader(ins[0]) && asm.fuseActivation(x.ref, act)) { set(x); return; }
      emit(act, [x.ref], {});
    };
    const padding = (id: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dil: number): LayerAttrs['padding'] =>
      // Padding enum: SAME 0, VALID 1. TF SAME = ONNX SAME_UPPER (extra pad at the end).
      (options?.int(id, 0, 1) ?? 0) === 1 ? 'valid' : (void h, void w, void kh, void kw, void sh, void sw, void dil, 'same_upper');

    const code = oc.code === OP.CUSTOM && oc.custom === 'Convolution2DTransposeBias' ? OP.TRANSPOSE_CONV : oc.code;
    switch (code) {
      case OP.CONV_2D: case OP.DEPTHWISE_CONV_2D: {
        const x = need(0), f = need(1);
        if (x.kind !== 'dyn' || f.kind !== 'const' || x.shape.length !== 4) { opaque(opName, `${opName} '${nodeName}' with run-time weights kept as an opaque layer without MACs`); break; }
        const dw = oc.code === OP.DEPTHWISE_CONV_2D;
        // Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 act, 4 dilation_w, 5 dilation_h.
        // DepthwiseConv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier, 4 act, 5 dilation_w, 6 dilation_h.
        const sw = options?.int(1, 1) ?? 1, sh = options?.int(2, 1) ?? 1;
        const dil = options?.int(dw ? 6 : 5, 1) ?? 1;
        const [kh, kw] = [f.dims[1], f.dims[2]];
        const cin = x.shape[1];
        const cout = dw ? f.dims[3] : f.dims[0];
        const bias = ins[2] !== undefined && ins[2] >= 0;
        const pad = padding(0, x.shape[2], x.shape[3], kh, kw, sh, sw, dil);
        const groups = dw ? cin : cin / f.dims[3];
        let name: string;
        if (dw || (groups === cin && groups > 1)) name = emit('depthwise_conv2d', [x.ref], { outChannels: cout, depthMultiplier: cout / cin, kernel: [kh, kw], stride: [sh, sw], padding: pad, dilation: dil, bias });
        else name = emit('conv2d', [x.ref], { outChannels: cout, kernel: [kh, kw], stride: [sh, sw], padding: pad, dilation: dil, bias, ...(groups !== 1 ? { groups } : {}) });
        fused(name, dw ? 4 : 3);
        break;
      }
      case OP.TRANSPOSE_CONV: {
        // Inputs: output_shape, weights [O, kh, kw, I], input, bias. Options: 0 padding, 1 stride_w, 2 stride_h, 3 act.
        // MediaPipe's custom Convolution2DTransposeBias (inputs x, weights, bias) is the same op;
        // its strides live in custom options, so they are taken from the output/input size ratio.
        const custom = oc.code === OP.CUSTOM;
        const w = need(1), x = need(custom ? 0 : 2);
        if (x.kind !== 'dyn' || w.kind !== 'const' || x.shape.length !== 4) { opaque(opName, `TRANSPOSE_CONV '${nodeName}' with run-time weights kept as an opaque layer`); break; }
        const [oh, ow] = [outShape[2], outShape[3]];
        const sw = custom ? Math.max(1, Math.round(ow / x.shape[3])) : options?.int(1, 1) ?? 1;
        const sh = custom ? Math.max(1, Math.round(oh / x.shape[2])) : options?.int(2, 1) ?? 1;
        const [kh, kw] = [w.dims[1], w.dims[2]];
        const th = (x.shape[2] - 1) * sh + kh - oh, tw = (x.shape[3] - 1) * sw + kw - ow;
        const pads: [number, number, number, number] = [Math.max(0, Math.floor(th / 2)), Math.max(0, Math.floor(tw / 2)), Math.max(0, th - Math.floor(th / 2)), Math.max(0, tw - Math.floor(tw / 2))];
        const name = emit('conv_transpose2d', [x.ref], { outChannels: w.dims[0], kernel: [kh, kw], stride: [sh, sw], padding: pads, outputPadding: Math.max(0, -Math.min(th, tw)), bias: custom ? ins[2] !== undefined && ins[2] >= 0 : ins[3] !== undefined && ins[3] >= 0 });
        if (!custom) fused(name, 3);
        break;
      }
      case OP.FULLY_CONNECTED: {
        // Options: 0 act, 1 weights_format, 2 keep_num_dims.
        const x = need(0), w = need(1);
        if (x.kind !== 'dyn' || w.kind !== 'const' || w.dims.length !== 2) { opaque(opName, `FULLY_CONNECTED '${nodeName}' with run-time weights kept as an opaque layer`); break; }
        const [n, k] = w.dims;
        let ref = x.ref;
        if (x.shape[x.shape.length - 1] !== k || x.shape.length !== 2) {
          const rows = product(x.shape) / k;
          ref = asm.add(`${nodeName}_flatten`, 'reshape', [ref], { shape: [rows, k] }, dtype);
        }
        const name = emit('linear', [ref], { outFeatures: n, bias: ins[2] !== undefined && ins[2] >= 0 });
        fused(name, 0);
        if (outShape.length !== 2 && product(outShape) === product(asm.shapeOf(vals.get(outs[0])!.kind === 'dyn' ? (vals.get(outs[0]) as DynVal).ref : name))) {
          const cur = vals.get(outs[0]) as DynVal;
          if (cur.shape.join() !== outShape.join()) emit('reshape', [cur.ref], { shape: outShape });
        }
        break;
      }
      case OP.AVERAGE_POOL_2D: case OP.MAX_POOL_2D: {
        // Pool2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 filter_width, 4 filter_height, 5 act.
        const x = need(0);
        if (x.kind !== 'dyn' || x.shape.length !== 4) { opaque(opName); break; }
        const sw = options?.int(1, 1) ?? 1, sh = options?.int(2, 1) ?? 1, fw = options?.int(3, 1) ?? 1, fh = options?.int(4, 1) ?? 1;
        const name = emit(oc.code === OP.MAX_POOL_2D ? 'max_pool' : 'avg_pool', [x.ref], { kernel: [fh, fw], stride: [sh, sw], padding: padding(0, 0, 0, 0, 0, 0, 0, 1) });
        if (options?.int(5, 0, 1)) fused(name, 5);
        break;
      }
      case OP.MEAN: {
        const x = need(0), axes = need(1);
        const keep = (options?.int(0, 0, 1) ?? 0) === 1; // ReducerOptions: 0 keep_dims
        if (x.kind === 'dyn' && x.shape.length === 4 && axes.kind === 'const') {
          const ax = axes.values().map((a) => axisToIr(a, 4)).sort();
          if (ax.join() === '2,3') {
            const gp = asm.add(nodeName, 'global_pool', [x.ref], { mode: 'avg' }, dtype);
            if (!keep) emit('reshape', [gp], { shape: outShape }); else set({ kind: 'dyn', ref: gp, shape: asm.shapeOf(gp), int8 });
            break;
          }
        }
        opaque(opName);
        break;
      }
      case OP.ADD: case OP.MUL: case OP.SUB: case OP.DIV: case OP.MAXIMUM: case OP.MINIMUM: case OP.SQUARED_DIFFERENCE: case OP.POW: {
        const a = need(0), b = need(1);
        if (a.kind === 'const' && b.kind === 'const') { set({ kind: 'const', dims: outT.shape, type: a.type, values: () => [] }); break; }
        const irOp: OpName | undefined = oc.code === OP.ADD || oc.code === OP.SUB ? 'add' : oc.code === OP.MUL || oc.code === OP.DIV ? 'mul' : undefined;
        const ds = [a, b].filter((v): v is DynVal => v.kind === 'dyn');
        let name: string;
        if (irOp && ds.length === 2) name = emit(irOp, [ds[0].ref, ds[1].ref], {});
        else if (irOp && product(outShape) === product(ds[0].shape)) name = emit(irOp, [ds[0].ref, ds[0].ref], {});
        else { opaque(opName); break; }
        // AddOptions/MulOptions/SubOptions/DivOptions: 0 fused_activation_function.
        fused(name, 0);
        break;
      }
      case OP.CONCATENATION: {
        const vs = ins.map((_, k) => need(k));
        const ds = vs.filter((v): v is DynVal => v.kind === 'dyn');
        if (ds.length !== vs.length) { opaque(opName); break; }
        const axis = axisToIr(options?.int(0, 0) ?? 0, outT.shape.length); // ConcatenationOptions: 0 axis, 1 act
        const name = emit('concat', ds.map((d) => d.ref), { axis });
        fused(name, 1);
        break;
      }
      case OP.RESHAPE: case OP.SQUEEZE: case OP.EXPAND_DIMS: {
        const x = need(0);
        if (x.kind === 'const') { set({ ...x, dims: outT.shape }); break; }
        emit('reshape', [x.ref], { shape: outShape });
        break;
      }
      case OP.RESIZE_BILINEAR: case OP.RESIZE_NEAREST_NEIGHBOR: {
        const x = need(0);
        if (x.kind !== 'dyn' || x.shape.length !== 4) { opaque(opName); break; }
        emit('resize', [x.ref], { size: [outShape[2], outShape[3]], mode: oc.code === OP.RESIZE_BILINEAR ? 'bilinear' : 'nearest' });
        break;
      }
      case OP.PAD: case OP.PADV2: case OP.MIRROR_PAD: {
        const x = need(0), p = need(1);
        if (x.kind !== 'dyn') { set({ kind: 'const', dims: outT.shape, type: TT.FLOAT32, values: () => [] }); break; }
        const pv = p.kind === 'const' ? p.values() : [];
        // paddings [[n0,n1],[h0,h1],[w0,w1],[c0,c1]] (NHWC): a spatial pad maps to the IR's pad.
        if (x.shape.length === 4 && pv.length === 8 && pv[0] === 0 && pv[1] === 0 && pv[6] === 0 && pv[7] === 0) {
          emit('pad', [x.ref], { pads: [pv[2], pv[4], pv[3], pv[5]] });
          break;
        }
        opaque(opName);
        break;
      }
      case OP.TRANSPOSE: {
        const x = need(0), p = need(1);
        if (x.kind !== 'dyn' || p.kind !== 'const') { opaque(opName); break; }
        const perm = p.values();
        const r = perm.length;
        // Output NHWC axis i reads input axis perm[i]; re-express both sides in NCHW order.
        const irPerm = r === 4 ? [0, 3, 1, 2].map((j) => axisToIr(perm[j], 4)) : perm;
        emit('transpose', [x.ref], { perm: irPerm });
        break;
      }
      case OP.STRIDED_SLICE: case OP.SLICE: case OP.SPLIT: case OP.SPLIT_V: case OP.UNPACK: {
        const xi = oc.code === OP.SPLIT ? 1 : 0;
        const x = need(xi);
        if (x.kind !== 'dyn') { outs.forEach((t) => vals.set(t, { kind: 'const', dims: tensors[t].shape, type: TT.FLOAT32, values: () => [] })); break; }
        // Each output differs from the input along one axis: a slice of consecutive ranges.
        let start = 0;
        const begin = oc.code === OP.SLICE || oc.code === OP.STRIDED_SLICE ? val(1) : undefined;
        const beginVals = begin?.kind === 'const' ? begin.values() : [];
        let ok = true;
        outs.forEach((t, k) => {
          const os = toIr(tensors[t].shape);
          const diff = os.length === x.shape.length ? os.map((d, i) => (d !== x.shape[i] ? i : -1)).filter((i) => i >= 0) : [];
          if (diff.length === 1 && ok) {
            const ax = diff[0];
            const nhwcAx = x.shape.length === 4 ? [0, 3, 1, 2][ax] : ax;
            const s = beginVals.length ? beginVals[nhwcAx] : start;
            const name = asm.add(tensors[t].name || `${nodeName}_${k}`, 'slice', [x.ref], { axis: ax, start: s, end: s + os[ax] }, dtype);
            vals.set(t, { kind: 'dyn', ref: name, shape: asm.shapeOf(name), int8 });
            start = s + os[ax];
          } else if (diff.length === 0 && os.length === x.shape.length) vals.set(t, x);
          else ok = false;
        });
        if (!ok) opaque(opName);
        break;
      }
      case OP.DEQUANTIZE: case OP.QUANTIZE: case OP.CAST: case OP.DENSIFY: {
        const x = need(0);
        if (x.kind === 'const') {
          // Weights stored as fp16/int8 (or sparse) and expanded at load: already counted where stored.
          set({ ...x, dims: outT.shape.length ? outT.shape : x.dims, type: tensors[outs[0]].type });
          break;
        }
        set({ ...x, int8: oc.code === OP.QUANTIZE ? true : x.int8 });
        break;
      }
      case OP.RELU: activation('relu'); break;
      case OP.RELU6: activation('relu6'); break;
      case OP.HARD_SWISH: activation('hardswish'); break;
      case OP.LOGISTIC: activation('sigmoid'); break;
      case OP.SOFTMAX: case OP.LOG_SOFTMAX: {
        const x = need(0);
        if (x.kind !== 'dyn') { set(x); break; }
        emit('softmax', [x.ref], {});
        break;
      }
      case OP.BATCH_MATMUL: {
        const a = need(0), b = need(1);
        if (a.kind === 'dyn' && b.kind === 'dyn') { emit('matmul', [a.ref, b.ref], {}); break; }
        opaque(opName, `BATCH_MATMUL '${nodeName}' with a constant operand kept as an opaque layer without MACs`);
        break;
      }
      case OP.PRELU: case OP.LEAKY_RELU: case OP.TANH: case OP.RELU_N1_TO_1: case OP.SQRT: case OP.RSQRT: case OP.GATHER: case OP.PACK:
      case OP.DEPTH_TO_SPACE: case OP.SPACE_TO_DEPTH: {
        const refs = dynRefs();
        const name = asm.add(nodeName, 'opaque', refs.length ? refs : [inputs[0].name], { opaqueType: opName, outputShape: outShape, paramCount: constParams() }, dtype);
        set({ kind: 'dyn', ref: name, shape: asm.shapeOf(name), int8 });
        break;
      }
      default: {
        const custom = oc.code === OP.CUSTOM;
        const refs = dynRefs();
        warnings.push(`${custom ? 'custom' : 'unsupported'} op ${opName} ('${nodeName}') kept as an opaque layer with output [${outShape.join(', ')}] and no MACs`);
        const name = asm.add(nodeName, 'opaque', refs.length ? refs : [inputs[0].name], { opaqueType: opName, outputShape: outShape, paramCount: constParams() }, dtype);
        outs.forEach((t, k) => vals.set(t, { kind: 'dyn', ref: name, shape: k === 0 ? asm.shapeOf(name) : toIr(tensors[t]?.shape ?? []), int8 }));
      }
    }
    // Sanity: the IR's inferred shape must match the file's declared shape.
    const got = vals.get(outs[0]);
    if (got?.kind === 'dyn' && got.shape.join() !== outShape.join() && product(got.shape) !== product(outShape)) {
      warnings.push(`${opName} '${nodeName}': IR shape [${got.shape.join(', ')}] differs from the file's [${outShape.join(', ')}]`);
    }
    void broadcastShapes;
  });

  const outputs = sub.ints(2).map((t) => vals.get(t)).filter((v): v is DynVal => v?.kind === 'dyn').map((v) => v.ref);
  const base = file.split(/[\\/]/).pop()!.replace(/\.tflite$/i, '');
  const graph = asm.finish({ name: base, outputs, source: file });
  const weightDtype = storedTypes.size === 1 ? [...storedTypes][0] : storedTypes.has('int8') ? 'int8' : storedTypes.size ? 'mixed' : 'fp32';
  return { graph, warnings, storedParams, weightDtype: weightDtype as ImportResult['weightDtype'] };
}
