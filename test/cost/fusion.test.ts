/**
 * ONNX Runtime's Conv + residual Add (+ activation) fusion (src/cost/fusion.ts): applied only where a
 * unit's runtime declares it, with ORT's rules for which Adds qualify.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/cost/index.ts';
import { convAddFusions, type ConvAddRule } from '../../src/cost/fusion.ts';
import { runtimeFusions } from '../../src/cost/simulate.ts';
import { loadYamlModel } from '../../src/graph/yaml-model.ts';
import type { Graph } from '../../src/graph/types.ts';
import { parseProfile, type HardwareProfile } from '../../src/hardware/index.ts';
import { exportOnnx, importOnnx } from '../../src/import/index.ts';
import { withOrtFusions } from '../../src/import/host-fit.ts';
import { buildZooModel } from '../../src/zoo/index.ts';

const profile = (id: string): HardwareProfile => parseProfile(readFileSync(`hardware-profiles/${id}.yaml`, 'utf8'), `hardware-profiles/${id}.yaml`);
const host = profile('host');
/** The host profile as if its runtime did no Conv + Add fusion (its MLAS kernel costs kept). */
const cpuNoFusion = { ...host.units.cpu, kernel_fusions: { ort_mlas_kernels: host.units.cpu.kernel_fusions!.ort_mlas_kernels! } };
const hostUnfused: HardwareProfile = { ...host, units: { ...host.units, cpu: cpuNoFusion } };

const C = 32, HW = 28;
/** x → pool → c0 (conv+relu) → c1 (conv) → add(c1, pool) → relu → c2: a ResNet basic block. */
const block = (o: { addInputs?: string; act?: string; c1Act?: boolean; extra?: string; bias?: boolean } = {}) => loadYamlModel(`name: block
input: {name: x, shape: [1, ${C}, ${HW}, ${HW}]}
layers:
  - {name: pool, op: max_pool, inputs: [x], kernel: 1, stride: 1}
  - {name: c0, op: conv2d, inputs: [pool], out_channels: ${C}, kernel: 3, padding: 1, batchnorm: true, activation: relu}
  - {name: c1, op: conv2d, inputs: [c0], out_channels: ${C}, kernel: 3, padding: 1${o.bias === false ? ', bias: false' : ', batchnorm: true'}${o.c1Act ? ', activation: relu' : ''}}
  - {name: add, op: add, inputs: [${o.addInputs ?? 'c1, pool'}]}
  - {name: act, op: ${o.act ?? 'relu'}, inputs: [add]}
  - {name: c2, op: conv2d, inputs: [act], out_channels: ${C}, kernel: 3, padding: 1, batchnorm: true}
${o.extra ?? ''}`, 'block.yaml');

const sim = (g: Graph, p: HardwareProfile, extra: { runtime?: string; precision?: 'fp32' | 'int8' } = {}) =>
  simulate(g, p, { precision: extra.precision ?? 'fp32', batch: 1, threads: 1, ...(extra.runtime ? { runtime: extra.runtime } : {}) });
const layer = (r: ReturnType<typeof sim>, n: string) => r.layers.find((l) => l.name === n)!;
const rule = (g: Graph, f: ConvAddRule) => convAddFusions(g, f, () => true);

