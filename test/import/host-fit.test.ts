/** The host fit recovers a known profile from latencies that profile predicts (no timing noise). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALIBRATION_MODELS, readCpuCaches } from '../../src/cli/commands/calibrate.ts';
import { parseProfile } from '../../src/hardware/index.ts';
import { readFileSync } from 'node:fs';
import { fitHostProfile } from '../../src/import/index.ts';
import { bandwidthProbes, L2_LEVEL, predictMs, withCpuCaches } from '../../src/import/host-fit.ts';
import { buildZooModel } from '../../src/zoo/index.ts';

const CACHES = [
  { level: 1, type: 'Data', sizeBytes: 48 * 1024 }, { level: 1, type: 'Instruction', sizeBytes: 64 * 1024 },
  { level: 2, type: 'Unified', sizeBytes: 2 * 1048576 }, { level: 3, type: 'Unified', sizeBytes: 32 * 1048576 },
];
const host = () => withCpuCaches(parseProfile(readFileSync('hardware-profiles/host.yaml', 'utf8'), 'host.yaml'), CACHES);

describe('withCpuCaches', () => {
  it('adds the L2 level as the CPU\'s on-chip level and resizes the LLC to L3, citing /sys', () => {
    const p = host();
    expect(p.units.cpu.onchip_memory).toBe(L2_LEVEL);
    expect(p.memory[L2_LEVEL].size_bytes).toMatchObject({ value: 2 * 1048576, source: expect.stringContaining('read from /sys at calibrate time'), estimate: true });
    expect(p.memory.llc.size_bytes.value).toBe(32 * 1048576);
  });
  it('reads cache sizes in the format of /sys/devices/system/cpu/cpu0/cache', () => {
    const root = mkdtempSync(join(tmpdir(), 'edgeplan-sys-'));
    try {
      for (const [i, [level, type, size]] of [[1, 'Data', '48K'], [2, 'Unified', '2048K'], [3, 'Unified', '491520K']].entries()) {
        mkdirSync(join(root, `index${i}`));
        writeFileSync(join(root, `index${i}`, 'level'), `${level}\n`);
        writeFileSync(join(root, `index${i}`, 'type'), `${type}\n`);
        writeFileSync(join(root, `index${i}`, 'size'), `${size}\n`);
      }
      expect(readCpuCaches(root)).toEqual([{ level: 1, type: 'Data', sizeBytes: 49152 }, { level: 2, type: 'Unified', sizeBytes: 2097152 }, { level: 3, type: 'Unified', sizeBytes: 503316480 }]);
      expect(readCpuCaches(join(root, 'absent'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('fitHostProfile', () => {
  it('recovers op-class efficiencies, channel half-efficiency, overheads and both bandwidths from synthetic measurements', () => {
    const base = host();
    const cpu = base.units.cpu;
    const s = (value: number) => ({ value, source: 'test truth' });
    const truth = {
      ...base,
      units: { cpu: { ...cpu, efficiency: { ...cpu.efficiency, conv2d: s(0.6), depthwise_conv2d: s(0.08), linear: s(0.5), elementwise: s(0.3) }, channel_half_efficiency: s(6), overhead_us_per_layer: s(8), fixed_overhead_us: s(40) } },
      memory: { ...base.memory, [L2_LEVEL]: { ...base.memory[L2_LEVEL], bandwidth_bytes_per_s: s(5e10) }, dram: { ...base.memory.dram, bandwidth_bytes_per_s: s(1.5e10) } },
    };
    const cases = [...bandwidthProbes(), ...['resnet8-cifar', 'mobilenet-v1-025-vww', 'mcunet-in1', 'mobilenet-v3-small', 'shufflenet-v2', 'squeezenet-1.1'].map((id) => ({ model: id, graph: buildZooModel(id) }))];
    for (const c of cases.slice(4)) expect(CALIBRATION_MODELS).toContain(c.model);
    const samples = cases.map((c) => ({ ...c, measuredMs: predictMs(truth, c.graph, 1) }));
    const fit = fitHostProfile(base, samples, 1, 'test fit');
    expect(fit.median_abs_error_pct).toBeLessThan(3);
    const u = fit.profile.units.cpu;
    for (const n of [u.efficiency.conv2d, u.efficiency.depthwise_conv2d, u.channel_half_efficiency!, u.overhead_us_per_layer, fit.profile.memory[L2_LEVEL].bandwidth_bytes_per_s, fit.profile.memory.dram.bandwidth_bytes_per_s]) {
      expect(n.source).toBe('test fit');
      expect(n.estimate).toBe(true);
    }
    // Pure streaming probes pin the bandwidths.
    expect(fit.profile.memory[L2_LEVEL].bandwidth_bytes_per_s.value / 5e10).toBeCloseTo(1, 1);
    expect(fit.profile.memory.dram.bandwidth_bytes_per_s.value / 1.5e10).toBeCloseTo(1, 1);
    // Held out: models not in the fit, of other families.
    for (const id of ['mobilenet-v3-large', 'mcunet-in2']) {
      const g = buildZooModel(id);
      expect(Math.abs(predictMs(fit.profile, g, 1) / predictMs(truth, g, 1) - 1)).toBeLessThan(0.1);
    }
  });
});
