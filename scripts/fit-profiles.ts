/**
 * Fits profile parameters to measured latencies (../shared/data/published-latency.csv), per device
 * and compute unit — never per model or row. The parameters of a (device, unit) group are:
 *   - its per-op-class efficiencies (classes carrying ≥ 5 % of the group's predicted time),
 *     its per-layer overhead and its fixed per-inference overhead;
 *   - per runtime of the unit that the group's rows use (the CSV `runtime` column matched against
 *     `units.<u>.runtimes.<r>.match`): the scales and costs that runtime declares;
 *   - for a unit behind a host link whose rows stream weights over it (Edge TPU parameter cache,
 *     dataflow context switches): the link's effective bandwidth, capped at its signalling rate;
 *   - for a dataflow unit: the fixed context-switch cost; where the unit declares one, the channel
 *     count of half efficiency (narrow-layer under-utilisation) and the per-output cost in MACs
 *     (reduction_half_length: short-reduction layers run at a lower MAC rate).
 * It minimises
 *   Σ_rows log(predicted / measured)²  +  λ · n_rows · Σ_params log(θ / θ_prior)²
 * by coordinate descent on log θ (the roofline's max() makes the objective piecewise smooth, so a
 * derivative-free search is the robust choice). θ_prior is the number's `prior:` in the YAML (the
 * datasheet figure or initial guess), else its current value; --write stores the fitted value and
 * keeps `prior:` untouched, so re-running the fit does not drift.
 *
 * Usage: npx tsx scripts/fit-profiles.ts [--data FILE] [--write] [--folds 2] [--device ID]
 *   --write   rewrites hardware-profiles/*.yaml with the fitted values (source names this script)
 *   --folds 2 also reports out-of-sample error: fit on half of each group's rows (split by row_id
 *             hash), predict the other half, and swap.
 *   --device  fit (and with --write, rewrite) only this profile id's groups
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { isMap, parseDocument } from 'yaml';
import { opClassOf, runtimeFor, simulate } from '../src/cost/index.ts';
import type { Graph } from '../src/graph/types.ts';
import { parseProfile, resolveDeviceId, type HardwareProfile, type OpClass, type Precision, type SourcedNumber } from '../src/hardware/index.ts';
import { readLatencyCsv } from '../src/cli/commands/validate.ts';
import { median, precisionForRow, predictedMs, rowSimOptions, unitForRow, type LatencyRow } from '../src/validate/index.ts';
import { buildZooModel } from '../src/zoo/index.ts';

const MIN_ROWS = 3;
const LAMBDA = 0.02;
const CLASSES: readonly OpClass[] = ['conv2d', 'depthwise_conv2d', 'linear', 'attention', 'elementwise'];

const args = process.argv.slice(2);
const dataPath = args.includes('--data') ? args[args.indexOf('--data') + 1] : '../shared/data/published-latency.csv';
const write = args.includes('--write');
const folds = args.includes('--folds') ? Number(args[args.indexOf('--folds') + 1]) : 0;
const onlyDevice = args.includes('--device') ? args[args.indexOf('--device') + 1] : undefined;
const tty = process.stderr.isTTY;

const profiles = new Map<string, HardwareProfile>();
for (const f of readdirSync('hardware-profiles').filter((x) => x.endsWith('.yaml')).sort()) {
  const p = parseProfile(readFileSync(`hardware-profiles/${f}`, 'utf8'), `hardware-profiles/${f}`);
  profiles.set(p.id, p);
}

interface Sample { row: LatencyRow; graph: Graph; precision: Precision; batch: number; measured: number }

// Group comparable rows by device and unit.
const groups = new Map<string, { profile: HardwareProfile; unit: string; samples: Sample[] }>();
for (const row of readLatencyCsv(readFileSync(dataPath, 'utf8'), dataPath)) {
  let profile: HardwareProfile | undefined;
  try { profile = profiles.get(resolveDeviceId(row.device_id, [...profiles.values()])); } catch { continue; }
  if (!profile || (onlyDevice !== undefined && profile.id !== onlyDevice)) continue;
  const unit = unitForRow(profile, row.unit);
  if (!unit) continue;
  const precision = precisionForRow(profile, unit, row.precision);
  if (!profile.units[unit].precisions.includes(precision)) continue;
  let graph: Graph;
  try {
    graph = buildZooModel(row.model_id, { resolution: /^\d+$/.test(row.resolution) ? Number(row.resolution) : undefined, widthMultiplier: row.width_multiplier ? Number(row.width_multiplier) : undefined });
  } catch { continue; }
  const key = `${profile.id}/${unit}`;
  const g = groups.get(key) ?? { profile, unit, samples: [] };
  g.samples.push({ row, graph, precision, batch: Number(row.batch) || 1, measured: Number(row.latency_ms) });
  groups.set(key, g);
}

/** A fitted number: its path in the profile (a SourcedNumber), its prior and its bounds. */
interface Param { readonly path: readonly string[]; readonly prior: number; readonly lo: number; readonly hi: number }
type Theta = ReadonlyMap<string, number>; // path joined by '.' → value

