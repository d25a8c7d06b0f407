// The sample servers are where captures/README.md says, according to the project's own geolocation, and the
// RTTs the generator gives them respect physics, except Dogwood's, whose impossibility is the point of its case.

import { describe, expect, it } from 'vitest';
import { RTT_MS, SERVERS, VANTAGE } from '../../scripts/gen-samples.js';
import { GeoLocator } from '../../src/geo/index.js';
import { greatCircleKm, maxDistanceKm } from '../../src/physics.js';

const EXPECTED: Record<keyof typeof SERVERS, { country?: string; provider: string; edge: boolean }> = {
  awsSg1: { country: 'SG', provider: 'AWS', edge: false },
  awsSg2: { country: 'SG', provider: 'AWS', edge: false },
  awsSg3: { country: 'SG', provider: 'AWS', edge: false },
  aliHz: { country: 'CN', provider: 'Alibaba', edge: false },
  cfDoh: { provider: 'Cloudflare', edge: true },
  cfEch: { provider: 'Cloudflare', edge: true },
  awsUs1: { country: 'US', provider: 'AWS', edge: false },
  awsUs2: { country: 'US', provider: 'AWS', edge: false },
};

describe('sample server addresses', async () => {
  const geo = await GeoLocator.open();

  it('are located where the README says, with every source agreeing for the non-anycast ones', () => {
    for (const [key, ip] of Object.entries(SERVERS) as [keyof typeof SERVERS, string][]) {
      const r = geo.lookup(ip);
      const want = EXPECTED[key];
      expect(r.provider ?? '', `${key} ${ip} provider`).toMatch(new RegExp(`^${want.provider}`, 'i'));
      expect(r.edge, `${key} ${ip} edge`).toBe(want.edge);
      if (want.country !== undefined) {
        expect(r.country, `${key} ${ip} country`).toBe(want.country);
        expect(r.country_agreement, `${key} ${ip} agreement`).toBe('agree');
      }
    }
  });

  it('get RTTs above the physical minimum, except Dogwood`s near-Delhi answer', () => {
    const km = (ip: string): number => {
      const r = geo.lookup(ip);
      return greatCircleKm(VANTAGE.lat, VANTAGE.lon, r.lat as number, r.lon as number);
    };
    expect(maxDistanceKm(RTT_MS.sg)).toBeGreaterThan(km(SERVERS.awsSg1));
    expect(maxDistanceKm(RTT_MS.hangzhou)).toBeGreaterThan(km(SERVERS.aliHz));
    expect(maxDistanceKm(RTT_MS.dogwoodNear)).toBeLessThan(km(SERVERS.awsUs1));
    expect(RTT_MS.dogwoodNear).toBeGreaterThanOrEqual(3);
    expect(RTT_MS.dogwoodNear).toBeLessThanOrEqual(4);
  });
});
