/**
 * `edgeplan run scenario.yaml [--out DIR] [--format md,html,json,csv]`: loads a scenario, resolves
 * its devices (ids, profile files, base + overrides) and models (zoo ids, YAML/ONNX/TFLite paths,
 * relative to the scenario file), evaluates it and writes the design-review report.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { Argv } from 'yargs';
import { EdgeplanError, formatError } from '../../errors/index.ts';
import { applyProfileOverrides, parseProfile, resolveDeviceId, type HardwareProfile } from '../../hardware/index.ts';
import { planModel } from '../../plan/index.ts';
import type { ResolvedDevice, ResolvedModel, ScenarioReport } from '../../report/index.ts';
import { parseScenario, ScenarioIssues, REPORT_FORMATS, type ReportFormat, type Scenario } from '../../scenario/index.ts';
import { pathToString, type PathSegment } from '../../yaml-input/index.ts';
import { builtinProfiles } from '../device-arg.ts';
import { toJson } from '../format.ts';
import type { Io } from '../io.ts';
import { loadModelArg } from '../model-arg.ts';

export interface RunArgs {
  scenario: string;
  out?: string;
  format?: string;
  json: boolean;
}

/** A path in the scenario, resolved from the scenario file's folder. */
function fromScenario(s: Scenario, p: string): string {
  return isAbsolute(p) ? p : join(dirname(s.file), p);
}

/** Adds the scenario's file:line and field path to an error that has no file of its own. */
function locateIn(s: Scenario, path: readonly PathSegment[], e: unknown): unknown {
  if (!(e instanceof EdgeplanError)) return e;
  if (e.location.file) return e;
  const { line, col } = s.locate(path);
  return new EdgeplanError(e.code, e.message, { ...e.location, file: s.file, line, col, path: pathToString(path), fix: e.fix, exitCode: e.exitCode });
}

/** `units.gpu.clock_mhz` → ['units', 'gpu', 'clock_mhz'] (and `a[2]` → 'a', 2). */
function splitPath(p: string | undefined): PathSegment[] {
  if (!p || p === '(top level)') return [];
  return p.split('.').flatMap((seg) => seg.split(/\[(\d+)\]/).filter((x) => x !== '').map((x) => (/^\d+$/.test(x) ? Number(x) : x)));
}

function leafPaths(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null || Array.isArray(o) || 'value' in o) return [prefix];
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

export function resolveDevices(io: Io, s: Scenario): { devices: ResolvedDevice[]; problems: EdgeplanError[] } {
  const devices: ResolvedDevice[] = [];
  const problems: EdgeplanError[] = [];
  const builtins = () => builtinProfiles(io);
  const byId = (q: string): HardwareProfile => builtins().get(resolveDeviceId(q, [...builtins().values()]))!;
  for (const entry of s.devices) {
    const field = entry.base !== undefined ? 'base' : 'device';
    try {
      let profile: HardwareProfile;
      let overrides: string[] = [];
      if (entry.base !== undefined) {
        if (/\.ya?ml$/i.test(entry.base)) throw new EdgeplanError('bad_value', '`base:` takes a built-in device id, not a file', { fix: 'use `device:` for a profile file' });
        const base = byId(entry.base);
        try {
          profile = applyProfileOverrides(base, (entry.overrides ?? {}) as Record<string, unknown>);
        } catch (e) {
          if (!(e instanceof EdgeplanError)) throw e;
          const sub = splitPath(e.location.path);
          throw locateIn(s, ['devices', entry.index, 'overrides', ...sub], new EdgeplanError(e.code, e.message, { fix: e.fix }));
        }
        overrides = leafPaths(entry.overrides ?? {}).filter((x) => x !== '');
      } else if (/\.ya?ml$/i.test(entry.device!)) {
        const p = fromScenario(s, entry.device!);
        if (!existsSync(p)) throw new EdgeplanError('file_not_found', `device profile file not found: ${p}`, { fix: 'check the path (relative paths resolve from the scenario file)' });
        profile = parseProfile(io.readText(p), p);
      } else {
        profile = byId(entry.device!);
      }
      devices.push({ entry, profile, overrides });
    } catch (e) {
      const le = locateIn(s, ['devices', entry.index, ...(entry.mapping ? [field] : [])], e);
      if (!(le instanceof EdgeplanError)) throw le;
      problems.push(le);
    }
  }
  return { devices, problems };
}

export function resolveModels(io: Io, s: Scenario): { models: ResolvedModel[]; problems: EdgeplanError[] } {
  const models: ResolvedModel[] = [];
  const problems: EdgeplanError[] = [];
  for (const entry of s.models) {
    const at: PathSegment[] = ['models', entry.index, ...(entry.mapping ? ['model'] : [])];
    const path = entry.kind === 'zoo' ? entry.model : fromScenario(s, entry.model);
    const load = (resolution?: number) => loadModelArg(io, { model: path, resolution, widthMultiplier: entry.width });
    try {
      if (entry.kind !== 'zoo' && !existsSync(path)) {
        throw new EdgeplanError('file_not_found', `model file not found: ${path}`, { fix: 'check the path (relative paths resolve from the scenario file)' });
      }
      load(entry.resolution); // fail here, at the scenario line, rather than mid-run
      models.push({ entry, load });
    } catch (e) {
      const le = locateIn(s, at, e);
      if (!(le instanceof EdgeplanError)) throw le;
      problems.push(le);
    }
  }
  return { models, problems };
}

