// The audit over store aggregates (audit/aggregate.ts: SQL groups judged once each) equals the flow-by-flow
// audit (model-builder.ts buildReportModel) on generated cases: random flows (names, first-party or not, hidden,
// local, geolocation with agreement/dispute/edge/private, providers, ASNs), random claims and first-party lists,
// and on several captures. Verdicts, reasons, totals, coverage, per-country/provider bytes, destinations, devices
// and the evidence's statuses must be the same.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReportFromStore, type AggregateCapture } from '../../src/audit/aggregate.js';
import { parseClaims } from '../../src/audit/claims.js';
import { buildReportModel, type ModelCapture } from '../../src/audit/model-builder.js';
import { vantageRule } from '../../src/pipeline/back-half.js';
import { openStore } from '../../src/store/db.js';
import { ingestCapture } from '../../src/store/ingest.js';
import { captureBySha } from '../../src/store/records.js';
import type { FlowGeoFields, FlowRecord } from '../../src/types.js';
import { buildFlow, fakeAnalyze } from '../store/fake-capture.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agg-eq-'));

const GEOS: FlowGeoFields[] = [
  { country_agreement: 'agree', edge: false, geo_sources: [{ source: 'dbip-city', country: 'SG' }, { source: 'geolite2-city', country: 'SG' }], country: 'SG', lat: 1.3, lon: 103.8, asn: 16509, as_org: 'AMAZON-02', provider: 'AWS', region: 'ap-southeast-1' },
  { country_agreement: 'agree', edge: false, geo_sources: [{ source: 'dbip-city', country: 'US' }], country: 'US', lat: 39, lon: -77, asn: 15169, as_org: 'GOOGLE', provider: 'Google' },
  { country_agreement: 'disputed', edge: false, geo_sources: [{ source: 'dbip-city', country: 'DE' }, { source: 'geolite2-city', country: 'NL' }], country: 'DE', asn: 64512 },
  { country_agreement: 'single-source', edge: true, geo_sources: [{ source: 'dbip-city', country: 'SG' }], country: 'SG', asn: 13335, as_org: 'CLOUDFLARENET', provider: 'Cloudflare' },
  { country_agreement: 'private', edge: false },
  { country_agreement: 'unknown', edge: false, geo_sources: [] },
];

const flowArb = fc.record({
  server: fc.integer({ min: 0, max: 9 }),
  client: fc.integer({ min: 0, max: 2 }),
  port: fc.constantFrom(443, 443, 443, 53, 853, 8443),
  transport: fc.constantFrom('tcp' as const, 'udp' as const),
  name: fc.constantFrom(undefined, 'api.vendor.com', 'cdn.vendor.com', 'ads.tracker.net', 'dns.google', '1.2.3.4', 'other.example'),
  ech: fc.constantFrom(undefined, undefined, true),
  up: fc.integer({ min: 0, max: 200_000 }),
  down: fc.integer({ min: 0, max: 50_000 }),
  app: fc.constantFrom(undefined, 'com.vendor.app'),
  cap: fc.integer({ min: 0, max: 1 }),
});

const claimArb = fc.record({
  scope: fc.constantFrom('first-party', 'all'),
  country: fc.constantFrom(undefined, 'SG', 'US', 'EU'),
  provider: fc.constantFrom(undefined, 'aws', 'google'),
}).filter((c) => c.country !== undefined || c.provider !== undefined);

type FlowX = typeof flowArb extends fc.Arbitrary<infer T> ? T : never;
type ClaimX = typeof claimArb extends fc.Arbitrary<infer T> ? T : never;

function flowOf(x: FlowX, i: number): FlowRecord {
  const f = buildFlow(i + 1, {
    server_ip: `203.0.113.${x.server}`, client_ip: `10.0.0.${x.client + 2}`, server_port: x.port, transport: x.transport,
    bytes_up: x.up, bytes_down: x.down, sni: x.name, hostname: x.name, name_source: x.name !== undefined ? 'tls_sni' : undefined,
    ech: x.ech, app: x.app,
  });
  return f;
}

