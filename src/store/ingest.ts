// Ingests one capture into the case store in ONE transaction: the capture row, its flows, DNS transactions
// and names are written as the analysis streams them (batched), and committed only once the whole capture
// has been read. A crash or kill before COMMIT leaves nothing (WAL rollback). Idempotent by SHA-256: a
// capture already stored is skipped, also when another process stored it while this one waited for the write lock
// (the hash is looked up again inside the transaction). Every value is a bound parameter: names from captures never
// reach SQL text. Written against CaseStore (store.ts): portable SQL, async. Store faults (full disk, read-only, locked too long) end as StoreError naming the cause.

import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { CaptureError } from '../errors.js';
import { GEO_ROWS_DEDUP_MAX, STORE_INSERT_BATCH_ROWS } from '../limits.js';
import { analyzeInput, logIdentity } from '../input.js';
import type { CaptureSummary, DnsRecord, FlowGeoFields, FlowRecord, GeoProvenance } from '../types.js';
import { SynthesisDetector } from '../flow/synthesized-handshakes.js';
import type { CaseStore, SqlSession, SqlValue } from './store.js';
import { TOOL_VERSION } from '../version.js';

/** The analysis the store ingests from (analyzeInput: captures and logs; tests inject a fake). */
export type AnalyzeFn = (
  path: string,
  handlers: { flow?(r: FlowRecord): void; dns?(r: DnsRecord): void },
  opts: { hash?: boolean; onProgress?(bytes: number): void; pace?(): Promise<void> | undefined; memoryBudgetMb?: number },
) => Promise<CaptureSummary>;

/**
 * Geolocation at ingest (pipeline/back-half.ts gives one): each flow's vantage-independent geo fields, stored once
 * per distinct result in `flow_geo` with the flow pointing at it. The same object for flows that share a result
 * lets ingest store it once (identity, bounded by GEO_ROWS_DEDUP_MAX).
 */
export interface IngestGeo {
  locate(f: FlowRecord): FlowGeoFields;
  /** Provider id of the published address ranges holding `ip` (for the provider-origin rule), if any. */
  rangeProvider(ip: string): string | undefined;
  /** The geolocation data used so far (stored with the capture). */
  provenance(): GeoProvenance[];
}

export interface IngestOptions {
  vendor?: string;
  device?: string;
  onProgress?(bytes: number): void;
  analyze?: AnalyzeFn;
  /** The memory budget of the capture's analysis (MiB; default: RESIDENCY_MEMORY_BUDGET_MB or the default budget). */
  memoryBudgetMb?: number;
  /** Called once when another process holds the store's write lock and this ingest starts waiting for it. */
  onWait?(): void;
  /** Geolocate flows as they are stored (absent: stored without, geolocated at their first audit). */
  geo?: IngestGeo;
}

export interface IngestResult {
  captureId: number;
  sha256: string;
  /** True when a capture with the same SHA-256 was already stored (nothing written). */
  skipped: boolean;
}

