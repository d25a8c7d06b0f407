// Country territories from Natural Earth (world-atlas 1:10m): hand-checked distances, territories Natural Earth
// folds into another state, the ISO mapping, why not 1:50m, and fast-check properties on real outlines.

import { geoContains } from 'd3-geo';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES } from '../../src/audit/country-codes.js';
import {
  ALPHA2_BY_NUMERIC,
  countryContains,
  countryDistanceKm,
  countryOutline,
  countryPolygons,
  loadScale,
  OUTLINE_SCALE,
  SPLITS,
  worldAtlasVersion,
} from '../../src/vantage/country-area.js';
import { greatCircleKm } from '../../src/physics.js';
import { areaDistanceKm, sphereArea } from '../../src/vantage/sphere-polygon.js';

/** Distance to a country's 1:50m outline, for comparison. */
const km50 = (code: string, lat: number, lon: number): number => areaDistanceKm(sphereArea({ type: 'MultiPolygon', coordinates: countryPolygons(code, '50m') }), lat, lon);

const DELHI = [28.6139, 77.209] as const;
const TOKYO = [35.6762, 139.6503] as const;

describe('countryDistanceKm: hand-checked cases', () => {
  it('New Delhi to Singapore: ~4,130 km, to its north shore, closer than to the city centre', () => {
    const d = countryDistanceKm('SG', ...DELHI) as number;
    // Woodlands, Singapore's north shore on the Johor Strait, is at about 1.45 N 103.79 E.
    expect(Math.abs(d - greatCircleKm(...DELHI, 1.45, 103.79))).toBeLessThan(15);
    expect(d).toBeGreaterThan(4100);
    expect(d).toBeLessThan(greatCircleKm(...DELHI, 1.29, 103.85));
  });

  it('a point inside France (Bourges) is 0 km from France', () => {
    expect(countryDistanceKm('FR', 47.08, 2.4)).toBe(0);
    expect(countryContains('FR', 47.08, 2.4)).toBe(true);
  });

  it('Singapore from Johor Bahru is a few km (across the Johor Strait)', () => {
    const d = countryDistanceKm('SG', 1.4927, 103.7414) as number;
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(10);
  });

  it('Tokyo to US territory is to the Aleutians, not to Hawaii or the continental US', () => {
    const d = countryDistanceKm('US', ...TOKYO) as number;
    const attu = greatCircleKm(...TOKYO, 52.93, 172.91); // Attu Island, the westernmost Aleutian: ~3,220 km
    const honolulu = greatCircleKm(...TOKYO, 21.31, -157.86); // ~6,210 km
    const seattle = greatCircleKm(...TOKYO, 47.61, -122.33); // ~7,700 km
    expect(Math.abs(d - attu)).toBeLessThan(60);
    expect(d).toBeLessThan(honolulu - 2500);
    expect(d).toBeLessThan(seattle - 4000);
  });

  it('an island near a foreign coast: from Ystad (Sweden) the nearest Danish territory is Bornholm, not Zealand', () => {
    // Bornholm's north-west coast (~55.28 N 14.76 E) is ~62 km from Ystad; Zealand's Stevns Klint (55.3 N 12.45 E) ~87 km.
    const d = countryDistanceKm('DK', 55.4295, 13.82) as number;
    expect(d).toBeGreaterThan(50);
    expect(d).toBeLessThan(66);
    expect(d).toBeLessThan(greatCircleKm(55.4295, 13.82, 55.3, 12.45) - 15);
  });

  it('capitals of small states are inside or within a km or two of their outline', () => {
    for (const [code, lat, lon] of [['SG', 1.29, 103.85], ['BH', 26.22, 50.58], ['MT', 35.9, 14.51], ['HK', 22.3, 114.17], ['MC', 43.74, 7.42], ['VA', 41.904, 12.453], ['LU', 49.61, 6.13], ['AD', 42.5, 1.52]] as const) {
      expect(countryDistanceKm(code, lat, lon), code).toBeLessThan(2);
    }
  });

  it('the lab country contains the lab; the antimeridian and the pole are handled', () => {
    expect(countryDistanceKm('IN', ...DELHI)).toBe(0);
    expect(countryDistanceKm('FJ', -16.8, 179.9)).toBeLessThan(30); // Vanua Levu straddles 180
    expect(countryDistanceKm('RU', 65.5, -175)).toBe(0); // Chukotka, east of the antimeridian
    expect(countryDistanceKm('AQ', -89, 0)).toBe(0);
    expect(countryDistanceKm('AQ', -50, 0)).toBeGreaterThan(1000);
  });
});

