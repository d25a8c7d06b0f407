// The audit over the case store, in bounded memory: per vendor, SQL groups the vendor's flows into groups of like
// flows (same capture, client, app, server address and port, transport, names, geolocation), with their count
// and byte sums; TypeScript judges each group once with the same functions a flow-by-flow audit uses
// (model-builder.ts firstPartyVia/reportFlow, coverage.ts, verdict.ts ClaimDecision) and writes what it decided
// into TEMP tables; destinations, devices and the evidence flows per claim then come back from SQL, bounded
// (REPORT_MAX_DESTINATIONS, REPORT_MAX_DEVICES, MAX_EVIDENCE_FLOWS_PER_CLAIM), and flows.csv streams from the store.
// Memory holds one page of groups (AUDIT_GROUP_PAGE_ROWS) and the per-claim accumulators, never every flow.
//
// A destination's RTT (capture, server address) is the smallest handshake RTT of its flows in that capture: the
// fastest handshake bounds the distance best (VERDICTS.md). With measurements (vantage-check.ts) each destination
// of a capture is judged once (VantageCheck.destination, with the capture's lab and that RTT), kept in a TEMP table
// for the groups of later pages. Portable SQL only (src/store/README.md).

import {
  AUDIT_GROUP_PAGE_ROWS,
  MAX_EVIDENCE_FLOWS_PER_CLAIM,
  REPORT_MAX_DESTINATIONS,
  REPORT_MAX_DEVICES,
} from '../limits.js';
import type { SqlRow, SqlSession, SqlValue } from '../store/store.js';
import { flowFromRow, type StoredFlow } from '../store/records.js';
import type { FlowGeoFields, GeoPlace, GeoSourceAnswer } from '../types.js';
import { DeviceNamer, isLocalFlow } from './attribution.js';
import type { Claim, VendorSpec } from './claims.js';
import { coverageSource, CoverageTally } from './coverage.js';
import { FirstPartyMatcher } from './first-party.js';
import {
  applyPhysics,
  assembleModel,
  firstPartyVia,
  modelFrame,
  reportClaim,
  reportFlow,
  reportGeoSources,
  type FrameCapture,
  type ModelInput,
  type ModelVantage,
} from './model-builder.js';
import type { DestinationPhysics } from './vantage-check.js';
import { captureMeasurement, type Measurement } from '../vantage/index.js';
import { observedProviderId } from './provider-ids.js';
import type {
  CoverageSource,
  EvidenceFlow,
  FlowStatus,
  InputProblem,
  PartStatus,
  ReportClaim,
  ReportDestination,
  ReportDevice,
  ReportFlow,
  ReportModel,
  ReportVendor,
} from './report-model.js';
import { ClaimDecision, physicalCheckUnavailable, sortReasons, STATUS_RANK, type VerdictFlow, type VerdictOptions, type VerdictResult } from './verdict.js';
import { VendorNetworkMatcher } from './vendor-networks.js';

/** A stored capture as the audit reads it. */
export interface AggregateCapture extends FrameCapture {
  /** Why its handshakes are synthesised on the device (RTTs then say nothing about distance), if they are. */
  synthesized?: string;
  /** Taken at the claims file's `vantage` lab: its RTTs feed the one-lab rule (ApplyVantage); else only measurements. */
  atDefaultLab?: boolean;
}

/** Why an input's flows cannot have their location checked against a handshake RTT, if they cannot. */
export function noPhysics(c: AggregateCapture): string | undefined {
  const f = c.stored.format;
  if (f === 'zeek-tsv' || f === 'zeek-json') return 'Zeek logs carry no handshake RTT';
  if (f === 'suricata-eve') return 'Suricata eve.json carries no handshake RTT';
  if (c.synthesized !== undefined) return 'handshakes synthesised on the device';
  return undefined;
}

/** A flow_geo row (vantage-independent) as stored. */
export interface StoredGeo extends GeoPlace {
  country_agreement?: FlowGeoFields['country_agreement'];
  edge: boolean;
  geo_sources?: GeoSourceAnswer[];
  range_provider?: string;
}

/** The vantage-dependent part (pipeline/back-half.ts): a stored result with the physical check for an RTT. */
export type ApplyVantage = (geo: StoredGeo | FlowGeoFields, rttMs: number | undefined, synthesized: boolean) => FlowGeoFields;

export interface AggregateInput extends Omit<ModelInput, 'captures' | 'vantage'> {
  captures: AggregateCapture[];
  applyVantage: ApplyVantage;
  /** The audit's measurements given the captures' own (each one's fastest handshake per destination from its lab). */
  vantage?: (own: Measurement[]) => ModelVantage;
  /** Filled with the published-range provider of the group being judged (verdictOptions.providerOrigin reads it). */
  rangeProvider?: Map<string, string | undefined>;
}

