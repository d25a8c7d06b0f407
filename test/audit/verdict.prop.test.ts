import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claim } from '../../src/audit/claims.js';
import { decideClaim, DEFAULT_VERDICT_OPTIONS, REASON_CODES, type VerdictFlow } from '../../src/audit/verdict.js';

const flowArb: fc.Arbitrary<VerdictFlow> = fc.record(
  {
    bytes_up: fc.nat({ max: 1_000_000 }),
    bytes_down: fc.nat({ max: 1_000_000 }),
    first_party: fc.boolean(),
    hidden: fc.constantFrom(undefined, 'ech' as const, 'doh' as const, 'no_name' as const),
    local: fc.boolean(),
    server_ip: fc.constant('13.250.0.1'),
    country: fc.constantFrom(undefined, 'SG', 'US', 'IN'),
    country_agreement: fc.constantFrom(undefined, 'agree' as const, 'disputed' as const, 'single-source' as const, 'unknown' as const),
    geo_sources: fc.array(fc.record({ source: fc.constantFrom('a', 'b'), country: fc.constantFrom('SG', 'US'), physical: fc.constantFrom(undefined, 'plausible' as const, 'impossible' as const) }), { maxLength: 2 }),
    provider: fc.constantFrom(undefined, 'aws', 'gcp', 'cloudflare'),
    region: fc.constantFrom(undefined, 'ap-southeast-1', 'us-east-1'),
    edge: fc.boolean(),
    physical: fc.constantFrom('plausible' as const, 'impossible' as const, 'unchecked' as const),
  },
  { requiredKeys: ['bytes_up', 'bytes_down', 'first_party', 'server_ip', 'edge', 'physical'] },
);
const claimArb: fc.Arbitrary<Claim> = fc.record({
  id: fc.constant('c'),
  text: fc.constant('t'),
  scope: fc.constantFrom('first-party' as const, 'all' as const),
  country: fc.constantFrom(undefined, 'SG'),
  provider: fc.constantFrom(undefined, 'aws'),
  region: fc.constantFrom(undefined, 'ap-southeast-1'),
});

