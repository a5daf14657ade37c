import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli, tempFiles } from '../helpers.ts';

/** Deep copy with every mapping's keys in reverse order. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).reverse().map(([k, x]) => [k, reverseKeys(x)]));
  return v;
}

describe('JSON output does not depend on key order in the inputs', () => {
  it('a YAML model and a hardware profile with every mapping reversed give byte-identical show/simulate/plan JSON', async () => {
    const model = readFileSync('examples/models/mobilenet-v2-blocks.yaml', 'utf8');
    const profile = readFileSync('hardware-profiles/stm32h7a3.yaml', 'utf8');
    const f = tempFiles({
      'a.yaml': model,
      'b.yaml': stringify(reverseKeys(parse(model))),
      'pa.yaml': profile,
      'pb.yaml': stringify(reverseKeys(parse(profile))),
    });
    const show = async (m: string) => (await runCli(['show', '--model', m, '--json'])).stdout;
    expect(await show(f['b.yaml'])).toBe(await show(f['a.yaml']));
    const sim = async (d: string) => (await runCli(['simulate', '--device', d, '--model', 'mobilenet-v1-025-vww', '--precision', 'int8', '--json'])).stdout;
    const simA = await sim(f['pa.yaml']);
    expect(JSON.parse(simA).latency_ms).toBeGreaterThan(0);
    expect(await sim(f['pb.yaml'])).toBe(simA);
    // A multi-unit profile (GPU, two DLAs, CPU) reversed too.
    const agx = readFileSync('hardware-profiles/jetson-agx-orin-64gb.yaml', 'utf8');
    const g = tempFiles({ 'agx-a.yaml': agx, 'agx-b.yaml': stringify(reverseKeys(parse(agx))) });
    for (const unit of ['gpu', 'dla0']) {
      const s = async (d: string) => (await runCli(['simulate', '--device', d, '--model', 'yolov8n', '--unit', unit, '--precision', 'int8', '--json'])).stdout;
      expect(await s(g['agx-b.yaml'])).toBe(await s(g['agx-a.yaml']));
    }
    const plan = async (d: string) => (await runCli(['plan', '--device', d, '--model', 'mobilenet-v1-025-vww', '--budget', '40ms', '--memory', '128KiB', '--json'])).stdout;
    expect(await plan(f['pb.yaml'])).toBe(await plan(f['pa.yaml']));
  });
});
