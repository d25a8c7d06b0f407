// The verdict engine (pure): a claim plus the vendor's flows, already attributed (first-party, hidden,
// local) and enriched with geolocation, in; a verdict with its reasons, byte/flow totals and evidence out.
// No I/O, no clock: the same input always gives the same output. Thresholds live in src/limits.ts.
//
// Per flow and per claimed part:
//   country  - edge (anycast/CDN: TLS ends there, not storage) -> unknown; consensus country with agreement
//              `agree` or `single-source` -> consistent/inconsistent; disputed, unknown or physically
//              impossible consensus -> unknown. If the claimed country itself is physically impossible
//              for the flow's RTT from the vantage -> inconsistent and the claim is refuted.
//   provider - no provider known -> unknown; edge of another provider -> unknown (a CDN in front says nothing
//              about where data is stored); same provider -> consistent; otherwise inconsistent.
//   region   - edge or no region -> unknown; same region -> consistent; otherwise inconsistent.
// A flow is inconsistent if any part is, else unknown if any part is, else consistent.
// Decision, in order: refuted (claimed location impossible, or inconsistent upload share > tolerance);
// unobservable (hidden upload share >= VERDICT_HIDDEN_SHARE of in-scope + hidden); inconclusive (no or
// too little in-scope upload, or consistent coverage below VERDICT_CONFIRM_COVERAGE); else confirmed.

import {
  VERDICT_CONFIRM_COVERAGE,
  VERDICT_HIDDEN_SHARE,
  VERDICT_INCONSISTENT_TOLERANCE,
  VERDICT_MIN_UPLOAD_BYTES,
} from '../limits.js';
import type { CountryAgreement, Verdict } from '../types.js';
import type { Claim } from './claims.js';
import { providerSatisfies } from './provider-ids.js';
import type { ByteFlowCount, ClaimTotals, FlowStatus, HiddenReason, PartStatus, Reason } from './report-model.js';

/** What the engine needs to know about one flow. ReportFlow satisfies it. */
export interface VerdictFlow {
  bytes_up: number;
  bytes_down: number;
  first_party: boolean;
  hidden?: HiddenReason;
  /** Local/infrastructure traffic (private addresses, DNS, NTP ...): never in scope. */
  local?: boolean;
  hostname?: string;
  server_ip: string;
  country?: string;
  country_agreement?: CountryAgreement;
  geo_sources?: { source: string; country?: string; lat?: number; lon?: number; physical?: 'plausible' | 'impossible' }[];
  lat?: number;
  lon?: number;
  provider?: string;
  region?: string;
  edge: boolean;
  physical: 'plausible' | 'impossible' | 'unchecked';
  rtt_ms?: number;
}

export interface VerdictOptions {
  tolerance: number;
  coverage: number;
  minUploadBytes: number;
  hiddenShare: number;
  /** Is the claimed location (country or region) physically impossible for this flow's RTT from the vantage?
   *  Default: some source places the flow in the claimed country and every source that does is impossible.
   *  Never asked for edges: an edge's RTT measures the edge, not where the data goes behind it. */
  claimedLocationImpossible?: (flow: VerdictFlow, claim: Claim) => boolean;
}

export const DEFAULT_VERDICT_OPTIONS: VerdictOptions = {
  tolerance: VERDICT_INCONSISTENT_TOLERANCE,
  coverage: VERDICT_CONFIRM_COVERAGE,
  minUploadBytes: VERDICT_MIN_UPLOAD_BYTES,
  hiddenShare: VERDICT_HIDDEN_SHARE,
};

export interface FlowJudgement {
  /** Index into the input flows. */
  index: number;
  status: FlowStatus;
  country_status: PartStatus;
  provider_status: PartStatus;
  region_status: PartStatus;
  claimed_location_impossible: boolean;
  /** True for a hidden (not in-scope) flow listed because it may be first-party. */
  hidden: boolean;
}

export interface VerdictResult {
  verdict: Verdict;
  reasons: Reason[];
  totals: ClaimTotals;
  /** In-scope flows then hidden flows, sorted: inconsistent, unknown, consistent; bytes_up desc; index. */
  evidence: FlowJudgement[];
}

