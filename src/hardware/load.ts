/**
 * Hardware profile loading: YAML text → HardwareProfile, checked against
 * hardware-profiles/profile.schema.json and then against the cross-references the schema cannot
 * express (unit/memory/link ids, fallback chains, peaks per precision, value ranges). Pure: the
 * CLI reads files and passes their text here.
 */
import { EdgeplanError, type ErrorLocation } from '../errors/index.ts';
import { suggestFrom } from '../graph/suggest.ts';
import { checkSchema, parseYaml, pathToString, schemaProblems, type PathSegment } from '../yaml-input/index.ts';
import schema from '../../hardware-profiles/profile.schema.json' with { type: 'json' };
import type { ComputeUnit, HardwareProfile, SourcedNumber } from './types.ts';

export { schema as profileSchema };

type Where = (path: readonly PathSegment[]) => ErrorLocation;

const list = (ids: readonly string[]) => (ids.length ? ids.join(', ') : '(none)');

/** Values that are rates, sizes, clocks or counts: zero would divide by zero or mean "absent". */
const POSITIVE_UNIT_FIELDS = ['clock_mhz', 'cores', 'threads', 'sparse_speedup_2_4'] as const;

/**
 * Every problem the schema cannot see, in document order. `where` turns a field path into a
 * location (file:line:col when parsing, just the path when checking overrides).
 */
