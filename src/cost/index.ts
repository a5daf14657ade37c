/**
 * src/cost owns the cost model: graph + hardware profile → per-layer latency, partitions,
 * transfers, memory peak and energy. Pure functions over plain data.
 */
export { simulate, opClassOf, layerOps, peakFor, unsupportedReason, runtimeFor, sparseSpeedup24, sparse24WeightBytes, REALIZED_SPARSE_SPEEDUP_2_4 } from './simulate.ts';
export { activationPeak, type ActivationPeak } from './memory.ts';
export type * from './types.ts';
