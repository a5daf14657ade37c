/**
 * Parses a scenario YAML: schema check (every problem with file:line:col and field path), budgets
 * read with units (`16ms`, `512KiB`), entries normalised and labelled. Pure: resolving device ids,
 * profile and model files happens in the CLI, which uses `locate` to point its errors at the line.
 */
import { EdgeplanError } from '../errors/index.ts';
import type { Budgets } from '../plan/types.ts';
import { parseQuantity, type QuantityKind } from '../units/index.ts';
import { parseYaml, pathToString, schemaProblems, type PathSegment } from '../yaml-input/index.ts';
import scenarioSchema from '../../schemas/scenario.schema.json' with { type: 'json' };
import { REPORT_FORMATS, type DeviceEntry, type ModelEntry, type Scenario, type ScenarioYaml } from './types.ts';

export { scenarioSchema };

/** Thrown when a scenario has several problems: `issues` holds each, in line order. */
export class ScenarioIssues extends Error {
  constructor(readonly issues: readonly EdgeplanError[]) {
    super(issues.map((e) => e.message).join('; '));
  }
}

const BUDGET_KINDS: readonly [key: 'latency' | 'memory' | 'flash' | 'power' | 'energy', kind: QuantityKind][] = [
  ['latency', 'time'], ['memory', 'bytes'], ['flash', 'bytes'], ['power', 'power'], ['energy', 'energy'],
];

export function modelKindOf(ref: string): ModelEntry['kind'] {
  if (/\.ya?ml$/i.test(ref)) return 'yaml';
  if (/\.onnx$/i.test(ref)) return 'onnx';
  if (/\.tflite$/i.test(ref)) return 'tflite';
  return 'zoo';
}

/** Parses and checks a scenario; throws EdgeplanError (one problem) or ScenarioIssues (several). */
export function parseScenario(text: string, file: string): Scenario {
  const doc = parseYaml<ScenarioYaml>(text, file);
  const schemaErrs = pruneAlternatives(schemaProblems(doc, scenarioSchema));
  if (schemaErrs.length) throw issuesOf(schemaErrs);
  const y = doc.data;
  const problems: EdgeplanError[] = [];
  const at = (path: readonly PathSegment[], err: EdgeplanError) => {
    const { line, col } = doc.locate(path);
    problems.push(err.withLocation({ file, line, col, path: pathToString(path) }));
  };

  // Budgets: quantities with units, converted to the unit in the Budgets field name.
  const b: Record<string, number> = {};
  const budgetText: Record<string, string> = {};
  for (const [key, kind] of BUDGET_KINDS) {
    const v = y.budgets?.[key];
    if (v === undefined) continue;
    try {
      const q = parseQuantity(v, kind, `budgets.${key}`);
      if (!(q > 0)) throw new EdgeplanError('bad_value', `budgets.${key} must be greater than zero, got '${v}'`, { fix: 'give a positive limit, or drop the budget' });
      b[key] = q;
      budgetText[key] = String(v);
    } catch (e) {
      if (!(e instanceof EdgeplanError)) throw e;
      at(['budgets', key], e);
    }
  }
  if (y.budgets?.fps !== undefined) budgetText.fps = `${y.budgets.fps} fps`;
  if (y.budgets?.max_accuracy_drop !== undefined) budgetText.max_accuracy_drop = `${y.budgets.max_accuracy_drop} pp`;
  const budgets: Budgets = {
    ...(b.latency !== undefined ? { latencyMs: b.latency } : {}),
    ...(y.budgets?.fps !== undefined ? { fps: y.budgets.fps } : {}),
    ...(b.memory !== undefined ? { peakActivationBytes: b.memory } : {}),
    ...(b.flash !== undefined ? { weightsBytes: b.flash } : {}),
    ...(b.power !== undefined ? { powerW: b.power } : {}),
    ...(b.energy !== undefined ? { energyMj: b.energy } : {}),
    ...(y.budgets?.max_accuracy_drop !== undefined ? { maxAccuracyDropPct: y.budgets.max_accuracy_drop } : {}),
  };

  // Devices: exactly one of device / base; overrides only with base; unique labels.
  const devices: DeviceEntry[] = y.devices.map((d, index) => {
    if (typeof d === 'string') return { index, mapping: false, key: d, device: d };
    if ((d.device === undefined) === (d.base === undefined)) {
      at(['devices', index], new EdgeplanError('schema', d.device ? 'a device has `device:` or `base:`, not both' : 'a device needs `device:` (id or profile path) or `base:` (id, with overrides)', {
        fix: 'write `device: jetson-orin-nano`, or `base: jetson-orin-nano-8gb` with `overrides:`',
      }));
    }
    if (d.overrides !== undefined && d.base === undefined) {
      at(['devices', index, 'overrides'], new EdgeplanError('schema', '`overrides:` needs `base:`', { fix: 'replace `device:` with `base:` (a built-in id) or drop the overrides' }));
    }
    if (d.base !== undefined && d.id === undefined) {
      at(['devices', index], new EdgeplanError('schema', 'a device with overrides needs an `id:` to tell it from the base device', { fix: `add id: ${d.base}-custom` }));
    }
    const name = d.device ?? d.base ?? '';
    const key = d.id ?? `${name}${d.link ? `@${d.link}` : ''}${d.unit ? `/${d.unit}` : ''}`;
    return { index, mapping: true, key, device: d.device, base: d.base, overrides: d.overrides, unit: d.unit, link: d.link, description: d.description };
  });
  checkUnique(devices, 'devices', at);

  const models: ModelEntry[] = y.models.map((m, index) => {
    const e = typeof m === 'string' ? { model: m } : m;
    const base = e.model.replace(/^.*[/\\]/, '').replace(/\.(ya?ml|onnx|tflite)$/i, '');
    const key = typeof m !== 'string' && m.id ? m.id : `${base}${e.resolution ? `@${e.resolution}` : ''}${e.width ? `x${e.width}` : ''}`;
    return { index, mapping: typeof m !== 'string', key, model: e.model, kind: modelKindOf(e.model), resolution: e.resolution, width: e.width, description: typeof m === 'string' ? undefined : m.description };
  });
  checkUnique(models, 'models', at);

  const planOpt = y.run?.plan;
  const paretoOpt = y.run?.pareto;
  const paretoSel = typeof paretoOpt === 'object' ? paretoOpt : undefined;
  for (const [field, list, keys] of [['devices', paretoSel?.devices, devices], ['models', paretoSel?.models, models]] as const) {
    (list ?? []).forEach((k, i) => {
      if (!keys.some((e) => e.key === k)) {
        at(['run', 'pareto', field, i], new EdgeplanError('schema', `run.pareto.${field} names '${k}', which is not in ${field}`, { fix: `use one of: ${keys.map((e) => e.key).join(', ')}` }));
      }
    });
  }
  const run = {
    precision: y.run?.simulate?.precision,
    batch: y.run?.simulate?.batch ?? 1,
    threads: y.run?.simulate?.threads,
    plan: planOpt !== undefined && planOpt !== false,
    protect: typeof planOpt === 'object' ? planOpt.protect ?? [] : [],
    planWhen: typeof planOpt === 'object' ? planOpt.when ?? 'always' : 'always',
    pareto: paretoOpt !== undefined && paretoOpt !== false,
    ...(paretoSel?.devices ? { paretoDevices: paretoSel.devices } : {}),
    ...(paretoSel?.models ? { paretoModels: paretoSel.models } : {}),
    sweep: y.run?.sweep,
  };
  if ((run.plan || run.pareto) && Object.keys(budgets).length === 0) {
    at(['run', run.plan ? 'plan' : 'pareto'], new EdgeplanError('schema', 'the planner needs at least one budget', { fix: 'add budgets: {latency: 16ms} (or fps, memory, flash, power, energy)' }));
  }

  if (problems.length) throw issuesOf(problems);
  return {
    file,
    name: y.name,
    title: y.title ?? y.name,
    description: y.description?.trim() ?? '',
    devices,
    models,
    budgets,
    budgetText,
    run,
    formats: y.formats ?? REPORT_FORMATS,
    assumptions: y.assumptions ?? [],
    locate: doc.locate,
  };
}

