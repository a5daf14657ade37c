/**
 * src/report owns the design-review report: `evaluateScenario` gathers every number a report
 * shows (simulations, budget checks, verdicts, plans, sweeps, sources), and the renderers turn
 * that data into report.md, report.html (inline SVG charts from d3-node), report.json and
 * sweep.csv. Renderers return strings; only the CLI writes files.
 */
import { buildDocument } from './document.ts';
import { renderCsv, renderJson } from './render-data.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-md.ts';
import type { ScenarioReport } from './types.ts';
import type { ReportFormat } from '../scenario/types.ts';

export * from './types.ts';
export { evaluateScenario, checkBudgets, verdictOf, latencyLimitMs, widestPrecision, type Planner, type ResolvedDevice, type ResolvedModel, type EvaluateOptions } from './evaluate.ts';
export { buildDocument, type Block } from './document.ts';
export { renderMarkdown } from './render-md.ts';
export { renderHtml } from './render-html.ts';
export { renderJson, renderCsv } from './render-data.ts';
export { OKABE_ITO } from './charts.ts';

export const REPORT_FILES: Readonly<Record<ReportFormat, string>> = { md: 'report.md', html: 'report.html', json: 'report.json', csv: 'sweep.csv' };

/** File name → contents for the requested formats, in a fixed order. */
export function renderReport(r: ScenarioReport, formats: readonly ReportFormat[]): Map<string, string> {
  const out = new Map<string, string>();
  const doc = formats.includes('md') || formats.includes('html') ? buildDocument(r) : [];
  for (const f of (['md', 'html', 'json', 'csv'] as const).filter((x) => formats.includes(x))) {
    out.set(REPORT_FILES[f], f === 'md' ? renderMarkdown(doc) : f === 'html' ? renderHtml(doc, r.title) : f === 'json' ? renderJson(r) : renderCsv(r));
  }
  return out;
}
