import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/cost/index.ts';
import { GraphBuilder } from '../../src/graph/index.ts';
import { parseProfile, type HardwareProfile } from '../../src/hardware/index.ts';
import { buildZooModel } from '../../src/zoo/index.ts';
import { runCli } from '../helpers.ts';

const profile = (id: string): HardwareProfile => parseProfile(readFileSync(`hardware-profiles/${id}.yaml`, 'utf8'), `hardware-profiles/${id}.yaml`);

describe('roofline cost model behaviour', () => {
  it('int8 beats fp32 on the Orin GPU', () => {
    const g = buildZooModel('resnet-50');
    const p = profile('jetson-orin-nano-8gb');
    const fp32 = simulate(g, p, { precision: 'fp32', batch: 1 }).latencyMs;
    const int8 = simulate(g, p, { precision: 'int8', batch: 1 }).latencyMs;
    expect(int8).toBeLessThan(fp32 / 2);
  });

  it('Edge TPU MobileNetV2 224 int8 takes a few ms over USB3 and more over USB2', () => {
    const g = buildZooModel('mobilenet-v2');
    const p = profile('coral-usb');
    const usb3 = simulate(g, p, { precision: 'int8', batch: 1, link: 'usb3' }).latencyMs;
    const usb2 = simulate(g, p, { precision: 'int8', batch: 1, link: 'usb2' }).latencyMs;
    expect(usb3).toBeGreaterThan(1);
    expect(usb3).toBeLessThan(10);
    expect(usb2).toBeGreaterThan(usb3 * 1.5);
  });

  it('weights beyond the Edge TPU parameter cache slow it with every extra MB', () => {
    const p = profile('coral-usb');
    const cache = p.memory[p.weights_in].size_bytes.value;
    // A chain of 3x3 convs whose int8 weights grow past the cache size.
    const lat = (channels: number) => {
      const b = new GraphBuilder({ name: `chain${channels}`, task: 'classification', inputs: [{ name: 'input', shape: [1, channels, 8, 8], dtype: 'fp32' }], source: 'test' });
      let x = b.input;
      for (let i = 0; i < 8; i++) x = b.add(`conv${i}`, 'conv2d', x, { outChannels: channels, kernel: 3, bias: true });
      const g = b.build();
      const w = g.layers.reduce((s, l) => s + l.weightElements, 0);
      return { w, ms: simulate(g, p, { precision: 'int8', batch: 1 }).latencyMs };
    };
    const pts = [256, 320, 384, 448].map(lat);
    expect(pts[0].w).toBeLessThan(cache);
    expect(pts[3].w).toBeGreaterThan(cache);
    const over = pts.filter((x) => x.w > cache);
    for (let i = 1; i < over.length; i++) {
      const perMb = (over[i].ms - over[i - 1].ms) / ((over[i].w - over[i - 1].w) / 1e6);
      expect(perMb).toBeGreaterThan(1); // ≥ 1 ms per extra MB streamed over USB 3
    }
  });

  it('an op the Edge TPU lacks sends the rest of the graph to the CPU', () => {
    const b = new GraphBuilder({ name: 'tpu-fallback', task: 'classification', inputs: [{ name: 'input', shape: [1, 3, 64, 64], dtype: 'fp32' }], source: 'test' });
    let x = b.add('conv0', 'conv2d', b.input, { outChannels: 16, kernel: 3, bias: true });
    x = b.add('unsupported', 'opaque', x, { opaqueType: 'CustomOp' });
    x = b.add('conv1', 'conv2d', x, { outChannels: 16, kernel: 3, bias: true });
    x = b.add('conv2', 'conv2d', x, { outChannels: 16, kernel: 3, bias: true });
    const r = simulate(b.build(), profile('coral-usb'), { precision: 'int8', batch: 1 });
    expect(r.layers.map((l) => l.unit)).toEqual(['tpu', 'cpu', 'cpu', 'cpu']);
    expect(r.partitions.map((p) => p.unit)).toEqual(['tpu', 'cpu']);
    expect(r.extras.some((e) => e.kind === 'transfer' && e.name.includes('tpu->cpu'))).toBe(true);
  });

  it('on stm32h7a3 a model whose peak activations exceed SRAM does not fit', () => {
    const p = profile('stm32h7a3');
    const small = simulate(buildZooModel('mobilenet-v1-025-vww'), p, { precision: 'int8', batch: 1 });
    expect(small.memory.fits[p.activations_in]).toBe(true);
    const big = simulate(buildZooModel('mobilenet-v2'), p, { precision: 'int8', batch: 1 });
    expect(big.memory.peakActivationBytes).toBeGreaterThan(p.memory[p.activations_in].size_bytes.value);
    expect(big.memory.fits[p.activations_in]).toBe(false);
  });

  it('per-layer latencies plus transfer rows sum to the total', () => {
    for (const [dev, model] of [['coral-usb', 'resnet-50'], ['jetson-orin-nx-16gb', 'yolov8n'], ['stm32f746', 'ds-cnn']] as const) {
      const r = simulate(buildZooModel(model), profile(dev), { precision: 'int8', batch: 1 });
      const sum = r.layers.reduce((s, l) => s + l.latencyMs, 0) + r.extras.reduce((s, e) => s + e.latencyMs, 0);
      expect(sum).toBeCloseTo(r.latencyMs, 9);
      expect(r.partitions.reduce((s, p) => s + p.latencyMs, 0)).toBeCloseTo(r.layers.reduce((s, l) => s + l.latencyMs, 0), 9);
    }
  });

  it('a compute-bound layer never gets faster when MACs grow, and never slower when peak grows', () => {
    const p = profile('raspberry-pi-5');
    const conv = (c: number) => {
      const b = new GraphBuilder({ name: 'c', task: 'x', inputs: [{ name: 'input', shape: [1, 64, 28, 28], dtype: 'fp32' }], source: 'test' });
      b.add('conv', 'conv2d', b.input, { outChannels: c, kernel: 3 });
      return b.build();
    };
    const t = [64, 128, 256].map((c) => simulate(conv(c), p, { precision: 'fp32', batch: 1 }).latencyMs);
    expect(t[1]).toBeGreaterThanOrEqual(t[0]);
    expect(t[2]).toBeGreaterThanOrEqual(t[1]);
    const u = p.units.cpu;
    const faster: HardwareProfile = { ...p, units: { ...p.units, cpu: { ...u, peak_ops_per_s: { ...u.peak_ops_per_s, fp32: { ...u.peak_ops_per_s.fp32!, value: u.peak_ops_per_s.fp32!.value * 2 } } } } };
    expect(simulate(conv(256), faster, { precision: 'fp32', batch: 1 }).latencyMs).toBeLessThanOrEqual(t[2]);
  });
});

