import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { readChecked, type Io } from '../../src/cli/io.ts';
import { canonicalGrid, expandGrid, formatNumber, gridSize, mergeSweepCsvs, parseShard, parseSweepCsv, shardSize, SWEEP_COLUMNS, type SweepGrid } from '../../src/sweep/index.ts';
import { runCli } from '../helpers.ts';

/** Runs the CLI with stderr on a (pretend) terminal and a clock that advances 1 s per read. */
async function runOnTty(args: string[], ci: string | undefined) {
  let stdout = '', stderr = '', t = 0;
  const io: Io = {
    out: (x) => { stdout += x; }, err: (x) => { stderr += x; },
    readText: (p) => readChecked(p, 'input'), readBytes: (p) => new Uint8Array(readFileSync(p)), writeText: (p, x) => writeFileSync(p, x),
    isTty: true, now: () => (t += 1000),
  };
  const saved = process.env.CI;
  if (ci === undefined) delete process.env.CI; else process.env.CI = ci;
  try {
    return { code: await main(args, io), stdout, stderr };
  } finally {
    if (saved === undefined) delete process.env.CI; else process.env.CI = saved;
  }
}

const BIN = fileURLToPath(new URL('../../bin/edgeplan.js', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'edgeplan-sweep-'));

const SMALL = ['--devices', 'jetson-orin-nano,coral-usb,stm32h7a3', '--models', 'mobilenet-v2,resnet-18,ds-cnn', '--precisions', 'fp32,int8', '--resolutions', '160,224'];

function grid(devices: number, models: number, res: number[], precisions: SweepGrid['precisions'], batches: number[]): SweepGrid {
  return canonicalGrid({
    devices: Array.from({ length: devices }, (_, i) => ({ key: `d${i}`, unit: 'u' })),
    models: Array.from({ length: models }, (_, i) => ({ name: `m${i}`, source: { kind: 'zoo', id: `m${i}` } as const, nativeResolution: 100 + i })),
    precisions, resolutions: res, batches,
  });
}

describe('grid and shards', () => {
  it('sorts and de-duplicates every axis, so flag order does not change the grid', () => {
    const a = canonicalGrid({ devices: [{ key: 'b', unit: 'x' }, { key: 'a', unit: 'y' }, { key: 'b', unit: 'x' }], models: [], precisions: ['int8', 'fp32', 'int8'], resolutions: [224, 160, 224], batches: [4, 1] });
    expect(a.devices).toEqual([{ key: 'a', unit: 'y' }, { key: 'b', unit: 'x' }]);
    expect(a.precisions).toEqual(['fp32', 'int8']);
    expect(a.resolutions).toEqual([160, 224]);
    expect(a.batches).toEqual([1, 4]);
  });

  it('uses each model\'s native resolution when no resolutions are given', () => {
    const g = grid(1, 2, [], ['fp32'], [1]);
    expect(expandGrid(g).map((p) => p.resolution)).toEqual([100, 101]);
  });

  it('shards partition the grid: every index exactly once, index % n == k - 1', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 12 }),
      (d, m, r, b, n) => {
        const g = grid(d, m, [160, 192, 224].slice(0, r), ['fp32', 'int8'], [1, 4].slice(0, b));
        const all = expandGrid(g);
        expect(all.length).toBe(gridSize(g));
        expect(all.map((p) => p.index)).toEqual(all.map((_, i) => i));
        const seen: number[] = [];
        for (let k = 1; k <= n; k++) {
          const part = expandGrid(g, { k, n });
          expect(part.length).toBe(shardSize(all.length, k, n));
          for (const p of part) expect(p.index % n).toBe(k - 1);
          seen.push(...part.map((p) => p.index));
          expect(part).toEqual(all.filter((p) => p.index % n === k - 1));
        }
        expect(seen.sort((x, y) => x - y)).toEqual(all.map((p) => p.index));
      },
    ), { numRuns: 60 });
  });

  it('parses k/n and rejects the rest', () => {
    expect(parseShard('3/8')).toEqual({ k: 3, n: 8 });
    for (const bad of ['0/8', '9/8', '1/0', 'a/b', '3', '-1/2', '1.5/2']) expect(() => parseShard(bad)).toThrow(/--shard must be k\/n/);
  });
});