export interface AggregateResult {
  model: ReportModel;
  results: { vendor: string; claim: Claim; result: Omit<VerdictResult, 'evidence'>; evidence: EvidenceFlow[] }[];
  /** Vendor i's flows in report order (capture, flow_id), streamed from the store: valid inside the same session. */
  flows: (vendorIndex: number) => AsyncIterable<ReportFlow>;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const STATUS_OF_RANK: FlowStatus[] = ['inconsistent', 'unknown', 'consistent'];
const PHYSICAL_RANK = { unchecked: 0, plausible: 1, impossible: 2 } as const;
const PHYSICAL_OF_RANK = ['unchecked', 'plausible', 'impossible'] as const;

/** Columns that make flows alike for every rule: a group is one value of all of them. */
const GROUP_KEY = [
  'capture_id', 'client_ip', 'client_mac', 'app', 'transport', 'server_ip', 'server_port', 'hostname', 'name_source', 'sni', 'quic',
  'http_host', 'dns_qname', 'cname_chain', 'ech', 'anomalies', 'geo_id',
] as const;
/**
 * The group key of a `flows` row (alias `f`) as one text value, unambiguous whatever the names hold: each column as
 * `<length>:<text>`, `-` for NULL (numbers cast to text first: PostgreSQL has no length() of an integer). Lets
 * every flow find its group by one indexed equality.
 */
const GROUP_KEY_TEXT = GROUP_KEY.map((k) => `COALESCE(length(CAST(f.${k} AS TEXT)) || ':' || CAST(f.${k} AS TEXT), '-')`).join(` || '|' || `);

const TEMP_TABLES = ['audit_caps', 'audit_vcaps', 'audit_rtt', 'audit_phys', 'audit_grp', 'audit_grp_name', 'audit_fp_pair', 'audit_grp_attr', 'audit_grp_judge', 'audit_flow_gid'];

async function createTempTables(q: SqlSession): Promise<void> {
  for (const t of TEMP_TABLES) await q.run(`DROP TABLE IF EXISTS ${t}`);
  await q.run(
    'CREATE TEMP TABLE audit_caps (capture_id INTEGER PRIMARY KEY, crank INTEGER NOT NULL, label TEXT NOT NULL, sha256 TEXT NOT NULL, synthesized INTEGER NOT NULL, no_physics TEXT, default_lab INTEGER NOT NULL)',
  );
  await q.run('CREATE TEMP TABLE audit_vcaps (vidx INTEGER NOT NULL, capture_id INTEGER NOT NULL, PRIMARY KEY (vidx, capture_id))');
  await q.run(
    'CREATE TEMP TABLE audit_rtt (capture_id INTEGER NOT NULL, server_ip TEXT NOT NULL, rtt_ms REAL, first_flow INTEGER NOT NULL, rtt_flow INTEGER, PRIMARY KEY (capture_id, server_ip))',
  );
  await q.run('CREATE TEMP TABLE audit_phys (vidx INTEGER NOT NULL, capture_id INTEGER NOT NULL, server_ip TEXT NOT NULL, physics TEXT NOT NULL, PRIMARY KEY (vidx, capture_id, server_ip))');
  await q.run(
    `CREATE TEMP TABLE audit_grp (gid INTEGER PRIMARY KEY, vidx INTEGER NOT NULL, crank INTEGER NOT NULL, capture_id INTEGER NOT NULL,
       client_ip TEXT NOT NULL, client_mac TEXT, app TEXT, transport TEXT NOT NULL, server_ip TEXT NOT NULL, server_port INTEGER NOT NULL,
       hostname TEXT, name_source TEXT, sni TEXT, quic TEXT, http_host TEXT, dns_qname TEXT, cname_chain TEXT, ech INTEGER, anomalies TEXT,
       geo_id INTEGER, flows INTEGER NOT NULL, bytes_up INTEGER NOT NULL, bytes_down INTEGER NOT NULL, first_flow INTEGER NOT NULL, gkey TEXT NOT NULL)`,
  );
  await q.run('CREATE INDEX audit_grp_key ON audit_grp (vidx, gkey)');
  await q.run('CREATE INDEX audit_grp_page ON audit_grp (vidx, gid)');
  await q.run('CREATE TEMP TABLE audit_grp_name (gid INTEGER PRIMARY KEY, fp_name INTEGER NOT NULL)');
  await q.run('CREATE TEMP TABLE audit_fp_pair (vidx INTEGER NOT NULL, capture_id INTEGER NOT NULL, client_ip TEXT NOT NULL, server_ip TEXT NOT NULL, PRIMARY KEY (vidx, capture_id, client_ip, server_ip))');
  await q.run(
    `CREATE TEMP TABLE audit_grp_attr (gid INTEGER PRIMARY KEY, vidx INTEGER NOT NULL, local INTEGER NOT NULL, first_party INTEGER NOT NULL,
       via TEXT, device TEXT NOT NULL, physical INTEGER NOT NULL, dest_key TEXT NOT NULL, geo TEXT NOT NULL, phys_view TEXT)`,
  );
  await q.run(
    `CREATE TEMP TABLE audit_grp_judge (gid INTEGER NOT NULL, vidx INTEGER NOT NULL, claim INTEGER NOT NULL, hidden INTEGER NOT NULL,
       status INTEGER NOT NULL, country_status TEXT NOT NULL, provider_status TEXT NOT NULL, region_status TEXT NOT NULL, impossible INTEGER NOT NULL,
       PRIMARY KEY (gid, claim))`,
  );
  await q.run('CREATE INDEX audit_grp_judge_claim ON audit_grp_judge (vidx, claim, hidden, status)');
  await q.run('CREATE INDEX audit_grp_attr_dest ON audit_grp_attr (vidx, dest_key)');
  await q.run('CREATE INDEX audit_grp_attr_device ON audit_grp_attr (vidx, device)');
  await q.run('CREATE TEMP TABLE audit_flow_gid (vidx INTEGER NOT NULL, capture_id INTEGER NOT NULL, flow_id INTEGER NOT NULL, gid INTEGER NOT NULL, PRIMARY KEY (vidx, capture_id, flow_id))');
  await q.run('CREATE INDEX audit_flow_gid_gid ON audit_flow_gid (gid)');
}

function opt<T>(v: SqlValue | undefined): T | undefined {
  return v === null || v === undefined ? undefined : (v as T);
}

/** A flow_geo row (columns prefixed `g_`) as StoredGeo; undefined when the flow has none. */
function storedGeo(r: SqlRow): StoredGeo | undefined {
  if (r.g_edge === null || r.g_edge === undefined) return undefined;
  const g: StoredGeo = { edge: r.g_edge === 1 };
  const set = <K extends keyof StoredGeo>(k: K, v: StoredGeo[K] | undefined): void => {
    if (v !== undefined) g[k] = v;
  };
  set('country', opt(r.g_country));
  set('country_agreement', opt(r.g_country_agreement));
  set('city', opt(r.g_city));
  set('lat', opt(r.g_lat));
  set('lon', opt(r.g_lon));
  set('asn', opt(r.g_asn));
  set('as_org', opt(r.g_as_org));
  set('provider', opt(r.g_provider));
  set('region', opt(r.g_region));
  set('region_source', opt(r.g_region_source));
  set('geo_sources', r.g_geo_sources === null || r.g_geo_sources === undefined ? undefined : (JSON.parse(r.g_geo_sources as string) as GeoSourceAnswer[]));
  set('range_provider', opt(r.g_range_provider));
  return g;
}

const GEO_SELECT = `geo.country AS g_country, geo.country_agreement AS g_country_agreement, geo.city AS g_city, geo.lat AS g_lat, geo.lon AS g_lon,
  geo.asn AS g_asn, geo.as_org AS g_as_org, geo.provider AS g_provider, geo.region AS g_region, geo.region_source AS g_region_source,
  geo.edge AS g_edge, geo.geo_sources AS g_geo_sources, geo.range_provider AS g_range_provider`;

/** Geo fields without undefined values (so that spreading them never hides a field). */
function definedGeo(g: FlowGeoFields): FlowGeoFields {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(g)) if (v !== undefined) out[k] = v;
  return out as FlowGeoFields;
}

