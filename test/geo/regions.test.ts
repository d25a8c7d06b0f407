// RegionTable.nearest: the provider region nearest a place, preferring the place's country, against the rule written
// plainly (two passes over every region), for random places and the bundled regions of every provider.

import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REGIONS_FILE, RegionTable, type RegionInfo } from '../../src/geo/regions.js';
import { greatCircleKm } from '../../src/geo/rtt-check.js';

const doc = JSON.parse(fs.readFileSync(REGIONS_FILE, 'utf8')) as { providers: Record<string, { regions: Record<string, Omit<RegionInfo, 'region'>> }> };
const table = new RegionTable(doc);
const providers = Object.keys(doc.providers);
const countries = [...new Set(providers.flatMap((p) => Object.values(doc.providers[p].regions).map((r) => r.country)))];

function reference(provider: string, lat: number, lon: number, country: string | undefined, maxKm: number): RegionInfo | undefined {
  const regions = Object.entries(doc.providers[provider]?.regions ?? {}).map(([region, r]) => ({ region, ...r }));
  for (const pool of country ? [regions.filter((r) => r.country === country), regions] : [regions]) {
    let best: RegionInfo | undefined;
    let bestKm = Infinity;
    for (const r of pool) {
      const d = greatCircleKm(lat, lon, r.lat, r.lon);
      if (d < bestKm) [best, bestKm] = [r, d];
    }
    if (best && bestKm <= maxKm) return best;
  }
  return undefined;
}

describe('RegionTable.nearest', () => {
  it('picks what the plain two-pass rule picks (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...providers, 'no-such-provider'),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.option(fc.constantFrom(...countries, 'ZZ'), { nil: undefined }),
        fc.constantFrom(1500, 300, 20000),
        (p, lat, lon, country, maxKm) => {
          expect(table.nearest(p, lat, lon, country, maxKm)?.region).toBe(reference(p, lat, lon, country, maxKm)?.region);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('Singapore on AWS is ap-southeast-1; a place far from every region has none', () => {
    expect(table.nearest('aws', 1.29, 103.85, 'SG')?.region).toBe('ap-southeast-1');
    expect(table.nearest('aws', -75, 0, undefined)).toBeUndefined();
  });
});