const geoOf = (f: FlowRecord): FlowGeoFields => GEOS[Number(f.server_ip.split('.')[3]) % GEOS.length];

let n = 0;
async function both(xs: FlowX[], claims: ClaimX[], firstParty: string[]) {
  const yaml =
    `vendors:\n  - name: V\n    captures: [a.pcap, b.pcap]\n    first_party: [${firstParty.join(', ')}]\n    claims:\n` +
    claims.map((c, i) => `      - { id: c${i}, text: t, scope: ${c.scope}${c.country ? `, country: ${c.country}` : ''}${c.provider ? `, provider: ${c.provider}` : ''} }\n`).join('');
  const parsed = parseClaims(yaml, 'claims.yaml', '/c/claims.yaml');
  const flows = xs.map(flowOf);
  const perCap = [flows.filter((_, i) => xs[i].cap === 0), flows.filter((_, i) => xs[i].cap === 1)];
  const store = openStore(':memory:');
  const rule = vantageRule(undefined);
  const aggCaps: AggregateCapture[] = [];
  const refCaps: ModelCapture[] = [];
  for (const [k, list] of perCap.entries()) {
    const file = path.join(dir, `c${n++}.pcap`);
    writeFileSync(file, `capture ${n}`);
    const r = await ingestCapture(store, file, {
      analyze: fakeAnalyze(list.length, { flows: (i) => list[i] }),
      geo: { locate: geoOf, rangeProvider: () => undefined, provenance: () => [] },
    });
    const stored = (await captureBySha(store, r.sha256))!;
    const label = k === 0 ? 'a.pcap' : 'b.pcap';
    aggCaps.push({ label, stored, vendors: ['V'] });
    refCaps.push({ label, stored, vendors: ['V'], synthesized: false, flows: list.map((f) => ({ ...f, ...rule(geoOf(f), undefined, false) })) });
  }
  const common = { claims: parsed, claimsLabel: 'claims.yaml', provenance: [], toolVersion: '1', formats: ['json'], generatedAt: 'T' };
  const agg = await store.session((q) => buildReportFromStore(q, { ...common, captures: aggCaps, applyVantage: rule }));
  const aggFlows: unknown[] = [];
  for await (const f of agg.flows(0)) aggFlows.push(f);
  const ref = buildReportModel({ ...common, captures: refCaps });
  await store.close();
  return { agg: agg.model, aggFlows, ref: ref.model, refFlows: ref.flows[0] };
}

describe('audit over store aggregates = flow-by-flow audit', () => {
  it('on generated flows, claims and first-party lists', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(flowArb, { maxLength: 40 }),
        fc.array(claimArb, { minLength: 1, maxLength: 3 }),
        fc.subarray(['vendor.com', 'tracker.net', 'other.example']),
        async (xs, claims, fp) => {
          const { agg, aggFlows, ref, refFlows } = await both(xs, claims, fp);
          const a = agg.vendors[0];
          const r = ref.vendors[0];
          expect(a.claims.map((c) => [c.verdict, c.reasons, c.totals, c.coverage, c.evidence_omitted])).toEqual(
            r.claims.map((c) => [c.verdict, c.reasons, c.totals, c.coverage, c.evidence_omitted]),
          );
          expect(a.claims.map((c) => c.evidence.map((e) => [e.capture, e.flow_id, e.status, e.country_status, e.provider_status]))).toEqual(
            r.claims.map((c) => c.evidence.map((e) => [e.capture, e.flow_id, e.status, e.country_status, e.provider_status])),
          );
          expect([a.totals, a.coverage, a.bytes_by_country, a.bytes_by_provider, a.destinations, a.devices]).toEqual([
            r.totals, r.coverage, r.bytes_by_country, r.bytes_by_provider, r.destinations, r.devices,
          ]);
          expect(aggFlows).toEqual(refFlows);
          expect(agg.summary).toEqual(ref.summary);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
