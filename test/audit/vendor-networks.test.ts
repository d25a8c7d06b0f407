// Vendor networks (claims `networks:`): unnamed flows to the vendor's own ASNs, AS organisations and prefixes are
// first-party (`first_party_via: network`, `name_source: network` on the report flow); named flows keep what their
// name says. The matcher (one row per case), the attribution in the report model, and its invariants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClaims, type VendorNetworks } from '../../src/audit/claims.js';
import { buildReportModel, type ModelCapture } from '../../src/audit/model-builder.js';
import { VendorNetworkMatcher } from '../../src/audit/vendor-networks.js';
import type { StoredFlow } from '../../src/store/records.js';
import { buildFlow } from '../store/fake-capture.js';

const NETS: VendorNetworks = { asns: [394000], orgs: ['Vendor Net, Ltd.'], prefixes: ['203.0.113.0/24', '2001:db8:50::/48', '100.64.0.0/10'] };

describe('VendorNetworkMatcher', () => {
  const m = new VendorNetworkMatcher(NETS);
  it.each([
    ['by AS number', { server_ip: '91.108.1.1', asn: 394000 }, true],
    ['another AS', { server_ip: '91.108.1.1', asn: 394001 }, false],
    ['by organisation, case and spaces aside', { server_ip: '91.108.1.1', as_org: '  vendor NET,   ltd. ' }, true],
    ['an organisation that only contains the name', { server_ip: '91.108.1.1', as_org: 'Vendor Net, Ltd. Payments' }, false],
    ['by IPv4 prefix (first address)', { server_ip: '203.0.113.0' }, true],
    ['by IPv4 prefix (last address)', { server_ip: '203.0.113.255' }, true],
    ['just outside the IPv4 prefix', { server_ip: '203.0.114.0' }, false],
    ['by a short IPv4 prefix', { server_ip: '100.127.255.1' }, true],
    ['by IPv6 prefix', { server_ip: '2001:db8:50:ffff::1' }, true],
    ['just outside the IPv6 prefix', { server_ip: '2001:db8:51::1' }, false],
    ['an IPv4-looking string that is not an address', { server_ip: 'not-an-ip' }, false],
  ] as const)('%s', (_n, f, want) => {
    expect(m.matches(f)).toBe(want);
  });

  it('matches nothing when the vendor lists no network', () => {
    const none = new VendorNetworkMatcher(undefined);
    expect(none.empty).toBe(true);
    expect(none.matches({ server_ip: '203.0.113.1', asn: 394000, as_org: 'Vendor Net, Ltd.' })).toBe(false);
  });
});

const CLAIMS = (networks: string) => `
vendors:
  - name: V
    captures: [v.pcap]
    first_party: [vendor.com]
${networks}    claims:
      - { id: v-aws, text: "Stored on AWS", provider: aws }
`;
const WITH_NETS = '    networks: { asns: [AS394000], prefixes: [203.0.113.0/24] }\n';

const own = { country: 'NL', country_agreement: 'agree' as const, asn: 394000, as_org: 'Vendor Net Ltd', edge: false, physical: 'plausible' as const };
const aws = { country: 'SG', country_agreement: 'agree' as const, asn: 16509, provider: 'AWS', region: 'ap-southeast-1', edge: false, physical: 'plausible' as const };

function capture(flows: StoredFlow[]): ModelCapture {
  return { label: 'v.pcap', vendors: ['V'], synthesized: false, flows, stored: { id: 1, sha256: 'a'.repeat(64), path: 'v.pcap', size_bytes: 10, packets: 5, link_types: [1], truncated: false } };
}

function build(flows: StoredFlow[], networks = WITH_NETS) {
  const b = buildReportModel({
    claims: parseClaims(CLAIMS(networks), 'claims.yaml', '/c/claims.yaml'), claimsLabel: 'claims.yaml', captures: [capture(flows)], provenance: [],
    toolVersion: '1', formats: ['json'], generatedAt: '2026-01-01T00:00:00.000Z',
  });
  return { ...b.model.vendors[0], flows: b.flows[0] };
}

const unnamed = { hostname: undefined, sni: undefined, name_source: undefined };

