/**
 * src/cost owns the cost model: graph + hardware profile → per-layer latency, partitions,
 * transfers, memory peak and energy. Pure functions over plain data.
 */
export { simulate, opClassOf, layerOps, peakFor, unsupportedReason } from './simulate.ts';
export { activationPeak, type ActivationPeak } from './memory.ts';
export type * from './types.ts';