const keyOf = (path: readonly string[]) => path.join('.');
function numberAt(p: HardwareProfile, path: readonly string[]): SourcedNumber | undefined {
  let o: unknown = p;
  for (const k of path) o = (o as Record<string, unknown> | undefined)?.[k];
  return o as SourcedNumber | undefined;
}
/** The profile with the numbers at `theta`'s paths replaced (structural sharing, no mutation). */
function withTheta(p: HardwareProfile, theta: Theta): HardwareProfile {
  const setIn = (o: unknown, path: readonly string[], v: number): unknown => {
    const rec = (o ?? {}) as Record<string, unknown>;
    if (!path.length) return { ...(rec as object), value: v, source: 'fit', estimate: true };
    return { ...rec, [path[0]]: setIn(rec[path[0]], path.slice(1), v) };
  };
  let out: unknown = p;
  for (const [k, v] of theta) out = setIn(out, k.split('.'), v);
  return out as HardwareProfile;
}

function predict(p: HardwareProfile, unit: string, s: Sample): number {
  const r = simulate(s.graph, p, rowSimOptions(s.row, s.precision, unit, s.batch));
  return predictedMs(r, p, unit, s.row);
}

/** Paths of the unit's numbers that carry a `prior:` (set by an earlier --write or by hand). */
function priorPaths(profile: HardwareProfile, unit: string): string[][] {
  const out: string[][] = [];
  const walk = (o: unknown, path: string[]) => {
    if (typeof o !== 'object' || o === null) return;
    if (typeof (o as SourcedNumber).prior === 'number') out.push(path);
    for (const [k, v] of Object.entries(o)) walk(v, [...path, k]);
  };
  walk(profile.units[unit], ['units', unit]);
  if (profile.default_link) walk(profile.links?.[profile.default_link], ['links', profile.default_link]);
  return out;
}

