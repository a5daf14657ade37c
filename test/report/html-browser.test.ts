/**
 * The HTML reports in a real browser (Debian chromium through puppeteer-core): no console errors,
 * no network requests, a screenshot, and every chart drew its marks. reports-fresh.test.ts proves
 * these files are what `edgeplan run` writes today.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, inspectReport } from './browser.ts';

const scenarios = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).sort().map((f) => f.replace(/\.yaml$/, ''));

describe('edgeplan run end to end', () => {
  it('the real binary writes every file and exits 0', () => {
    const out = mkdtempSync(join(tmpdir(), 'edgeplan-run-'));
    const r = spawnSync(process.execPath, ['bin/edgeplan.js', 'run', 'scenarios/camera-trap-edgetpu.yaml', '--out', out], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
    expect(r.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(r.status).toBe(0);
    for (const f of ['report.md', 'report.html', 'report.json', 'sweep.csv']) expect(statSync(join(out, f)).size).toBeGreaterThan(100);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe(readFileSync('reports/camera-trap-edgetpu/report.md', 'utf8'));
    expect(r.stdout).toMatch(/device × model combinations meet the budgets/);
  }, 300_000);
});

describe.skipIf(!hasChromium)('report.html in headless Chromium', () => {
  it.each(scenarios)('%s', async (name) => {
    const html = resolve('reports', name, 'report.html');
    const report = JSON.parse(readFileSync(resolve('reports', name, 'report.json'), 'utf8')) as { devices: unknown[]; models: unknown[]; cells: { plan?: { pareto: unknown[] } }[] };
    const shot = join(mkdtempSync(join(tmpdir(), 'edgeplan-shot-')), `${name}.png`);
    const page = await inspectReport(html, shot);
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    const count = (kind: string) => page.charts.filter((c) => c.kind === kind).length;
    expect(count('matrix')).toBe(1);
    expect(count('roofline')).toBe(report.devices.length);
    expect(count('latency')).toBe(report.models.length);
    expect(count('memory')).toBe(report.models.length);
    if (report.cells.some((c) => c.plan?.pareto.length)) expect(count('pareto')).toBeGreaterThan(0);
    for (const c of page.charts) {
      expect(c.marks, `${c.id} drew no marks`).toBeGreaterThan(0);
      expect(c.width, `${c.id} is readable at a 1000 px viewport`).toBeGreaterThan(900);
    }
    expect(page.charts.find((c) => c.kind === 'matrix')!.marks).toBe(report.cells.length);
  }, 120_000);
});

if (!hasChromium) {
  describe('report.html in headless Chromium', () => {
    it.skip(`skipped: ${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does this)`, () => {});
  });
}
