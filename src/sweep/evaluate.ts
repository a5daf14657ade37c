/**
 * Evaluates grid points: build the (model, resolution) graph once, simulate it on each device,
 * precision and batch, and format the CSV line. A configuration the device or the model cannot
 * take (fp32 on an Edge TPU, a fixed-size model at another resolution) becomes a row with an
 * `error`, never an exception. Pure: the same points give the same lines on any thread.
 */
import { simulate } from '../cost/simulate.ts';
import type { Graph } from '../graph/types.ts';
import { loadYamlModel } from '../graph/yaml-model.ts';
import { buildZooModel } from '../zoo/index.ts';
import { formatErrorRow, formatResultRow } from './csv.ts';
import type { GridPoint, SweepInputs, SweepModel } from './types.ts';

/** Builds graphs on demand and keeps them for the life of the evaluator (one per worker). */
export class SweepEvaluator {
  private readonly graphs = new Map<string, Graph | { readonly error: unknown }>();

  constructor(private readonly inputs: SweepInputs) {}

  /** The graph of model `m` at `resolution`, or the error building it gave. */
  graphFor(m: number, resolution: number): Graph | { readonly error: unknown } {
    const key = `${m}@${resolution}`;
    let g = this.graphs.get(key);
    if (!g) {
      const model = this.inputs.grid.models[m];
      try {
        g = buildGraph(model, resolution);
      } catch (e) {
        g = { error: e };
      }
      this.graphs.set(key, g);
    }
    return g;
  }

  /** One CSV line per point, in the order given. */
  evaluate(points: readonly GridPoint[]): string[] {
    const { grid, profiles } = this.inputs;
    return points.map((p) => {
      const dev = grid.devices[p.device];
      const profile = profiles[dev.key];
      const key = { index: p.index, device: dev.key, unit: dev.unit, model: grid.models[p.model].name, resolution: p.resolution, precision: p.precision, batch: p.batch };
      const g = this.graphFor(p.model, p.resolution);
      if ('error' in g) return formatErrorRow(key, g.error);
      try {
        return formatResultRow(key, simulate(g, profile, { unit: dev.unit, precision: p.precision, batch: p.batch }));
      } catch (e) {
        return formatErrorRow(key, e);
      }
    });
  }
}

function buildGraph(m: SweepModel, resolution: number): Graph {
  // The native resolution is built without an override, so fixed-size models still build.
  const r = resolution === m.nativeResolution ? undefined : resolution;
  return m.source.kind === 'zoo' ? buildZooModel(m.source.id, { resolution: r }) : loadYamlModel(m.source.text, m.source.file, { resolution: r });
}
