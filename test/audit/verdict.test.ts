import { describe, expect, it } from 'vitest';
import type { Claim } from '../../src/audit/claims.js';
import { providerOrigin } from '../../src/audit/provider-origin.js';
import { decideClaim, REASON_CODES, type VerdictFlow, type VerdictOptions } from '../../src/audit/verdict.js';
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
  options?: Partial<VerdictOptions>;
  verdict: Verdict;
  reasons: string[];
  /** Expected provider part of the first flow, when the row is about it. */
  provider?: string;
  /** Expected country part of the first flow, when the row is about it. */
  country?: string;
}

/** A network that is no provider's (not in geo/providers.json), as a vendor's own AS would be. */
const VENDOR_AS = 394_000;
/** Claims of the provider part only. */
const awsOnly: Partial<Claim> = { country: undefined, region: undefined };
/** The vendor's own network: no provider known, a routable origin AS that is not AWS's. */
const own = (over: Partial<VerdictFlow> = {}): VerdictFlow => sg({ provider: undefined, region: undefined, asn: VENDOR_AS, as_org: 'Vendor Net Ltd', ...over });
/** AWS's published ranges hold every address (BYOIP under the customer's own AS). */
const inAwsRanges: Partial<VerdictOptions> = { providerOrigin: providerOrigin(() => 'aws') };

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
  {
    name: 'an address measured answering from two places is an edge, the measurements named',
    flows: [sg({ edge: true, anycast: { reason: '192.0.2.1 answered A and B', measurements: [{ vantage: 'A', vantage_id: 'a', rtt_ms: 1, file: 'p.txt', line: 2 }] } })],
    verdict: 'inconclusive', reasons: ['unknown_edge', 'unknown_anycast', 'coverage_below_threshold'],
  },
  {
    name: 'measurements refute the claimed place: the reason names them, the callback is not asked',
    flows: [sg({ place_refutations: { c: { text: '192.0.2.1: Singapore is 6,000 km from probe 1 (a.json:3)', measurements: [{ vantage: 'probe 1', vantage_id: 'atlas:1', rtt_ms: 2, file: 'a.json', line: 3 }] } } })],
    options: { claimedLocationImpossible: () => false },
    verdict: 'refuted', reasons: ['claimed_location_impossible', 'inconsistent_upload'],
  },
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

  // Provider by origin AS (issue 13: a claim "stored on AWS" whose traffic goes to the vendor's own AS is refuted).
  { name: 'origin AS known, not the provider\'s, no provider known: inconsistent', claim: awsOnly, flows: [own()], verdict: 'refuted', reasons: ['inconsistent_upload', 'inconsistent_asn_not_provider'], provider: 'inconsistent' },
  { name: 'origin AS inside the provider\'s published ranges (BYOIP): unknown', claim: awsOnly, flows: [own()], options: inAwsRanges, verdict: 'inconclusive', reasons: ['unknown_no_provider', 'coverage_below_threshold'], provider: 'unknown' },
  { name: 'private-use origin AS says nothing: unknown', claim: awsOnly, flows: [own({ asn: 64_512 })], verdict: 'inconclusive', reasons: ['unknown_no_provider', 'coverage_below_threshold'], provider: 'unknown' },
  { name: '32-bit private-use and AS_TRANS say nothing: unknown', claim: awsOnly, flows: [own({ asn: 4_200_000_001 }), own({ asn: 23_456 })], verdict: 'inconclusive', reasons: ['unknown_no_provider', 'coverage_below_threshold'], provider: 'unknown' },
  { name: 'no origin AS: unknown', claim: awsOnly, flows: [own({ asn: undefined, as_org: undefined })], verdict: 'inconclusive', reasons: ['unknown_no_provider', 'coverage_below_threshold'], provider: 'unknown' },
  { name: 'an edge of another network stays unknown', claim: awsOnly, flows: [own({ edge: true })], verdict: 'inconclusive', reasons: ['unknown_edge', 'coverage_below_threshold'], provider: 'unknown' },
  { name: 'origin AS of the claimed provider without a provider field: unknown', claim: awsOnly, flows: [own({ asn: 16_509 })], verdict: 'inconclusive', reasons: ['unknown_no_provider', 'coverage_below_threshold'], provider: 'unknown' },
  { name: 'a gcp claim accepts Google\'s own AS', claim: { ...awsOnly, provider: 'gcp' }, flows: [own({ asn: 15_169 })], verdict: 'inconclusive', reasons: ['unknown_no_provider', 'coverage_below_threshold'], provider: 'unknown' },
  { name: 'a DNS name says AWS, the origin AS is another network\'s: sources disagree', claim: awsOnly, flows: [sg({ asn: VENDOR_AS })], verdict: 'inconclusive', reasons: ['unknown_provider_disputed', 'coverage_below_threshold'], provider: 'unknown' },
  { name: 'a DNS name says AWS and the published ranges agree', claim: awsOnly, flows: [sg({ asn: VENDOR_AS })], options: inAwsRanges, verdict: 'confirmed', reasons: ['coverage_met'], provider: 'consistent' },
  { name: 'the provider\'s own AS with the provider field: consistent', claim: awsOnly, flows: [sg({ asn: 16_509 })], verdict: 'confirmed', reasons: ['coverage_met'], provider: 'consistent' },
  { name: 'another known provider stays plain inconsistent (no AS reason)', claim: awsOnly, flows: [sg({ provider: 'hetzner', asn: 24_940 })], verdict: 'refuted', reasons: ['inconsistent_upload'], provider: 'inconsistent' },
  { name: 'the vendor\'s AS below tolerance', claim: awsOnly, flows: [sg({ bytes_up: 1_000_000 }), own({ bytes_up: 100 })], verdict: 'confirmed', reasons: ['inconsistent_within_tolerance', 'inconsistent_asn_not_provider', 'coverage_met'] },

  // Several countries or a group.
  { name: 'a list: the flow is in one of them', claim: { country: 'SG, MY', countries: ['MY', 'SG'], provider: undefined, region: undefined }, flows: [sg({ country: 'MY' })], verdict: 'confirmed', reasons: ['coverage_met'], country: 'consistent' },
  { name: 'a group: the flow is outside it', claim: { country: 'EU', countries: ['DE', 'FR', 'IE'], provider: undefined, region: undefined }, flows: [sg({ country: 'US' })], verdict: 'refuted', reasons: ['inconsistent_upload'], country: 'inconsistent' },
  {
    name: 'a list is physically impossible only when every country is',
    claim: { country: 'SG, MY', countries: ['MY', 'SG'], provider: undefined, region: undefined },
    flows: [sg({ geo_sources: [{ source: 'a', country: 'SG', physical: 'impossible' }, { source: 'b', country: 'MY', physical: 'plausible' }], country_agreement: 'disputed' })],
    verdict: 'inconclusive', reasons: ['unknown_disputed_sources', 'coverage_below_threshold'], country: 'unknown',
  },
  {
    name: 'a list where every country is physically impossible',
    claim: { country: 'SG, MY', countries: ['MY', 'SG'], provider: undefined, region: undefined },
    flows: [sg({ geo_sources: [{ source: 'a', country: 'SG', physical: 'impossible' }, { source: 'b', country: 'MY', physical: 'impossible' }], country_agreement: 'disputed' })],
    verdict: 'refuted', reasons: ['claimed_location_impossible', 'inconsistent_upload'], country: 'inconsistent',
  },

  // Disputes settled by the RTT (geo stage): treated like agreement, and said so.
  { name: 'a settled country, consistent', flows: [sg({ country_settled_by: 'rtt' }), sg()], verdict: 'confirmed', reasons: ['country_settled_by_rtt', 'coverage_met'], country: 'consistent' },
  { name: 'a settled country, inconsistent', flows: [sg({ country: 'IN', region: 'ap-south-1', country_settled_by: 'rtt' })], verdict: 'refuted', reasons: ['inconsistent_upload', 'country_settled_by_rtt'], country: 'inconsistent' },
  { name: 'a settled edge stays unknown, no settlement reason', flows: [sg({ edge: true, country_settled_by: 'rtt' })], verdict: 'inconclusive', reasons: ['unknown_edge', 'coverage_below_threshold'], country: 'unknown' },
  { name: 'settlement says nothing when no country is claimed', claim: awsOnly, flows: [sg({ country_settled_by: 'rtt' })], verdict: 'confirmed', reasons: ['coverage_met'], country: 'not_claimed' },
];

