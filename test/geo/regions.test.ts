// RegionTable.nearest: the provider region nearest a place, preferring the place's country, within a distance; and
// every bundled region well formed (known coordinates, a two-letter country).

import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REGIONS_FILE, RegionTable, type RegionInfo } from '../../src/geo/regions.js';

const doc = JSON.parse(fs.readFileSync(REGIONS_FILE, 'utf8')) as { providers: Record<string, { regions: Record<string, Omit<RegionInfo, 'region'>> }> };
const table = new RegionTable(doc);
const providers = Object.keys(doc.providers);
const countries = [...new Set(providers.flatMap((p) => Object.values(doc.providers[p].regions).map((r) => r.country)))];

describe('RegionTable.nearest', () => {
  it('Singapore on AWS is ap-southeast-1; a place far from every region has none', () => {
    expect(table.nearest('aws', 1.29, 103.85, 'SG')?.region).toBe('ap-southeast-1');
    expect(table.nearest('aws', -75, 0, undefined)).toBeUndefined();
    expect(table.nearest('no-such-provider', 1.29, 103.85, 'SG')).toBeUndefined();
  });

  it("prefers a region in the place's country over a nearer one abroad, unless it is too far", () => {
    const t = new RegionTable({
      providers: {
        p: {
          regions: {
            near: { city: 'Johor Bahru', country: 'MY', lat: 1.4927, lon: 103.7414 },
            home: { city: 'Jakarta', country: 'ID', lat: -6.2088, lon: 106.8456 },
            far: { city: 'Sydney', country: 'AU', lat: -33.8688, lon: 151.2093 },
          },
        },
      },
    });
    // From Singapore: Johor Bahru is ~25 km away, Jakarta ~880 km.
    expect(t.nearest('p', 1.29, 103.85)?.region).toBe('near');
    expect(t.nearest('p', 1.29, 103.85, 'ID')?.region).toBe('home');
    expect(t.nearest('p', 1.29, 103.85, 'ID', 500)?.region).toBe('near'); // Jakarta beyond 500 km: any country
    expect(t.nearest('p', 1.29, 103.85, 'AU', 500)?.region).toBe('near');
    expect(t.nearest('p', 1.29, 103.85, 'ZZ', 10)).toBeUndefined();
  });

  it('every bundled region has a country code and coordinates on the globe', () => {
    for (const p of providers) {
      for (const [name, r] of Object.entries(doc.providers[p].regions)) {
        expect(r.country, `${p} ${name}`).toMatch(/^[A-Z]{2}$/);
        expect(Math.abs(r.lat) <= 90 && Math.abs(r.lon) <= 180, `${p} ${name}`).toBe(true);
      }
    }
    expect(countries.length).toBeGreaterThan(20);
  });
});
