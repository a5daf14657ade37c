/**
 * Property tests of the cost model (fast-check): random valid chain and residual graphs on every
 * shipped profile never crash simulate and give finite, non-negative, self-consistent results;
 * latency is monotone in MACs (compute-bound layer) and in bandwidth and peak ops; the result's
 * JSON is byte-identical across runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/cost/index.ts';
import { GraphBuilder } from '../../src/graph/index.ts';
import type { Graph } from '../../src/graph/types.ts';
import { parseProfile, type HardwareProfile, type Precision } from '../../src/hardware/index.ts';

const profiles: HardwareProfile[] = readdirSync('hardware-profiles').filter((f) => f.endsWith('.yaml')).sort()
  .map((f) => parseProfile(readFileSync(`hardware-profiles/${f}`, 'utf8'), `hardware-profiles/${f}`));

/** One block of a random network: a conv, a depthwise conv, a residual pair, a pool or an activation. */
type Block =
  | { kind: 'conv'; out: number; kernel: 1 | 3; stride: 1 | 2 }
  | { kind: 'dw'; stride: 1 | 2 }
  | { kind: 'residual' }
  | { kind: 'pool' }
  | { kind: 'act' };

const blockArb: fc.Arbitrary<Block> = fc.oneof(
  fc.record({ kind: fc.constant('conv' as const), out: fc.integer({ min: 1, max: 96 }), kernel: fc.constantFrom(1 as const, 3 as const), stride: fc.constantFrom(1 as const, 2 as const) }),
  fc.record({ kind: fc.constant('dw' as const), stride: fc.constantFrom(1 as const, 2 as const) }),
  fc.constant({ kind: 'residual' as const }),
  fc.constant({ kind: 'pool' as const }),
  fc.constant({ kind: 'act' as const }),
);

interface Net { readonly channels: number; readonly size: number; readonly blocks: readonly Block[]; readonly head: boolean }

const netArb: fc.Arbitrary<Net> = fc.record({
  channels: fc.integer({ min: 1, max: 32 }),
  size: fc.integer({ min: 8, max: 64 }),
  blocks: fc.array(blockArb, { minLength: 1, maxLength: 12 }),
  head: fc.boolean(),
});

/** Builds a valid graph: spatial size never drops below 1, residuals add same-shaped tensors. */
function buildNet(n: Net): Graph {
  const b = new GraphBuilder({ name: 'prop', task: 'classification', inputs: [{ name: 'input', shape: [1, n.channels, n.size, n.size], dtype: 'fp32' }], source: 'test' });
  let x = b.input, c = n.channels, hw = n.size;
  const stride = (s: 1 | 2) => (hw >= 4 ? s : 1);
  n.blocks.forEach((blk, i) => {
    if (blk.kind === 'conv') {
      const s = stride(blk.stride);
      x = b.add(`conv${i}`, 'conv2d', x, { outChannels: blk.out, kernel: blk.kernel, stride: s, padding: 'same', bias: true, activation: 'relu' });
      c = blk.out; hw = Math.ceil(hw / s);
    } else if (blk.kind === 'dw') {
      const s = stride(blk.stride);
      x = b.add(`dw${i}`, 'depthwise_conv2d', x, { kernel: 3, stride: s, padding: 'same', bias: true });
      hw = Math.ceil(hw / s);
    } else if (blk.kind === 'residual') {
      const y = b.add(`res${i}.conv`, 'conv2d', x, { outChannels: c, kernel: 3, padding: 'same', bias: true, activation: 'relu' });
      x = b.add(`res${i}.add`, 'add', [x, y]);
    } else if (blk.kind === 'pool') {
      if (hw >= 2) { x = b.add(`pool${i}`, 'max_pool', x, { kernel: 2, stride: 2 }); hw = Math.floor(hw / 2); }
    } else {
      x = b.add(`act${i}`, 'relu', x);
    }
  });
  if (n.head) {
    x = b.add('gap', 'global_pool', x);
    x = b.add('flatten', 'flatten', x);
    x = b.add('fc', 'linear', x, { outFeatures: 10 });
  }
  return b.build();
}

const precisionsOf = (p: HardwareProfile): Precision[] => p.units[p.default_unit].precisions.filter((q) => p.units[p.default_unit].peak_ops_per_s[q]);

