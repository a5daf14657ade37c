/**
 * Reads the params/MACs check figures out of ../shared/research/model-reference.md (a vendored
 * copy in test/fixtures is the fallback when shared/ is not beside the repo), so the zoo is
 * compared against every row of that file that covers one of its models.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SHARED = resolve(here, '../../../shared/research/model-reference.md');
const VENDORED = resolve(here, '../fixtures/model-reference.md');
export const REFERENCE_FILE = existsSync(SHARED) ? SHARED : VENDORED;

export type ParamsConvention =
  /** trainable params with BN γ and β (torchvision, ultralytics) */
  | 'framework'
  /** TF-slim and the MobileNetV3 paper: conv/linear kernels and explicit biases, no BN variables */
  | 'weights-only'
  /** stored in a .tflite after BN folding: weights + per-channel bias */
  | 'stored';
export type MacsConvention =
  | 'conv-linear'
  /** TF profiler MAdds of EfficientNet-Lite: also counts ~3 element-wise ops per BN output element */
  | 'tf-elementwise';

export interface ReferenceRow {
  readonly source: string;
  readonly id: string;
  readonly resolution?: number;
  readonly widthMultiplier?: number;
  readonly params?: number;
  /** Absolute tolerance on params: max(0.5 %, one unit in the last printed digit). */
  readonly paramsTol?: number;
  readonly paramsConvention: ParamsConvention;
  readonly macs?: number;
  readonly macsTol?: number;
  readonly macsConvention: MacsConvention;
}

/**
 * One unit in the last printed digit, e.g. "5.4" M → 0.1 M: short figures in READMEs and papers
 * are rounded or truncated (the V3 paper prints torchvision's 5.48 M as "5.4 M"), so a value
 * printed with k digits only pins the count to within one unit of its last digit.
 */
function halfUlp(text: string, scale: number): number {
  const dec = text.includes('.') ? text.split('.')[1].replace(/\D.*$/, '').length : 0;
  return 10 ** -dec * scale;
}
const num = (s: string) => Number(s.replace(/[, ]/g, ''));
const pTol = (v: number, text: string, scale: number) => Math.max(0.005 * v, halfUlp(text, scale));
const mTol = (v: number, text: string, scale: number) => Math.max(0.02 * v, halfUlp(text, scale));

