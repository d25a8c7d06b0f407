// Reads stored captures and flows back as records, and writes what an audit derives: per-flow geolocation,
// per-address geolocation, and the audit itself (claims, verdicts, geolocation provenance). Bound parameters only.

import type { Anomaly, FlowGeoFields, FlowRecord, GeoProvenance, GeoResult, GeoSourceAnswer } from '../types.js';
import type { CaseStore, SqlSession, SqlValue } from './store.js';
import { FLOW_GEO_COLUMNS, GeoIds, type IngestGeo } from './ingest.js';
import { SynthesisDetector } from '../flow/synthesized-handshakes.js';
import { STORE_INSERT_BATCH_ROWS } from '../limits.js';

export interface StoredCapture {
  id: number;
  sha256: string;
  path: string;
  size_bytes: number;
  packets: number;
  link_types: number[];
  first_ts?: number;
  last_ts?: number;
  truncated: boolean;
  vendor?: string;
  device?: string;
  /** CaptureSummary.format: `pcap`, `pcapng`, or for logs `zeek-tsv`, `zeek-json`, `suricata-eve`. */
  format?: string;
}

export type StoredFlow = FlowRecord & FlowGeoFields;

type Row = Record<string, SqlValue>;

function opt<T>(v: unknown): T | undefined {
  return v === null || v === undefined ? undefined : (v as T);
}

function captureFromRow(r: Row): StoredCapture {
  const c: StoredCapture = {
    id: r.id as number, sha256: r.sha256 as string, path: r.path as string, size_bytes: r.size_bytes as number,
    packets: r.packets as number, link_types: JSON.parse(r.link_types as string) as number[], truncated: r.truncated === 1,
  };
  if (r.first_ts !== null) c.first_ts = r.first_ts as number;
  if (r.last_ts !== null) c.last_ts = r.last_ts as number;
  if (r.vendor !== null) c.vendor = r.vendor as string;
  if (r.device !== null) c.device = r.device as string;
  if (typeof r.format === 'string') c.format = r.format;
  return c;
}

export async function captureBySha(db: SqlSession, sha256: string): Promise<StoredCapture | undefined> {
  const r = await db.get<Row>('SELECT * FROM captures WHERE sha256 = ?', [sha256]);
  return r ? captureFromRow(r) : undefined;
}

/** Captures ingested from this absolute path (any version of the file), oldest first. */
export async function capturesByPath(db: SqlSession, absPath: string): Promise<StoredCapture[]> {
  return (await db.all<Row>('SELECT * FROM captures WHERE path = ? ORDER BY id', [absPath])).map(captureFromRow);
}

export async function capturesByVendor(db: SqlSession, vendor: string): Promise<StoredCapture[]> {
  return (await db.all<Row>('SELECT * FROM captures WHERE vendor = ? ORDER BY sha256', [vendor])).map(captureFromRow);
}

/**
 * The reader's warnings (damage, truncation) kept in a capture's stored summary (`captures.summary`), in the
 * order they were met. Messages lose the `<file>: at byte N: ` prefix the reader adds (the file is named by the
 * report, the offset is its own field): reports must not carry the path the capture had when it was ingested.
 */
export async function captureReadWarnings(db: SqlSession, captureId: number): Promise<Anomaly[]> {
  const r = await db.get<{ summary: string }>('SELECT summary FROM captures WHERE id = ?', [captureId]);
  let summary: { file?: unknown; warnings?: unknown };
  try {
    summary = JSON.parse(r?.summary ?? '{}') as { file?: unknown; warnings?: unknown };
  } catch {
    return [];
  }
  if (!Array.isArray(summary.warnings)) return [];
  const file = typeof summary.file === 'string' ? summary.file : undefined;
  const out: Anomaly[] = [];
  for (const w of summary.warnings as Partial<Anomaly>[]) {
    if (typeof w?.code !== 'string' || typeof w.message !== 'string') continue;
    const offset = typeof w.offset === 'number' ? w.offset : undefined;
    let message = w.message;
    if (file !== undefined) {
      const prefix = offset !== undefined ? `${file}: at byte ${offset}: ` : `${file}: `;
      if (message.startsWith(prefix)) message = message.slice(prefix.length);
    }
    const a: Anomaly = { code: w.code, message };
    if (offset !== undefined) a.offset = offset;
    out.push(a);
  }
  return out;
}

