/**
 * ONNX Runtime CPU EP kernel costs (src/cost/ort.ts) and the conv row/depthwise-tap efficiency terms:
 * each mechanism changes the host's numbers the way ORT's per-kernel profiles show, and nothing on
 * a profile that does not declare it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/cost/index.ts';
import { mlasOps } from '../../src/cost/simulate.ts';
import { ortNchwcLayout } from '../../src/cost/ort.ts';
import { loadYamlModel } from '../../src/graph/yaml-model.ts';
import type { Graph } from '../../src/graph/types.ts';
import { parseProfile, type HardwareProfile } from '../../src/hardware/index.ts';
import { exportOnnx, importOnnx } from '../../src/import/index.ts';
import { buildZooModel } from '../../src/zoo/index.ts';

const profile = (id: string): HardwareProfile => parseProfile(readFileSync(`hardware-profiles/${id}.yaml`, 'utf8'), `hardware-profiles/${id}.yaml`);
const s = (value: number) => ({ value, source: 'test' });
const base = profile('host');
/** The host with a 16-channel NCHWc block (what calibrate writes on an AVX-512 machine), one thread. */
const host: HardwareProfile = { ...base, units: { cpu: { ...base.units.cpu, threads: s(1), nchwc_block_channels: s(16) } } };
const without = (keys: readonly string[]): HardwareProfile => {
  const cpu = { ...host.units.cpu } as Record<string, unknown>;
  for (const k of keys) delete cpu[k];
  return { ...host, units: { cpu: cpu as unknown as HardwareProfile['units']['cpu'] } };
};
/** The host without ORT's MLAS rules (the Conv + Add fusion kept). */
const noMlas: HardwareProfile = { ...host, units: { cpu: { ...host.units.cpu, kernel_fusions: { ort_nchwc_conv_sum: host.units.cpu.kernel_fusions!.ort_nchwc_conv_sum! } } } };
const sim = (g: Graph, p: HardwareProfile) => simulate(g, p, { precision: 'fp32', batch: 1, threads: 1 });
const layer = (r: ReturnType<typeof sim>, n: string) => r.layers.find((l) => l.name === n)!;
const yaml = (input: readonly number[], layers: string) => loadYamlModel(`name: t\ninput: {name: x, shape: [${input.join(', ')}]}\nlayers:\n${layers}`, 't.yaml');

describe('conv row width and depthwise taps', () => {
  // Equal MACs: 64→64 3×3 on 56×56 vs 256→256 3×3 on 14×14.
  const wide = yaml([1, 64, 56, 56], '  - {name: c, op: conv2d, inputs: [x], out_channels: 64, kernel: 3, padding: 1}\n');
  const narrow = yaml([1, 256, 14, 14], '  - {name: c, op: conv2d, inputs: [x], out_channels: 256, kernel: 3, padding: 1}\n');
  it('a 14-wide map runs a conv at a lower share of peak than a 56-wide one, by w/W in the denominator', () => {
    const p = without(['channel_half_efficiency', 'depthwise_half_taps']);
    const w = p.units.cpu.row_half_width!.value;
    const ratio = layer(sim(narrow, p), 'c').computeMs / layer(sim(wide, p), 'c').computeMs;
    expect(ratio).toBeCloseTo((1 + w / 14) / (1 + w / 56), 9);
    const flat = without(['channel_half_efficiency', 'depthwise_half_taps', 'row_half_width']);
    expect(layer(sim(narrow, flat), 'c').computeMs).toBeCloseTo(layer(sim(wide, flat), 'c').computeMs, 12);
  });
  it('a 5×5 depthwise conv reaches a higher share of peak than a 3×3 one, by t/k² in the denominator', () => {
    const dw = (k: number) => yaml([1, 64, 28, 28], `  - {name: d, op: depthwise_conv2d, inputs: [x], kernel: ${k}, padding: ${(k - 1) / 2}}\n`);
    const p = without(['row_half_width']);
    const t = p.units.cpu.depthwise_half_taps!.value;
    const perMac = (k: number) => layer(sim(dw(k), p), 'd').computeMs / (k * k);
    expect(perMac(3) / perMac(5)).toBeCloseTo((1 + t / 9) / (1 + t / 25), 9);
  });
  it('changes no device that does not state the terms', () => {
    for (const id of ['raspberry-pi-5', 'jetson-orin-nano-8gb']) {
      const p = profile(id);
      expect(p.units[p.default_unit].row_half_width, id).toBeUndefined();
      expect(p.units[p.default_unit].depthwise_half_taps, id).toBeUndefined();
    }
  });
});