/** Prints all but the last problem and throws the last, so the CLI shows one line per problem. */
function raise(io: Io, errs: readonly EdgeplanError[]): never {
  const sorted = [...errs].sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0));
  for (const e of sorted.slice(0, -1)) io.err(formatError(e) + '\n');
  throw sorted[sorted.length - 1];
}

export function parseFormats(text: string | undefined, fallback: readonly ReportFormat[]): ReportFormat[] {
  if (text === undefined) return [...fallback];
  const xs = text.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
  for (const x of xs) {
    if (!(REPORT_FORMATS as readonly string[]).includes(x)) throw new EdgeplanError('usage', `--format: unknown format '${x}'`, { fix: `use a comma-separated list of ${REPORT_FORMATS.join(', ')}` });
  }
  if (!xs.length) throw new EdgeplanError('usage', '--format is empty', { fix: 'pass e.g. --format md,html' });
  return REPORT_FORMATS.filter((f) => xs.includes(f));
}

export interface BuiltReport {
  readonly scenario: Scenario;
  readonly report: ScenarioReport;
  /** File name → contents. */
  readonly files: Map<string, string>;
}

/** Loads, resolves, evaluates and renders a scenario; writes nothing. */
export async function buildScenarioReport(io: Io, scenarioPath: string, opts: { formats?: readonly ReportFormat[]; onProgress?: (done: number, total: number) => void } = {}): Promise<BuiltReport> {
  let scenario: Scenario;
  try {
    scenario = parseScenario(io.readText(scenarioPath), scenarioPath);
  } catch (e) {
    if (e instanceof ScenarioIssues) raise(io, e.issues);
    throw e;
  }
  const d = resolveDevices(io, scenario);
  const m = resolveModels(io, scenario);
  if (d.problems.length || m.problems.length) raise(io, [...d.problems, ...m.problems]);
  // The report stage (d3-node and its jsdom) loads only for `run`: ~0.35 s off every other command.
  const { evaluateScenario, renderReport } = await import('../../report/index.ts');
  // Pareto fronts solve on worker threads (the front does not depend on their number).
  const jobs = availableParallelism();
  const report = await evaluateScenario(scenario, d.devices, m.models, { planner: (g, p, b, o) => planModel(g, p, b, { ...o, jobs }), onProgress: opts.onProgress });
  return { scenario, report, files: renderReport(report, opts.formats ?? scenario.formats) };
}

/** A one-line progress bar on stderr, redrawn in place. */
function progressBar(io: Io): { tick: (done: number, total: number) => void; end: () => void } {
  let shown = false;
  let last = -1;
  return {
    tick: (done, total) => {
      const width = 30;
      const filled = Math.round((done / total) * width);
      if (filled === last && done !== total) return;
      last = filled;
      shown = true;
      io.err(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} simulations and plans`);
    },
    end: () => { if (shown) io.err('\r' + ' '.repeat(70) + '\r'); },
  };
}

export function runCommand(io: Io) {
  return {
    command: 'run <scenario>',
    describe: 'Evaluate a scenario file and write its design-review report (Markdown, HTML, JSON, CSV)',
    builder: (y: Argv) => y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario .yaml (schema: schemas/scenario.schema.json)' })
      .option('out', { type: 'string', describe: 'output folder (default: ./<scenario name>-report)' })
      .option('format', { type: 'string', describe: 'comma-separated subset of md,html,json,csv (default: the scenario\'s formats, else all)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary on stdout (no progress bar)' })
      .example('$0 run scenarios/ar-60fps.yaml --out out/ar', 'writes out/ar/report.md, report.html, report.json, sweep.csv')
      .example('$0 run scenarios/mcu-vww-kws.yaml --format md', 'Markdown only'),
    handler: async (argv: RunArgs) => {
      const formats = argv.format !== undefined ? parseFormats(argv.format, REPORT_FORMATS) : undefined;
      // Progress only for an interactive terminal, never with --json or in CI.
      const bar = io.isTty && !argv.json && !process.env.CI ? progressBar(io) : undefined;
      let built: BuiltReport;
      try {
        built = await buildScenarioReport(io, argv.scenario, { formats, onProgress: bar?.tick });
      } finally {
        bar?.end();
      }
      const out = argv.out ?? `${built.scenario.name}-report`;
      mkdirSync(out, { recursive: true });
      for (const [name, text] of built.files) io.writeText(join(out, name), text);
      const r = built.report;
      if (argv.json) {
        io.out(toJson({
          scenario: r.name, out, files: [...built.files.keys()],
          cells: r.cells.map((c) => ({ device: c.device, model: c.model, latency_ms: c.sim.latencyMs, meets: c.verdict.meets, verdict: c.verdict.text, binding: c.verdict.binding?.constraint ?? null })),
        }));
        return;
      }
      const meets = r.cells.filter((c) => c.verdict.meets).length;
      io.out(`${r.title}: ${meets} of ${r.cells.length} device × model combinations meet the budgets\n`);
      for (const c of r.cells) io.out(`  ${c.verdict.meets ? '✓' : '✗'} ${c.device} × ${c.model}: ${c.verdict.text}\n`);
      io.out(`wrote ${[...built.files.keys()].map((f) => join(out, f)).join(', ')}\n`);
    },
  };
}
