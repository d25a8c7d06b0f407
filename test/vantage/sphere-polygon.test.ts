// Distance on the sphere from a point to an area: hand-computed cases on simple shapes (edges are great-circle
// arcs, not parallels), and fast-check properties on random small polygons.

import { geoContains } from 'd3-geo';
import fc from 'fast-check';
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { EARTH_MEAN_RADIUS_KM, greatCircleKm } from '../../src/physics.js';
import { areaContains, areaDistanceKm, boundaryDistanceKm, sphereArea } from '../../src/vantage/sphere-polygon.js';

/** 1 degree of great circle in km. */
const DEG_KM = (Math.PI / 180) * EARTH_MEAN_RADIUS_KM;
const RAD = Math.PI / 180;
/** Spherical trigonometry: km from (lat, lon) to the great circle of a meridian `dLon` degrees away. */
const toMeridianKm = (lat: number, dLon: number): number => Math.asin(Math.cos(lat * RAD) * Math.sin(dLon * RAD)) * EARTH_MEAN_RADIUS_KM;

/** A counter-clockwise-on-the-map (d3: clockwise seen from inside) square box ring, as Natural Earth winds outer rings. */
function box(w: number, s: number, e: number, n: number): Polygon {
  return { type: 'Polygon', coordinates: [[[w, s], [w, n], [e, n], [e, s], [w, s]]] };
}

describe('areaDistanceKm on simple shapes', () => {
  const square = sphereArea(box(0, 0, 10, 10));

  it.each([
    ['inside', 5, 5, 0],
    ['1 degree south of the equator edge, mid-edge', -1, 5, DEG_KM],
    ['1 degree west of the prime meridian edge (a little less than 1 degree off the equator)', 5, -1, toMeridianKm(5, 1)],
    ['beyond a corner: the distance to the corner', -3, -4, greatCircleKm(-3, -4, 0, 0)],
  ])('%s', (_name, lat, lon, km) => {
    expect(areaDistanceKm(square, lat, lon)).toBeCloseTo(km, 6);
  });

  it('reads an edge as the great-circle arc, not the parallel', () => {
    // The arc from (45 N, 0 E) to (45 N, 90 E) bulges north: at 45 E it passes 54.74 N (atan(sqrt 2) ... tan 45 / cos 45).
    const band = sphereArea(box(0, 30, 90, 45));
    const apex = (Math.atan(Math.tan(Math.PI / 4) / Math.cos(Math.PI / 4)) * 180) / Math.PI;
    expect(apex).toBeCloseTo(54.7356, 4);
    expect(areaDistanceKm(band, apex, 45)).toBeLessThan(1e-6);
    expect(areaContains(band, 50, 45)).toBe(true); // north of the 45th parallel, inside the arc
    expect(areaDistanceKm(band, apex + 1, 45)).toBeCloseTo(DEG_KM, 3);
  });

  it('takes the nearest of several polygons and handles the antimeridian', () => {
    const two = sphereArea({ type: 'MultiPolygon', coordinates: [box(170, 0, 180, 5).coordinates, box(-180, 0, -170, 5).coordinates] });
    expect(areaDistanceKm(two, 1, 180)).toBe(0);
    expect(areaDistanceKm(two, 1, -175)).toBe(0);
    expect(areaDistanceKm(two, -2, -175)).toBeCloseTo(2 * DEG_KM, 6); // south of the equator edge
    expect(areaDistanceKm(two, -2, 179)).toBeCloseTo(2 * DEG_KM, 6);
    expect(areaDistanceKm(two, 0, -160)).toBeCloseTo(greatCircleKm(0, -160, 0, -170), 6);
  });

  it('gives the distance to the boundary from inside too (boundaryDistanceKm)', () => {
    expect(boundaryDistanceKm(square, 5, 1)).toBeCloseTo(toMeridianKm(5, 1), 6);
    expect(boundaryDistanceKm(square, 1, 5)).toBeCloseTo(DEG_KM, 6);
  });
});

describe('areaDistanceKm properties on random small polygons', () => {
  // A random convex-ish quadrilateral around a random centre (up to ~20 degrees across), and a random point.
  const quad = fc
    .record({
      lat: fc.double({ min: -70, max: 70, noNaN: true }),
      lon: fc.double({ min: -170, max: 170, noNaN: true }),
      r: fc.array(fc.double({ min: 0.5, max: 10, noNaN: true }), { minLength: 4, maxLength: 4 }),
    })
    .map(({ lat, lon, r }): Polygon => {
      // Outer ring clockwise seen from above on the map (west -> north -> east -> south), as Natural Earth winds them.
      const ring = [[lon - r[0], lat], [lon, lat + r[1]], [lon + r[2], lat], [lon, lat - r[3]]];
      return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
    });
  const point = fc.record({ lat: fc.double({ min: -89.9, max: 89.9, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) });

  it('is >= 0, is 0 exactly when the point is inside (geoContains), and never exceeds the distance to a vertex', () => {
    fc.assert(
      fc.property(quad, point, (poly, p) => {
        const area = sphereArea(poly);
        const d = areaDistanceKm(area, p.lat, p.lon);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d === 0).toBe(geoContains(poly, [p.lon, p.lat]));
        expect(areaContains(area, p.lat, p.lon)).toBe(d === 0);
        for (const [lon, lat] of poly.coordinates[0]) expect(d).toBeLessThanOrEqual(greatCircleKm(p.lat, p.lon, lat, lon) + 1e-6);
      }),
      { numRuns: 500 },
    );
  });

  it('contains the centre of the quadrilateral and nothing on the far side of the Earth', () => {
    fc.assert(
      fc.property(quad, (poly) => {
        const area = sphereArea(poly);
        const [[w, lat], , [e]] = poly.coordinates[0];
        const lon = (w + e) / 2;
        expect(areaDistanceKm(area, lat, lon)).toBe(0);
        const antiLon = lon > 0 ? lon - 180 : lon + 180;
        expect(areaDistanceKm(area, -lat, antiLon)).toBeGreaterThan(10_000);
      }),
      { numRuns: 200 },
    );
  });
});
