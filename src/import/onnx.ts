/**
 * ONNX → graph IR. Decodes the protobuf with `onnx-proto` (a protobufjs build of onnx.proto3) and
 * walks the nodes in file order (ONNX requires topological order, onnx/docs/IR.md "Graphs"),
 * keeping for every tensor either a constant (initializers, Constant nodes and everything folded
 * from them: the Shape → Gather → Concat → Reshape chains exporters emit) or a reference to the
 * IR layer that produces it. Operator semantics follow onnx/docs/Operators.md for opsets 9–17
 * (attributes that became inputs — Slice 10, Pad/Clip/Resize 11, Squeeze/Unsqueeze/Split 13,
 * ReduceMean 18 — are read from either place).
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { EdgeplanError } from '../errors/index.ts';
import type { DType, Graph, GraphInput, LayerAttrs, OpName } from '../graph/types.ts';
import { Assembler, broadcastShapes, product } from './assemble.ts';
import type { ImportOptions, ImportResult } from './types.ts';

const { onnx } = onnxProto;
type TensorProto = OnnxTypes.ITensorProto;
type NodeProto = OnnxTypes.INodeProto;
type AttributeProto = OnnxTypes.IAttributeProto;

/** TensorProto.DataType (onnx.proto). */
const DT = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16 } as const;

/** A tensor whose value is known at import time (weights, shape arithmetic). */
interface ConstVal {
  readonly kind: 'const';
  readonly dims: readonly number[];
  readonly dataType: number;
  /** Element values, decoded lazily (weights are never decoded). */
  readonly values: () => number[];
}
/** A run-time tensor: an IR layer (or graph input) and its NCHW shape. */
interface DynVal {
  readonly kind: 'dyn';
  readonly ref: string;
  readonly shape: readonly number[];
  /** True when the tensor came through a QuantizeLinear / int8 kernel (QDQ models run int8). */
  readonly int8: boolean;
}
type Val = ConstVal | DynVal;

const toNum = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v)));
const MAX_FOLD_ELEMENTS = 1 << 16;

function constOf(dims: readonly number[], values: readonly number[], dataType: number = DT.INT64): ConstVal {
  const copy = [...values];
  return { kind: 'const', dims, dataType, values: () => copy };
}

function dtypeOfData(dataType: number): DType | undefined {
  if (dataType === DT.FLOAT || dataType === DT.DOUBLE) return 'fp32';
  if (dataType === DT.FLOAT16 || dataType === DT.BFLOAT16) return 'fp16';
  if (dataType === DT.INT8 || dataType === DT.UINT8) return 'int8';
  return undefined;
}

const isFloatLike = (dt: number) => dt === DT.FLOAT || dt === DT.DOUBLE || dt === DT.FLOAT16 || dt === DT.BFLOAT16 || dt === DT.INT8 || dt === DT.UINT8;

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decodeRaw(raw: Uint8Array, dataType: number, count: number): number[] {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  const width: Record<number, number> = { [DT.FLOAT]: 4, [DT.UINT8]: 1, [DT.INT8]: 1, [DT.UINT16]: 2, [DT.INT16]: 2, [DT.INT32]: 4, [DT.INT64]: 8, [DT.BOOL]: 1, [DT.FLOAT16]: 2, [DT.DOUBLE]: 8, [DT.UINT32]: 4, [DT.UINT64]: 8 };
  const w = width[dataType];
  if (!w) return out;
  const n = Math.min(count, Math.floor(raw.byteLength / w));
  for (let i = 0; i < n; i++) {
    const o = i * w;
    switch (dataType) {
      case DT.FLOAT: out.push(dv.getFloat32(o, true)); break;
      case DT.DOUBLE: out.push(dv.getFloat64(o, true)); break;
      case DT.FLOAT16: out.push(halfToFloat(dv.getUint16(o, true))); break;
      case DT.UINT8: case DT.BOOL: out.push(dv.getUint8(o)); break;
      case DT.INT8: out.push(dv.getInt8(o)); break;
      case DT.UINT16: out.push(dv.getUint16(o, true)); break;
      case DT.INT16: out.push(dv.getInt16(o, true)); break;
      case DT.INT32: out.push(dv.getInt32(o, true)); break;
      case DT.UINT32: out.push(dv.getUint32(o, true)); break;
      case DT.INT64: case DT.UINT64: out.push(Number(dv.getBigInt64(o, true))); break;
    }
  }
  return out;
}

