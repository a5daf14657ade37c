/**
 * Prune groups: tensors whose channel counts must shrink together for the pruned graph to stay
 * valid — the inputs and output of a residual add or mul, the inputs of a channel concat, a
 * depthwise conv and its input, and every shape-preserving op. Found with union-find over the
 * tensors. Groups touching ops that cannot follow a channel change (attention, matmul, slice,
 * transpose, general reshape, opaque, grouped conv) and groups holding graph inputs or outputs
 * are fixed (never pruned), so any choice the planner makes yields a valid graph.
 */
import type { Graph } from '../graph/types.ts';

export interface PruneGroups {
  /** Group id of each tensor (layer outputs and graph inputs). */
  readonly groupOf: ReadonlyMap<string, number>;
  /** Groups the planner may prune. */
  readonly prunable: ReadonlySet<number>;
}

const PASS_THROUGH = new Set(['relu', 'relu6', 'hardswish', 'hardsigmoid', 'sigmoid', 'silu', 'gelu', 'batchnorm', 'max_pool', 'avg_pool', 'global_pool', 'resize', 'softmax', 'pad', 'flatten']);
const BLOCKING = new Set(['attention', 'matmul', 'slice', 'transpose', 'reshape', 'opaque', 'layernorm']);

export function findPruneGroups(g: Graph): PruneGroups {
  const names = [...g.inputs.map((i) => i.name), ...g.layers.map((l) => l.name)];
  const idx = new Map(names.map((n, i) => [n, i]));
  const parent = names.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: string, b: string) => {
    const ra = find(idx.get(a)!), rb = find(idx.get(b)!);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const fixed = new Set<string>(g.inputs.map((i) => i.name));
  for (const o of g.outputs) fixed.add(o);
  const channelsOf = (shape: readonly number[]) => shape[1];
  for (const l of g.layers) {
    const ins = l.inputs;
    switch (l.op) {
      case 'conv2d':
      case 'conv_transpose2d':
        if ((l.attrs.groups ?? 1) > 1) { fixed.add(l.name); ins.forEach((i) => fixed.add(i)); }
        break;
      case 'linear':
        if (l.inputShapes[0].length !== 2) { fixed.add(l.name); ins.forEach((i) => fixed.add(i)); }
        break;
      case 'depthwise_conv2d':
        union(l.name, ins[0]);
        break;
      case 'add':
      case 'mul':
        if (l.inputShapes.every((s) => s.length === l.outputShape.length && channelsOf(s) === channelsOf(l.outputShape))) ins.forEach((i) => union(l.name, i));
        else { fixed.add(l.name); ins.forEach((i) => fixed.add(i)); }
        break;
      case 'concat':
        if ((l.attrs.axis ?? 1) === 1 && l.outputShape.length === 4) ins.forEach((i) => union(l.name, i));
        else { fixed.add(l.name); ins.forEach((i) => fixed.add(i)); }
        break;
      default:
        if (PASS_THROUGH.has(l.op) && ins.length === 1) union(l.name, ins[0]);
        else if (BLOCKING.has(l.op) || ins.length !== 1) { fixed.add(l.name); ins.forEach((i) => fixed.add(i)); }
        else union(l.name, ins[0]);
    }
  }
  const groupOf = new Map<string, number>(names.map((n) => [n, find(idx.get(n)!)]));
  const fixedGroups = new Set([...fixed].map((n) => groupOf.get(n)!));
  // A group is prunable only if some conv/linear in it owns its channel count.
  const owned = new Set<number>();
  for (const l of g.layers) {
    if ((l.op === 'conv2d' || l.op === 'conv_transpose2d' || l.op === 'linear') && (l.attrs.groups ?? 1) === 1) owned.add(groupOf.get(l.name)!);
  }
  const prunable = new Set([...owned].filter((gid) => !fixedGroups.has(gid)));
  return { groupOf, prunable };
}