function checkUnique(entries: readonly { key: string; index: number }[], field: string, at: (p: readonly PathSegment[], e: EdgeplanError) => void): void {
  const seen = new Map<string, number>();
  for (const e of entries) {
    const first = seen.get(e.key);
    if (first !== undefined) {
      at([field, e.index], new EdgeplanError('schema', `${field}[${e.index}] has the same label '${e.key}' as ${field}[${first}]`, { fix: 'give one of them a distinct `id:`' }));
    } else seen.set(e.key, e.index);
  }
}

/** One problem stays an EdgeplanError; several become ScenarioIssues, sorted by line. */
export function issuesOf(errs: readonly EdgeplanError[]): Error {
  if (errs.length === 1) return errs[0];
  return new ScenarioIssues([...errs].sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.col ?? 0) - (b.location.col ?? 0)));
}

/**
 * Entries that may be a string or a mapping (devices, models, plan, pareto) make ajv report every
 * branch. Keep the specific problem: drop "must be a <type>" and "must match ... oneOf" at a path
 * when a more specific problem sits at or below it, and keep one type problem per path.
 */
function pruneAlternatives(errs: readonly EdgeplanError[]): EdgeplanError[] {
  const generic = (e: EdgeplanError) => /^must be an? \w+$|oneOf|must match/.test(e.message);
  const pathOf = (e: EdgeplanError) => e.location.path ?? '';
  const under = (p: string, q: string) => p === q || p.startsWith(q + '.') || p.startsWith(q + '[');
  const specific = errs.filter((e) => !generic(e));
  const seen = new Set<string>();
  return errs.filter((e) => {
    if (!generic(e)) return true;
    if (specific.some((f) => under(pathOf(f), pathOf(e)))) return false;
    if (/oneOf|must match/.test(e.message) && errs.some((f) => f !== e && pathOf(f) === pathOf(e))) return false;
    if (seen.has(pathOf(e))) return false;
    seen.add(pathOf(e));
    return true;
  });
}