describe('MLAS kernel costs (ort_mlas_kernels)', () => {
  it('a non-ReLU fused activation is one element-wise pass over the output; ReLU is free', () => {
    const conv = (act: string) => yaml([1, 16, 64, 64], `  - {name: c, op: conv2d, inputs: [x], out_channels: 96, kernel: 1${act ? `, activation: ${act}` : ''}}\n`);
    const cpu = host.units.cpu;
    const ewMs = (96 * 64 * 64) / (cpu.peak_ops_per_s.fp32!.value * cpu.efficiency.elementwise.value) * 1e3;
    const relu = layer(sim(conv('relu'), host), 'c').latencyMs;
    expect(relu).toBeCloseTo(layer(sim(conv(''), host), 'c').latencyMs, 12);
    for (const act of ['relu6', 'hardswish', 'hardsigmoid']) expect(layer(sim(conv(act), host), 'c').latencyMs - relu, act).toBeCloseTo(ewMs, 9);
    // Without the rule every activation is free, as before.
    expect(layer(sim(conv('relu6'), noMlas), 'c').latencyMs).toBeCloseTo(layer(sim(conv('relu'), noMlas), 'c').latencyMs, 12);
  });
  it('pools cost an op per input element plus a third per window tap, Resize a scalar loop', () => {
    const g = yaml([1, 32, 28, 28], [
      '  - {name: mp, op: max_pool, inputs: [x], kernel: 3, stride: 1, padding: 1}',
      '  - {name: gp, op: global_pool, inputs: [x]}',
      '  - {name: up, op: resize, inputs: [x], scale: 2, mode: nearest}',
      '  - {name: bl, op: resize, inputs: [x], scale: 2, mode: bilinear}',
    ].join('\n') + '\n');
    const n = 32 * 28 * 28;
    expect(mlasOps(g.layers[0])).toBe(n + (9 * n) / 3);
    expect(mlasOps(g.layers[1])).toBe(n * (1 + 1 / 3));
    expect(mlasOps(g.layers[2])).toBe(4 * n * 13);
    expect(mlasOps(g.layers[3])).toBe(4 * n * 16);
    expect(layer(sim(g, host), "mp").computeMs).toBeGreaterThan(3.5 * layer(sim(g, noMlas), "mp").computeMs);
  });
  it('x op broadcast-constant (imported as x listed twice) streams x once', () => {
    const g = yaml([1, 8, 32, 32], '  - {name: a, op: add, inputs: [x, x]}\n');
    const elemsBytes = 8 * 32 * 32 * 4;
    expect(layer(sim(g, host), 'a').bytes).toBe(2 * elemsBytes);
    expect(layer(sim(g, noMlas), 'a').bytes).toBe(3 * elemsBytes);
  });
  it('ConvTranspose is GEMM + a scalar Col2Im over its column buffer, with its folded BN and activation as kernels of their own', () => {
    const g = yaml([1, 24, 40, 40], '  - {name: t, op: conv_transpose2d, inputs: [x], out_channels: 24, kernel: 2, stride: 2, batchnorm: true, activation: relu}\n');
    const cpu = host.units.cpu;
    const r = layer(sim(g, host), 't'), plain = layer(sim(g, noMlas), 't');
    const col = 24 * 4 * 40 * 40, out = 24 * 80 * 80;
    const ew = (n: number) => (n / (cpu.peak_ops_per_s.fp32!.value * cpu.efficiency.elementwise.value)) * 1e3;
    // The Col2Im pass (SCALAR_LOOP_OPS per column element) and two element-wise kernels (BN, ReLU).
    expect(r.latencyMs - plain.latencyMs).toBeGreaterThan(ew(col * 12) + 2 * ew(out));
    expect(r.bytes - plain.bytes).toBe(2 * col * 4 + out * 4 + 2 * (2 * out * 4));
  });
  it('a conv reading fewer channels than the NCHWc block reduces per input channel (k² taps per kernel call)', () => {
    const conv = (cin: number) => yaml([1, cin, 40, 40], '  - {name: c, op: conv2d, inputs: [x], out_channels: 96, kernel: 1}\n');
    const perMac = (p: HardwareProfile, cin: number) => layer(sim(conv(cin), p), 'c').computeMs / cin;
    const withH = (p: HardwareProfile): HardwareProfile => ({ ...p, units: { cpu: { ...p.units.cpu, channel_half_efficiency: s(4) } } });
    // 12 input channels (< 16): each kernel call reduces over one channel's single tap.
    expect(perMac(withH(host), 12) / perMac(withH(host), 16)).toBeGreaterThan(2);
    const noBlock = withH(without(['nchwc_block_channels']));
    expect(perMac(noBlock, 12) / perMac(noBlock, 16)).toBeLessThan(1.5);
  });
  it('weights come from memory on every call (not from the cache the layer\'s bytes would fit)', () => {
    const g = yaml([1, 960, 1, 1], '  - {name: fc, op: conv2d, inputs: [x], out_channels: 240, kernel: 1}\n');
    const w = 960 * 240 * 4 + 240 * 4;
    const dram = host.memory.dram.bandwidth_bytes_per_s.value;
    expect(layer(sim(g, host), 'fc').memoryMs).toBeGreaterThanOrEqual((w / dram) * 1e3);
    expect(layer(sim(g, noMlas), 'fc').memoryMs).toBeLessThan((w / dram) * 1e3);
  });
  it('exp-based activations cost EXP_ACTIVATION_OPS more per element (Sigmoid; x·σ(x) as QuickGelu)', () => {
    const g = yaml([1, 32, 16, 16], '  - {name: s, op: sigmoid, inputs: [x]}\n  - {name: r, op: relu, inputs: [x]}\n');
    expect(mlasOps(g.layers[0])).toBe(3 * 32 * 16 * 16);
    expect(mlasOps(g.layers[1])).toBe(32 * 16 * 16);
    expect(layer(sim(g, host), 's').computeMs).toBeCloseTo(3 * layer(sim(g, host), 'r').computeMs, 12);
  });
  it('the caller\'s output copy is a per-byte extra where the unit states its rate', () => {
    const g = yaml([1, 32, 64, 64], '  - {name: a, op: relu, inputs: [x]}\n');
    const rate = host.units.cpu.output_copy_bytes_per_s!.value;
    const copy = sim(g, host).extras.find((e) => e.name === 'copy outputs to the caller')!;
    expect(copy.bytes).toBe(32 * 64 * 64 * 4);
    expect(copy.latencyMs).toBeCloseTo((32 * 64 * 64 * 4 / rate) * 1e3, 12);
    expect(sim(g, without(['output_copy_bytes_per_s'])).extras.some((e) => e.name === 'copy outputs to the caller')).toBe(false);
  });
  it('no other device declares the rule or the copy rate, so none of their numbers move', () => {
    for (const f of ['raspberry-pi-5', 'raspberry-pi-4', 'jetson-orin-nano-8gb', 'pixel-4', 'coral-usb']) {
      const p = profile(f);
      for (const u of Object.values(p.units)) {
        expect(u.kernel_fusions?.ort_mlas_kernels, f).toBeUndefined();
        expect(u.output_copy_bytes_per_s, f).toBeUndefined();
        expect(u.nchwc_block_channels, f).toBeUndefined();
      }
    }
  });
});