describe('Edge TPU weight streaming, dataflow contexts, runtimes', () => {
  it('streamed Edge TPU weights overlap compute: the total is the larger of the two, not their sum', () => {
    const p = profile('coral-usb');
    const r = simulate(buildZooModel('vgg-16'), p, { precision: 'int8', batch: 1 });
    const linkMs = (r.memory.streamedWeightsBytes! / p.links!.usb3.bandwidth_bytes_per_s.value) * 1e3;
    const tpuMs = r.layers.filter((l) => l.unit === 'tpu').reduce((s, l) => s + l.latencyMs, 0);
    expect(linkMs).toBeGreaterThan(tpuMs); // VGG16: link-bound
    const exposed = r.extras.find((e) => e.name.startsWith('stream uncached weights'))!;
    expect(exposed.latencyMs + tpuMs).toBeCloseTo(linkMs, 6);
    expect(r.latencyMs).toBeLessThan(linkMs + tpuMs);
  });

  it('Hailo-8: a model within one context streams at its stage-work rate; a bigger one switches contexts each call', () => {
    const p = profile('hailo-8');
    const one = simulate(buildZooModel('resnet-50'), p, { precision: 'int8', batch: 1 });
    expect(one.contexts).toHaveLength(1);
    expect(one.throughputFps).toBeGreaterThan(1000 / one.latencyMs); // frames overlap in the pipeline
    const two = simulate(buildZooModel('yolov8m', { resolution: 640 }), p, { precision: 'int8', batch: 1 });
    expect(two.contexts!.length).toBeGreaterThan(1);
    expect(two.extras.filter((e) => e.name.startsWith('context switch'))).toHaveLength(two.contexts!.length);
    expect(two.throughputFps).toBeCloseTo(1000 / two.latencyMs, 9);
    // Batch 8 amortizes the switches (Hailo model zoo: yolov8m 67 FPS at batch 1, 141 at batch 8).
    const b8 = simulate(buildZooModel('yolov8m', { resolution: 640 }), p, { precision: 'int8', batch: 8 });
    expect(b8.throughputFps).toBeGreaterThan(1.5 * two.throughputFps);
  });

  it('a runtime scales the unit it matches and leaves the reference runtime alone', () => {
    const p = profile('raspberry-pi-5');
    const g = buildZooModel('yolo11n', { resolution: 640 });
    const ref = simulate(g, p, { precision: 'fp32', batch: 1 });
    const torch = simulate(g, p, { precision: 'fp32', batch: 1, runtime: 'PyTorch (Ultralytics export)' });
    expect(torch.runtime).toBe('pytorch');
    expect(torch.latencyMs).toBeGreaterThan(ref.latencyMs);
    const unknown = simulate(g, p, { precision: 'fp32', batch: 1, runtime: 'SomeOtherRuntime' });
    expect(unknown.runtime).toBeUndefined();
    expect(unknown.latencyMs).toBe(ref.latencyMs);
  });
});

