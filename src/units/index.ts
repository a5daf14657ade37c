/**
 * Units at the edges: parse what users type (`16ms`, `512KiB`, `4 TOPS`) with mathjs into plain
 * numbers in the unit their name carries (latencyMs, bytes, watts, bytesPerS, opsPerS), and print
 * them back. Inside the core every quantity is a plain number with its unit in its name.
 */
import { all, create, type Unit } from 'mathjs';
import { EdgeplanError } from '../errors/index.ts';

const math = create(all);
// Throughput of operations: TOPS/GOPS (ops per second) and GFLOPS/TFLOPS, one MAC = 2 ops.
math.createUnit('OPS', { prefixes: 'short' });
math.createUnit('FLOPS', { definition: '1 OPS', prefixes: 'short' });

export type QuantityKind = 'time' | 'bytes' | 'power' | 'bandwidth' | 'ops' | 'energy';

interface KindSpec {
  readonly base: string;
  readonly accepted: readonly string[];
}

const KINDS: Readonly<Record<QuantityKind, KindSpec>> = {
  time: { base: 'ms', accepted: ['us', 'ms', 's'] },
  bytes: { base: 'B', accepted: ['B', 'KB', 'kB', 'KiB', 'MB', 'MiB', 'GB', 'GiB'] },
  power: { base: 'W', accepted: ['mW', 'W'] },
  bandwidth: { base: 'B/s', accepted: ['MB/s', 'GB/s', 'MiB/s', 'GiB/s'] },
  ops: { base: 'OPS', accepted: ['GOPS', 'TOPS', 'GFLOPS', 'TFLOPS'] },
  energy: { base: 'mJ', accepted: ['uJ', 'mJ', 'J'] },
};

/** Reference quantity per kind: a parsed unit must share its dimensions. */
const REFERENCE: Readonly<Record<QuantityKind, string>> = {
  time: '1 s', bytes: '1 B', power: '1 W', bandwidth: '1 B/s', ops: '1 OPS', energy: '1 J',
};

/**
 * Parses `text` as a quantity of `kind` and returns it in the kind's base unit
 * (ms, B, W, B/s, ops/s, mJ). `what` names the flag or field for the error message.
 */
export function parseQuantity(text: string | number, kind: QuantityKind, what = 'value'): number {
  const spec = KINDS[kind];
  const accepted = spec.accepted.join(', ');
  const bad = (why: string) =>
    new EdgeplanError('bad_unit', `${what}: cannot read '${text}' as ${kind} (${why})`, { fix: `write a number with one of: ${accepted} (e.g. ${example(kind)})` });
  if (typeof text === 'number') throw bad('a bare number has no unit');
  // "KB" is not a mathjs unit; users mean the SI kilobyte (1000 B) as in kB.
  const normalized = text.trim().replace(/(\d|\s)KB(\b|\/)/g, '$1kB$2').replace(/µ/g, 'u');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*[A-Za-z]/.test(normalized)) throw bad('expected a number followed by a unit');
  let u: Unit;
  try {
    u = math.unit(normalized);
  } catch {
    throw bad('unknown unit');
  }
  if (!u.equalBase(math.unit(REFERENCE[kind]))) throw bad(`that is not a ${kind} unit`);
  const value = u.toNumber(spec.base);
  if (!Number.isFinite(value) || value < 0) throw bad('must be a finite, non-negative amount');
  // Round away binary floating-point noise from prefix conversion (500us → 0.5 ms exactly).
  return Number(value.toPrecision(12));
}

function example(kind: QuantityKind): string {
  return { time: '16ms', bytes: '512KiB', power: '5W', bandwidth: '25GB/s', ops: '4TOPS', energy: '10mJ' }[kind];
}

/** 1234567 → "1.23 M" style counts for params/MACs tables. */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(3)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(3)} M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return `${n}`;
}

/** Binary prefixes for memory sizes (KiB/MiB), as MCU datasheets and linkers count them. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

export function formatMs(ms: number): string {
  if (ms >= 100) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} us`;
}
