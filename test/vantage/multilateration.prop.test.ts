// fast-check properties of the feasible region: "empty" is never claimed for discs that share a point (a grid
// search over the area finds none inside every disc whenever the region is called empty), a witness is inside
// every disc, disjoint discs make the region empty, and the answer does not depend on the order of measurements.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { greatCircleKm } from '../../src/physics.js';
import { detectAnycast } from '../../src/vantage/anycast.js';
import type { Measurement } from '../../src/vantage/measurement.js';
import { feasibleRegion, inDisc } from '../../src/vantage/multilateration.js';

const measurementArb = fc.record({
  lat: fc.double({ min: 40, max: 50, noNaN: true }),
  lon: fc.double({ min: 0, max: 10, noNaN: true }),
  rtt: fc.double({ min: 0, max: 6, noNaN: true }),
});

function toMeasurements(xs: { lat: number; lon: number; rtt: number }[]): Measurement[] {
  return xs.map((x, i) => ({ vantage: { id: `v${i}`, name: `v${i}`, lat: x.lat, lon: x.lon }, dst_addr: '192.0.2.1', min_rtt_ms: x.rtt, samples: 1, source: { file: 'f', line: i + 1 } }));
}

describe('feasible region properties', () => {
  it('empty only when a fine grid finds no common point; a witness is inside every disc', () => {
    fc.assert(
      fc.property(fc.array(measurementArb, { minLength: 1, maxLength: 4 }), (xs) => {
        const ms = toMeasurements(xs);
        const r = feasibleRegion('192.0.2.1', ms);
        if (r.witness !== undefined) {
          expect(r.empty).toBe(false);
          for (const d of r.discs) expect(inDisc(d, r.witness, 0.01)).toBe(true);
        }
        if (r.empty) {
          // Discs reach at most 650 km (~6 deg) beyond the 40-50 N, 0-10 E box; step 0.1 deg (~11 km).
          let common: { lat: number; lon: number } | undefined;
          for (let lat = 33; lat <= 57 && common === undefined; lat += 0.1) {
            for (let lon = -9; lon <= 19; lon += 0.1) {
              if (r.discs.every((d) => inDisc(d, { lat, lon }))) {
                common = { lat, lon };
                break;
              }
            }
          }
          expect(common).toBeUndefined();
        } else {
          expect(r.witness).toBeDefined();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('two discs that cannot meet make the region empty and are flagged as anycast, both named', () => {
    fc.assert(
      fc.property(fc.array(measurementArb, { minLength: 2, maxLength: 5 }), (xs) => {
        const r = feasibleRegion('192.0.2.1', toMeasurements(xs));
        const disjoint = r.discs.some((a, i) => r.discs.some((b, j) => j > i && greatCircleKm(a.lat, a.lon, b.lat, b.lon) > a.radius_km + b.radius_km));
        const f = detectAnycast(r);
        if (disjoint) {
          expect(r.empty).toBe(true);
          expect(f?.kind).toBe('disjoint_discs');
          const p = f?.pairs[0];
          expect(f?.reason).toContain(`${p?.a.measurement.source.file}:${p?.a.measurement.source.line}`);
          expect(f?.reason).toContain(`${p?.b.measurement.source.file}:${p?.b.measurement.source.line}`);
        } else if (!r.empty) expect(f).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('the order of measurements does not change the answer', () => {
    fc.assert(
      fc.property(fc.array(measurementArb, { minLength: 1, maxLength: 5 }), (xs) => {
        const ms = toMeasurements(xs);
        const a = feasibleRegion('192.0.2.1', ms);
        const b = feasibleRegion('192.0.2.1', [...ms].reverse());
        expect(b.empty).toBe(a.empty);
        expect(b.binding.map((d) => d.measurement.vantage.id)).toEqual(a.binding.map((d) => d.measurement.vantage.id));
      }),
      { numRuns: 200 },
    );
  });
});