describe('attribution by vendor network', () => {
  const flows: StoredFlow[] = [
    { ...buildFlow(1, { bytes_up: 40_000, server_ip: '91.108.1.1', ...unnamed }), ...own }, // unnamed, vendor AS
    { ...buildFlow(2, { bytes_up: 30_000, server_ip: '203.0.113.9', ...unnamed }), ...aws, asn: 16509 }, // unnamed, vendor prefix
    { ...buildFlow(3, { bytes_up: 20_000, server_ip: '91.108.1.2', hostname: 'ads.tracker.net', sni: 'ads.tracker.net' }), ...own }, // named third party on the vendor AS
    { ...buildFlow(4, { bytes_up: 10_000, server_ip: '91.108.1.3' }), ...own }, // named first party on the vendor AS
    { ...buildFlow(5, { bytes_up: 5_000, server_ip: '142.250.1.1', ...unnamed }), country: 'US', country_agreement: 'agree' as const, asn: 15169, edge: false, physical: 'plausible' as const }, // unnamed elsewhere
  ];

  it('ties unnamed flows to the vendor by its network, and says so', () => {
    const v = build(flows);
    expect(v.flows.map((f) => [f.flow_id, f.first_party, f.first_party_via, f.name_source, f.hidden])).toEqual([
      [1, true, 'network', 'network', undefined],
      [2, true, 'network', 'network', undefined],
      [3, false, undefined, 'tls_sni', undefined],
      [4, true, 'name', 'tls_sni', undefined],
      [5, false, undefined, undefined, 'no_name'],
    ]);
    expect(v.networks).toEqual({ asns: [394000], orgs: [], prefixes: ['203.0.113.0/24'] });
  });

  it('without networks the same unnamed flows are hidden, not first-party', () => {
    const v = build(flows, '');
    expect(v.flows.map((f) => [f.flow_id, f.first_party, f.hidden])).toEqual([[1, false, 'no_name'], [2, false, 'no_name'], [3, false, undefined], [4, true, undefined], [5, false, 'no_name']]);
    expect(v.networks).toBeUndefined();
  });

  it('a claim "stored on AWS" whose first-party bytes go to the vendor\'s own AS is refuted', () => {
    const c = build(flows).claims[0];
    expect(c.verdict).toBe('refuted');
    expect(c.reasons.map((r) => r.code)).toEqual(['inconsistent_upload', 'inconsistent_asn_not_provider', 'names_missing']);
    expect(c.evidence.find((e) => e.flow_id === 1)).toMatchObject({ status: 'inconsistent', provider_status: 'inconsistent', first_party_via: 'network' });
    expect(c.evidence.find((e) => e.flow_id === 2)).toMatchObject({ status: 'consistent' });
    // without networks: the unnamed bytes are hidden and the claim cannot be judged on them
    expect(build(flows, '').claims[0].totals.hidden.bytes_up).toBe(75_000);
  });
});

describe('attribution by vendor network: invariants', () => {
  const flowArb = fc.record({
    last: fc.integer({ min: 0, max: 3 }),
    asn: fc.constantFrom(undefined, 394000, 16509),
    named: fc.constantFrom('none', 'first', 'third'),
    edge: fc.boolean(),
    client: fc.constantFrom('10.0.0.2', '10.0.0.3'),
    bytes: fc.nat({ max: 100_000 }),
  });
  const toFlows = (xs: { last: number; asn?: number; named: string; edge: boolean; client: string; bytes: number }[]): StoredFlow[] =>
    xs.map((x, i) => {
      const name = x.named === 'first' ? 's.vendor.com' : x.named === 'third' ? 'ads.tracker.net' : undefined;
      return {
        ...buildFlow(i + 1, { bytes_up: x.bytes, server_ip: `203.0.113.${x.last}`, client_ip: x.client, hostname: name, sni: name, name_source: name ? 'tls_sni' : undefined }),
        country: 'NL', country_agreement: 'agree' as const, asn: x.asn, edge: x.edge, physical: 'plausible' as const,
      };
    });

  it('adding the vendor\'s networks never takes first-party away, never changes a named flow, and only ties unnamed flows', () => {
    fc.assert(
      fc.property(fc.array(flowArb, { maxLength: 12 }), fc.constantFrom(WITH_NETS, '    networks: { asns: [394000] }\n', '    networks: { prefixes: ["203.0.113.0/30"] }\n'), (xs, nets) => {
        const flows = toFlows(xs);
        const before = build(flows, '').flows;
        const after = build(flows, nets).flows;
        after.forEach((a, i) => {
          const b = before[i];
          if (b.first_party) expect([a.first_party, a.first_party_via]).toEqual([true, b.first_party_via]);
          if (b.hostname !== undefined) expect([a.first_party, a.first_party_via, a.name_source]).toEqual([b.first_party, b.first_party_via, b.name_source]);
          if (a.first_party_via === 'network') expect([b.first_party, a.hostname, a.name_source]).toEqual([false, undefined, 'network']);
        });
      }),
      { numRuns: 200 },
    );
  });
});
