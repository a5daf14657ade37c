/**
 * Turning layer specs (name, op, inputs, attrs) into a checked Graph: reference checks,
 * cycle detection, a stable topological order, then shape inference layer by layer.
 */
import { EdgeplanError } from '../errors/index.ts';
import { inferLayer } from './ops.ts';
import { DTYPE_BYTES, type DType, type Graph, type GraphInput, type GraphTotals, type Layer, type LayerAttrs, type OpName, type Shape } from './types.ts';

export interface LayerSpec {
  readonly name: string;
  readonly op: OpName;
  readonly inputs: readonly string[];
  readonly attrs?: LayerAttrs;
  readonly dtype?: DType;
}

export interface GraphSpec {
  readonly name: string;
  readonly task: string;
  readonly inputs: readonly GraphInput[];
  readonly layers: readonly LayerSpec[];
  /** Defaults to every layer no other layer consumes. */
  readonly outputs?: readonly string[];
  readonly resolution?: number;
  readonly widthMultiplier?: number;
  readonly source: string;
}

/** Deployed weight bytes: int8/int4 biases are int32 (TFLite/CMSIS-NN convention). */
export function weightBytesAt(weightElements: number, biasElements: number, dtype: DType): number {
  const biasBytes = dtype === 'int8' || dtype === 'int4' ? 4 : DTYPE_BYTES[dtype];
  return Math.ceil(weightElements * DTYPE_BYTES[dtype]) + biasElements * biasBytes;
}

export function makeLayer(spec: LayerSpec, inputShapes: readonly Shape[], defaultDtype: DType): Layer {
  const attrs = spec.attrs ?? {};
  const dtype = spec.dtype ?? defaultDtype;
  let counts;
  try {
    counts = inferLayer(spec.op, attrs, inputShapes);
  } catch (e) {
    if (e instanceof EdgeplanError) throw e.withLocation({ layer: spec.name });
    throw e;
  }
  const elems = counts.outputShape.reduce((a, b) => a * b, 1);
  return {
    name: spec.name,
    op: spec.op,
    inputs: spec.inputs,
    inputShapes,
    outputShape: counts.outputShape,
    attrs,
    dtype,
    params: counts.params,
    macs: counts.macs,
    weightElements: counts.weightElements,
    biasElements: counts.biasElements,
    weightBytes: weightBytesAt(counts.weightElements, counts.biasElements, dtype),
    activationBytes: counts.inPlace ? 0 : Math.ceil(elems * DTYPE_BYTES[dtype]),
  };
}

/**
 * Orders specs topologically, keeping the given order where the edges allow it (Kahn's
 * algorithm, picking the earliest-listed ready layer), and reports dangling edges and cycles.
 */
export function topoOrder(specs: readonly LayerSpec[], inputNames: readonly string[]): LayerSpec[] {
  const index = new Map<string, number>();
  specs.forEach((s, i) => {
    if (index.has(s.name) || inputNames.includes(s.name)) {
      throw new EdgeplanError('bad_value', `duplicate layer name '${s.name}'`, { layer: s.name, fix: 'give every layer a unique name' });
    }
    index.set(s.name, i);
  });
  const indeg = new Array<number>(specs.length).fill(0);
  const consumers: number[][] = specs.map(() => []);
  specs.forEach((s, i) => {
    for (const src of s.inputs) {
      if (inputNames.includes(src)) continue;
      const j = index.get(src);
      if (j === undefined) {
        const known = [...inputNames, ...index.keys()];
        throw new EdgeplanError('dangling_edge', `layer '${s.name}' reads '${src}', which is neither a layer nor a graph input`, { layer: s.name, fix: `use one of: ${known.slice(0, 6).join(', ')}${known.length > 6 ? ', …' : ''}` });
      }
      indeg[i]++;
      consumers[j].push(i);
    }
  });
  // A binary heap is not needed at zoo scale; a sorted ready list keeps file order stable.
  const ready: number[] = [];
  indeg.forEach((d, i) => d === 0 && ready.push(i));
  const order: LayerSpec[] = [];
  while (ready.length) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(specs[i]);
    for (const c of consumers[i]) if (--indeg[c] === 0) ready.push(c);
  }
  if (order.length < specs.length) {
    const stuck = specs.filter((_, i) => indeg[i] > 0).map((s) => s.name);
    const cycle = findCycle(specs, index, stuck[0]);
    throw new EdgeplanError('cycle', `the graph has a cycle: ${cycle.join(' → ')}`, { layer: cycle[0], fix: 'a layer may only read layers that do not depend on it; remove one edge of the cycle' });
  }
  return order;
}

