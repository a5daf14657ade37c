/**
 * Malformed input across every command: each case must exit 2 (1 for an infeasible plan) with
 * exactly one line on stderr that names the file and the place (YAML line, layer or flag) and a
 * fix, and no stack trace unless --debug is given. The table is test/bad-input/cases.ts.
 */
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from '../helpers.ts';
import { BAD_CASES, writeBadFiles } from './cases.ts';

const files = writeBadFiles();
const dir = dirname(Object.values(files)[0]);
let outs = 0;
const expand = (args: readonly string[]) => args.map((a) => (a === '@out' ? join(dir, `out-${++outs}`) : a.startsWith('@') ? files[a.slice(1)] ?? a : a));

describe('bad input: one line, the place, a fix, the right exit code', () => {
  it('covers at least 30 cases and every command', async () => {
    expect(BAD_CASES.length).toBeGreaterThanOrEqual(30);
    const help = (await runCli(['--help'])).stdout;
    const commands = [...help.matchAll(/^ {2}edgeplan (\w+)/gm)].map((m) => m[1]).filter((c) => c !== 'models' && c !== 'devices');
    const covered = new Set(BAD_CASES.map((c) => c.args[0]));
    for (const c of commands) expect(covered, `no bad-input case for '${c}'`).toContain(c);
  });

  it.each(BAD_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await runCli(expand(c.args));
    const exit = c.exit ?? 2;
    expect(r.code).toBe(exit);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.endsWith('\n')).toBe(true);
    const lines = r.stderr.slice(0, -1).split('\n');
    expect(lines).toHaveLength(1);
    const line = lines[0];
    if (exit === 2) {
      expect(line).toMatch(/^error: /);
      expect(line).toContain('fix:');
      expect(line).not.toMatch(/internal error/);
    }
    for (const w of c.where) {
      if (typeof w === 'string') expect(line).toContain(w.startsWith('@') ? files[w.slice(1)] : w);
      else expect(line).toMatch(w);
    }
  });

  it('prints the stack only with --debug', async () => {
    const args = ['show', '--model', files['cycle.yaml']];
    expect((await runCli(args)).stderr).not.toMatch(/\n\s+at /);
    const d = await runCli([...args, '--debug']);
    expect(d.code).toBe(2);
    expect(d.stderr.split('\n')[0]).toMatch(/^error: .*cycle\.yaml:4:5: the graph has a cycle/);
    expect(d.stderr).toMatch(/\n\s+at /);
  });
});

describe('huge shapes: a fast answer or a clear error, never a hang', () => {
  const huge = tempFiles({ 'huge.yaml': 'name: huge\ninput: {shape: [1, 3, 100000, 100000]}\nlayers:\n  - {name: a, op: conv2d, out_channels: 64, kernel: 3}\n  - {name: p, op: global_pool}\n' });
  it.each([
    ['show at resolution 100000', ['show', '--model', 'mobilenet-v2', '--resolution', '100000', '--json']],
    ['simulate at resolution 100000', ['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--resolution', '100000', '--json']],
    ['a 100000 × 100000 YAML input on an MCU', ['simulate', '--device', 'stm32h7a3', '--model', huge['huge.yaml'], '--json']],
    ['plan at resolution 100000', ['plan', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--resolution', '100000', '--budget', '16ms', '--json']],
  ])('%s', async (_name, args) => {
    const t0 = performance.now();
    const r = await runCli(args);
    expect(performance.now() - t0).toBeLessThan(20_000);
    if (r.code === 0) {
      expect(r.stderr).toBe('');
      // Finite numbers only: no NaN or Infinity leaking into the JSON.
      expect(r.stdout).not.toMatch(/NaN|Infinity|null/);
    } else {
      expect(r.code === 1 || r.code === 2).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