/** Every reason code the engine emits, in the order reasons are listed. */
export const REASON_CODES = [
  'claimed_location_impossible',
  'inconsistent_upload',
  'inconsistent_within_tolerance',
  'names_hidden_ech',
  'names_hidden_doh',
  'names_hidden_quic',
  'names_missing',
  'no_in_scope_traffic',
  'too_little_traffic',
  'unknown_edge',
  'unknown_disputed_sources',
  'unknown_no_geolocation',
  'unknown_physically_impossible_geo',
  'unknown_no_provider',
  'unknown_no_region',
  'coverage_below_threshold',
  'hidden_traffic_limits_coverage',
  'coverage_met',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export function defaultClaimedImpossible(flow: VerdictFlow, claim: Claim): boolean {
  if (claim.country === undefined || !flow.geo_sources) return false;
  let placed = 0;
  for (const s of flow.geo_sources) {
    if (s.country !== claim.country || s.physical === undefined) continue;
    placed++;
    if (s.physical !== 'impossible') return false;
  }
  return placed > 0;
}

type UnknownCause = 'edge' | 'disputed' | 'no_geo' | 'impossible_geo' | 'no_provider' | 'no_region';

function judgeCountry(f: VerdictFlow, want: string | undefined, causes: Set<UnknownCause>): PartStatus {
  if (want === undefined) return 'not_claimed';
  if (f.edge) return causes.add('edge'), 'unknown';
  if (f.country === undefined || f.country_agreement === 'unknown' || f.country_agreement === 'private') return causes.add('no_geo'), 'unknown';
  if (f.country_agreement === 'disputed') return causes.add('disputed'), 'unknown';
  if (f.physical === 'impossible') return causes.add('impossible_geo'), 'unknown';
  return f.country === want ? 'consistent' : 'inconsistent';
}

function judgeProvider(f: VerdictFlow, want: string | undefined, causes: Set<UnknownCause>): PartStatus {
  if (want === undefined) return 'not_claimed';
  if (f.provider === undefined) return causes.add('no_provider'), 'unknown';
  if (providerSatisfies(want, f.provider)) return 'consistent';
  if (f.edge) return causes.add('edge'), 'unknown';
  return 'inconsistent';
}

function judgeRegion(f: VerdictFlow, want: string | undefined, causes: Set<UnknownCause>): PartStatus {
  if (want === undefined) return 'not_claimed';
  if (f.edge) return causes.add('edge'), 'unknown';
  if (f.region === undefined) return causes.add('no_region'), 'unknown';
  return f.region.toLowerCase() === want ? 'consistent' : 'inconsistent';
}

function zero(): ByteFlowCount {
  return { flows: 0, bytes_up: 0, bytes_down: 0 };
}

function add(t: ByteFlowCount, f: VerdictFlow): void {
  t.flows++;
  t.bytes_up += f.bytes_up;
  t.bytes_down += f.bytes_down;
}

function pct(x: number): string {
  return `${(Math.round(x * 1000) / 10).toFixed(1)} %`;
}

const STATUS_RANK: Record<FlowStatus, number> = { inconsistent: 0, unknown: 1, consistent: 2 };

/** Decides one claim over the vendor's flows. Pure. */
export function decideClaim(claim: Claim, flows: readonly VerdictFlow[], options: Partial<VerdictOptions> = {}): VerdictResult {
  const o: VerdictOptions = { ...DEFAULT_VERDICT_OPTIONS, ...options };
  const impossibleCheck = o.claimedLocationImpossible ?? defaultClaimedImpossible;
  const totals: ClaimTotals = { in_scope: zero(), consistent: zero(), inconsistent: zero(), unknown: zero(), hidden: zero() };
  const evidence: FlowJudgement[] = [];
  const unknownBytes = new Map<UnknownCause, number>();
  const hiddenBytes = new Map<HiddenReason, number>();
  let impossibleFlows = 0;

  flows.forEach((f, index) => {
    if (f.local) return;
    const inScope = claim.scope === 'all' || f.first_party;
    if (!inScope) {
      if (f.hidden !== undefined) {
        add(totals.hidden, f);
        hiddenBytes.set(f.hidden, (hiddenBytes.get(f.hidden) ?? 0) + f.bytes_up);
        evidence.push({ index, status: 'unknown', country_status: 'unknown', provider_status: 'unknown', region_status: 'unknown', claimed_location_impossible: false, hidden: true });
      }
      return;
    }
    add(totals.in_scope, f);
    const causes = new Set<UnknownCause>();
    let country = judgeCountry(f, claim.country, causes);
    const provider = judgeProvider(f, claim.provider, causes);
    let region = judgeRegion(f, claim.region, causes);
    const impossible = !f.edge && (claim.country !== undefined || claim.region !== undefined) && impossibleCheck(f, claim);
    if (impossible) {
      if (claim.country !== undefined) country = 'inconsistent';
      if (claim.region !== undefined) region = 'inconsistent';
      impossibleFlows++;
    }
    const parts = [country, provider, region];
    const status: FlowStatus = parts.includes('inconsistent') ? 'inconsistent' : parts.includes('unknown') ? 'unknown' : 'consistent';
    add(totals[status], f);
    if (status === 'unknown') for (const c of causes) unknownBytes.set(c, (unknownBytes.get(c) ?? 0) + f.bytes_up);
    evidence.push({ index, status, country_status: country, provider_status: provider, region_status: region, claimed_location_impossible: impossible, hidden: false });
  });

  evidence.sort((a, b) => {
    if (a.hidden !== b.hidden) return a.hidden ? 1 : -1;
    const r = STATUS_RANK[a.status] - STATUS_RANK[b.status];
    if (r !== 0) return r;
    const d = flows[b.index].bytes_up - flows[a.index].bytes_up;
    return d !== 0 ? d : a.index - b.index;
  });

  const reasons: Reason[] = [];
  const U = totals.in_scope.bytes_up;
  const H = totals.hidden.bytes_up;
  const inc = totals.inconsistent.bytes_up;
  const con = totals.consistent.bytes_up;
  const incShare = U > 0 ? inc / U : 0;
  const scopeWord = claim.scope === 'all' ? 'all' : 'first-party';
  let refuted = false;

  if (impossibleFlows > 0) {
    refuted = true;
    reasons.push({ code: 'claimed_location_impossible', text: `${impossibleFlows} in-scope flow(s) answered too fast (RTT from the vantage) for the server to be in the claimed location (${[claim.country, claim.region].filter((x) => x !== undefined).join(', ')}).` });
  }
  if (inc > 0 && incShare > o.tolerance) {
    refuted = true;
    reasons.push({ code: 'inconsistent_upload', text: `${pct(incShare)} of ${scopeWord} upload bytes (${inc} of ${U}) went to destinations inconsistent with the claim, above the ${pct(o.tolerance)} tolerance.` });
  } else if (inc > 0) {
    reasons.push({ code: 'inconsistent_within_tolerance', text: `${pct(incShare)} of ${scopeWord} upload bytes (${inc} of ${U}) were inconsistent with the claim, within the ${pct(o.tolerance)} tolerance.` });
  }

  const hiddenShare = U + H > 0 ? H / (U + H) : 0;
  const hiddenText: Record<HiddenReason, [ReasonCode, string]> = {
    ech: ['names_hidden_ech', 'used Encrypted Client Hello, hiding the real server name'],
    doh: ['names_hidden_doh', 'went to encrypted DNS resolvers (DoH/DoT), hiding the names looked up'],
    no_name: ['names_missing', 'had no name at all (no SNI, Host or DNS answer), so first-party traffic cannot be told apart'],
    quic_undecryptable: ['names_hidden_quic', 'were QUIC whose Initial could not be decrypted (unknown version or failed decryption), hiding the server name'],
  };
  for (const h of ['ech', 'doh', 'quic_undecryptable', 'no_name'] as const) {
    const b = hiddenBytes.get(h);
    if (b === undefined) continue;
    const [code, what] = hiddenText[h];
    reasons.push({ code, text: `Flows carrying ${b} upload bytes ${what}.` });
  }
  const unobservable = !refuted && H > 0 && hiddenShare >= o.hiddenShare;

  if (U === 0) reasons.push({ code: 'no_in_scope_traffic', text: `No ${scopeWord} traffic was identified in the vendor's captures.` });
  else if (U < o.minUploadBytes) reasons.push({ code: 'too_little_traffic', text: `Only ${U} ${scopeWord} upload bytes were seen; at least ${o.minUploadBytes} are needed to confirm.` });

  const unknownText: Record<UnknownCause, [ReasonCode, string]> = {
    edge: ['unknown_edge', 'went to CDN or anycast edges, where TLS ends but data is not stored'],
    disputed: ['unknown_disputed_sources', 'went to addresses the geolocation sources place in different countries'],
    no_geo: ['unknown_no_geolocation', 'went to addresses no geolocation source could place'],
    impossible_geo: ['unknown_physically_impossible_geo', 'went to addresses whose geolocated position is physically impossible for the measured RTT'],
    no_provider: ['unknown_no_provider', 'went to addresses of no known provider'],
    no_region: ['unknown_no_region', 'went to addresses whose provider region is unknown'],
  };
  for (const c of ['edge', 'disputed', 'no_geo', 'impossible_geo', 'no_provider', 'no_region'] as const) {
    const b = unknownBytes.get(c);
    if (b === undefined) continue;
    const [code, what] = unknownText[c];
    reasons.push({ code, text: `Flows carrying ${b} in-scope upload bytes ${what}.` });
  }

  const coverage = U > 0 ? con / U : 0;
  const coverageWithHidden = U + H > 0 ? con / (U + H) : 0;
  let verdict: Verdict;
  if (refuted) verdict = 'refuted';
  else if (unobservable) verdict = 'unobservable';
  else if (U === 0 || U < o.minUploadBytes) verdict = 'inconclusive';
  else if (coverage < o.coverage) {
    verdict = 'inconclusive';
    reasons.push({ code: 'coverage_below_threshold', text: `Only ${pct(coverage)} of ${scopeWord} upload bytes are consistent with the claim; ${pct(o.coverage)} are needed to confirm.` });
  } else if (coverageWithHidden < o.coverage) {
    verdict = 'inconclusive';
    reasons.push({ code: 'hidden_traffic_limits_coverage', text: `${pct(coverage)} of identified upload bytes are consistent, but counting traffic with hidden names only ${pct(coverageWithHidden)} is; ${pct(o.coverage)} are needed.` });
  } else {
    verdict = 'confirmed';
    reasons.push({ code: 'coverage_met', text: `${pct(coverage)} of ${scopeWord} upload bytes (${con} of ${U}) are consistent with the claim, at or above the ${pct(o.coverage)} threshold, and nothing refutes it.` });
  }

  const order = new Map<string, number>(REASON_CODES.map((c, i) => [c, i]));
  reasons.sort((a, b) => (order.get(a.code) ?? 99) - (order.get(b.code) ?? 99));
  return { verdict, reasons, totals, evidence };
}
