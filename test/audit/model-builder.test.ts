import { describe, expect, it } from 'vitest';
import { parseClaims } from '../../src/audit/claims.js';
import { buildReportModel, type ModelCapture } from '../../src/audit/model-builder.js';
import { EXIT } from '../../src/errors.js';
import { MAX_EVIDENCE_FLOWS_PER_CLAIM } from '../../src/limits.js';
import type { StoredFlow } from '../../src/store/records.js';
import { buildFlow } from '../store/fake-capture.js';

const CLAIMS = `
vendors:
  - name: V
    captures: [v.pcap]
    first_party: [vendor.com]
    devices: { phone: 10.0.0.2 }
    claims:
      - { id: v-sg, text: "Stored in Singapore", country: SG }
      - { id: v-all-aws, text: "Everything goes to AWS", scope: all, provider: aws }
`;

const sg = { country: 'SG', country_agreement: 'agree' as const, provider: 'AWS', region: 'ap-southeast-1', edge: false, physical: 'plausible' as const, lat: 1.3, lon: 103.8 };

function capture(flows: StoredFlow[], label = 'v.pcap', sha = 'a'.repeat(64)): ModelCapture {
  return {
    label, vendors: ['V'], synthesized: false, flows,
    stored: { id: 1, sha256: sha, path: label, size_bytes: 10, packets: 5, link_types: [1], truncated: false },
  };
}

function build(flows: StoredFlow[]) {
  const b = buildReportModel({
    claims: parseClaims(CLAIMS, 'claims.yaml', '/c/claims.yaml'), claimsLabel: 'claims.yaml', captures: [capture(flows)], provenance: [],
    toolVersion: '9.9.9', formats: ['json'], generatedAt: '2026-01-01T00:00:00.000Z',
  });
  return { ...b.model, vendors: b.model.vendors.map((v, i) => ({ ...v, flows: b.flows[i] })) };
}

