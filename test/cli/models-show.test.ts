import { describe, expect, it } from 'vitest';
import { ZOO } from '../../src/zoo/index.ts';
import { runCli } from '../helpers.ts';

describe('edgeplan models / show', () => {
  it('models --json lists every zoo id with the contract keys', async () => {
    const r = await runCli(['models', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; task: string; resolution: number; params: number; macs: number }[];
    expect(rows.map((x) => x.id)).toEqual(ZOO.map((z) => z.id));
    for (const row of rows) expect(Object.keys(row)).toEqual(['id', 'task', 'resolution', 'params', 'macs']);
    expect(rows.find((x) => x.id === 'resnet-50')!.params).toBe(25_557_032);
  });

  it('show --json: layer sums equal the totals, and output is byte-identical across runs', async () => {
    const a = await runCli(['show', '--model', 'mobilenet-v3-large', '--json']);
    const b = await runCli(['show', '--model', 'mobilenet-v3-large', '--json']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.model).toBe('mobilenet-v3-large');
    expect(j.resolution).toBe(224);
    const sum = (k: string) => j.layers.reduce((s: number, l: Record<string, number>) => s + l[k], 0);
    expect(sum('params')).toBe(j.params);
    expect(sum('macs')).toBe(j.macs);
    expect(sum('weight_bytes')).toBe(j.weight_bytes);
    expect(sum('activation_bytes')).toBe(j.activation_bytes);
    for (const l of j.layers) for (const k of ['name', 'op', 'output_shape', 'params', 'macs', 'weight_bytes', 'activation_bytes']) expect(l).toHaveProperty(k);
  });

  it('show --resolution and --width-multiplier rebuild the graph', async () => {
    const j = JSON.parse((await runCli(['show', '--model', 'mobilenet-v2', '--resolution', '160', '--width-multiplier', '0.5', '--json'])).stdout);
    expect(j.resolution).toBe(160);
    expect(j.layers[0].output_shape).toEqual([1, 16, 80, 80]);
  });

  it('YAML models: the block-written MobileNetV2 example equals the zoo graph', async () => {
    const y = JSON.parse((await runCli(['show', '--model', 'examples/models/mobilenet-v2-blocks.yaml', '--json'])).stdout);
    const z = JSON.parse((await runCli(['show', '--model', 'mobilenet-v2', '--json'])).stdout);
    expect(y.params).toBe(z.params);
    expect(y.macs).toBe(z.macs);
    expect(y.layers.map((l: { op: string }) => l.op)).toEqual(z.layers.map((l: { op: string }) => l.op));
  });

  it('devices --json lists every profile with its units', async () => {
    const j = JSON.parse((await runCli(['devices', '--json'])).stdout);
    expect(j.length).toBeGreaterThanOrEqual(20);
    expect(j.find((d: { id: string }) => d.id === 'coral-usb').units.map((u: { id: string }) => u.id)).toContain('tpu');
  });

  it('every command has --help with examples', async () => {
    for (const cmd of ['models', 'show', 'devices', 'simulate', 'validate']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:/);
    }
  });
});
