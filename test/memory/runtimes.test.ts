import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/hardware/index.ts';
import { memoryReport, weightsBytesOf } from '../../src/memory/index.ts';
import { buildZooModel } from '../../src/zoo/index.ts';
import { mcuExtraEntries } from '../../src/zoo/mcu-extra.ts';
import { graphTotals } from '../../src/graph/build.ts';

const profile = (id: string) => parseProfile(readFileSync(`hardware-profiles/${id}.yaml`, 'utf8'), `hardware-profiles/${id}.yaml`);
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
