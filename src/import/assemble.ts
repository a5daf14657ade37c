/**
 * Incremental graph assembly shared by the importers: each layer is shape-checked by the IR's own
 * `makeLayer` as it is added (so later nodes see real shapes), activations and batchnorms that
 * follow a conv/linear with no other reader are fused into it (as TFLite and ONNX Runtime do),
 * and `finish` runs the IR's `buildGraph` for the final order and reference checks.
 */
import { EdgeplanError } from '../errors/index.ts';
import { buildGraph, makeLayer, type LayerSpec } from '../graph/build.ts';
import type { Activation, DType, Graph, GraphInput, LayerAttrs, OpName, Shape } from '../graph/types.ts';

const FUSE_INTO: ReadonlySet<OpName> = new Set(['conv2d', 'depthwise_conv2d', 'conv_transpose2d', 'linear']);

export class Assembler {
  readonly specs: LayerSpec[] = [];
  private readonly index = new Map<string, number>();
  private readonly shapes = new Map<string, Shape>();
  private readonly used = new Set<string>();

  constructor(readonly inputs: readonly GraphInput[], readonly file: string) {
    for (const i of inputs) { this.shapes.set(i.name, i.shape); this.used.add(i.name); }
  }

  shapeOf(ref: string): Shape {
    return this.shapes.get(ref)!;
  }

  spec(name: string): LayerSpec | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.specs[i];
  }

  /** A name not used yet: the source name, or the source name with a numeric suffix. */
  uniqueName(base: string): string {
    const clean = base || 'layer';
    let name = clean;
    for (let k = 1; this.used.has(name); k++) name = `${clean}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Adds a layer and returns its (unique) name; shape errors name the layer and the file. */
  add(baseName: string, op: OpName, inputs: readonly string[], attrs: LayerAttrs, dtype: DType): string {
    const name = this.uniqueName(baseName);
    const spec: LayerSpec = { name, op, inputs, attrs, dtype };
    let layer;
    try {
      layer = makeLayer(spec, inputs.map((i) => this.shapes.get(i)!), dtype);
    } catch (e) {
      if (e instanceof EdgeplanError) throw e.withLocation({ file: this.file, layer: name });
      throw e;
    }
    this.index.set(name, this.specs.length);
    this.specs.push(spec);
    this.shapes.set(name, layer.outputShape);
    return name;
  }

  /** Fuses `act` into layer `name` when it is a conv/linear without an activation; true when fused. */
  fuseActivation(name: string, act: Activation): boolean {
    const i = this.index.get(name);
    if (i === undefined) return false;
    const s = this.specs[i];
    if (!FUSE_INTO.has(s.op) || s.attrs?.activation) return false;
    this.specs[i] = { ...s, attrs: { ...s.attrs, activation: act } };
    return true;
  }

  /** Folds a batchnorm into layer `name` (before any activation); true when folded. */
  foldBatchnorm(name: string): boolean {
    const i = this.index.get(name);
    if (i === undefined) return false;
    const s = this.specs[i];
    if (!FUSE_INTO.has(s.op) || s.attrs?.activation || s.attrs?.batchnorm) return false;
    this.specs[i] = { ...s, attrs: { ...s.attrs, batchnorm: true } };
    return true;
  }

  /** Gives layer `name` a bias (an Add of a per-channel constant after it); true when done. */
  addBias(name: string, elements: number): boolean {
    const i = this.index.get(name);
    if (i === undefined) return false;
    const s = this.specs[i];
    const width = s.op === 'linear' ? s.attrs?.outFeatures : s.attrs?.outChannels;
    if (!FUSE_INTO.has(s.op) || s.attrs?.activation || s.attrs?.bias || s.attrs?.batchnorm || width !== elements) return false;
    this.specs[i] = { ...s, attrs: { ...s.attrs, bias: true } };
    return true;
  }

  finish(meta: { name: string; outputs: readonly string[]; source: string }): Graph {
    if (this.specs.length === 0) {
      throw new EdgeplanError('bad_model_file', 'the model has no layers edgeplan can read', { file: this.file, fix: 'check that the file is a complete model (not only weights)' });
    }
    const outputs = [...new Set(meta.outputs.filter((o) => this.index.has(o)))];
    const first = this.inputs[0]?.shape;
    const square = first && first.length === 4 ? (first[2] === first[3] ? first[2] : undefined) : undefined;
    try {
      return buildGraph({
        name: meta.name, task: 'unspecified', inputs: this.inputs, layers: this.specs,
        outputs: outputs.length ? outputs : undefined, resolution: square, source: meta.source,
      }, this.inputs[0]?.dtype ?? 'fp32');
    } catch (e) {
      if (e instanceof EdgeplanError) throw e.withLocation({ file: this.file });
      throw e;
    }
  }
}

export const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Numpy-style broadcast of two shapes, or undefined when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1, db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(Math.max(da, db));
  }
  return out;
}
