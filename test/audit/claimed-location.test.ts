import { describe, expect, it } from 'vitest';
import { ClaimedLocationCheck } from '../../src/audit/claimed-location.js';
import type { Claim } from '../../src/audit/claims.js';
import type { VerdictFlow } from '../../src/audit/verdict.js';

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
  it.each([
    ['SG at 3 ms is impossible (4,150 km needs 41.5 ms)', 3, { country: 'SG' }, true],
    ['SG at 60 ms is possible', 60, { country: 'SG' }, false],
    ['US at 100 ms: Oregon too far? 11,800 km needs 118 ms -> impossible', 100, { country: 'US' }, true],
    ['US at 125 ms: some US metro reachable', 125, { country: 'US' }, false],
    ['the lab country is never impossible', 1, { country: 'IN' }, false],
    ['a claimed region far away is impossible', 50, { provider: 'aws', region: 'us-east-1' }, true],
    ['a claimed region within reach is possible', 50, { provider: 'aws', region: 'ap-southeast-1' }, false],
    ['a country with no known place is never impossible', 1, { country: 'TV' }, false],
    ['a list: impossible when every country is (SG and US at 30 ms)', 30, { country: 'SG, US', countries: ['SG', 'US'] }, true],
    ['a list: possible when one country is (SG at 60 ms)', 60, { country: 'SG, US', countries: ['SG', 'US'] }, false],
    ['a list with the lab country is never impossible', 1, { country: 'SG, IN', countries: ['IN', 'SG'] }, false],
    ['a group with a member that has no known place is never impossible', 1, { country: 'X', countries: ['SG', 'TV'] }, false],
  ] as const)('%s', (_name, rtt, c, want) => {
    expect(check(flow(rtt), claim(c as Partial<Claim>))).toBe(want);
  });

  it('needs an RTT and a vantage', () => {
    expect(check(flow(undefined), claim({ country: 'SG' }))).toBe(false);
    expect(new ClaimedLocationCheck(undefined, metros).impossible(flow(1), claim({ country: 'SG' }))).toBe(false);
  });

  it('uses where the sources put the flow when the country has no provider metro', () => {
    expect(check(flow(1, { country: 'TV', lat: -8.5, lon: 179.2 }), claim({ country: 'TV' }))).toBe(true);
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
