// The verdict engine (pure): a claim plus the vendor's flows, already attributed (first-party, hidden,
// local) and enriched with geolocation, in; a verdict with its reasons, byte/flow totals and evidence out.
// No I/O, no clock: the same input always gives the same output. Thresholds live in src/limits.ts.
//
// Per flow and per claimed part:
//   country  - edge (anycast/CDN: TLS ends there, not storage) -> unknown; consensus country with agreement
//              `agree` or `single-source` (also when the RTT settled a dispute: country_settled_by) -> consistent
//              when it is one of the claimed countries (a list or a group), else inconsistent; disputed, unknown
//              or physically impossible consensus -> unknown. If the claimed location is physically impossible
//              (the audit's rule per destination, vantage-check.ts, in `place_refutations`; else the
//              `claimedLocationImpossible` callback) -> inconsistent and the claim is refuted, naming the measurements.
//   provider - the claimed provider (by origin AS, published range or DNS name) -> consistent, unless only a name
//              says so and the origin AS is another network's (sources disagree) -> unknown; edge of another
//              provider -> unknown (a CDN in front says nothing about where data is stored); another provider ->
//              inconsistent; no provider known but a routable origin AS that is not the claimed provider's and
//              an address outside its published ranges -> inconsistent; no usable origin AS -> unknown.
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
import { DEFAULT_PROVIDER_ORIGIN, isRoutableAsn, type ProviderOrigin } from './provider-origin.js';
import type { AnycastEvidence, ByteFlowCount, ClaimTotals, FlowStatus, HiddenReason, MeasurementRef, PartStatus, Reason } from './report-model.js';
import { REPORT_MAX_MEASUREMENTS_CITED } from '../limits.js';
import type { PlaceRefutation } from './vantage-check.js';

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
  /** `rtt` when the geo stage decided a disputed country by setting aside physically impossible sources. */
  country_settled_by?: 'rtt';
  geo_sources?: { source: string; country?: string; lat?: number; lon?: number; physical?: 'plausible' | 'impossible' }[];
  lat?: number;
  lon?: number;
  provider?: string;
  region?: string;
  /** Origin AS of the server address and its organisation (geo stage). */
  asn?: number;
  as_org?: string;
  edge: boolean;
  physical: 'plausible' | 'impossible' | 'unchecked';
  rtt_ms?: number;
  /** Set by the audit's physical rule per destination (vantage-check.ts): per claim id, why the claimed location is
   *  physically impossible for this flow's server. When set (even empty) it decides, and
   *  `claimedLocationImpossible` is not asked. */
  place_refutations?: Readonly<Record<string, PlaceRefutation>>;
  /** The measurements show the server's address answering from several places (then `edge` is true). */
  anycast?: AnycastEvidence;
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
  /** Who owns an address (origin AS -> provider, published ranges). Default: geo/providers.json, no range files. */
  providerOrigin?: ProviderOrigin;
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
  'inconsistent_asn_not_provider',
  'names_hidden_ech',
  'names_hidden_doh',
  'names_hidden_quic',
  'names_missing',
  'no_in_scope_traffic',
  'too_little_traffic',
  'unknown_edge',
  'unknown_anycast',
  'unknown_disputed_sources',
  'unknown_no_geolocation',
  'unknown_physically_impossible_geo',
  'unknown_no_provider',
  'unknown_provider_disputed',
  'unknown_no_region',
  'country_settled_by_rtt',
  'physical_check_unavailable',
  'coverage_below_threshold',
  'hidden_traffic_limits_coverage',
  'coverage_met',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** The ISO codes a claim accepts (`countries`, else its single `country`), or undefined when it claims none. */
export function claimedCountries(claim: Claim): readonly string[] | undefined {
  if (claim.countries !== undefined) return claim.countries;
  return claim.country === undefined ? undefined : [claim.country];
}

/** Default impossibility check: for every claimed country, some source places the flow there and every source that
 *  does is impossible (a claimed country no source names is never impossible, so neither is the claim). */
