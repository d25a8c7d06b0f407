import { describe, expect, it } from 'vitest';
import { ClaimedLocationCheck, type CountryDistance } from '../../src/audit/claimed-location.js';
import type { Claim } from '../../src/audit/claims.js';
import type { VerdictFlow } from '../../src/audit/verdict.js';
import { countryDistanceKm } from '../../src/vantage/country-area.js';

const delhi = { name: 'lab', lat: 28.6139, lon: 77.209, country: 'IN' };
const metros = [
  { provider: 'aws', region: 'ap-southeast-1', country: 'SG', lat: 1.29, lon: 103.85 },
  { provider: 'aws', region: 'us-east-1', country: 'US', lat: 39.04, lon: -77.49 },
  { provider: 'aws', region: 'us-west-2', country: 'US', lat: 45.6, lon: -121.2 },
  { provider: 'aws', region: 'ap-south-1', country: 'IN', lat: 19.08, lon: 72.88 },
];
const flow = (rtt: number | undefined, over: Partial<VerdictFlow> = {}): VerdictFlow => ({
  bytes_up: 1, bytes_down: 1, first_party: true, server_ip: '1.2.3.4', edge: false, physical: 'unchecked', rtt_ms: rtt, ...over,
});
const claim = (over: Partial<Claim>): Claim => ({ id: 'c', text: 't', scope: 'first-party', ...over });

describe('ClaimedLocationCheck', () => {
  const check = new ClaimedLocationCheck(delhi, metros).impossible;
  // Hand-checked distances from the lab (New Delhi, 28.6139 N 77.209 E) to the nearest point of each territory
  // (haversine to the coastal or border point the Natural Earth 1:10m outline reaches):
  //   SG 4,128 km (Woodlands shore, ~1.45 N 103.8 E; the Singapore metro at 1.29 N 103.85 E is 4,150 km)
  //   US 7,841 km (Attu, the westernmost Aleutian, ~52.9 N 172.9 E; the Oregon metro is 11,800 km)
  //   NP 277 km (Nepal's western border near Mahendranagar), no provider metro in Nepal
  //   CN 334 km (the Aksai Chin border, ~35 N 79 E); the nearest Chinese metro (Beijing/Ningxia) is ~3,000 km
  it.each([
    ['SG at 3 ms is impossible (300 km)', 3, { country: 'SG' }, true],
    ['SG at 41 ms is impossible (4,100 km < 4,128 km)', 41, { country: 'SG' }, true],
    ['SG at 42 ms is possible (4,200 km reaches the north shore)', 42, { country: 'SG' }, false],
    ['US at 78 ms is impossible (7,800 km < 7,841 km)', 78, { country: 'US' }, true],
    ['US at 100 ms is possible: the Aleutians are in reach though every US metro is not', 100, { country: 'US' }, false],
    ['NP at 2 ms is impossible: a country with no provider metro is checked by its territory', 2, { country: 'NP' }, true],
    ['NP at 3 ms is possible', 3, { country: 'NP' }, false],
    ['CN at 4 ms is possible: its border is 334 km away, its metros thousands', 4, { country: 'CN' }, false],
    ['CN at 3 ms is impossible', 3, { country: 'CN' }, true],
    ['the lab country is never impossible', 1, { country: 'IN' }, false],
    ['a claimed region far away is impossible', 50, { provider: 'aws', region: 'us-east-1' }, true],
    ['a claimed region within reach is possible', 50, { provider: 'aws', region: 'ap-southeast-1' }, false],
    ['a claimed region out of reach is impossible even when its country is in reach', 100, { country: 'US', provider: 'aws', region: 'us-east-1' }, true],
    ['a list: impossible when every country is (SG and US at 30 ms)', 30, { country: 'SG, US', countries: ['SG', 'US'] }, true],
    ['a list: possible when one country is (SG at 60 ms)', 60, { country: 'SG, US', countries: ['SG', 'US'] }, false],
    ['a list with the lab country is never impossible', 1, { country: 'SG, IN', countries: ['IN', 'SG'] }, false],
  ] as const)('%s', (_name, rtt, c, want) => {
    expect(check(flow(rtt), claim(c as Partial<Claim>))).toBe(want);
  });

  it('never finds a country with no outline impossible, nor a group holding one', () => {
    const noBv: CountryDistance = (country, lat, lon) => (country === 'BV' ? undefined : countryDistanceKm(country, lat, lon));
    const withGap = new ClaimedLocationCheck(delhi, metros, noBv).impossible;
    expect(withGap(flow(1), claim({ country: 'BV' }))).toBe(false);
    expect(withGap(flow(1), claim({ country: 'SG, BV', countries: ['SG', 'BV'] }))).toBe(false);
    expect(withGap(flow(1), claim({ country: 'SG' }))).toBe(true);
  });

  it('needs an RTT and a vantage', () => {
    expect(check(flow(undefined), claim({ country: 'SG' }))).toBe(false);
    expect(new ClaimedLocationCheck(undefined, metros).impossible(flow(1), claim({ country: 'SG' }))).toBe(false);
  });

  it('ignores where the sources put the flow: the territory decides', () => {
    // Sources placing the server in Singapore itself, 4,150 km away, do not make SG impossible at 42 ms...
    const inSg = { country: 'SG', lat: 1.29, lon: 103.85, geo_sources: [{ source: 'x', country: 'SG', lat: 1.29, lon: 103.85 }] };
    expect(check(flow(42, inSg as Partial<VerdictFlow>), claim({ country: 'SG' }))).toBe(false);
    // ...and a position inside Tuvalu (11,179 km away) is not needed to find Tuvalu impossible at 1 ms.
    expect(check(flow(1), claim({ country: 'TV' }))).toBe(true);
  });

  it('asks for each country\'s distance from the lab once', () => {
    const asked: string[] = [];
    const km = (country: string): number | undefined => (asked.push(country), country === 'SG' ? 4128 : undefined);
    const counted = new ClaimedLocationCheck(delhi, metros, km).impossible;
    for (const rtt of [3, 30, 60]) counted(flow(rtt), claim({ country: 'SG, BV', countries: ['SG', 'BV'] }));
    counted(flow(3), claim({ country: 'SG' }));
    expect(asked).toEqual(['SG', 'BV']);
  });
});

describe('ClaimedLocationCheck with the shipped regions', () => {
  it('finds a google claim\'s region under the gcp regions (providers.json `regions` key)', () => {
    const check = new ClaimedLocationCheck(delhi).impossible;
    expect(check(flow(20), claim({ provider: 'google', region: 'us-central1' }))).toBe(true);
    expect(check(flow(20), claim({ provider: 'gcp', region: 'us-central1' }))).toBe(true);
    expect(check(flow(200), claim({ provider: 'google', region: 'us-central1' }))).toBe(false);
  });
});
