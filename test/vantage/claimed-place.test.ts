// The places a claim names (issue 18 item 1): a region's metro, a country as the places known in it, several
// countries as any of them; and the rule that a place with no known point is never refuted.
import { describe, expect, it } from 'vitest';
import { AnyOfPlaces, claimPlaces, knownPlacesFrom, PointSetPlace } from '../../src/vantage/claimed-place.js';
import type { Measurement } from '../../src/vantage/measurement.js';
import { feasibleRegion } from '../../src/vantage/multilateration.js';

// One lab in Frankfurt, 1 ms to the address: the server is within 100 + 50 = 150 km of Frankfurt.
const m: Measurement = {
  vantage: { id: 'fra', name: 'Frankfurt lab', lat: 50.1109, lon: 8.6821, country: 'DE' },
  dst_addr: '192.0.2.1',
  min_rtt_ms: 1,
  samples: 1,
  source: { file: 'p.txt', line: 2 },
};
const region = feasibleRegion('192.0.2.1', [m]);
const metros = [
  { provider: 'gcp', region: 'europe-west3', country: 'DE', lat: 50.1109, lon: 8.6821, city: 'Frankfurt' },
  { provider: 'gcp', region: 'europe-west2', country: 'GB', lat: 51.5074, lon: -0.1278, city: 'London' },
  { provider: 'aws', region: 'eu-west-2', country: 'GB', lat: 51.5074, lon: -0.1278, city: 'London' },
];

describe('claimed places', () => {
  it('a region claim uses the provider\'s regions.json key (google -> gcp) and names the metro', () => {
    const known = knownPlacesFrom(metros, (p) => (p === 'google' ? 'gcp' : p));
    const [place] = claimPlaces({ provider: 'google', region: 'europe-west2' }, known);
    expect(place.label).toBe('London (gcp europe-west2)');
    expect(place.test(region).outcome).toBe('outside');
    // A region nobody knows gives no place (nothing to test), not a refutation.
    expect(claimPlaces({ provider: 'aws', region: 'xx-nowhere-1' }, known)).toEqual([]);
  });

  it('a region and a country are two parts, each tested', () => {
    const parts = claimPlaces({ provider: 'aws', region: 'eu-west-2', countries: ['DE'], country: 'DE' }, knownPlacesFrom(metros));
    expect(parts.map((p) => [p.label, p.test(region).outcome])).toEqual([
      ['London (aws eu-west-2)', 'outside'],
      ['DE', 'inside'],
    ]);
  });

  it('the same point listed twice for a country is tested once (two providers\' London metros)', () => {
    const [gb] = claimPlaces({ countries: ['GB'], country: 'GB' }, knownPlacesFrom(metros));
    expect(gb instanceof PointSetPlace && gb.points.length).toBe(1);
  });

  it('several countries: unknown as soon as one has no known place and none is inside (never refuted blind)', () => {
    const known = knownPlacesFrom(metros);
    const [gbJp] = claimPlaces({ countries: ['GB', 'JP'], country: 'GB, JP' }, known);
    expect(gbJp).toBeInstanceOf(AnyOfPlaces);
    expect(gbJp.test(region)).toEqual({ outcome: 'unknown', reason: 'no known place in JP' });
    const [deJp] = claimPlaces({ countries: ['DE', 'JP'], country: 'DE, JP' }, known);
    expect(deJp.test(region).outcome).toBe('inside');
  });

  it('extra known points (a geolocation source\'s position in the country) can make a country possible', () => {
    const known = knownPlacesFrom(metros);
    // No NL metro is known: the country cannot be judged ...
    const [bare] = claimPlaces({ countries: ['NL'], country: 'NL' }, known);
    expect(bare.test(region).outcome).toBe('unknown');
    // ... until a source puts the server at (50.6, 7.5) in NL: 0.49 deg north, 1.18 deg x cos 50.4 = 0.75 deg west of
    // Frankfurt, sqrt(0.24 + 0.57) = 0.90 deg = 100 km, inside the 150 km disc.
    const [nl] = claimPlaces({ countries: ['NL'], country: 'NL' }, known, [{ name: 'source position', lat: 50.6, lon: 7.5, country: 'NL' }]);
    expect(nl.test(region)).toEqual({ outcome: 'inside', witness: { name: 'source position', lat: 50.6, lon: 7.5, country: 'NL' } });
    // A point of another country is not used.
    const [de] = claimPlaces({ countries: ['FR'], country: 'FR' }, known, [{ name: 'source position', lat: 50.6, lon: 7.5, country: 'NL' }]);
    expect(de.test(region).outcome).toBe('unknown');
  });
});