/**
 * A capture's stored summary warnings (as stored, messages unchanged), anomaly counts and counters: what the audit
 * reads the memory budget's effect from (src/audit/input-problems.ts budgetCounts).
 */
export async function captureSummaryCounts(
  db: SqlSession,
  captureId: number,
): Promise<{ warnings: Anomaly[]; anomalies: Record<string, number>; counters: Record<string, number> }> {
  const r = await db.get<{ summary: string }>('SELECT summary FROM captures WHERE id = ?', [captureId]);
  let summary: { warnings?: unknown; anomalies?: unknown; counters?: unknown };
  try {
    summary = JSON.parse(r?.summary ?? '{}') as typeof summary;
  } catch {
    summary = {};
  }
  const warnings = Array.isArray(summary.warnings)
    ? (summary.warnings as Partial<Anomaly>[]).filter((w): w is Anomaly => typeof w?.code === 'string' && typeof w.message === 'string')
    : [];
  const counts = (v: unknown): Record<string, number> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, number>) : {});
  return { warnings, anomalies: counts(summary.anomalies), counters: counts(summary.counters) };
}

/** Flows of one capture ordered by flow_id, with stored geo fields when enrichment has run. */
export async function* flowsOfCapture(db: SqlSession, captureId: number): AsyncIterableIterator<StoredFlow> {
  for await (const r of db.iterate<Row>('SELECT * FROM flows WHERE capture_id = ? ORDER BY flow_id', [captureId])) yield flowFromRow(r);
}

/** A `flows` row (with or without the geo columns) as a record; absent values stay absent. */
export function flowFromRow(r: Row): StoredFlow {
    const f: StoredFlow = {
      flow_id: r.flow_id as number, transport: r.transport as 'tcp' | 'udp', ip_version: r.ip_version as 4 | 6,
      client_ip: r.client_ip as string, client_port: r.client_port as number, server_ip: r.server_ip as string,
      server_port: r.server_port as number, first_seen: r.first_seen as number, last_seen: r.last_seen as number,
      packets_up: r.packets_up as number, packets_down: r.packets_down as number,
      bytes_up: r.bytes_up as number, bytes_down: r.bytes_down as number,
    };
    const set = <K extends keyof StoredFlow>(k: K, v: StoredFlow[K] | undefined): void => {
      if (v !== undefined) f[k] = v;
    };
    // Stored as -1, 0 and '' when a log could not say (schema.ts, migration 2).
    set('payload_up', r.payload_up === -1 ? undefined : opt(r.payload_up));
    set('payload_down', r.payload_down === -1 ? undefined : opt(r.payload_down));
    set('first_frame', r.first_frame === 0 ? undefined : opt(r.first_frame));
    set('end_reason', r.end_reason === '' ? undefined : opt(r.end_reason));
    set('uid', opt(r.uid));
    set('community_id', opt(r.community_id));
    set('client_mac', opt(r.client_mac));
    set('vlan', opt(r.vlan));
    set('tcp_flags', opt(r.tcp_flags));
    set('sni', opt(r.sni));
    set('quic', opt(r.quic));
    set('quic_version', opt(r.quic_version));
    set('http_host', opt(r.http_host));
    set('hostname', opt(r.hostname));
    set('name_source', opt(r.name_source));
    set('cname_chain', r.cname_chain === null ? undefined : (JSON.parse(r.cname_chain as string) as string[]));
    set('dns_qname', opt(r.dns_qname));
    set('dns_uid', opt(r.dns_uid));
    set('dns_frame', opt(r.dns_frame));
    set('rtt_ms', opt(r.rtt_ms));
    set('rtt_source', opt(r.rtt_source));
    set('ech', r.ech === null ? undefined : r.ech === 1);
    set('alpn', r.alpn === null ? undefined : (JSON.parse(r.alpn as string) as string[]));
    set('tls_versions', r.tls_versions === null ? undefined : (JSON.parse(r.tls_versions as string) as string[]));
    set('app', opt(r.app));
    set('app_uid', opt(r.app_uid));
    set('anomalies', r.anomalies === null ? undefined : (JSON.parse(r.anomalies as string) as string[]));
    set('country', opt(r.country));
    set('country_agreement', opt(r.country_agreement));
    set('city', opt(r.city));
    set('lat', opt(r.lat));
    set('lon', opt(r.lon));
    set('asn', opt(r.asn));
    set('as_org', opt(r.as_org));
    set('provider', opt(r.provider));
    set('region', opt(r.region));
    set('region_source', opt(r.region_source));
    set('edge', r.edge === null ? undefined : r.edge === 1);
    set('physical', opt(r.physical));
    set('geo_sources', r.geo_sources === null ? undefined : (JSON.parse(r.geo_sources as string) as GeoSourceAnswer[]));
    return f;
}

