/**
 * The YAML model format: layers written one by one, or as uses of named blocks with params
 * and repeats. Checked against schemas/model.schema.json; every error points at the YAML line.
 */
import { EdgeplanError } from '../errors/index.ts';
import { checkSchema, parseYaml, pathToString, type PathSegment } from '../yaml-input/index.ts';
import modelSchema from '../../schemas/model.schema.json' with { type: 'json' };
import { buildGraph, type LayerSpec } from './build.ts';
import { suggestFrom } from './suggest.ts';
import type { DType, Graph, LayerAttrs, OpName } from './types.ts';

export { modelSchema };

type Scalar = number | string | boolean | number[];
interface YamlLayer {
  name?: string;
  op?: OpName;
  inputs?: string[];
  dtype?: DType;
  use?: string;
  repeat?: number;
  args?: Record<string, Scalar>;
  [attr: string]: unknown;
}
interface YamlBlock {
  params?: string[];
  residual?: boolean;
  layers: YamlLayer[];
}
interface YamlModel {
  name: string;
  task?: string;
  description?: string;
  dtype?: DType;
  input: { name?: string; shape: number[] };
  blocks?: Record<string, YamlBlock>;
  layers: YamlLayer[];
  outputs?: string[];
}

/** YAML snake_case attribute → IR camelCase attribute. */
const ATTR_KEYS: Readonly<Record<string, keyof LayerAttrs>> = {
  out_channels: 'outChannels', kernel: 'kernel', stride: 'stride', padding: 'padding', dilation: 'dilation',
  groups: 'groups', output_padding: 'outputPadding', bias: 'bias', batchnorm: 'batchnorm', activation: 'activation',
  out_features: 'outFeatures', axis: 'axis', ceil_mode: 'ceilMode', mode: 'mode', scale: 'scale', size: 'size',
  shape: 'shape', perm: 'perm', start_dim: 'startDim', heads: 'heads', start: 'start', end: 'end', pads: 'pads',
  depth_multiplier: 'depthMultiplier', output_shape: 'outputShape', opaque_type: 'opaqueType', param_count: 'paramCount',
};

export interface YamlModelOptions {
  readonly resolution?: number;
  readonly widthMultiplier?: number;
  /** Fold a standalone batchnorm into the conv/linear before it (default true, as deployment runtimes do). */
  readonly foldBatchnorm?: boolean;
}

