/**
 * The README's planner examples: budgets users face (16 ms = 60 fps AR, 33 ms = 30 fps video,
 * 50 ms, 100 ms) on four devices. Usage: npx tsx scripts/worked-examples.ts
 */
import { readFileSync } from 'node:fs';
import { parseProfile } from '../src/hardware/index.ts';
import { planModel, type Budgets } from '../src/plan/index.ts';
import { buildZooModel } from '../src/zoo/index.ts';

const CASES: { device: string; model: string; extra?: Budgets; note?: string }[] = [
  { device: 'jetson-orin-nano-8gb', model: 'yolov8s' },
  { device: 'pixel-4', model: 'yolov8n' },
  { device: 'coral-usb', model: 'efficientnet-lite4' },
  { device: 'stm32h7a3', model: 'mobilenet-v1-025-vww', extra: { peakActivationBytes: 128 * 1024, weightsBytes: 256 * 1024 }, note: 'SRAM 128 KiB, flash 256 KiB' },
];
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

console.log('| device | model | budget | verdict | predicted (baseline) | what changes | est. accuracy drop | binding |');
console.log('|---|---|---|---|---|---|---:|---|');
for (const c of CASES) {
  const profile = parseProfile(readFileSync(`hardware-profiles/${c.device}.yaml`, 'utf8'), c.device);
  const g = buildZooModel(c.model);
  for (const budget of [16, 33, 50, 100]) {
    const r = await planModel(g, profile, { latencyMs: budget, ...c.extra });
    const base = r.baselinePrecision;
    const prec = new Map<string, number>();
    for (const l of r.plan.layers) if (l.precision !== base && g.layers.find((x) => x.name === l.name)!.weightElements > 0) prec.set(l.precision, (prec.get(l.precision) ?? 0) + 1);
    const pruned = r.plan.layers.filter((l) => l.prune > 0 && g.layers.find((x) => x.name === l.name)!.weightElements > 0);
    const what = r.feasible
      ? [...[...prec].map(([p, n]) => `${n} layers → ${p}`), pruned.length ? `${pruned.length} layers pruned (${[...new Set(pruned.map((l) => l.prune * 100))].join('/')} %)` : ''].filter(Boolean).join(', ') || 'nothing'
      : `fastest plan ${fmt(r.predicted.latencyMs)} ms`;
    const budgetText = `${budget} ms${c.note ? `, ${c.note}` : ''}`;
    console.log(`| ${c.device} | ${c.model} | ${budgetText} | ${r.feasible ? 'meets' : `misses by ${fmt(r.predicted.latencyMs - budget)} ms`} | ${fmt(r.predicted.latencyMs)} ms (${fmt(r.baseline.latencyMs)} ms ${base}) | ${what} | ${r.feasible ? r.accuracyDropPct.toFixed(2) : '–'} | ${r.binding.join(', ') || '–'} |`);
  }
}