function findCycle(specs: readonly LayerSpec[], index: Map<string, number>, start: string): string[] {
  // Walk producers from a stuck layer until a name repeats.
  const path: string[] = [];
  const seen = new Map<string, number>();
  let cur: string | undefined = start;
  while (cur !== undefined && !seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    const spec: LayerSpec = specs[index.get(cur)!];
    cur = spec.inputs.find((x) => index.has(x) && stuckFrom(specs, index, x));
  }
  if (cur === undefined) return path;
  // Producers were followed backwards: reverse into data-flow order, start at the earliest-listed layer.
  const cyc = path.slice(seen.get(cur)!).reverse();
  const first = cyc.reduce((best, n, i) => (index.get(n)! < index.get(cyc[best])! ? i : best), 0);
  const rotated = [...cyc.slice(first), ...cyc.slice(0, first)];
  return [...rotated, rotated[0]];
}

function stuckFrom(specs: readonly LayerSpec[], index: Map<string, number>, name: string): boolean {
  // A producer is part of the stuck set if it (transitively) reaches itself; cheap DFS.
  const target = name;
  const stack = [...specs[index.get(name)!].inputs];
  const visited = new Set<string>();
  while (stack.length) {
    const n = stack.pop()!;
    if (n === target) return true;
    if (visited.has(n) || !index.has(n)) continue;
    visited.add(n);
    stack.push(...specs[index.get(n)!].inputs);
  }
  return false;
}

export function buildGraph(spec: GraphSpec, defaultDtype: DType = 'fp32'): Graph {
  const inputNames = spec.inputs.map((i) => i.name);
  const order = topoOrder(spec.layers, inputNames);
  const shapes = new Map<string, Shape>(spec.inputs.map((i) => [i.name, i.shape]));
  const layers: Layer[] = [];
  for (const s of order) {
    const layer = makeLayer(s, s.inputs.map((i) => shapes.get(i)!), defaultDtype);
    shapes.set(s.name, layer.outputShape);
    layers.push(layer);
  }
  const consumed = new Set(order.flatMap((s) => s.inputs));
  const outputs = spec.outputs ?? layers.filter((l) => !consumed.has(l.name)).map((l) => l.name);
  for (const o of outputs) {
    if (!shapes.has(o)) throw new EdgeplanError('dangling_edge', `output '${o}' is not a layer`, { fix: 'list existing layer names under outputs' });
  }
  return {
    name: spec.name,
    task: spec.task,
    layout: 'NCHW',
    inputs: spec.inputs,
    layers,
    outputs,
    resolution: spec.resolution,
    widthMultiplier: spec.widthMultiplier,
    source: spec.source,
  };
}

export function graphTotals(g: Graph): GraphTotals {
  let params = 0, macs = 0, weightBytes = 0, activationBytes = 0;
  for (const l of g.layers) {
    params += l.params; macs += l.macs; weightBytes += l.weightBytes; activationBytes += l.activationBytes;
  }
  return { params, macs, weightBytes, activationBytes };
}

/**
 * Incremental builder used by the zoo: layers are added in execution order, so each one's
 * shape is known at once and block code can read it (`shapeOf`) to size the next layer.
 */
export class GraphBuilder {
  private readonly specs: LayerSpec[] = [];
  private readonly layers: Layer[] = [];
  private readonly shapes = new Map<string, Shape>();
  private readonly names = new Map<string, number>();

  constructor(
    private readonly meta: Omit<GraphSpec, 'layers' | 'outputs'>,
    private readonly dtype: DType = 'fp32',
  ) {
    for (const i of meta.inputs) this.shapes.set(i.name, i.shape);
  }

  get input(): string {
    return this.meta.inputs[0].name;
  }

  shapeOf(name: string): Shape {
    const s = this.shapes.get(name);
    if (!s) throw new Error(`zoo bug: no tensor named '${name}'`);
    return s;
  }

  channels(name: string): number {
    return this.shapeOf(name)[1];
  }

  /** Adds a layer; a repeated base name gets a numeric suffix so block code can reuse names. */
  add(name: string, op: OpName, inputs: string | readonly string[], attrs: LayerAttrs = {}): string {
    const n = this.names.get(name) ?? 0;
    this.names.set(name, n + 1);
    const unique = n === 0 ? name : `${name}_${n}`;
    const ins = typeof inputs === 'string' ? [inputs] : inputs;
    const spec: LayerSpec = { name: unique, op, inputs: ins, attrs };
    const layer = makeLayer(spec, ins.map((i) => this.shapeOf(i)), this.dtype);
    this.specs.push(spec);
    this.layers.push(layer);
    this.shapes.set(unique, layer.outputShape);
    return unique;
  }

  build(outputs?: readonly string[]): Graph {
    const consumed = new Set(this.specs.flatMap((s) => s.inputs));
    return {
      name: this.meta.name,
      task: this.meta.task,
      layout: 'NCHW',
      inputs: this.meta.inputs,
      layers: this.layers,
      outputs: outputs ?? this.layers.filter((l) => !consumed.has(l.name)).map((l) => l.name),
      resolution: this.meta.resolution,
      widthMultiplier: this.meta.widthMultiplier,
      source: this.meta.source,
    };
  }
}