/** Pages of `sql` (which must select `gid` and end with `AND g.gid > ? ORDER BY g.gid LIMIT ?`), bound after `params`. */
async function* pages(q: SqlSession, sql: string, params: readonly SqlValue[]): AsyncIterableIterator<SqlRow[]> {
  let last = 0;
  for (;;) {
    const rows = await q.all(sql, [...params, last, AUDIT_GROUP_PAGE_ROWS]);
    if (rows.length === 0) return;
    yield rows;
    last = rows[rows.length - 1].gid as number;
    if (rows.length < AUDIT_GROUP_PAGE_ROWS) return;
  }
}

/** The flows table's own geo columns (schema 1, no longer written): read as absent. */
const NO_FLOW_GEO: SqlRow = {
  country: null, country_agreement: null, city: null, lat: null, lon: null, asn: null, as_org: null, provider: null, region: null,
  region_source: null, edge: null, physical: null, geo_sources: null,
};

/** A group's representative flow: its key fields, summed counters and the geolocation as the vantage sees it. */
function groupFlow(r: SqlRow, geo: FlowGeoFields): StoredFlow {
  const f = flowFromRow({
    ...r,
    flow_id: r.first_flow,
    ip_version: String(r.server_ip).includes(':') ? 6 : 4,
    client_port: 0,
    first_seen: 0,
    last_seen: 0,
    packets_up: 0,
    packets_down: 0,
    payload_up: -1,
    payload_down: -1,
    first_frame: 0,
    end_reason: '',
    tcp_flags: null,
    rtt_ms: null,
    uid: null,
    community_id: null,
    dns_uid: null,
    dns_frame: null,
    vlan: null,
    quic_version: null,
    rtt_source: null,
    alpn: null,
    tls_versions: null,
    app_uid: null,
    ...NO_FLOW_GEO,
  });
  return { ...f, ...definedGeo(geo) };
}

interface VendorTallies {
  totals: { flows: number; bytes_up: number; bytes_down: number };
  coverage: CoverageTally;
  byCountry: Map<string, { bytes_up: number; flows: number }>;
  byProvider: Map<string, { bytes_up: number; flows: number }>;
}

/** Builds the report model from the store (see module comment). Runs on one session: TEMP tables live there. */
export async function buildReportFromStore(q: SqlSession, input: AggregateInput): Promise<AggregateResult> {
  const { caps, missing, problems, budget } = modelFrame(input.captures, input.missing);
  // One read transaction: a consistent view of the store, and the TEMP tables written without a commit each.
  await q.run('BEGIN');
  try {
    return await buildInTransaction(q, input, caps, missing, problems, budget);
  } finally {
    await q.run('COMMIT');
  }
}

