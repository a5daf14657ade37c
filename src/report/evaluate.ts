/**
 * Runs a scenario: for every device × model the baseline simulation, budget checks and verdict,
 * the memory timeline, the planner (when asked) and the sweep. Returns a ScenarioReport, the plain
 * data every renderer formats. Pure: graphs come from a loader the CLI passes in, the planner is
 * passed in too, and nothing here reads files, the clock or the environment.
 */
import { activationPeak, peakFor, opClassOf, simulate, type SimResult } from '../cost/index.ts';
import { EdgeplanError } from '../errors/index.ts';
import { graphTotals } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import type { HardwareProfile, Precision, SourcedNumber } from '../hardware/types.ts';
import type { Budgets, PlanOptions, PlanResult } from '../plan/types.ts';
import { expandSweep, type DeviceEntry, type ModelEntry, type Scenario } from '../scenario/index.ts';
import { pathToString, type PathSegment } from '../yaml-input/index.ts';
import { formatBytes, formatMs } from '../units/index.ts';
import type {
  BudgetCheck, Cell, DeviceSummary, MemoryLimit, ModelSummary, PlanSummary, ScenarioReport, SimSummary, SourceRow, SweepRow, Verdict,
} from './types.ts';

export interface ResolvedDevice {
  readonly entry: DeviceEntry;
  readonly profile: HardwareProfile;
  /** Dotted paths of the fields the scenario overrode. */
  readonly overrides: readonly string[];
}

export interface ResolvedModel {
  readonly entry: ModelEntry;
  /** Builds or loads the graph at a resolution (undefined = the entry's own). */
  readonly load: (resolution?: number) => Graph;
}

export type Planner = (g: Graph, p: HardwareProfile, budgets: Budgets, opts: PlanOptions) => Promise<PlanResult>;