describe('NCHWc layout (x86-64 ORT)', () => {
  /** An SE block: the broadcast Mul is plain NCHW, so its NCHWc input is reordered out and its output back in. */
  const se = yaml([1, 32, 28, 28], [
    '  - {name: c0, op: conv2d, inputs: [x], out_channels: 64, kernel: 1, activation: relu}',
    '  - {name: gp, op: global_pool, inputs: [c0]}',
    '  - {name: f1, op: conv2d, inputs: [gp], out_channels: 16, kernel: 1, activation: relu}',
    '  - {name: f2, op: conv2d, inputs: [f1], out_channels: 64, kernel: 1, activation: hardsigmoid}',
    '  - {name: m, op: mul, inputs: [c0, f2]}',
    '  - {name: c1, op: conv2d, inputs: [m], out_channels: 32, kernel: 1}',
  ].join('\n') + '\n');
  it('puts ReorderOutput on the tensors a plain op reads and ReorderInput where a plain tensor enters an NCHWc conv', () => {
    const plan = ortNchwcLayout(se, 16, () => true);
    expect([...plan.nchwc].sort()).toEqual(['c0', 'c1', 'f1', 'f2', 'gp']);
    expect(plan.reorders.get('m')!.map((r) => [r.kind, r.tensor])).toEqual([['output', 'c0'], ['output', 'f2']]);
    expect(plan.reorders.get('c1')!.map((r) => [r.kind, r.tensor])).toEqual([['input', 'm'], ['output', 'c1']]);
    // The graph input is read directly by c0 (32 channels: reordered in) — charged to c0.
    expect(plan.reorders.get('c0')!.map((r) => [r.kind, r.tensor])).toEqual([['input', 'x']]);
  });
  it('charges each reorder as a copy plus a kernel overhead, only with the block and the rule', () => {
    const r = sim(se, host), plainR = sim(se, without(['nchwc_block_channels'])), noRule = sim(se, noMlas);
    expect(layer(r, 'm').layoutMs).toBeGreaterThan(2 * host.units.cpu.overhead_us_per_layer.value / 1e3);
    expect(layer(plainR, 'm').layoutMs).toBeUndefined();
    expect(layer(noRule, 'm').layoutMs).toBeUndefined();
    expect(r.latencyMs).toBeGreaterThan(plainR.latencyMs);
  });
  it('turns BatchNormalization on an NCHWc tensor into a conv and fuses the Relu after it (DenseNet)', () => {
    const g = yaml([1, 32, 28, 28], [
      '  - {name: c0, op: conv2d, inputs: [x], out_channels: 64, kernel: 3, padding: 1}',
      '  - {name: c1, op: conv2d, inputs: [x], out_channels: 32, kernel: 3, padding: 1}',
      '  - {name: cat, op: concat, inputs: [c0, c1], axis: 1}',
      '  - {name: bn, op: batchnorm, inputs: [cat]}',
      '  - {name: r, op: relu, inputs: [bn]}',
      '  - {name: c2, op: conv2d, inputs: [r], out_channels: 32, kernel: 1}',
    ].join('\n') + '\n');
    const plan = ortNchwcLayout(g, 16, () => true);
    expect(plan.fusedInto.get('r')).toBe('bn');
    // The BN itself is ORT's 1×1 depthwise NCHWc conv: costed with the depthwise class, not element-wise.
    const cpu = host.units.cpu;
    const elems = 96 * 28 * 28;
    const dwEff = cpu.efficiency.depthwise_conv2d.value / (1 + cpu.depthwise_half_taps!.value + cpu.row_half_width!.value / 28);
    expect(layer(sim(g, host), 'bn').computeMs).toBeCloseTo(((2 * elems) / (cpu.peak_ops_per_s.fp32!.value * dwEff)) * 1e3, 12);
    expect(layer(sim(g, host), 'r')).toMatchObject({ latencyMs: 0, fusedInto: 'bn' });
    expect(layer(sim(g, without(['nchwc_block_channels'])), 'r').latencyMs).toBeGreaterThan(0);
    // A concat of 24 + 32 channels is not block-aligned: it stays plain, and so does the BN after it.
    const odd = yaml([1, 32, 28, 28], '  - {name: c0, op: conv2d, inputs: [x], out_channels: 24, kernel: 1}\n  - {name: cat, op: concat, inputs: [c0, x], axis: 1}\n  - {name: bn, op: batchnorm, inputs: [cat]}\n  - {name: r, op: relu, inputs: [bn]}\n');
    expect(ortNchwcLayout(odd, 16, () => true).fusedInto.size).toBe(0);
  });
  it('channel alignment: a 58-channel depthwise conv is one SGEMM per group; a 116-channel one is NCHWc (ShuffleNetV2)', () => {
    const dw = (c: number) => yaml([1, c, 28, 28], `  - {name: d, op: depthwise_conv2d, inputs: [x], kernel: 3, padding: 1}\n`);
    expect(ortNchwcLayout(dw(58), 16, () => true).perGroupConvs.has('d')).toBe(true);
    expect(ortNchwcLayout(dw(116), 16, () => true).nchwc.has('d')).toBe(true);
    const perGroup = layer(sim(dw(58), host), 'd').latencyMs - layer(sim(dw(58), without(['nchwc_block_channels'])), 'd').latencyMs;
    // 57 more kernel calls, and the graph output's reorder is absent for a plain tensor.
    expect(perGroup).toBeCloseTo((57 * host.units.cpu.overhead_us_per_layer.value) / 1e3, 9);
  });
  it('matches the reorder kernels in ORT 1.30 profiles of the zoo exports (counts per kind)', () => {
    // Counted from ORT 1.30 profiles on the project host (AVX-512, block 16): ReorderInput / ReorderOutput.
    const seen: Record<string, [number, number]> = { 'efficientnet-b0': [16, 39], yolov8n: [21, 26], 'mobilenet-v2': [0, 1], 'densenet-121': [0, 1], 'ssd-mobilenet-v1': [0, 12], 'mcunet-in1': [0, 2] };
    for (const [id, [ri, ro]] of Object.entries(seen)) {
      const g = importOnnx(exportOnnx(buildZooModel(id), { seed: 1 }), `${id}.onnx`).graph;
      const all = [...ortNchwcLayout(g, 16, () => true).reorders.values()].flat();
      expect([all.filter((r) => r.kind === 'input').length, all.filter((r) => r.kind === 'output').length], id).toEqual([ri, ro]);
    }
  });
});