describe('decideClaim: every verdict and reason', () => {
  it.each(table)('$name -> $verdict', (row) => {
    const r = decideClaim(claim(row.claim), row.flows, row.options);
    expect(r.verdict).toBe(row.verdict);
    expect(r.reasons.map((x) => x.code)).toEqual(row.reasons);
    for (const reason of r.reasons) expect(reason.text.length).toBeGreaterThan(10);
    const first = r.evidence.find((e) => e.index === 0);
    if (row.provider !== undefined) expect(first?.provider_status).toBe(row.provider);
    if (row.country !== undefined) expect(first?.country_status).toBe(row.country);
  });

  it('covers every reason code and every verdict in the table', () => {
    const seen = new Set<string>();
    const verdicts = new Set<string>();
    for (const row of table) {
      const r = decideClaim(claim(row.claim), row.flows, row.options);
      for (const x of r.reasons) seen.add(x.code);
      verdicts.add(r.verdict);
    }
    // physical_check_unavailable depends on the inputs, not the flows: the audit adds it (test/logs/audit-logs.test.ts).
    expect([...seen].sort()).toEqual(REASON_CODES.filter((c) => c !== 'physical_check_unavailable').sort());
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

describe('decideClaim: why bytes were inconsistent', () => {
  it('breaks inconsistent upload down by cause and names the origin ASes with their bytes', () => {
    const flows = [sg({ bytes_up: 60_000, country: 'US', region: 'us-east-1' }), own({ bytes_up: 30_000 }), own({ bytes_up: 5_000, asn: 394_001, as_org: 'Other Net' }), sg({ bytes_up: 5_000 })];
    const r = decideClaim(claim(), flows);
    const text = (code: string): string => r.reasons.find((x) => x.code === code)?.text ?? '';
    expect(r.verdict).toBe('refuted');
    expect(text('inconsistent_upload')).toContain('By cause (a flow may have several): another country 60000, origin AS not aws\'s 35000, another region 60000.');
    expect(text('inconsistent_asn_not_provider')).toContain('Flows carrying 35000 in-scope upload bytes');
    expect(text('inconsistent_asn_not_provider')).toContain('AS394000 (Vendor Net Ltd) 30000, AS394001 (Other Net) 5000');
  });

  it('says which bytes the RTT settled, split by outcome', () => {
    const r = decideClaim(claim(), [sg({ bytes_up: 70_000, country_settled_by: 'rtt' }), sg({ bytes_up: 700, country: 'IN', region: 'ap-south-1', country_settled_by: 'rtt' })]);
    expect(r.reasons.find((x) => x.code === 'country_settled_by_rtt')?.text).toContain('flows carrying 70700 in-scope upload bytes (70000 consistent, 700 inconsistent)');
  });
});