describe('simulate properties (fast-check)', () => {
  it('random chain/residual graphs on every profile never crash and give consistent, finite results', () => {
    fc.assert(fc.property(netArb, fc.integer({ min: 0, max: profiles.length - 1 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (net, pi, batch, k) => {
      const g = buildNet(net);
      const p = profiles[pi];
      const precs = precisionsOf(p);
      const r = simulate(g, p, { precision: precs[k % precs.length], batch });
      expect(Number.isFinite(r.latencyMs) && r.latencyMs >= 0).toBe(true);
      expect(Number.isFinite(r.energyMj) && r.energyMj >= 0).toBe(true);
      expect(r.throughputFps).toBeGreaterThan(0);
      expect(r.layers).toHaveLength(g.layers.length);
      for (const l of r.layers) expect(Number.isFinite(l.latencyMs) && l.latencyMs >= 0, l.name).toBe(true);
      const sum = r.layers.reduce((s, l) => s + l.latencyMs, 0) + r.extras.reduce((s, e) => s + e.latencyMs, 0);
      expect(Math.abs(sum - r.latencyMs)).toBeLessThanOrEqual(1e-9 * Math.max(1, r.latencyMs));
    }), { numRuns: 150, seed: 4 });
  });

  it('a compute-bound layer never gets faster when its MACs grow', () => {
    // One wide 3x3 conv on a small map: compute-bound on every unit that runs it.
    const conv = (cout: number) => {
      const b = new GraphBuilder({ name: 'c', task: 'x', inputs: [{ name: 'input', shape: [1, 128, 16, 16], dtype: 'fp32' }], source: 'test' });
      b.add('conv', 'conv2d', b.input, { outChannels: cout, kernel: 3, padding: 'same' });
      return b.build();
    };
    fc.assert(fc.property(fc.integer({ min: 0, max: profiles.length - 1 }), fc.integer({ min: 64, max: 512 }), fc.integer({ min: 1, max: 256 }), (pi, c, extra) => {
      const p = profiles[pi];
      const prec = precisionsOf(p)[0];
      const a = simulate(conv(c), p, { precision: prec, batch: 1 });
      if (a.layers[0].bound !== 'compute') return; // the property is about compute-bound layers
      const b = simulate(conv(c + extra), p, { precision: prec, batch: 1 });
      expect(b.layers[0].latencyMs).toBeGreaterThanOrEqual(a.layers[0].latencyMs);
      expect(b.latencyMs).toBeGreaterThanOrEqual(a.latencyMs * (1 - 1e-12));
    }), { numRuns: 120, seed: 7 });
  });

  it('latency never rises when every bandwidth (memory levels, links) or every peak grows', () => {
    const scaleBw = (p: HardwareProfile, f: number): HardwareProfile => ({
      ...p,
      memory: Object.fromEntries(Object.entries(p.memory).map(([id, m]) => [id, { ...m, bandwidth_bytes_per_s: { ...m.bandwidth_bytes_per_s, value: m.bandwidth_bytes_per_s.value * f } }])),
      ...(p.links ? { links: Object.fromEntries(Object.entries(p.links).map(([id, l]) => [id, { ...l, bandwidth_bytes_per_s: { ...l.bandwidth_bytes_per_s, value: l.bandwidth_bytes_per_s.value * f } }])) } : {}),
    });
    const scalePeak = (p: HardwareProfile, f: number): HardwareProfile => ({
      ...p,
      units: Object.fromEntries(Object.entries(p.units).map(([id, u]) => [id, { ...u, peak_ops_per_s: Object.fromEntries(Object.entries(u.peak_ops_per_s).map(([q, n]) => [q, { ...n, value: n.value * f }])) }])),
    });
    fc.assert(fc.property(netArb, fc.integer({ min: 0, max: profiles.length - 1 }), fc.double({ min: 1, max: 8, noNaN: true }), (net, pi, f) => {
      const g = buildNet(net);
      const p = profiles[pi];
      const opts = { precision: precisionsOf(p)[0], batch: 1 };
      const base = simulate(g, p, opts).latencyMs;
      const tol = 1e-9 * Math.max(1, base);
      expect(simulate(g, scaleBw(p, f), opts).latencyMs).toBeLessThanOrEqual(base + tol);
      expect(simulate(g, scalePeak(p, f), opts).latencyMs).toBeLessThanOrEqual(base + tol);
    }), { numRuns: 120, seed: 11 });
  });

  it('the JSON of a SimResult is byte-identical across runs', () => {
    fc.assert(fc.property(netArb, fc.integer({ min: 0, max: profiles.length - 1 }), (net, pi) => {
      const p = profiles[pi];
      const opts = { precision: precisionsOf(p)[0], batch: 1 };
      const a = JSON.stringify(simulate(buildNet(net), p, opts));
      const b = JSON.stringify(simulate(buildNet(net), p, opts));
      expect(a).toBe(b);
    }), { numRuns: 60, seed: 13 });
  });
});