async function buildInTransaction(
  q: SqlSession,
  input: AggregateInput,
  caps: AggregateCapture[],
  missing: ReturnType<typeof modelFrame>['missing'],
  problems: InputProblem[],
  budget: ReturnType<typeof modelFrame>['budget'],
): Promise<AggregateResult> {
  await createTempTables(q);
  await q.insertRows(
    'audit_caps',
    ['capture_id', 'crank', 'label', 'sha256', 'synthesized', 'no_physics', 'default_lab'],
    caps.map((c, i) => [c.stored.id, i, c.label, c.stored.sha256, c.synthesized !== undefined ? 1 : 0, noPhysics(c) ?? null, c.atDefaultLab === false ? 0 : 1]),
    { ignoreConflicts: true },
  );
  // The smallest handshake RTT per (capture, server address), and the first flow that measured it.
  await q.run(
    `INSERT INTO audit_rtt (capture_id, server_ip, rtt_ms, first_flow)
     SELECT f.capture_id, f.server_ip, MIN(f.rtt_ms), MIN(f.flow_id) FROM flows f JOIN audit_caps c ON c.capture_id = f.capture_id
     GROUP BY f.capture_id, f.server_ip`,
  );
  const vantage = input.vantage?.(await ownMeasurements(q, caps));

  const vendors: ReportVendor[] = [];
  const results: AggregateResult['results'] = [];
  for (let vidx = 0; vidx < input.claims.vendors.length; vidx++) {
    const spec = input.claims.vendors[vidx];
    const vcaps = caps.filter((c) => c.vendors.includes(spec.name));
    await q.insertRows('audit_vcaps', ['vidx', 'capture_id'], vcaps.map((c) => [vidx, c.stored.id]), { ignoreConflicts: true });
    const built = await aggregateVendor(q, vidx, spec, input, vantage, problems.filter((p) => p.vendors.includes(spec.name)), [
      ...vcaps.map((c) => c.label),
      ...missing.filter((m) => m.vendors.includes(spec.name)).map((m) => m.label),
    ], budget.filter((b) => b.vendors.includes(spec.name)));
    vendors.push(built.vendor);
    results.push(...built.results);
  }
  const model = assembleModel({ ...input, vantage }, caps, missing, problems, vendors, results, budget);
  const namers = input.claims.vendors.map((v) => new DeviceNamer(v.devices));
  return { model, results, flows: (vidx) => vendorFlows(q, vidx, namers[vidx]) };
}

/**
 * Each capture's fastest handshake per public destination from its own lab, as measurements (none for a capture
 * without a lab, with synthesised handshakes, or for private addresses), in capture then first-flow order.
 */
async function ownMeasurements(q: SqlSession, caps: readonly AggregateCapture[]): Promise<Measurement[]> {
  await q.run(
    `UPDATE audit_rtt SET rtt_flow = (SELECT MIN(f.flow_id) FROM flows f
       WHERE f.capture_id = audit_rtt.capture_id AND f.server_ip = audit_rtt.server_ip AND f.rtt_ms = audit_rtt.rtt_ms)
     WHERE rtt_ms IS NOT NULL`,
  );
  const byId = new Map(caps.map((c) => [c.stored.id, c]));
  const out: Measurement[] = [];
  for await (const r of q.iterate(
    `SELECT r.capture_id AS capture_id, r.server_ip AS server_ip, r.rtt_ms AS rtt_ms, r.rtt_flow AS rtt_flow
     FROM audit_rtt r JOIN audit_caps c ON c.capture_id = r.capture_id
     WHERE r.rtt_ms IS NOT NULL AND r.rtt_ms >= 0 AND c.synthesized = 0
       AND NOT EXISTS (SELECT 1 FROM flows f JOIN flow_geo g ON g.capture_id = f.capture_id AND g.geo_id = f.geo_id
         WHERE f.capture_id = r.capture_id AND f.server_ip = r.server_ip AND g.country_agreement = 'private')
     ORDER BY c.crank, r.first_flow`,
  )) {
    const c = byId.get(r.capture_id as number);
    if (c?.lab === undefined) continue;
    const m = captureMeasurement(c.lab, r.server_ip as string, r.rtt_ms as number, { file: c.label, flow: r.rtt_flow as number });
    if (m !== undefined) out.push(m);
  }
  return out;
}

/** A flow's fields the physics changes (applyPhysics), as stored per group: null for a field it removed. */
const PHYS_FIELDS = ['country', 'city', 'lat', 'lon', 'country_agreement', 'country_settled_by', 'physical', 'edge', 'anycast', 'region', 'geo_sources'] as const;

function physView(rf: ReportFlow): string {
  const out: Record<string, unknown> = {};
  for (const k of PHYS_FIELDS) out[k] = rf[k] ?? null;
  return JSON.stringify(out);
}

/** A stored view's fields as geolocation (a removed field undefined, so it hides the stored one). */
function definedView(view: Partial<ReportFlow> | undefined): Partial<FlowGeoFields> {
  if (view === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const k of ['country', 'city', 'lat', 'lon', 'country_agreement', 'country_settled_by', 'edge', 'region'] as const) out[k] = view[k] ?? undefined;
  return out as Partial<FlowGeoFields>;
}

function applyPhysView(rf: ReportFlow, view: string): void {
  const v = JSON.parse(view) as Record<string, unknown>;
  const o = rf as unknown as Record<string, unknown>;
  for (const k of PHYS_FIELDS) {
    if (v[k] === null || v[k] === undefined) delete o[k];
    else o[k] = v[k];
  }
}

