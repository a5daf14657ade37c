/** The host fit recovers a known profile from latencies that profile predicts (no timing noise). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CALIBRATION_MODELS } from '../../src/cli/commands/calibrate.ts';
import { parseProfile } from '../../src/hardware/index.ts';
import { fitHostProfile } from '../../src/import/index.ts';
import { predictMs } from '../../src/import/host-fit.ts';
import { buildZooModel } from '../../src/zoo/index.ts';

describe('fitHostProfile', () => {
  it('fits op-class efficiencies and overheads to synthetic measurements within a few percent', () => {
    const host = parseProfile(readFileSync('hardware-profiles/host.yaml', 'utf8'), 'host.yaml');
    const cpu = host.units.cpu;
    const s = (value: number) => ({ value, source: 'test truth' });
    const truth = { ...host, units: { cpu: { ...cpu, efficiency: { ...cpu.efficiency, conv2d: s(0.6), depthwise_conv2d: s(0.08), linear: s(0.5), elementwise: s(0.05) }, overhead_us_per_layer: s(8), fixed_overhead_us: s(40) } } };
    const samples = CALIBRATION_MODELS.slice(0, 6).map((id) => { const graph = buildZooModel(id); return { model: id, graph, measuredMs: predictMs(truth, graph, 2) }; });
    const fit = fitHostProfile(host, samples, 2, 'test fit');
    expect(fit.median_abs_error_pct).toBeLessThan(5);
    expect(fit.profile.units.cpu.efficiency.conv2d.source).toBe('test fit');
    expect(fit.profile.units.cpu.efficiency.conv2d.estimate).toBe(true);
    // Held out: a model not in the fit.
    const g = buildZooModel('mobilenet-v3-large');
    const err = Math.abs(predictMs(fit.profile, g, 2) / predictMs(truth, g, 2) - 1);
    expect(err).toBeLessThan(0.1);
  });
});
