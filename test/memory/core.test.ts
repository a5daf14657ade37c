import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/index.ts';
import { buildMemGraph, corePeak, findOverlap, livenessOf, memoryReport, planGreedyArena, searchMinPeakOrder } from '../../src/memory/index.ts';

// int8 everywhere: one byte per element, so sizes are element counts.
const img = (c: number, hw: number) => [{ name: 'input', shape: [1, c, hw, hw], dtype: 'fp32' as const }];

/** input 1×4×8×8 (256 B) → conv 8ch (512) → conv 16ch (1024) → conv 4ch (256) → flatten → linear 10. */
function chain() {
  const b = new GraphBuilder({ name: 'chain', task: 'classification', inputs: img(4, 8), source: 'test' });
  let x = b.add('c1', 'conv2d', b.input, { outChannels: 8, kernel: 3, padding: 'same', bias: true, activation: 'relu' });
  x = b.add('c2', 'conv2d', x, { outChannels: 16, kernel: 1, bias: true });
  x = b.add('c3', 'conv2d', x, { outChannels: 4, kernel: 1, bias: true });
  x = b.add('flat', 'flatten', x);
  b.add('fc', 'linear', x, { outFeatures: 10 });
  return b.build();
}

/** Residual block: x (8×8×8 = 512) → a (512) → b (512) → add(x, b) (512). */
function residual() {
  const b = new GraphBuilder({ name: 'res', task: 'classification', inputs: img(8, 8), source: 'test' });
  const x = b.add('stem', 'conv2d', b.input, { outChannels: 8, kernel: 1, bias: true });
  const a = b.add('a', 'conv2d', x, { outChannels: 8, kernel: 3, bias: true, activation: 'relu' });
  const c = b.add('b', 'conv2d', a, { outChannels: 8, kernel: 3, bias: true });
  b.add('add', 'add', [x, c], { activation: 'relu' });
  return b.build();
}

/**
 * Inception-style concat on a 4×4 map: branch 1 is a single 1×1 conv to 64 ch (1024 B);
 * branch 2 is a 1×1 conv to 4 ch (64 B) then a 3×3 conv to 64 ch (1024 B). Written branch by
 * branch, the big branch-1 output waits while branch 2 runs.
 */
function inception() {
  const b = new GraphBuilder({ name: 'incep', task: 'classification', inputs: img(16, 4), source: 'test' });
  const x = b.add('stem', 'conv2d', b.input, { outChannels: 16, kernel: 1, bias: true });      // 256
  const b1 = b.add('b1', 'conv2d', x, { outChannels: 64, kernel: 1, bias: true });             // 1024
  const b2a = b.add('b2a', 'conv2d', x, { outChannels: 4, kernel: 1, bias: true });            // 64
  const b2b = b.add('b2b', 'conv2d', b2a, { outChannels: 64, kernel: 3, bias: true });         // 1024
  b.add('cat', 'concat', [b1, b2b], { axis: 1 });                                               // 2048
  return b.build();
}

const int8 = () => 'int8' as const;

describe('core activation peak (hand-computed)', () => {
  it('chain: the input lives from step 0, each step holds its input and output; flatten adds nothing', () => {
    const r = corePeak(chain(), int8);
    // step c1: input 256 + c1 512 = 768; c2: 512 + 1024 = 1536; c3: 1024 + 256 = 1280; flat: 256; fc: 256 + 10.
    expect(r.timeline).toEqual([768, 1536, 1280, 256, 266]);
    expect(r.peakBytes).toBe(1536);
    expect(r.peakStep).toBe('c2');
  });

  it('residual block: the shortcut stays alive across the branch', () => {
    const r = corePeak(residual(), int8);
    // stem: 512 + 512; a: x 512 + a 512; b: x + a + b = 1536; add: x + b + out = 1536.
    expect(r.timeline).toEqual([1024, 1024, 1536, 1536]);
    expect(r.peakBytes).toBe(1536);
    expect(r.peakStep).toBe('b');
  });

  it('inception concat: graph order vs the searched order', () => {
    const g = inception();
    const r = corePeak(g, int8);
    // stem: input 256 + x 256; b1: x + b1 1024; b2a: x + b1 + 64 (x dies); b2b: b1 + 64 + 1024; cat: 1024 + 1024 + 2048.
    expect(r.timeline).toEqual([512, 1280, 1344, 2112, 4096]);
    expect(r.peakStep).toBe('cat');
    // The concat step (both inputs and its output) is a lower bound for every order, so no order beats it.
    const mg = buildMemGraph(g, int8);
    const s = searchMinPeakOrder(mg);
    expect(s.peakBytes).toBe(4096);
  });

  it('min-peak order lowers the peak when a big tensor would otherwise wait for a branch', () => {
    // Two branches from x: A = big (1×1 → 64 ch = 1024 B) consumed by a 1×1 reduce to 4 ch (64 B),
    // B = a chain needing 1024 B at its middle. Graph order runs A's big output, then B, then reduces A.
    const b = new GraphBuilder({ name: 'order', task: 'classification', inputs: img(16, 4), source: 'test' });
    const x = b.add('stem', 'conv2d', b.input, { outChannels: 16, kernel: 1, bias: true });   // 256
    const a1 = b.add('a1', 'conv2d', x, { outChannels: 64, kernel: 1, bias: true });          // 1024
    const b1 = b.add('b1', 'conv2d', x, { outChannels: 64, kernel: 1, bias: true });          // 1024
    const b2 = b.add('b2', 'conv2d', b1, { outChannels: 4, kernel: 1, bias: true });          // 64
    const a2 = b.add('a2', 'conv2d', a1, { outChannels: 4, kernel: 1, bias: true });          // 64
    b.add('cat', 'concat', [a2, b2], { axis: 1 });                                             // 128
    const g = b.build();
    const mg = buildMemGraph(g, int8);
    // graph order: stem 512; a1 256+1024; b1 256+1024+1024 = 2304; b2 1024+1024+64; a2 1024+64+64; cat.
    expect(livenessOf(mg).peakBytes).toBe(2304);
    const s = searchMinPeakOrder(mg);
    // best: stem, a1, a2 (a1 dies), b1, b2: peak = x 256 + a1 1024 + a2 64 = 1344 at a2 or 256+64+1024 at b1.
    expect(s.peakBytes).toBe(1344);
    expect(s.method).toBe('exact');
    const rep = memoryReport(g, undefined, { order: 'min-peak' });
    expect(rep.graphOrderPeakBytes).toBe(2304);
    expect(rep.minPeakOrderBytes).toBe(1344);
    expect(rep.peakActivationBytes).toBe(1344);
    expect(rep.executionOrder).toEqual(['stem', 'a1', 'a2', 'b1', 'b2', 'cat']);
  });

  it('element size follows the precision; int4 packs two per byte', () => {
    expect(corePeak(chain(), () => 'fp32').peakBytes).toBe(4 * 1536);
    expect(corePeak(chain(), () => 'int4').peakBytes).toBe(768);
  });
});

