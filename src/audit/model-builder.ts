// Builds the report model (report-model.ts) from stored, geo-enriched flows and the claims file: attributes
// each flow (device, first-party, hidden, local), runs the verdict engine per claim, and aggregates
// destinations, devices and per-country/provider bytes. No I/O; every array sorted for byte-reproducible reports.

import { MAX_EVIDENCE_FLOWS_PER_CLAIM, REPORT_MAX_DESTINATIONS, REPORT_MAX_DEVICES, REPORT_MAX_MEASUREMENTS_CITED, VERDICT_CONFIRM_COVERAGE, VERDICT_HIDDEN_SHARE, VERDICT_INCONSISTENT_TOLERANCE, VERDICT_MIN_UPLOAD_BYTES } from '../limits.js';
import { EXIT } from '../errors.js';
import type { Anomaly, GeoProvenance, GeoSourceAnswer } from '../types.js';
import { DeviceNamer, isLocalFlow } from './attribution.js';
import type { Claim, ClaimsFile, VendorSpec } from './claims.js';
import { coverageSource, CoverageTally, isUndecryptableQuic } from './coverage.js';
import { applyInputProblems, budgetEffect, missingProblem, readProblem, readStatus, reportWarnings, type MissingCapture } from './input-problems.js';
import { FirstPartyMatcher, flowNames, hiddenReason } from './first-party.js';
import { VendorNetworkMatcher } from './vendor-networks.js';
import { observedProviderId } from './provider-ids.js';
import {
  REPORT_SCHEMA,
  type EvidenceFlow,
  type FlowStatus,
  type ReportClaim,
  type ReportDestination,
  type ReportDevice,
  type ReportFlow,
  type ReportInput,
  type ReportModel,
  type ReportVendor,
  type CoverageSource,
  type FlowCoverage,
  type InputProblem,
  type BudgetCounts,
  type BudgetEffect,
  type MeasurementRef,
  type ReportGeoSource,
} from './report-model.js';
import type { StoredCapture, StoredFlow } from '../store/records.js';
import { decideClaim, type VerdictFlow, type VerdictOptions, type VerdictResult } from './verdict.js';
import type { DestinationPhysics, VantageCheck } from './vantage-check.js';
import type { VantagePoint } from '../vantage/index.js';
import { vantageSections } from './vantage-report.js';

export interface ModelCapture {
  /** Report name of the capture (relative to the claims file). */
  label: string;
  stored: StoredCapture;
  vendors: string[];
  flows: StoredFlow[];
  /** Handshakes synthesised on the device (PCAPdroid VPN): RTTs say nothing about distance. */
  synthesized: boolean;
  /** The reader's warnings stored with the capture (damage, truncation); none when absent. */
  warnings?: Anomaly[];
  /** What the memory budget dropped while the capture was analysed (input-problems.ts budgetCounts); absent when
   *  nothing. */
  budget?: BudgetCounts;
  /** The lab it was captured at (its `{ path, vantage }` lab, else the claims file's `vantage`). */
  lab?: VantagePoint;
}

/** The measurements of the audit (vantage-check.ts) and what reports show of them. */
export interface ModelVantage {
  check: VantageCheck;
  /** The claims file's labs (drawn on the map). */
  labs: VantagePoint[];
  /** A provider's region nearest a place (provider id), for a consensus place the measurements moved. */
  nearestRegion?: (provider: string, lat: number, lon: number, country: string | undefined) => string | undefined;
  /** Write vantage_points, measurement_files and feasible_regions (the claims file names vantages or measurements). */
  detailed: boolean;
}

export interface ModelInput {
  claims: ClaimsFile;
  /** How the claims file is named in the report (as given on the command line). */
  claimsLabel: string;
  captures: ModelCapture[];
  provenance: GeoProvenance[];
  toolVersion: string;
  formats: string[];
  geoDir?: string;
  generatedAt: string;
  verdictOptions?: Partial<VerdictOptions>;
  /** Captures the claims file lists that are not in the evidence (report mode: not in the store, or gone). */
  missing?: MissingCapture[];
  /** Measurements (files and the captures' handshakes): the physical rule per destination. */
  vantage?: ModelVantage;
}