function section(md: string, heading: RegExp): string {
  const start = md.search(heading);
  if (start < 0) throw new Error(`reference file has no section ${heading}`);
  const rest = md.slice(start + 1);
  const next = rest.search(/\n## /);
  return next < 0 ? rest : rest.slice(0, next);
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

const TORCHVISION_IDS: Record<string, [string, number?]> = {
  resnet18: ['resnet-18'], resnet50: ['resnet-50'], mobilenet_v2: ['mobilenet-v2'],
  mobilenet_v3_small: ['mobilenet-v3-small'], mobilenet_v3_large: ['mobilenet-v3-large'],
  efficientnet_b0: ['efficientnet-b0'], shufflenet_v2_x0_5: ['shufflenet-v2', 0.5], shufflenet_v2_x1_0: ['shufflenet-v2', 1.0],
  squeezenet1_1: ['squeezenet-1.1'], vit_b_16: ['vit-b-16'],
  mnasnet1_0: ['mnasnet-1.0'], densenet121: ['densenet-121'], vgg16: ['vgg-16'], resnet101: ['resnet-101'],
};

export interface ReferenceSet {
  readonly rows: ReferenceRow[];
  /** Rows of the file naming architectures the zoo does not build, with why they are skipped. */
  readonly skipped: string[];
}

export function readReferenceRows(md = readFileSync(REFERENCE_FILE, 'utf8')): ReferenceSet {
  const rows: ReferenceRow[] = [];
  const skipped: string[] = [];

  // §1 torchvision table and the MACs-vs-resolution table.
  const s1 = section(md, /\n## 1\./);
  for (const r of tableRows(s1)) {
    const [model, , params, input, gmacs] = r;
    if (r.length === 6 && /^\d/.test(params ?? '')) {
      const m = TORCHVISION_IDS[model];
      if (!m) { skipped.push(`§1 ${model} (not in the zoo)`); continue; }
      const p = num(params.split(' ')[0]);
      const g = gmacs.split(' ')[0];
      rows.push({ source: `§1 torchvision ${model}`, id: m[0], widthMultiplier: m[1], resolution: num(input), params: p, paramsTol: 0.005 * p, paramsConvention: 'framework', macs: num(g) * 1e9, macsTol: mTol(num(g) * 1e9, g, 1e9), macsConvention: 'conv-linear' });
    } else if (/\(M\)$/.test(model) && r.length === 8) {
      const header = tableRows(s1).find((h) => h[0] === 'model' && h[1] === '96')!;
      const id = TORCHVISION_IDS[model.replace(/ \(M\)$/, '')]![0];
      r.slice(1).forEach((v, i) => rows.push({ source: `§1 MACs vs resolution ${model} @${header[i + 1]}`, id, resolution: num(header[i + 1]), macs: num(v) * 1e6, macsTol: mTol(num(v) * 1e6, v, 1e6), paramsConvention: 'framework', macsConvention: 'conv-linear' }));
    }
  }

  // §2 TF-slim MobileNetV3 and V2 tables, and the V3 paper figures.
  const s2 = section(md, /\n## 2\./);
  for (const r of tableRows(s2)) {
    const v3 = /^V3-(Large|Small) (1\.0|0\.75) (float|8-bit)$/.exec(r[0]);
    if (v3) {
      if (v3[1] === 'Small') { skipped.push(`§2 TF-slim ${r[0]} (the early-version Small, 66 M / 2.9 M; the file says torchvision and the final paper use 56 M / 2.5 M)`); continue; }
      const p = num(r[2]) * 1e6;
      rows.push({ source: `§2 TF-slim ${r[0]}`, id: 'mobilenet-v3-large', resolution: 224, widthMultiplier: num(v3[2]), params: p, paramsTol: pTol(p, r[2], 1e6), paramsConvention: 'weights-only', macs: num(r[1]) * 1e6, macsTol: mTol(num(r[1]) * 1e6, r[1], 1e6), macsConvention: 'conv-linear' });
      continue;
    }
    if (/^V3-.*minimalistic/.test(r[0])) { skipped.push(`§2 ${r[0]} (minimalistic variant not in the zoo)`); continue; }
    const v2 = /^mobilenet_v2_(\d\.\d+)_(\d+)$/.exec(r[0]);
    if (v2) {
      const p = num(r[2]) * 1e6;
      rows.push({ source: `§2 TF-slim ${r[0]}`, id: 'mobilenet-v2', widthMultiplier: num(v2[1]), resolution: num(v2[2]), params: p, paramsTol: pTol(p, r[2], 1e6), paramsConvention: 'weights-only', macs: num(r[1]) * 1e6, macsTol: mTol(num(r[1]) * 1e6, r[1], 1e6), macsConvention: 'conv-linear' });
    }
  }
  const paper = (/Table 3, MAdds at 224\): (.*?)\.\s*\n/s.exec(s2)?.[1] ?? '').replace(/\s+/g, ' ');
  for (const m of paper.matchAll(/(Large|Small) (1\.0|0\.75) = [\d.]+ % \/ (\d+) M(?: MAdds)? \/ ([\d.]+) M/g)) {
    const p = num(m[4]) * 1e6, mac = num(m[3]) * 1e6;
    rows.push({ source: `§2 MobileNetV3 paper ${m[1]} ${m[2]}`, id: `mobilenet-v3-${m[1].toLowerCase()}`, resolution: 224, widthMultiplier: num(m[2]), params: p, paramsTol: pTol(p, m[4], 1e6), paramsConvention: 'weights-only', macs: mac, macsTol: mTol(mac, m[3], 1e6), macsConvention: 'conv-linear' });
  }

  // §3 EfficientNet-Lite README.
  for (const r of tableRows(section(md, /\n## 3\./))) {
    const m = /^lite(\d)$/.exec(r[0]);
    if (!m) continue;
    const res = num(r[1].replace(/[()]/g, '').split(',')[2]);
    const p = num(r[2].replace('M', '')) * 1e6;
    const madds = r[3].endsWith('B') ? num(r[3].replace('B', '')) * 1e9 : num(r[3].replace('M', '')) * 1e6;
    const mtext = r[3].replace(/[MB]$/, '');
    rows.push({ source: `§3 EfficientNet-Lite README lite${m[1]}`, id: `efficientnet-lite${m[1]}`, resolution: res, params: p, paramsTol: pTol(p, r[2].replace('M', ''), 1e6), paramsConvention: 'framework', macs: madds, macsTol: mTol(madds, mtext, r[3].endsWith('B') ? 1e9 : 1e6), macsConvention: 'tf-elementwise' });
  }

  // §4 Ultralytics: exact params from the YAML summary comments, MACs = FLOPs / 2 from the docs tables.
  const s4 = section(md, /\n## 4\./);
  const exactV8 = /n ([\d,]+); s ([\d,]+); m ([\d,]+); l ([\d,]+); x ([\d,]+)/.exec(s4)!;
  const exact11 = /give n ([\d,]+) params.*?s ([\d,]+) \/.*?m ([\d,]+) \/.*?l ([\d,]+) \/.*?x ([\d,]+) \//s.exec(s4)!;
  const scales = ['n', 's', 'm', 'l', 'x'];
  for (const r of tableRows(s4)) {
    const m = /^YOLO(v8|11)([nsmlx])$/.exec(r[0]);
    if (!m) continue;
    const id = `yolo${m[1]}${m[2]}`;
    const exact = num((m[1] === 'v8' ? exactV8 : exact11)[scales.indexOf(m[2]) + 1]);
    const flops = r[6];
    const macs = num(flops) * 1e9 / 2;
    rows.push({ source: `§4 Ultralytics ${r[0]} (FLOPs ${flops} B / 2; params from the YAML summary)`, id, resolution: num(r[1]), params: exact, paramsTol: 0.005 * exact, paramsConvention: 'framework', macs, macsTol: mTol(macs, flops, 1e9 / 2), macsConvention: 'conv-linear' });
    if (m[1] === 'v8') {
      const ours = num(r[7]) * 1e9;
      rows.push({ source: `§4 ${r[0]} hook count at 640`, id, resolution: 640, macs: ours, macsTol: 0.02 * ours, paramsConvention: 'framework', macsConvention: 'conv-linear' });
    }
  }

  // §6 MLPerf Tiny reference .tflite files.
  const tinyIds: [RegExp, string][] = [[/^ResNet-8/, 'resnet8-cifar'], [/^MobileNetV1 α=0.25/, 'mobilenet-v1-025-vww'], [/^DS-CNN/, 'ds-cnn'], [/^FC autoencoder/, 'fc-autoencoder']];
  for (const r of tableRows(section(md, /\n## 6\./))) {
    if (r.length < 6 || !/^[\d,]+$/.test(r[3])) continue;
    const hit = tinyIds.find(([re]) => re.test(r[1]));
    if (!hit) { skipped.push(`§6 ${r[1]} (not in the zoo)`); continue; }
    const p = num(r[3]);
    const macs = num(r[4].replace(' M', '')) * 1e6;
    rows.push({ source: `§6 MLPerf Tiny ${r[1]}`, id: hit[1], params: p, paramsTol: 0.005 * p, paramsConvention: 'stored', macs, macsTol: mTol(macs, r[4].replace(' M', ''), 1e6), macsConvention: 'conv-linear' });
  }
  return { rows, skipped };
}