describe('territories Natural Earth draws inside another feature', () => {
  it.each([
    ['GF', 'FR', 4.93, -52.33, 'Cayenne'],
    ['GP', 'FR', 16.24, -61.53, 'Pointe-a-Pitre'],
    ['MQ', 'FR', 14.64, -61.02, 'Fort-de-France'],
    ['RE', 'FR', -21.0, 55.5, 'Reunion'],
    ['YT', 'FR', -12.8, 45.15, 'Mayotte'],
    ['SJ', 'NO', 78.22, 15.65, 'Longyearbyen'],
    ['SJ', 'NO', 71.0, -8.5, 'Jan Mayen'],
    ['BQ', 'NL', 12.15, -68.27, 'Bonaire'],
    ['TK', 'NZ', -9.37, -171.21, 'Fakaofo, Tokelau'],
    ['CX', 'AU', -10.45, 105.65, 'Christmas Island'],
    ['CC', 'AU', -12.13, 96.87, 'Cocos (Keeling) Islands'],
    ['BV', 'NO', -54.42, 3.36, 'Bouvet Island'],
  ] as const)('%s is its own territory, not part of %s (%f, %f: %s)', (code, other, lat, lon, _place) => {
    expect(countryDistanceKm(code, lat, lon)).toBeLessThan(15);
    expect(countryDistanceKm(other, lat, lon)).toBeGreaterThan(300);
  });

  it('every split box catches at least one polygon (at 1:50m too, but for Bouvet Island, absent there)', () => {
    for (const s of SPLITS) expect(countryPolygons(s.code, OUTLINE_SCALE).length, `${s.code} from ${s.from}`).toBeGreaterThan(0);
    for (const s of SPLITS) if (s.code !== 'BV') expect(countryPolygons(s.code, '50m').length, `${s.code} from ${s.from}`).toBeGreaterThan(0);
  });

  it('metropolitan France, mainland Norway and the European Netherlands keep their own polygons', () => {
    expect(countryContains('FR', 48.86, 2.35)).toBe(true);
    expect(countryContains('FR', 42.15, 9.1)).toBe(true); // Corsica
    expect(countryContains('NO', 59.91, 10.75)).toBe(true);
    expect(countryContains('NL', 52.37, 4.9)).toBe(true);
  });
});

describe('why 1:10m and not 1:50m', () => {
  it('1:50m lacks small states and territories', () => {
    expect(COUNTRY_CODES.filter((c) => c !== 'XK' && countryPolygons(c, '50m').length === 0)).toEqual(['BV', 'GI', 'TV', 'UM']);
  });

  it.each([
    ['JP', 24.29, 153.97, 'Minamitorishima', 1000],
    ['US', 28.39, -178.29, 'Kure Atoll', 1900],
    ['CL', -26.28, -80.1, 'San Felix Island', 800],
    ['GB', 57.6, -13.69, 'Rockall', 300],
  ] as const)('1:50m lacks remote islands: %s territory at %f, %f (%s) is over %i km from its 1:50m outline', (code, lat, lon, _place, far) => {
    expect(countryDistanceKm(code, lat, lon)).toBeLessThan(2);
    expect(km50(code, lat, lon)).toBeGreaterThan(far);
  });

  it('which moves a lab\'s distance to a country by hundreds of km: Honolulu to Japan', () => {
    // 1:10m: Minamitorishima, ~4,920 km; 1:50m: the Ogasawara Islands, ~5,700 km (a 7.8 ms difference of RTT bound).
    const d10 = countryDistanceKm('JP', 21.31, -157.86) as number;
    expect(d10).toBeGreaterThan(4800);
    expect(d10).toBeLessThan(5000);
    expect(km50('JP', 21.31, -157.86) - d10).toBeGreaterThan(700);
  });

  it('along coasts the two scales agree within a few km (nothing at 100 km per ms)', () => {
    for (const [code, lat, lon] of [['SG', 28.6139, 77.209], ['US', 35.6762, 139.6503], ['DK', 55.4295, 13.82], ['SG', 1.4927, 103.7414], ['FR', 51.5, -0.12]] as const) {
      expect(Math.abs((countryDistanceKm(code, lat, lon) as number) - km50(code, lat, lon)), code).toBeLessThan(5);
    }
  });
});

