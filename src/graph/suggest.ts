import { distance } from 'fastest-levenshtein';

/** Nearest names by edit distance (substring matches first), for "did you mean" fixes. */
export function suggestFrom(name: string, candidates: readonly string[], max = 3): string[] {
  const q = name.toLowerCase();
  return [...new Set(candidates)]
    .map((c) => ({ c, d: c.toLowerCase().includes(q) || q.includes(c.toLowerCase()) ? 0 : distance(q, c.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(q.length / 2)))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}
