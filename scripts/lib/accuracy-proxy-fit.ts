/** Pure fitting of the accuracy-proxy constants from accuracy-drop.csv rows (shared by the script and the test). */
export interface DropRow { metric: string; drop: string; weight_bits: string; activation_bits: string; fine_tuned: string; prune_ratio: string; prune_ratio_of: string }

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

export function fitAccuracyProxy(rows: readonly DropRow[]) {
  const top1 = rows.filter((r) => r.metric === 'top1' && r.drop !== '');
  const ptq = (bits: string, acts: string[]) => top1.filter((r) => r.weight_bits === bits && acts.includes(r.activation_bits) && r.fine_tuned !== 'yes' && !r.prune_ratio).map((r) => Number(r.drop));
  const int8 = ptq('8', ['8']);
  const int4 = ptq('4', ['4', '8', '32']);
  const structured = top1.filter((r) => r.prune_ratio && ['filters', 'flops', 'macs'].includes(r.prune_ratio_of) && ['32', ''].includes(r.weight_bits));
  // Least squares of drop = k·r² through the origin: k = Σ d·r² / Σ r⁴.
  const k = structured.reduce((s, r) => s + Number(r.drop) * Number(r.prune_ratio) ** 2, 0) / structured.reduce((s, r) => s + Number(r.prune_ratio) ** 4, 0);
  const sparse = top1.filter((r) => r.prune_ratio && r.prune_ratio_of === 'weights' && Math.abs(Number(r.prune_ratio) - 0.5) <= 0.1 && ['32', ''].includes(r.weight_bits)).map((r) => Number(r.drop));
  return {
    int8MedianPct: median(int8), int8Rows: int8.length,
    int4MedianPct: median(int4), int4Rows: int4.length,
    pruneCoef: k, pruneRows: structured.length,
    sparse50MedianPct: median(sparse), sparseRows: sparse.length,
  };
}
