/** measure's stopping rule and statistics, on a fake clock (no runtime, no timing noise). */
import { describe, expect, it } from 'vitest';
import { quantile, runStats, timeRuns } from '../../src/cli/commands/measure.ts';

/** A clock that each run advances by the next of `durations` (ms); counts runs. */
function fakeRunner(durations: readonly number[]) {
  let t = 0, k = 0;
  return { now: () => t, run: async () => { t += durations[Math.min(k, durations.length - 1)]; k++; }, calls: () => k };
}

describe('timeRuns', () => {
  it('times exactly minRuns runs when minTimeMs is 0, after the warm-up runs', async () => {
    const r = fakeRunner([9, 9, 1, 2, 3, 4]);
    const times = await timeRuns(r.now, r.run, { minRuns: 4, warmup: 2, minTimeMs: 0, maxRuns: 100 });
    expect(times).toEqual([1, 2, 3, 4]);
    expect(r.calls()).toBe(6);
  });
  it('keeps running a fast model until the timed runs add up to minTimeMs', async () => {
    const r = fakeRunner([0.25]);
    const times = await timeRuns(r.now, r.run, { minRuns: 20, warmup: 0, minTimeMs: 1000, maxRuns: 10000 });
    expect(times.length).toBe(4000);
    expect(times.reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 9);
  });
  it('a slow model stops at minRuns even past minTimeMs, and maxRuns caps a fast one', async () => {
    const slow = fakeRunner([300]);
    expect((await timeRuns(slow.now, slow.run, { minRuns: 5, warmup: 0, minTimeMs: 1000, maxRuns: 10000 })).length).toBe(5);
    const fast = fakeRunner([0.001]);
    expect((await timeRuns(fast.now, fast.run, { minRuns: 5, warmup: 0, minTimeMs: 1000, maxRuns: 300 })).length).toBe(300);
  });
});

describe('runStats', () => {
  it('median, quartiles (type 7), IQR, MAD and spread', () => {
    const s = runStats([5, 1, 4, 2, 3, 100]);
    expect(s.median_ms).toBe(3.5);
    expect(s.min_ms).toBe(1);
    expect(s.max_ms).toBe(100);
    expect(s.p25_ms).toBe(2.25);
    expect(s.p75_ms).toBe(4.75);
    expect(s.iqr_ms).toBe(2.5);
    // |x − 3.5| = 1.5 2.5 0.5 1.5 0.5 96.5 → median 1.5: one outlier moves neither median nor MAD much.
    expect(s.mad_ms).toBe(1.5);
    expect(s.spread_pct).toBeCloseTo((100 * 2.5) / 3.5, 9);
    expect(s.timed_ms).toBe(115);
  });
  it('quantile interpolates between order statistics', () => {
    expect(quantile([10], 0.75)).toBe(10);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