/** Writes geolocation onto flows and addresses in one transaction. */
export async function saveGeo(db: CaseStore, captureId: number, flows: { flow_id: number; geo: FlowGeoFields }[], addresses: GeoResult[], now: string): Promise<void> {
  const upFlow = `UPDATE flows SET country = ?, country_agreement = ?, city = ?, lat = ?, lon = ?, asn = ?, as_org = ?, provider = ?, region = ?,
       region_source = ?, edge = ?, physical = ?, geo_sources = ? WHERE capture_id = ? AND flow_id = ?`;
  const upIp = GEO_UPSERT;
  await db.transaction(async (tx) => {
    for (const { flow_id, geo: g } of flows) {
      await tx.run(upFlow, [
        g.country ?? null, g.country_agreement ?? null, g.city ?? null, g.lat ?? null, g.lon ?? null, g.asn ?? null, g.as_org ?? null,
        g.provider ?? null, g.region ?? null, g.region_source ?? null, g.edge === undefined ? null : g.edge ? 1 : 0, g.physical ?? null,
        g.geo_sources === undefined ? null : JSON.stringify(g.geo_sources), captureId, flow_id,
      ]);
    }
    for (const a of addresses) {
      await tx.run(upIp, [
        a.ip, a.scope, JSON.stringify(a.sources), a.country ?? null, a.country_agreement, a.city ?? null, a.lat ?? null, a.lon ?? null,
        a.asn ?? null, a.as_org ?? null, a.provider ?? null, a.region ?? null, a.region_source ?? null, a.edge ? 1 : 0, a.edge_reason ?? null, now,
      ]);
    }
  });
}

const GEO_UPSERT = `INSERT INTO geo (ip, scope, sources, country, country_agreement, city, lat, lon, asn, as_org, provider, region,
    region_source, edge, edge_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (ip) DO UPDATE SET scope = excluded.scope, sources = excluded.sources, country = excluded.country,
    country_agreement = excluded.country_agreement, city = excluded.city, lat = excluded.lat, lon = excluded.lon, asn = excluded.asn,
    as_org = excluded.as_org, provider = excluded.provider, region = excluded.region, region_source = excluded.region_source,
    edge = excluded.edge, edge_reason = excluded.edge_reason, updated_at = excluded.updated_at`;

export interface StoredVerdict {
  vendor: string;
  claim: { id: string; text: string; scope: string; country?: string; provider?: string; region?: string };
  verdict: string;
  reasons: unknown;
  totals: unknown;
  evidence: unknown;
}

