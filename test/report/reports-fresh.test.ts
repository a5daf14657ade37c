/**
 * reports/ holds the generated reports of every scenario in scenarios/. Each is rebuilt in memory
 * and compared byte for byte, so a change to the cost model, a profile or the renderers that moves
 * a number fails here until `npm run reports` is rerun (and the diff reviewed).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildScenarioReport } from '../../src/cli/commands/run.ts';
import { readChecked, type Io } from '../../src/cli/io.ts';

const scenarios = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).sort();

const io: Io = {
  out: () => {}, err: () => {}, readText: (p) => readChecked(p, 'input'), readBytes: (p) => new Uint8Array(readFileSync(p)),
  writeText: () => { throw new Error('the staleness check writes nothing'); }, isTty: false, now: () => 0,
};

function firstDifference(a: string, b: string): string {
  const la = a.split('\n'), lb = b.split('\n');
  const i = la.findIndex((l, k) => l !== lb[k]);
  const at = i < 0 ? Math.min(la.length, lb.length) : i;
  return `line ${at + 1}:\n  committed: ${(la[at] ?? '<end>').slice(0, 160)}\n  fresh:     ${(lb[at] ?? '<end>').slice(0, 160)}`;
}

describe('reports/ is up to date with scenarios/ (rerun `npm run reports` when this fails)', () => {
  it('there are at least four worked scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(4);
  });

  it.each(scenarios)('%s', async (file) => {
    const name = file.replace(/\.yaml$/, '');
    const built = await buildScenarioReport(io, join('scenarios', file));
    expect(built.scenario.name, 'the scenario name is its file name').toBe(name);
    expect([...built.files.keys()]).toEqual(['report.md', 'report.html', 'report.json', 'sweep.csv']);
    for (const [f, fresh] of built.files) {
      const path = join('reports', name, f);
      expect(existsSync(path), `${path} is missing: run npm run reports`).toBe(true);
      const committed = readFileSync(path, 'utf8');
      if (committed !== fresh) expect.fail(`${path} is stale (run npm run reports), first difference at ${firstDifference(committed, fresh)}`);
    }
  }, 300_000);
});
