// Great-circle distances against known city pairs, and the RTT bound (100 km per ms of round trip).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FIBRE_KM_PER_RTT_MS, greatCircleKm, maxDistanceKm, physicalCheck } from '../src/physics.js';

const DELHI = { lat: 28.6139, lon: 77.209 };
const SINGAPORE = { lat: 1.3521, lon: 103.8198 };
const LONDON = { lat: 51.5074, lon: -0.1278 };
const NEW_YORK = { lat: 40.7128, lon: -74.006 };
const SYDNEY = { lat: -33.8688, lon: 151.2093 };

const km = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): number => greatCircleKm(a.lat, a.lon, b.lat, b.lon);

describe('greatCircleKm', () => {
  it.each([
    ['New Delhi - Singapore', DELHI, SINGAPORE, 4150],
    ['London - New York', LONDON, NEW_YORK, 5570],
    ['London - Sydney', LONDON, SYDNEY, 16990],
  ])('%s is about %i km (within 1 %%)', (_name, a, b, expected) => {
    expect(Math.abs(km(a, b) - expected) / expected).toBeLessThan(0.01);
  });

  it('a quarter meridian is pi/2 Earth radii', () => {
    expect(greatCircleKm(0, 0, 90, 0)).toBeCloseTo((Math.PI / 2) * 6371.0088, 6);
  });

  it('is symmetric, zero on the diagonal and never exceeds half the circumference', () => {
    const lat = fc.double({ min: -90, max: 90, noNaN: true });
    const lon = fc.double({ min: -180, max: 180, noNaN: true });
    fc.assert(
      fc.property(lat, lon, lat, lon, (a, b, c, d) => {
        const x = greatCircleKm(a, b, c, d);
        expect(Math.abs(x - greatCircleKm(c, d, a, b))).toBeLessThan(1e-6);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(Math.PI * 6371.0088 + 1e-6);
        expect(greatCircleKm(a, b, a, b)).toBe(0);
      }),
    );
  });
});

describe('physicalCheck', () => {
  it('uses the stated constant: 100 km per ms of round trip', () => {
    expect(FIBRE_KM_PER_RTT_MS).toBe(100);
    expect(maxDistanceKm(41)).toBe(4100);
  });

  it('3 ms from New Delhi cannot reach Singapore; 42 ms can (~4,150 km needs >= ~41.5 ms)', () => {
    expect(physicalCheck(DELHI, 3, SINGAPORE.lat, SINGAPORE.lon)).toBe('impossible');
    expect(physicalCheck(DELHI, 41, SINGAPORE.lat, SINGAPORE.lon)).toBe('impossible');
    expect(physicalCheck(DELHI, 42, SINGAPORE.lat, SINGAPORE.lon)).toBe('plausible');
  });

  it('London to New York needs about 56 ms', () => {
    expect(physicalCheck(LONDON, 55, NEW_YORK.lat, NEW_YORK.lon)).toBe('impossible');
    expect(physicalCheck(LONDON, 56, NEW_YORK.lat, NEW_YORK.lon)).toBe('plausible');
  });

  it('the vantage point itself is always plausible', () => {
    expect(physicalCheck(DELHI, 0, DELHI.lat, DELHI.lon)).toBe('plausible');
  });
});
