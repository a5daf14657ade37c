import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from '../helpers.ts';

const header = 'name: bad\ninput: {shape: [1, 3, 32, 32]}\n';
const files = tempFiles({
  'cycle.yaml': header + 'layers:\n  - {name: a, op: conv2d, out_channels: 8, kernel: 3, inputs: [c]}\n  - {name: b, op: relu, inputs: [a]}\n  - {name: c, op: relu, inputs: [b]}\n',
  'dangling.yaml': header + 'layers:\n  - {name: a, op: conv2d, out_channels: 8, kernel: 3}\n  - {name: b, op: add, inputs: [a, ghost]}\n',
  'missing-field.yaml': 'name: bad\nlayers:\n  - {name: a, op: relu}\n',
  'wrong-type.yaml': header + 'layers:\n  - {name: a, op: conv2d, out_channels: eight, kernel: 3}\n',
  'zero-channels.yaml': header + 'layers:\n  - {name: a, op: conv2d, out_channels: 0, kernel: 3}\n',
  'negative-channels.yaml': header + 'layers:\n  - {name: a, op: conv2d, out_channels: 16, kernel: 3}\n  - {name: b, op: conv2d, out_channels: -4, kernel: 1}\n',
  'empty.yaml': '',
  'syntax.yaml': header + 'layers:\n  - {name: a, op: conv2d\n',
  'unknown-op.yaml': header + 'layers:\n  - {name: a, op: conv3d, out_channels: 8}\n',
  'unknown-field.yaml': header + 'layers:\n  - {name: a, op: conv2d, out_chanels: 8, kernel: 3}\n',
  'bad-shape.yaml': 'name: bad\ninput: {shape: [1, 3, 4, 4]}\nlayers:\n  - {name: a, op: conv2d, out_channels: 8, kernel: 7, padding: valid}\n',
  'binary.yaml': new Uint8Array([0, 1, 2, 255, 254, 0, 17, 80, 75, 3, 4]),
  'unknown-block.yaml': header + 'layers:\n  - {use: resblok, name: r}\nblocks:\n  resblock:\n    layers:\n      - {op: relu}\n',
});

/** Each case: file, the line the error must name, and words the message must contain. */
const cases: readonly [string, number, RegExp][] = [
  ['cycle.yaml', 4, /cycle: a → b → c → a/],
  ['dangling.yaml', 5, /reads 'ghost'/],
  ['missing-field.yaml', 1, /missing required field 'input'/],
  ['wrong-type.yaml', 4, /must be an integer/],
  ['zero-channels.yaml', 4, /out_channels.*≥ 1|must be ≥ 1/],
  ['negative-channels.yaml', 5, /must be ≥ 1/],
  ['empty.yaml', 1, /empty/],
  ['syntax.yaml', 5, /YAML syntax error/],
  ['unknown-op.yaml', 4, /'conv3d' is not one of the \d+ allowed values.*did you mean 'conv2d'/],
  ['unknown-field.yaml', 4, /unknown field 'out_chanels'.*did you mean 'out_channels'/],
  ['bad-shape.yaml', 4, /empty output/],
  ['binary.yaml', 1, /binary/],
  ['unknown-block.yaml', 4, /unknown block 'resblok'.*did you mean 'resblock'/],
];

describe('bad model input: one line naming file and line, exit 2', () => {
  it.each(cases)('%s', async (name, line, re) => {
    const r = await runCli(['show', '--model', files[name]]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${files[name]}:${line}`);
    expect(lines[0]).toMatch(re);
    expect(lines[0]).toMatch(/fix: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('unknown zoo id suggests the nearest ids', async () => {
    const r = await runCli(['show', '--model', 'mobilenetv2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown model 'mobilenetv2'.*did you mean 'mobilenet-v2'/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a missing file names the path', async () => {
    const r = await runCli(['show', '--model', '/nonexistent/model.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/model.yaml: input file not found/);
  });

  it('usage errors exit 2 with one line', async () => {
    const r = await runCli(['show']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Missing required argument: model/);
    const r2 = await runCli(['frobnicate']);
    expect(r2.code).toBe(2);
  });

  it('the real binary prints no stack trace, and one with --debug', () => {
    const plain = spawnSync(process.execPath, ['bin/edgeplan.js', 'show', '--model', files['cycle.yaml']], { encoding: 'utf8' });
    expect(plain.status).toBe(2);
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    const debug = spawnSync(process.execPath, ['bin/edgeplan.js', 'show', '--model', files['cycle.yaml'], '--debug'], { encoding: 'utf8' });
    expect(debug.status).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
