import { describe, expect, it } from 'vitest';
import type { Claim } from '../../src/audit/claims.js';
import { decideClaim, REASON_CODES, type VerdictFlow } from '../../src/audit/verdict.js';
import type { Verdict } from '../../src/types.js';

const claim = (over: Partial<Claim> = {}): Claim => ({ id: 'c', text: 'stored on AWS in Singapore', scope: 'first-party', country: 'SG', provider: 'aws', region: 'ap-southeast-1', ...over });

/** A first-party flow to AWS Singapore, agreed by all sources: consistent with the default claim. */
const sg = (over: Partial<VerdictFlow> = {}): VerdictFlow => ({
  bytes_up: 100_000, bytes_down: 5000, first_party: true, hostname: 'api.vendor.com', server_ip: '13.250.0.1',
  country: 'SG', country_agreement: 'agree', geo_sources: [{ source: 'a', country: 'SG', physical: 'plausible' }],
  provider: 'aws', region: 'ap-southeast-1', edge: false, physical: 'plausible', ...over,
});

interface Row {
  name: string;
  claim?: Partial<Claim>;
  flows: VerdictFlow[];
  verdict: Verdict;
  reasons: string[];
}

const table: Row[] = [
  { name: 'all consistent', flows: [sg(), sg()], verdict: 'confirmed', reasons: ['coverage_met'] },
  { name: 'only country claimed', claim: { provider: undefined, region: undefined }, flows: [sg({ provider: undefined, region: undefined })], verdict: 'confirmed', reasons: ['coverage_met'] },
  { name: 'a third of uploads in the US', flows: [sg(), sg(), sg({ country: 'US', region: 'us-east-1' })], verdict: 'refuted', reasons: ['inconsistent_upload'] },
  { name: 'inconsistent below tolerance', flows: [sg({ bytes_up: 1_000_000 }), sg({ bytes_up: 50, country: 'US', region: 'us-east-1' })], verdict: 'confirmed', reasons: ['inconsistent_within_tolerance', 'coverage_met'] },
  { name: 'wrong provider same country', flows: [sg({ provider: 'gcp', region: 'asia-southeast1' })], verdict: 'refuted', reasons: ['inconsistent_upload'] },
  { name: 'wrong region same provider', flows: [sg({ region: 'ap-southeast-2' })], verdict: 'refuted', reasons: ['inconsistent_upload'] },
  {
    name: 'claimed country physically impossible (tiny flow still refutes)',
    flows: [sg({ bytes_up: 1_000_000 }), sg({ bytes_up: 10, country: 'IN', geo_sources: [{ source: 'a', country: 'SG', physical: 'impossible' }, { source: 'b', country: 'IN', physical: 'plausible' }], country_agreement: 'disputed' })],
    verdict: 'refuted', reasons: ['claimed_location_impossible', 'inconsistent_within_tolerance'],
  },
  { name: 'edge only', flows: [sg({ edge: true, provider: 'cloudflare', region: undefined, country: 'US' })], verdict: 'inconclusive', reasons: ['unknown_edge', 'coverage_below_threshold'] },
  { name: 'disputed sources', flows: [sg({ country_agreement: 'disputed' })], verdict: 'inconclusive', reasons: ['unknown_disputed_sources', 'coverage_below_threshold'] },
  { name: 'no geolocation', flows: [sg({ country: undefined, country_agreement: 'unknown' })], verdict: 'inconclusive', reasons: ['unknown_no_geolocation', 'coverage_below_threshold'] },
  { name: 'consensus physically impossible', flows: [sg({ physical: 'impossible', geo_sources: [{ source: 'a', country: 'SG' }] })], verdict: 'inconclusive', reasons: ['unknown_physically_impossible_geo', 'coverage_below_threshold'] },
  { name: 'no provider', flows: [sg({ provider: undefined })], verdict: 'inconclusive', reasons: ['unknown_no_provider', 'coverage_below_threshold'] },
  { name: 'no region', flows: [sg({ region: undefined })], verdict: 'inconclusive', reasons: ['unknown_no_region', 'coverage_below_threshold'] },
  { name: 'too little traffic', flows: [sg({ bytes_up: 500 })], verdict: 'inconclusive', reasons: ['too_little_traffic'] },
  { name: 'no in-scope traffic at all', flows: [sg({ first_party: false })], verdict: 'inconclusive', reasons: ['no_in_scope_traffic'] },
  { name: 'local traffic never counts', flows: [sg({ local: true }), sg({ local: true, first_party: false, hidden: 'no_name' })], verdict: 'inconclusive', reasons: ['no_in_scope_traffic'] },
  { name: 'only ECH traffic', flows: [sg({ first_party: false, hidden: 'ech' })], verdict: 'unobservable', reasons: ['names_hidden_ech', 'no_in_scope_traffic'] },
  { name: 'DoH then unnamed flows', flows: [sg({ first_party: false, hidden: 'doh', bytes_up: 2000 }), sg({ first_party: false, hidden: 'no_name' })], verdict: 'unobservable', reasons: ['names_hidden_doh', 'names_missing', 'no_in_scope_traffic'] },
  { name: 'unnamed QUIC that could not be decrypted', flows: [sg({ bytes_up: 20_000 }), sg({ first_party: false, hidden: 'quic_undecryptable', bytes_up: 30_000 })], verdict: 'unobservable', reasons: ['names_hidden_quic'] },
  { name: 'hidden traffic dominates identified traffic', flows: [sg({ bytes_up: 20_000 }), sg({ first_party: false, hidden: 'no_name', bytes_up: 80_000 })], verdict: 'unobservable', reasons: ['names_missing'] },
  { name: 'hidden traffic limits coverage', flows: [sg({ bytes_up: 80_000 }), sg({ first_party: false, hidden: 'no_name', bytes_up: 20_000 })], verdict: 'inconclusive', reasons: ['names_missing', 'hidden_traffic_limits_coverage'] },
  { name: 'refuted wins over hidden', flows: [sg({ country: 'US', region: 'us-east-1' }), sg({ first_party: false, hidden: 'ech', bytes_up: 900_000 })], verdict: 'refuted', reasons: ['inconsistent_upload', 'names_hidden_ech'] },
  { name: 'scope all counts third parties', claim: { scope: 'all' }, flows: [sg(), sg({ first_party: false, country: 'US', region: 'us-east-1' })], verdict: 'refuted', reasons: ['inconsistent_upload'] },
  { name: 'scope all ignores hidden-name status', claim: { scope: 'all' }, flows: [sg({ first_party: false, hidden: 'ech' })], verdict: 'confirmed', reasons: ['coverage_met'] },
  { name: 'third-party traffic is out of scope', flows: [sg(), sg({ first_party: false, country: 'US', provider: 'gcp' })], verdict: 'confirmed', reasons: ['coverage_met'] },
  { name: 'coverage below threshold from a mix', flows: [sg({ bytes_up: 85_000 }), sg({ bytes_up: 15_000, region: undefined })], verdict: 'inconclusive', reasons: ['unknown_no_region', 'coverage_below_threshold'] },
  { name: 'edge of the claimed provider is consistent on provider only', claim: { country: undefined, region: undefined }, flows: [sg({ edge: true })], verdict: 'confirmed', reasons: ['coverage_met'] },
];