function crossCheck(p: HardwareProfile, where: Where): EdgeplanError[] {
  const out: EdgeplanError[] = [];
  const bad = (path: PathSegment[], message: string, fix: string) =>
    out.push(new EdgeplanError('schema', message, { ...where(path), path: pathToString(path), fix }));
  const unitIds = Object.keys(p.units);
  const memIds = Object.keys(p.memory);
  const linkIds = Object.keys(p.links ?? {});
  const positive = (path: PathSegment[], n: SourcedNumber | undefined) => {
    if (n && !(n.value > 0)) bad([...path, 'value'], `must be > 0 (got ${n.value})`, 'write the real figure; a zero rate, size or clock makes every estimate infinite');
  };

  if (!p.units[p.default_unit]) bad(['default_unit'], `default_unit '${p.default_unit}' is not a unit of this profile`, `use one of: ${list(unitIds)}`);
  for (const key of ['weights_in', 'activations_in'] as const) {
    if (!p.memory[p[key]]) bad([key], `${key} '${p[key]}' is not a memory level of this profile`, `use one of: ${list(memIds)}`);
  }
  if (p.default_link !== undefined && !p.links?.[p.default_link]) {
    bad(['default_link'], `default_link '${p.default_link}' is not a link of this profile`, linkIds.length ? `use one of: ${list(linkIds)}` : 'add a links: section or remove default_link');
  }
  if (p.links && p.default_link === undefined) bad(['links'], 'links are given but default_link is missing', `add 'default_link:' naming one of: ${list(linkIds)}`);

  for (const [uid, u] of Object.entries(p.units)) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['units', uid, ...rest];
    if (!p.memory[u.memory]) bad(at('memory'), `unit '${uid}' streams from memory '${u.memory}', which is not defined`, `use one of: ${list(memIds)}`);
    if (u.onchip_memory !== undefined && !p.memory[u.onchip_memory]) bad(at('onchip_memory'), `unit '${uid}' names on-chip memory '${u.onchip_memory}', which is not defined`, `use one of: ${list(memIds)}`);
    if (u.fallback !== undefined) {
      if (u.fallback === uid) bad(at('fallback'), `unit '${uid}' falls back to itself`, `name another unit (${list(unitIds.filter((x) => x !== uid))}) or remove fallback`);
      else if (!p.units[u.fallback]) bad(at('fallback'), `fallback '${u.fallback}' of unit '${uid}' is not a unit of this profile`, `use one of: ${list(unitIds.filter((x) => x !== uid))}`);
    }
    u.precisions.forEach((prec, i) => {
      if (!u.peak_ops_per_s[prec]) bad(at('precisions', i), `unit '${uid}' lists precision ${prec} but has no peak_ops_per_s.${prec}`, `add peak_ops_per_s.${prec} or remove ${prec} from precisions`);
    });
    for (const [prec, n] of Object.entries(u.peak_ops_per_s)) {
      if (!u.precisions.includes(prec as ComputeUnit['precisions'][number])) bad(at('peak_ops_per_s', prec), `unit '${uid}' has a ${prec} peak but ${prec} is not in its precisions`, `add ${prec} to precisions or remove this peak`);
      positive(at('peak_ops_per_s', prec), n);
    }
    for (const [cls, e] of Object.entries(u.efficiency)) {
      if (!(e.value > 0 && e.value <= 1)) bad(at('efficiency', cls, 'value'), `efficiency must be in (0, 1] (got ${e.value})`, 'write the fraction of peak attained, e.g. 0.4');
    }
    for (const f of POSITIVE_UNIT_FIELDS) positive(at(f), u[f]);
    positive(at('sparse_realized_speedup_2_4'), u.sparse_realized_speedup_2_4);
    for (const [q, n] of Object.entries(u.precision_efficiency ?? {})) positive(at('precision_efficiency', q), n);
    for (const [rid, r] of Object.entries(u.runtimes ?? {})) {
      try { new RegExp(r.match, 'i'); } catch (e) {
        bad(at('runtimes', rid, 'match'), `runtime '${rid}' match is not a valid regular expression: ${(e as Error).message}`, 'write a JavaScript regular expression such as "^ncnn"');
      }
      positive(at('runtimes', rid, 'efficiency_scale'), r.efficiency_scale);
      positive(at('runtimes', rid, 'overhead_scale'), r.overhead_scale);
    }
    if (u.dataflow) {
      positive(at('dataflow', 'layers_per_context'), u.dataflow.layers_per_context);
      positive(at('dataflow', 'weight_bytes_per_context'), u.dataflow.weight_bytes_per_context);
    }
    for (const [k, n] of Object.entries(u.constraints ?? {})) if (k !== 'notes') positive(at('constraints', k), n as SourcedNumber);
  }

  // Fallback chains must end: report each loop once, at the first unit (in file order) on it.
  const reported = new Set<string>();
  for (const start of unitIds) {
    const chain: string[] = [];
    for (let cur: string | undefined = start; cur !== undefined && p.units[cur]; cur = p.units[cur].fallback) {
      const i = chain.indexOf(cur);
      if (i >= 0) {
        const loop = chain.slice(i);
        const key = [...loop].sort().join(',');
        if (loop.length > 1 && !reported.has(key)) {
          reported.add(key);
          const first = unitIds.find((x) => loop.includes(x))!;
          const from = loop.indexOf(first);
          const shown = [...loop.slice(from), ...loop.slice(0, from), first];
          bad(['units', first, 'fallback'], `fallback chain loops: ${shown.join(' → ')}`, 'end the chain at a unit without fallback (usually the cpu)');
        }
        break;
      }
      chain.push(cur);
    }
  }

  for (const [mid, m] of Object.entries(p.memory)) {
    positive(['memory', mid, 'size_bytes'], m.size_bytes);
    positive(['memory', mid, 'bandwidth_bytes_per_s'], m.bandwidth_bytes_per_s);
  }
  for (const [lid, l] of Object.entries(p.links ?? {})) {
    positive(['links', lid, 'bandwidth_bytes_per_s'], l.bandwidth_bytes_per_s);
    positive(['links', lid, 'signalling_bits_per_s'], l.signalling_bits_per_s);
  }
  positive(['power', 'max_w'], p.power.max_w);
  return out;
}

/**
 * Parses one profile. Throws the first problem as EdgeplanError('schema' | 'yaml_syntax' |
 * 'empty_file') with file, line, col, the field path and a fix listing valid ids.
 */
export function parseProfile(text: string, file: string): HardwareProfile {
  const doc = checkSchema<HardwareProfile>(parseYaml(text, file), schema);
  const problems = crossCheck(doc.data, (path) => ({ file, ...doc.locate(path) }));
  if (problems.length) throw problems[0];
  return doc.data;
}

