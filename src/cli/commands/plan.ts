import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { EdgeplanError } from '../../errors/index.ts';
import { planModel, type Budgets, type PlanResult, type Predicted } from '../../plan/index.ts';
import { formatBytes, formatMs, parseQuantity } from '../../units/index.ts';
import { loadDeviceArg } from '../device-arg.ts';
import { toJson } from '../format.ts';
import type { Io } from '../io.ts';
import { loadModelArg } from '../model-arg.ts';
import { checkSensitivityLayers, parseSensitivity, type PlanFile } from '../plan-file.ts';

export const DEFAULT_PLAN_MODEL = 'mobilenet-v3-large';

export interface PlanArgs {
  device: string;
  model: string;
  budget?: string;
  memory?: string;
  flash?: string;
  power?: string;
  energy?: string;
  fps?: number;
  maxAccuracyDrop?: number;
  sensitivity?: string;
  protect?: string;
  pareto: boolean;
  unit?: string;
  batch: number;
  link?: string;
  resolution?: number;
  widthMultiplier?: number;
  out?: string;
  json: boolean;
  jobs?: number;
}

export function budgetsFrom(a: PlanArgs): Budgets {
  const b: Budgets = {
    latencyMs: a.budget !== undefined ? parseQuantity(a.budget, 'time', '--budget') : undefined,
    peakActivationBytes: a.memory !== undefined ? parseQuantity(a.memory, 'bytes', '--memory') : undefined,
    weightsBytes: a.flash !== undefined ? parseQuantity(a.flash, 'bytes', '--flash') : undefined,
    powerW: a.power !== undefined ? parseQuantity(a.power, 'power', '--power') : undefined,
    energyMj: a.energy !== undefined ? parseQuantity(a.energy, 'energy', '--energy') : undefined,
    fps: a.fps,
    maxAccuracyDropPct: a.maxAccuracyDrop,
  };
  const FLAG: Record<string, string> = { latencyMs: '--budget', peakActivationBytes: '--memory', weightsBytes: '--flash', powerW: '--power', energyMj: '--energy', fps: '--fps', maxAccuracyDropPct: '--max-accuracy-drop' };
  for (const [k, v] of Object.entries(b)) if (v !== undefined && !(v > 0)) throw new EdgeplanError('bad_value', `${FLAG[k]} must be a positive amount, got ${v}`, { path: FLAG[k], fix: `give ${FLAG[k]} a value above zero` });
  if (Object.values(b).every((v) => v === undefined)) throw new EdgeplanError('usage', 'no budget given', { fix: 'pass at least one of --budget 16ms, --fps 30, --memory 512KiB, --flash 2MB, --power 5W, --energy 10mJ, --max-accuracy-drop 1' });
  return b;
}

function jsonPredicted(p: Predicted) {
  return { latency_ms: p.latencyMs, energy_mj: p.energyMj, power_w: p.powerW, weights_bytes: p.weightsBytes, peak_activation_bytes: p.peakActivationBytes };
}

export function planJson(r: PlanResult) {
  const b = r.budgets;
  return {
    feasible: r.feasible,
    device: r.device,
    model: r.model,
    budgets: {
      latency_ms: b.latencyMs ?? null, fps: b.fps ?? null, peak_activation_bytes: b.peakActivationBytes ?? null, weights_bytes: b.weightsBytes ?? null,
      power_w: b.powerW ?? null, energy_mj: b.energyMj ?? null, max_accuracy_drop_pct: b.maxAccuracyDropPct ?? null,
    },
    baseline_precision: r.baselinePrecision,
    plan: { layers: r.plan.layers.map((l) => ({ name: l.name, precision: l.precision, prune: l.prune, ...(l.sparse24 ? { sparse24: true } : {}), ...(l.weights ? { weights: l.weights } : {}) })) },
    predicted: jsonPredicted(r.predicted),
    baseline: jsonPredicted(r.baseline),
    accuracy_drop_pct: r.accuracyDropPct,
    accuracy_drop_is_proxy: true,
    binding: r.binding,
    ...(r.closest ? { closest: { budget: r.closest.budget, limit: r.closest.limit, achieved: r.closest.achieved, shortfall_pct: r.closest.shortfallPct } } : {}),
    solver: r.solver,
    pareto: r.pareto.map((p) => ({ latency_ms: p.latencyMs, accuracy_drop_pct: p.accuracyDropPct, weights_bytes: p.weightsBytes, plan: { layers: p.plan.map((l) => ({ name: l.name, precision: l.precision, prune: l.prune, ...(l.sparse24 ? { sparse24: true } : {}), ...(l.weights ? { weights: l.weights } : {}) })) } })),
    notes: r.notes,
  };
}

