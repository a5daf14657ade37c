import type { Argv } from 'yargs';
import { simulate, type SimResult } from '../../cost/index.ts';
import { accuracyDropOf, applyPlan, checkPlanChoices, findPruneGroups } from '../../plan/index.ts';
import { parsePlanFile } from '../plan-file.ts';
import { EdgeplanError } from '../../errors/index.ts';
import type { HardwareProfile, Precision } from '../../hardware/index.ts';
import { formatBytes, formatMs } from '../../units/index.ts';
import { loadDeviceArg } from '../device-arg.ts';
import { table, toJson } from '../format.ts';
import type { Io } from '../io.ts';
import { loadModelArg } from '../model-arg.ts';
import { modelOptions } from './shared-options.ts';
import { memoryReport, memoryReportJson, RUNTIMES, MEMORY_ORDERS, type MemoryReport, type RuntimeId, type MemoryOrder } from '../../memory/index.ts';

export interface SimulateArgs {
  device: string;
  model: string;
  precision?: string;
  unit?: string;
  batch: number;
  threads?: number;
  link?: string;
  resolution?: number;
  widthMultiplier?: number;
  json: boolean;
  plan?: string;
  runtime?: string;
  memoryOrder?: string;
  patchStages?: number;
}

/** Runtime memory detail (src/memory) when --runtime, --memory-order or --patch-stages is given. */
export function memoryDetail(io: Io, a: SimulateArgs, r: SimResult): MemoryReport | undefined {
  if (a.runtime === undefined && a.memoryOrder === undefined && a.patchStages === undefined) return undefined;
  const precision = new Map(r.layers.map((l) => [l.name, l.precision]));
  return memoryReport(loadModelArg(io, a), loadDeviceArg(io, a.device), {
    runtime: (a.runtime ?? 'generic') as RuntimeId, order: (a.memoryOrder ?? 'graph') as MemoryOrder, patchStages: a.patchStages,
    precisionOf: (n) => precision.get(n) ?? r.precision, batch: r.batch,
  });
}

/** fp32 where the unit runs it; otherwise its widest precision (an Edge TPU runs int8 only). */
export function defaultPrecision(p: HardwareProfile, unit?: string): Precision {
  const u = p.units[unit ?? p.default_unit];
  if (!u) return 'fp32';
  for (const q of ['fp32', 'fp16', 'int8', 'int4'] as const) if (u.precisions.includes(q)) return q;
  return 'fp32';
}

export function simResultJson(r: SimResult) {
  return {
    device: r.device,
    model: r.model,
    unit: r.unit,
    precision: r.precision,
    batch: r.batch,
    latency_ms: r.latencyMs,
    throughput_fps: r.throughputFps,
    energy_mj: r.energyMj,
    power_w: r.powerW,
    memory: {
      weights_bytes: r.memory.weightsBytes,
      peak_activation_bytes: r.memory.peakActivationBytes,
      peak_step: r.memory.peakStep,
      fits: r.memory.fits,
      ...(r.memory.cachedWeightsBytes !== undefined ? { cached_weights_bytes: r.memory.cachedWeightsBytes, streamed_weights_bytes: r.memory.streamedWeightsBytes } : {}),
    },
    macs: r.macs,
    params: r.params,
    partitions: r.partitions.map((p) => ({ unit: p.unit, layers: p.layers, latency_ms: p.latencyMs })),
    transfers: r.extras.map((e) => ({ name: e.name, kind: e.kind, unit: e.unit, bytes: e.bytes, latency_ms: e.latencyMs })),
    layers: r.layers.map((l) => ({
      name: l.name, op: l.op, unit: l.unit, precision: l.precision, macs: l.macs, bytes: l.bytes, latency_ms: l.latencyMs, bound: l.bound,
      ...(l.fallback ? { fallback: l.fallbackReason ?? true } : {}),
    })),
  };
}

/** Simulates; with --plan also returns the plan's estimated accuracy drop (the proxy). */
export function runSimulate(io: Io, a: SimulateArgs): { result: SimResult; accuracyDropPct?: number } {
  const profile = loadDeviceArg(io, a.device);
  if (a.unit && !profile.units[a.unit]) {
    throw new EdgeplanError('bad_value', `device ${profile.id} has no unit '${a.unit}'`, { fix: `use --unit ${Object.keys(profile.units).join(' | ')}` });
  }
  const g = loadModelArg(io, a);
  const precision = (a.precision ?? defaultPrecision(profile, a.unit)) as Precision;
  if (a.plan) {
    // A plan from `edgeplan plan --out`: prune the graph and set each layer's precision.
    const pf = parsePlanFile(io.readText(a.plan), a.plan);
    try {
      checkPlanChoices(g, pf.plan.layers);
    } catch (e) {
      throw e instanceof EdgeplanError ? e.withLocation({ file: a.plan }) : e;
    }
    const applied = applyPlan(g, findPruneGroups(g), pf.plan.layers);
    let result: SimResult;
    try {
      result = simulate(applied.graph, profile, { precision, unit: a.unit ?? pf.unit, batch: a.batch, threads: a.threads, link: a.link, layerPrecision: applied.layerPrecision, layerSparse24: applied.layerSparse24, sparse24CompressedStorage: true, layerStoredWeightPrecision: applied.layerStoredWeightPrecision });
    } catch (e) {
      // A plan choice the device cannot take (weights-only on a unit without it) is the plan file's error.
      throw e instanceof EdgeplanError && e.location.layer ? e.withLocation({ file: a.plan }) : e;
    }
    return { result, accuracyDropPct: accuracyDropOf(g, pf.plan.layers) };
  }
  return { result: simulate(g, profile, { precision, unit: a.unit, batch: a.batch, threads: a.threads, link: a.link }) };
}

