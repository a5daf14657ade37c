import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors/index.ts';
import { formatBytes, formatMs, parseQuantity } from '../../src/units/index.ts';

describe('parseQuantity (mathjs units)', () => {
  it.each([
    ['16ms', 'time', 16], ['16 ms', 'time', 16], ['500us', 'time', 0.5], ['1.5s', 'time', 1500],
    ['512KiB', 'bytes', 524288], ['2MB', 'bytes', 2e6], ['2 MiB', 'bytes', 2 * 1024 ** 2], ['1GB', 'bytes', 1e9], ['64KB', 'bytes', 64000], ['100 B', 'bytes', 100],
    ['5W', 'power', 5], ['500mW', 'power', 0.5],
    ['25GB/s', 'bandwidth', 25e9], ['68 GB/s', 'bandwidth', 68e9],
    ['4 TOPS', 'ops', 4e12], ['100GOPS', 'ops', 1e11], ['1.28 TFLOPS', 'ops', 1.28e12], ['5.3TFLOPS', 'ops', 5.3e12],
    ['10mJ', 'energy', 10],
  ] as const)('%s as %s', (text, kind, want) => {
    expect(parseQuantity(text, kind)).toBeCloseTo(want, 6);
  });

  it.each([
    ['16', 'time', /bare|number followed by a unit/],
    ['16 mss', 'time', /unknown unit/],
    ['16 MB', 'time', /not a time unit/],
    ['fast', 'time', /number followed by a unit/],
    ['-5 ms', 'time', /number followed by a unit|non-negative/],
    ['512 KiB', 'power', /not a power unit/],
  ] as const)('%s as %s is an input error listing accepted units', (text, kind, re) => {
    try {
      parseQuantity(text, kind, '--budget');
      throw new Error('no error');
    } catch (e) {
      const line = formatError(e as never);
      expect(line).toMatch(re);
      expect(line).toMatch(/--budget/);
      expect(line).toMatch(/fix: write a number with one of: /);
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('prints sizes and times', () => {
    expect(formatBytes(524288)).toBe('512.0 KiB');
    expect(formatMs(16)).toBe('16.00 ms');
    expect(formatMs(0.25)).toBe('250.0 us');
  });
});
