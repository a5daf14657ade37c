import { describe, expect, it } from 'vitest';
import { EdgeplanError } from '../../src/errors/index.ts';
import { expandSweep, parseScenario, ScenarioIssues } from '../../src/scenario/index.ts';

const base = 'name: t\ndevices: [jetson-orin-nano]\nmodels: [mobilenet-v2]\n';

describe('parseScenario', () => {
  it('reads budgets with units into the Budgets fields', () => {
    const s = parseScenario(base + 'budgets: {latency: 16ms, memory: 512KiB, flash: 2MB, power: 5W, energy: 10mJ, fps: 30, max_accuracy_drop: 1}\n', 's.yaml');
    expect(s.budgets).toEqual({ latencyMs: 16, fps: 30, peakActivationBytes: 524288, weightsBytes: 2e6, powerW: 5, energyMj: 10, maxAccuracyDropPct: 1 });
    expect(s.formats).toEqual(['md', 'html', 'json', 'csv']);
    expect(s.run).toMatchObject({ batch: 1, plan: false, pareto: false });
  });

  it('labels entries and normalises device and model mappings', () => {
    const s = parseScenario('name: t\ndevices:\n  - {device: coral-usb, link: usb2}\n  - {id: nano-7w, base: jetson-orin-nano-8gb, overrides: {power_mode: x}}\nmodels:\n  - {model: mobilenet-v2, resolution: 160, width: 0.5}\n  - m.yaml\n', 's.yaml');
    expect(s.devices.map((d) => d.key)).toEqual(['coral-usb@usb2', 'nano-7w']);
    expect(s.models.map((m) => [m.key, m.kind])).toEqual([['mobilenet-v2@160x0.5', 'zoo'], ['m', 'yaml']]);
  });

  it('a wrong unit names the field and its line', () => {
    const e = catchErr(() => parseScenario(base + 'budgets:\n  latency: 16MB\n', 's.yaml'));
    expect(e.location).toMatchObject({ file: 's.yaml', line: 5, path: 'budgets.latency' });
    expect(e.message).toMatch(/cannot read '16MB' as time/);
  });

  it('every problem is collected, in line order', () => {
    const e = (() => { try { parseScenario(base + 'budgets:\n  latency: 16kg\n  memory: 5s\n', 's.yaml'); } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(ScenarioIssues);
    expect((e as ScenarioIssues).issues.map((i) => i.location.line)).toEqual([5, 6]);
  });

  it('pareto selections must name scenario entries', () => {
    const e = catchErr(() => parseScenario(base + 'budgets: {latency: 5ms}\nrun:\n  pareto: {devices: [pixel-4]}\n', 's.yaml'));
    expect(e.location.path).toBe('run.pareto.devices[0]');
    expect(e.fix).toMatch(/jetson-orin-nano/);
  });

  it('planning without a budget is an input error', () => {
    expect(catchErr(() => parseScenario(base + 'run: {plan: true}\n', 's.yaml')).message).toMatch(/at least one budget/);
  });
});

describe('expandSweep', () => {
  it('is the cartesian product, precision slowest, threads only on CPUs', () => {
    const s = { precision: ['fp16', 'int8'] as const, resolution: [160, 224], threads: [1, 4] };
    expect(expandSweep(s)).toHaveLength(8);
    expect(expandSweep(s)[0]).toEqual({ precision: 'fp16', resolution: 160, threads: 1 });
    expect(expandSweep(s, false)).toHaveLength(4);
    expect(expandSweep(undefined)).toEqual([]);
  });
});

function catchErr(f: () => unknown): EdgeplanError {
  try { f(); } catch (e) { if (e instanceof EdgeplanError) return e; throw e; }
  throw new Error('no error thrown');
}
