/** Applying a plan: a new graph with pruned channels, and the per-layer precision map for simulate. */
import { buildGraph, type LayerSpec } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import type { Precision } from '../hardware/types.ts';
import type { PruneGroups } from './groups.ts';
import type { LayerChoice } from './types.ts';

/** Channels kept when a fraction `prune` is removed (at least one). */
export function keptChannels(channels: number, prune: number): number {
  return Math.max(1, Math.round(channels * (1 - prune)));
}

/** Rebuilds `g` with each prunable group's conv/linear outputs shrunk by its ratio. */
export function pruneGraph(g: Graph, groups: PruneGroups, ratioOfGroup: (gid: number) => number): Graph {
  const specs: LayerSpec[] = g.layers.map((l) => {
    const r = ratioOfGroup(groups.groupOf.get(l.name)!);
    if (r > 0 && groups.prunable.has(groups.groupOf.get(l.name)!)) {
      if ((l.op === 'conv2d' || l.op === 'conv_transpose2d') && l.attrs.outChannels) return { name: l.name, op: l.op, inputs: l.inputs, attrs: { ...l.attrs, outChannels: keptChannels(l.attrs.outChannels, r) }, dtype: l.dtype };
      if (l.op === 'linear' && l.attrs.outFeatures) return { name: l.name, op: l.op, inputs: l.inputs, attrs: { ...l.attrs, outFeatures: keptChannels(l.attrs.outFeatures, r) }, dtype: l.dtype };
      // A depthwise conv follows its (pruned) input.
      if (l.op === 'depthwise_conv2d' && l.attrs.outChannels) return { name: l.name, op: l.op, inputs: l.inputs, attrs: { ...l.attrs, outChannels: undefined }, dtype: l.dtype };
    }
    return { name: l.name, op: l.op, inputs: l.inputs, attrs: l.attrs, dtype: l.dtype };
  });
  return buildGraph({ name: g.name, task: g.task, inputs: g.inputs, layers: specs, outputs: g.outputs, resolution: g.resolution, widthMultiplier: g.widthMultiplier, source: g.source }, g.layers[0]?.dtype ?? 'fp32');
}

export function applyPlan(g: Graph, groups: PruneGroups, choices: readonly LayerChoice[]): { graph: Graph; layerPrecision: Map<string, Precision>; layerSparse24: Set<string>; layerStoredWeightPrecision: Map<string, Precision> } {
  const byName = new Map(choices.map((c) => [c.name, c]));
  const ratio = new Map<number, number>();
  for (const c of choices) if (c.prune > 0) ratio.set(groups.groupOf.get(c.name)!, c.prune);
  const graph = ratio.size ? pruneGraph(g, groups, (gid) => ratio.get(gid) ?? 0) : g;
  const layerPrecision = new Map<string, Precision>();
  const layerSparse24 = new Set<string>();
  const layerStoredWeightPrecision = new Map<string, Precision>();
  for (const l of g.layers) {
    const c = byName.get(l.name);
    if (c) layerPrecision.set(l.name, c.precision);
    if (c?.sparse24) layerSparse24.add(l.name);
    if (c?.weights) layerStoredWeightPrecision.set(l.name, c.weights);
  }
  return { graph, layerPrecision, layerSparse24, layerStoredWeightPrecision };
}