async function aggregateVendor(
  q: SqlSession,
  vidx: number,
  spec: VendorSpec,
  input: AggregateInput,
  vantage: ModelVantage | undefined,
  problems: readonly InputProblem[],
  captureLabels: string[],
  budget: ReturnType<typeof modelFrame>['budget'] = [],
): Promise<{ vendor: ReportVendor; results: AggregateResult['results'] }> {
  const opts: Partial<VerdictOptions> = input.verdictOptions ?? {};
  const namer = new DeviceNamer(spec.devices);
  const fp = new FirstPartyMatcher(spec.first_party);
  const networks = new VendorNetworkMatcher(spec.networks);
  const labOf = new Map(input.captures.map((c) => [c.stored.id, c.lab]));

  // The groups, numbered in report order.
  const base = Number((await q.get<{ m: number | null }>('SELECT MAX(gid) AS m FROM audit_grp'))?.m ?? 0);
  const key = GROUP_KEY.map((k) => `f.${k}`).join(', ');
  await q.run(
    `INSERT INTO audit_grp (gid, vidx, crank, ${GROUP_KEY.join(', ')}, flows, bytes_up, bytes_down, first_flow, gkey)
     SELECT ? + ROW_NUMBER() OVER (ORDER BY c.crank, MIN(f.flow_id)), ?, c.crank, ${key}, COUNT(*), SUM(f.bytes_up), SUM(f.bytes_down), MIN(f.flow_id),
       ${GROUP_KEY_TEXT}
     FROM flows f JOIN audit_vcaps v ON v.capture_id = f.capture_id AND v.vidx = ? JOIN audit_caps c ON c.capture_id = f.capture_id
     GROUP BY c.crank, ${key}`,
    [base, vidx, vidx],
  );

  // Pass 1: which groups are first-party by a name; then the (client, server) pairs such a group reached off an
  // edge, which make unnamed flows on the same pair first-party too (`address`).
  const groupSql = `SELECT g.*, ${GEO_SELECT}, c.synthesized AS synthesized, c.no_physics AS no_physics, c.label AS cap_label, c.default_lab AS default_lab, r.rtt_ms AS dest_rtt, r.rtt_flow AS dest_rtt_flow
    FROM audit_grp g JOIN audit_caps c ON c.capture_id = g.capture_id
    LEFT JOIN flow_geo geo ON geo.capture_id = g.capture_id AND geo.geo_id = g.geo_id
    LEFT JOIN audit_rtt r ON r.capture_id = g.capture_id AND r.server_ip = g.server_ip
    WHERE g.vidx = ? AND g.gid > ? ORDER BY g.gid LIMIT ?`;
  for await (const page of pages(q, groupSql, [vidx])) {
    const rows: SqlValue[][] = [];
    for (const r of page) {
      const f = groupFlow(r, input.applyVantage(storedGeo(r) ?? { edge: false }, undefined, false));
      rows.push([r.gid, fp.matchesFlow(f) && f.edge !== true ? 1 : 0]);
    }
    await q.insertRows('audit_grp_name', ['gid', 'fp_name'], rows);
  }
  await q.run(
    `INSERT INTO audit_fp_pair (vidx, capture_id, client_ip, server_ip)
     SELECT DISTINCT ?, g.capture_id, g.client_ip, g.server_ip FROM audit_grp g JOIN audit_grp_name n ON n.gid = g.gid
     WHERE g.vidx = ? AND n.fp_name = 1`,
    [vidx, vidx],
  );

  // Pass 2: attribute and judge every group once per claim.
  const decisions = spec.claims.map((c) => new ClaimDecision(c, opts));
  const claimCoverage = spec.claims.map(() => new CoverageTally());
  /** Per claim, in-scope upload from inputs without a handshake RTT, per input (only with a vantage). */
  const unchecked = spec.claims.map(() => new Map<string, { bytes: number; why: string }>());
  /** A lab or measurement files were given: physics is expected to bound every destination. */
  const physicsExpected = input.claims.vantage !== undefined || vantage?.detailed === true;
  const t: VendorTallies = { totals: { flows: 0, bytes_up: 0, bytes_down: 0 }, coverage: new CoverageTally(), byCountry: new Map(), byProvider: new Map() };
  const pairSql = groupSql.replace(
    'WHERE g.vidx = ?',
    `LEFT JOIN audit_fp_pair p ON p.vidx = g.vidx AND p.capture_id = g.capture_id AND p.client_ip = g.client_ip AND p.server_ip = g.server_ip
     WHERE g.vidx = ?`,
  ).replace('SELECT g.*,', 'SELECT g.*, p.vidx AS on_pair,');
  for await (const page of pages(q, pairSql, [vidx])) {
    const attrs: SqlValue[][] = [];
    const judged: SqlValue[][] = [];
    // The physics of the page's destinations judged on earlier pages; those judged now, to store after the page.
    const physics = new Map<string, DestinationPhysics>();
    const fresh: SqlValue[][] = [];
    if (vantage !== undefined) {
      const known = await q.all(
        `SELECT DISTINCT p.capture_id AS capture_id, p.server_ip AS server_ip, p.physics AS physics
         FROM audit_grp g JOIN audit_phys p ON p.vidx = g.vidx AND p.capture_id = g.capture_id AND p.server_ip = g.server_ip
         WHERE g.vidx = ? AND g.gid >= ? AND g.gid <= ?`,
        [vidx, page[0].gid, page[page.length - 1].gid],
      );
      for (const k of known) physics.set(`${k.capture_id} ${k.server_ip}`, JSON.parse(k.physics as string) as DestinationPhysics);
    }
    for (const r of page) {
      const synthesized = r.synthesized === 1;
      const rtt = synthesized ? undefined : opt<number>(r.dest_rtt);
      const stored = storedGeo(r);
      const geo = input.applyVantage(stored ?? { edge: false }, r.default_lab === 1 ? rtt : undefined, synthesized);
      const f = groupFlow(r, geo);
      input.rangeProvider?.clear();
      input.rangeProvider?.set(f.server_ip, stored?.range_provider);
      const via = firstPartyVia(f, fp, r.on_pair !== null && r.on_pair !== undefined, networks);
      const rf = reportFlow({ label: '', sha256: '' }, f, namer, via);
      const local = isLocalFlow(rf);
      let p: DestinationPhysics | undefined;
      if (vantage !== undefined && !local) {
        // The physical rule, once per destination address of the capture (VantageCheck.destination).
        const key = `${r.capture_id} ${f.server_ip}`;
        p = physics.get(key);
        if (p === undefined) {
          const lab = labOf.get(r.capture_id as number);
          const min = synthesized || lab === undefined ? undefined : rtt;
          p = vantage.check.destination({
            server_ip: f.server_ip,
            lab,
            min_rtt_ms: min,
            rtt_source: min === undefined ? undefined : { file: r.cap_label as string, flow: r.dest_rtt_flow as number },
            sources: f.geo_sources ?? [],
            claims: spec.claims,
          });
          physics.set(key, p);
          fresh.push([vidx, r.capture_id, f.server_ip, JSON.stringify(p)]);
        }
        applyPhysics(rf, f, p, vantage.nearestRegion);
      }
      const flows = r.flows as number;
      const up = r.bytes_up as number;
      const down = r.bytes_down as number;
      const vf: VerdictFlow = { ...rf, bytes_up: up, bytes_down: down, local };
      if (p !== undefined) vf.place_refutations = p.refuted;
      if (rtt !== undefined) vf.rtt_ms = rtt;
      else delete vf.rtt_ms;
      const source: CoverageSource = coverageSource({ ...f, bytes_up: up, first_party_via: rf.first_party_via });
      t.totals.flows += flows;
      t.totals.bytes_up += up;
      t.totals.bytes_down += down;
      if (!vf.local) {
        t.coverage.add(source, up, flows);
        for (const [map, k] of [[t.byCountry, rf.country ?? '??'], [t.byProvider, rf.provider ?? 'unknown']] as const) {
          const e = map.get(k) ?? { bytes_up: 0, flows: 0 };
          e.bytes_up += up;
          e.flows += flows;
          map.set(k, e);
        }
      }
      spec.claims.forEach((_, i) => {
        const j = decisions[i].add(vf, flows);
        if (j === undefined) return;
        claimCoverage[i].add(source, up, flows);
        // One rule for every input: nothing bounds the destination (no usable handshake RTT in any capture, no
        // measurement file), so physics did not check it; logs and synthesised handshakes say why they measured none.
        if (physicsExpected && p?.status === 'unmeasured' && !j.hidden && up > 0) {
          const why = typeof r.no_physics === 'string' ? r.no_physics : 'no handshake RTT to these addresses';
          const e = unchecked[i].get(r.cap_label as string) ?? { bytes: 0, why };
          e.bytes += up;
          unchecked[i].set(r.cap_label as string, e);
        }
        judged.push([r.gid, vidx, i, j.hidden ? 1 : 0, STATUS_RANK[j.status], j.country_status, j.provider_status, j.region_status, j.claimed_location_impossible ? 1 : 0]);
      });
      attrs.push([
        r.gid, vidx, vf.local ? 1 : 0, rf.first_party ? 1 : 0, via ?? null, rf.device, PHYSICAL_RANK[rf.physical],
        `${rf.server_ip} ${rf.hostname ?? ''}`, JSON.stringify(definedGeo(geo)), p !== undefined ? physView(rf) : null,
      ]);
    }
    await q.insertRows('audit_phys', ['vidx', 'capture_id', 'server_ip', 'physics'], fresh);
    await q.insertRows('audit_grp_attr', ['gid', 'vidx', 'local', 'first_party', 'via', 'device', 'physical', 'dest_key', 'geo', 'phys_view'], attrs);
    await q.insertRows('audit_grp_judge', ['gid', 'vidx', 'claim', 'hidden', 'status', 'country_status', 'provider_status', 'region_status', 'impossible'], judged);
  }

  // Every flow's group (for the evidence and flows.csv).
  await q.run(
    `INSERT INTO audit_flow_gid (vidx, capture_id, flow_id, gid)
     SELECT g.vidx, f.capture_id, f.flow_id, g.gid FROM flows f JOIN audit_vcaps v ON v.capture_id = f.capture_id AND v.vidx = ?
     JOIN audit_grp g ON g.vidx = v.vidx AND g.gkey = ${GROUP_KEY_TEXT}`,
    [vidx],
  );

  const claims: ReportClaim[] = [];
  const results: AggregateResult['results'] = [];
  for (let i = 0; i < spec.claims.length; i++) {
    const claim = spec.claims[i];
    const decided = decisions[i].finish();
    const caveat = physicalCheckUnavailable(unchecked[i]);
    if (caveat !== undefined && (claim.country !== undefined || claim.countries !== undefined || claim.region !== undefined)) {
      decided.reasons.push(caveat);
      sortReasons(decided.reasons);
    }
    const listed = decided.totals.in_scope.flows + decided.totals.hidden.flows;
    const evidence = await evidenceOf(q, vidx, i, namer);
    const rc = reportClaim(claim, decided, problems, evidence, listed, claimCoverage[i].result('claim_in_scope_and_hidden_upload'), budget);
    claims.push(rc.claim);
    results.push({ vendor: spec.name, claim, result: rc.result, evidence });
  }

  const { destinations, omitted } = await destinationsOf(q, vidx, spec.claims);
  const devices = await devicesOf(q, vidx);
  const ranked = (m: Map<string, { bytes_up: number; flows: number }>) =>
    [...m.entries()].map(([k, v]) => ({ key: k, bytes_up: v.bytes_up, flows: v.flows })).sort((a, b) => b.bytes_up - a.bytes_up || cmp(a.key, b.key));
  const vendor: ReportVendor = {
    name: spec.name,
    first_party: spec.first_party,
    ...(spec.networks !== undefined ? { networks: { asns: [...spec.networks.asns], orgs: [...spec.networks.orgs], prefixes: [...spec.networks.prefixes] } } : {}),
    captures: captureLabels.sort(cmp),
    claims,
    destinations,
    destinations_omitted: omitted,
    devices: devices.devices,
    devices_omitted: devices.omitted,
    bytes_by_country: ranked(t.byCountry),
    bytes_by_provider: ranked(t.byProvider),
    totals: t.totals,
    coverage: t.coverage.result('vendor_non_local_upload'),
  };
  return { vendor, results };
}