export interface BuiltModel {
  model: ReportModel;
  /** Per vendor (in model order), every flow of its captures sorted by capture then flow_id (flows.csv). */
  flows: ReportFlow[][];
  /** Per vendor name and claim id, the engine's result (for the store). */
  results: { vendor: string; claim: Claim; result: VerdictResult; evidence: EvidenceFlow[] }[];
}

export const THRESHOLDS: Record<string, number> = {
  MAX_EVIDENCE_FLOWS_PER_CLAIM,
  VERDICT_CONFIRM_COVERAGE,
  VERDICT_HIDDEN_SHARE,
  VERDICT_INCONSISTENT_TOLERANCE,
  VERDICT_MIN_UPLOAD_BYTES,
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const RANK: Record<FlowStatus, number> = { inconsistent: 2, unknown: 1, consistent: 0 };
const worse = (a: FlowStatus, b: FlowStatus): FlowStatus => (RANK[a] >= RANK[b] ? a : b);

/** Per-source answers as reports show them, sorted by source id, with the measurements ruling a position out. */
export function reportGeoSources(
  sources: readonly GeoSourceAnswer[] | undefined,
  ruledOutBy: (source: string) => MeasurementRef[] | undefined = () => undefined,
): ReportGeoSource[] {
  return (sources ?? [])
    .map((s) => {
      const g: ReportGeoSource = { source: s.source };
      if (s.country !== undefined) g.country = s.country;
      if (s.city !== undefined) g.city = s.city;
      if (s.lat !== undefined) g.lat = s.lat;
      if (s.lon !== undefined) g.lon = s.lon;
      if (s.physical !== undefined) g.physical = s.physical;
      const by = s.physical === 'impossible' ? ruledOutBy(s.source) : undefined;
      if (by !== undefined && by.length > 0) g.ruled_out_by = by.slice(0, REPORT_MAX_MEASUREMENTS_CITED);
      return g;
    })
    .sort((a, b) => cmp(a.source, b.source));
}

/**
 * How a flow is first-party, if it is: by one of its names; else (a flow without any name) because the same
 * client reached the same non-edge server under a first-party name in the same capture (`onFirstPartyPair`); else
 * because the server is on one of the vendor's own networks (a named flow keeps what its name says).
 */
export function firstPartyVia(
  f: StoredFlow,
  fp: FirstPartyMatcher,
  onFirstPartyPair: boolean,
  networks: VendorNetworkMatcher,
): 'name' | 'address' | 'network' | undefined {
  if (fp.matchesFlow(f)) return 'name';
  if (flowNames(f).length !== 0) return undefined;
  if (f.edge !== true && onFirstPartyPair) return 'address';
  if (f.country_agreement !== 'private' && networks.matches(f)) return 'network';
  return undefined;
}

/** A flow as reports show it, given how it is first-party (firstPartyVia). */
export function reportFlow(
  cap: { label: string; sha256: string },
  f: StoredFlow,
  namer: DeviceNamer,
  via: 'name' | 'address' | 'network' | undefined,
): ReportFlow {
  const byName = via === 'name';
  const byAddress = via === 'address';
  const byNetwork = via === 'network';
  const firstParty = via !== undefined;
  const r: ReportFlow = {
    capture: cap.label,
    capture_sha256: cap.sha256,
    flow_id: f.flow_id,
    device: namer.label(f.client_ip, f.client_mac),
    transport: f.transport,
    client_ip: f.client_ip,
    client_port: f.client_port,
    server_ip: f.server_ip,
    server_port: f.server_port,
    first_frame: f.first_frame,
    first_seen: f.first_seen,
    last_seen: f.last_seen,
    packets_up: f.packets_up,
    packets_down: f.packets_down,
    bytes_up: f.bytes_up,
    bytes_down: f.bytes_down,
    first_party: firstParty,
    geo_sources: reportGeoSources(f.geo_sources),
    edge: f.edge === true,
    physical: f.physical ?? 'unchecked',
  };
  const copy = <K extends keyof ReportFlow & keyof StoredFlow>(k: K): void => {
    if (f[k] !== undefined) (r as unknown as Record<string, unknown>)[k] = f[k];
  };
  for (const k of ['uid', 'community_id', 'app', 'client_mac', 'hostname', 'name_source', 'sni', 'quic', 'http_host', 'dns_qname', 'cname_chain', 'ech'] as const) copy(k);
  for (const k of ['country', 'country_agreement', 'country_settled_by', 'city', 'lat', 'lon', 'asn', 'as_org', 'provider', 'region', 'rtt_ms'] as const) copy(k);
  if (firstParty) r.first_party_via = byName ? 'name' : byAddress ? 'address' : 'network';
  if (byNetwork) r.name_source = 'network';
  if (r.provider !== undefined) r.provider = observedProviderId(r.provider);
  if (!firstParty && !isLocalFlow(r)) {
    const h = hiddenReason(f);
    if (h !== undefined) r.hidden = h === 'no_name' && isUndecryptableQuic(f) ? 'quic_undecryptable' : h;
  }
  return r;
}

/**
 * The destination's physics (vantage-check.ts) applied to a flow: source flags and the positions measurements rule
 * out, the consensus (settled when positions were set aside), the consensus position's plausibility, and for an
 * anycast address the edge flag and why. A region from the nearest city follows a moved place (an edge has none).
 */
export function applyPhysics(rf: ReportFlow, f: StoredFlow, p: DestinationPhysics, nearestRegion: ModelVantage['nearestRegion']): void {
  if (p.status === 'unmeasured' || p.consensus === undefined) return;
  const ruled = new Map(p.ruled_out.map((r) => [r.source, r]));
  rf.geo_sources = reportGeoSources(p.sources, (source) => ruled.get(source)?.measurements);
  const c = p.consensus;
  const moved = c.lat !== rf.lat || c.lon !== rf.lon || c.country !== rf.country;
  const set = <K extends 'country' | 'city' | 'lat' | 'lon'>(k: K, v: ReportFlow[K] | undefined): void => {
    if (v === undefined) delete rf[k];
    else rf[k] = v;
  };
  set('country', c.country);
  set('city', c.city);
  set('lat', c.lat);
  set('lon', c.lon);
  rf.country_agreement = c.agreement;
  if (p.settled) rf.country_settled_by = 'rtt';
  else delete rf.country_settled_by;
  rf.physical = p.physical;
  if (p.anycast !== undefined) {
    rf.edge = true;
    rf.anycast = p.anycast;
  }
  if (f.region_source === 'nearest-city' && (rf.edge || moved)) {
    const near = !rf.edge && rf.provider !== undefined && c.city !== undefined && c.lat !== undefined && c.lon !== undefined ? nearestRegion?.(rf.provider, c.lat, c.lon, c.country) : undefined;
    if (near === undefined) delete rf.region;
    else rf.region = near;
  }
}

/** Per public destination address of a capture, its smallest handshake RTT and the flow that measured it (none
 *  when handshakes were synthesised on the device or the capture has no lab). */
export function fastestHandshakes(cap: Pick<ModelCapture, 'flows' | 'synthesized' | 'lab'>): Map<string, { rtt: number; flow: number }> {
  const out = new Map<string, { rtt: number; flow: number }>();
  if (cap.synthesized || cap.lab === undefined) return out;
  for (const f of cap.flows) {
    const rtt = f.rtt_ms;
    if (rtt === undefined || !Number.isFinite(rtt) || rtt < 0 || f.country_agreement === 'private') continue;
    const e = out.get(f.server_ip);
    if (e === undefined || rtt < e.rtt) out.set(f.server_ip, { rtt, flow: f.flow_id });
  }
  return out;
}

function buildVendor(
  spec: VendorSpec,
  caps: ModelCapture[],
  opts: Partial<VerdictOptions>,
  problems: readonly InputProblem[],
  missingLabels: readonly string[],
  vantage: ModelVantage | undefined,
  budget: readonly BudgetEffect[] = [],
): { vendor: ReportVendor; results: BuiltModel['results']; flows: ReportFlow[] } {
  const namer = new DeviceNamer(spec.devices);
  const fp = new FirstPartyMatcher(spec.first_party);
  const networks = new VendorNetworkMatcher(spec.networks);
  const flows: ReportFlow[] = [];
  const vflows: VerdictFlow[] = [];
  /** Per flow (same index), the source its upload is counted under in coverage. */
  const sources: CoverageSource[] = [];
  for (const cap of caps) {
    // client|server pairs seen under a first-party name (non-edge): unnamed flows on the same pair are first-party too
    const fpAddresses = new Set<string>();
    for (const f of cap.flows) if (f.edge !== true && fp.matchesFlow(f)) fpAddresses.add(`${f.client_ip}|${f.server_ip}`);
    const fastest = vantage === undefined ? undefined : fastestHandshakes(cap);
    const physics = new Map<string, DestinationPhysics>();
    for (const f of cap.flows) {
      const via = firstPartyVia(f, fp, fpAddresses.has(`${f.client_ip}|${f.server_ip}`), networks);
      const rf = reportFlow({ label: cap.label, sha256: cap.stored.sha256 }, f, namer, via);
      const local = isLocalFlow(rf);
      let p: DestinationPhysics | undefined;
      if (vantage !== undefined && fastest !== undefined && !local) {
        // The physical rule, once per destination address of the capture.
        p = physics.get(f.server_ip);
        if (p === undefined) {
          const rtt = fastest.get(f.server_ip);
          p = vantage.check.destination({
            server_ip: f.server_ip,
            lab: cap.lab,
            min_rtt_ms: rtt?.rtt,
            rtt_source: rtt === undefined ? undefined : { file: cap.label, flow: rtt.flow },
            sources: f.geo_sources ?? [],
            claims: spec.claims,
          });
          physics.set(f.server_ip, p);
        }
        applyPhysics(rf, f, p, vantage.nearestRegion);
      }
      flows.push(rf);
      sources.push(coverageSource({ ...f, first_party_via: rf.first_party_via }));
      const vf: VerdictFlow = { ...rf, local };
      if (p !== undefined) vf.place_refutations = p.refuted;
      if (cap.synthesized) delete vf.rtt_ms;
      vflows.push(vf);
    }
  }

  const results: BuiltModel['results'] = [];
  const claims: ReportClaim[] = [];
  const statusByClaim: Map<number, FlowStatus>[] = [];
  for (const claim of spec.claims) {
    const decided = decideClaim(claim, vflows, opts);
    const claimCoverage = new CoverageTally();
    for (const j of decided.evidence) claimCoverage.add(sources[j.index], vflows[j.index].bytes_up);
    const statuses = new Map<number, FlowStatus>();
    for (const j of decided.evidence) if (!j.hidden) statuses.set(j.index, j.status);
    statusByClaim.push(statuses);
    const evidence: EvidenceFlow[] = decided.evidence.slice(0, MAX_EVIDENCE_FLOWS_PER_CLAIM).map((j) => ({
      ...flows[j.index],
      status: j.status,
      country_status: j.country_status,
      provider_status: j.provider_status,
      region_status: j.region_status,
      claimed_location_impossible: j.claimed_location_impossible,
    }));
    const rc = reportClaim(claim, decided, problems, evidence, decided.evidence.length, claimCoverage.result('claim_in_scope_and_hidden_upload'), budget);
    claims.push(rc.claim);
    results.push({ vendor: spec.name, claim, result: { ...rc.result, evidence: decided.evidence }, evidence });
  }

  const dest = new Map<string, { d: ReportDestination; statuses: (FlowStatus | undefined)[] }>();
  const byCountry = new Map<string, { bytes_up: number; flows: number }>();
  const byProvider = new Map<string, { bytes_up: number; flows: number }>();
  const devices = new Map<string, ReportDevice & { appSet: Set<string> }>();
  const totals = { flows: 0, bytes_up: 0, bytes_down: 0 };
  const vendorCoverage = new CoverageTally();
  flows.forEach((f, i) => {
    totals.flows++;
    totals.bytes_up += f.bytes_up;
    totals.bytes_down += f.bytes_down;
    let dev = devices.get(f.device);
    if (!dev) {
      dev = { label: f.device, client_ip: f.client_ip, flows: 0, bytes_up: 0, bytes_down: 0, apps: [], appSet: new Set() };
      if (f.client_mac !== undefined) dev.client_mac = f.client_mac;
      devices.set(f.device, dev);
    }
    dev.flows++;
    dev.bytes_up += f.bytes_up;
    dev.bytes_down += f.bytes_down;
    if (f.app !== undefined) dev.appSet.add(f.app);
    if (vflows[i].local) return;
    vendorCoverage.add(sources[i], f.bytes_up);
    for (const [map, key] of [[byCountry, f.country ?? '??'], [byProvider, f.provider ?? 'unknown']] as const) {
      const e = map.get(key) ?? { bytes_up: 0, flows: 0 };
      e.bytes_up += f.bytes_up;
      e.flows++;
      map.set(key, e);
    }
    const key = `${f.server_ip}\u0000${f.hostname ?? ''}`;
    let entry = dest.get(key);
    if (!entry) {
      const d: ReportDestination = {
        server_ip: f.server_ip, flows: 0, bytes_up: 0, bytes_down: 0, first_party: false, geo_sources: f.geo_sources, edge: f.edge,
        physical: 'unchecked', consistency: 'out_of_scope', claims: [],
      };
      for (const k of ['hostname', 'country', 'country_agreement', 'country_settled_by', 'lat', 'lon', 'provider', 'region', 'anycast'] as const) {
        if (f[k] !== undefined) (d as unknown as Record<string, unknown>)[k] = f[k];
      }
      entry = { d, statuses: spec.claims.map(() => undefined) };
      dest.set(key, entry);
    }
    const d = entry.d;
    d.flows++;
    d.bytes_up += f.bytes_up;
    d.bytes_down += f.bytes_down;
    d.first_party ||= f.first_party;
    if (f.physical === 'impossible' || (f.physical === 'plausible' && d.physical === 'unchecked')) d.physical = f.physical;
    statusByClaim.forEach((m, c) => {
      const s = m.get(i);
      if (s !== undefined) entry.statuses[c] = entry.statuses[c] === undefined ? s : worse(entry.statuses[c] as FlowStatus, s);
    });
  });

  const destinations = [...dest.values()].map(({ d, statuses }) => {
    const claimStatus = spec.claims
      .map((c, i) => ({ id: c.id, status: statuses[i] }))
      .filter((x): x is { id: string; status: FlowStatus } => x.status !== undefined)
      .sort((a, b) => cmp(a.id, b.id));
    d.claims = claimStatus;
    d.consistency = claimStatus.length === 0 ? 'out_of_scope' : claimStatus.map((x) => x.status).reduce(worse);
    return d;
  });
  destinations.sort((a, b) => b.bytes_up - a.bytes_up || cmp(a.server_ip, b.server_ip) || cmp(a.hostname ?? '', b.hostname ?? ''));

  const ranked = (m: Map<string, { bytes_up: number; flows: number }>) =>
    [...m.entries()].map(([key, v]) => ({ key, bytes_up: v.bytes_up, flows: v.flows })).sort((a, b) => b.bytes_up - a.bytes_up || cmp(a.key, b.key));

  const vendor: ReportVendor = {
    name: spec.name,
    first_party: spec.first_party,
    ...(spec.networks !== undefined ? { networks: { asns: [...spec.networks.asns], orgs: [...spec.networks.orgs], prefixes: [...spec.networks.prefixes] } } : {}),
    captures: [...caps.map((c) => c.label), ...missingLabels].sort(cmp),
    claims,
    destinations: destinations.slice(0, REPORT_MAX_DESTINATIONS),
    destinations_omitted: Math.max(0, destinations.length - REPORT_MAX_DESTINATIONS),
    devices: topDevices([...devices.values()].map(({ appSet, ...d }) => ({ ...d, apps: [...appSet].sort(cmp) }))),
    devices_omitted: Math.max(0, devices.size - REPORT_MAX_DEVICES),
    bytes_by_country: ranked(byCountry),
    bytes_by_provider: ranked(byProvider),
    totals,
    coverage: vendorCoverage.result('vendor_non_local_upload'),
  };
  return { vendor, results, flows };
}

/** The REPORT_MAX_DEVICES devices with the most upload (then label), sorted by label. */
export function topDevices(devices: ReportDevice[]): ReportDevice[] {
  return devices
    .sort((a, b) => b.bytes_up - a.bytes_up || cmp(a.label, b.label))
    .slice(0, REPORT_MAX_DEVICES)
    .sort((a, b) => cmp(a.label, b.label));
}

/** What every vendor's part of a model needs: the captures in report order, the missing ones, the input problems. */
export interface ModelFrame<C extends FrameCapture> {
  caps: C[];
  missing: MissingCapture[];
  problems: InputProblem[];
  /** Captures the memory budget touched, sorted by capture path. */
  budget: BudgetEffect[];
}

/** A capture as the model's frame sees it (ModelCapture without its flows). */
export type FrameCapture = Omit<ModelCapture, 'flows' | 'synthesized'>;

/** Sorts the captures (label, then hash) and lists the input problems. Pure. */
export function modelFrame<C extends FrameCapture>(captures: readonly C[], missingIn: readonly MissingCapture[] | undefined): ModelFrame<C> {
  const caps = [...captures].sort((a, b) => cmp(a.label, b.label) || cmp(a.stored.sha256, b.stored.sha256));
  const missing = [...(missingIn ?? [])].sort((a, b) => cmp(a.label, b.label));
  const problems: InputProblem[] = [];
  for (const c of caps) {
    const p = readProblem(c.label, c.vendors, c.stored.truncated, c.warnings ?? []);
    if (p !== undefined) problems.push(p);
  }
  for (const m of missing) problems.push(missingProblem(m));
  problems.sort((a, b) => cmp(a.capture, b.capture) || cmp(a.status, b.status));
  const budget: BudgetEffect[] = [];
  for (const c of caps) {
    const b = budgetEffect(c.label, c.vendors, c.budget);
    if (b !== undefined) budget.push(b);
  }
  return { caps, missing, problems, budget };
}

/** A claim's verdict with the input problems applied and its report entry. Pure. */
export function reportClaim(
  claim: Claim,
  decided: Omit<VerdictResult, 'evidence'>,
  problems: readonly InputProblem[],
  evidence: EvidenceFlow[],
  evidenceTotal: number,
  coverage: FlowCoverage,
  budget: readonly BudgetEffect[] = [],
): { result: Omit<VerdictResult, 'evidence'>; claim: ReportClaim } {
  const honest = applyInputProblems(decided.verdict, problems, budget, decided.reasons);
  const result = { ...decided, verdict: honest.verdict, reasons: [...honest.reasons, ...decided.reasons] };
  const rc: ReportClaim = {
    id: claim.id,
    text: claim.text,
    scope: claim.scope,
    verdict: result.verdict,
    reasons: result.reasons,
    totals: result.totals,
    evidence,
    evidence_omitted: evidenceTotal - evidence.length,
    coverage,
    evidence_complete: honest.complete,
  };
  if (claim.country !== undefined) rc.country = claim.country;
  if (claim.countries !== undefined && (claim.countries.length !== 1 || claim.countries[0] !== claim.country)) rc.countries = [...claim.countries];
  if (claim.provider !== undefined) rc.provider = claim.provider;
  if (claim.region !== undefined) rc.region = claim.region;
  return { result, claim: rc };
}

/** Builds the whole report model from flows in memory, one by one (the reference the store's aggregates must equal). Pure. */
export function buildReportModel(input: ModelInput): BuiltModel {
  const { caps, missing, problems, budget } = modelFrame(input.captures, input.missing);
  const vendors: ReportVendor[] = [];
  const flows: ReportFlow[][] = [];
  const results: BuiltModel['results'] = [];
  for (const spec of input.claims.vendors) {
    const built = buildVendor(
      spec,
      caps.filter((c) => c.vendors.includes(spec.name)),
      input.verdictOptions ?? {},
      problems.filter((p) => p.vendors.includes(spec.name)),
      missing.filter((m) => m.vendors.includes(spec.name)).map((m) => m.label),
      input.vantage,
      budget.filter((b) => b.vendors.includes(spec.name)),
    );
    vendors.push(built.vendor);
    flows.push(built.flows);
    results.push(...built.results);
  }
  return { model: assembleModel(input, caps, missing, problems, vendors, results, budget), results, flows };
}

/** The model around the vendors: inputs, problems, summary, options. Pure. */
export function assembleModel(
  input: Omit<ModelInput, 'captures'>,
  caps: readonly FrameCapture[],
  missing: readonly MissingCapture[],
  problems: InputProblem[],
  vendors: ReportVendor[],
  results: readonly { result: { verdict: VerdictResult['verdict'] } }[],
  budget: readonly BudgetEffect[] = [],
): ReportModel {
  const summary = { confirmed: 0, refuted: 0, inconclusive: 0, unobservable: 0, exit_code: EXIT.OK as number };
  for (const r of results) summary[r.result.verdict]++;
  summary.exit_code = summary.refuted > 0 ? EXIT.REFUTED : summary.inconclusive + summary.unobservable > 0 ? EXIT.INCONCLUSIVE : EXIT.OK;

  const inputs: ReportInput[] = caps.map((c) => {
    const i: ReportInput = {
      path: c.label, status: readStatus(c.stored.truncated, c.warnings ?? []), sha256: c.stored.sha256, size_bytes: c.stored.size_bytes,
      packets: c.stored.packets, link_types: c.stored.link_types, truncated: c.stored.truncated, ...reportWarnings(c.warnings ?? []),
    };
    if (c.stored.first_ts !== undefined) i.first_ts = c.stored.first_ts;
    if (c.stored.last_ts !== undefined) i.last_ts = c.stored.last_ts;
    if (c.vendors.length > 0) i.vendor = [...c.vendors].sort(cmp).join(', ');
    if (c.stored.device !== undefined) i.device = c.stored.device;
    if (c.budget !== undefined) i.memory_budget = { ...c.budget };
    return i;
  });
  for (const m of missing) {
    const i: ReportInput = { path: m.label, status: 'missing', truncated: false, missing_reason: m.reason };
    if (m.sha256 !== undefined) i.sha256 = m.sha256;
    if (m.size_bytes !== undefined) i.size_bytes = m.size_bytes;
    if (m.vendors.length > 0) i.vendor = [...m.vendors].sort(cmp).join(', ');
    inputs.push(i);
  }
  inputs.sort((a, b) => cmp(a.path, b.path) || cmp(a.sha256 ?? '', b.sha256 ?? ''));

  const thresholds: Record<string, number> = {};
  for (const k of Object.keys(THRESHOLDS).sort()) thresholds[k] = THRESHOLDS[k];
  const o = input.verdictOptions ?? {};
  if (o.tolerance !== undefined) thresholds.VERDICT_INCONSISTENT_TOLERANCE = o.tolerance;
  if (o.coverage !== undefined) thresholds.VERDICT_CONFIRM_COVERAGE = o.coverage;
  if (o.minUploadBytes !== undefined) thresholds.VERDICT_MIN_UPLOAD_BYTES = o.minUploadBytes;
  if (o.hiddenShare !== undefined) thresholds.VERDICT_HIDDEN_SHARE = o.hiddenShare;

  const model: ReportModel = {
    schema: REPORT_SCHEMA,
    generated_at: input.generatedAt,
    tool: { name: 'residency', version: input.toolVersion, options: { thresholds, formats: [...input.formats] } },
    claims_file: { path: input.claimsLabel, sha256: input.claims.sha256 },
    inputs,
    problems,
    geo_sources: [...input.provenance].sort((a, b) => cmp(a.source, b.source) || cmp(a.file, b.file)),
    vendors,
    summary,
  };
  if (budget.length > 0) model.budget_effects = [...budget];
  if (input.geoDir !== undefined) model.tool.options.geo_dir = input.geoDir;
  if (input.claims.vantage) model.vantage = input.claims.vantage;
  if (input.vantage?.detailed) Object.assign(model, vantageSections(input.vantage, vendors));
  return model;
}
