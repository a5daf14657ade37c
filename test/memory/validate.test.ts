import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { predictMemoryRow, summarizeMemory, type MemoryRow, type MemoryRowOutcome } from '../../src/memory/index.ts';
import { buildZooModel } from '../../src/zoo/index.ts';
import { mcuExtraEntries } from '../../src/zoo/mcu-extra.ts';
import { runCli, tempFiles } from '../helpers.ts';

// A copy of shared/data/mcu-memory.csv (111 rows).
const CSV = 'test/memory/fixtures/mcu-memory.csv';
const rows = parse(readFileSync(CSV, 'utf8'), { columns: true }) as MemoryRow[];
const graphFor = (id: string, resolution?: number, widthMultiplier?: number) => {
  const e = mcuExtraEntries.find((x) => x.id === id);
  return e ? e.build({ resolution: resolution ?? e.resolution, widthMultiplier: widthMultiplier ?? e.widthMultiplier ?? 1 }) : buildZooModel(id, { resolution, widthMultiplier });
};
const outcomes = rows.map((r) => predictMemoryRow(r, { graphFor }));
type Compared = Extract<MemoryRowOutcome, { comparisons: unknown }>;
const compared = outcomes.filter((o): o is Compared => 'comparisons' in o);
const ramErrs = (f: (o: Compared) => boolean) => compared.filter(f).flatMap((o) => o.comparisons.filter((c) => c.figure !== 'flash' && !c.bound).map((c) => Math.abs(c.errorPct)));

describe('memory validation on mcu-memory.csv (acceptance)', () => {
  it('X-CUBE-AI image-model RAM rows: at least 80 % within ±25 % (issue #9)', () => {
    // Every X-CUBE-AI image row whose model the zoo builds is compared (33 rows); 28 are within ±25 %
    // (85 %) with conv/depthwise/pool outputs overlapping their dying input and a live-bytes planner
    // (src/memory/runtimes.ts, overlap.ts). Misses: MobileNet v1 0.5 @224 (+31/+36 %), and three
    // tinyengine-README rows (mcunet-in4 +25 %, proxyless-w0.3 r64 −31 % / r176 +25 %).
    const e = ramErrs((o) => o.runtime === 'x-cube-ai');
    expect(e.length).toBeGreaterThanOrEqual(30);
    expect(e.filter((x) => x <= 25).length / e.length).toBeGreaterThanOrEqual(0.8);
  });

  it('st-yolo-lc-v1 (192/224/256) and resnet32-cifar100 X-CUBE-AI rows are within ±25 %', () => {
    const rowsOf = (id: string) => compared.filter((o) => o.runtime === 'x-cube-ai' && o.model_id === id).flatMap((o) => o.comparisons.filter((c) => c.figure !== 'flash'));
    expect(rowsOf('st-yolo-lc-v1')).toHaveLength(3);
    for (const c of [...rowsOf('st-yolo-lc-v1'), ...rowsOf('resnet32-cifar100')]) expect(Math.abs(c.errorPct)).toBeLessThanOrEqual(25);
  });

  it('TinyEngine and TFLM measured rows of the tinyengine README: all within ±30 %', () => {
    for (const rt of ['tinyengine', 'tflm'] as const) {
      const e = ramErrs((o) => o.runtime === rt && o.source === 'tinyengine README' && o.kind === 'measured');
      expect(e.length).toBeGreaterThanOrEqual(6);
      expect(Math.max(...e)).toBeLessThanOrEqual(30);
    }
  });

  it('bound rows are never exceeded', () => {
    const bounds = compared.flatMap((o) => o.comparisons.filter((c) => c.bound));
    expect(bounds.length).toBeGreaterThan(0);
    for (const c of bounds) expect(c.predicted).toBeLessThanOrEqual(c.measured);
  });

  it('X-CUBE-AI weights flash = bare weights within 0.5 %', () => {
    const f = compared.filter((o) => o.runtime === 'x-cube-ai').flatMap((o) => o.comparisons.filter((c) => c.figure === 'flash'));
    expect(f.length).toBeGreaterThanOrEqual(10);
    for (const c of f) expect(Math.abs(c.errorPct)).toBeLessThan(0.5);
  });

  it('every row is compared or skipped with a reason', () => {
    expect(outcomes.length).toBe(rows.length);
    for (const o of outcomes) if ('skipped' in o) expect(o.skipped.length).toBeGreaterThan(5);
    expect(summarizeMemory(outcomes).length).toBeGreaterThan(3);
  });
});

describe('edgeplan validate --memory', () => {
  it('prints a per-runtime table', async () => {
    const r = await runCli(['validate', '--memory', '--data', CSV]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/x-cube-ai\s+activations/);
    expect(r.stdout).toMatch(/rows compared/);
  });

  it('bad CSVs and flags: exit 2 with one line', async () => {
    const f = tempFiles({ 'missing.csv': 'row_id,model_id\nx,y\n', 'bad.csv': `${readFileSync(CSV, 'utf8').split('\n')[0]}\nr1,mobilenet-v2,n,96x96x3,int8,TFLM,b,lots,,,exact,u,n\n`, 'empty.csv': '' });
    for (const [args, pattern] of [
      [['validate', '--memory', '--data', f['missing.csv']], /missing column\(s\) model_file_or_note/],
      [['validate', '--memory', '--data', f['bad.csv']], /:2: activation_ram_bytes must be a byte count, got 'lots'/],
      [['validate', '--memory', '--data', f['empty.csv']], /no rows/],
      [['validate', '--memory', '--data', 'nope.csv'], /not found/],
      [['simulate', '--device', 'stm32h7a3', '--model', 'mobilenet-v2', '--runtime', 'tvm'], /runtime/],
      [['simulate', '--device', 'stm32h7a3', '--model', 'mobilenet-v2', '--memory-order', 'best'], /memory-order/],
      [['simulate', '--device', 'stm32h7a3', '--model', 'mobilenet-v2', '--patch-stages', '-1'], /patch-stages must be a non-negative integer/],
      [['simulate', '--device', 'stm32h7a3', '--model', 'fc-autoencoder', '--precision', 'int8', '--patch-stages', '1'], /patch-stages needs an image input/],
    ] as const) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    }
  });

  it('simulate --runtime adds the memory keys to the JSON', async () => {
    const r = await runCli(['simulate', '--device', 'stm32h7a3', '--model', 'mobilenet-v1-025-vww', '--precision', 'int8', '--runtime', 'tflm', '--memory-order', 'min-peak', '--json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).memory;
    expect(m).toMatchObject({ runtime: 'tflm', memory_order: 'min-peak' });
    expect(m.arena_bytes).toBeGreaterThanOrEqual(m.peak_activation_bytes);
    expect(m.runtime_fits.sram.compared_bytes).toBe(m.runtime_ram_bytes);
  });
});
