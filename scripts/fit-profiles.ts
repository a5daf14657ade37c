/**
 * Fits each profile's per-op-class efficiencies and overheads to measured latencies
 * (../shared/data/published-latency.csv), per device and compute unit — never per model or row.
 *
 * For every (device, unit) with ≥ MIN_ROWS comparable rows it minimises
 *   Σ_rows log(predicted / measured)²  +  λ · Σ_params log(θ / θ_prior)²
 * by coordinate descent on log θ (the roofline's max() makes the objective piecewise smooth, so a
 * derivative-free search is the robust choice). The ridge term keeps a parameter that the rows say
 * little about at its prior. Op classes that carry < 5 % of the group's predicted time are not fitted.
 *
 * Usage: npx tsx scripts/fit-profiles.ts [--data FILE] [--write] [--folds 2]
 *   --write   rewrites hardware-profiles/*.yaml with the fitted values (source names this script)
 *   --folds 2 also reports out-of-sample error: fit on half of each device's rows (split by row_id
 *             hash), predict the other half, and swap.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { opClassOf, simulate } from '../src/cost/index.ts';
import type { Graph } from '../src/graph/types.ts';
import { parseProfile, resolveDeviceId, type ComputeUnit, type HardwareProfile, type OpClass, type Precision } from '../src/hardware/index.ts';
import { readLatencyCsv } from '../src/cli/commands/validate.ts';
import { median, precisionForRow, unitForRow, type LatencyRow } from '../src/validate/index.ts';
import { buildZooModel } from '../src/zoo/index.ts';

const MIN_ROWS = 3;
const LAMBDA = 0.02;
const CLASSES: readonly OpClass[] = ['conv2d', 'depthwise_conv2d', 'linear', 'attention', 'elementwise'];

const args = process.argv.slice(2);
const dataPath = args.includes('--data') ? args[args.indexOf('--data') + 1] : '../shared/data/published-latency.csv';
const write = args.includes('--write');
const folds = args.includes('--folds') ? Number(args[args.indexOf('--folds') + 1]) : 0;
const tty = process.stderr.isTTY;

const profiles = new Map<string, HardwareProfile>();
for (const f of readdirSync('hardware-profiles').filter((x) => x.endsWith('.yaml')).sort()) {
  const p = parseProfile(readFileSync(`hardware-profiles/${f}`, 'utf8'), `hardware-profiles/${f}`);
  profiles.set(p.id, p);
}

interface Sample { row: LatencyRow; graph: Graph; precision: Precision; batch: number; measured: number; twins: number }

// Group comparable rows by device and unit.
const groups = new Map<string, { profile: HardwareProfile; unit: string; samples: Sample[] }>();
for (const row of readLatencyCsv(readFileSync(dataPath, 'utf8'), dataPath)) {
  let profile: HardwareProfile | undefined;
  try { profile = profiles.get(resolveDeviceId(row.device_id, [...profiles.values()])); } catch { continue; }
  if (!profile) continue;
  const unit = unitForRow(profile, row.unit);
  if (!unit) continue;
  const precision = precisionForRow(profile, unit, row.precision);
  if (!profile.units[unit].precisions.includes(precision)) continue;
  let graph: Graph;
  try {
    graph = buildZooModel(row.model_id, { resolution: /^\d+$/.test(row.resolution) ? Number(row.resolution) : undefined, widthMultiplier: row.width_multiplier ? Number(row.width_multiplier) : undefined });
  } catch { continue; }
  const twins = (row.notes ?? '').startsWith('THROUGHPUT-DERIVED') ? Object.values(profile.units).filter((u) => u.kind === profile!.units[unit].kind).length : 0;
  const key = `${profile.id}/${unit}`;
  const g = groups.get(key) ?? { profile, unit, samples: [] };
  g.samples.push({ row, graph, precision, batch: Number(row.batch) || 1, measured: Number(row.latency_ms), twins });
  groups.set(key, g);
}

interface Params { eff: Record<OpClass, number>; ovh: number; fixed: number }

function withParams(p: HardwareProfile, unit: string, th: Params): HardwareProfile {
  const u = p.units[unit];
  const src = { source: 'fit', estimate: true as const };
  const nu: ComputeUnit = {
    ...u,
    efficiency: Object.fromEntries(CLASSES.map((c) => [c, { ...src, value: th.eff[c] }])) as ComputeUnit['efficiency'],
    overhead_us_per_layer: { ...src, value: th.ovh },
    fixed_overhead_us: { ...src, value: th.fixed },
  };
  return { ...p, units: { ...p.units, [unit]: nu } };
}

function predict(p: HardwareProfile, unit: string, s: Sample): number {
  const r = simulate(s.graph, p, { precision: s.precision, unit, batch: s.batch });
  return s.twins ? r.latencyMs / s.batch / s.twins : r.latencyMs;
}

function priorOf(u: ComputeUnit): Params {
  return { eff: Object.fromEntries(CLASSES.map((c) => [c, u.efficiency[c].value])) as Record<OpClass, number>, ovh: u.overhead_us_per_layer.value, fixed: u.fixed_overhead_us.value };
}

function fit(profile: HardwareProfile, unit: string, samples: readonly Sample[]): Params {
  const prior = priorOf(profile.units[unit]);
  // Which op classes matter for these rows (share of predicted time at the prior)?
  const share = new Map<OpClass, number>();
  let total = 0;
  for (const s of samples) {
    const r = simulate(s.graph, profile, { precision: s.precision, unit, batch: s.batch });
    for (const l of r.layers) {
      const layer = s.graph.layers.find((x) => x.name === l.name)!;
      share.set(opClassOf(layer), (share.get(opClassOf(layer)) ?? 0) + l.latencyMs / r.latencyMs);
      total += l.latencyMs / r.latencyMs;
    }
  }
  const keys: string[] = [...CLASSES.filter((c) => (share.get(c) ?? 0) / total >= 0.05).map((c) => `eff.${c}`), 'ovh', 'fixed'];
  const get = (th: Params, k: string) => (k.startsWith('eff.') ? th.eff[k.slice(4) as OpClass] : (th as unknown as Record<string, number>)[k]);
  const set = (th: Params, k: string, v: number): Params => (k.startsWith('eff.') ? { ...th, eff: { ...th.eff, [k.slice(4)]: Math.min(1, Math.max(0.002, v)) } } : { ...th, [k]: Math.min(k === 'ovh' ? 5000 : 50000, Math.max(0.5, v)) });
  const loss = (th: Params) => {
    const p = withParams(profile, unit, th);
    let l = 0;
    for (const s of samples) l += Math.log(predict(p, unit, s) / s.measured) ** 2;
    for (const k of keys) l += LAMBDA * samples.length * Math.log(get(th, k) / Math.max(1e-9, get(prior, k))) ** 2;
    return l;
  };
  let th = { ...prior, eff: { ...prior.eff }, ovh: Math.max(prior.ovh, 0.5), fixed: Math.max(prior.fixed, 0.5) };
  let best = loss(th);
  for (let round = 0, step = 2; round < 14 && step > 1.02; round++) {
    let improved = false;
    for (const k of keys) {
      for (const f of [step, 1 / step]) {
        const cand = set(th, k, get(th, k) * f);
        const l = loss(cand);
        if (l < best - 1e-12) { best = l; th = cand; improved = true; }
      }
    }
    if (!improved) step = Math.sqrt(step);
  }
  return th;
}

const foldOf = (id: string) => createHash('sha1').update(id).digest()[0] % Math.max(1, folds);
const fitted = new Map<string, Params>();
const report: { key: string; rows: number; before: number; after: number; heldOut?: number }[] = [];
let done = 0;
for (const [key, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  if (tty) process.stderr.write(`\rfitting ${++done}/${groups.size} ${key.padEnd(40)}`);
  const err = (p: HardwareProfile, ss: readonly Sample[]) => median(ss.map((s) => Math.abs(predict(p, g.unit, s) / s.measured - 1) * 100));
  const before = err(g.profile, g.samples);
  if (g.samples.length < MIN_ROWS) { report.push({ key, rows: g.samples.length, before, after: before }); continue; }
  const th = fit(g.profile, g.unit, g.samples);
  fitted.set(key, th);
  const after = err(withParams(g.profile, g.unit, th), g.samples);
  let heldOut: number | undefined;
  if (folds >= 2) {
    const errs: number[] = [];
    for (let k = 0; k < folds; k++) {
      const train = g.samples.filter((s) => foldOf(s.row.row_id) !== k), test = g.samples.filter((s) => foldOf(s.row.row_id) === k);
      if (train.length < MIN_ROWS || !test.length) continue;
      const tk = fit(g.profile, g.unit, train);
      for (const s of test) errs.push(Math.abs(predict(withParams(g.profile, g.unit, tk), g.unit, s) / s.measured - 1) * 100);
    }
    heldOut = errs.length ? median(errs) : undefined;
  }
  report.push({ key, rows: g.samples.length, before, after, heldOut });
}
if (tty) process.stderr.write('\n');

console.log('| device/unit | rows | median abs error before | after fit (in-sample) |' + (folds >= 2 ? ` held-out (${folds}-fold) |` : ''));
console.log('|---|---:|---:|---:|' + (folds >= 2 ? '---:|' : ''));
for (const r of report) console.log(`| ${r.key} | ${r.rows} | ${r.before.toFixed(1)} % | ${fitted.has(r.key) ? `${r.after.toFixed(1)} %` : 'not fitted (< 3 rows)'} |` + (folds >= 2 ? ` ${r.heldOut !== undefined ? `${r.heldOut.toFixed(1)} %` : '–'} |` : ''));

if (write) {
  for (const [key, th] of fitted) {
    const [id, unit] = key.split('/');
    const file = `hardware-profiles/${id}.yaml`;
    const doc = parseDocument(readFileSync(file, 'utf8'));
    const n = groups.get(key)!.samples.length;
    const src = `fitted by scripts/fit-profiles.ts on published-latency.csv (${n} rows of ${id}/${unit}; per device and op class)`;
    for (const c of CLASSES) {
      const was = doc.getIn(['units', unit, 'efficiency', c, 'value']) as number;
      if (Math.abs(was - th.eff[c]) > 1e-9) doc.setIn(['units', unit, 'efficiency', c], doc.createNode({ value: Number(th.eff[c].toPrecision(3)), source: src, estimate: true }, { flow: true }));
    }
    doc.setIn(['units', unit, 'overhead_us_per_layer'], doc.createNode({ value: Number(th.ovh.toPrecision(3)), source: src, estimate: true }, { flow: true }));
    doc.setIn(['units', unit, 'fixed_overhead_us'], doc.createNode({ value: Number(th.fixed.toPrecision(3)), source: src, estimate: true }, { flow: true }));
    writeFileSync(file, doc.toString({ lineWidth: 0 }));
  }
  console.log(`\nwrote ${fitted.size} fitted units into hardware-profiles/`);
}