const FLOW_SELECT = `SELECT f.*, c.label AS cap_label, c.sha256 AS cap_sha256, a.via AS a_via, a.geo AS a_geo, a.phys_view AS a_phys`;

/** One stored flow with its group's attribution, as reports show it. */
function flowOfRow(r: SqlRow, namer: DeviceNamer): ReportFlow {
  const f = { ...flowFromRow({ ...r, ...NO_FLOW_GEO }), ...(JSON.parse(r.a_geo as string) as FlowGeoFields) };
  const rf = reportFlow({ label: r.cap_label as string, sha256: r.cap_sha256 as string }, f, namer, opt<'name' | 'address' | 'network'>(r.a_via));
  if (typeof r.a_phys === 'string') applyPhysView(rf, r.a_phys);
  return rf;
}

/** The claim's evidence: listed flows, in-scope before hidden, inconsistent first, most upload first; capped. */
async function evidenceOf(q: SqlSession, vidx: number, claim: number, namer: DeviceNamer): Promise<EvidenceFlow[]> {
  const rows = await q.all(
    `${FLOW_SELECT}, j.status AS j_status, j.country_status AS j_country, j.provider_status AS j_provider, j.region_status AS j_region, j.impossible AS j_impossible
     FROM audit_grp_judge j JOIN audit_flow_gid fg ON fg.gid = j.gid JOIN flows f ON f.capture_id = fg.capture_id AND f.flow_id = fg.flow_id
     JOIN audit_caps c ON c.capture_id = f.capture_id JOIN audit_grp_attr a ON a.gid = j.gid
     WHERE j.vidx = ? AND j.claim = ?
     ORDER BY j.hidden, j.status, f.bytes_up DESC, c.crank, f.flow_id LIMIT ?`,
    [vidx, claim, MAX_EVIDENCE_FLOWS_PER_CLAIM],
  );
  return rows.map((r) => ({
    ...flowOfRow(r, namer),
    status: STATUS_OF_RANK[r.j_status as number],
    country_status: r.j_country as PartStatus,
    provider_status: r.j_provider as PartStatus,
    region_status: r.j_region as PartStatus,
    claimed_location_impossible: r.j_impossible === 1,
  }));
}