export function defaultClaimedImpossible(flow: VerdictFlow, claim: Claim): boolean {
  const want = claimedCountries(claim);
  if (want === undefined || want.length === 0 || !flow.geo_sources) return false;
  for (const country of want) {
    let placed = 0;
    for (const s of flow.geo_sources) {
      if (s.country !== country || s.physical === undefined) continue;
      placed++;
      if (s.physical !== 'impossible') return false;
    }
    if (placed === 0) return false;
  }
  return true;
}

type UnknownCause = 'edge' | 'disputed' | 'no_geo' | 'impossible_geo' | 'no_provider' | 'provider_disputed' | 'no_region';
/** Why a part was inconsistent: for the per-cause byte counts of `inconsistent_upload`. */
type InconsistentCause = 'location_impossible' | 'country' | 'provider' | 'asn_not_provider' | 'region';

function judgeCountry(f: VerdictFlow, want: readonly string[] | undefined, causes: Set<UnknownCause>): PartStatus {
  if (want === undefined) return 'not_claimed';
  if (f.edge) return causes.add('edge'), 'unknown';
  if (f.country === undefined || f.country_agreement === 'unknown' || f.country_agreement === 'private') return causes.add('no_geo'), 'unknown';
  if (f.country_agreement === 'disputed') return causes.add('disputed'), 'unknown';
  if (f.physical === 'impossible') return causes.add('impossible_geo'), 'unknown';
  return want.includes(f.country) ? 'consistent' : 'inconsistent';
}

