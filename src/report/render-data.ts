/** report.json and sweep.csv: stable key order as built, numbers to 6 significant digits. */
import type { ScenarioReport } from './types.ts';

const round = (v: number) => (Number.isInteger(v) ? v : Number(v.toPrecision(6)));

const isLeaf = (v: unknown) => v === null || typeof v !== 'object';

/**
 * Indented JSON whose innermost records (per-layer rows, timelines) sit on one line each, so a
 * report with thousands of layers stays readable in a diff.
 */
function compactJson(v: unknown, indent: string): string {
  if (isLeaf(v)) return JSON.stringify(typeof v === 'number' ? (Number.isFinite(v) ? round(v) : String(v)) : v) ?? 'null';
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    if (v.every(isLeaf)) return `[${v.map((x) => compactJson(x, inner)).join(', ')}]`;
    return `[\n${v.map((x) => inner + compactJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (!entries.length) return '{}';
  if (entries.every(([, x]) => isLeaf(x))) return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${compactJson(x, inner)}`).join(', ')}}`;
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${compactJson(x, inner)}`).join(',\n')}\n${indent}}`;
}

export function renderJson(r: ScenarioReport): string {
  const { formats: _formats, ...rest } = r;
  return compactJson({ format: 'edgeplan-report/1', ...rest }, '') + '\n';
}

const csvCell = (v: string | number | boolean | undefined): string => {
  if (v === undefined) return '';
  const s = typeof v === 'number' ? String(round(v)) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Baseline rows, then every sweep point: one row per simulation. */
export function renderCsv(r: ScenarioReport): string {
  const head = ['case', 'device', 'model', 'unit', 'precision', 'resolution', 'batch', 'threads', 'latency_ms', 'throughput_fps', 'energy_mj', 'power_w',
    'weights_bytes', 'peak_activation_bytes', 'fits_device', 'meets_budgets', 'binding'];
  const rows = [
    ...r.cells.map((c) => ['baseline', c.device, c.model, c.sim.unit, c.sim.precision, c.sim.resolution, c.sim.batch, c.sim.threads, c.sim.latencyMs, c.sim.throughputFps,
      c.sim.energyMj, c.sim.powerW, c.sim.weightsBytes, c.sim.peakActivationBytes, c.checks.filter((k) => k.constraint.startsWith('fits ')).every((k) => k.ok),
      c.verdict.meets, c.verdict.binding?.constraint]),
    ...r.sweep.map((s) => ['sweep', s.device, s.model, s.unit, s.precision, s.resolution, s.batch, s.threads, s.latencyMs, s.throughputFps, s.energyMj, s.powerW,
      s.weightsBytes, s.peakActivationBytes, s.fitsDevice, s.meets, s.binding]),
  ];
  return [head.join(','), ...rows.map((r2) => r2.map(csvCell).join(','))].join('\n') + '\n';
}