/** The vendor's top destinations (non-local, by upload) and how many more there are. */
async function destinationsOf(q: SqlSession, vidx: number, claims: readonly Claim[]): Promise<{ destinations: ReportDestination[]; omitted: number }> {
  const total = Number((await q.get<{ n: number }>('SELECT COUNT(DISTINCT a.dest_key) AS n FROM audit_grp_attr a WHERE a.vidx = ? AND a.local = 0', [vidx]))?.n ?? 0);
  const rows = await q.all(
    `SELECT a.dest_key AS dest_key, MIN(g.server_ip) AS server_ip, SUM(g.flows) AS flows, SUM(g.bytes_up) AS bytes_up, SUM(g.bytes_down) AS bytes_down,
       MAX(a.first_party) AS first_party, MAX(a.physical) AS physical, MIN(g.gid) AS first_gid
     FROM audit_grp g JOIN audit_grp_attr a ON a.gid = g.gid WHERE g.vidx = ? AND a.local = 0
     GROUP BY a.dest_key ORDER BY SUM(g.bytes_up) DESC, a.dest_key LIMIT ?`,
    [vidx, REPORT_MAX_DESTINATIONS],
  );
  const out: ReportDestination[] = [];
  for (const r of rows) {
    const first = await q.get<{ geo: string; hostname: string | null; phys: string | null }>('SELECT a.geo AS geo, a.phys_view AS phys, g.hostname AS hostname FROM audit_grp_attr a JOIN audit_grp g ON g.gid = a.gid WHERE a.gid = ?', [
      r.first_gid,
    ]);
    // The geolocation as the measurements left it (applyPhysics, stored per group), else as stored.
    const view = first?.phys !== null && first?.phys !== undefined ? (JSON.parse(first.phys) as Partial<ReportFlow>) : undefined;
    const geo = { ...(JSON.parse(first?.geo ?? '{}') as FlowGeoFields), ...definedView(view) };
    const d: ReportDestination = {
      server_ip: r.server_ip as string, flows: r.flows as number, bytes_up: r.bytes_up as number, bytes_down: r.bytes_down as number,
      first_party: r.first_party === 1, geo_sources: view?.geo_sources ?? reportGeoSources(geo.geo_sources), edge: geo.edge === true,
      physical: PHYSICAL_OF_RANK[r.physical as number], consistency: 'out_of_scope', claims: [],
    };
    const hostname = first?.hostname ?? undefined;
    if (hostname !== undefined && hostname !== null) d.hostname = hostname;
    for (const k of ['country', 'country_agreement', 'country_settled_by', 'lat', 'lon', 'provider', 'region'] as const) {
      if (geo[k] !== undefined) (d as unknown as Record<string, unknown>)[k] = k === 'provider' ? observedProviderId(geo.provider as string) : geo[k];
    }
    if (view?.anycast !== undefined && view.anycast !== null) d.anycast = view.anycast;
    const statuses = await q.all<{ claim: number; status: number }>(
      `SELECT j.claim AS claim, MIN(j.status) AS status FROM audit_grp_judge j JOIN audit_grp_attr a ON a.gid = j.gid
       WHERE a.vidx = ? AND a.dest_key = ? AND j.hidden = 0 GROUP BY j.claim`,
      [vidx, r.dest_key],
    );
    d.claims = statuses
      .map((s) => ({ id: claims[s.claim].id, status: STATUS_OF_RANK[s.status] }))
      .sort((a, b) => cmp(a.id, b.id));
    d.consistency = d.claims.length === 0 ? 'out_of_scope' : STATUS_OF_RANK[Math.min(...statuses.map((s) => s.status))];
    out.push(d);
  }
  return { destinations: out, omitted: Math.max(0, total - out.length) };
}