/** SHA-256 of a file's bytes, streamed. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  } catch (e) {
    throw new CaptureError('capture_unreadable', file, 0, (e as Error).message);
  }
  return h.digest('hex');
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const bool = (v: boolean | undefined): number | null => (v === undefined ? null : v ? 1 : 0);

export const FLOW_COLUMNS = [
  'capture_id', 'flow_id', 'transport', 'ip_version', 'client_ip', 'client_port', 'server_ip', 'server_port', 'client_mac',
  'vlan', 'first_seen', 'last_seen', 'first_frame', 'packets_up', 'packets_down', 'bytes_up', 'bytes_down', 'payload_up',
  'payload_down', 'tcp_flags', 'end_reason', 'sni', 'quic', 'quic_version', 'http_host', 'hostname', 'name_source',
  'cname_chain', 'dns_qname', 'rtt_ms', 'rtt_source', 'ech', 'alpn', 'tls_versions', 'app', 'app_uid', 'anomalies',
  'uid', 'community_id', 'dns_uid', 'dns_frame', 'geo_id',
] as const;

export const NAME_COLUMNS = ['capture_id', 'flow_id', 'name', 'source'] as const;

export const FLOW_GEO_COLUMNS = [
  'capture_id', 'geo_id', 'country', 'country_agreement', 'city', 'lat', 'lon', 'asn', 'as_org', 'provider', 'region', 'region_source',
  'edge', 'geo_sources', 'range_provider',
] as const;

/** A flow_geo row (FLOW_GEO_COLUMNS order); `physical` and the per-source physical flags are never stored. */
export function flowGeoRow(captureId: number, geoId: number, g: FlowGeoFields, rangeProvider: string | undefined): SqlValue[] {
  const sources = g.geo_sources?.map((s) => {
    const { physical: _p, ...rest } = s;
    return rest;
  });
  return [
    captureId, geoId, g.country ?? null, g.country_agreement ?? null, g.city ?? null, g.lat ?? null, g.lon ?? null, g.asn ?? null,
    g.as_org ?? null, g.provider ?? null, g.region ?? null, g.region_source ?? null, g.edge === true ? 1 : 0,
    sources === undefined ? null : JSON.stringify(sources), rangeProvider ?? null,
  ];
}

/**
 * Numbers the distinct geo results of one capture: the same result object (and published-range provider) gets
 * the same id; new ones are queued as flow_geo rows. Forgets what it saw past GEO_ROWS_DEDUP_MAX results (a
 * result met again then gets a second id: correct, only less compact).
 */
export class GeoIds {
  private readonly ids = new Map<FlowGeoFields, Map<string, number>>();
  private seen = 0;
  private next = 1;
  pending: SqlValue[][] = [];

  constructor(
    private readonly captureId: number,
    private readonly geo: Pick<IngestGeo, 'locate' | 'rangeProvider'>,
  ) {}

  idOf(f: FlowRecord): number {
    const g = this.geo.locate(f);
    const range = this.geo.rangeProvider(f.server_ip);
    let byRange = this.ids.get(g);
    const hit = byRange?.get(range ?? '');
    if (hit !== undefined) return hit;
    if (this.seen >= GEO_ROWS_DEDUP_MAX) {
      this.ids.clear();
      this.seen = 0;
      byRange = undefined;
    }
    if (byRange === undefined) this.ids.set(g, (byRange = new Map()));
    const id = this.next++;
    byRange.set(range ?? '', id);
    this.seen++;
    this.pending.push(flowGeoRow(this.captureId, id, g, range));
    return id;
  }

