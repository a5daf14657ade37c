import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from '../helpers.ts';

// ../shared/data/published-latency.csv when shared/ sits beside the repo (CI), else the vendored copy.
const DATA = existsSync('../shared/data/published-latency.csv') ? '../shared/data/published-latency.csv' : 'test/fixtures/published-latency.csv';

describe('edgeplan validate on published-latency.csv', () => {
  it('predicts measured latencies: median |error| ≤ 25 %, ≥ 45 % of rows within ±25 %', async () => {
    const r = await runCli(['validate', '--data', DATA, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.summary.n).toBeGreaterThan(200);
    expect(j.summary.median_abs_error_pct).toBeLessThanOrEqual(25);
    expect(j.summary.within_25_pct).toBeGreaterThanOrEqual(0.45);
    // Every row is either compared or skipped with a reason, never dropped.
    expect(j.rows.length).toBe(j.summary.n + j.summary.skipped);
    for (const row of j.rows) expect('error_pct' in row || typeof row.skipped === 'string').toBe(true);
  });

  it('every device with ≥ 5 rows is within 35 % median, coverage ≥ 85 % of rows on profiled devices', async () => {
    const j = JSON.parse((await runCli(['validate', '--data', DATA, '--json'])).stdout);
    const big = j.devices.filter((x: { rows: number }) => x.rows >= 5);
    expect(big.length).toBeGreaterThanOrEqual(12);
    for (const d of big) expect(d.median_abs_error_pct, d.device).toBeLessThanOrEqual(35);
    const profiled = j.rows.filter((r: { skipped?: string }) => !(r.skipped ?? '').startsWith('no hardware profile'));
    expect(j.summary.n / profiled.length).toBeGreaterThanOrEqual(0.85);
  });

  it('the MCU rows (MLPerf Tiny, int8) are within 35 % median per device', async () => {
    const j = JSON.parse((await runCli(['validate', '--data', DATA, '--json'])).stdout);
    for (const d of j.devices.filter((x: { device: string; rows: number }) => x.device.startsWith('stm32') && x.rows >= 5)) {
      expect(d.median_abs_error_pct, d.device).toBeLessThanOrEqual(35);
    }
  });

  it('a CSV without the required columns is one line, exit 2', async () => {
    const f = tempFiles({ 'bad.csv': 'a,b\n1,2\n' });
    const r = await runCli(['validate', '--data', f['bad.csv']]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad.csv:1: missing column/);
  });
});

describe('thread count of a row', () => {
  it('is read from the notes, and a single-threaded row is predicted slower than the same row at the profile default', async () => {
    const { threadsOfRow } = await import('../../src/validate/index.ts');
    expect(threadsOfRow({ notes: 'Pixel 4, batch 1, 4 CPU threads' })).toBe(4);
    expect(threadsOfRow({ notes: "unit 'CPU (2 threads)'" })).toBe(2);
    expect(threadsOfRow({ notes: 'benchmark_model --num_threads=4 --use_xnnpack' })).toBe(4);
    expect(threadsOfRow({ notes: '"All phone latencies are in milliseconds, measured on large core" (single-threaded TFLite)' })).toBe(1);
    expect(threadsOfRow({ notes: 'thread count not stated' })).toBeUndefined();
    expect(threadsOfRow({ notes: 'HW notes: Single Bank Mode Activated' })).toBeUndefined();
    const head = 'row_id,device_id,unit,model_id,resolution,width_multiplier,precision,runtime,batch,latency_ms,energy_mj,source_url,notes';
    const f = tempFiles({ 'rows.csv': `${head}\nr1,pixel-3,cpu,mobilenet-v2,224,1.0,fp32,TFLite,1,30,,u,4 CPU threads\nr2,pixel-3,cpu,mobilenet-v2,224,1.0,fp32,TFLite,1,30,,u,single-threaded\n` });
    const r = await runCli(['validate', '--data', f['rows.csv'], '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as { row_id: string; predicted_ms: number }[];
    const four = rows.find((x) => x.row_id === 'r1')!.predicted_ms, one = rows.find((x) => x.row_id === 'r2')!.predicted_ms;
    expect(one).toBeGreaterThan(2.5 * four);
  });
});