/** The parameters worth fitting for a group, with priors and bounds. */
function paramsOf(profile: HardwareProfile, unit: string, samples: readonly Sample[]): Param[] {
  const u = profile.units[unit];
  const prior = (path: string[], dflt?: number) => { const n = numberAt(profile, path); if (!n) return dflt!; return n.prior ?? n.value; };
  const out: Param[] = [];
  // Op classes that matter for these rows: share of predicted time with every number at its prior,
  // so the parameter set does not depend on an earlier fit.
  const atPrior = withTheta(profile, new Map(priorPaths(profile, unit).map((path) => [keyOf(path), prior(path)])));
  const share = new Map<OpClass, number>();
  let total = 0, streams = false;
  for (const s of samples) {
    const r = simulate(s.graph, atPrior, rowSimOptions(s.row, s.precision, unit, s.batch));
    for (const l of r.layers) {
      if (l.unit !== unit) continue;
      const cls = opClassOf(s.graph.layers.find((x) => x.name === l.name)!);
      share.set(cls, (share.get(cls) ?? 0) + l.latencyMs / r.latencyMs);
      total += l.latencyMs / r.latencyMs;
    }
    if ((r.memory.streamedWeightsBytes ?? 0) > 0 || r.extras.some((e) => e.name.startsWith('context switch'))) streams = true;
  }
  for (const c of CLASSES) if ((share.get(c) ?? 0) / total >= 0.05) out.push({ path: ['units', unit, 'efficiency', c], prior: prior(['units', unit, 'efficiency', c]), lo: 0.002, hi: 1 });
  out.push({ path: ['units', unit, 'overhead_us_per_layer'], prior: Math.max(0.5, prior(['units', unit, 'overhead_us_per_layer'])), lo: 0.5, hi: 5000 });
  out.push({ path: ['units', unit, 'fixed_overhead_us'], prior: Math.max(0.5, prior(['units', unit, 'fixed_overhead_us'])), lo: 0.5, hi: 50000 });
  // Runtimes the rows use, and the numbers each declares.
  const used = new Set(samples.map((s) => runtimeFor(u, s.row.runtime || undefined)?.id).filter((x): x is string => x !== undefined));
  for (const rid of [...used].sort()) {
    for (const f of ['efficiency_scale', 'overhead_scale', 'fixed_overhead_us'] as const) {
      const path = ['units', unit, 'runtimes', rid, f];
      if (!numberAt(profile, path)) continue;
      out.push(f === 'fixed_overhead_us' ? { path, prior: Math.max(0.5, prior(path)), lo: 0.5, hi: 1e6 } : { path, prior: prior(path), lo: 0.05, hi: 20 });
    }
  }
  if (streams && profile.default_link) {
    const path = ['links', profile.default_link, 'bandwidth_bytes_per_s'];
    // Never above the payload rate the line code allows: 8b/10b (USB 3 Gen 1, PCIe Gen 1/2) keeps
    // 80 % of the signalling rate, 128b/130b (PCIe Gen 3) 98.5 %.
    const l = profile.links![profile.default_link];
    const line = l.signalling_bits_per_s?.value;
    const code = /gen ?3|128b\/130b/i.test(`${l.description ?? ''} ${l.source_note}`) ? 128 / 130 : 0.8;
    out.push({ path, prior: prior(path), lo: prior(path) / 4, hi: line ? (line / 8) * code : prior(path) * 4 });
  }
  // Precisions: where the rows cover several (≥ MIN_ROWS each), every precision but the most
  // measured one gets an efficiency multiplier (prior 1: no precision-specific factor).
  const perPrecision = new Map<Precision, number>();
  for (const s of samples) perPrecision.set(s.precision, (perPrecision.get(s.precision) ?? 0) + 1);
  const covered = [...perPrecision].filter(([, n]) => n >= MIN_ROWS).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [q] of covered.slice(1)) {
    const path = ['units', unit, 'precision_efficiency', q];
    out.push({ path, prior: prior(path, 1), lo: 0.1, hi: 10 });
  }
  if (u.reduction_half_length) out.push({ path: ['units', unit, 'reduction_half_length'], prior: prior(['units', unit, 'reduction_half_length']), lo: 0.5, hi: 1024 });
  if (u.channel_half_efficiency) out.push({ path: ['units', unit, 'channel_half_efficiency'], prior: prior(['units', unit, 'channel_half_efficiency']), lo: 1, hi: 1024 });
  if (u.dataflow) out.push({ path: ['units', unit, 'dataflow', 'context_switch_us'], prior: Math.max(0.5, prior(['units', unit, 'dataflow', 'context_switch_us'])), lo: 0.5, hi: 1e5 });
  return out;
}

function fit(profile: HardwareProfile, unit: string, samples: readonly Sample[], params: readonly Param[]): Theta {
  const clamp = (p: Param, v: number) => Math.min(p.hi, Math.max(p.lo, v));
  const loss = (th: Theta) => {
    const prof = withTheta(profile, th);
    let l = 0;
    for (const s of samples) l += Math.log(predict(prof, unit, s) / s.measured) ** 2;
    for (const p of params) l += LAMBDA * samples.length * Math.log(th.get(keyOf(p.path))! / p.prior) ** 2;
    return l;
  };
  let th: Theta = new Map(params.map((p) => [keyOf(p.path), clamp(p, p.prior)]));
  let best = loss(th);
  for (let round = 0, step = 2; round < 16 && step > 1.02; round++) {
    let improved = false;
    for (const p of params) {
      for (const f of [step, 1 / step]) {
        const cand = new Map(th);
        cand.set(keyOf(p.path), clamp(p, th.get(keyOf(p.path))! * f));
        const l = loss(cand);
        if (l < best - 1e-12) { best = l; th = cand; improved = true; }
      }
    }
    if (!improved) step = Math.sqrt(step);
  }
  return th;
}