  take(): SqlValue[][] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

export function flowRow(captureId: number, f: FlowRecord, geoId: number | null): SqlValue[] {
  return [
    captureId, f.flow_id, f.transport, f.ip_version, f.client_ip, f.client_port, f.server_ip, f.server_port, f.client_mac ?? null,
    f.vlan ?? null, f.first_seen, f.last_seen, f.first_frame ?? 0, f.packets_up, f.packets_down, f.bytes_up, f.bytes_down, f.payload_up ?? -1,
    f.payload_down ?? -1, f.tcp_flags ?? null, f.end_reason ?? '', f.sni ?? null, f.quic ?? null, f.quic_version ?? null, f.http_host ?? null,
    f.hostname ?? null, f.name_source ?? null, json(f.cname_chain), f.dns_qname ?? null, f.rtt_ms ?? null, f.rtt_source ?? null,
    bool(f.ech), json(f.alpn), json(f.tls_versions), f.app ?? null, f.app_uid ?? null, json(f.anomalies),
    f.uid ?? null, f.community_id ?? null, f.dns_uid ?? null, f.dns_frame ?? null, geoId,
  ];
}

const DNS_COLUMNS = [
  'capture_id', 'seq', 'ts', 'frame', 'transport', 'protocol', 'client_ip', 'client_port', 'server_ip', 'server_port', 'dns_id',
  'qname', 'qtype', 'qtype_name', 'rcode', 'rcode_name', 'answers', 'rtt_ms', 'query_seen', 'response_seen', 'uid', 'response_frame',
] as const;

function dnsRow(captureId: number, seq: number, d: DnsRecord): SqlValue[] {
  return [
    captureId, seq, d.ts, d.frame ?? 0, d.transport, d.protocol, d.client_ip, d.client_port, d.server_ip, d.server_port, d.id, d.qname,
    d.qtype, d.qtype_name, d.rcode ?? null, d.rcode_name ?? null, JSON.stringify(d.answers), d.rtt_ms ?? null, d.query_seen ? 1 : 0,
    d.response_seen ? 1 : 0, d.uid ?? null, d.response_frame ?? null,
  ];
}

/** The distinct (source, name) pairs a flow is known by: each is one row of `names` (its key), so the store can bulk
 *  load them without conflict handling (PostgreSQL: COPY). A CNAME chain may repeat a name; a flow has a few pairs. */
function flowNames(f: FlowRecord): [string, string][] {
  const out: [string, string][] = [];
  const add = (source: string, name: string): void => {
    for (const [s, n] of out) if (s === source && n === name) return;
    out.push([source, name]);
  };
  if (f.sni !== undefined) add('sni', f.sni);
  if (f.quic !== undefined) add('quic', f.quic);
  if (f.http_host !== undefined) add('http_host', f.http_host);
  if (f.hostname !== undefined) add(f.name_source ?? 'hostname', f.hostname);
  if (f.dns_qname !== undefined) add('dns_qname', f.dns_qname);
  if (f.cname_chain) for (const n of f.cname_chain) add('cname', n);
  return out;
}

/** Ingests `file` (see module comment). Throws CaptureError when the capture cannot be read at all, StoreError when
 *  the store cannot take it. */
export async function ingestCapture(store: CaseStore, file: string, opts: IngestOptions = {}): Promise<IngestResult> {
  try {
    return await ingest(store, file, opts);
  } catch (e) {
    throw store.error(e);
  }
}

interface StoredRef {
  id: number;
  vendor: string | null;
  device: string | null;
}

/** The stored capture with this hash, if any. */
function stored(s: SqlSession, sha256: string): Promise<StoredRef | undefined> {
  return s.get<StoredRef>('SELECT id, vendor, device FROM captures WHERE sha256 = ?', [sha256]);
}

async function ingest(store: CaseStore, file: string, opts: IngestOptions): Promise<IngestResult> {
  // Logs (a Zeek log folder, a conn.log with its siblings, an eve.json) have their own identity (logs/identity.ts).
  const logs = await logIdentity(file);
  let size: number;
  if (logs !== null) size = logs.sizeBytes;
  else {
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new CaptureError('capture_unreadable', file, 0, 'not a regular file');
      size = st.size;
    } catch (e) {
      if (e instanceof CaptureError) throw e;
      throw new CaptureError('capture_unreadable', file, 0, (e as Error).message);
    }
  }
  const sha256 = logs !== null ? logs.sha256 : await sha256File(file);
  const already = async (existing: StoredRef): Promise<IngestResult> => {
    if (opts.vendor !== undefined && existing.vendor === null) await store.run('UPDATE captures SET vendor = ? WHERE id = ?', [opts.vendor, existing.id]);
    if (opts.device !== undefined && existing.device === null) await store.run('UPDATE captures SET device = ? WHERE id = ?', [opts.device, existing.id]);
    return { captureId: existing.id, sha256, skipped: true };
  };
  const before = await stored(store, sha256);
  if (before) return already(before);
  const analyze: AnalyzeFn = opts.analyze ?? analyzeInput;

