/**
 * src/graph owns the layer-graph IR: types, per-op shape inference and counting, graph
 * construction (topological order, cycle and reference checks) and the YAML model format.
 */
export * from './types.ts';
export { inferLayer } from './ops.ts';
export { buildGraph, graphTotals, GraphBuilder, makeLayer, topoOrder, weightBytesAt, type GraphSpec, type LayerSpec } from './build.ts';
export { loadYamlModel, foldBatchnorms, modelSchema, type YamlModelOptions } from './yaml-model.ts';
export { suggestFrom } from './suggest.ts';
