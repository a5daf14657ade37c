/** Sweep expansion: the cartesian product of the swept settings, in a fixed order. */
import type { SweepPoint, SweepYaml } from './types.ts';

/**
 * Every combination of the sweep's lists, precision varying slowest and threads fastest, in the
 * order written. `cpu` false collapses threads (they only matter on CPU units).
 */
export function expandSweep(s: SweepYaml | undefined, cpu = true): SweepPoint[] {
  if (!s) return [];
  const axis = <T>(xs: readonly T[] | undefined): (T | undefined)[] => (xs && xs.length ? [...xs] : [undefined]);
  const out: SweepPoint[] = [];
  for (const precision of axis(s.precision)) {
    for (const resolution of axis(s.resolution)) {
      for (const batch of axis(s.batch)) {
        for (const threads of cpu ? axis(s.threads) : [undefined]) {
          out.push({
            ...(precision !== undefined ? { precision } : {}),
            ...(resolution !== undefined ? { resolution } : {}),
            ...(batch !== undefined ? { batch } : {}),
            ...(threads !== undefined ? { threads } : {}),
          });
        }
      }
    }
  }
  return out;
}