describe('2:4 structured sparsity (layerSparse24)', () => {
  const chain = () => {
    const b = new GraphBuilder({ name: 'sp', task: 'x', inputs: [{ name: 'input', shape: [1, 256, 28, 28], dtype: 'fp32' }], source: 'test' });
    let x = b.input;
    for (let i = 0; i < 4; i++) x = b.add(`conv${i}`, 'conv2d', x, { outChannels: 256, kernel: 3, bias: true });
    return b.build();
  };
  const all = new Set(['conv0', 'conv1', 'conv2', 'conv3']);

  it('on a unit with sparse tensor hardware: compute divides by the realized 1.24–1.47× (not 2×), weights shrink to 0.625 at int8', () => {
    const p = profile('jetson-orin-nx-16gb');
    const dense = simulate(chain(), p, { precision: 'int8', batch: 1 });
    const sparse = simulate(chain(), p, { precision: 'int8', batch: 1, layerSparse24: all });
    for (let i = 0; i < 4; i++) {
      const ratio = dense.layers[i].computeMs / sparse.layers[i].computeMs;
      expect(ratio).toBeGreaterThanOrEqual(1.24);
      expect(ratio).toBeLessThanOrEqual(1.47);
    }
    const g = chain();
    const w = g.layers.reduce((s, l) => s + l.weightElements, 0), bias = g.layers.reduce((s, l) => s + l.biasElements, 0);
    expect(dense.memory.weightsBytes).toBe(w + 4 * bias);
    expect(sparse.memory.weightsBytes).toBe(4 * Math.ceil((w / 4) * 0.625) + 4 * bias);
    expect(sparse.latencyMs).toBeLessThan(dense.latencyMs);
  });

  it('on a unit without it: no speed-up, dense size unless compressed storage is asked for', () => {
    const p = profile('raspberry-pi-5');
    const dense = simulate(chain(), p, { precision: 'int8', batch: 1 });
    const sparse = simulate(chain(), p, { precision: 'int8', batch: 1, layerSparse24: all });
    expect(sparse.latencyMs).toBe(dense.latencyMs);
    expect(sparse.memory.weightsBytes).toBe(dense.memory.weightsBytes);
    const stored = simulate(chain(), p, { precision: 'int8', batch: 1, layerSparse24: all, sparse24CompressedStorage: true });
    expect(stored.memory.weightsBytes).toBeLessThan(0.7 * dense.memory.weightsBytes);
    expect(stored.latencyMs).toBe(dense.latencyMs);
  });
});

