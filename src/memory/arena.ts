/**
 * Arena planning with TF-Lite Micro's greedy-by-size planner, step for step as in
 * tflite-micro tensorflow/lite/micro/memory_planner/greedy_memory_planner.cc
 * (`GreedyMemoryPlanner::CalculateOffsetsIfNeeded`, `GetMaximumMemorySize`):
 *
 * 1. every buffer's size is rounded up to the arena alignment first (micro_allocator.cc
 *    `CreatePlan`: `AlignSizeUp(current->bytes, MicroArenaBufferAlignment())`, 16 bytes in
 *    micro_arena_constants.h); zero-byte buffers are not planned (`needs_allocating`);
 * 2. buffers are taken largest first. TFLM fills its sort array from the tail (the last buffer
 *    added comes first) and sorts with a stable bubble sort (`ReverseSortInPlace`), so equal
 *    sizes are taken in reverse order of addition; we reproduce that tie-break;
 * 3. the first buffer goes at offset 0; each next one walks the already placed buffers in
 *    offset order, looking only at those alive at the same time, and takes the first gap
 *    that fits (or the end of the last one);
 * 4. the arena is the largest offset + size.
 *
 * Any valid plan holds every buffer alive at a step at disjoint offsets, so the arena is never
 * below the (aligned) core peak.
 */
import type { ArenaPlan } from './types.ts';

export interface PlannerBuffer {
  readonly bytes: number;
  readonly firstStep: number;
  readonly lastStep: number;
}

export function alignUp(bytes: number, alignment: number): number {
  return alignment <= 1 ? Math.ceil(bytes) : Math.ceil(bytes / alignment) * alignment;
}

export function planGreedyArena(buffers: readonly PlannerBuffer[], alignmentBytes = 16): ArenaPlan {
  const size = buffers.map((b) => alignUp(b.bytes, alignmentBytes));
  const offsets = buffers.map(() => -1);
  // Ids from the tail (last added first), then a stable sort by descending size.
  const ids = buffers.map((_, i) => buffers.length - 1 - i).filter((i) => size[i] > 0);
  ids.sort((a, b) => size[b] - size[a]);
  // Placed buffers in ascending offset order (a later equal offset goes after the earlier one).
  const placed: number[] = [];
  const overlaps = (a: number, b: number) => !(buffers[a].firstStep > buffers[b].lastStep || buffers[b].firstStep > buffers[a].lastStep);
  for (const id of ids) {
    let candidate = 0;
    let prior = -1; // position in `placed`
    while (true) {
      let next = -1;
      for (let p = prior + 1; p < placed.length; p++) if (overlaps(placed[p], id)) { next = p; break; }
      if (prior >= 0) candidate = Math.max(candidate, offsets[placed[prior]] + size[placed[prior]]);
      if (next < 0) break;
      if (offsets[placed[next]] - candidate >= size[id]) break;
      prior = next;
    }
    offsets[id] = candidate;
    let at = placed.length;
    for (let p = 0; p < placed.length; p++) if (offsets[placed[p]] > candidate) { at = p; break; }
    placed.splice(at, 0, id);
  }
  const arenaBytes = ids.reduce((m, i) => Math.max(m, offsets[i] + size[i]), 0);
  return { arenaBytes, alignmentBytes, offsets: offsets.map((o) => Math.max(o, 0)) };
}

/** True when two buffers alive at the same step share bytes (a plan must never do this). */
export function findOverlap(buffers: readonly PlannerBuffer[], plan: ArenaPlan): [number, number] | undefined {
  const size = buffers.map((b) => alignUp(b.bytes, plan.alignmentBytes));
  for (let a = 0; a < buffers.length; a++) {
    for (let b = a + 1; b < buffers.length; b++) {
      if (!size[a] || !size[b]) continue;
      const timeOverlap = !(buffers[a].firstStep > buffers[b].lastStep || buffers[b].firstStep > buffers[a].lastStep);
      const spaceOverlap = plan.offsets[a] < plan.offsets[b] + size[b] && plan.offsets[b] < plan.offsets[a] + size[a];
      if (timeOverlap && spaceOverlap) return [a, b];
    }
  }
  return undefined;
}