export function importOnnx(bytes: Uint8Array, file: string, opts: ImportOptions = {}): ImportResult {
  const bad = (message: string, fix: string) => new EdgeplanError('bad_model_file', message, { file, fix });
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw bad(`not a readable ONNX model (${(e as Error).message.split('\n')[0]}); the file is truncated or corrupt`, 're-export the model or copy the file again');
  }
  const g = model.graph;
  if (!g || !g.node?.length || !g.input?.length) {
    throw bad('not a readable ONNX model: no graph, nodes or inputs were found', 'pass a complete .onnx model (re-export it; a weights-only file is not enough)');
  }
  const opset = model.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  const opsetVersion = opset === undefined || opset === null ? 11 : toNum(opset);
  const warnings: string[] = [];
  const externalCache = new Map<string, Uint8Array>();

  const tensorDims = (t: TensorProto) => (t.dims ?? []).map(toNum);
  const tensorVal = (t: TensorProto): ConstVal => {
    const dims = tensorDims(t);
    const dataType = t.dataType ?? DT.FLOAT;
    const count = product(dims);
    let raw: Uint8Array | undefined;
    if (t.dataLocation === 1 || (t.externalData && t.externalData.length)) {
      // External data: onnx/docs/ExternalData.md (location, offset, length keys).
      const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
      const loc = kv.get('location') ?? '';
      let blob = externalCache.get(loc);
      if (!blob) {
        blob = loc ? opts.readExternal?.(loc) : undefined;
        if (!blob) throw new EdgeplanError('file_not_found', `external data file '${loc}' of tensor '${t.name}' is missing`, { file, fix: `put ${loc || 'the external data file'} next to the .onnx file (ONNX external data is named relative to the model)` });
        externalCache.set(loc, blob);
      }
      const offset = Number(kv.get('offset') ?? 0), length = kv.has('length') ? Number(kv.get('length')) : blob.byteLength - offset;
      if (offset + length > blob.byteLength) throw bad(`external data file '${loc}' is shorter than tensor '${t.name}' needs (${offset + length} > ${blob.byteLength} bytes)`, 'copy the complete external data file');
      raw = blob.subarray(offset, offset + length);
    } else if (t.rawData && t.rawData.length) raw = t.rawData;
    const values = (): number[] => {
      if (raw) return decodeRaw(raw, dataType, count);
      if (t.floatData?.length) return [...t.floatData];
      if (t.doubleData?.length) return [...t.doubleData];
      if (t.int64Data?.length) return t.int64Data.map(toNum);
      if (t.uint64Data?.length) return t.uint64Data.map(toNum);
      if (t.int32Data?.length) return dataType === DT.FLOAT16 ? t.int32Data.map(halfToFloat) : [...t.int32Data];
      return [];
    };
    return { kind: 'const', dims, dataType, values };
  };

  // --- values: initializers, then inputs ---
  const vals = new Map<string, Val>();
  let storedParams = 0;
  const storedDtypes = new Set<string>();
  const countStored = (c: ConstVal) => {
    const n = product(c.dims);
    if (n > 1 && isFloatLike(c.dataType)) { storedParams += n; storedDtypes.add(dtypeOfData(c.dataType)!); }
  };
  for (const t of g.initializer ?? []) {
    const c = tensorVal(t);
    vals.set(t.name ?? '', c);
    countStored(c);
  }
  const inputs: GraphInput[] = [];
  let openInputShape = false;
  for (const i of g.input) {
    const name = i.name ?? '';
    if (vals.has(name)) continue; // IR < 4 lists initializers among the inputs
    const tt = i.type?.tensorType;
    const dims = tt?.shape?.dim ?? [];
    const shape: number[] = [];
    const dynamic: number[] = [];
    dims.forEach((d, k) => {
      const v = d.dimValue !== undefined && d.dimValue !== null ? toNum(d.dimValue) : 0;
      if (v > 0) shape.push(v);
      else if (k === 0) shape.push(1); // dynamic batch: batch 1
      else { shape.push(0); dynamic.push(k); }
    });
    if (dynamic.length) {
      openInputShape = true;
      if (opts.resolution === undefined && opts.inputSize === undefined) {
        throw new EdgeplanError('bad_value', `input '${name}' has a dynamic shape [${dims.map((d, k) => (shape[k] > 0 || k === 0 ? shape[k] : d.dimParam || '?')).join(', ')}]`, { file, fix: 'pass --resolution N to fix its open height/width' });
      }
      // NCHW unless the last axis looks like channels (TF exports): H/W get the requested size.
      const nhwc = shape.length === 4 && shape[3] > 0 && shape[3] <= 4 && !(shape[1] > 0 && shape[1] <= 4);
      const [h, w] = opts.inputSize ?? [opts.resolution!, opts.resolution!];
      const side = opts.resolution ?? h;
      for (const k of dynamic) shape[k] = shape.length !== 4 ? side : k === (nhwc ? 1 : 2) ? h : k === (nhwc ? 2 : 3) ? w : side;
    } else if (opts.resolution !== undefined && !(shape.length === 4 && shape[2] === opts.resolution && shape[3] === opts.resolution)) {
      throw new EdgeplanError('bad_value', `input '${name}' has a fixed shape [${shape.join(', ')}]; --resolution does not apply`, { file, fix: 'drop --resolution for this model' });
    }
    const dt = dtypeOfData(tt?.elemType ?? DT.FLOAT) ?? 'fp32';
    inputs.push({ name, shape, dtype: dt });
    vals.set(name, { kind: 'dyn', ref: name, shape, int8: dt === 'int8' });
  }
  if (!inputs.length) throw bad('the ONNX graph has no run-time input', 'pass a model with an input tensor');
  const asm = new Assembler(inputs, file);
  const graphOutputs = new Set((g.output ?? []).map((o) => o.name ?? ''));
  const valueInfoShape = new Map<string, number[]>();
  for (const v of [...(g.valueInfo ?? []), ...(g.output ?? [])]) {
    const d = v.type?.tensorType?.shape?.dim;
    if (d && d.length && d.every((x) => x.dimValue !== undefined && x.dimValue !== null && toNum(x.dimValue) > 0)) valueInfoShape.set(v.name ?? '', d.map((x) => toNum(x.dimValue)));
  }

  // Readers per tensor: fusion needs "the conv's output has no other reader".
  const readers = new Map<string, number>();
  for (const n of g.node) for (const i of n.input ?? []) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  const soleReader = (tensor: string) => readers.get(tensor) === 1 && !graphOutputs.has(tensor);

  const skipped = findLayerNormPatterns(g.node, vals);

  for (const node of g.node) {
    const op = node.opType ?? '';
    const domain = node.domain ?? '';
    const ins = (node.input ?? []);
    const outs = node.output ?? [];
    const nodeName = node.name || outs[0] || op;
    const attr = (name: string): AttributeProto | undefined => node.attribute?.find((a) => a.name === name);
    const attrInt = (name: string, dflt: number) => { const a = attr(name); return a ? toNum(a.i) : dflt; };
    const attrFloat = (name: string, dflt: number) => { const a = attr(name); return a ? a.f ?? dflt : dflt; };
    const attrInts = (name: string): number[] | undefined => { const a = attr(name); return a ? (a.ints ?? []).map(toNum) : undefined; };
    const attrStr = (name: string, dflt: string) => { const a = attr(name); return a?.s ? new TextDecoder().decode(a.s) : dflt; };
    const val = (k: number): Val | undefined => (ins[k] ? vals.get(ins[k]) : undefined);
    const need = (k: number): Val => {
      const v = val(k);
      if (!v) throw bad(`node '${nodeName}' (${op}) reads '${ins[k]}', which no earlier node produces`, 'the graph is not topologically sorted or is truncated; re-export it');
      return v;
    };
    const dyn = (k: number): DynVal | undefined => { const v = val(k); return v?.kind === 'dyn' ? v : undefined; };
    const cst = (k: number): ConstVal | undefined => { const v = val(k); return v?.kind === 'const' ? v : undefined; };
    const ints = (k: number): number[] | undefined => cst(k)?.values();
    const setOut = (v: Val, k = 0) => { if (outs[k]) vals.set(outs[k], v); };
    const int8In = ins.some((i) => { const v = vals.get(i); return v?.kind === 'dyn' ? v.int8 : v?.kind === 'const' && dtypeOfData(v.dataType) === 'int8'; });
    const dtypeFor = (weights?: ConstVal, forceInt8 = false): DType => {
      if (forceInt8 || int8In) return 'int8';
      const wd = weights ? dtypeOfData(weights.dataType) : undefined;
      return wd === 'fp16' ? 'fp16' : inputs[0].dtype === 'fp16' ? 'fp16' : 'fp32';
    };
    const emit = (layerOp: OpName, inRefs: readonly string[], attrs: LayerAttrs, dtype: DType, int8Out = false) => {
      const name = asm.add(nodeName, layerOp, inRefs, attrs, dtype);
      setOut({ kind: 'dyn', ref: name, shape: asm.shapeOf(name), int8: int8Out });
      return name;
    };
    const opaque = (type: string, inRefs: readonly string[], outShape: readonly number[], params = 0, warn?: string) => {
      if (warn) warnings.push(warn);
      const refs = inRefs.length ? inRefs : [inputs[0].name];
      const name = asm.add(nodeName, 'opaque', refs, { opaqueType: type, outputShape: outShape, paramCount: params }, dtypeFor());
      const v: DynVal = { kind: 'dyn', ref: name, shape: outShape, int8: false };
      outs.forEach((o, k) => { if (o) vals.set(o, k === 0 ? v : { ...v, shape: valueInfoShape.get(o) ?? outShape }); });
      return name;
    };
    const dynRefs = () => ins.map((i) => vals.get(i)).filter((v): v is DynVal => v?.kind === 'dyn').map((v) => v.ref);
    const unary = (layerOp: OpName) => {
      const x = need(0);
      if (x.kind === 'const') { setOut(x); return; }
      emit(layerOp, [x.ref], {}, dtypeFor(), x.int8);
    };
    /** An activation: fused into the conv/linear that produced its input when nothing else reads it. */
    const activation = (act: 'relu' | 'relu6' | 'hardswish' | 'hardsigmoid' | 'sigmoid' | 'gelu') => {
      const x = need(0);
      if (x.kind === 'const') { setOut(x); return; }
      if (soleReader(ins[0]) && asm.fuseActivation(x.ref, act)) { setOut(x); return; }
      emit(act, [x.ref], {}, dtypeFor(), x.int8);
    };

    if (skipped.inner.has(node)) continue;
    const ln = skipped.last.get(node);
    if (ln) {
      const x = vals.get(ln.input);
      if (x?.kind !== 'dyn') throw bad(`layer norm '${nodeName}' reads a constant`, 're-export the model');
      emit('layernorm', [x.ref], {}, dtypeFor());
      continue;
    }

    switch (domain === '' || domain === 'ai.onnx' || domain === 'com.microsoft' ? op : `${domain}:${op}`) {
      // ---------- constants and shape arithmetic ----------
      case 'Constant': {
        const a = node.attribute?.[0];
        if (!a) throw bad(`Constant node '${nodeName}' has no value`, 're-export the model');
        let c: ConstVal;
        if (a.t) c = tensorVal(a.t);
        else if (a.name === 'value_float') c = constOf([], [a.f ?? 0], DT.FLOAT);
        else if (a.name === 'value_floats') c = constOf([(a.floats ?? []).length], a.floats ?? [], DT.FLOAT);
        else if (a.name === 'value_int') c = constOf([], [toNum(a.i)]);
        else if (a.name === 'value_ints') c = constOf([(a.ints ?? []).length], (a.ints ?? []).map(toNum));
        else throw bad(`Constant node '${nodeName}' uses an unsupported value kind '${a.name}'`, 're-export with value tensors');
        countStored(c);
        setOut(c);
        break;
      }
      case 'Shape': {
        const x = need(0);
        const shape = x.kind === 'dyn' ? x.shape : x.dims;
        let s = [...shape];
        if (opsetVersion >= 15) {
          const start = attrInt('start', 0), end = attr('end') ? attrInt('end', s.length) : s.length;
          const norm = (v: number) => Math.max(0, Math.min(s.length, v < 0 ? v + s.length : v));
          s = s.slice(norm(start), norm(end));
        }
        setOut(constOf([s.length], s));
        break;
      }
      case 'Size': setOut(constOf([], [product(need(0).kind === 'dyn' ? (need(0) as DynVal).shape : (need(0) as ConstVal).dims)])); break;
      case 'ConstantOfShape': {
        const dims = ints(0) ?? [];
        const fill = attr('value')?.t ? tensorVal(attr('value')!.t!).values()[0] ?? 0 : 0;
        const n = product(dims);
        setOut({ kind: 'const', dims, dataType: DT.FLOAT, values: () => new Array<number>(Math.min(n, MAX_FOLD_ELEMENTS)).fill(fill) });
        break;
      }
      case 'Range': {
        const [s, l, d] = [ints(0)?.[0], ints(1)?.[0], ints(2)?.[0]];
        if (s === undefined || l === undefined || d === undefined) { opaque(op, dynRefs(), [1], 0, `Range '${nodeName}' with run-time bounds kept as an opaque layer`); break; }
        const out: number[] = [];
        for (let v = s; d > 0 ? v < l : v > l; v += d) out.push(v);
        setOut(constOf([out.length], out));
        break;
      }
      case 'Identity': case 'Dropout': case 'Cast': case 'CastLike': case 'StopGradient':
        setOut(need(0));
        break;
      case 'Gather': {
        const data = need(0), idx = need(1);
        const axis = attrInt('axis', 0);
        if (data.kind === 'const' && idx.kind === 'const') {
          const d = data.values(), ix = idx.values();
          if (data.dims.length <= 1) {
            const len = d.length;
            const picked = ix.map((i) => d[i < 0 ? i + len : i]);
            setOut(constOf(idx.dims, picked, data.dataType));
          } else opaque(op, [], [...idx.dims, ...data.dims.slice(1)], 0, `Gather '${nodeName}' on a rank-${data.dims.length} constant kept as an opaque layer`);
          break;
        }
        if (data.kind === 'dyn' && idx.kind === 'const') {
          const r = data.shape.length, ax = axis < 0 ? axis + r : axis;
          const out = [...data.shape.slice(0, ax), ...idx.dims, ...data.shape.slice(ax + 1)];
          if (idx.dims.length === 0 || (idx.dims.length === 1 && idx.dims[0] === 1)) {
            // Picking one index along an axis: a slice (then a reshape that drops the axis).
            const i0 = idx.values()[0];
            const start = i0 < 0 ? i0 + data.shape[ax] : i0;
            const s = asm.add(nodeName, 'slice', [data.ref], { axis: ax, start, end: start + 1 }, dtypeFor());
            if (product(out) === product(asm.shapeOf(s)) && out.length !== r) emit('reshape', [s], { shape: out }, dtypeFor());
            else setOut({ kind: 'dyn', ref: s, shape: asm.shapeOf(s), int8: data.int8 });
            break;
          }
          opaque(op, [data.ref], out);
          break;
        }
        opaque(op, dynRefs(), valueInfoShape.get(outs[0]) ?? (data.kind === 'dyn' ? data.shape : data.dims), data.kind === 'const' ? product(data.dims) : 0,
          `Gather '${nodeName}' with run-time indices kept as an opaque layer`);
        break;
      }
      case 'Unsqueeze': case 'Squeeze': {
        const x = need(0);
        const shape = x.kind === 'dyn' ? x.shape : x.dims;
        const axes = (opsetVersion >= 13 ? ints(1) : attrInts('axes'));
        let out: number[];
        if (op === 'Unsqueeze') {
          const r = shape.length + (axes?.length ?? 0);
          const norm = (axes ?? []).map((a) => (a < 0 ? a + r : a));
          out = [];
          let k = 0;
          for (let i = 0; i < r; i++) out.push(norm.includes(i) ? 1 : shape[k++]);
        } else {
          const norm = axes?.map((a) => (a < 0 ? a + shape.length : a));
          out = shape.filter((d, i) => (norm ? !norm.includes(i) : d !== 1));
        }
        if (x.kind === 'const') { setOut({ ...x, dims: out }); break; }
        emit('reshape', [x.ref], { shape: out.length ? out : [1] }, dtypeFor(), x.int8);
        break;
      }
      case 'Reshape': {
        const x = need(0);
        const target = ints(1) ?? (attrInts('shape'));
        const shape = x.kind === 'dyn' ? x.shape : x.dims;
        if (!target) { opaque(op, dynRefs(), valueInfoShape.get(outs[0]) ?? shape, 0, `Reshape '${nodeName}' with a run-time shape kept as an opaque layer (shape taken from value_info or the input)`); break; }
        const allowZero = attrInt('allowzero', 0) === 1;
        let out = target.map((d, i) => (d === 0 && !allowZero ? shape[i] : d));
        const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        out = out.map((d) => (d === -1 ? product(shape) / known : d));
        if (x.kind === 'const') { setOut({ ...x, dims: out }); break; }
        emit('reshape', [x.ref], { shape: out }, dtypeFor(), x.int8);
        break;
      }
      case 'Flatten': {
        const x = need(0);
        const shape = x.kind === 'dyn' ? x.shape : x.dims;
        const axis = attrInt('axis', 1), ax = axis < 0 ? axis + shape.length : axis;
        const out = [product(shape.slice(0, ax)), product(shape.slice(ax))];
        if (x.kind === 'const') { setOut({ ...x, dims: out }); break; }
        emit('reshape', [x.ref], { shape: out }, dtypeFor(), x.int8);
        break;
      }
      case 'Concat': {
        const axis = attrInt('axis', 0);
        const vs = ins.map((_, k) => need(k));
        if (vs.every((v) => v.kind === 'const')) {
          const cs = vs as ConstVal[];
          if (cs.every((c) => c.dims.length <= 1)) {
            const all = cs.flatMap((c) => c.values());
            setOut(constOf([all.length], all, cs[0].dataType));
          } else {
            const r = cs[0].dims.length, ax = axis < 0 ? axis + r : axis;
            const dims = [...cs[0].dims]; dims[ax] = cs.reduce((s, c) => s + c.dims[ax], 0);
            setOut({ kind: 'const', dims, dataType: cs[0].dataType, values: () => [] });
          }
          break;
        }
        const ds = vs.filter((v): v is DynVal => v.kind === 'dyn');
        if (ds.length === vs.length) {
          emit('concat', ds.map((d) => d.ref), { axis: axis < 0 ? axis + ds[0].shape.length : axis }, dtypeFor(), ds.some((d) => d.int8));
          break;
        }
        // A constant joined to a run-time tensor (class token, anchors): keep the cost, not the op.
        const r = ds[0].shape.length, ax = axis < 0 ? axis + r : axis;
        const out = [...ds[0].shape]; out[ax] = vs.reduce((s, v) => s + (v.kind === 'dyn' ? v.shape[ax] : v.dims[ax] ?? 1), 0);
        opaque('Concat', ds.map((d) => d.ref), out, vs.reduce((s, v) => s + (v.kind === 'const' ? product(v.dims) : 0), 0));
        break;
      }
      case 'Slice': {
        const x = need(0);
        const shape = x.kind === 'dyn' ? x.shape : x.dims;
        const starts = opsetVersion >= 10 ? ints(1) : attrInts('starts');
        const ends = opsetVersion >= 10 ? ints(2) : attrInts('ends');
        const axes = (opsetVersion >= 10 ? (ins[3] ? ints(3) : undefined) : attrInts('axes')) ?? starts?.map((_, i) => i);
        const steps = (opsetVersion >= 10 && ins[4] ? ints(4) : undefined) ?? starts?.map(() => 1);
        if (!starts || !ends || !axes || !steps) { opaque(op, dynRefs(), valueInfoShape.get(outs[0]) ?? shape, 0, `Slice '${nodeName}' with run-time bounds kept as an opaque layer`); break; }
        const ranges = axes.map((a, i) => {
          const ax = a < 0 ? a + shape.length : a, dim = shape[ax], st = steps[i];
          const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
          let s = starts[i] < 0 ? starts[i] + dim : starts[i], e = ends[i] < 0 ? ends[i] + dim : ends[i];
          if (st > 0) { s = clamp(s, 0, dim); e = clamp(e, 0, dim); } else { s = clamp(s, -1, dim - 1); e = clamp(e, -1, dim - 1); }
          const len = Math.max(0, Math.ceil((e - s) / st));
          return { ax, s, e, st, len };
        });
        if (x.kind === 'const') {
          if (x.dims.length === 1 && ranges.length === 1) {
            const v = x.values(), r0 = ranges[0], out: number[] = [];
            for (let i = r0.s; r0.st > 0 ? i < r0.e : i > r0.e; i += r0.st) out.push(v[i]);
            setOut(constOf([out.length], out, x.dataType));
          } else {
            const dims = [...x.dims]; for (const r of ranges) dims[r.ax] = r.len;
            setOut({ kind: 'const', dims, dataType: x.dataType, values: () => [] });
          }
          break;
        }
        const active = ranges.filter((r) => !(r.s === 0 && r.len === shape[r.ax] && r.st === 1));
        if (active.length === 0) { setOut(x); break; }
        if (active.every((r) => r.st === 1)) {
          let ref = x.ref;
          for (const r of active) ref = asm.add(nodeName, 'slice', [ref], { axis: r.ax, start: r.s, end: r.s + r.len }, dtypeFor());
          setOut({ kind: 'dyn', ref, shape: asm.shapeOf(ref), int8: x.int8 });
          break;
        }
        const out = [...shape]; for (const r of ranges) out[r.ax] = r.len;
        opaque('Slice', [x.ref], out);
        break;
      }
      case 'Split': {
        const x = need(0);
        if (x.kind === 'const') { outs.forEach((o) => vals.set(o, { kind: 'const', dims: x.dims, dataType: x.dataType, values: () => [] })); break; }
        const r = x.shape.length, axis = attrInt('axis', 0), ax = axis < 0 ? axis + r : axis;
        const sizes = (opsetVersion >= 13 ? ints(1) : attrInts('split')) ?? outs.map(() => Math.ceil(x.shape[ax] / outs.length));
        let start = 0;
        outs.forEach((o, k) => {
          const end = Math.min(x.shape[ax], start + sizes[k]);
          const name = asm.add(o || `${nodeName}_${k}`, 'slice', [x.ref], { axis: ax, start, end }, dtypeFor());
          vals.set(o, { kind: 'dyn', ref: name, shape: asm.shapeOf(name), int8: x.int8 });
          start = end;
        });
        break;
      }
      case 'Transpose': {
        const x = need(0);
        const shape = x.kind === 'dyn' ? x.shape : x.dims;
        const perm = attrInts('perm') ?? [...shape.keys()].reverse();
        if (x.kind === 'const') { setOut({ ...x, dims: perm.map((p) => shape[p]), values: () => [] }); break; }
        emit('transpose', [x.ref], { perm }, dtypeFor(), x.int8);
        break;
      }

      // ---------- compute ----------
      case 'Conv': case 'ConvInteger': case 'QLinearConv': case 'ConvTranspose': {
        const q = op === 'QLinearConv';
        const x = need(0), w = need(q ? 3 : 1);
        const biasIdx = q ? 8 : op === 'ConvInteger' ? -1 : 2;
        if (x.kind !== 'dyn' || w.kind !== 'const' || x.shape.length !== 4 || w.dims.length !== 4) {
          const shape = valueInfoShape.get(outs[0]) ?? (x.kind === 'dyn' ? x.shape : [1]);
          opaque(op, dynRefs(), shape, w.kind === 'const' ? product(w.dims) : 0, `${op} '${nodeName}' is not a 2-D conv with constant weights; kept as an opaque layer without MACs`);
          break;
        }
        const transposed = op === 'ConvTranspose';
        const group = attrInt('group', 1);
        const cin = x.shape[1];
        const cout = transposed ? w.dims[1] * group : w.dims[0];
        const [kh, kw] = [w.dims[2], w.dims[3]];
        const [sh, sw] = attrInts('strides') ?? [1, 1];
        const dil = attrInts('dilations') ?? [1, 1];
        if (dil[0] !== dil[1]) warnings.push(`${op} '${nodeName}': dilations ${dil.join('x')} differ; the IR uses ${dil[0]} for both`);
        const autoPad = attrStr('auto_pad', 'NOTSET');
        let padding: LayerAttrs['padding'];
        const pads = attrInts('pads');
        if (autoPad === 'VALID') padding = 'valid';
        else if (autoPad === 'SAME_UPPER' && !transposed) padding = 'same_upper';
        else if (autoPad === 'SAME_LOWER' && !transposed) {
          const th = Math.max(0, (Math.ceil(x.shape[2] / sh) - 1) * sh + (kh - 1) * dil[0] + 1 - x.shape[2]);
          const tw = Math.max(0, (Math.ceil(x.shape[3] / sw) - 1) * sw + (kw - 1) * dil[1] + 1 - x.shape[3]);
          padding = [th - Math.floor(th / 2), tw - Math.floor(tw / 2), Math.floor(th / 2), Math.floor(tw / 2)];
        } else padding = pads && pads.length === 4 ? [pads[0], pads[1], pads[2], pads[3]] : 0;
        const hasBias = biasIdx >= 0 && Boolean(ins[biasIdx]);
        const dtype = dtypeFor(w, q || op === 'ConvInteger');
        let layerOp: OpName = transposed ? 'conv_transpose2d' : 'conv2d';
        const attrs: Record<string, unknown> = { outChannels: cout, kernel: [kh, kw], stride: [sh, sw], padding, dilation: dil[0], bias: hasBias };
        if (!transposed && group === cin && group > 1 && cout % cin === 0) {
          layerOp = 'depthwise_conv2d';
          attrs.depthMultiplier = cout / cin;
        } else if (group !== 1) attrs.groups = group;
        if (transposed) {
          const opad = attrInts('output_padding');
          if (opad) attrs.outputPadding = opad[0];
          const oshape = attrInts('output_shape');
          if (oshape) warnings.push(`ConvTranspose '${nodeName}': output_shape attribute ignored; size computed from pads`);
        }
        emit(layerOp, [x.ref], attrs as LayerAttrs, dtype, q);
        break;
      }
      case 'Gemm': case 'MatMul': case 'MatMulInteger': case 'QLinearMatMul': {
        const q = op === 'QLinearMatMul';
        const a = need(0), b = need(q ? 3 : 1);
        const int8 = q || op === 'MatMulInteger';
        if (a.kind === 'dyn' && b.kind === 'const' && b.dims.length === 2 && attrInt('transA', 0) === 0) {
          const transB = op === 'Gemm' && attrInt('transB', 0) === 1;
          const [k, n] = transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
          if (a.shape[a.shape.length - 1] !== k) throw new EdgeplanError('bad_shape', `${op} '${nodeName}': input [${a.shape.join(', ')}] does not match weights [${b.dims.join(', ')}]`, { file, layer: nodeName, fix: 'the model is inconsistent; re-export it' });
          const bias = op === 'Gemm' && Boolean(ins[2]);
          emit('linear', [a.ref], { outFeatures: n, bias }, dtypeFor(b, int8), int8);
          break;
        }
        if (a.kind === 'dyn' && b.kind === 'dyn') {
          emit('matmul', [a.ref, b.ref], {}, dtypeFor(undefined, int8), int8);
          break;
        }
        const as = a.kind === 'dyn' ? a.shape : a.dims, bs = b.kind === 'dyn' ? b.shape : b.dims;
        const out = [...(broadcastShapes(as.slice(0, -2), bs.slice(0, -2)) ?? []), as[as.length - 2], bs[bs.length - 1]];
        opaque(op, dynRefs(), out, a.kind === 'const' ? product(a.dims) : b.kind === 'const' ? product(b.dims) : 0, `${op} '${nodeName}' with a constant left operand or batched constant weights kept as an opaque layer without MACs`);
        break;
      }
      case 'BatchNormalization': {
        const x = need(0);
        if (x.kind !== 'dyn') { setOut(x); break; }
        if (soleReader(ins[0]) && asm.foldBatchnorm(x.ref)) { setOut(x); break; }
        if (x.shape.length >= 2) emit('batchnorm', [x.ref], {}, dtypeFor(), x.int8);
        else opaque(op, [x.ref], x.shape);
        break;
      }
      case 'LayerNormalization': {
        const x = need(0);
        if (x.kind !== 'dyn') { setOut(x); break; }
        const axis = attrInt('axis', -1);
        if (axis === -1 || axis === x.shape.length - 1) emit('layernorm', [x.ref], {}, dtypeFor());
        else opaque(op, [x.ref], x.shape, 2 * product(x.shape.slice(axis < 0 ? axis + x.shape.length : axis)));
        break;
      }
      case 'MaxPool': case 'AveragePool': {
        const x = need(0);
        if (x.kind !== 'dyn' || x.shape.length !== 4) { opaque(op, dynRefs(), valueInfoShape.get(outs[0]) ?? (x.kind === 'dyn' ? x.shape : [1]), 0, `${op} '${nodeName}' on a non-4-D tensor kept as an opaque layer`); break; }
        const [kh, kw] = attrInts('kernel_shape') ?? [1, 1];
        const [sh, sw] = attrInts('strides') ?? [1, 1];
        const pads = attrInts('pads');
        const autoPad = attrStr('auto_pad', 'NOTSET');
        const padding: LayerAttrs['padding'] = autoPad === 'VALID' ? 'valid' : autoPad.startsWith('SAME') ? 'same_upper' : pads && pads.length === 4 ? [pads[0], pads[1], pads[2], pads[3]] : 'valid';
        emit(op === 'MaxPool' ? 'max_pool' : 'avg_pool', [x.ref], { kernel: [kh, kw], stride: [sh, sw], padding, ceilMode: attrInt('ceil_mode', 0) === 1 }, dtypeFor(), x.int8);
        break;
      }
      case 'GlobalAveragePool': case 'GlobalMaxPool': case 'QLinearGlobalAveragePool': {
        const x = need(0);
        if (x.kind !== 'dyn' || x.shape.length !== 4) { opaque(op, dynRefs(), valueInfoShape.get(outs[0]) ?? [1], 0, `${op} '${nodeName}' on a non-4-D tensor kept as an opaque layer`); break; }
        emit('global_pool', [x.ref], { mode: op === 'GlobalMaxPool' ? 'max' : 'avg' }, dtypeFor(undefined, op.startsWith('QLinear')), x.int8);
        break;
      }
      case 'ReduceMean': case 'ReduceMax': case 'ReduceSum': case 'ReduceMin': case 'ReduceProd': case 'ReduceL2': {
        const x = need(0);
        const shape = x.kind === 'dyn' ? x.shape : x.dims;
        const axesIn = (op === 'ReduceSum' ? opsetVersion >= 13 : opsetVersion >= 18) ? ints(1) : attrInts('axes');
        const axes = (axesIn ?? [...shape.keys()]).map((a) => (a < 0 ? a + shape.length : a));
        const keep = attrInt('keepdims', 1) === 1;
        const out = keep ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
        if (x.kind === 'const') {
          const v = x.values();
          const folded = op === 'ReduceProd' && x.dims.length <= 1 ? [v.reduce((a, b) => a * b, 1)] : [];
          setOut({ kind: 'const', dims: out, dataType: x.dataType, values: () => folded });
          break;
        }
        if ((op === 'ReduceMean' || op === 'ReduceMax') && shape.length === 4 && axes.length === 2 && axes.includes(2) && axes.includes(3)) {
          const gp = asm.add(nodeName, 'global_pool', [x.ref], { mode: op === 'ReduceMax' ? 'max' : 'avg' }, dtypeFor());
          if (!keep) emit('reshape', [gp], { shape: out }, dtypeFor());
          else setOut({ kind: 'dyn', ref: gp, shape: asm.shapeOf(gp), int8: x.int8 });
          break;
        }
        opaque(op, [x.ref], out.length ? out : [1]);
        break;
      }
      case 'Resize': case 'Upsample': {
        const x = need(0);
        if (x.kind !== 'dyn' || x.shape.length !== 4) { opaque(op, dynRefs(), valueInfoShape.get(outs[0]) ?? [1], 0, `${op} '${nodeName}' on a non-4-D tensor kept as an opaque layer`); break; }
        const scalesIdx = op === 'Upsample' || opsetVersion < 11 ? 1 : 2;
        const sizes = op === 'Resize' && opsetVersion >= 11 ? ints(3) : undefined;
        const scales = ints(scalesIdx) ?? attr('scales')?.floats ?? undefined;
        let size: [number, number] | undefined;
        if (sizes && sizes.length === 4) size = [sizes[2], sizes[3]];
        else if (scales && scales.length === 4) size = [Math.floor(x.shape[2] * scales[2]), Math.floor(x.shape[3] * scales[3])];
        if (!size) { opaque(op, [x.ref], valueInfoShape.get(outs[0]) ?? x.shape, 0, `${op} '${nodeName}' with run-time sizes kept as an opaque layer`); break; }
        const mode = attrStr('mode', 'nearest');
        emit('resize', [x.ref], { size, mode: mode === 'nearest' ? 'nearest' : 'bilinear' }, dtypeFor(), x.int8);
        break;
      }
      case 'Pad': {
        const x = need(0);
        const pads = opsetVersion >= 11 ? ints(1) : attrInts('pads') ?? attrInts('paddings');
        if (x.kind !== 'dyn') { setOut(x); break; }
        const r = x.shape.length;
        if (pads && r === 4 && pads[0] === 0 && pads[1] === 0 && pads[4] === 0 && pads[5] === 0 && pads.every((p) => p >= 0)) {
          emit('pad', [x.ref], { pads: [pads[2], pads[3], pads[6], pads[7]] }, dtypeFor(), x.int8);
          break;
        }
        const out = pads ? x.shape.map((d, i) => d + pads[i] + pads[i + r]) : valueInfoShape.get(outs[0]) ?? x.shape;
        opaque(op, [x.ref], out);
        break;
      }
      case 'Softmax': case 'LogSoftmax': unary('softmax'); break;
      case 'Relu': activation('relu'); break;
      case 'HardSwish': activation('hardswish'); break;
      case 'HardSigmoid': activation('hardsigmoid'); break;
      case 'Sigmoid': activation('sigmoid'); break;
      case 'Gelu': activation('gelu'); break;
      case 'Clip': {
        const x = need(0);
        const lo = opsetVersion >= 11 ? ints(1)?.[0] : attrFloat('min', -3.4e38);
        const hi = opsetVersion >= 11 ? ints(2)?.[0] : attrFloat('max', 3.4e38);
        if (x.kind === 'const') { setOut(x); break; }
        if (lo === 0 && hi === 6) activation('relu6');
        else if (lo === 0 && (hi === undefined || hi > 1e30)) activation('relu');
        else emit('opaque', [x.ref], { opaqueType: 'Clip', outputShape: x.shape }, dtypeFor(), x.int8);
        break;
      }
      case 'PRelu': case 'LeakyRelu': case 'Elu': case 'Selu': case 'Tanh': case 'Softplus': case 'Mish': case 'Exp': case 'Log':
      case 'Sqrt': case 'Reciprocal': case 'Neg': case 'Abs': case 'Erf': case 'Floor': case 'Ceil': case 'Round': case 'Sin': case 'Cos':
      case 'Not': case 'Sign': case 'InstanceNormalization': case 'LpNormalization': {
        const x = need(0);
        if (x.kind === 'const') { setOut(x); break; }
        const p = ins.slice(1).reduce((s, _i, k) => { const c = cst(k + 1); return s + (c && product(c.dims) > 1 ? product(c.dims) : 0); }, 0);
        emit('opaque', [x.ref], { opaqueType: op, outputShape: x.shape, paramCount: p }, dtypeFor(), x.int8);
        break;
      }
      case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Sum': case 'Pow': case 'Max': case 'Min': case 'Equal': case 'Greater':
      case 'Less': case 'And': case 'Or': case 'Where': case 'Mod': case 'QLinearAdd': case 'QLinearMul': {
        const q = op.startsWith('QLinear');
        const operands = q ? [need(0), need(3)] : ins.map((_, k) => need(k));
        if (operands.every((v) => v.kind === 'const')) {
          const cs = operands as ConstVal[];
          const dims = cs.reduce<number[]>((acc, c) => broadcastShapes(acc, c.dims) ?? acc, []);
          if (product(dims) <= MAX_FOLD_ELEMENTS && cs.every((c) => product(c.dims) === 1 || product(c.dims) === product(dims))) {
            const vs = cs.map((c) => c.values());
            const n = product(dims);
            const at = (v: number[], i: number) => (v.length === 1 ? v[0] : v[i]);
            const f: Record<string, (a: number, b: number) => number> = {
              Add: (a, b) => a + b, Sum: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Pow: (a, b) => a ** b, Max: Math.max, Min: Math.min,
              Div: (a, b) => (cs.every((c) => c.dataType === DT.INT64 || c.dataType === DT.INT32) ? Math.trunc(a / b) : a / b),
              Equal: (a, b) => Number(a === b), Greater: (a, b) => Number(a > b), Less: (a, b) => Number(a < b), Mod: (a, b) => a % b,
            };
            const fn = f[op];
            if (fn && vs.every((v) => v.length > 0)) {
              const out: number[] = [];
              for (let i = 0; i < n; i++) out.push(vs.slice(1).reduce((acc, v) => fn(acc, at(v, i)), at(vs[0], i)));
              setOut(constOf(dims, out, cs[0].dataType));
              break;
            }
          }
          setOut({ kind: 'const', dims, dataType: cs[0].dataType, values: () => [] });
          break;
        }
        const ds = operands.filter((v): v is DynVal => v.kind === 'dyn');
        const cs = operands.filter((v): v is ConstVal => v.kind === 'const');
        const outShape = operands.reduce<number[] | undefined>((acc, v) => (acc ? broadcastShapes(acc, v.kind === 'dyn' ? v.shape : v.dims) : undefined), []);
        if (!outShape) throw new EdgeplanError('bad_shape', `${op} '${nodeName}' cannot broadcast its operands [${operands.map((v) => (v.kind === 'dyn' ? v.shape : v.dims).join('x')).join(', ')}]`, { file, layer: nodeName, fix: 'the model is inconsistent; re-export it' });
        const constElems = cs.reduce((s, c) => s + product(c.dims), 0);
        const irOp: OpName | undefined = op === 'Add' || op === 'Sub' || op === 'Sum' || op === 'QLinearAdd' ? 'add' : op === 'Mul' || op === 'Div' || op === 'QLinearMul' ? 'mul' : undefined;
        // x + bias[C] right after a linear/transposed conv (how exporters split Gemm and ConvTranspose).
        if (ds.length === 1 && cs.length === 1 && op === 'Add' && soleReader(ds[0] === operands[0] ? ins[0] : ins[1]) && asm.addBias(ds[0].ref, constElems)) {
          setOut(ds[0]);
          break;
        }
        if (irOp && ds.length >= 2) { emit(irOp, ds.map((d) => d.ref), {}, dtypeFor(undefined, q), q); break; }
        if (irOp && ds.length === 1 && product(outShape) === product(ds[0].shape)) {
          // One run-time operand and a broadcast constant: the same element-wise pass over x
          // (the constant is read like a second operand).
          emit(irOp, [ds[0].ref, ds[0].ref], {}, dtypeFor(undefined, q), q);
          break;
        }
        opaque(op, ds.map((d) => d.ref), outShape, constElems > 1 ? constElems : 0);
        break;
      }

      // ---------- quantisation (QDQ and QOperator formats) ----------
      case 'QuantizeLinear': case 'DynamicQuantizeLinear': {
        const x = need(0);
        if (x.kind === 'const') { setOut({ ...x, dataType: DT.INT8 }); break; }
        setOut({ ...x, int8: true });
        outs.slice(1).forEach((o) => vals.set(o, constOf([], [1], DT.FLOAT)));
        break;
      }
      case 'DequantizeLinear': {
        const x = need(0);
        if (x.kind === 'const') {
          // The stored int8 weights were counted where they were defined; keep their dtype.
          setOut(x);
          break;
        }
        setOut(x);
        break;
      }

      default: {
        const shapes = ins.map((i) => vals.get(i)).filter((v): v is DynVal => v?.kind === 'dyn');
        const shape = valueInfoShape.get(outs[0]) ?? shapes[0]?.shape ?? [1];
        const p = ins.reduce((s, i) => { const v = vals.get(i); return s + (v?.kind === 'const' && product(v.dims) > 1 ? product(v.dims) : 0); }, 0);
        opaque(domain ? `${domain}:${op}` : op, shapes.map((d) => d.ref), shape, p,
          `unknown op ${domain ? `${domain}:` : ''}${op} ('${nodeName}') kept as an opaque layer with output [${shape.join(', ')}]${valueInfoShape.has(outs[0]) ? '' : ' (shape assumed equal to its input)'} and no MACs`);
      }
    }
  }

  const outputs: string[] = [];
  for (const o of g.output ?? []) {
    const v = vals.get(o.name ?? '');
    if (v?.kind === 'dyn') outputs.push(v.ref);
  }
  const base = file.split(/[\\/]/).pop()!.replace(/\.onnx$/i, '');
  const built = asm.finish({ name: base, outputs, source: file });
  const graph: Graph = openInputShape ? { ...built, openInputShape: true } : built;
  const weightDtype = storedDtypes.size > 1 ? (storedDtypes.has('int8') ? 'int8' : 'mixed') : ([...storedDtypes][0] ?? 'fp32');
  return { graph, warnings, storedParams, weightDtype: weightDtype as ImportResult['weightDtype'] };
}

