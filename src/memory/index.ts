/**
 * src/memory owns what a model needs in RAM and flash on a deployment runtime: the core
 * activation peak (tensor liveness), execution-order search for a lower peak, TF-Lite Micro's
 * greedy arena planner, each runtime's conventions (TFLM, X-CUBE-AI, TinyEngine, microTVM,
 * Vela), patch-based first stages (MCUNetV2), weights/flash bytes, fits per memory level, and
 * the comparison with published memory figures (validate.ts). Pure functions over plain data;
 * the CLI does the file reading.
 */
export { memoryReport, weightsBytesOf } from './report.ts';
export { corePeak, buildMemGraph, livenessOf, tensorLifetimes, liveTimeline, type MemGraph, type MemLayer, type MemTensor } from './liveness.ts';
export { searchMinPeakOrder, type OrderSearch } from './order.ts';
export { planGreedyArena, alignUp, findOverlap, type PlannerBuffer } from './arena.ts';
export { RUNTIMES as RUNTIME_SPECS, type RuntimeSpec } from './runtimes.ts';
export { planPatches } from './patch.ts';
export * from './validate.ts';
export { memoryReportJson } from './json.ts';
export * from './types.ts';
