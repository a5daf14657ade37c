/**
 * The accuracy-loss proxy: an estimated top-1 drop per layer and choice, additive across layers
 * (the assumption HAWQ-V3, Yao et al. 2021, makes for its ILP). It is a proxy, not a measurement.
 *
 * Whole-network drops come from ../shared/data/accuracy-drop.csv (top-1 rows), recomputed by
 * scripts/fit-accuracy-proxy.ts (test/plan/accuracy.test.ts checks these constants against it):
 *   int8 (w8a8 post-training, 46 rows)      median 0.41 pt
 *   int4 (4-bit weights post-training, 26)  median 3.29 pt
 *   structured (filter) pruning at ratio r  ≈ 3.21 · r² pt (least squares through the origin, 15 rows)
 *   2:4 / unstructured sparsity at 40–60 %  median 0.51 pt (11 rows)
 * fp16 has no rows; it is taken as 0.02 pt (estimate: fp16 keeps fp32's 8-bit exponent range
 * for CNN weights and activations, and TFLite/TensorRT report no measurable drop).
 *
 * A network-wide drop D is shared among layers: layer l gets D · s_l with Σ s_l = 1, s_l ∝ the
 * layer's weights, times 3 for the first and last weighted layers and 2 for depthwise convs (the
 * layers the literature finds most sensitive: Krishnamoorthi 2018 §3; Nagel et al. 2021 §3).
 * Pruning shares D(r) among prune groups by their MACs. A user sensitivity file overrides any entry.
 */
import type { Graph } from '../graph/types.ts';
import type { Precision } from '../hardware/types.ts';
import type { SensitivityEntry } from './types.ts';

export const NETWORK_DROP_PCT: Readonly<Record<Precision, number>> = { fp32: 0, fp16: 0.02, int8: 0.41, int4: 3.29 };
/** D(r) = PRUNE_DROP_COEF · r² for structured channel pruning. */
export const PRUNE_DROP_COEF = 3.21;
export const SPARSE24_DROP_PCT = 0.51;

export const pruneDropPct = (ratio: number): number => PRUNE_DROP_COEF * ratio * ratio;

export interface AccuracyModel {
  /** Drop of layer `name` run at `precision` (0 at fp32). */
  precisionDrop(name: string, precision: Precision): number;
  /** Drop of pruning group `gid` (identified by its member layers) at `ratio`. */
  pruneDrop(members: readonly string[], ratio: number): number;
  sparseDrop(name: string): number;
}

export function buildAccuracyModel(g: Graph, prunableMacsOfGroup: ReadonlyMap<number, number>, sensitivity: readonly SensitivityEntry[] = []): AccuracyModel {
  const weighted = g.layers.filter((l) => l.weightElements > 0 && l.macs > 0);
  const raw = new Map<string, number>();
  weighted.forEach((l, i) => {
    let s = l.weightElements;
    if (i === 0 || i === weighted.length - 1) s *= 3;
    if (l.op === 'depthwise_conv2d') s *= 2;
    raw.set(l.name, s);
  });
  const total = [...raw.values()].reduce((a, b) => a + b, 0) || 1;
  const share = (name: string) => (raw.get(name) ?? 0) / total;
  const totalPruneMacs = [...prunableMacsOfGroup.values()].reduce((a, b) => a + b, 0) || 1;
  const macsOfLayer = new Map(g.layers.map((l) => [l.name, l.macs]));
  const override = new Map(sensitivity.map((e) => [`${e.layer}|${e.choice}`, e.dropPct]));
  return {
    precisionDrop: (name, p) => override.get(`${name}|${p}`) ?? NETWORK_DROP_PCT[p] * share(name),
    pruneDrop: (members, ratio) => {
      if (ratio === 0) return 0;
      const key = `prune${Math.round(ratio * 100)}`;
      let sum = 0;
      for (const m of members) sum += override.get(`${m}|${key}`) ?? pruneDropPct(ratio) * ((macsOfLayer.get(m) ?? 0) / totalPruneMacs);
      return sum;
    },
    sparseDrop: (name) => override.get(`${name}|sparse24`) ?? SPARSE24_DROP_PCT * share(name),
  };
}