/** Records one audit run: its claims, verdicts and the geolocation sources used. Returns the audit id. */
export async function saveAudit(
  db: CaseStore,
  audit: { claimsPath: string; claimsSha256: string; toolVersion: string; options: unknown; generatedAt: string },
  verdicts: StoredVerdict[],
  provenance: GeoProvenance[],
): Promise<number> {
  return db.transaction(async (tx) => {
    const row = await tx.get<{ id: number }>(
      'INSERT INTO audits (claims_path, claims_sha256, tool_version, options, generated_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
      [audit.claimsPath, audit.claimsSha256, audit.toolVersion, JSON.stringify(audit.options), audit.generatedAt],
    );
    const id = Number(row?.id);
    for (const v of verdicts) {
      const c = v.claim;
      await tx.run('INSERT INTO claims (audit_id, vendor, claim_id, text, scope, country, provider, region) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        id, v.vendor, c.id, c.text, c.scope, c.country ?? null, c.provider ?? null, c.region ?? null,
      ]);
      await tx.run('INSERT INTO verdicts (audit_id, vendor, claim_id, verdict, reasons, totals, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id, v.vendor, c.id, v.verdict, JSON.stringify(v.reasons), JSON.stringify(v.totals), JSON.stringify(v.evidence),
      ]);
    }
    for (const p of provenance) {
      await tx.run(
        `INSERT INTO geo_provenance (audit_id, source, kind, file, sha256, version, build_date, database_type, licence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (audit_id, source) DO UPDATE SET kind = excluded.kind, file = excluded.file, sha256 = excluded.sha256, version = excluded.version,
           build_date = excluded.build_date, database_type = excluded.database_type, licence = excluded.licence`,
        [id, p.source, p.kind, p.file, p.sha256, p.version ?? null, p.build_date ?? null, p.database_type ?? null, p.licence ?? null],
      );
    }
    return id;
  });
}

/** A capture's stored geolocation: the data it was geolocated with and why its handshakes are synthesised (if
 *  they are); undefined when it was stored without geolocation (before schema 3, or by an ingest without it). */
export async function storedGeoState(db: SqlSession, captureId: number): Promise<{ provenance: GeoProvenance[]; synthesized?: string } | undefined> {
  const r = await db.get<{ geo_provenance: string | null; synthesized: string | null }>('SELECT geo_provenance, synthesized FROM captures WHERE id = ?', [captureId]);
  if (r === undefined || r.geo_provenance === null) return undefined;
  const out: { provenance: GeoProvenance[]; synthesized?: string } = { provenance: JSON.parse(r.geo_provenance) as GeoProvenance[] };
  if (r.synthesized !== null) out.synthesized = r.synthesized;
  return out;
}

/**
 * Geolocates a capture stored without geolocation, once: its flows are read in pages of flow ids, each gets its
 * geo_id, and the distinct results, the provenance and the synthesised-handshake verdict are stored, in one
 * transaction (so the capture is geolocated whole or not at all).
 */
export async function geolocateStored(db: CaseStore, captureId: number, geo: IngestGeo): Promise<void> {
  await db.transaction(async (tx) => {
    const linkTypes = JSON.parse((await tx.get<{ link_types: string }>('SELECT link_types FROM captures WHERE id = ?', [captureId]))?.link_types ?? '[]') as number[];
    await tx.run('DELETE FROM flow_geo WHERE capture_id = ?', [captureId]);
    const ids = new GeoIds(captureId, geo);
    const synthesis = new SynthesisDetector();
    let last = -1;
    for (;;) {
      const rows = await tx.all<Row>('SELECT * FROM flows WHERE capture_id = ? AND flow_id > ? ORDER BY flow_id LIMIT ?', [captureId, last, STORE_INSERT_BATCH_ROWS]);
      if (rows.length === 0) break;
      const updates: [number, number][] = [];
      for (const r of rows) {
        const f = flowFromRow(r);
        synthesis.add(f);
        updates.push([ids.idOf(f), f.flow_id]);
      }
      await tx.insertRows('flow_geo', FLOW_GEO_COLUMNS, ids.take());
      for (const [geoId, flowId] of updates) await tx.run('UPDATE flows SET geo_id = ? WHERE capture_id = ? AND flow_id = ?', [geoId, captureId, flowId]);
      last = rows[rows.length - 1].flow_id as number;
    }
    const s = synthesis.result(linkTypes);
    await tx.run('UPDATE captures SET geo_provenance = ?, synthesized = ? WHERE id = ?', [
      JSON.stringify(geo.provenance()),
      s.synthesized ? (s.reason ?? 'handshakes synthesised on the device') : null,
      captureId,
    ]);
  });
}