describe('Conv + residual Add + ReLU on the host (ONNX Runtime CPU EP)', () => {
  it('costs less fused than unfused: the Add and ReLU add no kernel, the Conv reads the skip tensor once', () => {
    const g = block();
    const fused = sim(g, host), plain = sim(g, hostUnfused);
    expect(fused.latencyMs).toBeLessThan(plain.latencyMs);
    for (const n of ['add', 'act']) {
      expect(layer(fused, n)).toMatchObject({ latencyMs: 0, bytes: 0, fusedInto: 'c1' });
      expect(layer(plain, n).latencyMs).toBeGreaterThan(0);
      expect(layer(plain, n).fusedInto).toBeUndefined();
    }
    const skipBytes = C * HW * HW * 4;
    expect(layer(fused, 'c1').bytes).toBe(layer(plain, 'c1').bytes + skipBytes);
    // What fusion saves is what the Add and the ReLU cost, less the Conv's extra read.
    const saved = plain.latencyMs - fused.latencyMs;
    expect(saved).toBeCloseTo(layer(plain, 'add').latencyMs + layer(plain, 'act').latencyMs - (layer(fused, 'c1').latencyMs - layer(plain, 'c1').latencyMs), 9);
    // Every other layer costs the same.
    for (const n of ['pool', 'c0', 'c2']) expect(layer(fused, n).latencyMs).toBe(layer(plain, n).latencyMs);
  });

  it('an Add that keeps its ReLU (zoo graphs) costs the same as Add then ReLU (imported graphs)', () => {
    const split = block();
    const kept = loadYamlModel(`name: kept
input: {name: x, shape: [1, ${C}, ${HW}, ${HW}]}
layers:
  - {name: pool, op: max_pool, inputs: [x], kernel: 1, stride: 1}
  - {name: c0, op: conv2d, inputs: [pool], out_channels: ${C}, kernel: 3, padding: 1, batchnorm: true, activation: relu}
  - {name: c1, op: conv2d, inputs: [c0], out_channels: ${C}, kernel: 3, padding: 1, batchnorm: true}
  - {name: add, op: add, inputs: [c1, pool], activation: relu}
  - {name: c2, op: conv2d, inputs: [add], out_channels: ${C}, kernel: 3, padding: 1, batchnorm: true}
`, 'kept.yaml');
    expect(sim(kept, host).latencyMs).toBeCloseTo(sim(split, host).latencyMs, 12);
  });

  it('residual networks come out faster on the host, and unchanged on every device that declares no fusion', () => {
    const g = buildZooModel('resnet-50');
    const r = sim(g, host);
    expect(r.latencyMs).toBeLessThan(sim(g, hostUnfused).latencyMs);
    // All 16 bottleneck Adds (each keeping its ReLU) run inside a Conv.
    expect(r.layers.filter((l) => l.op === 'add' && l.fusedInto).length).toBe(16);
    for (const id of ['raspberry-pi-5', 'raspberry-pi-4', 'jetson-orin-nano-8gb', 'pixel-4']) {
      const p = profile(id);
      const r = simulate(g, p, { precision: 'fp32', batch: 1 });
      expect(r.layers.some((l) => l.fusedInto !== undefined), id).toBe(false);
      expect(runtimeFusions(g, p, undefined, () => ({ unit: p.default_unit, precision: 'fp32' })).fusedInto.size, id).toBe(0);
    }
  });

  it('is not applied under a named runtime that does not declare it, nor at int8', () => {
    const g = block();
    const withRuntime: HardwareProfile = { ...host, units: { ...host.units, cpu: { ...host.units.cpu, runtimes: { tflite: { match: 'tflite', description: 'TFLite XNNPACK (test)' } } } } };
    expect(layer(sim(g, withRuntime, { runtime: 'TFLite' }), 'add').fusedInto).toBeUndefined();
    expect(layer(sim(g, withRuntime, { runtime: 'TFLite' }), 'add').latencyMs).toBeGreaterThan(0);
    // A runtime name that matches no entry runs the reference runtime (ONNX Runtime here): fused.
    expect(layer(sim(g, withRuntime, { runtime: 'onnxruntime' }), 'add').fusedInto).toBe('c1');
    expect(layer(sim(g, host, { precision: 'int8' }), 'add').fusedInto).toBeUndefined();
    // A named runtime that declares the fusion has it even where the unit's reference has none.
    const declares: HardwareProfile = { ...hostUnfused, units: { cpu: { ...hostUnfused.units.cpu, runtimes: { ort: { match: 'onnx', description: 'ORT (test)', kernel_fusions: { ort_conv_add_activation: { source: 'test' } } } } } } };
    expect(layer(sim(g, declares, { runtime: 'onnxruntime' }), 'add').fusedInto).toBe('c1');
    expect(layer(sim(g, declares), 'add').fusedInto).toBeUndefined();
  });
});