function describeChanges(r: PlanResult): string[] {
  const lines: string[] = [];
  const byPrec = new Map<string, number>();
  for (const l of r.plan.layers) if (l.precision !== r.baselinePrecision) byPrec.set(l.precision, (byPrec.get(l.precision) ?? 0) + 1);
  for (const [p, n] of [...byPrec].sort()) lines.push(`  ${n} layer(s) ${r.baselinePrecision} → ${p}`);
  const pruned = r.plan.layers.filter((l) => l.prune > 0);
  const byRatio = new Map<number, string[]>();
  for (const l of pruned) byRatio.set(l.prune, [...(byRatio.get(l.prune) ?? []), l.name]);
  const weightsOnly = new Map<string, number>();
  for (const l of r.plan.layers) if (l.weights) weightsOnly.set(l.weights, (weightsOnly.get(l.weights) ?? 0) + 1);
  for (const [w, n] of [...weightsOnly].sort()) lines.push(`  ${n} layer(s) with weights-only ${w} (stored ${w}, dequantized at load)`);
  const sparse = r.plan.layers.filter((l) => l.sparse24);
  if (sparse.length) lines.push(`  ${sparse.length} layer(s) with 50 % (2:4) sparsity: ${sparse.slice(0, 6).map((l) => l.name).join(', ')}${sparse.length > 6 ? ', …' : ''}`);
  for (const [ratio, names] of [...byRatio].sort((a, b) => a[0] - b[0])) lines.push(`  ${names.length} layer(s) pruned ${ratio * 100} % of channels: ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}`);
  if (!lines.length) lines.push('  nothing: the baseline already meets the budgets');
  return lines;
}