describe('edgeplan sweep', () => {
  it('writes one row per configuration with the documented columns; what a device cannot run is an error row', async () => {
    const out = join(tmp(), 'r.csv');
    const r = await runCli(['sweep', ...SMALL, '--out', out, '--jobs', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote 36 rows \(\d+ with an error\) of grid [0-9a-f]{16} to /);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^# edgeplan sweep v1; grid=[0-9a-f]{16}; configs=36; shard=1\/1; devices=coral-usb:tpu,jetson-orin-nano-8gb:gpu,stm32h7a3:mcu; models=ds-cnn,mobilenet-v2,resnet-18; resolutions=160,224; precisions=fp32,int8; batch=1$/);
    const header = lines[1].split(',');
    for (const c of ['device', 'unit', 'model', 'resolution', 'precision', 'batch', 'latency_ms', 'throughput_fps', 'energy_mj', 'power_w', 'weights_bytes', 'peak_activation_bytes', 'fits_all', 'error']) expect(header).toContain(c);
    expect(lines.length).toBe(2 + 36);
    const rows = lines.slice(2).map((l) => Object.fromEntries(l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((v, i) => [SWEEP_COLUMNS[i], v])));
    const tpuFp32 = rows.find((x) => x.device === 'coral-usb' && x.model === 'mobilenet-v2' && x.precision === 'fp32')!;
    expect(tpuFp32.latency_ms).toBe('');
    expect(tpuFp32.error).toMatch(/cannot run fp32.*fix:/);
    const orin = rows.find((x) => x.device === 'jetson-orin-nano-8gb' && x.model === 'resnet-18' && x.resolution === '224' && x.precision === 'int8')!;
    expect(Number(orin.latency_ms)).toBeGreaterThan(0);
    expect(orin.error).toBe('');
    expect(orin.fits_all).toMatch(/^(true|false)$/);
    // A fixed-size model at another resolution is an error row too, not a failed sweep.
    expect(rows.find((x) => x.model === 'ds-cnn')!.error).toMatch(/fixed input size/);
  });

  it('gives byte-identical CSV for 1 and 2 worker threads and any flag order', async () => {
    const dir = tmp();
    // ≥ 2 (model, resolution) batches so --jobs 2 starts a worker thread.
    expect((await runCli(['sweep', ...SMALL, '--batch', '1,4', '--out', join(dir, 'a.csv'), '--jobs', '1'])).code).toBe(0);
    expect((await runCli(['sweep', ...SMALL, '--batch', '4,1', '--out', join(dir, 'b.csv'), '--jobs', '2'])).code).toBe(0);
    const reordered = ['--devices', 'stm32h7a3,coral-usb,jetson-orin-nano-8gb', '--models', 'ds-cnn,resnet-18,mobilenet-v2', '--precisions', 'int8,fp32', '--resolutions', '224,160', '--batch', '4,1'];
    expect((await runCli(['sweep', ...reordered, '--out', join(dir, 'c.csv'), '--jobs', '3'])).code).toBe(0);
    const a = readFileSync(join(dir, 'a.csv'), 'utf8');
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe(a);
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toBe(a);
  });

  it('shards merge back into exactly the unsharded file', async () => {
    const dir = tmp();
    const parts: string[] = [];
    for (let k = 1; k <= 4; k++) {
      parts.push(join(dir, `part-${k}.csv`));
      const r = await runCli(['sweep', ...SMALL, '--shard', `${k}/4`, '--out', parts[k - 1], '--jobs', '1']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`shard ${k}/4`);
    }
    await runCli(['sweep', ...SMALL, '--out', join(dir, 'full.csv'), '--jobs', '1']);
    const m = await runCli(['merge', ...[...parts].reverse(), '--out', join(dir, 'all.csv')]);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    expect(readFileSync(join(dir, 'all.csv'), 'utf8')).toBe(readFileSync(join(dir, 'full.csv'), 'utf8'));
  });

  it('prints a JSON summary with --json, and the CSV on stdout without --out', async () => {
    const j = await runCli(['sweep', '--devices', 'coral-usb', '--models', 'mobilenet-v2', '--precisions', 'fp32,int8', '--json']);
    expect(j.code).toBe(0);
    const s = JSON.parse(j.stdout);
    expect(s).toMatchObject({ configs: 2, rows: 2, error_rows: 1, shard: '1/1', out: null });
    expect(s.csv.split('\n')[1]).toBe(SWEEP_COLUMNS.join(','));
    const t = await runCli(['sweep', '--devices', 'coral-usb', '--models', 'mobilenet-v2', '--precisions', 'int8']);
    const lines = t.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^# edgeplan sweep v1; .*precisions=int8; batch=1$/);
    expect(lines[2]).toMatch(/^0,coral-usb,tpu,mobilenet-v2,224,int8,1,[0-9.]+,/);
  });

  it('draws a progress bar on a terminal, and none with --json or under CI', async () => {
    const args = ['sweep', ...SMALL, '--out', join(tmp(), 'r.csv'), '--jobs', '1'];
    const tty = await runOnTty(args, undefined);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/^\rsweep \[#*\.*\] \d+\/36 configurations, [\d.]+ s/);
    expect(tty.stderr).toContain('] 36/36 configurations');
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect((await runOnTty([...args, '--json'], undefined)).stderr).toBe('');
    expect((await runOnTty(args, 'true')).stderr).toBe('');
  });

  it('formats numbers with 6 significant digits and no float noise', () => {
    expect(formatNumber(1.23456789)).toBe('1.23457');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(123456789)).toBe('123457000');
    expect(formatNumber(Number.NaN)).toBe('');
    expect(formatNumber(undefined)).toBe('');
  });

  it('rejects bad axes before doing any work, with exit 2 and one line', async () => {
    const cases: [string[], RegExp][] = [
      [['--devices', 'jetson-orn', '--models', 'mobilenet-v2'], /unknown device 'jetson-orn' \(at --devices\).*did you mean/],
      [['--devices', 'coral-usb:gpu', '--models', 'mobilenet-v2'], /no unit 'gpu' \(at --devices\) — fix: write coral-usb:tpu/],
      [['--devices', 'coral-usb', '--models', 'mobilenetv2'], /unknown model 'mobilenetv2' \(at --models\).*did you mean 'mobilenet-v2'/],
      [['--devices', 'coral-usb', '--models', 'mobilenet-v2', '--precisions', 'fp8'], /unknown precision 'fp8'/],
      [['--devices', 'coral-usb', '--models', 'mobilenet-v2', '--resolutions', '224,0'], /--resolutions takes positive integers/],
      [['--devices', 'coral-usb', '--models', 'mobilenet-v2', '--batch', '1,,4'], /--batch has an empty item/],
      [['--devices', 'coral-usb', '--models', 'mobilenet-v2', '--shard', '9/8'], /--shard must be k\/n/],
      [['--devices', 'coral-usb', '--models', 'mobilenet-v2', '--jobs', '0'], /--jobs must be an integer/],
      [['--devices', 'coral-usb', '--models', 'model.onnx'], /sweep takes zoo ids and \.yaml models/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(['sweep', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr).toMatch(/fix:/);
    }
  });
});

describe('edgeplan merge', () => {
  async function shards(n: number, args = SMALL) {
    const dir = tmp();
    const files: string[] = [];
    for (let k = 1; k <= n; k++) {
      files.push(join(dir, `part-${k}.csv`));
      await runCli(['sweep', ...args, '--shard', `${k}/${n}`, '--out', files[k - 1], '--jobs', '1']);
    }
    return { dir, files };
  }

  it('refuses a missing shard, naming the shard and the files given', async () => {
    const { files } = await shards(3);
    const r = await runCli(['merge', files[0], files[2]]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: 12 of 36 rows are missing \(first: row 1\); no file holds shard 2\/3 \(given: .*part-1\.csv = 1\/3, .*part-3\.csv = 3\/3\) — fix: run the missing shard/);
  });

  it('refuses a shard cut short, a duplicated row, a file given twice and a different grid, naming the file', async () => {
    const { dir, files } = await shards(2);
    const text = readFileSync(files[1], 'utf8');
    const cut = join(dir, 'cut.csv');
    writeFileSync(cut, text.slice(0, text.length - 40));
    let r = await runCli(['merge', files[0], cut]);
    expect(r.stderr).toMatch(/^error: .*cut\.csv:\d+: (the last line is cut short|row has \d+ fields)/);
    expect(r.code).toBe(2);
    const short = join(dir, 'short.csv');
    writeFileSync(short, text.split('\n').slice(0, 10).join('\n') + '\n');
    r = await runCli(['merge', files[0], short]);
    expect(r.stderr).toMatch(/short\.csv: 10 of 36 rows are missing .*short\.csv is cut short \(8 of 18 rows\) — fix: rerun its shard \(--shard 2\/2\)/);
    r = await runCli(['merge', files[0], files[1], files[0]]);
    expect(r.stderr).toMatch(/part-1\.csv: the file is given twice/);
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, readFileSync(files[0], 'utf8'));
    r = await runCli(['merge', files[0], files[1], dup]);
    expect(r.stderr).toMatch(/dup\.csv:3: row 0 is duplicated \(also in .*part-1\.csv:3\)/);
    const other = await shards(2, ['--devices', 'coral-usb', '--models', 'mobilenet-v2']);
    r = await runCli(['merge', files[0], other.files[1]]);
    expect(r.stderr).toMatch(/part-2\.csv:1: comes from a different grid than .*part-1\.csv \(devices=coral-usb:tpu vs coral-usb:tpu,jetson-orin-nano-8gb:gpu,stm32h7a3:mcu\)/);
    for (const x of [r]) expect(x.code).toBe(2);
  });

  it('parses its own output and rejects foreign CSVs', () => {
    expect(() => parseSweepCsv('a,b\n1,2\n', 'x.csv')).toThrow(/not a sweep CSV/);
    expect(() => mergeSweepCsvs([])).toThrow(/at least one/);
  });
});

describe('from a fresh shell (bin/edgeplan.js, worker threads load TypeScript through tsx)', () => {
  it('runs a sweep on 2 worker threads and merges', () => {
    const dir = tmp();
    const args = ['sweep', '--devices', 'jetson-orin-nano,coral-usb,raspberry-pi-5', '--models', 'mobilenet-v2,resnet-18,squeezenet-1.1,efficientnet-b0', '--precisions', 'fp32,fp16,int8', '--jobs', '2'];
    const env = { ...process.env, CI: '1' };
    const r1 = spawnSync(process.execPath, [BIN, ...args, '--shard', '1/2', '--out', 'p1.csv'], { cwd: dir, env, encoding: 'utf8' });
    expect(r1.stderr).toBe('');
    expect(r1.status).toBe(0);
    execFileSync(process.execPath, [BIN, ...args, '--shard', '2/2', '--out', 'p2.csv'], { cwd: dir, env });
    execFileSync(process.execPath, [BIN, ...args, '--jobs', '1', '--out', 'full.csv'], { cwd: dir, env });
    execFileSync(process.execPath, [BIN, 'merge', 'p2.csv', 'p1.csv', '--out', 'all.csv'], { cwd: dir, env });
    expect(readFileSync(join(dir, 'all.csv'), 'utf8')).toBe(readFileSync(join(dir, 'full.csv'), 'utf8'));
  });
});