describe('edgeplan simulate CLI', () => {
  it('JSON has the contract keys and is byte-identical across runs', async () => {
    const args = ['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v3-large', '--precision', 'int8', '--json'];
    const a = await runCli(args), b = await runCli(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    for (const k of ['device', 'model', 'precision', 'batch', 'latency_ms', 'throughput_fps', 'energy_mj', 'power_w', 'memory', 'macs', 'params', 'partitions', 'layers']) expect(j).toHaveProperty(k);
    expect(j.device).toBe('jetson-orin-nano-8gb');
    for (const k of ['weights_bytes', 'peak_activation_bytes', 'fits']) expect(j.memory).toHaveProperty(k);
    expect(['compute', 'memory', 'overhead', 'transfer']).toContain(j.layers[0].bound);
  });

  it.each([
    [['--device', 'jetson-orin-nanoo', '--model', 'mobilenet-v2'], /unknown device 'jetson-orin-nanoo'.*did you mean 'jetson-orin-nano/],
    [['--device', 'coral-usb', '--model', 'mobilenet-v2', '--unit', 'gpu'], /no unit 'gpu'.*--unit tpu \| cpu/],
    [['--device', 'coral-usb', '--model', 'mobilenet-v2', '--precision', 'fp32'], /cannot run fp32.*--precision int8/],
    [['--device', 'coral-usb', '--model', 'mobilenet-v2', '--link', 'usb4'], /no link 'usb4'/],
  ])('bad input %j → one line, exit 2', async (extra, re) => {
    const r = await runCli(['simulate', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(re);
  });
});

describe('per-precision efficiency', () => {
  it('scales compute time at that precision only, and is fitted where rows cover several precisions', () => {
    const p = profile('pixel-4');
    const cpu = p.units.cpu;
    expect(cpu.precision_efficiency?.int8?.value).toBeDefined();
    const g = buildZooModel('resnet-50');
    const neutral: HardwareProfile = { ...p, units: { ...p.units, cpu: { ...cpu, precision_efficiency: undefined } } };
    const halved: HardwareProfile = { ...p, units: { ...p.units, cpu: { ...cpu, precision_efficiency: { int8: { value: 0.5, source: 'test' } } } } };
    const run = (prof: HardwareProfile, precision: 'fp32' | 'int8') => simulate(g, prof, { precision, unit: 'cpu', batch: 1 });
    // fp32 untouched; int8 compute-bound layers take twice as long.
    expect(run(halved, 'fp32').latencyMs).toBeCloseTo(run(neutral, 'fp32').latencyMs, 9);
    const conv = (r: ReturnType<typeof run>) => r.layers.filter((l) => l.bound === 'compute').reduce((s, l) => s + l.latencyMs, 0);
    const a = run(neutral, 'int8'), b = run(halved, 'int8');
    expect(conv(b)).toBeGreaterThan(1.5 * conv(a));
    expect(b.latencyMs).toBeGreaterThan(a.latencyMs);
  });
});

describe('per-output cost (reduction_half_length)', () => {
  it('slows short-reduction layers more than long ones: time grows by r per output, not by a constant factor', () => {
    const p = profile('stm32l4r5');
    const mcu = p.units.mcu;
    const r = 12;
    const without: HardwareProfile = { ...p, units: { ...p.units, mcu: { ...mcu, reduction_half_length: undefined } } };
    const withR: HardwareProfile = { ...p, units: { ...p.units, mcu: { ...mcu, reduction_half_length: { value: r, source: 'test' } } } };
    // Two convs with equal MACs: a 1×1 over 16 channels (K = 16) and a 3×3 over 64 channels (K = 576).
    const b = new GraphBuilder({ name: 'k-test', task: 'classification', inputs: [{ name: 'input', shape: [1, 16, 24, 24], dtype: 'fp32' }], source: 'test' });
    const narrow = b.add('narrow', 'conv2d', b.input, { outChannels: 64, kernel: 1, bias: true });
    const wide = b.add('wide', 'conv2d', narrow, { outChannels: 64, kernel: 3, padding: 'same', bias: true });
    b.add('dw', 'depthwise_conv2d', wide, { kernel: 3, padding: 'same', bias: true });
    const g = b.build();
    const compute = (prof: HardwareProfile) => new Map(simulate(g, prof, { precision: 'int8', batch: 1 }).layers.map((l) => [l.name, l.latencyMs - prof.units.mcu.overhead_us_per_layer.value / 1e3]));
    const a = compute(without), c = compute(withR);
    // Each layer's compute time scales by 1 + r/K, K = MACs per output.
    for (const l of g.layers) {
      const k = l.macs / l.outputShape.reduce((x, y) => x * y, 1);
      expect(c.get(l.name)! / a.get(l.name)!).toBeCloseTo(1 + r / k, 6);
    }
    expect(c.get('narrow')! / a.get('narrow')!).toBeGreaterThan(c.get('wide')! / a.get('wide')!);
  });
});
