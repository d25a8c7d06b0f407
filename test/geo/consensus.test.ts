// Consensus country and agreement from source answers; records of both mmdb schemas turned into answers; a user geo dir.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { consensus } from '../../src/geo/consensus.js';
import { GeoLocator } from '../../src/geo/index.js';
import { toAnswer, toAsn } from '../../src/geo/sources.js';
import type { GeoSourceAnswer } from '../../src/types.js';

const A = (source: string, country?: string, city?: string, lat?: number, lon?: number) => ({ source, country, city, lat, lon });

describe('consensus', () => {
  it('agree / single-source / unknown', () => {
    expect(consensus([A('a', 'SG', 'Singapore', 1.3, 103.8), A('b', 'SG')], [A('w', 'SG')])).toMatchObject({ country: 'SG', agreement: 'agree', city: 'Singapore', lat: 1.3 });
    expect(consensus([A('a', 'SG')], [])).toMatchObject({ country: 'SG', agreement: 'single-source' });
    expect(consensus([], [A('w', 'US')])).toMatchObject({ country: 'US', agreement: 'single-source' });
    expect(consensus([A('a')], [])).toEqual({ agreement: 'unknown' });
  });

  it('disputed: the majority country; on a tie the first located source, not the registration', () => {
    expect(consensus([A('a', 'US', undefined, 37.75, -97.82), A('b', 'IN', 'Mumbai', 19.07, 72.87)], [A('w', 'US')])).toMatchObject({
      country: 'US',
      agreement: 'disputed',
      lat: 37.75,
    });
    expect(consensus([A('a', 'DE', 'Frankfurt', 50.1, 8.7)], [A('w', 'IE')])).toMatchObject({ country: 'DE', agreement: 'disputed', city: 'Frankfurt' });
  });

  it('takes city and coordinates from the same answer', () => {
    const c = consensus([A('a', 'US', undefined, 37.75, -97.82), A('b', 'US', 'Mountain View', 37.42, -122.08)], []);
    expect([c.city, c.lat, c.lon]).toEqual(['Mountain View', 37.42, -122.08]);
  });
});

/** The rule as first written (Map of votes, order of first appearance): the reference for the allocation-free one. */
function referenceConsensus(located: GeoSourceAnswer[], registration: GeoSourceAnswer[]): Record<string, unknown> {
  const votes = new Map<string, number>();
  const order: string[] = [];
  let voters = 0;
  for (const a of [...located, ...registration]) {
    if (!a.country) continue;
    voters++;
    const n = votes.get(a.country);
    if (n === undefined) order.push(a.country);
    votes.set(a.country, (n ?? 0) + 1);
  }
  if (voters === 0) return { agreement: 'unknown' };
  let country = order[0];
  for (const c of order) if ((votes.get(c) ?? 0) > (votes.get(country) ?? 0)) country = c;
  const out: Record<string, unknown> = { country, agreement: voters === 1 ? 'single-source' : votes.size === 1 ? 'agree' : 'disputed' };
  const inCountry = located.filter((a) => a.country === country && a.lat !== undefined && a.lon !== undefined);
  const place = inCountry.find((a) => a.city !== undefined) ?? inCountry[0];
  if (place) {
    out.lat = place.lat;
    out.lon = place.lon;
    if (place.city !== undefined) out.city = place.city;
  }
  return out;
}

describe('consensus property', () => {
  it('matches the reference rule for any mix of answers (ties, missing countries, places)', () => {
    const answer = fc.record(
      {
        source: fc.constantFrom('a', 'b', 'c', 'w'),
        country: fc.constantFrom('SG', 'US', 'DE', ''),
        city: fc.constantFrom('X', 'Y'),
        lat: fc.double({ min: -90, max: 90, noNaN: true }),
        lon: fc.double({ min: -180, max: 180, noNaN: true }),
      },
      { requiredKeys: ['source'] },
    );
    fc.assert(
      fc.property(fc.array(answer, { maxLength: 5 }), fc.array(answer, { maxLength: 3 }), (located, registration) => {
        expect(consensus(located, registration)).toEqual(referenceConsensus(located, registration));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('record readers', () => {
  it('reads the flat ip-location-db schema', () => {
    expect(toAnswer('x', { country_code: 'sg', city: '', latitude: 1.29, longitude: 103.85, state1: '' })).toEqual({ source: 'x', country: 'SG', lat: 1.29, lon: 103.85 });
  });

  it('reads the MaxMind GeoIP2 schema, falling back to the registered country', () => {
    const rec = { country: { iso_code: 'DE', names: { en: 'Germany' } }, city: { names: { en: 'Frankfurt am Main' } }, location: { latitude: 50.11, longitude: 8.68, accuracy_radius: 20 } };
    expect(toAnswer('maxmind', rec)).toEqual({ source: 'maxmind', country: 'DE', city: 'Frankfurt am Main', lat: 50.11, lon: 8.68 });
    expect(toAnswer('m', { registered_country: { iso_code: 'US' } })).toEqual({ source: 'm', country: 'US' });
    expect(toAnswer('m', {})).toBeNull();
    expect(toAnswer('m', null)).toBeNull();
    expect(toAsn({ autonomous_system_number: 16509, autonomous_system_organization: 'AMAZON-02' })).toEqual({ asn: 16509, org: 'AMAZON-02' });
    expect(toAsn({})).toBeNull();
  });
});

describe('mmdb files', () => {
  const req = createRequire(import.meta.url);
  const whois = path.join(path.dirname(req.resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json')), 'geo-whois-asn-country-ipv4.mmdb');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-geodir-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a user geo dir adds its mmdb files as sources, ahead of the embedded ones', async () => {
    fs.copyFileSync(whois, path.join(dir, 'GeoLite2-Country.mmdb'));
    fs.writeFileSync(path.join(dir, 'notes.mmdb'), 'not an mmdb');
    const only = await GeoLocator.open({ geoDir: dir, useEmbedded: false, cacheDir: path.join(dir, 'cache') });
    const r = only.lookup('13.228.0.1');
    expect(r.sources).toEqual([{ source: 'user-geolite2-country', country: 'SG' }]);
    expect(r.country_agreement).toBe('single-source');
    expect(r.asn).toBeUndefined();
    // The unreadable file answers nothing; the provenance names the one that answered, with its build date, and the
    // unreadable one with why.
    const p = only.provenance().filter((x) => x.kind === 'mmdb');
    expect(p.map((x) => [x.source, x.problem])).toEqual([['user-geolite2-country', undefined], ['user-notes', 'not used: no MaxMind DB metadata']]);
    expect(p[0].database_type).toMatch(/country/);
    expect(new Date(p[0].build_date ?? '').getUTCFullYear()).toBeGreaterThan(2020);
  });
});