describe('buildReportModel', () => {
  const flows: StoredFlow[] = [
    { ...buildFlow(1, { bytes_up: 50_000 }), ...sg },
    { ...buildFlow(2, { bytes_up: 30_000, server_ip: '13.250.0.1', hostname: 's1.vendor.com', sni: 's1.vendor.com' }), ...sg },
    { ...buildFlow(3, { bytes_up: 40_000, hostname: 'ads.tracker.net', sni: 'ads.tracker.net', client_mac: '02:00:00:00:00:09', client_ip: '10.0.0.9', app: 'com.example.app' }), ...sg, country: 'US', provider: 'Google', region: undefined },
    { ...buildFlow(4, { bytes_up: 100, server_port: 53, hostname: undefined, sni: undefined }), country_agreement: 'private' as const, edge: false },
    { ...buildFlow(5, { bytes_up: 7000, hostname: undefined, sni: undefined }), ...sg, country: 'DE', provider: undefined },
  ];
  const model = build(flows);
  const v = model.vendors[0];

  it('decides both claims and sets the exit code', () => {
    expect(v.claims.map((c) => [c.id, c.verdict])).toEqual([['v-sg', 'confirmed'], ['v-all-aws', 'refuted']]);
    expect(model.summary).toEqual({ confirmed: 1, refuted: 1, inconclusive: 0, unobservable: 0, exit_code: EXIT.REFUTED });
  });

  it('normalises observed providers to ids and marks first-party and hidden flows', () => {
    expect(v.flows.map((f) => [f.flow_id, f.provider, f.first_party, f.hidden])).toEqual([
      [1, 'aws', true, undefined], [2, 'aws', true, undefined], [3, 'google', false, undefined], [4, undefined, false, undefined], [5, undefined, false, 'no_name'],
    ]);
  });

  it('aggregates destinations (local excluded) sorted by upload, with per-claim consistency', () => {
    expect(v.destinations.map((d) => [d.server_ip, d.hostname, d.bytes_up, d.consistency])).toEqual([
      ['13.250.0.1', 's1.vendor.com', 80_000, 'consistent'],
      ['13.250.0.3', 'ads.tracker.net', 40_000, 'inconsistent'],
      ['13.250.0.5', undefined, 7000, 'unknown'],
    ]);
    const first = v.destinations.find((d) => d.hostname === 's1.vendor.com')!;
    expect(first.claims).toEqual([{ id: 'v-all-aws', status: 'consistent' }, { id: 'v-sg', status: 'consistent' }]);
    for (let i = 1; i < v.destinations.length; i++) expect(v.destinations[i - 1].bytes_up).toBeGreaterThanOrEqual(v.destinations[i].bytes_up);
    expect(v.destinations.some((d) => d.server_ip === '13.250.0.4')).toBe(false);
  });

  it('sums bytes per country and provider, and per device with apps', () => {
    expect(v.bytes_by_country).toEqual([{ key: 'SG', bytes_up: 80_000, flows: 2 }, { key: 'US', bytes_up: 40_000, flows: 1 }, { key: 'DE', bytes_up: 7000, flows: 1 }]);
    expect(v.bytes_by_provider.map((p) => p.key)).toEqual(['aws', 'google', 'unknown']);
    expect(v.devices.map((d) => [d.label, d.flows, d.apps])).toEqual([['10.0.0.9 (02:00:00:00:00:09)', 1, ['com.example.app']], ['phone', 4, []]]);
    expect(v.totals.flows).toBe(5);
  });

  it('records schema, tool, thresholds and claim parts', () => {
    expect(model.schema).toBe('residency.report/2');
    expect(model.tool.version).toBe('9.9.9');
    expect(Object.keys(model.tool.options.thresholds)).toEqual([...Object.keys(model.tool.options.thresholds)].sort());
    expect(v.claims[0]).toMatchObject({ country: 'SG', scope: 'first-party' });
    expect(v.claims[1]).toMatchObject({ provider: 'aws', scope: 'all' });
  });

  it('counts an unnamed flow as first-party when the same client reached the same address under a first-party name', () => {
    const m = build([
      { ...buildFlow(1, { bytes_up: 50_000 }), ...sg },
      { ...buildFlow(2, { bytes_up: 9000, server_ip: '13.250.0.1', hostname: undefined, sni: undefined }), ...sg },
      { ...buildFlow(3, { bytes_up: 9000, server_ip: '13.250.0.1', client_ip: '10.0.0.7', hostname: undefined, sni: undefined }), ...sg },
    ]).vendors[0];
    expect(m.flows.map((f) => [f.flow_id, f.first_party, f.first_party_via, f.hidden])).toEqual([
      [1, true, 'name', undefined], [2, true, 'address', undefined], [3, false, undefined, 'no_name'],
    ]);
    expect(m.claims[0].totals.in_scope.bytes_up).toBe(59_000);
  });

  it('carries a settled country (country_settled_by) to the flows, the destinations and the reasons', () => {
    const m = build([
      { ...buildFlow(1, { bytes_up: 50_000 }), ...sg, country_settled_by: 'rtt' as const },
      { ...buildFlow(2, { bytes_up: 20_000 }), ...sg },
    ]).vendors[0];
    expect(m.flows.map((f) => f.country_settled_by)).toEqual(['rtt', undefined]);
    expect(m.destinations.find((d) => d.server_ip === '13.250.0.1')?.country_settled_by).toBe('rtt');
    expect(m.claims[0].reasons.map((r) => r.code)).toEqual(['country_settled_by_rtt', 'coverage_met']);
    expect(m.claims[0].country).toBe('SG');
    expect(m.claims[0].countries).toBeUndefined();
  });

  it('shows a claimed group as written and the countries it stands for', () => {
    const claims = parseClaims(CLAIMS.replace('country: SG }', 'country: [ASEAN, IN] }'), 'claims.yaml', '/c/claims.yaml');
    const m = buildReportModel({ claims, claimsLabel: 'c', captures: [capture([{ ...buildFlow(1, { bytes_up: 50_000 }), ...sg }])], provenance: [], toolVersion: '1', formats: [], generatedAt: 'x' }).model.vendors[0];
    expect(m.claims[0]).toMatchObject({ country: 'ASEAN, IN', countries: ['BN', 'ID', 'IN', 'KH', 'LA', 'MM', 'MY', 'PH', 'SG', 'TH', 'TL', 'VN'], verdict: 'confirmed' });
  });

  it('splits upload by naming source: the vendor over its non-local upload, each claim over in-scope + hidden', () => {
    const all = (c: { sources: Record<string, { bytes_up: number; share: number }> }) =>
      Object.fromEntries(Object.entries(c.sources).filter(([, b]) => b.bytes_up > 0).map(([k, b]) => [k, [b.bytes_up, b.share]]));
    expect(v.coverage).toMatchObject({ scope: 'vendor_non_local_upload', bytes_up: 127_000, flows: 4 });
    expect(all(v.coverage)).toEqual({ tls_sni: [120_000, 94.5], unnamed: [7000, 5.5] });
    const [sgClaim, allClaim] = v.claims;
    expect(sgClaim.coverage).toMatchObject({ scope: 'claim_in_scope_and_hidden_upload', bytes_up: sgClaim.totals.in_scope.bytes_up + sgClaim.totals.hidden.bytes_up });
    expect(all(sgClaim.coverage)).toEqual({ tls_sni: [80_000, 92], unnamed: [7000, 8] });
    expect(allClaim.coverage.bytes_up).toBe(127_000);
    for (const c of [v.coverage, sgClaim.coverage, allClaim.coverage]) {
      expect(Object.values(c.sources).reduce((s, b) => s + Math.round(b.share * 10), 0)).toBe(1000);
      expect(Object.values(c.sources).reduce((s, b) => s + b.bytes_up, 0)).toBe(c.bytes_up);
    }
  });

  it('counts unnamed QUIC that could not be decrypted as hidden (its own reason), and address-tied flows as address', () => {
    const m = build([
      { ...buildFlow(1, { bytes_up: 50_000 }), ...sg },
      { ...buildFlow(2, { bytes_up: 9000, server_ip: '13.250.0.1', hostname: undefined, sni: undefined, name_source: undefined }), ...sg },
      { ...buildFlow(3, { bytes_up: 60_000, transport: 'udp', server_ip: '13.250.0.9', hostname: undefined, sni: undefined, name_source: undefined, anomalies: ['quic_version_unknown'] }), ...sg },
    ]).vendors[0];
    expect(m.flows.map((f) => [f.flow_id, f.first_party_via, f.hidden])).toEqual([[1, 'name', undefined], [2, 'address', undefined], [3, undefined, 'quic_undecryptable']]);
    const c = m.claims[0];
    expect(c.verdict).toBe('unobservable');
    expect(c.reasons.map((r) => r.code)).toContain('names_hidden_quic');
    expect(c.coverage.sources.tls_sni.bytes_up).toBe(50_000);
    expect(c.coverage.sources.address.bytes_up).toBe(9000);
    expect(c.coverage.sources.quic_undecryptable).toEqual({ bytes_up: 60_000, flows: 1, share: 50.4 });
  });

  it('caps evidence per claim and counts what it left out', () => {
    const many: StoredFlow[] = [];
    for (let i = 0; i < MAX_EVIDENCE_FLOWS_PER_CLAIM + 7; i++) many.push({ ...buildFlow(i, { bytes_up: 1000 }), ...sg });
    const c = build(many).vendors[0].claims[0];
    expect(c.evidence).toHaveLength(MAX_EVIDENCE_FLOWS_PER_CLAIM);
    expect(c.evidence_omitted).toBe(7);
    expect(c.totals.in_scope.flows).toBe(MAX_EVIDENCE_FLOWS_PER_CLAIM + 7);
  });

  it('is the same whatever order captures come in', () => {
    const a = capture([{ ...buildFlow(1), ...sg }], 'a.pcap', 'a'.repeat(64));
    const b = capture([{ ...buildFlow(1), ...sg, country: 'US' }], 'b.pcap', 'b'.repeat(64));
    const claims = parseClaims(CLAIMS, 'claims.yaml', '/c/claims.yaml');
    const mk = (caps: ModelCapture[]) => JSON.stringify(buildReportModel({ claims, claimsLabel: 'c', captures: caps, provenance: [], toolVersion: '1', formats: [], generatedAt: 'x' }).model);
    expect(mk([b, a])).toBe(mk([a, b]));
  });
});
