import { distance } from 'fastest-levenshtein';

const norm = (s: string) => s.toLowerCase().replace(/[-_.\s]/g, '');

/**
 * Nearest names for "did you mean" fixes: edit distance on names with separators removed
 * (so `mobilenetv2` finds `mobilenet-v2`), prefix matches breaking ties.
 */
export function suggestFrom(name: string, candidates: readonly string[], max = 3): string[] {
  const q = norm(name);
  return [...new Set(candidates)]
    .map((c) => ({ c, d: distance(q, norm(c)), pre: norm(c).startsWith(q) || q.startsWith(norm(c)) ? 0 : 1 }))
    .filter((x) => x.d <= Math.max(3, Math.floor(q.length / 3)) || x.pre === 0)
    .sort((a, b) => a.d - b.d || a.pre - b.pre || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}