export function loadYamlModel(text: string, file: string, opts: YamlModelOptions = {}): Graph {
  const doc = checkSchema<YamlModel>(parseYaml(text, file), modelSchema);
  const m = doc.data;
  const at = (path: readonly PathSegment[], err: EdgeplanError) => {
    const { line, col } = doc.locate(path);
    return err.withLocation({ file, line, col, path: pathToString(path) });
  };

  const inputName = m.input.name ?? 'input';
  let shape = [...m.input.shape];
  if (opts.resolution !== undefined) {
    if (shape.length !== 4) throw at(['input', 'shape'], new EdgeplanError('bad_value', '--resolution needs an image input [N, C, H, W]', { fix: 'drop --resolution for this model' }));
    shape = [shape[0], shape[1], opts.resolution, opts.resolution];
  }

  // Expand blocks into flat layer specs, remembering which YAML node each came from.
  const specs: LayerSpec[] = [];
  const origin = new Map<string, readonly PathSegment[]>();
  let prev = inputName;
  let auto = 0;

  const resolveArgs = (raw: YamlLayer, args: Record<string, Scalar>, path: readonly PathSegment[], blockName?: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v === 'string' && v.startsWith('$') && k !== 'name') {
        const key = v.slice(1);
        if (!(key in args)) {
          throw at([...path, k], new EdgeplanError('schema', `block parameter '${v}' has no value`, { fix: `add args: {${key}: ...} where block '${blockName}' is used` }));
        }
        out[k] = args[key];
      } else out[k] = v;
    }
    return out;
  };

  const toSpec = (raw: Record<string, unknown>, name: string, inputs: string[], path: readonly PathSegment[]): LayerSpec => {
    const op = raw.op as OpName;
    const attrs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      const key = ATTR_KEYS[k];
      if (key) attrs[key] = v;
    }
    if ((op === 'conv2d' || op === 'depthwise_conv2d' || op === 'conv_transpose2d') && attrs.bias === undefined) attrs.bias = !attrs.batchnorm;
    origin.set(name, path);
    return { name, op, inputs, attrs: attrs as LayerAttrs, dtype: raw.dtype as DType | undefined };
  };

  m.layers.forEach((item, i) => {
    const path: PathSegment[] = ['layers', i];
    if (item.use !== undefined) {
      const block = m.blocks?.[item.use];
      if (!block) {
        const s = suggestFrom(item.use, Object.keys(m.blocks ?? {}));
        throw at([...path, 'use'], new EdgeplanError('schema', `unknown block '${item.use}'`, { fix: s.length ? `did you mean '${s[0]}'?` : 'define it under `blocks:`' }));
      }
      if (item.op !== undefined) throw at(path, new EdgeplanError('schema', 'a layer has either `op` or `use`, not both', { fix: 'split it into two layers' }));
      const args = item.args ?? {};
      for (const p of block.params ?? []) {
        if (!(p in args)) throw at([...path, 'args'], new EdgeplanError('schema', `block '${item.use}' needs param '${p}'`, { fix: `add args: {${p}: ...}` }));
      }
      const repeat = item.repeat ?? 1;
      const base = item.name ?? `${item.use}${auto++}`;
      for (let r = 0; r < repeat; r++) {
        const prefix = repeat > 1 ? `${base}.${r}` : base;
        const blockIn = item.inputs && r === 0 ? item.inputs : [prev];
        const local = new Set(block.layers.map((l, j) => l.name ?? `${l.op}${j}`));
        let inner = blockIn;
        block.layers.forEach((bl, j) => {
          const raw = resolveArgs(bl, args, ['blocks', item.use!, 'layers', j], item.use);
          if (!raw.op) throw at(['blocks', item.use!, 'layers', j], new EdgeplanError('schema', 'a block layer needs `op`', { fix: 'add op: conv2d (blocks cannot nest)' }));
          const lname = `${prefix}.${bl.name ?? `${bl.op}${j}`}`;
          const ins = bl.inputs ? bl.inputs.map((x) => (x === '$in' ? blockIn[0] : local.has(x) ? `${prefix}.${x}` : x)) : inner;
          specs.push(toSpec(raw, lname, [...ins], path));
          inner = [lname];
        });
        if (block.residual) {
          const addName = `${prefix}.add`;
          specs.push(toSpec({ op: 'add' }, addName, [blockIn[0], inner[0]], path));
          inner = [addName];
        }
        prev = inner[0];
      }
      return;
    }
    if (item.op === undefined) throw at(path, new EdgeplanError('schema', 'missing required field \'op\'', { path: pathToString(path), fix: 'add op: conv2d (or use: <block>)' }));
    if (item.repeat !== undefined || item.args !== undefined) throw at(path, new EdgeplanError('schema', '`repeat`/`args` apply only with `use:`', { fix: 'define a block and use it' }));
    const name = item.name ?? `${item.op}${auto++}`;
    specs.push(toSpec(item, name, item.inputs ? [...item.inputs] : [prev], path));
    prev = name;
  });

  const folded = opts.foldBatchnorm === false ? specs : foldBatchnorms(specs);
  const scaled = opts.widthMultiplier !== undefined && opts.widthMultiplier !== 1 ? scaleWidth(folded, opts.widthMultiplier, m.outputs) : folded;

  try {
    return buildGraph({
      name: m.name,
      task: m.task ?? 'unspecified',
      inputs: [{ name: inputName, shape, dtype: m.dtype ?? 'fp32' }],
      layers: scaled,
      outputs: m.outputs,
      resolution: shape.length === 4 && shape[2] === shape[3] ? shape[2] : undefined,
      widthMultiplier: opts.widthMultiplier ?? 1,
      source: file,
    }, m.dtype ?? 'fp32');
  } catch (e) {
    if (e instanceof EdgeplanError) {
      const layer = e.location.layer;
      const path = layer ? origin.get(layer) : e.code === 'dangling_edge' ? ['outputs'] : undefined;
      if (path) throw at(path, e);
      throw e.withLocation({ file });
    }
    throw e;
  }
}

/**
 * Folds `batchnorm` layers into the conv/linear that feeds them when nothing else reads that
 * conv (TFLite converter and TensorRT do the same), so latency and bytes match deployment.
 */
export function foldBatchnorms(specs: readonly LayerSpec[]): LayerSpec[] {
  const readers = new Map<string, number>();
  for (const s of specs) for (const i of s.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const renamed = new Map<string, string>();
  const replaced = new Map<string, LayerSpec>();
  for (const s of specs) {
    if (s.op !== 'batchnorm' || s.inputs.length !== 1) continue;
    const src = byName.get(s.inputs[0]);
    if (!src || !['conv2d', 'depthwise_conv2d', 'conv_transpose2d', 'linear'].includes(src.op) || readers.get(src.name) !== 1 || src.attrs?.batchnorm) continue;
    replaced.set(src.name, { ...src, attrs: { ...src.attrs, batchnorm: true, bias: src.attrs?.bias ?? false } });
    renamed.set(s.name, src.name);
  }
  return specs
    .filter((s) => !renamed.has(s.name))
    .map((s) => replaced.get(s.name) ?? s)
    .map((s) => (s.inputs.some((i) => renamed.has(i)) ? { ...s, inputs: s.inputs.map((i) => renamed.get(i) ?? i) } : s));
}

/** Width multiplier for YAML models: scales conv channels and hidden linear widths (to a multiple of 8), not outputs. */
function scaleWidth(specs: readonly LayerSpec[], width: number, outputs?: readonly string[]): LayerSpec[] {
  const consumed = new Set(specs.flatMap((s) => s.inputs));
  const outs = new Set(outputs ?? specs.filter((s) => !consumed.has(s.name)).map((s) => s.name));
  const round8 = (c: number) => Math.max(8, Math.round((c * width) / 8) * 8);
  return specs.map((s) => {
    if (outs.has(s.name)) return s;
    if ((s.op === 'conv2d' || s.op === 'conv_transpose2d') && s.attrs?.outChannels) return { ...s, attrs: { ...s.attrs, outChannels: round8(s.attrs.outChannels) } };
    if (s.op === 'linear' && s.attrs?.outFeatures) return { ...s, attrs: { ...s.attrs, outFeatures: round8(s.attrs.outFeatures) } };
    return s;
  });
}
