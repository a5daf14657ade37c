import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/hardware/index.ts';
import { memoryReport, weightsBytesOf } from '../../src/memory/index.ts';
import { overlappedPairBytes, rowStreamingOffsetBytes } from '../../src/memory/overlap.ts';
import { mcuExtra2Entries } from '../../src/zoo/mcu-extra2.ts';
import { buildZooModel } from '../../src/zoo/index.ts';
import { mcuExtraEntries } from '../../src/zoo/mcu-extra.ts';
import { graphTotals } from '../../src/graph/build.ts';

const profile = (id: string) => parseProfile(readFileSync(`hardware-profiles/${id}.yaml`, 'utf8'), `hardware-profiles/${id}.yaml`);
const extra2 = (id: string, resolution: number) => mcuExtra2Entries.find((x) => x.id === id)!.build({ resolution, widthMultiplier: 1 });
const extra = (id: string) => { const e = mcuExtraEntries.find((x) => x.id === id)!; return e.build({ resolution: e.resolution, widthMultiplier: e.widthMultiplier ?? 1 }); };

describe('runtime conventions', () => {
  const g = buildZooModel('mobilenet-v2', { resolution: 96, widthMultiplier: 0.35 });

  it('bare int8 weights = n_weights + 4 × n_biases', () => {
    const nw = g.layers.reduce((s, l) => s + l.weightElements, 0), nb = g.layers.reduce((s, l) => s + l.biasElements, 0);
    expect(weightsBytesOf(g)).toBe(nw + 4 * nb);
    expect(weightsBytesOf(g, () => 'fp32')).toBe(4 * (nw + nb));
  });

  it('TFLM: arena ≥ core, RAM adds the persistent tail, flash (.tflite) exceeds the bare weights', () => {
    const r = memoryReport(g, undefined, { runtime: 'tflm' });
    expect(r.arenaBytes).toBeGreaterThanOrEqual(r.peakActivationBytes);
    expect(r.runtimeActivationBytes).toBeGreaterThanOrEqual(r.arenaBytes); // + CMSIS-NN scratch
    expect(r.runtimeRamBytes).toBe(r.runtimeActivationBytes + r.persistentBytes);
    expect(r.flashBytes).toBeGreaterThan(r.weightsBytes);
  });

  it('TinyEngine in-place depthwise goes below the core; X-CUBE-AI flash = bare weights', () => {
    const te = memoryReport(g, undefined, { runtime: 'tinyengine' });
    expect(te.runtimeActivationBytes).toBeLessThan(te.peakActivationBytes);
    const xc = memoryReport(g, undefined, { runtime: 'x-cube-ai' });
    expect(xc.flashBytes).toBe(xc.weightsBytes);
  });

  it('X-CUBE-AI: a 3×3 conv overlaps its dying input at the row-streaming offset; a widening 1×1 does not', () => {
    // st-yolo-lc-v1 @192: conv1 (3×3/2, 3 → 16) 110,592 B → 147,456 B needs a 38,016 B offset
    // (96 output rows of 1,536 B against input rows of 576 B consumed two per output row).
    const yolo = extra2('st-yolo-lc-v1', 192);
    expect(rowStreamingOffsetBytes(yolo.layers[0], 1)).toBe(38016);
    const xc = memoryReport(yolo, undefined, { runtime: 'x-cube-ai' });
    const gen = memoryReport(yolo, undefined, { runtime: 'generic' });
    expect(gen.runtimeActivationBytes).toBe(110592 + 147456); // input + conv1 side by side
    expect(xc.runtimeActivationBytes).toBe(147456 + 1536); // conv2's output 1 row (1,536 B) ahead of its input
    // Widening 1×1 (MobileNetV1 pw1: 8 → 16 channels at 112²) stays side by side with its input.
    const mb1 = buildZooModel('mobilenet-v1', { resolution: 224, widthMultiplier: 0.25 });
    expect(memoryReport(mb1, undefined, { runtime: 'x-cube-ai' }).runtimeActivationBytes).toBe(112 * 112 * 8 + 112 * 112 * 16);
  });

  it('row-streaming offset: 3×3 stride-1 same conv = two output rows; widening 1×1 = out − in + one input row', () => {
    const g2 = buildZooModel('mobilenet-v1', { resolution: 96, widthMultiplier: 0.25 });
    const dw = g2.layers.find((l) => l.op === 'depthwise_conv2d')!; // 48×48×8, 3×3/1
    expect(rowStreamingOffsetBytes(dw, 1)).toBe(2 * 48 * 8);
    const pw = g2.layers.find((l) => l.op === 'conv2d' && l.inputs[0] === dw.name)!; // 8 → 16 at 48²
    expect(rowStreamingOffsetBytes(pw, 1)).toBe(48 * 48 * 16 - 48 * 48 * 8 + 48 * 8);
    expect(overlappedPairBytes(100, 50, 20)).toBe(120);
    expect(overlappedPairBytes(100, 50, 80)).toBe(150); // never above side by side
  });

  it('X-CUBE-AI plans at the live bytes (no greedy-by-size fragmentation): ResNet-32 CIFAR = 3 × 32×32×16', () => {
    const r = memoryReport(extra2('resnet32-cifar100', 32), undefined, { runtime: 'x-cube-ai', timeline: true });
    expect(r.arenaBytes).toBeGreaterThan(3 * 16384); // TFLM's plan of the same tensors fragments
    expect(r.runtimeActivationBytes).toBe(3 * 16384); // shortcut, conv2 output, add output
  });

  it('microTVM keeps I/O outside the workspace but counts it in RAM', () => {
    const tvm = memoryReport(g, undefined, { runtime: 'microtvm' });
    const gen = memoryReport(g, undefined, { runtime: 'generic' });
    expect(tvm.runtimeActivationBytes).toBeLessThanOrEqual(gen.runtimeActivationBytes);
    // I/O buffers: the 96×96×3 input and the 1000 logits, int8.
    expect(tvm.runtimeRamBytes).toBe(tvm.runtimeActivationBytes + 96 * 96 * 3 + 1000);
  });

  it('patch-based first stages (MCUNetV2): MobileNetV2 224, 4×4 patches, per-patch peak ≈ 172 KB (Table 1)', () => {
    const mb = buildZooModel('mobilenet-v2');
    const r = memoryReport(mb, undefined, { patchStages: 2 });
    expect(Math.abs(r.patchStagePeakBytes! - 176128) / 176128).toBeLessThan(0.03);
    expect(r.runtimeActivationBytes).toBeLessThan(r.peakActivationBytes);
  });

  it('fits: each level names the figure compared', () => {
    const r = memoryReport(g, profile('stm32h7a3'), { runtime: 'tflm' });
    expect(r.fits.sram).toMatchObject({ fits: true, comparedBytes: r.runtimeRamBytes });
    expect(r.fits.sram.what).toMatch(/runtime RAM/);
    expect(r.fits.flash).toMatchObject({ comparedBytes: r.flashBytes });
    const big = memoryReport(buildZooModel('mobilenet-v2'), profile('stm32f746'), { runtime: 'tflm' });
    expect(Object.values(big.fits).some((f) => !f.fits)).toBe(true);
  });

  it('the timeline is returned on request and peaks at the core peak', () => {
    const r = memoryReport(g, undefined, { timeline: true });
    expect(Math.max(...r.timeline!)).toBe(r.peakActivationBytes);
  });
});

describe('MCUNet zoo extras match the mcunet README (params 0.5 %, MACs 2 %)', () => {
  // model-reference.md §5 (mit-han-lab/mcunet README): #Params (PyTorch, BN counted) and MACs.
  const ref: Record<string, [number, number]> = {
    'mcunet-in0': [0.75e6, 6.4e6], 'mcunet-in1': [0.64e6, 12.8e6], 'mcunet-in2': [0.73e6, 67.3e6], 'mcunet-in3': [0.74e6, 81.8e6], 'mcunet-in4': [1.73e6, 125.9e6],
  };
  for (const [id, [params, macs]] of Object.entries(ref)) {
    it(id, () => {
      const t = graphTotals(extra(id));
      // README prints 2 digits: hold to half a unit in the last digit.
      expect(Math.abs(t.params - params)).toBeLessThanOrEqual(0.005e6);
      expect(Math.abs(t.macs - macs)).toBeLessThanOrEqual(0.05e6);
    });
  }
});