export interface EvaluateOptions {
  /** The planner; absent = plan sections say why (`plannerMissing`). */
  readonly planner?: Planner;
  readonly plannerMissing?: string;
  /** Called after each simulation or plan, for a progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
}

const PRECISION_ORDER: readonly Precision[] = ['fp32', 'fp16', 'int8', 'int4'];

/** fp32 where the unit runs it, else its widest precision (as `simulate` defaults). */
export function widestPrecision(p: HardwareProfile, unit: string): Precision {
  const u = p.units[unit];
  return PRECISION_ORDER.find((q) => u?.precisions.includes(q)) ?? 'fp32';
}

/** Latency limit for a batch: min(latency budget, 1000 · batch / fps) ms. */
export function latencyLimitMs(b: Budgets, batch: number): number | undefined {
  const xs = [b.latencyMs, b.fps ? (1000 * batch) / b.fps : undefined].filter((x): x is number => x !== undefined);
  return xs.length ? Math.min(...xs) : undefined;
}

/** Budget checks and device memory limits for one simulation. */
export function checkBudgets(sim: SimResult, b: Budgets, profile: HardwareProfile): BudgetCheck[] {
  const out: BudgetCheck[] = [];
  const add = (constraint: string, achieved: number, limit: number | undefined, unit: BudgetCheck['unit']) => {
    if (limit === undefined) return;
    out.push({ constraint, achieved, limit, unit, ok: achieved <= limit, ratio: limit > 0 ? achieved / limit : Number.POSITIVE_INFINITY });
  };
  add('latency', sim.latencyMs, latencyLimitMs(b, sim.batch), 'ms');
  add('memory', sim.memory.peakActivationBytes, b.peakActivationBytes, 'bytes');
  add('flash', sim.memory.weightsBytes, b.weightsBytes, 'bytes');
  add('power', sim.powerW, b.powerW, 'W');
  add('energy', sim.energyMj, b.energyMj, 'mJ');
  // Device limits, as simulate's `fits`: only levels that must hold the data (not caches, not the
  // Edge TPU parameter cache, whose overflow is streamed and already costs latency).
  const w = sim.memory.weightsBytes, a = sim.memory.peakActivationBytes;
  for (const id of Object.keys(sim.memory.fits).sort()) {
    const level = profile.memory[id];
    if (!level || !['sram', 'dram', 'flash'].includes(level.kind)) continue;
    const isW = id === profile.weights_in, isA = id === profile.activations_in;
    if (!isW && !isA && level.kind !== 'dram') continue;
    const achieved = (isW && isA) || (!isW && !isA) ? w + a : isW ? w : a;
    add(`fits ${id}`, achieved, level.size_bytes.value, 'bytes');
  }
  return out;
}

export function formatCheckValue(v: number, unit: BudgetCheck['unit']): string {
  if (unit === 'ms') return formatMs(v);
  if (unit === 'bytes') return formatBytes(v);
  if (unit === 'W') return `${v.toFixed(2)} W`;
  return `${v.toFixed(2)} mJ`;
}

export function verdictOf(checks: readonly BudgetCheck[]): Verdict {
  if (!checks.length) return { meets: true, text: 'no budget set' };
  const binding = [...checks].sort((x, y) => y.ratio - x.ratio || x.constraint.localeCompare(y.constraint))[0];
  const f = (v: number) => formatCheckValue(v, binding.unit);
  if (binding.ok) {
    const headroom = (1 - binding.ratio) * 100;
    return { meets: true, binding, text: `meets: ${binding.constraint} ${f(binding.achieved)} ≤ ${f(binding.limit)} (${headroom.toFixed(0)} % headroom)` };
  }
  return { meets: false, binding, text: `misses ${binding.constraint} by ${f(binding.achieved - binding.limit)} (${f(binding.achieved)} vs ${f(binding.limit)})` };
}

function simSummary(r: SimResult, threads?: number, resolution?: number): SimSummary {
  const fb = r.layers.filter((l) => l.fallback);
  return {
    unit: r.unit, precision: r.precision, batch: r.batch,
    ...(threads !== undefined ? { threads } : {}),
    ...(resolution !== undefined ? { resolution } : {}),
    latencyMs: r.latencyMs, throughputFps: r.throughputFps, energyMj: r.energyMj, powerW: r.powerW,
    weightsBytes: r.memory.weightsBytes, peakActivationBytes: r.memory.peakActivationBytes,
    ...(r.memory.streamedWeightsBytes ? { streamedWeightsBytes: r.memory.streamedWeightsBytes } : {}),
    fits: r.memory.fits,
    fallbackLayers: fb.length,
    fallbackMs: fb.reduce((s, l) => s + l.latencyMs, 0),
    transferMs: r.extras.filter((e) => e.kind === 'transfer').reduce((s, e) => s + e.latencyMs, 0),
  };
}

function planSummary(p: PlanResult): PlanSummary {
  const choices: Record<string, number> = {};
  const changed: string[] = [];
  for (const l of p.plan.layers) {
    const k = `${l.precision}${l.prune ? ` prune ${Math.round(l.prune * 100)}%` : ''}${l.sparse24 ? ' 2:4' : ''}`;
    choices[k] = (choices[k] ?? 0) + 1;
    if (l.precision !== p.baselinePrecision || l.prune || l.sparse24) changed.push(`${l.name} → ${k}`);
  }
  const sorted = Object.fromEntries(Object.entries(choices).sort(([a], [b]) => a.localeCompare(b)));
  return {
    feasible: p.feasible, baselinePrecision: p.baselinePrecision,
    latencyMs: p.predicted.latencyMs, energyMj: p.predicted.energyMj, powerW: p.predicted.powerW,
    weightsBytes: p.predicted.weightsBytes, peakActivationBytes: p.predicted.peakActivationBytes,
    baselineLatencyMs: p.baseline.latencyMs, accuracyDropPct: p.accuracyDropPct,
    binding: [...p.binding], choices: sorted, changedLayers: changed.slice(0, 12), changedCount: changed.length,
    solverStatus: p.solver.status,
    pareto: [...p.pareto].sort((a, b) => a.latencyMs - b.latencyMs || a.accuracyDropPct - b.accuracyDropPct),
    ...(p.closest ? { closest: p.closest } : {}),
    notes: [...p.notes],
  };
}

const fmtNum = (n: SourcedNumber, unit: string) => {
  const v = n.value;
  if (unit === 'ops/s') return `${(v / 1e9).toPrecision(4)} G${'ops/s'}`;
  if (unit === 'B/s') return `${(v / 1e9).toPrecision(4)} GB/s`;
  if (unit === 'B') return formatBytes(v);
  return `${Number(v.toPrecision(4))} ${unit}`.trim();
};

/** The profile numbers this evaluation used, with their sources, in a fixed order. */
function sourcesUsed(p: HardwareProfile, precision: Precision, used: ReadonlyMap<string, ReadonlySet<string>>, link?: string): { rows: SourceRow[]; citations: Record<string, string> } {
  const rows: SourceRow[] = [];
  const add = (quantity: string, n: SourcedNumber | undefined, unit: string) => {
    if (!n || rows.some((r) => r.quantity === quantity)) return;
    rows.push({ quantity, value: fmtNum(n, unit), source: n.source, estimate: n.estimate === true });
  };
  for (const [uid, classes] of [...used].sort(([a], [b]) => (a === p.default_unit ? -1 : b === p.default_unit ? 1 : a.localeCompare(b)))) {
    const u = p.units[uid];
    const pk = peakFor(u, precision) ?? peakFor(u, u.precisions[0]);
    if (pk) add(`${uid} peak ${pk.precision}`, u.peak_ops_per_s[pk.precision], 'ops/s');
    for (const c of [...classes].sort()) add(`${uid} efficiency ${c}`, u.efficiency[c as keyof typeof u.efficiency], '');
    add(`${uid} overhead per layer`, u.overhead_us_per_layer, 'us');
    add(`${uid} fixed overhead`, u.fixed_overhead_us, 'us');
    add(`${uid} active power`, u.power_w.active, 'W');
    add(`${u.memory} bandwidth`, p.memory[u.memory]?.bandwidth_bytes_per_s, 'B/s');
    if (u.onchip_memory) {
      add(`${u.onchip_memory} size`, p.memory[u.onchip_memory]?.size_bytes, 'B');
      add(`${u.onchip_memory} bandwidth`, p.memory[u.onchip_memory]?.bandwidth_bytes_per_s, 'B/s');
    }
  }
  add(`${p.activations_in} size`, p.memory[p.activations_in]?.size_bytes, 'B');
  add(`${p.activations_in} bandwidth`, p.memory[p.activations_in]?.bandwidth_bytes_per_s, 'B/s');
  add(`${p.weights_in} size`, p.memory[p.weights_in]?.size_bytes, 'B');
  add(`${p.weights_in} bandwidth`, p.memory[p.weights_in]?.bandwidth_bytes_per_s, 'B/s');
  const lk = link ?? p.default_link;
  if (lk && p.links?.[lk]) {
    add(`link ${lk} bandwidth`, p.links[lk].bandwidth_bytes_per_s, 'B/s');
    add(`link ${lk} latency`, p.links[lk].latency_us, 'us');
  }
  add('idle power', p.power.idle_w, 'W');
  const citations: Record<string, string> = {};
  for (const [k, url] of Object.entries(p.sources ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (rows.some((r) => r.source.includes(`[${k}]`))) citations[k] = url;
  }
  return { rows, citations };
}

function memoryLimits(p: HardwareProfile, unit: string): MemoryLimit[] {
  const out: MemoryLimit[] = [];
  const push = (level: string | undefined, holds: MemoryLimit['holds']) => {
    const m = level ? p.memory[level] : undefined;
    if (!m || !level || out.some((x) => x.level === level)) return;
    out.push({ level, kind: m.kind, bytes: m.size_bytes.value, holds });
  };
  push(p.activations_in, 'activations');
  push(p.units[unit]?.onchip_memory, 'on-chip tensors');
  if (p.memory[p.weights_in]?.kind !== 'param_cache') push(p.weights_in, 'weights');
  return out;
}

export async function evaluateScenario(s: Scenario, devices: readonly ResolvedDevice[], models: readonly ResolvedModel[], opts: EvaluateOptions = {}): Promise<ScenarioReport> {
  const run = s.run;
  const locErr = (path: readonly PathSegment[], e: unknown): unknown => {
    if (!(e instanceof EdgeplanError)) return e;
    const { line, col } = s.locate(path);
    return e.location.file === undefined ? e.withLocation({ file: s.file, line, col, path: pathToString(path) }) : e;
  };
  const graphs = new Map<string, Graph>();
  const graphOf = (m: ResolvedModel, resolution: number | undefined, path: readonly PathSegment[]): Graph => {
    const key = `${m.entry.index}@${resolution ?? ''}`;
    let g = graphs.get(key);
    if (!g) {
      try { g = m.load(resolution); } catch (e) { throw locErr(path, e); }
      graphs.set(key, g);
    }
    return g;
  };

  const precisionFor = (d: ResolvedDevice, unit: string): { precision: Precision; note?: string } => {
    const u = d.profile.units[unit];
    if (run.precision && u.precisions.includes(run.precision)) return { precision: run.precision };
    const q = widestPrecision(d.profile, unit);
    return run.precision ? { precision: q, note: `${d.entry.key}: unit ${unit} does not run ${run.precision}; its baseline is ${q}` } : { precision: q };
  };

  const cpuUnit = (d: ResolvedDevice) => d.profile.units[d.entry.unit ?? d.profile.default_unit]?.kind === 'cpu';
  const sweepPoints = devices.map((d) => expandSweep(run.sweep, cpuUnit(d)));
  const planning = run.plan || run.pareto;
  const total = devices.length * models.length * (1 + (planning ? 1 : 0)) + sweepPoints.reduce((s2, p) => s2 + p.length * models.length, 0);
  let done = 0;
  const tick = () => opts.onProgress?.(++done, total);

  const assumptions: string[] = [];
  const sweepNotes: string[] = [];
  const cells: Cell[] = [];
  const sweep: SweepRow[] = [];
  const deviceSummaries: DeviceSummary[] = [];

  for (const d of devices) {
    const p = d.profile;
    const unit = d.entry.unit ?? p.default_unit;
    if (!p.units[unit]) throw locErr(['devices', d.entry.index, 'unit'], new EdgeplanError('bad_value', `device ${p.id} has no unit '${unit}'`, { fix: `use unit: ${Object.keys(p.units).join(' | ')}` }));
    if (d.entry.link && !p.links?.[d.entry.link]) {
      throw locErr(['devices', d.entry.index, 'link'], new EdgeplanError('bad_value', `device ${p.id} has no link '${d.entry.link}'`, { fix: `use link: ${Object.keys(p.links ?? {}).join(' | ') || '(none: this device has no host link)'}` }));
    }
    const { precision, note } = precisionFor(d, unit);
    if (note) assumptions.push(note);
    const used = new Map<string, Set<string>>();
    const unitKinds: Record<string, string> = { [unit]: p.units[unit].kind };
    const deviceNotes: string[] = [];

    for (const m of models) {
      const g = graphOf(m, m.entry.resolution, ['models', m.entry.index]);
      let r: SimResult;
      try {
        r = simulate(g, p, { precision, unit, batch: run.batch, threads: run.threads, link: d.entry.link });
      } catch (e) { throw locErr(['devices', d.entry.index], e); }
      tick();
      for (const l of r.layers) {
        const layer = g.layers.find((x) => x.name === l.name);
        if (!used.has(l.unit)) used.set(l.unit, new Set());
        if (layer) used.get(l.unit)!.add(opClassOf(layer));
        unitKinds[l.unit] = p.units[l.unit].kind;
      }
      const layerPrec = new Map(r.layers.map((l) => [l.name, l.precision]));
      const timeline = activationPeak(g, run.batch, (n) => layerPrec.get(n) ?? precision).timeline;
      const checks = checkBudgets(r, s.budgets, p);
      const cell: Cell = {
        device: d.entry.key,
        model: m.entry.key,
        sim: simSummary(r, run.threads, g.resolution),
        layers: r.layers.map((l) => ({
          name: l.name, op: l.op, unit: l.unit, precision: l.precision, latencyMs: l.latencyMs, bound: l.bound, fallback: l.fallback,
          ...(l.fallbackReason ? { fallbackReason: l.fallbackReason } : {}), opsPerByte: l.opsPerByte, attainedOpsPerS: l.attainedOpsPerS,
        })),
        extras: r.extras.map((e) => ({ name: e.name, kind: e.kind, unit: e.unit, latencyMs: e.latencyMs })),
        memoryTimeline: timeline,
        checks,
        verdict: verdictOf(checks),
      };
      let plan: PlanSummary | undefined, planNote: string | undefined;
      if (planning) {
        const paretoHere = run.pareto && (run.paretoDevices?.includes(d.entry.key) ?? true) && (run.paretoModels?.includes(m.entry.key) ?? true);
        if (!opts.planner) planNote = opts.plannerMissing ?? 'planner not available';
        else if (run.planWhen === 'misses' && cell.verdict.meets && !paretoHere) planNote = `meets every budget at baseline ${precision}; not planned (plan.when: misses)`;
        else {
          try {
            const res = await opts.planner(g, p, s.budgets, { unit, batch: run.batch, link: d.entry.link, protect: run.protect, pareto: paretoHere });
            plan = planSummary(res);
          } catch (e) {
            if (!(e instanceof EdgeplanError)) throw e;
            planNote = `planner: ${e.message}${e.fix ? ` (${e.fix})` : ''}`;
          }
        }
        tick();
      }
      cells.push({ ...cell, ...(plan ? { plan } : {}), ...(planNote ? { planNote } : {}) });

      // Sweep: every combination at this device × model.
      const points = sweepPoints[devices.indexOf(d)];
      for (const pt of points) {
        const q = pt.precision ?? precision;
        const batch = pt.batch ?? run.batch;
        const threads = pt.threads ?? run.threads;
        const res = pt.resolution ?? m.entry.resolution;
        tick();
        if (!peakFor(p.units[unit], q) || !p.units[unit].precisions.includes(q)) {
          const msg = `sweep: ${d.entry.key} unit ${unit} does not run ${q}; those points are skipped`;
          if (!deviceNotes.includes(msg)) deviceNotes.push(msg);
          continue;
        }
        let gs: Graph;
        try {
          gs = graphOf(m, res, ['run', 'sweep', 'resolution']);
        } catch (e) {
          // A model with a fixed input size (keyword spotting, CIFAR) does not sweep resolution.
          if (!(e instanceof EdgeplanError) || pt.resolution === undefined) throw e;
          const msg = `sweep: ${m.entry.key} does not take resolution ${pt.resolution} (${e.message.replace(/ --resolution does not apply/, ' the resolution does not apply')}); those points are skipped`;
          if (!deviceNotes.includes(msg) && !sweepNotes.includes(msg)) sweepNotes.push(msg);
          continue;
        }
        let rs: SimResult;
        try {
          rs = simulate(gs, p, { precision: q, unit, batch, threads, link: d.entry.link });
        } catch (e) { throw locErr(['run', 'sweep'], e); }
        const cs = checkBudgets(rs, s.budgets, p);
        const v = verdictOf(cs);
        sweep.push({
          device: d.entry.key, model: m.entry.key, precision: q, ...(gs.resolution !== undefined ? { resolution: gs.resolution } : {}), batch,
          ...(threads !== undefined ? { threads } : {}), unit,
          latencyMs: rs.latencyMs, throughputFps: rs.throughputFps, energyMj: rs.energyMj, powerW: rs.powerW,
          weightsBytes: rs.memory.weightsBytes, peakActivationBytes: rs.memory.peakActivationBytes,
          fitsDevice: cs.filter((c) => c.constraint.startsWith('fits ')).every((c) => c.ok),
          meets: v.meets, binding: v.binding?.constraint ?? '',
        });
      }
    }

    const u = p.units[unit];
    const pk = peakFor(u, precision)!;
    const bw = p.memory[u.memory]?.bandwidth_bytes_per_s.value ?? Number.POSITIVE_INFINITY;
    const onchip = u.onchip_memory ? p.memory[u.onchip_memory]?.bandwidth_bytes_per_s.value : undefined;
    const src = sourcesUsed(p, precision, used, d.entry.link);
    deviceSummaries.push({
      key: d.entry.key, profileId: p.id, name: p.name, unit, unitKind: u.kind, ...(d.entry.link ?? p.default_link ? { link: d.entry.link ?? p.default_link } : {}),
      precision, overrides: d.overrides,
      roof: { peakOpsPerS: pk.peak, bandwidthBytesPerS: bw, ...(onchip ? { onchipBandwidthBytesPerS: onchip } : {}), ridgeOpsPerByte: pk.peak / bw },
      memoryLimits: memoryLimits(p, unit),
      unitKinds: Object.fromEntries(Object.entries(unitKinds).sort(([a], [b]) => a.localeCompare(b))),
      sources: src.rows, citations: src.citations, estimates: src.rows.filter((r) => r.estimate).length,
      notes: deviceNotes,
    });
  }

  const modelSummaries: ModelSummary[] = models.map((m) => {
    const g = graphOf(m, m.entry.resolution, ['models', m.entry.index]);
    const t = graphTotals(g);
    return {
      key: m.entry.key, model: m.entry.model, kind: m.entry.kind, name: g.name,
      ...(g.resolution !== undefined ? { resolution: g.resolution } : {}),
      ...(g.widthMultiplier !== undefined ? { width: g.widthMultiplier } : {}),
      params: t.params, macs: t.macs, layers: g.layers.length,
    };
  });

  return {
    name: s.name, title: s.title, description: s.description, file: s.file,
    budgets: s.budgets, budgetText: s.budgetText,
    ...(latencyLimitMs(s.budgets, run.batch) !== undefined ? { latencyLimitMs: latencyLimitMs(s.budgets, run.batch) } : {}),
    devices: deviceSummaries, models: modelSummaries, cells, sweep,
    ranPlanner: planning && opts.planner !== undefined,
    assumptions: [...s.assumptions, ...standardAssumptions(s, planning), ...assumptions, ...sweepNotes],
    formats: s.formats,
  };
}

function standardAssumptions(s: Scenario, planning: boolean): string[] {
  const a = [
    `Latency is a roofline prediction per layer (max of compute and memory time, plus per-layer and per-inference overheads), not a measurement; batch ${s.run.batch}${s.run.threads ? `, ${s.run.threads} CPU threads` : ''}.`,
    'Every layer runs at the baseline precision on the placement unit; layers that unit cannot run go to its fallback unit, and partition boundaries pay a transfer.',
    'Peak activation memory comes from tensor liveness along the execution order; weights are counted at the layer precision.',
    'Profile numbers marked estimate have no retrieved source; see "Sources of the profile numbers" for each one used.',
  ];
  if (planning) a.push('Accuracy costs of plans are an additive per-layer proxy (estimated top-1 drop in percentage points), not a measurement: validate the chosen plan on your data.');
  return a;
}