/** Canonical id for `query`: an exact id or alias, case-insensitive. */
export function resolveDeviceId(query: string, profiles: readonly { readonly id: string; readonly aliases: readonly string[] }[]): string {
  const q = query.trim().toLowerCase();
  const idOf = new Map<string, string>();
  for (const p of profiles) for (const name of [p.id, ...p.aliases]) if (!idOf.has(name.toLowerCase())) idOf.set(name.toLowerCase(), p.id);
  const hit = idOf.get(q);
  if (hit) return hit;
  // Names containing the query first ('orin' → the Orins), then nearest by edit distance.
  const norm = (s: string) => s.replace(/[-_.\s]/g, '');
  const containing = [...idOf.keys()].filter((n) => q !== '' && norm(n).includes(norm(q))).sort((a, b) => a.length - b.length || a.localeCompare(b));
  const near = [...new Set([...containing, ...suggestFrom(q, [...idOf.keys()], 6)].map((n) => idOf.get(n)!))].slice(0, 3);
  throw new EdgeplanError('unknown_device', `unknown device '${query}'`, {
    fix: near.length ? `did you mean ${near.map((x) => `'${x}'`).join(' or ')}? (edgeplan devices lists all)` : 'run `edgeplan devices` for the list, or pass a profile .yaml file',
  });
}

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isSourced = (x: unknown): x is SourcedNumber => isPlainObject(x) && typeof x.value === 'number';

/**
 * Merges `over` into `base`: objects merge key by key, anything else replaces. A SourcedNumber is
 * replaced whole when `over` gives a value: a bare number or `{value}` without `source` gets source
 * 'scenario override', so a value's provenance never describes a different number.
 */
function mergeInto(base: unknown, over: unknown): unknown {
  if (isSourced(base) && (typeof over === 'number' || (isPlainObject(over) && 'value' in over))) {
    if (typeof over !== 'number' && 'source' in over) return over;
    const rest = typeof over === 'number' ? { value: over } : over;
    return { ...rest, source: `scenario override (profile: ${base.value})` };
  }
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeInto(base[k], v) : v;
    return out;
  }
  return over;
}

/**
 * Applies a scenario's inline overrides, e.g. `{units: {gpu: {clock_mhz: {value: 1020}}}}`.
 * When a unit's clock changes and the override does not set its peaks, the peaks scale by the
 * clock ratio (peak = MACs/cycle × clock). The result is re-checked; a problem is thrown as
 * EdgeplanError('bad_value') with the field path (the scenario loader adds its file and line).
 */
export function applyProfileOverrides(p: HardwareProfile, overrides: Record<string, unknown>): HardwareProfile {
  const merged = mergeInto(p, overrides) as HardwareProfile;
  const unitOverrides = isPlainObject(overrides.units) ? overrides.units : {};
  const units: Record<string, ComputeUnit> = { ...merged.units };
  for (const [uid, uo] of Object.entries(unitOverrides)) {
    const before = p.units[uid]?.clock_mhz?.value;
    const after = units[uid]?.clock_mhz?.value;
    if (!isPlainObject(uo) || 'peak_ops_per_s' in uo || !before || after === undefined || after === before) continue;
    const ratio = after / before;
    const peaks = Object.fromEntries(Object.entries(units[uid].peak_ops_per_s).map(([prec, n]) => [prec, {
      ...n, value: n.value * ratio, source: `derived: ${n.value} × ${after}/${before} MHz clock override (${n.source})`,
    }]));
    units[uid] = { ...units[uid], peak_ops_per_s: peaks };
  }
  const result: HardwareProfile = { ...merged, units };

  // No YAML behind the merged object: locations are dropped below, only the field path is kept.
  const located = { data: result, file: '', locate: () => ({ line: 1, col: 1 }) };
  const schemaErrs = schemaProblems(located, schema);
  const problems = schemaErrs.length ? schemaErrs : crossCheck(result, () => ({}));
  if (problems.length) {
    const e = problems[0];
    throw new EdgeplanError('bad_value', `hardware override: ${e.message}`, { path: e.location.path, fix: e.fix });
  }
  return result;
}
