import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from '../helpers.ts';

const ok = 'name: t\ndevices:\n  - jetson-orin-nano\nmodels:\n  - mobilenet-v3-small\nbudgets:\n  latency: 16ms\n';
const files = tempFiles({
  'unknown-key.yaml': ok + 'budgets2: {}\n',
  'unknown-key-nested.yaml': 'name: t\ndevices:\n  - {device: coral-usb, lnk: usb2}\nmodels: [mobilenet-v2]\n',
  'wrong-unit.yaml': 'name: t\ndevices: [pixel-4]\nmodels: [mobilenet-v2]\nbudgets:\n  latency: 16MB\n',
  'unknown-device.yaml': 'name: t\ndevices:\n  - jetson-orin-nano\n  - jetson-orin-nanoo\nmodels: [mobilenet-v2]\n',
  'missing-model-path.yaml': 'name: t\ndevices: [pixel-4]\nmodels:\n  - mobilenet-v2\n  - {model: ./nowhere/model.yaml, resolution: 96}\n',
  'missing-profile-path.yaml': 'name: t\ndevices:\n  - {device: profiles/none.yaml}\nmodels: [mobilenet-v2]\n',
  'unknown-model.yaml': 'name: t\ndevices: [pixel-4]\nmodels:\n  - mobilenetv2\n',
  'bad-override.yaml': 'name: t\ndevices:\n  - id: x\n    base: jetson-orin-nano-8gb\n    overrides:\n      units:\n        gpu:\n          precisions: [fp8]\nmodels: [mobilenet-v2]\n',
  'bad-link.yaml': 'name: t\ndevices:\n  - {device: coral-usb, link: usb4}\nmodels: [mobilenet-v2]\n',
});

/** [file, line, field path, message pattern] */
const cases: readonly [string, number, string, RegExp][] = [
  ['unknown-key.yaml', 8, '(top level)|budgets2', /unknown field 'budgets2'.*did you mean 'budgets'/],
  ['unknown-key-nested.yaml', 3, 'devices[0].lnk', /unknown field 'lnk'.*did you mean 'link'/],
  ['wrong-unit.yaml', 5, 'budgets.latency', /cannot read '16MB' as time/],
  ['unknown-device.yaml', 4, 'devices[1]', /unknown device 'jetson-orin-nanoo'.*did you mean/],
  ['missing-model-path.yaml', 5, 'models[1].model', /model file not found/],
  ['missing-profile-path.yaml', 3, 'devices[0].device', /profile file not found/],
  ['unknown-model.yaml', 4, 'models[0]', /unknown model 'mobilenetv2'/],
  ['bad-override.yaml', 8, 'devices[0].overrides.units.gpu.precisions[0]', /hardware override: 'fp8' must be one of/],
  ['bad-link.yaml', 3, 'devices[0].link', /no link 'usb4'/],
];

describe('edgeplan run: a bad scenario is one line with file:line and the field path, exit 2', () => {
  it.each(cases)('%s', async (name, line, path, re) => {
    const r = await runCli(['run', files[name], '--out', files[name] + '.out']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${files[name]}:${line}`);
    expect(lines[0]).toMatch(new RegExp(`\\(at (${path.replace(/[.[\]()]/g, (c) => (c === '|' ? c : `\\${c}`))})`));
    expect(lines[0]).toMatch(re);
    expect(lines[0]).toMatch(/fix: /);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('several problems: one line each, in line order', async () => {
    const f = tempFiles({ 's.yaml': 'name: t\ndevices: [pixel-4]\nmodels: [mobilenet-v2]\nbudgets:\n  latency: 16kg\n  memory: 2s\n' });
    const r = await runCli(['run', f['s.yaml']]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(':5:');
    expect(lines[1]).toContain(':6:');
  });

  it('an unknown --format is a usage error', async () => {
    const f = tempFiles({ 's.yaml': ok });
    const r = await runCli(['run', f['s.yaml'], '--format', 'md,pdf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown format 'pdf'/);
  });
});
