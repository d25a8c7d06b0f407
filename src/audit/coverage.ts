// Coverage as evidence: which share of upload bytes (`bytes_up`) each naming source accounts for, so an auditor
// sees how much of a verdict rests on strong names (TLS/QUIC SNI, HTTP Host), weaker ties (DNS answers, the
// vendor's network, the same address as a named flow), and how much is hidden (ECH, encrypted DNS, QUIC that could
// not be decrypted) or has no name at all. Pure and small: one classification per flow and a tally, so the same
// code can later run over per-class aggregates from the store instead of an array of flows.

import type { CoverageBucket, CoverageScope, CoverageSource, FlowCoverage } from './report-model.js';
import { isEncryptedDns } from './first-party.js';
import type { FlowAnomaly } from '../anomalies.js';

/** Every coverage source, in the order reports show them: named (strongest first), tied, hidden, unnamed. */
export const COVERAGE_SOURCES = [
  'tls_sni',
  'quic_sni',
  'http_host',
  'dns',
  'dns_https_hint',
  'network',
  'address',
  'ech',
  'doh',
  'quic_undecryptable',
  'unnamed',
] as const satisfies readonly CoverageSource[];

/** What each source means, for the reports' legends. */
export const COVERAGE_LABEL: Record<CoverageSource, string> = {
  tls_sni: 'TLS SNI',
  quic_sni: 'QUIC SNI',
  http_host: 'HTTP Host',
  dns: 'DNS answer',
  dns_https_hint: 'DNS HTTPS hint',
  network: "vendor's network",
  address: 'same address as a named flow',
  ech: 'hidden: ECH',
  doh: 'hidden: DoH/DoT',
  quic_undecryptable: 'hidden: undecryptable QUIC',
  unnamed: 'no name',
};

/** Which group a source belongs to: named by the flow itself, tied to the vendor without a name, hidden, none. */
export const COVERAGE_KIND: Record<CoverageSource, 'named' | 'tied' | 'hidden' | 'unnamed'> = {
  tls_sni: 'named',
  quic_sni: 'named',
  http_host: 'named',
  dns: 'named',
  dns_https_hint: 'named',
  network: 'tied',
  address: 'tied',
  ech: 'hidden',
  doh: 'hidden',
  quic_undecryptable: 'hidden',
  unnamed: 'unnamed',
};

/**
 * Flow anomalies that mean a QUIC flow's Initial could not be read, so its server name is hidden rather than
 * absent: a version we have no keys for (`quic_version_unknown`; `quic_unknown_version` is its older spelling),
 * an Initial that failed to decrypt, or Google QUIC without TLS.
 */
export const QUIC_UNDECRYPTABLE_ANOMALIES: ReadonlySet<string> = new Set<FlowAnomaly | 'quic_unknown_version'>([
  'quic_version_unknown',
  'quic_unknown_version',
  'quic_initial_decrypt_failed',
  'quic_gquic_ignored',
]);

/** What the classification needs to know about a flow (StoredFlow plus the report's first-party decision). */
export interface CoverageFlow {
  bytes_up: number;
  transport: 'tcp' | 'udp';
  server_ip: string;
  server_port: number;
  hostname?: string;
  sni?: string;
  quic?: string;
  name_source?: string;
  first_party_via?: 'name' | 'address' | 'network';
  ech?: boolean;
  anomalies?: readonly string[];
}

/** A QUIC flow without a name whose Initial could not be decrypted (see QUIC_UNDECRYPTABLE_ANOMALIES). */
export function isUndecryptableQuic(f: Pick<CoverageFlow, 'transport' | 'quic' | 'name_source' | 'anomalies'>): boolean {
  if (f.transport !== 'udp' || f.quic !== undefined || f.name_source !== undefined || f.anomalies === undefined) return false;
  for (const a of f.anomalies) if (QUIC_UNDECRYPTABLE_ANOMALIES.has(a)) return true;
  return false;
}

/**
 * The one source a flow's upload is counted under. Hidden kinds come first: an encrypted-DNS flow is named (its
 * resolver) but hides the names of other flows, and an ECH flow's SNI is the public cover name, not the server's.
 * Then the flow's own name source; then a tie to the vendor without a name (network, address); then QUIC that
 * could not be decrypted; else unnamed.
 */
export function coverageSource(f: CoverageFlow): CoverageSource {
  if (isEncryptedDns(f)) return 'doh';
  if (f.ech === true) return 'ech';
  switch (f.name_source) {
    case 'tls_sni':
    case 'quic_sni':
    case 'http_host':
    case 'dns':
    case 'dns_https_hint':
      if (f.hostname !== undefined) return f.name_source; // a source that named nothing names nothing
      break;
    case 'network':
      return 'network';
    default:
      break;
  }
  if (f.first_party_via === 'network') return 'network';
  if (f.first_party_via === 'address') return 'address';
  if (isUndecryptableQuic(f)) return 'quic_undecryptable';
  return 'unnamed';
}

/** Upload bytes and flows per source over one scope; add() per flow (or per aggregate row), then result(). */
export class CoverageTally {
  private readonly bytes = new Map<CoverageSource, number>();
  private readonly flows = new Map<CoverageSource, number>();

  add(source: CoverageSource, bytesUp: number, flows = 1): void {
    this.bytes.set(source, (this.bytes.get(source) ?? 0) + bytesUp);
    this.flows.set(source, (this.flows.get(source) ?? 0) + flows);
  }

  /** Every source present (zero when none), shares in percent that add up to exactly 100.0 (0 on an empty scope). */
  result(scope: CoverageScope): FlowCoverage {
    let total = 0;
    let flows = 0;
    for (const s of COVERAGE_SOURCES) {
      total += this.bytes.get(s) ?? 0;
      flows += this.flows.get(s) ?? 0;
    }
    const tenths = sharesInTenths(COVERAGE_SOURCES.map((s) => this.bytes.get(s) ?? 0), total);
    const sources = {} as Record<CoverageSource, CoverageBucket>;
    COVERAGE_SOURCES.forEach((s, i) => {
      sources[s] = { bytes_up: this.bytes.get(s) ?? 0, flows: this.flows.get(s) ?? 0, share: tenths[i] / 10 };
    });
    return { scope, bytes_up: total, flows, sources };
  }
}

/**
 * Shares of `total` in tenths of a percent that sum to exactly 1000 (largest remainder, ties to the earlier
 * source): rounding each share on its own can give 99.9 or 100.1. All zero when `total` is zero.
 */
export function sharesInTenths(parts: readonly number[], total: number): number[] {
  if (!(total > 0)) return parts.map(() => 0);
  const exact = parts.map((p) => (p * 1000) / total);
  const out = exact.map(Math.floor);
  let left = 1000 - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ r: x - Math.floor(x), i })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0 && k < order.length; k++, left--) out[order[k].i]++;
  return out;
}

/** Tallies flows (each counted under coverageSource) into one scope's coverage. */
export function coverageOf(flows: Iterable<CoverageFlow>, scope: CoverageScope): FlowCoverage {
  const t = new CoverageTally();
  for (const f of flows) t.add(coverageSource(f), f.bytes_up);
  return t.result(scope);
}