describe('arena planning = TF-Lite Micro GreedyMemoryPlanner', () => {
  it('reproduces greedy_memory_planner_test.cc TestGreedyMedium offsets (50, 70, 40, 0, 0) and size 90', () => {
    const bufs = [
      { bytes: 10, firstStep: 0, lastStep: 1 }, { bytes: 20, firstStep: 1, lastStep: 2 }, { bytes: 30, firstStep: 2, lastStep: 3 },
      { bytes: 40, firstStep: 3, lastStep: 4 }, { bytes: 50, firstStep: 0, lastStep: 1 },
    ];
    const p = planGreedyArena(bufs, 1);
    expect(p.offsets).toEqual([50, 70, 40, 0, 0]);
    expect(p.arenaBytes).toBe(90);
    expect(findOverlap(bufs, p)).toBeUndefined();
  });

  it('reproduces TestGreedyBasics and TestOverlapCase', () => {
    expect(planGreedyArena([{ bytes: 10, firstStep: 0, lastStep: 1 }, { bytes: 20, firstStep: 2, lastStep: 3 }], 1)).toMatchObject({ offsets: [0, 0], arenaBytes: 20 });
    expect(planGreedyArena([{ bytes: 100, firstStep: 0, lastStep: 1 }, { bytes: 50, firstStep: 2, lastStep: 3 }, { bytes: 20, firstStep: 1, lastStep: 2 }], 1).arenaBytes).toBe(120);
  });

  it('equal sizes are placed in reverse order of addition, as TFLM fills its sort array from the tail', () => {
    // Three 16-byte buffers all alive together: the last added gets offset 0.
    const p = planGreedyArena([0, 1, 2].map(() => ({ bytes: 16, firstStep: 0, lastStep: 0 })), 16);
    expect(p.offsets).toEqual([32, 16, 0]);
  });

  it('sizes are rounded up to the alignment before planning', () => {
    const p = planGreedyArena([{ bytes: 10, firstStep: 0, lastStep: 0 }, { bytes: 10, firstStep: 0, lastStep: 0 }], 16);
    expect(p.arenaBytes).toBe(32);
  });

  it('on the three hand graphs: greedy offsets, no overlap, never below the core', () => {
    const expected: Record<string, { core: number; arena16: number }> = {
      // chain: buffers input 256 [0,0], c1 512 [0,1], c2 1024 [1,2], c3 256 [2,4] (flatten aliases), fc 16 (10→16) [4,4].
      // Largest first: c2 @0; c1 overlaps c2 at step 1 → @1024; input overlaps c1 only → @0 (gap before c1 is 1024);
      // c3 overlaps c2 → @1024; fc @0. Arena = max(1024+512, 1024+256) = 1536.
      chain: { core: 1536, arena16: 1536 },
      // residual: all buffers 512 B, taken in reverse order of addition (trace in the next test).
      residual: { core: 1536, arena16: 1536 },
      inception: { core: 4096, arena16: 4096 },
    };
    for (const [name, g] of [['chain', chain()], ['residual', residual()], ['inception', inception()]] as const) {
      const live = corePeak(g, int8);
      const plan = planGreedyArena(live.tensors, 16);
      expect(findOverlap(live.tensors, plan)).toBeUndefined();
      expect(live.peakBytes).toBe(expected[name].core);
      expect(plan.arenaBytes).toBe(expected[name].arena16);
      expect(plan.arenaBytes).toBeGreaterThanOrEqual(live.peakBytes);
      expect(memoryReport(g, undefined, { runtime: 'tflm' }).arenaBytes).toBe(expected[name].arena16);
    }
  });

  it('residual plan step by step (fragmentation makes the arena exceed the core)', () => {
    const live = corePeak(residual(), int8);
    // Buffers in order of addition: input, stem(x), a, b, add — all 512 B, so taken add, b, a, x, input.
    // add [3,3] @0; b [2,3] overlaps add → @512; a [1,2] overlaps b → @0 (gap before b); x [0,3] overlaps
    // add/b/a → @1024; input [0,0] overlaps x only → @0.
    const plan = planGreedyArena(live.tensors, 16);
    expect(live.tensors.map((t) => t.name)).toEqual(['input', 'stem', 'a', 'b', 'add']);
    expect(plan.offsets).toEqual([0, 1024, 0, 512, 0]);
  });
});