/** The provider part; `viaAsn` is set when it is inconsistent only because of the origin AS (no provider known). */
function judgeProvider(f: VerdictFlow, want: string | undefined, causes: Set<UnknownCause>, origin: ProviderOrigin): { status: PartStatus; viaAsn: boolean } {
  if (want === undefined) return { status: 'not_claimed', viaAsn: false };
  // Does the origin AS say the address is not the claimed provider's (and no published range of it holds it)?
  let asnDenies = false;
  if (isRoutableAsn(f.asn) && f.country_agreement !== 'private') {
    const byAsn = origin.providerOfAsn(f.asn);
    if (byAsn === undefined || !providerSatisfies(want, byAsn)) {
      const byRange = origin.providerOfAddress(f.server_ip);
      asnDenies = byRange === undefined || !providerSatisfies(want, byRange);
    }
  }
  if (f.provider !== undefined && providerSatisfies(want, f.provider)) {
    // Only a DNS name can have named the claimed provider here: the routing says otherwise (BYOIP under the
    // customer's own AS, or a stale name), so nobody can tell.
    if (asnDenies) return causes.add('provider_disputed'), { status: 'unknown', viaAsn: false };
    return { status: 'consistent', viaAsn: false };
  }
  if (f.edge) return causes.add('edge'), { status: 'unknown', viaAsn: false };
  if (f.provider !== undefined) return { status: 'inconsistent', viaAsn: false };
  if (asnDenies) return { status: 'inconsistent', viaAsn: true };
  return causes.add('no_provider'), { status: 'unknown', viaAsn: false };
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

function add(t: ByteFlowCount, f: VerdictFlow, flows: number): void {
  t.flows += flows;
  t.bytes_up += f.bytes_up;
  t.bytes_down += f.bytes_down;
}

function pct(x: number): string {
  return `${(Math.round(x * 1000) / 10).toFixed(1)} %`;
}

/** How one flow (or group of like flows) compares to a claim; undefined when it is not listed (local, out of scope). */
export type GroupJudgement = Omit<FlowJudgement, 'index'>;

/** Sentences quoted in a reason: the first three, and how many more. */
function cited(texts: readonly string[]): string {
  const more = texts.length > 3 ? ` (and ${texts.length - 3} more address(es))` : '';
  return texts.slice(0, 3).join('; ') + more;
}

/** The measurements a reason names, each once, at most REPORT_MAX_MEASUREMENTS_CITED. */
function citedMeasurements(ms: readonly MeasurementRef[]): MeasurementRef[] {
  const seen = new Set<string>();
  const out: MeasurementRef[] = [];
  for (const m of ms) {
    const k = `${m.vantage_id}|${m.file}|${m.line ?? ''}|${m.index ?? ''}|${m.flow ?? ''}|${m.rtt_ms}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(m);
    if (out.length >= REPORT_MAX_MEASUREMENTS_CITED) break;
  }
  return out;
}

/**
 * Decides one claim as an accumulator: add() each flow, or each group of flows that agree on every field the rules
 * read (bytes_up/bytes_down then hold the group's sums, `flows` its count), then finish(). The same rules and
 * reasons whatever the grouping: every total, byte count and share is a sum over flows.
 */
export class ClaimDecision {
  private readonly o: VerdictOptions;
  private readonly impossibleCheck: (flow: VerdictFlow, claim: Claim) => boolean;
  private readonly origin: ProviderOrigin;
  private readonly wantCountries: readonly string[] | undefined;
  private readonly inconsistentBytes = new Map<InconsistentCause, number>();
  /** Upload bytes per origin AS of flows inconsistent only by their origin AS: [bytes, organisation]. */
  private readonly byAsn = new Map<number, [number, string | undefined]>();
  private readonly settled = { consistent: 0, inconsistent: 0 };
  readonly totals: ClaimTotals = { in_scope: zero(), consistent: zero(), inconsistent: zero(), unknown: zero(), hidden: zero() };
  private readonly unknownBytes = new Map<UnknownCause, number>();
  private readonly hiddenBytes = new Map<HiddenReason, number>();
  private impossibleFlows = 0;
  /** Why, per refuting destination (first seen first), and the bytes of in-scope flows to measured anycast addresses. */
  private readonly refutations = new Map<string, PlaceRefutation>();
  private readonly anycasts = new Map<string, AnycastEvidence>();
  private anycastBytes = 0;

  constructor(
    private readonly claim: Claim,
    options: Partial<VerdictOptions> = {},
  ) {
    this.o = { ...DEFAULT_VERDICT_OPTIONS, ...options };
    this.impossibleCheck = this.o.claimedLocationImpossible ?? defaultClaimedImpossible;
    this.origin = this.o.providerOrigin ?? DEFAULT_PROVIDER_ORIGIN;
    this.wantCountries = claimedCountries(claim);
  }

  /** Judges `f` (a flow, or `flows` like flows with summed bytes) and counts it. */
  add(f: VerdictFlow, flows = 1): GroupJudgement | undefined {
    const claim = this.claim;
    const totals = this.totals;
    const wantCountries = this.wantCountries;
    if (f.local) return undefined;
    const inScope = claim.scope === 'all' || f.first_party;
    if (!inScope) {
      if (f.hidden !== undefined) {
        add(totals.hidden, f, flows);
        this.hiddenBytes.set(f.hidden, (this.hiddenBytes.get(f.hidden) ?? 0) + f.bytes_up);
        return { status: 'unknown', country_status: 'unknown', provider_status: 'unknown', region_status: 'unknown', claimed_location_impossible: false, hidden: true };
      }
      return undefined;
    }
    add(totals.in_scope, f, flows);
    const causes = new Set<UnknownCause>();
    let country = judgeCountry(f, wantCountries, causes);
    const judged = judgeProvider(f, claim.provider, causes, this.origin);
    const provider = judged.status;
    let region = judgeRegion(f, claim.region, causes);
    const decidedCountry = country === 'consistent' || country === 'inconsistent';
    const refutation = f.place_refutations?.[claim.id];
    const located = !f.edge && (wantCountries !== undefined || claim.region !== undefined);
    const impossible = located && (f.place_refutations !== undefined ? refutation !== undefined : this.impossibleCheck(f, claim));
    if (impossible && refutation !== undefined && !this.refutations.has(refutation.text)) this.refutations.set(refutation.text, refutation);
    const inc = new Set<InconsistentCause>();
    if (country === 'inconsistent') inc.add('country');
    if (provider === 'inconsistent') inc.add(judged.viaAsn ? 'asn_not_provider' : 'provider');
    if (region === 'inconsistent') inc.add('region');
    if (impossible) {
      if (wantCountries !== undefined) country = 'inconsistent';
      if (claim.region !== undefined) region = 'inconsistent';
      inc.add('location_impossible');
      this.impossibleFlows += flows;
    }
    const parts = [country, provider, region];
    const status: FlowStatus = parts.includes('inconsistent') ? 'inconsistent' : parts.includes('unknown') ? 'unknown' : 'consistent';
    add(totals[status], f, flows);
    if (status === 'unknown') for (const c of causes) this.unknownBytes.set(c, (this.unknownBytes.get(c) ?? 0) + f.bytes_up);
    if (status === 'unknown' && f.anycast !== undefined) {
      this.anycastBytes += f.bytes_up;
      if (!this.anycasts.has(f.anycast.reason)) this.anycasts.set(f.anycast.reason, f.anycast);
    }
    if (status === 'inconsistent') for (const c of inc) this.inconsistentBytes.set(c, (this.inconsistentBytes.get(c) ?? 0) + f.bytes_up);
    if (judged.viaAsn && f.asn !== undefined) {
      const e = this.byAsn.get(f.asn) ?? [0, f.as_org];
      e[0] += f.bytes_up;
      this.byAsn.set(f.asn, e);
    }
    if (f.country_settled_by === 'rtt' && decidedCountry && !impossible) this.settled[country === 'consistent' ? 'consistent' : 'inconsistent'] += f.bytes_up;
    return { status, country_status: country, provider_status: provider, region_status: region, claimed_location_impossible: impossible, hidden: false };
  }

  /** The verdict and its reasons over everything added. */
  finish(): Omit<VerdictResult, 'evidence'> {
    const { claim, o, totals, wantCountries, impossibleFlows, inconsistentBytes, byAsn, hiddenBytes, unknownBytes, settled, refutations, anycasts, anycastBytes } = this;
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
      const where = [claim.country, claim.region].filter((x) => x !== undefined).join(', ');
      const r: Reason = { code: 'claimed_location_impossible', text: `${impossibleFlows} in-scope flow(s) answered too fast (RTT from the vantage) for the server to be in the claimed location (${where}${(wantCountries?.length ?? 0) > 1 ? ': every claimed country' : ''}).` };
      if (refutations.size > 0) {
        r.text = `${impossibleFlows} in-scope flow(s) went to servers that measured round trips place out of reach of the claimed location (${where}${(wantCountries?.length ?? 0) > 1 ? ': every claimed country' : ''}): ${cited([...refutations.values()].map((x) => x.text))}.`;
        r.measurements = citedMeasurements([...refutations.values()].flatMap((x) => x.measurements));
      }
      reasons.push(r);
    }
    const causeText: Record<InconsistentCause, string> = {
      location_impossible: 'claimed location physically impossible',
      country: 'another country',
      provider: 'another provider',
      asn_not_provider: `origin AS not ${claim.provider ?? ''}'s`,
      region: 'another region',
    };
    const byCause = (['location_impossible', 'country', 'provider', 'asn_not_provider', 'region'] as const)
      .filter((c) => inconsistentBytes.has(c))
      .map((c) => `${causeText[c]} ${inconsistentBytes.get(c)}`)
      .join(', ');
    const why = byCause === '' ? '' : ` By cause (a flow may have several): ${byCause}.`;
    if (inc > 0 && incShare > o.tolerance) {
      refuted = true;
      reasons.push({ code: 'inconsistent_upload', text: `${pct(incShare)} of ${scopeWord} upload bytes (${inc} of ${U}) went to destinations inconsistent with the claim, above the ${pct(o.tolerance)} tolerance.${why}` });
    } else if (inc > 0) {
      reasons.push({ code: 'inconsistent_within_tolerance', text: `${pct(incShare)} of ${scopeWord} upload bytes (${inc} of ${U}) were inconsistent with the claim, within the ${pct(o.tolerance)} tolerance.${why}` });
    }
    if (byAsn.size > 0) {
      const total = [...byAsn.values()].reduce((a, [b]) => a + b, 0);
      const top = [...byAsn.entries()].sort((a, b) => b[1][0] - a[1][0] || a[0] - b[0]);
      const listed = top.slice(0, 5).map(([asn, [b, org]]) => `AS${asn}${org !== undefined ? ` (${org})` : ''} ${b}`).join(', ');
      const more = top.length > 5 ? ` and ${top.length - 5} more` : '';
      reasons.push({
        code: 'inconsistent_asn_not_provider',
        text: `Flows carrying ${total} in-scope upload bytes went to addresses whose origin AS is not one of ${claim.provider ?? ''}'s networks and which lie outside its published ranges: ${listed}${more} upload bytes.`,
      });
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
      no_provider: ['unknown_no_provider', 'went to addresses of no known provider, with no usable origin AS'],
      provider_disputed: ['unknown_provider_disputed', `went to addresses a DNS name places on ${claim.provider ?? 'the claimed provider'} but whose origin AS is another network's`],
      no_region: ['unknown_no_region', 'went to addresses whose provider region is unknown'],
    };
    for (const c of ['edge', 'disputed', 'no_geo', 'impossible_geo', 'no_provider', 'provider_disputed', 'no_region'] as const) {
      const b = unknownBytes.get(c);
      if (b === undefined) continue;
      const [code, what] = unknownText[c];
      reasons.push({ code, text: `Flows carrying ${b} in-scope upload bytes ${what}.` });
    }
    if (anycastBytes > 0) {
      const list = [...anycasts.values()];
      reasons.push({
        code: 'unknown_anycast',
        text: `Flows carrying ${anycastBytes} in-scope upload bytes went to addresses that measurements show answering from several places (anycast), so they are treated as edges: ${cited(list.map((x) => x.reason))}.`,
        measurements: citedMeasurements(list.flatMap((x) => x.measurements)),
      });
    }
    if (settled.consistent + settled.inconsistent > 0) {
      reasons.push({
        code: 'country_settled_by_rtt',
        text: `The handshake RTT from the vantage settled the country of flows carrying ${settled.consistent + settled.inconsistent} in-scope upload bytes (${settled.consistent} consistent, ${settled.inconsistent} inconsistent): geolocation sources placing them where the RTT cannot reach were set aside and the rest agreed.`,
      });
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
    return { verdict, reasons, totals };
  }
}

/**
 * The reason a claim gets when a vantage is set but some of its in-scope upload comes from inputs that measured
 * no handshake RTT (logs: Zeek, Suricata; captures whose handshakes were synthesised on the device): the claimed
 * location of that upload was not checked against physics. `byInput`: upload bytes per input label, and why.
 */
export function physicalCheckUnavailable(byInput: ReadonlyMap<string, { bytes: number; why: string }>): Reason | undefined {
  if (byInput.size === 0) return undefined;
  const list = [...byInput.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const total = list.reduce((n, [, v]) => n + v.bytes, 0);
  const named = list.map(([label, v]) => `${label} (${v.why}: ${v.bytes} bytes)`).join('; ');
  return {
    code: 'physical_check_unavailable',
    text: `The claimed location of ${total} in-scope upload bytes could not be checked against the handshake RTT from the vantage: their inputs measured no handshake (${named}).`,
  };
}

/** Orders reasons by the engine's fixed order (REASON_CODES), capture reasons first. */
export function sortReasons(reasons: Reason[]): Reason[] {
  const order = new Map<string, number>(REASON_CODES.map((c, i) => [c, i]));
  return reasons.sort((a, b) => (order.get(a.code) ?? -1) - (order.get(b.code) ?? -1));
}

/** Rank of a status in evidence order: inconsistent first, then unknown, then consistent. */
export const STATUS_RANK: Record<FlowStatus, number> = { inconsistent: 0, unknown: 1, consistent: 2 };

/** Decides one claim over the vendor's flows, one by one (ClaimDecision), with every listed flow as evidence. Pure. */
export function decideClaim(claim: Claim, flows: readonly VerdictFlow[], options: Partial<VerdictOptions> = {}): VerdictResult {
  const d = new ClaimDecision(claim, options);
  const evidence: FlowJudgement[] = [];
  flows.forEach((f, index) => {
    const j = d.add(f);
    if (j !== undefined) evidence.push({ index, ...j });
  });
  evidence.sort((a, b) => {
    if (a.hidden !== b.hidden) return a.hidden ? 1 : -1;
    const r = STATUS_RANK[a.status] - STATUS_RANK[b.status];
    if (r !== 0) return r;
    const d2 = flows[b.index].bytes_up - flows[a.index].bytes_up;
    return d2 !== 0 ? d2 : a.index - b.index;
  });
  return { ...d.finish(), evidence };
}