const foldOf = (id: string) => createHash('sha1').update(id).digest()[0] % Math.max(1, folds);
const fitted = new Map<string, { theta: Theta; n: number }>();
const report: { key: string; rows: number; before: number; after: number; heldOut?: number; params: number; skip?: string }[] = [];
let done = 0;
for (const [key, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  if (tty) process.stderr.write(`\rfitting ${++done}/${groups.size} ${key.padEnd(40)}`);
  const err = (p: HardwareProfile, ss: readonly Sample[]) => median(ss.map((s) => Math.abs(predict(p, g.unit, s) / s.measured - 1) * 100));
  const before = err(g.profile, g.samples);
  if (g.samples.length < MIN_ROWS) { report.push({ key, rows: g.samples.length, before, after: before, params: 0, skip: `not fitted (< ${MIN_ROWS} rows)` }); continue; }
  // A unit kept at another fit on purpose: its rows are a transfer check, never fitted.
  const notFitted = g.profile.units[g.unit].not_fitted;
  if (notFitted) { report.push({ key, rows: g.samples.length, before, after: before, params: 0, skip: 'not fitted (transfer check; see not_fitted)' }); continue; }
  const params = paramsOf(g.profile, g.unit, g.samples);
  const th = fit(g.profile, g.unit, g.samples, params);
  fitted.set(key, { theta: th, n: g.samples.length });
  const after = err(withTheta(g.profile, th), g.samples);
  let heldOut: number | undefined;
  if (folds >= 2) {
    const errs: number[] = [];
    for (let k = 0; k < folds; k++) {
      const train = g.samples.filter((s) => foldOf(s.row.row_id) !== k), test = g.samples.filter((s) => foldOf(s.row.row_id) === k);
      if (train.length < MIN_ROWS || !test.length) continue;
      const tk = fit(g.profile, g.unit, train, paramsOf(g.profile, g.unit, train));
      for (const s of test) errs.push(Math.abs(predict(withTheta(g.profile, tk), g.unit, s) / s.measured - 1) * 100);
    }
    heldOut = errs.length ? median(errs) : undefined;
  }
  report.push({ key, rows: g.samples.length, before, after, heldOut, params: params.length });
}
if (tty) process.stderr.write('\n');

console.log('| device/unit | rows | params | median abs error (profile as it is) | after fit (in-sample) |' + (folds >= 2 ? ` held-out (${folds}-fold) |` : ''));
console.log('|---|---:|---:|---:|---:|' + (folds >= 2 ? '---:|' : ''));
for (const r of report) console.log(`| ${r.key} | ${r.rows} | ${r.params || '–'} | ${r.before.toFixed(1)} % | ${fitted.has(r.key) ? `${r.after.toFixed(1)} %` : r.skip ?? 'not fitted'} |` + (folds >= 2 ? ` ${r.heldOut !== undefined ? `${r.heldOut.toFixed(1)} %` : '–'} |` : ''));

if (write) {
  const docs = new Map<string, ReturnType<typeof parseDocument>>();
  for (const [key, { theta, n }] of fitted) {
    const [id, unit] = key.split('/');
    const file = `hardware-profiles/${id}.yaml`;
    const doc = docs.get(file) ?? parseDocument(readFileSync(file, 'utf8'));
    docs.set(file, doc);
    const src = `fitted by scripts/fit-profiles.ts on published-latency.csv (${n} rows of ${id}/${unit}; per device, unit, op class and runtime)`;
    for (const [k, v] of theta) {
      const path = k.split('.');
      let node = doc.getIn(path, true);
      // A number the profile does not state yet (a precision multiplier) starts from its neutral prior.
      if (node === undefined && path.includes('precision_efficiency')) {
        doc.setIn(path, doc.createNode({ value: 1, source: 'neutral prior (no precision-specific factor)', estimate: true }, { flow: true }));
        node = doc.getIn(path, true);
      }
      if (!isMap(node)) throw new Error(`${file}: ${k} is not a {value, source} map`);
      const was = node.get('value') as number;
      const value = Number(v.toPrecision(3));
      if (value === was) continue;
      const prior = (node.get('prior') as number | undefined) ?? was;
      const note = node.get('note') as string | undefined;
      doc.setIn(path, doc.createNode({ value, source: src, estimate: true, prior, ...(note ? { note } : {}) }, { flow: true }));
    }
  }
  for (const [file, doc] of docs) writeFileSync(file, doc.toString({ lineWidth: 0 }));
  console.log(`\nwrote ${fitted.size} fitted units into hardware-profiles/`);
}
