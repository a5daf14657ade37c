/** snake_case JSON keys of a MemoryReport, for `simulate --json` under `memory` (stable key order). */
import type { MemoryReport } from './types.ts';

export function memoryReportJson(r: MemoryReport) {
  return {
    runtime: r.runtime,
    memory_order: r.order,
    graph_order_peak_bytes: r.graphOrderPeakBytes,
    ...(r.minPeakOrderBytes !== undefined ? { min_peak_order_bytes: r.minPeakOrderBytes } : {}),
    ...(r.executionOrder ? { execution_order: r.executionOrder } : {}),
    arena_bytes: r.arenaBytes,
    runtime_activation_bytes: r.runtimeActivationBytes,
    ...(r.patchStagePeakBytes !== undefined ? { patch_stage_peak_bytes: r.patchStagePeakBytes } : {}),
    persistent_bytes: r.persistentBytes,
    runtime_ram_bytes: r.runtimeRamBytes,
    flash_bytes: r.flashBytes,
    runtime_fits: Object.fromEntries(Object.entries(r.fits).map(([k, f]) => [k, { fits: f.fits, compared_bytes: f.comparedBytes, size_bytes: f.sizeBytes, what: f.what }])),
    ...(r.timeline ? { timeline: r.timeline } : {}),
    conventions: r.notes,
  };
}
