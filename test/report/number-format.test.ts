import { describe, expect, it } from 'vitest';
import { bytes, grouped, isoTime, latLon, percent } from '../../src/report/number-format.js';

describe('number formatting (locale-independent)', () => {
  it('groups thousands', () => {
    expect(grouped(0)).toBe('0');
    expect(grouped(999)).toBe('999');
    expect(grouped(1000)).toBe('1,000');
    expect(grouped(1234567)).toBe('1,234,567');
    expect(grouped(-1234567)).toBe('-1,234,567');
  });

  it('writes byte counts in SI units with one decimal', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(999)).toBe('999 B');
    expect(bytes(1000)).toBe('1.0 kB');
    expect(bytes(1_500_000)).toBe('1.5 MB');
    expect(bytes(2.5e12)).toBe('2.5 TB');
    expect(bytes(Number.NaN)).toBe('-');
    // Rounding never shows 1000 of a unit: the next unit up instead.
    expect(bytes(999_949)).toBe('999.9 kB');
    expect(bytes(999_999)).toBe('1.0 MB');
    expect(bytes(999_950_000)).toBe('1.0 GB');
  });

  it('writes percentages and refuses a zero whole', () => {
    expect(percent(1, 3)).toBe('33.3%');
    expect(percent(0, 0)).toBe('-');
  });

  it('writes UTC ISO times from epoch seconds', () => {
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoTime(1_763_000_000.1234)).toBe('2025-11-13T02:13:20.123Z');
    expect(isoTime(undefined)).toBe('-');
    expect(isoTime(1e20)).toBe('-');
    expect(latLon(28.6139, 77.209)).toBe('28.6139, 77.2090');
  });
});
