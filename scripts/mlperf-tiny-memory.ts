/**
 * README table: core activation peak, int8 weights bytes and TFLM arena of MLPerf Tiny's reference
 * .tflite models (test/fixtures/mlperf-tiny, Apache-2.0). Usage: npx tsx scripts/mlperf-tiny-memory.ts
 */
import { readFileSync } from 'node:fs';
import { importModel } from '../src/import/index.ts';
import { memoryReport } from '../src/memory/index.ts';

console.log('| model file | file bytes | core activation peak (B) | int8 weights (B) | TFLM arena (B) | TFLM flash (B) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const f of ['pretrainedResnet_quant.tflite', 'vww_96_int8.tflite', 'kws_ref_model.tflite', 'ad01_int8.tflite']) {
  const bytes = new Uint8Array(readFileSync(`test/fixtures/mlperf-tiny/${f}`));
  const g = importModel(bytes, f).graph;
  const precisionOf = (n: string) => g.layers.find((l) => l.name === n)?.dtype ?? 'int8';
  const core = memoryReport(g, undefined, { runtime: 'generic', precisionOf });
  const tflm = memoryReport(g, undefined, { runtime: 'tflm', precisionOf });
  console.log(`| ${f} | ${bytes.length} | ${core.peakActivationBytes} | ${g.layers.reduce((s, l) => s + l.weightBytes, 0)} | ${tflm.arenaBytes} | ${tflm.flashBytes} |`);
}
