import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EdgeplanError, formatError } from '../../src/errors/index.ts';
import { applyProfileOverrides, parseProfile, resolveDeviceId, type HardwareProfile } from '../../src/hardware/index.ts';

const dir = new URL('../../hardware-profiles/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const texts = new Map(files.map((f) => [f, readFileSync(new URL(f, dir), 'utf8')]));
const profiles = new Map<string, HardwareProfile>(files.map((f) => [f.replace(/\.yaml$/, ''), parseProfile(texts.get(f)!, `hardware-profiles/${f}`)]));
const get = (id: string) => profiles.get(id)!;

const REQUIRED = [
  'jetson-orin-nano-8gb', 'jetson-orin-nano-super', 'jetson-orin-nx-16gb', 'jetson-agx-orin-64gb',
  'coral-usb', 'coral-devboard', 'coral-usb-rpi5', 'iphone-12-pro', 'pixel-1', 'pixel-2', 'pixel-3', 'pixel-4',
  'raspberry-pi-4', 'raspberry-pi-5', 'rk3588', 'rk3576', 'rk3566', 'hailo-8', 'stm32h7a3', 'stm32l4r5', 'stm32u575',
  'stm32u585', 'stm32f746', 'psoc6', 'nrf5340', 'host',
];
const MCUS = ['stm32h7a3', 'stm32l4r5', 'stm32u575', 'stm32u585', 'stm32f746', 'psoc6', 'nrf5340'];

/** Every number in `node` with its path and the object holding it. */
function numbers(node: unknown, path: string, parent: unknown, key: string | number, out: { path: string; parent: unknown; key: string | number }[] = []) {
  if (typeof node === 'number') out.push({ path, parent, key });
  else if (Array.isArray(node)) node.forEach((x, i) => numbers(x, `${path}[${i}]`, node, i, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) numbers(v, `${path}.${k}`, node, k, out);
  return out;
}

describe('shipped hardware profiles', () => {
  it('has every required device, each parsing, with id = file name', () => {
    expect(files.length).toBeGreaterThanOrEqual(REQUIRED.length);
    for (const id of REQUIRED) expect(profiles.has(id), id).toBe(true);
    for (const [id, p] of profiles) expect(p.id).toBe(id);
  });

  it('ids and aliases are globally unique (case-insensitive)', () => {
    const owner = new Map<string, string>();
    for (const p of profiles.values()) {
      for (const name of [p.id, ...p.aliases]) {
        expect(owner.get(name.toLowerCase()), `${name} in ${p.id}`).toBeUndefined();
        owner.set(name.toLowerCase(), p.id);
      }
    }
  });

  it('resolves ids and aliases', () => {
    const all = [...profiles.values()];
    expect(resolveDeviceId('jetson-orin-nano', all)).toBe('jetson-orin-nano-8gb');
    expect(resolveDeviceId('Jetson-Orin-Nano', all)).toBe('jetson-orin-nano-8gb');
    for (const p of all) {
      expect(resolveDeviceId(p.id, all)).toBe(p.id);
      for (const a of p.aliases) expect(resolveDeviceId(a, all)).toBe(p.id);
    }
  });

  it('every number is the value (or the pre-fit prior) of an object with a non-empty source', () => {
    for (const p of profiles.values()) {
      for (const n of numbers(p, p.id, undefined, '')) {
        const src = (n.parent as { source?: unknown } | undefined)?.source;
        expect((n.key === 'value' || n.key === 'prior') && typeof src === 'string' && src.trim().length > 0, n.path).toBe(true);
      }
    }
  });

  it('fitted numbers keep their prior and are marked estimates, so refits regularise toward the datasheet, not the last fit', () => {
    for (const p of profiles.values()) {
      for (const n of numbers(p, p.id, undefined, '')) {
        const o = n.parent as { source?: string; prior?: number; estimate?: boolean };
        if (n.key !== 'value' || !o.source?.startsWith('fitted by scripts/fit-profiles.ts')) continue;
        expect(typeof o.prior, `${n.path} has no prior`).toBe('number');
        expect(o.estimate, n.path).toBe(true);
      }
    }
  });

  it('runtime match patterns select the intended runtime for the published runtime names', async () => {
    const { runtimeFor } = await import('../../src/cost/index.ts');
    const pi5 = get('raspberry-pi-5').units.cpu;
    expect(runtimeFor(pi5, 'NCNN (Ultralytics export)')?.id).toBe('ncnn');
    expect(runtimeFor(pi5, 'ONNX (Ultralytics export)')?.id).toBe('onnxruntime');
    expect(runtimeFor(pi5, 'TF Lite (Ultralytics export)')?.id).toBe('tflite-ultralytics');
    expect(runtimeFor(pi5, 'TensorFlow')?.id).toBe('tensorflow');
    expect(runtimeFor(pi5, 'TensorFlow Lite')).toBeUndefined(); // the reference runtime
    expect(runtimeFor(pi5, 'pytorch')?.id).toBe('pytorch'); // an id works too
    expect(runtimeFor(get('coral-usb').units.tpu, 'Edge TPU (edgetpu API)')?.id).toBe('edgetpu-python');
    expect(runtimeFor(get('coral-usb').units.tpu, 'TFLite + libedgetpu')).toBeUndefined();
  });

  it('Jetson GPU int8 peaks are dense: half of NVIDIA\'s sparse headline (device-specs.md §2)', () => {
    // Orin Nano 8GB: 'Up to 40 (Sparse) INT8 TOPs'; Super: 67 sparse; AGX Orin 64GB MAXN: GPU 171 of 275 sparse.
    const cases: [string, number][] = [['jetson-orin-nano-8gb', 20e12], ['jetson-orin-nano-super', 33.5e12], ['jetson-agx-orin-64gb', 85.5e12]];
    for (const [id, dense] of cases) {
      const gpu = get(id).units.gpu;
      expect(gpu.peak_ops_per_s.int8?.value, id).toBeCloseTo(dense, -6);
      expect(gpu.peak_ops_per_s.int8?.estimate, id).toBeUndefined();
      expect(gpu.sparse_speedup_2_4?.value, id).toBe(2);
    }
    // Per AGX DLA: 105 sparse for both -> 52.5 dense -> 26.25 each.
    expect(get('jetson-agx-orin-64gb').units.dla0.peak_ops_per_s.int8?.value).toBeCloseTo(26.25e12, -6);
  });

  it('Edge TPU units run int8 only, at 4 TOPS', () => {
    const tpus = [...profiles.values()].flatMap((p) => Object.entries(p.units).filter(([, u]) => u.kind === 'tpu').map(([uid, u]) => [`${p.id}.${uid}`, u] as const));
    expect(tpus.map(([n]) => n)).toEqual(expect.arrayContaining(['coral-usb.tpu', 'coral-devboard.tpu', 'coral-usb-rpi4.tpu', 'coral-usb-rpi5.tpu']));
    for (const [name, u] of tpus) {
      expect(u.precisions, name).toEqual(['int8']);
      expect(Object.keys(u.peak_ops_per_s), name).toEqual(['int8']);
      expect(u.peak_ops_per_s.int8?.value, name).toBe(4e12);
    }
    // The Coral compiler puts everything from the first unsupported op on the CPU.
    for (const id of ['coral-usb', 'coral-devboard', 'coral-usb-rpi4', 'coral-usb-rpi5']) expect(get(id).units.tpu.partition_rule, id).toBe('first_unsupported_rest_on_fallback');
  });

  it('MCUs keep weights in flash and activations in SRAM', () => {
    const mcuClass = [...profiles.values()].filter((p) => p.class === 'mcu').map((p) => p.id).sort();
    expect(mcuClass).toEqual([...MCUS].sort());
    for (const id of MCUS) {
      const p = get(id);
      expect(p.memory[p.weights_in].kind, id).toBe('flash');
      expect(p.memory[p.activations_in].kind, id).toBe('sram');
    }
  });
});

/** Replaces the first `from` after `anchor` and returns the new text and the 1-based line of the edit. */
function edit(text: string, anchor: string, from: string, to: string): { text: string; line: number } {
  const a = text.indexOf(anchor);
  const i = text.indexOf(from, a);
  if (a < 0 || i < 0) throw new Error(`fixture edit failed: ${anchor} / ${from}`);
  return { text: text.slice(0, i) + to + text.slice(i + from.length), line: text.slice(0, i).split('\n').length };
}

function errorOf(fn: () => unknown): EdgeplanError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EdgeplanError) return e;
    throw e;
  }
  throw new Error('expected an EdgeplanError');
}