describe('decideClaim properties', () => {
  it('totals add up, reasons are known codes, and the verdict follows the thresholds', () => {
    fc.assert(
      fc.property(claimArb, fc.array(flowArb, { maxLength: 30 }), (claim, flows) => {
        const r = decideClaim(claim, flows);
        const t = r.totals;
        expect(t.consistent.bytes_up + t.inconsistent.bytes_up + t.unknown.bytes_up).toBe(t.in_scope.bytes_up);
        expect(t.consistent.flows + t.inconsistent.flows + t.unknown.flows).toBe(t.in_scope.flows);
        for (const x of r.reasons) expect(REASON_CODES).toContain(x.code);
        expect(r.reasons.length).toBeGreaterThan(0);
        const U = t.in_scope.bytes_up;
        if (r.verdict === 'confirmed') {
          expect(U).toBeGreaterThanOrEqual(DEFAULT_VERDICT_OPTIONS.minUploadBytes);
          expect(t.consistent.bytes_up / U).toBeGreaterThanOrEqual(DEFAULT_VERDICT_OPTIONS.coverage);
          expect(t.inconsistent.bytes_up / U).toBeLessThanOrEqual(DEFAULT_VERDICT_OPTIONS.tolerance);
        }
        if (U > 0 && t.inconsistent.bytes_up / U > DEFAULT_VERDICT_OPTIONS.tolerance) expect(r.verdict).toBe('refuted');
        if (r.verdict === 'unobservable') expect(t.hidden.bytes_up).toBeGreaterThan(0);
        expect(r.evidence.filter((e) => !e.hidden)).toHaveLength(t.in_scope.flows);
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of the flows', () => {
    fc.assert(
      fc.property(claimArb, fc.array(flowArb, { maxLength: 20 }), fc.integer(), (claim, flows, seed) => {
        const shuffled = [...flows].sort((a, b) => ((a.bytes_up * 31 + seed) % 7) - ((b.bytes_up * 31 + seed) % 7));
        const a = decideClaim(claim, flows);
        const b = decideClaim(claim, shuffled);
        expect(b.verdict).toBe(a.verdict);
        expect(b.totals).toEqual(a.totals);
        expect(b.reasons.map((x) => x.code)).toEqual(a.reasons.map((x) => x.code));
      }),
      { numRuns: 200 },
    );
  });
});

// Invariants of the rules added for issue 13 (provider by origin AS, several countries, settlement by the RTT).
describe('decideClaim properties: origin AS, country sets, settlement', () => {
  const asnArb = fc.constantFrom(undefined, 16509, 15169, 394000, 64512, 23456, 4200000001);
  const withAsn = fc.tuple(flowArb, asnArb).map(([f, asn]) => (asn === undefined ? f : { ...f, asn }));

  it('knowing the origin AS only turns unknown into inconsistent (no usable AS) or consistent into unknown (a name disagrees), never the reverse', () => {
    fc.assert(
      fc.property(claimArb, fc.array(withAsn, { maxLength: 20 }), (claim, flows) => {
        const rank = { consistent: 0, unknown: 1, inconsistent: 2 } as const;
        const withA = new Map(decideClaim(claim, flows).evidence.filter((e) => !e.hidden).map((e) => [e.index, e]));
        const without = decideClaim(claim, flows.map(({ asn: _drop, ...f }) => f)).evidence.filter((e) => !e.hidden);
        for (const e of without) {
          const a = withA.get(e.index);
          expect(a).toBeDefined();
          // The provider part moves at most one step (unknown -> inconsistent, consistent -> unknown).
          expect(Math.abs(rank[a!.status] - rank[e.status])).toBeLessThanOrEqual(2);
          if (e.provider_status === 'not_claimed') expect(a!.provider_status).toBe('not_claimed');
          if (e.provider_status === 'inconsistent') expect(a!.provider_status).toBe('inconsistent');
          if (a!.provider_status === 'consistent') expect(e.provider_status).toBe('consistent');
          expect(a!.country_status).toBe(e.country_status);
          expect(a!.region_status).toBe(e.region_status);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a claim of several countries is consistent for a flow exactly when a claim of one of them is, and impossible only when each is', () => {
    const countries = ['SG', 'US', 'IN'] as const;
    fc.assert(
      fc.property(fc.subarray([...countries], { minLength: 1 }), fc.array(flowArb, { minLength: 1, maxLength: 15 }), (set, flows) => {
        const base: Claim = { id: 'c', text: 't', scope: 'all' };
        const many = decideClaim({ ...base, country: set.join(', '), countries: [...set].sort() }, flows).evidence.filter((e) => !e.hidden);
        const single = (c: string, o = {}) => new Map(decideClaim({ ...base, country: c, countries: [c] }, flows, o).evidence.filter((e) => !e.hidden).map((e) => [e.index, e]));
        const located = set.map((c) => single(c, { claimedLocationImpossible: () => false }));
        const checked = set.map((c) => single(c));
        for (const e of many) {
          const impossible = checked.every((m) => m.get(e.index)!.claimed_location_impossible);
          expect(e.claimed_location_impossible).toBe(impossible);
          const inSet = located.some((m) => m.get(e.index)!.country_status === 'consistent');
          expect(e.country_status === 'consistent').toBe(inSet && !impossible);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a flow the RTT settled is judged exactly as the same flow with agreeing sources', () => {
    fc.assert(
      fc.property(claimArb, fc.array(flowArb, { maxLength: 15 }), (claim, flows) => {
        const agreeing = flows.map((f) => ({ ...f, country_agreement: 'agree' as const }));
        const settled = agreeing.map((f) => ({ ...f, country_settled_by: 'rtt' as const }));
        const a = decideClaim(claim, agreeing);
        const b = decideClaim(claim, settled);
        expect(b.verdict).toBe(a.verdict);
        expect(b.totals).toEqual(a.totals);
        expect(b.reasons.map((x) => x.code).filter((c) => c !== 'country_settled_by_rtt')).toEqual(a.reasons.map((x) => x.code));
      }),
      { numRuns: 200 },
    );
  });
});