describe('ISO 3166-1 mapping and coverage', () => {
  it('maps Natural Earth numeric ids to alpha-2 codes', () => {
    expect(ALPHA2_BY_NUMERIC.get('702')).toBe('SG');
    expect(ALPHA2_BY_NUMERIC.get('840')).toBe('US');
    expect(ALPHA2_BY_NUMERIC.get('036')).toBe('AU');
    expect(ALPHA2_BY_NUMERIC.get('275')).toBe('PS');
    expect([...ALPHA2_BY_NUMERIC.values()].sort()).toEqual(COUNTRY_CODES.filter((c) => c !== 'XK'));
  });

  it('every world-atlas id at 1:50m and 1:10m is an ISO numeric code we map', () => {
    for (const scale of ['50m', '10m'] as const) {
      const countries = loadScale(scale).topology.objects.countries as { geometries: { id?: string | number }[] };
      for (const g of countries.geometries) if (g.id !== undefined) expect(ALPHA2_BY_NUMERIC.has(String(g.id)), `${scale} id ${g.id}`).toBe(true);
    }
  });

  it('every accepted country code has an outline', () => {
    expect(OUTLINE_SCALE).toBe('10m');
    expect(COUNTRY_CODES.filter((c) => countryOutline(c) === undefined)).toEqual([]);
  });

  it('no outline for what is not an alpha-2 code', () => {
    expect(countryDistanceKm('EU', 0, 0)).toBeUndefined();
    expect(countryDistanceKm('sg', 0, 0)).toBeUndefined();
    expect(countryContains('ZZ', 0, 0)).toBeUndefined();
  });

  it('reads the world-atlas version for provenance', () => {
    expect(worldAtlasVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('countryDistanceKm properties on real outlines', () => {
  const point = fc.record({ lat: fc.double({ min: -89.9, max: 89.9, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) });
  const code = fc.constantFrom('SG', 'FR', 'US', 'NO', 'FJ', 'DK', 'CL', 'AQ');

  it('is >= 0, is 0 exactly when geoContains says inside, and never exceeds the distance to any vertex', () => {
    fc.assert(
      fc.property(code, point, (c, p) => {
        const o = countryOutline(c);
        if (o === undefined) throw new Error(`no outline for ${c}`);
        const d = countryDistanceKm(c, p.lat, p.lon) as number;
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d === 0).toBe(geoContains(o.geometry, [p.lon, p.lat])); // d3 on the whole geometry: the box filter changes nothing
        expect(countryContains(c, p.lat, p.lon)).toBe(d === 0);
        let nearestVertex = Infinity;
        for (const polygon of o.geometry.coordinates as number[][][][]) {
          for (const ring of polygon) for (const [lon, lat] of ring) nearestVertex = Math.min(nearestVertex, greatCircleKm(p.lat, p.lon, lat, lon));
        }
        expect(d).toBeLessThanOrEqual(nearestVertex + 1e-6);
      }),
      { numRuns: 150 },
    );
  });

  it('moves by no more than the point does (a distance to a set is 1-Lipschitz)', () => {
    const near = fc.record({ dLat: fc.double({ min: -3, max: 3, noNaN: true }), dLon: fc.double({ min: -3, max: 3, noNaN: true }) });
    fc.assert(
      fc.property(code, point, near, (c, p, n) => {
        const q = { lat: Math.max(-89.9, Math.min(89.9, p.lat + n.dLat)), lon: p.lon + n.dLon };
        const dp = countryDistanceKm(c, p.lat, p.lon) as number;
        const dq = countryDistanceKm(c, q.lat, q.lon) as number;
        expect(Math.abs(dp - dq)).toBeLessThanOrEqual(greatCircleKm(p.lat, p.lon, q.lat, q.lon) + 1e-6);
      }),
      { numRuns: 150 },
    );
  });
});