const nano = texts.get('jetson-orin-nano-8gb.yaml')!;
const agx = texts.get('jetson-agx-orin-64gb.yaml')!;

describe('bad profiles: one line naming file:line and a fix', () => {
  const cases: [string, { text: string; line: number }, RegExp][] = [
    ['malformed YAML', edit(nano, 'power_mode:', 'power_mode: "15W', 'power_mode: 15W: "15W'), /YAML syntax error: Nested mappings/],
    ['unknown field', edit(nano, '  gpu:', 'fallback: cpu', 'fallbak: cpu'), /unknown field 'fallbak'.*did you mean 'fallback'/],
    ['fallback to a missing unit', edit(agx, '  dla0:', 'fallback: gpu', 'fallback: gpu0'), /fallback 'gpu0' of unit 'dla0' is not a unit.*use one of: gpu, dla1, cpu/],
    ['negative bandwidth', edit(nano, '  dram:', 'bandwidth_bytes_per_s: {value: 6.8e+10', 'bandwidth_bytes_per_s: {value: -6.8e+10'), /memory\.dram\.bandwidth_bytes_per_s\.value.*must be ≥ 0|must be ≥ 0.*memory\.dram\.bandwidth_bytes_per_s/],
    ['zero bandwidth', edit(nano, '  dram:', 'bandwidth_bytes_per_s: {value: 6.8e+10', 'bandwidth_bytes_per_s: {value: 0'), /must be > 0 \(got 0\).*memory\.dram\.bandwidth_bytes_per_s/],
    ['unknown default_unit', edit(nano, 'default_unit:', 'gpu', 'npu'), /default_unit 'npu' is not a unit.*use one of: gpu, cpu/],
    ['unknown weights_in', edit(nano, 'weights_in:', 'dram', 'flash'), /weights_in 'flash' is not a memory level.*use one of: dram, cpu_l3/],
    ['unknown onchip_memory', edit(nano, 'onchip_memory:', 'cpu_l3', 'l3'), /on-chip memory 'l3'.*use one of: dram, cpu_l3/],
    ['precision without a peak', edit(nano, '  gpu:', 'precisions: [fp32, fp16, int8]', 'precisions: [fp32, fp16, int8, int4]'), /lists precision int4 but has no peak_ops_per_s\.int4/],
    ['efficiency above 1', edit(nano, 'efficiency:', 'conv2d: {value: 0.5', 'conv2d: {value: 1.5'), /efficiency must be in \(0, 1\] \(got 1\.5\)/],
    // Reported once, at the first unit of the loop in file order (gpu's fallback line).
    ['fallback cycle', { text: edit(agx, '  cpu:', 'partition_rule: any', 'partition_rule: any\n    fallback: dla0').text, line: edit(agx, '  gpu:', 'fallback: cpu', 'fallback: cpu').line }, /fallback chain loops: gpu → cpu → dla0 → gpu/],
  ];

  it.each(cases)('%s', (_name, { text, line }, re) => {
    const file = 'profiles/bad.yaml';
    const err = errorOf(() => parseProfile(text, file));
    const msg = formatError(err);
    expect(msg.split('\n')).toHaveLength(1);
    expect(msg).toMatch(re);
    expect(msg).toMatch(/ — fix: /);
    expect(msg).toContain(`${file}:${line}:`);
  });

  it('unknown device id suggests the nearest ids, mapping aliases back to ids', () => {
    const all = [...profiles.values()];
    const err = errorOf(() => resolveDeviceId('orin-nanoo', all));
    expect(err.code).toBe('unknown_device');
    const msg = formatError(err);
    expect(msg).toMatch(/unknown device 'orin-nanoo' — fix: did you mean 'jetson-orin-nano-8gb'.*\(edgeplan devices lists all\)/);
    expect(msg).not.toMatch(/'orin-nano'/);
    // Named in a scenario, the loader adds the file and line.
    expect(formatError(err.withLocation({ file: 'scenario.yaml', line: 3, path: 'device' }))).toContain('scenario.yaml:3: unknown device');
    expect(formatError(errorOf(() => resolveDeviceId('orin', all)))).toMatch(/did you mean 'jetson-[a-z-]*orin[a-z0-9-]*' or 'jetson-[a-z-]*orin/);
    const none = formatError(errorOf(() => resolveDeviceId('zzzzzzzzzzzzzzzz', all)));
    expect(none).toMatch(/edgeplan devices/);
  });
});

describe('applyProfileOverrides', () => {
  const p = get('jetson-agx-orin-64gb');

  it('scales peaks by the clock ratio when only the clock changes', () => {
    const q = applyProfileOverrides(p, { units: { gpu: { clock_mhz: { value: 650 } } } });
    expect(q.units.gpu.clock_mhz?.value).toBe(650);
    expect(q.units.gpu.clock_mhz?.source).toMatch(/scenario override/);
    expect(q.units.gpu.peak_ops_per_s.int8?.value).toBeCloseTo(85.5e12 / 2, -6);
    expect(q.units.gpu.peak_ops_per_s.int8?.source).toMatch(/650\/1300 MHz/);
    expect(q.units.dla0).toBe(p.units.dla0);
    expect(p.units.gpu.clock_mhz?.value).toBe(1300); // input untouched
  });

  it('keeps explicitly overridden peaks, accepts bare numbers, merges memory', () => {
    const q = applyProfileOverrides(p, {
      units: { gpu: { clock_mhz: 650, peak_ops_per_s: { int8: { value: 50e12, source: 'measured' } } } },
      memory: { dram: { bandwidth_bytes_per_s: { value: 1e11 } } },
    });
    expect(q.units.gpu.peak_ops_per_s.int8).toEqual({ value: 50e12, source: 'measured' });
    expect(q.units.gpu.peak_ops_per_s.fp16?.value).toBe(p.units.gpu.peak_ops_per_s.fp16?.value);
    expect(q.memory.dram.bandwidth_bytes_per_s.value).toBe(1e11);
    expect(q.memory.dram.size_bytes).toEqual(p.memory.dram.size_bytes);
  });

  it('rejects overrides that break the profile, naming the field', () => {
    const e1 = errorOf(() => applyProfileOverrides(p, { units: { gpu: { efficiency: { conv2d: 2 } } } }));
    expect(e1.code).toBe('bad_value');
    expect(formatError(e1)).toMatch(/efficiency must be in \(0, 1\].*at units\.gpu\.efficiency\.conv2d\.value/);
    const e2 = errorOf(() => applyProfileOverrides(p, { units: { gpu: { clock_mhx: 100 } } }));
    expect(formatError(e2)).toMatch(/unknown field 'clock_mhx'.*did you mean 'clock_mhz'/);
    const e3 = errorOf(() => applyProfileOverrides(p, { default_unit: 'npu' }));
    expect(formatError(e3)).toMatch(/default_unit 'npu'.*use one of: gpu, dla0, dla1, cpu/);
  });
});