  const done = await store.transaction(
    async (tx): Promise<IngestResult | StoredRef> => {
      // Another process may have stored it while this one waited for the lock.
      const meanwhile = await stored(tx, sha256);
      if (meanwhile) return meanwhile;
      const row = await tx.get<{ id: number }>(
        `INSERT INTO captures (sha256, path, size_bytes, format, gzip, packets, link_types, flow_count, dns_messages, truncated,
           vendor, device, tool_version, options, summary, ingested_at)
         VALUES (?, ?, ?, 'unknown', 0, 0, '[]', 0, 0, 0, ?, ?, ?, '{}', '{}', ?) ON CONFLICT (sha256) DO NOTHING RETURNING id`,
        [sha256, path.resolve(file), size, opts.vendor ?? null, opts.device ?? null, TOOL_VERSION, new Date().toISOString()],
      );
      // PostgreSQL writes captures side by side: one stored by another process after the look-up above makes this
      // insert wait for that transaction, then do nothing; the capture is then stored (distributed ingest).
      if (row === undefined) return (await stored(tx, sha256)) as StoredRef;
      const captureId = Number(row?.id);
      const geoIds = opts.geo !== undefined ? new GeoIds(captureId, opts.geo) : undefined;
      const synthesis = new SynthesisDetector();
      let flows: FlowRecord[] = [];
      let dns: DnsRecord[] = [];
      let dnsSeq = 0;
      // An insert failing inside a handler must not be swallowed by the analysis: keep it and rethrow after.
      let failure: unknown;
      // Batches being written; the analysis waits for them between read chunks (pace), so rows waiting in memory
      // stay bounded whatever the store's speed.
      const inflight = new Set<Promise<void>>();
      const track = (p: Promise<void>): void => {
        const q = p.catch((e: unknown) => {
          failure ??= e;
        });
        inflight.add(q);
        void q.finally(() => inflight.delete(q));
      };
      const flushFlows = (): void => {
        if (failure === undefined && flows.length > 0) {
          const names: SqlValue[][] = [];
          for (const f of flows) for (const [source, name] of flowNames(f)) names.push([captureId, f.flow_id, name, source]);
          const rows = flows.map((f) => flowRow(captureId, f, geoIds !== undefined ? geoIds.idOf(f) : null));
          const geoRows = geoIds?.take() ?? [];
          track(
            tx
              .insertRows('flow_geo', FLOW_GEO_COLUMNS, geoRows)
              .then(() => tx.insertRows('flows', FLOW_COLUMNS, rows))
              .then(() => tx.insertRows('names', NAME_COLUMNS, names)),
          );
        }
        flows = [];
      };
      const flushDns = (): void => {
        if (failure === undefined && dns.length > 0) track(tx.insertRows('dns', DNS_COLUMNS, dns.map((d) => dnsRow(captureId, dnsSeq++, d))));
        dns = [];
      };
      const summary = await analyze(
        file,
        {
          flow(r) {
            synthesis.add(r);
            flows.push(r);
            if (flows.length >= STORE_INSERT_BATCH_ROWS) flushFlows();
          },
          dns(r) {
            dns.push(r);
            if (dns.length >= STORE_INSERT_BATCH_ROWS) flushDns();
          },
        },
        { hash: false, onProgress: opts.onProgress, memoryBudgetMb: opts.memoryBudgetMb, pace: () => (inflight.size > 0 ? Promise.all(inflight).then(() => undefined) : undefined) },
      );
      flushFlows();
      flushDns();
      await Promise.all(inflight);
      if (failure !== undefined) throw failure;
      summary.sha256 = sha256;
      const synthesized = synthesis.result(summary.link_types);
      await tx.run(
        `UPDATE captures SET format = ?, gzip = ?, packets = ?, link_types = ?, first_ts = ?, last_ts = ?, flow_count = ?,
           dns_messages = ?, truncated = ?, options = ?, summary = ?, synthesized = ?, geo_provenance = ? WHERE id = ?`,
        [
          summary.format, summary.gzip ? 1 : 0, summary.packets, JSON.stringify(summary.link_types), summary.first_ts ?? null,
          summary.last_ts ?? null, summary.flows, summary.dns_messages, summary.truncated ? 1 : 0, JSON.stringify({ hash: true }),
          JSON.stringify(summary), synthesized.synthesized ? (synthesized.reason ?? 'handshakes synthesised on the device') : null,
          opts.geo !== undefined ? JSON.stringify(opts.geo.provenance()) : null, captureId,
        ],
      );
      return { captureId, sha256, skipped: false };
    },
    { onWait: opts.onWait },
  );
  return 'captureId' in done ? done : already(done);
}