/** The vendor's top devices (by upload, then label; shown by label) and how many more there are. */
async function devicesOf(q: SqlSession, vidx: number): Promise<{ devices: ReportDevice[]; omitted: number }> {
  const total = Number((await q.get<{ n: number }>('SELECT COUNT(DISTINCT device) AS n FROM audit_grp_attr WHERE vidx = ?', [vidx]))?.n ?? 0);
  const rows = await q.all(
    `SELECT a.device AS device, SUM(g.flows) AS flows, SUM(g.bytes_up) AS bytes_up, SUM(g.bytes_down) AS bytes_down, MIN(g.gid) AS first_gid
     FROM audit_grp g JOIN audit_grp_attr a ON a.gid = g.gid WHERE g.vidx = ?
     GROUP BY a.device ORDER BY SUM(g.bytes_up) DESC, a.device LIMIT ?`,
    [vidx, REPORT_MAX_DEVICES],
  );
  const devices: ReportDevice[] = [];
  for (const r of rows) {
    const first = await q.get<{ client_ip: string; client_mac: string | null }>('SELECT client_ip, client_mac FROM audit_grp WHERE gid = ?', [r.first_gid]);
    const apps = await q.all<{ app: string }>(
      // a.vidx (not g.vidx): the (vidx, device) index finds the device's groups; filtering on g.vidx made SQLite
      // scan every group of the vendor once per listed device (REPORT_MAX_DEVICES scans: minutes at 1M groups).
      `SELECT DISTINCT g.app AS app FROM audit_grp_attr a JOIN audit_grp g ON g.gid = a.gid WHERE a.vidx = ? AND a.device = ? AND g.app IS NOT NULL ORDER BY g.app`,
      [vidx, r.device],
    );
    const d: ReportDevice = {
      label: r.device as string, client_ip: first?.client_ip ?? '', flows: r.flows as number, bytes_up: r.bytes_up as number,
      bytes_down: r.bytes_down as number, apps: apps.map((a) => a.app).sort(cmp),
    };
    if (first?.client_mac !== null && first?.client_mac !== undefined) d.client_mac = first.client_mac;
    devices.push(d);
  }
  devices.sort((a, b) => cmp(a.label, b.label));
  return { devices, omitted: Math.max(0, total - devices.length) };
}

/** Vendor `vidx`'s flows in report order (capture, flow_id), streamed. */
async function* vendorFlows(q: SqlSession, vidx: number, namer: DeviceNamer): AsyncIterableIterator<ReportFlow> {
  for await (const r of q.iterate(
    `${FLOW_SELECT} FROM audit_flow_gid fg JOIN flows f ON f.capture_id = fg.capture_id AND f.flow_id = fg.flow_id
     JOIN audit_caps c ON c.capture_id = f.capture_id JOIN audit_grp_attr a ON a.gid = fg.gid
     WHERE fg.vidx = ? ORDER BY c.crank, f.flow_id`,
    [vidx],
  )) {
    yield flowOfRow(r, namer);
  }
}