export function simulateCommand(io: Io) {
  return {
    command: 'simulate',
    describe: 'Predict latency, memory, energy and per-layer cost of a model on a device',
    builder: (y: Argv) => modelOptions(y)
      .option('device', { type: 'string', demandOption: true, describe: 'device id (edgeplan devices) or a profile .yaml' })
      .option('precision', { type: 'string', choices: ['fp32', 'fp16', 'int8', 'int4'], describe: 'precision of every layer (default: fp32, or the unit\'s only precision)' })
      .option('unit', { type: 'string', describe: 'compute unit to place the model on (default: the device\'s default unit)' })
      .option('batch', { type: 'number', default: 1, describe: 'images per inference call' })
      .option('threads', { type: 'number', describe: 'CPU threads (CPU units only)' })
      .option('link', { type: 'string', describe: 'host link of an attached accelerator, e.g. usb2' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .option('plan', { type: 'string', describe: 'plan.json from `edgeplan plan --out`: per-layer precision and pruning' })
      .option('runtime', { type: 'string', describe: `deployment runtime whose RAM/flash conventions apply: ${RUNTIMES.join(' | ')} (adds memory.arena_bytes, runtime_ram_bytes, flash_bytes)`, coerce: (v: string) => { if (!(RUNTIMES as readonly string[]).includes(v)) throw new Error(`--runtime must be one of ${RUNTIMES.join(', ')}, got '${v}'`); return v; } })
      .option('memory-order', { type: 'string', describe: 'execution order for the activation peak: graph (default) | min-peak (searched; both reported)', coerce: (v: string) => { if (!(MEMORY_ORDERS as readonly string[]).includes(v)) throw new Error(`--memory-order must be one of ${MEMORY_ORDERS.join(', ')}, got '${v}'`); return v; } })
      .option('patch-stages', { type: 'number', describe: 'run the first N downsampling stages patch by patch (MCUNetV2), 4×4 patches', coerce: (v: number) => { if (!Number.isInteger(v) || v < 0) throw new Error(`--patch-stages must be a non-negative integer, got ${v}`); return v; } })
      .check((a) => {
        if (!Number.isInteger(a.batch) || (a.batch as number) < 1) throw new Error(`--batch must be a positive integer, got ${a.batch}`);
        if (a.threads !== undefined && (!Number.isInteger(a.threads) || (a.threads as number) < 1)) throw new Error(`--threads must be a positive integer, got ${a.threads}`);
        return true;
      })
      .example('$0 simulate --device jetson-orin-nano --model mobilenet-v3-large --precision int8', 'roofline prediction on the Orin GPU')
      .example('$0 simulate --device coral-usb --model mobilenet-v2 --link usb2', 'Edge TPU over USB 2')
      .example('$0 simulate --device stm32h7a3 --model mobilenet-v1-025-vww --precision int8 --json', 'MCU memory fit as JSON'),
    handler: (argv: SimulateArgs) => {
      const { result: r, accuracyDropPct: lastAccuracyDropPct } = runSimulate(io, argv);
      if (argv.json) {
        const md = memoryDetail(io, argv, r);
        const j0 = simResultJson(r);
        const j = md ? { ...j0, memory: { ...j0.memory, ...memoryReportJson(md) } } : j0;
        io.out(toJson(lastAccuracyDropPct !== undefined ? { ...j, accuracy_drop_pct: lastAccuracyDropPct, accuracy_drop_is_proxy: true } : j));
        return;
      }
      io.out(table(
        ['layer', 'op', 'unit', 'prec', 'latency', 'bound'],
        [...r.layers.map((l) => [l.name, l.op, l.unit + (l.fallback ? ' (fallback)' : ''), l.precision, formatMs(l.latencyMs), l.bound]),
          ...r.extras.map((e) => [e.name, e.kind, e.unit, '', formatMs(e.latencyMs), e.kind])],
        [false, false, false, false, true, false],
      ));
      const misses = Object.entries(r.memory.fits).filter(([, ok]) => !ok).map(([k]) => k);
      if (lastAccuracyDropPct !== undefined) io.out(`\nplan ${argv.plan}: estimated accuracy drop ${lastAccuracyDropPct.toFixed(2)} points top-1 (a proxy)`);
      const mdText = memoryDetail(io, argv, r);
      if (mdText) io.out(`\nmemory on ${mdText.runtime} (${mdText.order} order): core peak ${formatBytes(mdText.peakActivationBytes)} at ${mdText.peakStep}${mdText.minPeakOrderBytes !== undefined ? ` (graph order ${formatBytes(mdText.graphOrderPeakBytes)})` : ''}, arena ${formatBytes(mdText.arenaBytes)}, runtime RAM ${formatBytes(mdText.runtimeRamBytes)}, flash ${formatBytes(mdText.flashBytes)}; ${Object.entries(mdText.fits).map(([k, f]) => `${k} ${f.fits ? 'fits' : 'does NOT fit'} (${formatBytes(f.comparedBytes)} of ${formatBytes(f.sizeBytes)}: ${f.what})`).join('; ')}`);
      io.out(`\n${r.model} on ${r.device} (${r.unit}, ${r.precision}, batch ${r.batch}): ${formatMs(r.latencyMs)} per call, ${r.throughputFps.toFixed(1)} fps, ${r.energyMj.toFixed(2)} mJ, ${r.powerW.toFixed(2)} W; weights ${formatBytes(r.memory.weightsBytes)}, peak activations ${formatBytes(r.memory.peakActivationBytes)}${misses.length ? ` — does NOT fit: ${misses.join(', ')}` : ' — fits every memory level'}\n`);
    },
  };
}
