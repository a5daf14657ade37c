/**
 * `--memory-order min-peak`: a topological order with a lower core peak than the graph's own.
 *
 * Exact search first: dynamic programming over the set of executed layers (the live bytes
 * depend only on that set), as in the operator-reordering step of Liberis & Lane, "Neural
 * networks on microcontrollers: saving memory at inference via operator reordering"
 * (arXiv:1910.05110). Chains and single-tensor cut points keep the number of reachable sets
 * small (a residual block or an inception module is searched on its own), so zoo graphs are
 * solved exactly; when a graph has more than `maxStates` reachable sets the search falls back
 * to a greedy list schedule (run the ready layer that leaves the fewest live bytes). When the
 * graph order already meets the lower bound (the largest inputs + output of one layer) no
 * search runs. The graph order is kept when nothing beats it, so the result is never worse.
 */
import { livenessOf, type MemGraph } from './liveness.ts';

export interface OrderSearch {
  readonly order: readonly number[];
  readonly peakBytes: number;
  /** 'exact' when the DP finished, 'greedy' after the state cap, 'graph' when the graph order was kept. */
  readonly method: 'exact' | 'greedy' | 'graph';
}

interface SearchState {
  readonly mg: MemGraph;
  readonly n: number;
  /** Unexecuted producers per layer (tensors produced by layers, not graph inputs). */
  readonly missing: number[];
  /** Unexecuted readers per tensor. */
  readonly pending: number[];
  readonly done: boolean[];
  live: number;
}

const ABORT = Symbol('abort');

function setup(mg: MemGraph): SearchState {
  const n = mg.layers.length;
  const missing = mg.layers.map((l) => l.reads.filter((t) => mg.tensors[t].producer >= 0).length);
  const pending = mg.tensors.map(() => 0);
  for (const l of mg.layers) for (const r of l.reads) pending[r]++;
  // Graph inputs are live before the first step.
  const live = mg.tensors.reduce((sum, t, i) => sum + (t.producer < 0 && (pending[i] > 0 || t.isOutput) ? t.bytes : 0), 0);
  return { mg, n, missing, pending, done: new Array<boolean>(n).fill(false), live };
}

/** Executes layer i: returns the bytes live during its step and an undo function. */
function execute(s: SearchState, i: number): { stepBytes: number; undo: () => void } {
  const l = s.mg.layers[i];
  const wrote = l.writes >= 0 ? s.mg.tensors[l.writes].bytes : 0;
  s.live += wrote;
  const stepBytes = s.live;
  const freed: number[] = [];
  for (const r of l.reads) {
    if (--s.pending[r] === 0 && !s.mg.tensors[r].isOutput) { s.live -= s.mg.tensors[r].bytes; freed.push(r); }
  }
  // An output nobody reads and that is not a graph output dies at its own step.
  if (l.writes >= 0 && s.pending[l.writes] === 0 && !s.mg.tensors[l.writes].isOutput) s.live -= wrote;
  s.done[i] = true;
  const consumers: number[] = [];
  if (l.writes >= 0) {
    s.mg.layers.forEach((m, j) => { if (m.reads.includes(l.writes)) { s.missing[j]--; consumers.push(j); } });
  }
  return {
    stepBytes,
    undo: () => {
      for (const j of consumers) s.missing[j]++;
      s.done[i] = false;
      if (l.writes >= 0 && s.pending[l.writes] === 0 && !s.mg.tensors[l.writes].isOutput) s.live += wrote;
      for (const r of l.reads) s.pending[r]++;
      for (const r of freed) s.live += s.mg.tensors[r].bytes;
      s.live -= wrote;
    },
  };
}

function ready(s: SearchState): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.n; i++) if (!s.done[i] && s.missing[i] === 0) out.push(i);
  return out;
}

/** Exact minimum peak over all topological orders (DP over executed sets), or ABORT past maxStates. */
function exact(mg: MemGraph, maxStates: number): { order: number[]; peakBytes: number } | typeof ABORT {
  const s = setup(mg);
  const memo = new Map<bigint, { peak: number; choice: number }>();
  let key = 0n;
  // Work cap: layer executions tried, so a wide graph cannot make the search slow.
  let work = 0;
  const maxWork = maxStates * 10;
  const solve = (count: number): number => {
    if (count === s.n) return 0;
    const hit = memo.get(key);
    if (hit) return hit.peak;
    if (memo.size >= maxStates) throw ABORT;
    let best = Number.POSITIVE_INFINITY, choice = -1;
    for (const i of ready(s)) {
      if (++work > maxWork) throw ABORT;
      const { stepBytes, undo } = execute(s, i);
      if (stepBytes < best) {
        const bit = 1n << BigInt(i);
        key |= bit;
        const rest = solve(count + 1);
        key &= ~bit;
        const peak = Math.max(stepBytes, rest);
        if (peak < best) { best = peak; choice = i; }
      }
      undo();
    }
    memo.set(key, { peak: best, choice });
    return best;
  };
  let peakBytes: number;
  try {
    peakBytes = solve(0);
  } catch (e) {
    if (e === ABORT) return ABORT;
    throw e;
  }
  // Walk the recorded choices to get the order.
  const order: number[] = [];
  let k = 0n;
  const s2 = setup(mg);
  while (order.length < s2.n) {
    const c = memo.get(k)!.choice;
    order.push(c);
    execute(s2, c);
    k |= 1n << BigInt(c);
  }
  return { order, peakBytes };
}

/** Greedy list schedule: the ready layer with the smallest step bytes, then the fewest bytes left live. */
function greedy(mg: MemGraph): number[] {
  const s = setup(mg);
  const order: number[] = [];
  while (order.length < s.n) {
    let best = -1, bestStep = Number.POSITIVE_INFINITY, bestAfter = Number.POSITIVE_INFINITY;
    for (const i of ready(s)) {
      const { stepBytes, undo } = execute(s, i);
      const after = s.live;
      undo();
      if (stepBytes < bestStep || (stepBytes === bestStep && after < bestAfter)) { best = i; bestStep = stepBytes; bestAfter = after; }
    }
    execute(s, best);
    order.push(best);
  }
  return order;
}

/** Searches a topological order with a lower core peak; never returns one worse than the graph's. */
export function searchMinPeakOrder(mg: MemGraph, maxStates = 20_000): OrderSearch {
  const graphOrder = mg.layers.map((_, i) => i);
  const graphPeak = livenessOf(mg, graphOrder).peakBytes;
  // Lower bound of every order: a layer's inputs and output are alive together at its step.
  const bound = mg.layers.reduce((m, l) => Math.max(m, l.reads.reduce((s, r) => s + mg.tensors[r].bytes, 0) + (l.writes >= 0 ? mg.tensors[l.writes].bytes : 0)), 0);
  if (graphPeak <= bound) return { order: graphOrder, peakBytes: graphPeak, method: 'exact' };
  const ex = exact(mg, maxStates);
  const cand = ex === ABORT ? { order: greedy(mg), method: 'greedy' as const } : { order: ex.order, method: 'exact' as const };
  const peak = livenessOf(mg, cand.order).peakBytes;
  if (peak < graphPeak) return { order: cand.order, peakBytes: peak, method: cand.method };
  return { order: graphOrder, peakBytes: graphPeak, method: ex === ABORT ? 'graph' : 'exact' };
}