interface LayerNormMatch { readonly input: string }

/**
 * Finds LayerNorm written out as ReduceMean → Sub → Pow(2) → ReduceMean → Add(ε) → Sqrt → Div
 * [→ Mul(γ) → Add(β)] (PyTorch < 1.13 and Paddle2ONNX exports), so it becomes one layernorm
 * layer as in the source framework. Returns the nodes to skip and, for the last node of each
 * match, the tensor it normalises.
 */
function findLayerNormPatterns(nodes: readonly NodeProto[], vals: ReadonlyMap<string, Val>) {
  const byInput = new Map<string, NodeProto[]>();
  for (const n of nodes) for (const i of n.input ?? []) { const l = byInput.get(i) ?? []; l.push(n); byInput.set(i, l); }
  const constNames = new Set<string>([...vals.keys()]);
  for (const n of nodes) if (n.opType === 'Constant') for (const o of n.output ?? []) constNames.add(o);
  const readersOf = (t: string | undefined) => (t ? byInput.get(t) ?? [] : []);
  const one = (t: string | undefined, op: string) => { const r = readersOf(t); return r.length === 1 && r[0].opType === op ? r[0] : undefined; };
  const inner = new Set<NodeProto>();
  const last = new Map<NodeProto, LayerNormMatch>();
  for (const r1 of nodes) {
    if (r1.opType !== 'ReduceMean') continue;
    const x = r1.input?.[0];
    const mean = r1.output?.[0];
    const sub = readersOf(mean).find((n) => n.opType === 'Sub' && n.input?.[0] === x && n.input?.[1] === mean);
    if (!sub || readersOf(mean).length !== 1) continue;
    const d = sub.output?.[0];
    const dr = readersOf(d);
    const pow = dr.find((n) => n.opType === 'Pow' || n.opType === 'Mul');
    const div = dr.find((n) => n.opType === 'Div');
    if (!pow || !div || dr.length !== 2) continue;
    const r2 = one(pow.output?.[0], 'ReduceMean');
    const add = r2 && one(r2.output?.[0], 'Add');
    const sqrt = add && one(add.output?.[0], 'Sqrt');
    if (!sqrt || div.input?.[1] !== sqrt.output?.[0]) continue;
    const chain = [r1, sub, pow, r2!, add!, sqrt, div];
    let end: NodeProto = div;
    const mul = one(div.output?.[0], 'Mul');
    if (mul && (mul.input ?? []).some((i) => constNames.has(i))) {
      chain.push(mul); end = mul;
      const beta = one(mul.output?.[0], 'Add');
      if (beta && (beta.input ?? []).some((i) => constNames.has(i))) { chain.push(beta); end = beta; }
    }
    for (const n of chain) if (n !== end) inner.add(n);
    last.set(end, { input: x! });
  }
  return { inner, last };
}
