// A small residency.report/2 document built in code, for the regress diff tests.

import { CoverageTally } from '../../src/audit/coverage.js';
import type { ReportModel } from '../../src/audit/report-model.js';

export function sampleReport(): ReportModel {
  const flow = {
    capture: 'vendor-alder/alder.pcap',
    capture_sha256: 'a'.repeat(64),
    flow_id: 1,
    device: '10.0.0.2',
    transport: 'tcp' as const,
    client_ip: '10.0.0.2',
    client_port: 40000,
    server_ip: '47.96.1.1',
    server_port: 443,
    hostname: 'upload.alder-sync.com',
    first_frame: 5,
    first_seen: 1_700_000_000,
    last_seen: 1_700_000_010,
    packets_up: 80,
    packets_down: 40,
    bytes_up: 200_000,
    bytes_down: 5_000,
    first_party: true,
    country: 'CN',
    geo_sources: [{ source: 'dbip-city', country: 'CN' }],
    provider: 'alibaba',
    edge: false,
    rtt_ms: 70,
    physical: 'plausible' as const,
  };
  return {
    schema: 'residency.report/2',
    generated_at: '2026-01-01T00:00:00Z',
    tool: { name: 'residency', version: '0.1.0', options: { thresholds: {}, formats: ['json'] } },
    claims_file: { path: 'captures/claims.yaml', sha256: 'c'.repeat(64) },
    inputs: [
      { path: 'vendor-alder/alder.pcap', status: 'ok', sha256: 'a'.repeat(64), size_bytes: 300_000, packets: 120, link_types: [1], truncated: false },
    ],
    problems: [],
    geo_sources: [
      { source: 'dbip-city', kind: 'mmdb', file: 'x.mmdb', sha256: 'd'.repeat(64), version: '2026-06-05' },
    ],
    vendors: [
      {
        name: 'Vendor Alder',
        first_party: ['alder-sync.com'],
        captures: ['vendor-alder/alder.pcap'],
        claims: [
          {
            id: 'alder-sg-aws',
            text: 'User data is stored on AWS in Singapore',
            scope: 'first-party',
            country: 'SG',
            provider: 'aws',
            verdict: 'refuted',
            reasons: [{ code: 'inconsistent_upload', text: '40 % of upload bytes went to CN' }],
            totals: {
              in_scope: { flows: 2, bytes_up: 500_000, bytes_down: 10_000 },
              consistent: { flows: 1, bytes_up: 300_000, bytes_down: 5_000 },
              inconsistent: { flows: 1, bytes_up: 200_000, bytes_down: 5_000 },
              unknown: { flows: 0, bytes_up: 0, bytes_down: 0 },
              hidden: { flows: 0, bytes_up: 0, bytes_down: 0 },
            },
            evidence: [
              {
                ...flow,
                status: 'inconsistent',
                country_status: 'inconsistent',
                provider_status: 'inconsistent',
                region_status: 'not_claimed',
                claimed_location_impossible: false,
              },
            ],
            evidence_omitted: 1,
            coverage: cov('claim_in_scope_and_hidden_upload'),
            evidence_complete: true,
          },
        ],
        destinations: [
          {
            server_ip: '47.96.1.1',
            hostname: 'upload.alder-sync.com',
            flows: 1,
            bytes_up: 200_000,
            bytes_down: 5_000,
            first_party: true,
            country: 'CN',
            geo_sources: [{ source: 'dbip-city', country: 'CN' }],
            provider: 'alibaba',
            edge: false,
            physical: 'plausible',
            consistency: 'inconsistent',
            claims: [{ id: 'alder-sg-aws', status: 'inconsistent' }],
          },
        ],
        devices: [{ label: '10.0.0.2', client_ip: '10.0.0.2', flows: 2, bytes_up: 500_000, bytes_down: 10_000, apps: [] }],
        destinations_omitted: 0,
        devices_omitted: 0,
        bytes_by_country: [{ key: 'CN', bytes_up: 200_000, flows: 1 }],
        bytes_by_provider: [{ key: 'alibaba', bytes_up: 200_000, flows: 1 }],
        totals: { flows: 2, bytes_up: 500_000, bytes_down: 10_000 },
        coverage: cov('vendor_non_local_upload'),
      },
    ],
    summary: { confirmed: 0, refuted: 1, inconclusive: 0, unobservable: 0, exit_code: 3 },
  };
}

/** 300 kB named by TLS SNI, 200 kB by DNS (the fixture's two flows). */
function cov(scope: 'vendor_non_local_upload' | 'claim_in_scope_and_hidden_upload') {
  const t = new CoverageTally();
  t.add('tls_sni', 300_000);
  t.add('dns', 200_000);
  return t.result(scope);
}