describe('which Adds ORT fuses', () => {
  it('NCHWc (x86-64): the Add\'s other operand must be an NCHWc tensor; a graph input is not', () => {
    expect(rule(block({ addInputs: 'c1, x' }), 'ort_nchwc_conv_sum').byConv.size).toBe(0);
    // ConvAddActivationFusion (no NCHWc) only asks for equal 4-D shapes.
    expect([...rule(block({ addInputs: 'c1, x' }), 'ort_conv_add_activation').byConv.keys()]).toEqual(['c1']);
  });
  it('the Conv must have no fused activation and no other reader; the first qualifying operand absorbs the Add', () => {
    expect(rule(block({ c1Act: true }), 'ort_nchwc_conv_sum').byConv.size).toBe(0);
    const twoReaders = block({ extra: '  - {name: tap, op: global_pool, inputs: [c1]}\n' });
    expect(rule(twoReaders, 'ort_nchwc_conv_sum').byConv.size).toBe(0);
    // Both operands are single-use plain convs: ORT takes operand 0 (seen: "stack2.shortcut_nchwc").
    const both = block({ addInputs: 'sc, c1', extra: '  - {name: sc, op: conv2d, inputs: [pool], out_channels: 32, kernel: 1, batchnorm: true}\n' });
    expect(rule(both, 'ort_nchwc_conv_sum').byConv.get('sc')).toEqual({ conv: 'sc', add: 'add', otherInput: 1, activation: 'act' });
    expect(rule(both, 'ort_nchwc_conv_sum').byConv.has('c1')).toBe(false);
  });
  it('the activation after the Add: NCHWc fuses Relu/Sigmoid but leaves Clip (ReLU6); ConvAddActivationFusion fuses Clip too', () => {
    const r6 = block({ act: 'relu6' });
    expect(rule(r6, 'ort_nchwc_conv_sum').byConv.get('c1')).toEqual({ conv: 'c1', add: 'add', otherInput: 1 });
    expect(rule(r6, 'ort_conv_add_activation').byConv.get('c1')).toEqual({ conv: 'c1', add: 'add', otherInput: 1, activation: 'act' });
    expect(rule(block({ act: 'sigmoid' }), 'ort_nchwc_conv_sum').byConv.get('c1')?.activation).toBe('act');
  });
  it('ConvAddActivationFusion needs a Conv bias; neither rule fuses broadcast Adds or open-shape graphs', () => {
    expect(rule(block({ bias: false }), 'ort_conv_add_activation').byConv.size).toBe(0);
    expect(rule(block({ bias: false }), 'ort_nchwc_conv_sum').byConv.size).toBe(1);
    const bcast = block({ addInputs: 'c1, gp', extra: '  - {name: gp, op: global_pool, inputs: [pool]}\n' });
    for (const f of ['ort_nchwc_conv_sum', 'ort_conv_add_activation'] as const) {
      expect(rule(bcast, f).byConv.size).toBe(0);
      expect(rule({ ...block(), openInputShape: true }, f).byConv.size).toBe(0);
    }
  });
  it('an imported ONNX file with open H/W is flagged, a static one is not', () => {
    const back = importOnnx(exportOnnx(buildZooModel('resnet8-cifar'), { seed: 1 }), 'r8.onnx').graph;
    expect(back.openInputShape).toBeUndefined();
    expect(rule(back, 'ort_nchwc_conv_sum').byConv.size).toBe(3);
  });
});

describe('calibrate sets the fusion of the machine\'s architecture', () => {
  it('x64: NCHWc Sum fusion; arm64: ConvAddActivationFusion', () => {
    const base = profile('raspberry-pi-5');
    expect(Object.keys(withOrtFusions(base, 'x64').units[base.default_unit].kernel_fusions!)).toEqual(['ort_nchwc_conv_sum', 'ort_mlas_kernels']);
    expect(Object.keys(withOrtFusions(base, 'arm64').units[base.default_unit].kernel_fusions!)).toEqual(['ort_conv_add_activation', 'ort_mlas_kernels']);
    // The NCHWc block comes from the CPU's flags (x86-64 only): 16 with AVX-512F, 8 with AVX2.
    expect(withOrtFusions(base, 'x64', ['fpu', 'avx2', 'avx512f']).units[base.default_unit].nchwc_block_channels?.value).toBe(16);
    expect(withOrtFusions(base, 'x64', ['fpu', 'avx2']).units[base.default_unit].nchwc_block_channels?.value).toBe(8);
    expect(withOrtFusions(base, 'arm64', ['fp', 'asimd']).units[base.default_unit].nchwc_block_channels).toBeUndefined();
    // The host profile's own citation is kept.
    expect(withOrtFusions(host, 'x64').units.cpu.kernel_fusions).toEqual(host.units.cpu.kernel_fusions);
  });
});
