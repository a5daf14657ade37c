/** The plan.json `plan --out` writes and `simulate --plan` reads. */
import { EdgeplanError } from '../errors/index.ts';
import type { LayerChoice, SensitivityEntry } from '../plan/index.ts';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseYaml } from '../yaml-input/index.ts';
import { suggestFrom } from '../graph/suggest.ts';

export interface PlanFile {
  readonly device: string;
  readonly model: string;
  readonly unit: string;
  readonly resolution?: number;
  readonly width_multiplier?: number;
  readonly batch: number;
  readonly plan: { readonly layers: readonly LayerChoice[] };
}

export function parsePlanFile(text: string, file: string): PlanFile {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new EdgeplanError('bad_value', `not valid JSON: ${(e as Error).message.split('\n')[0]}`, { file, fix: 'pass the plan.json that `edgeplan plan --out` wrote' });
  }
  const p = j as Partial<PlanFile>;
  const layers = p?.plan?.layers;
  if (!Array.isArray(layers)) throw new EdgeplanError('schema', 'missing plan.layers', { file, path: 'plan.layers', fix: 'pass the plan.json that `edgeplan plan --out` wrote' });
  layers.forEach((l, i) => {
    if (typeof l?.name !== 'string' || typeof l?.precision !== 'string' || typeof l?.prune !== 'number') {
      throw new EdgeplanError('schema', 'each layer needs name (string), precision (string) and prune (number)', { file, path: `plan.layers[${i}]`, fix: 'e.g. {"name": "conv1", "precision": "int8", "prune": 0}' });
    }
  });
  return p as PlanFile;
}

/** A sensitivity file: YAML (list of {layer, choice, drop}) or CSV with columns layer,choice,drop. */
export function parseSensitivity(text: string, file: string): SensitivityEntry[] {
  let rows: Record<string, unknown>[];
  if (/\.csv$/i.test(file)) {
    try {
      rows = parseCsv(text, { columns: true, skip_empty_lines: true });
    } catch (e) {
      throw new EdgeplanError('bad_value', `not a readable CSV: ${(e as Error).message.split('\n')[0]}`, { file, fix: 'columns: layer,choice,drop' });
    }
  } else {
    const doc = parseYaml<Record<string, unknown>>(text.trim().startsWith('-') ? `entries:\n${text.replace(/^/gm, '  ')}` : text, file);
    const list = (doc.data.entries ?? doc.data.sensitivity) as Record<string, unknown>[] | undefined;
    if (!Array.isArray(list)) throw new EdgeplanError('schema', 'expected a list of {layer, choice, drop}', { file, line: 1, fix: 'write `- {layer: conv1, choice: int8, drop: 0.3}` lines' });
    rows = list;
  }
  if (!rows.length) throw new EdgeplanError('schema', 'the sensitivity file has no entries', { file, line: 1, fix: 'write a header `layer,choice,drop` and one row per measured drop (or YAML `- {layer: conv1, choice: int8, drop: 0.3}`)' });
  const CHOICES = /^(fp16|int8|int4|prune(25|50|75)|sparse24)$/;
  return rows.map((r, i) => {
    const drop = Number(r.drop);
    if (typeof r.layer !== 'string' || typeof r.choice !== 'string' || !CHOICES.test(r.choice) || !Number.isFinite(drop)) {
      throw new EdgeplanError('schema', `entry ${i + 1}: needs layer, choice (fp16|int8|int4|prune25|prune50|prune75|sparse24) and a numeric drop`, { file, line: /\.csv$/i.test(file) ? i + 2 : undefined, fix: 'e.g. conv1,int8,0.3' });
    }
    return { layer: r.layer, choice: r.choice, dropPct: drop };
  });
}

/** Every sensitivity entry must name a layer of the model (a typo would otherwise be ignored silently). */
export function checkSensitivityLayers(entries: readonly SensitivityEntry[], layerNames: readonly string[], file: string): void {
  const known = new Set(layerNames);
  entries.forEach((e, i) => {
    if (!known.has(e.layer)) {
      const near = suggestFrom(e.layer, layerNames);
      throw new EdgeplanError('bad_value', `entry ${i + 1} names layer '${e.layer}', which the model does not have`, { file, line: /\.csv$/i.test(file) ? i + 2 : undefined, fix: near.length ? `did you mean '${near[0]}'? (edgeplan show --model … lists the layers)` : 'use layer names from `edgeplan show --model …`' });
    }
  });
}
