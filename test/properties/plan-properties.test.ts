import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/cost/index.ts';
import { GraphBuilder, type Graph } from '../../src/graph/index.ts';
import { parseProfile } from '../../src/hardware/index.ts';
import { applyPlan, findPruneGroups, planModel, violations } from '../../src/plan/index.ts';

const profiles = ['jetson-orin-nano-8gb', 'stm32h7a3', 'coral-usb', 'pixel-4'].map((id) => parseProfile(readFileSync(`hardware-profiles/${id}.yaml`, 'utf8'), id));

/** A random small CNN: conv stem, then blocks of (conv | depthwise+pointwise | residual), a pool and a classifier. */
const arbGraph = fc.record({
  res: fc.constantFrom(32, 48, 64),
  stem: fc.integer({ min: 4, max: 32 }),
  blocks: fc.array(fc.record({ kind: fc.constantFrom('conv', 'dwsep', 'residual'), ch: fc.integer({ min: 4, max: 48 }), stride: fc.constantFrom(1, 2) }), { minLength: 1, maxLength: 5 }),
  classes: fc.integer({ min: 2, max: 20 }),
}).map(({ res, stem, blocks, classes }): Graph => {
  const b = new GraphBuilder({ name: 'random', task: 'classification', inputs: [{ name: 'input', shape: [1, 3, res, res], dtype: 'fp32' }], source: 'property' });
  let x = b.add('stem', 'conv2d', b.input, { outChannels: stem, kernel: 3, stride: 2, batchnorm: true, activation: 'relu' });
  blocks.forEach((blk, i) => {
    if (blk.kind === 'conv') x = b.add(`b${i}.conv`, 'conv2d', x, { outChannels: blk.ch, kernel: 3, stride: blk.stride, batchnorm: true, activation: 'relu6' });
    else if (blk.kind === 'dwsep') {
      x = b.add(`b${i}.dw`, 'depthwise_conv2d', x, { kernel: 3, stride: blk.stride, batchnorm: true, activation: 'relu6' });
      x = b.add(`b${i}.pw`, 'conv2d', x, { outChannels: blk.ch, kernel: 1, batchnorm: true, activation: 'relu6' });
    } else {
      const h = b.add(`b${i}.conv`, 'conv2d', x, { outChannels: b.channels(x), kernel: 3, batchnorm: true });
      x = b.add(`b${i}.add`, 'add', [x, h], { activation: 'relu' });
    }
  });
  const p = b.add('pool', 'global_pool', x, { mode: 'avg' });
  const f = b.add('flatten', 'flatten', p);
  b.add('fc', 'linear', f, { outFeatures: classes });
  return b.build();
});

describe('planner properties (fast-check, fixed seed)', () => {
  it('random graphs never crash plan, and every feasible plan re-simulates within its budgets', async () => {
    await fc.assert(
      fc.asyncProperty(arbGraph, fc.integer({ min: 0, max: profiles.length - 1 }), fc.double({ min: 0.3, max: 1.1, noNaN: true }), fc.boolean(), async (g, pi, frac, withMemory) => {
        const profile = profiles[pi];
        const unit = profile.units[profile.default_unit];
        const base = simulate(g, profile, { precision: unit.precisions.includes('fp32') ? 'fp32' : 'int8', batch: 1 });
        const budgets = { latencyMs: base.latencyMs * frac, ...(withMemory ? { peakActivationBytes: base.memory.peakActivationBytes * 0.8 } : {}) };
        const r = await planModel(g, profile, budgets);
        if (!r.feasible) {
          expect(r.closest).toBeDefined();
          return;
        }
        const { graph, layerPrecision, layerSparse24 } = applyPlan(g, findPruneGroups(g), r.plan.layers);
        const sim = simulate(graph, profile, { precision: r.baselinePrecision, batch: 1, layerPrecision, layerSparse24, sparse24CompressedStorage: true });
        expect(violations(budgets, sim, r.accuracyDropPct, 1)).toEqual([]);
      }),
      { seed: 20261125, numRuns: 25 },
    );
  });
});
