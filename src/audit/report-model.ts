// The report model: everything a rendered report (JSON, HTML, Markdown, CSV) shows, built once by
// src/audit/run.ts from the store and handed to src/report/ (writeReports). Renderers only format it.
// Determinism: every array is sorted by the key its doc comment names, so two runs over the same inputs
// and data give byte-identical reports except `generated_at`. schema/report.schema.json describes report.json;
// test/schema/schema.test.ts holds it and these types to the same fields.

import type { CountryAgreement, GeoProvenance, NameSource, Verdict } from '../types.js';

export const REPORT_SCHEMA = 'residency.report/2' as const;

/** Where the handsets were captured (the lab); enables the physical RTT check and is drawn on the map. */
export interface Vantage {
  name: string;
  lat: number;
  lon: number;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** A verdict reason: a stable snake_case code plus a sentence for humans. */
export interface Reason {
  code: string;
  text: string;
  /** For the capture reasons (`capture_missing`, `capture_truncated`, `capture_damaged`): the inputs concerned
   *  (ReportInput.path), sorted. */
  captures?: string[];
  /** For `claimed_location_impossible` and `unknown_anycast`: the measurements the sentence names (at most
   *  REPORT_MAX_MEASUREMENTS_CITED). */
  measurements?: MeasurementRef[];
}

/** One round trip a report cites (src/audit/vantage-check.ts): who measured, how fast, where it is written. */
export interface MeasurementRef {
  /** Lab name, or `RIPE Atlas probe <id>`. */
  vantage: string;
  /** Lab key in the claims file (`vantage` for a top-level mapping), or `atlas:<probe id>`. */
  vantage_id: string;
  /** ISO 3166-1 alpha-2 of the vantage point, when known. */
  country?: string;
  /** The smallest round trip (ms) that vantage point measured to the address. */
  rtt_ms: number;
  /** The measurement file, or the capture whose handshake it is (relative to the claims file). */
  file: string;
  /** 1-based line in the file. */
  line?: number;
  /** Position in a JSON list written on one line. */
  index?: number;
  /** A capture's handshake: the flow whose handshake gave the minimum. */
  flow?: number;
}

/** Why an address counts as an edge by measurement: discs that cannot meet (anycast, or a wrong vantage position). */
export interface AnycastEvidence {
  reason: string;
  /** The two measurements of the widest gap (or the binding discs when every pair meets but no point is in all). */
  measurements: MeasurementRef[];
}

/** A lab or RIPE Atlas probe whose measurements the audit used (the map draws them). */
export interface ReportVantagePoint {
  /** Lab key, or `atlas:<probe id>`. */
  id: string;
  name: string;
  kind: 'lab' | 'probe';
  lat: number;
  lon: number;
  country?: string;
}

/** One `measurements:` file of the claims file, as read. */
export interface ReportMeasurementFile {
  /** As the claims file names it. */
  path: string;
  kind: 'ripe-atlas' | 'ping' | 'mtr';
  sha256: string;
  /** ripe-atlas: the probe metadata file and how many probes with a position it holds. */
  probes?: { path: string; sha256: string; count: number };
  /** ping/mtr: the lab it was measured at. */
  vantage?: string;
  /** Measurements kept (one per vantage point and destination address). */
  measurements: number;
  /** Problems inside the file (code, line or index, message): at most VANTAGE_MAX_ISSUES_LISTED_PER_FILE. */
  warnings: { code: string; line?: number; index?: number; message: string }[];
  warnings_omitted: number;
}

/** The feasible region of one destination address measured from several vantage points. */
export interface ReportFeasibleRegion {
  dst_addr: string;
  /** Discs (RTT x 100 km/ms + VANTAGE_POSITION_SLACK_KM around each vantage point), binding ones first, then by
   *  radius; at most REPORT_MAX_DISCS_PER_REGION. */
  discs: (MeasurementRef & { lat: number; lon: number; radius_km: number; binding: boolean })[];
  discs_omitted: number;
  /** No point lies within every disc. */
  empty: boolean;
  /** Set when the address answers from several places: it is treated as an edge. */
  anycast?: AnycastEvidence;
  /** A point inside every disc, when one was found. */
  witness?: { lat: number; lon: number };
}

/** One part of a claim as judged for one flow. `not_claimed` when the claim does not state that part. */
export type PartStatus = 'consistent' | 'inconsistent' | 'unknown' | 'not_claimed';
/** A flow's status against a whole claim: inconsistent if any part is, else unknown if any part is, else consistent. */
export type FlowStatus = 'consistent' | 'inconsistent' | 'unknown';
/** Why a first-party flow's destination or name is hidden from the auditor. */
export type HiddenReason = 'ech' | 'doh' | 'no_name' | 'quic_undecryptable';

/** The one source a flow's upload is counted under in coverage (src/audit/coverage.ts): the flow's own name source,
 *  a tie to the vendor without a name (`network`, `address`), a hidden kind, or `unnamed`. */
export type CoverageSource =
  | 'tls_sni'
  | 'quic_sni'
  | 'http_host'
  | 'dns'
  | 'dns_https_hint'
  | 'network'
  | 'address'
  | 'ech'
  | 'doh'
  | 'quic_undecryptable'
  | 'unnamed';
/** What a coverage's shares are of: all of a vendor's non-local upload, or a claim's in-scope + hidden upload. */
export type CoverageScope = 'vendor_non_local_upload' | 'claim_in_scope_and_hidden_upload';

export interface CoverageBucket {
  bytes_up: number;
  flows: number;
  /** Percent of the scope's upload bytes, one decimal; the shares of one coverage add up to exactly 100 (all 0 when
   *  the scope is empty). */
  share: number;
}

/** Upload bytes per coverage source over one scope. */
export interface FlowCoverage {
  scope: CoverageScope;
  /** Upload bytes and flows in the scope (the sum over `sources`). */
  bytes_up: number;
  flows: number;
  /** Every source, zero when none. */
  sources: Record<CoverageSource, CoverageBucket>;
}

export interface ByteFlowCount {
  flows: number;
  bytes_up: number;
  bytes_down: number;
}

/** Totals over the claim's in-scope flows; `in_scope` = consistent + inconsistent + unknown. */
export interface ClaimTotals {
  in_scope: ByteFlowCount;
  consistent: ByteFlowCount;
  inconsistent: ByteFlowCount;
  unknown: ByteFlowCount;
  /** First-party-or-not undecidable flows of the vendor's captures (ECH, DoH, no name): not in `in_scope`. */
  hidden: ByteFlowCount;
}

/** How completely an input was read: `ok`; `truncated` (reading stopped before the end of the file: cut short,
 *  or damage that cannot be read past); `damaged` (the reader skipped damaged records and read on to the end);
 *  `missing` (listed by the claims file but not in the evidence: not in the case store, or the file is gone). */
export type InputStatus = 'ok' | 'truncated' | 'damaged' | 'missing';

/** A warning the capture reader reported (damage, truncation), as stored with the capture. */
export interface InputWarning {
  /** Reader warning code: `pcap_truncated_record`, `pcapng_truncated_block`, `pcapng_bad_block_length`, `gzip_corrupt` ... */
  code: string;
  /** Byte offset in the (decompressed) capture stream, where known. */
  offset?: number;
  message: string;
}

/** A capture listed by the claims file (or held by the store for a vendor), read or missing. */
export interface ReportInput {
  /** Path as the claims file lists it, relative to the claims file (or as given on the command line). */
  path: string;
  status: InputStatus;
  /** Absent only for a missing capture whose file no longer exists. */
  sha256?: string;
  /** Absent only for a missing capture whose file no longer exists. */
  size_bytes?: number;
  /** Absent for a missing capture (it was not read). */
  packets?: number;
  link_types?: number[];
  first_ts?: number;
  last_ts?: number;
  vendor?: string;
  device?: string;
  truncated: boolean;
  /** The reader's warnings (at most REPORT_MAX_INPUT_WARNINGS; the rest counted in `warnings_omitted`). */
  warnings?: InputWarning[];
  warnings_omitted?: number;
  /** Why a `missing` capture is missing. */
  missing_reason?: string;
  /** What the memory budget dropped while the capture was analysed (absent when nothing): not damage, the capture
   *  was read; see `budget_effects`. */
  memory_budget?: BudgetCounts;
}

/** What the memory budget dropped while one capture was analysed (from its summary's anomaly counts). */
export interface BudgetCounts {
  /** The budget the capture was analysed with, in MiB (from its `memory_budget_reached` warning). */
  budget_mb?: number;
  /** Flows ended early because the live-flow table was full (`flow_table_full`): their later packets were
   *  counted as new flow records, so no byte is lost; names and RTTs only their first packets carried may be. */
  flows_ended_early: number;
  /** Flows whose buffered reassembly bytes were given up (`tcp_reassembly_budget_exceeded`): a name behind a
   *  hole may be lost; the flow's byte counts are complete. */
  reassembly_flows_shed: number;
  /** Fragmented datagrams given up early (`frag_evicted`): counted as far as seen. */
  fragments_dropped: number;
  /** DNS answers dropped from the naming cache (`dns_cache_evicted`): a later flow may lack its DNS name. */
  dns_names_evicted: number;
  /** DNS queries written unanswered early (`dns_pending_cap_reached`): DNS transactions only, not flows. */
  dns_queries_unanswered_early: number;
  /** Log inputs only, when nonzero: side-log rows (ssl, quic, http; eve.json events) dropped before their flow came
   *  (`log_join_cap_reached`): those flows lack the name the rows gave. */
  log_rows_dropped?: number;
  /** Log inputs only, when nonzero: DNS answers of the logs dropped (`log_dns_timeline_cap_reached`): a later flow
   *  may lack its DNS name. */
  log_dns_answers_dropped?: number;
}

/** A capture the memory budget touched, with the vendors whose verdicts carry `capture_budget_limited`
 *  (top-level `budget_effects`). The capture was read to its end: its status is not changed by this. */
export interface BudgetEffect extends BudgetCounts {
  /** ReportInput.path. */
  capture: string;
  status: 'budget_limited';
  /** Vendors listing the capture, sorted. */
  vendors: string[];
  code: 'memory_budget_reached';
  /** What the budget did, with the counts, and how to avoid it. */
  message: string;
}

/** One input that is not `ok`, with the vendors whose verdicts it touches (top-level `problems`). */
export interface InputProblem {
  /** ReportInput.path. */
  capture: string;
  status: Exclude<InputStatus, 'ok'>;
  /** Vendors listing the capture, sorted: every claim of theirs carries a capture_* reason. */
  vendors: string[];
  /** `capture_missing`, or the code of the reader's warning that stopped reading (truncated) or of its first
   *  warning (damaged). */
  code: string;
  /** Byte offset in the (decompressed) capture stream where reading stopped (truncated) or the first damage was
   *  met (damaged), where known. */
  offset?: number;
  message: string;
  /** Warnings the reader reported for this capture. */
  warnings: number;
}

/** Per-source geolocation answer for one address. */
export interface ReportGeoSource {
  source: string;
  country?: string;
  city?: string;
  /** Where this source places the address (the map marks it as ruled out when `physical` is impossible). */
  lat?: number;
  lon?: number;
  physical?: 'plausible' | 'impossible';
  /** When a measurement rules this position out: the measurements whose discs exclude it (farthest beyond first;
   *  at most REPORT_MAX_MEASUREMENTS_CITED). */
  ruled_out_by?: MeasurementRef[];
}

/** One flow as reports show it (the flows CSV, and the evidence of a claim). */
export interface ReportFlow {
  /** Input path (ReportInput.path) of the capture holding the flow. */
  capture: string;
  capture_sha256: string;
  flow_id: number;
  /** Zeek-style connection uid (pivot to Zeek, Suricata, Arkime); absent when the input gave none. */
  uid?: string;
  /** Community ID v1 of the flow's 5-tuple. */
  community_id?: string;
  /** Device label: the claims file's `devices:` name for the client, else the client IP (+ MAC). */
  device: string;
  app?: string;
  transport: 'tcp' | 'udp';
  client_ip: string;
  client_port: number;
  client_mac?: string;
  server_ip: string;
  server_port: number;
  hostname?: string;
  /** What named the flow; `network` when it has no name and the vendor's own network (claims `networks:`) tied it. */
  name_source?: NameSource | 'network';
  sni?: string;
  quic?: string;
  http_host?: string;
  dns_qname?: string;
  cname_chain?: string[];
  ech?: boolean;
  /** Absent for flows read from logs. */
  first_frame?: number;
  first_seen: number;
  last_seen: number;
  packets_up: number;
  packets_down: number;
  bytes_up: number;
  bytes_down: number;
  /** The name (or a CNAME of it) belongs to one of the vendor's first-party registrable domains. */
  first_party: boolean;
  /** How first-party was decided: by a name of the flow, or (flows without any name) because the same client
   *  reached the same non-edge server address under a first-party name in the same capture (`address`), or
   *  because the server is on one of the vendor's own networks listed in the claims file (`network`). */
  first_party_via?: 'name' | 'address' | 'network';
  /** Set when the flow's name is hidden from the auditor. */
  hidden?: HiddenReason;
  country?: string;
  country_agreement?: CountryAgreement;
  /** `rtt` when the handshake RTT settled a dispute between geolocation sources (see the flows' field). */
  country_settled_by?: 'rtt';
  geo_sources: ReportGeoSource[];
  city?: string;
  lat?: number;
  lon?: number;
  asn?: number;
  as_org?: string;
  provider?: string;
  region?: string;
  edge: boolean;
  /** The measurements show the address answering from several places: treated as an edge, and why. */
  anycast?: AnycastEvidence;
  rtt_ms?: number;
  physical: 'plausible' | 'impossible' | 'unchecked';
}

/** A flow cited as evidence for a verdict, with how it compares to each part of the claim. */
export interface EvidenceFlow extends ReportFlow {
  status: FlowStatus;
  country_status: PartStatus;
  provider_status: PartStatus;
  region_status: PartStatus;
  /** The claimed country is physically impossible from the vantage given this flow's RTT. */
  claimed_location_impossible: boolean;
}

export interface ReportClaim {
  id: string;
  text: string;
  scope: 'first-party' | 'all';
  /** The claimed country as written (a code, a group such as `EU`, or a list joined by ", "). */
  country?: string;
  /** The ISO codes a list or group stands for, sorted; absent when the claim names one country. */
  countries?: string[];
  provider?: string;
  region?: string;
  verdict: Verdict;
  /** Sorted by the engine's fixed reason order (most decisive first). */
  reasons: Reason[];
  totals: ClaimTotals;
  /** Sorted: inconsistent, unknown, consistent; then bytes_up descending, capture, flow_id. Capped (see limits). */
  evidence: EvidenceFlow[];
  /** In-scope flows not listed in `evidence` because of the cap. */
  evidence_omitted: number;
  /** Which naming source accounts for the claim's in-scope + hidden upload. */
  coverage: FlowCoverage;
  /** False when a capture of the vendor is missing, truncated or damaged, or when the memory budget touched one and
   *  upload without names weighs in an undecided verdict (the reasons then name it). */
  evidence_complete: boolean;
}

/** Aggregate per destination (server IP + hostname) for the map, charts and destinations CSV. */
export interface ReportDestination {
  server_ip: string;
  hostname?: string;
  flows: number;
  bytes_up: number;
  bytes_down: number;
  first_party: boolean;
  country?: string;
  country_agreement?: CountryAgreement;
  /** `rtt` when the handshake RTT settled the sources' dispute (as on the flows). */
  country_settled_by?: 'rtt';
  /** Sorted by source id. */
  geo_sources: ReportGeoSource[];
  lat?: number;
  lon?: number;
  provider?: string;
  region?: string;
  edge: boolean;
  /** As on the flows. */
  anycast?: AnycastEvidence;
  physical: 'plausible' | 'impossible' | 'unchecked';
  /** Worst status across the vendor's claims that cover this destination; `out_of_scope` when none does. */
  consistency: FlowStatus | 'out_of_scope';
  /** Per claim covering it, sorted by claim id. */
  claims: { id: string; status: FlowStatus }[];
}

export interface ReportDevice {
  /** Same label as ReportFlow.device. */
  label: string;
  client_ip: string;
  client_mac?: string;
  flows: number;
  bytes_up: number;
  bytes_down: number;
  /** App package names seen (PCAPdroid), sorted. */
  apps: string[];
}

export interface ReportVendor {
  name: string;
  first_party: string[];
  /** The vendor's own networks as the claims file lists them (absent when it lists none). */
  networks?: { asns: number[]; orgs: string[]; prefixes: string[] };
  /** Input paths (ReportInput.path), sorted. */
  captures: string[];
  /** Claims in the order the claims file lists them. */
  claims: ReportClaim[];
  /** The REPORT_MAX_DESTINATIONS destinations with the most upload, sorted by bytes_up descending, then server_ip,
   *  then hostname. Every flow of the vendor's captures is in flows.csv. */
  destinations: ReportDestination[];
  /** Destinations not listed because of the cap (their flows count in `totals`, `bytes_by_*` and the claims). */
  destinations_omitted: number;
  /** The REPORT_MAX_DEVICES devices with the most upload, sorted by label. */
  devices: ReportDevice[];
  /** Devices not listed because of the cap. */
  devices_omitted: number;
  /** Upload bytes per consensus country (`??` unknown), sorted by bytes_up descending then key. */
  bytes_by_country: { key: string; bytes_up: number; flows: number }[];
  /** Upload bytes per provider (`unknown` when none), sorted like bytes_by_country. */
  bytes_by_provider: { key: string; bytes_up: number; flows: number }[];
  totals: ByteFlowCount;
  /** Which naming source accounts for the vendor's non-local upload. */
  coverage: FlowCoverage;
}

export interface ReportOptions {
  /** Thresholds used by the verdict engine (names as in src/limits.ts). */
  thresholds: Record<string, number>;
  /** Output formats requested. */
  formats: string[];
  /** Geolocation data directory used, when not the default. */
  geo_dir?: string;
}

export interface ReportModel {
  schema: typeof REPORT_SCHEMA;
  /** ISO 8601 UTC: the only field that differs between two runs on the same inputs. */
  generated_at: string;
  tool: { name: 'residency'; version: string; options: ReportOptions };
  claims_file: { path: string; sha256: string };
  /** Sorted by path. */
  inputs: ReportInput[];
  /** Inputs that are missing, truncated or damaged, sorted by capture path. Empty when every input read cleanly. */
  problems: InputProblem[];
  /** Captures the memory budget touched, sorted by capture path; absent when none did. Not problems: the captures
   *  were read to their end and every byte was counted (src/audit/VERDICTS.md, "Memory budget"). */
  budget_effects?: BudgetEffect[];
  /** Sorted by source id. */
  geo_sources: GeoProvenance[];
  vantage?: Vantage;
  /** Labs and RIPE Atlas probes whose measurements bear on a destination (labs first, then by id). Present when
   *  the claims file names `vantages:` or `measurements:`. */
  vantage_points?: ReportVantagePoint[];
  /** The claims file's measurement files, in its order, with their SHA-256 (inputs, like the captures). */
  measurement_files?: ReportMeasurementFile[];
  /** Destination addresses measured from at least two vantage points, by upload bytes (at most
   *  REPORT_MAX_FEASIBLE_REGIONS; the rest counted in `feasible_regions_omitted`). */
  feasible_regions?: ReportFeasibleRegion[];
  feasible_regions_omitted?: number;
  /** In the order the claims file lists them. */
  vendors: ReportVendor[];
  summary: {
    confirmed: number;
    refuted: number;
    inconclusive: number;
    unobservable: number;
    /** The exit code `audit` returns for this report (see src/errors.ts EXIT). */
    exit_code: number;
  };
}