export function planCommand(io: Io) {
  return {
    command: 'plan',
    describe: 'Find per-layer precision and pruning that meet budgets at the least estimated accuracy loss (exact MILP)',
    builder: (y: Argv) => y
      .option('device', { type: 'string', demandOption: true, describe: 'device id (edgeplan devices) or a profile .yaml' })
      .option('model', { type: 'string', default: DEFAULT_PLAN_MODEL, describe: 'zoo id (edgeplan models) or a model file' })
      .option('budget', { type: 'string', describe: 'latency budget, e.g. 16ms' })
      .option('memory', { type: 'string', describe: 'peak activation memory budget, e.g. 512KiB' })
      .option('flash', { type: 'string', describe: 'weights budget, e.g. 2MB' })
      .option('power', { type: 'string', describe: 'average power budget, e.g. 5W' })
      .option('energy', { type: 'string', describe: 'energy per inference budget, e.g. 10mJ' })
      .option('fps', { type: 'number', describe: 'minimum throughput (frames per second)' })
      .option('max-accuracy-drop', { type: 'number', describe: 'largest acceptable estimated top-1 drop (points, a proxy)' })
      .option('sensitivity', { type: 'string', describe: 'measured per-layer drops (YAML or CSV: layer, choice, drop)' })
      .option('protect', { type: 'string', describe: 'layers kept at full precision and unpruned: first,last or names' })
      .option('pareto', { type: 'boolean', default: false, describe: 'also return the Pareto front (latency, accuracy drop, weights)' })
      .option('unit', { type: 'string', describe: 'compute unit (default: the device\'s default unit)' })
      .option('batch', { type: 'number', default: 1 })
      .option('link', { type: 'string', describe: 'host link of an attached accelerator, e.g. usb2' })
      .option('resolution', { type: 'number', describe: 'input side in pixels' })
      .option('width-multiplier', { type: 'number', describe: 'channel width multiplier' })
      .option('out', { type: 'string', describe: 'write plan.json (accepted by simulate --plan)' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .option('jobs', { type: 'number', describe: 'worker threads for the --pareto sweep (default: the CPU count; the front does not depend on it)' })
      .check((a) => {
        if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || (a.jobs as number) < 1 || (a.jobs as number) > 256)) throw new Error(`--jobs must be an integer from 1 to 256, got ${a.jobs}`);
        return true;
      })
      .example('$0 plan --device jetson-orin-nano --budget 16ms', 'plan the default model (mobilenet-v3-large) for 60 fps')
      .example('$0 plan --device stm32h7a3 --model mobilenet-v1-025-vww --budget 100ms --memory 256KiB --flash 1MB', 'MCU under SRAM and flash budgets')
      .example('$0 plan --device coral-usb --model resnet-50 --budget 33ms --pareto --json', 'Edge TPU plan with its Pareto front'),
    handler: async (argv: PlanArgs) => {
      const budgets = budgetsFrom(argv);
      const profile = loadDeviceArg(io, argv.device);
      const g = loadModelArg(io, argv);
      const sensitivity = argv.sensitivity ? parseSensitivity(io.readText(argv.sensitivity), argv.sensitivity) : undefined;
      if (sensitivity) checkSensitivityLayers(sensitivity, g.layers.map((l) => l.name), argv.sensitivity!);
      const r = await planModel(g, profile, budgets, {
        unit: argv.unit, batch: argv.batch, link: argv.link, pareto: argv.pareto, sensitivity,
        protect: argv.protect ? argv.protect.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
        now: io.now, jobs: argv.jobs ?? availableParallelism(),
      });
      if (argv.out && r.feasible) {
        const file: PlanFile = { device: r.device, model: argv.model, unit: argv.unit ?? profile.default_unit, resolution: argv.resolution, width_multiplier: argv.widthMultiplier, batch: argv.batch, plan: { layers: r.plan.layers } };
        io.writeText(argv.out, toJson(file));
      }
      if (argv.json) {
        // Solver time varies run to run; keep the JSON byte-identical by leaving it out unless asked for in human output.
        const j = planJson(r);
        io.out(toJson({ ...j, solver: { status: j.solver.status, gap: j.solver.gap, iterations: j.solver.iterations } }));
      } else {
        const p = r.predicted, base = r.baseline;
        if (r.feasible) {
          io.out(`${r.model} on ${r.device}: plan meets every budget (solver ${r.solver.status}, gap ${r.solver.gap}, ${r.solver.ms.toFixed(0)} ms)\n`);
          io.out(`changes against the ${r.baselinePrecision} baseline:\n${describeChanges(r).join('\n')}\n`);
          io.out(`predicted: ${formatMs(p.latencyMs)} (baseline ${formatMs(base.latencyMs)}), weights ${formatBytes(p.weightsBytes)} (${formatBytes(base.weightsBytes)}), peak activations ${formatBytes(p.peakActivationBytes)} (${formatBytes(base.peakActivationBytes)}), ${p.energyMj.toFixed(2)} mJ, ${p.powerW.toFixed(2)} W\n`);
          io.out(`estimated accuracy drop: ${r.accuracyDropPct.toFixed(2)} points top-1 (a proxy, not a measurement)\n`);
          io.out(`binding: ${r.binding.length ? r.binding.join(', ') : 'none (slack on every budget)'}\n`);
          if (r.pareto.length) io.out(`pareto front: ${r.pareto.map((q) => `${formatMs(q.latencyMs)}/${q.accuracyDropPct.toFixed(2)}pt/${formatBytes(q.weightsBytes)}`).join('  ')}\n`);
          for (const n of r.notes.slice(0, -1)) io.out(`note: ${n}\n`);
        }
      }
      if (!r.feasible) {
        const c = r.closest;
        const fmtBudget = (name: string, v: number) => name === 'latency' || name === 'fps' ? formatMs(v) : name === 'memory' || name === 'flash' ? formatBytes(v) : name === 'power' ? `${v.toPrecision(3)} W` : name === 'energy' ? `${v.toPrecision(3)} mJ` : `${v.toPrecision(3)} points`;
        const what = c && c.budget !== 'combination'
          ? `${c.budget} budget ${fmtBudget(c.budget, c.limit)} is missed by ${c.shortfallPct.toFixed(1)} % (the fastest plan reaches ${fmtBudget(c.budget, c.achieved)})`
          : 'the budgets cannot all hold at once';
        io.err(`infeasible: ${r.model} on ${r.device}: ${what}; fastest plan ${formatMs(r.predicted.latencyMs)} at an estimated ${r.accuracyDropPct.toFixed(2)}-point drop — relax the budget or pick a faster device\n`);
        throw new PlanInfeasible();
      }
    },
  };
}

/** Signals exit code 1 (an infeasible plan is a result, already printed). */
export class PlanInfeasible extends Error {
  constructor() {
    super('infeasible');
  }
}