describe('decideClaim: every verdict and reason', () => {
  it.each(table)('$name -> $verdict', (row) => {
    const r = decideClaim(claim(row.claim), row.flows);
    expect(r.verdict).toBe(row.verdict);
    expect(r.reasons.map((x) => x.code)).toEqual(row.reasons);
    for (const reason of r.reasons) expect(reason.text.length).toBeGreaterThan(10);
  });

  it('covers every reason code and every verdict in the table', () => {
    const seen = new Set<string>();
    const verdicts = new Set<string>();
    for (const row of table) {
      const r = decideClaim(claim(row.claim), row.flows);
      for (const x of r.reasons) seen.add(x.code);
      verdicts.add(r.verdict);
    }
    expect([...seen].sort()).toEqual([...REASON_CODES].sort());
    expect([...verdicts].sort()).toEqual(['confirmed', 'inconclusive', 'refuted', 'unobservable']);
  });
});

describe('decideClaim: totals and evidence', () => {
  it('weighs by upload bytes and sums consistent + inconsistent + unknown to in-scope', () => {
    const flows = [sg({ bytes_up: 700 }), sg({ bytes_up: 200, country: 'US' }), sg({ bytes_up: 100, edge: true }), sg({ first_party: false, hidden: 'ech', bytes_up: 5 })];
    const r = decideClaim(claim(), flows);
    expect(r.totals.consistent).toEqual({ flows: 1, bytes_up: 700, bytes_down: 5000 });
    expect(r.totals.inconsistent.bytes_up).toBe(200);
    expect(r.totals.unknown.bytes_up).toBe(100);
    expect(r.totals.in_scope).toEqual({ flows: 3, bytes_up: 1000, bytes_down: 15000 });
    expect(r.totals.hidden).toEqual({ flows: 1, bytes_up: 5, bytes_down: 5000 });
    expect(r.evidence.map((e) => [e.index, e.status, e.hidden])).toEqual([
      [1, 'inconsistent', false], [2, 'unknown', false], [0, 'consistent', false], [3, 'unknown', true],
    ]);
    expect(r.evidence[0].country_status).toBe('inconsistent');
    expect(r.evidence[0].provider_status).toBe('consistent');
  });

  it('marks unclaimed parts not_claimed and honours a custom impossibility check', () => {
    const r = decideClaim(claim({ provider: undefined, region: undefined }), [sg()], { claimedLocationImpossible: () => true });
    expect(r.verdict).toBe('refuted');
    expect(r.evidence[0]).toMatchObject({ provider_status: 'not_claimed', region_status: 'not_claimed', claimed_location_impossible: true, country_status: 'inconsistent' });
  });

  it('never applies the impossibility check to edges (their RTT measures the edge)', () => {
    const r = decideClaim(claim(), [sg({ edge: true })], { claimedLocationImpossible: () => true });
    expect(r.verdict).toBe('inconclusive');
    expect(r.evidence[0].claimed_location_impossible).toBe(false);
  });

  it('refutes a region-only claim whose region is physically impossible', () => {
    const r = decideClaim(claim({ country: undefined, provider: undefined }), [sg()], { claimedLocationImpossible: () => true });
    expect(r.verdict).toBe('refuted');
    expect(r.evidence[0]).toMatchObject({ region_status: 'inconsistent', country_status: 'not_claimed' });
  });

  it('is deterministic whatever the input order', () => {
    const flows = [sg({ bytes_up: 300 }), sg({ bytes_up: 300, country: 'US' }), sg({ bytes_up: 900, edge: true })];
    const a = decideClaim(claim(), flows);
    const b = decideClaim(claim(), [...flows].reverse());
    expect(b.verdict).toBe(a.verdict);
    expect(b.reasons).toEqual(a.reasons);
    expect(b.totals).toEqual(a.totals);
  });
});
