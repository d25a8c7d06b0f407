// Ingests one capture into the case store in ONE transaction: the capture row, its flows, DNS transactions
// and names are written as the analysis streams them (batched), and committed only once the whole capture
// has been read. A crash or kill before COMMIT leaves nothing (WAL rollback). Idempotent by SHA-256: a
// capture already stored is skipped, also when another process stored it while this one waited for the write lock
// (the hash is looked up again inside the transaction). Every value is a bound parameter: names from captures never
// reach SQL text. Store faults (full disk, read-only, locked too long) end as StoreError naming the cause.

import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { CaptureError, UsageError } from '../errors.js';
import { STORE_BUSY_TIMEOUT_MS, STORE_INSERT_BATCH_ROWS } from '../limits.js';
import { analyzeInput, logIdentity } from '../input.js';
import type { CaptureSummary, DnsRecord, FlowRecord } from '../types.js';
import { checkFreeSpace, storeError, type Db } from './db.js';
import { TOOL_VERSION } from '../version.js';

/** The analysis the store ingests from (analyzeInput: captures and logs; tests inject a fake). */
export type AnalyzeFn = (
  path: string,
  handlers: { flow?(r: FlowRecord): void; dns?(r: DnsRecord): void },
  opts: { hash?: boolean; onProgress?(bytes: number): void },
) => Promise<CaptureSummary>;

export interface IngestOptions {
  vendor?: string;
  device?: string;
  onProgress?(bytes: number): void;
  analyze?: AnalyzeFn;
  /** Called once when another process holds the store's write lock and this ingest starts waiting for it. */
  onWait?(): void;
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

const FLOW_COLUMNS = [
  'capture_id', 'flow_id', 'transport', 'ip_version', 'client_ip', 'client_port', 'server_ip', 'server_port', 'client_mac',
  'vlan', 'first_seen', 'last_seen', 'first_frame', 'packets_up', 'packets_down', 'bytes_up', 'bytes_down', 'payload_up',
  'payload_down', 'tcp_flags', 'end_reason', 'sni', 'quic', 'quic_version', 'http_host', 'hostname', 'name_source',
  'cname_chain', 'dns_qname', 'rtt_ms', 'rtt_source', 'ech', 'alpn', 'tls_versions', 'app', 'app_uid', 'anomalies',
  'uid', 'community_id', 'dns_uid', 'dns_frame',
] as const;

function flowRow(captureId: number, f: FlowRecord): unknown[] {
  return [
    captureId, f.flow_id, f.transport, f.ip_version, f.client_ip, f.client_port, f.server_ip, f.server_port, f.client_mac ?? null,
    f.vlan ?? null, f.first_seen, f.last_seen, f.first_frame ?? 0, f.packets_up, f.packets_down, f.bytes_up, f.bytes_down, f.payload_up ?? -1,
    f.payload_down ?? -1, f.tcp_flags ?? null, f.end_reason ?? '', f.sni ?? null, f.quic ?? null, f.quic_version ?? null, f.http_host ?? null,
    f.hostname ?? null, f.name_source ?? null, json(f.cname_chain), f.dns_qname ?? null, f.rtt_ms ?? null, f.rtt_source ?? null,
    bool(f.ech), json(f.alpn), json(f.tls_versions), f.app ?? null, f.app_uid ?? null, json(f.anomalies),
    f.uid ?? null, f.community_id ?? null, f.dns_uid ?? null, f.dns_frame ?? null,
  ];
}

const DNS_COLUMNS = [
  'capture_id', 'seq', 'ts', 'frame', 'transport', 'protocol', 'client_ip', 'client_port', 'server_ip', 'server_port', 'dns_id',
  'qname', 'qtype', 'qtype_name', 'rcode', 'rcode_name', 'answers', 'rtt_ms', 'query_seen', 'response_seen', 'uid', 'response_frame',
] as const;

function dnsRow(captureId: number, seq: number, d: DnsRecord): unknown[] {
  return [
    captureId, seq, d.ts, d.frame ?? 0, d.transport, d.protocol, d.client_ip, d.client_port, d.server_ip, d.server_port, d.id, d.qname,
    d.qtype, d.qtype_name, d.rcode ?? null, d.rcode_name ?? null, JSON.stringify(d.answers), d.rtt_ms ?? null, d.query_seen ? 1 : 0,
    d.response_seen ? 1 : 0, d.uid ?? null, d.response_frame ?? null,
  ];
}

/** The (source, name) pairs a flow is known by. */
function flowNames(f: FlowRecord): [string, string][] {
  const out: [string, string][] = [];
  if (f.sni !== undefined) out.push(['sni', f.sni]);
  if (f.quic !== undefined) out.push(['quic', f.quic]);
  if (f.http_host !== undefined) out.push(['http_host', f.http_host]);
  if (f.hostname !== undefined) out.push([f.name_source ?? 'hostname', f.hostname]);
  if (f.dns_qname !== undefined) out.push(['dns_qname', f.dns_qname]);
  if (f.cname_chain) for (const n of f.cname_chain) out.push(['cname', n]);
  return out;
}

/** Ingests `file` (see module comment). Throws CaptureError when the capture cannot be read at all, StoreError when
 *  the store cannot take it. */
export async function ingestCapture(db: Db, file: string, opts: IngestOptions = {}): Promise<IngestResult> {
  try {
    return await ingest(db, file, opts);
  } catch (e) {
    throw storeError(e, db.name);
  }
}

/** The stored capture with this hash, if any. */
function stored(db: Db, sha256: string): { id: number; vendor: string | null; device: string | null } | undefined {
  return db.prepare('SELECT id, vendor, device FROM captures WHERE sha256 = ?').get(sha256) as { id: number; vendor: string | null; device: string | null } | undefined;
}

/** BEGIN IMMEDIATE: at once when the store is free, else after telling onWait and waiting (STORE_BUSY_TIMEOUT_MS). */
function beginWrite(db: Db, opts: IngestOptions): void {
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    return;
  } catch (e) {
    if (!String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw e;
  } finally {
    db.pragma(`busy_timeout = ${STORE_BUSY_TIMEOUT_MS}`);
  }
  opts.onWait?.();
  db.exec('BEGIN IMMEDIATE');
}

async function ingest(db: Db, file: string, opts: IngestOptions): Promise<IngestResult> {
  // Logs (a Zeek log folder, a conn.log with its siblings, an eve.json) have their own identity (logs/identity.ts).
  const logs = await logIdentity(file);
  let size: number;
  if (logs !== null) size = logs.sizeBytes;
  else {
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a regular file');
      size = st.size;
    } catch (e) {
      throw new CaptureError('capture_unreadable', file, 0, (e as Error).message);
    }
  }
  const sha256 = logs !== null ? logs.sha256 : await sha256File(file);
  const already = (existing: { id: number; vendor: string | null; device: string | null }): IngestResult => {
    if (opts.vendor !== undefined && existing.vendor === null) db.prepare('UPDATE captures SET vendor = ? WHERE id = ?').run(opts.vendor, existing.id);
    if (opts.device !== undefined && existing.device === null) db.prepare('UPDATE captures SET device = ? WHERE id = ?').run(opts.device, existing.id);
    return { captureId: existing.id, sha256, skipped: true };
  };
  const before = stored(db, sha256);
  if (before) return already(before);
  if (db.inTransaction) throw new UsageError('store_busy', 'ingestCapture: the store already has an open transaction');
  checkFreeSpace(db.name);

  const insFlow = db.prepare(`INSERT INTO flows (${FLOW_COLUMNS.join(', ')}) VALUES (${FLOW_COLUMNS.map(() => '?').join(', ')})`);
  const insDns = db.prepare(`INSERT INTO dns (${DNS_COLUMNS.join(', ')}) VALUES (${DNS_COLUMNS.map(() => '?').join(', ')})`);
  const insName = db.prepare('INSERT OR IGNORE INTO names (capture_id, flow_id, name, source) VALUES (?, ?, ?, ?)');
  const analyze: AnalyzeFn = opts.analyze ?? analyzeInput;

  beginWrite(db, opts);
  // Another process may have stored it while this one waited for the lock.
  const meanwhile = stored(db, sha256);
  if (meanwhile) {
    db.exec('ROLLBACK');
    return already(meanwhile);
  }
  try {
    const captureId = Number(
      db
        .prepare(
          `INSERT INTO captures (sha256, path, size_bytes, format, gzip, packets, link_types, flow_count, dns_messages, truncated,
             vendor, device, tool_version, options, summary, ingested_at)
           VALUES (?, ?, ?, 'unknown', 0, 0, '[]', 0, 0, 0, ?, ?, ?, '{}', '{}', ?)`,
        )
        .run(sha256, path.resolve(file), size, opts.vendor ?? null, opts.device ?? null, TOOL_VERSION, new Date().toISOString()).lastInsertRowid,
    );
    let flows: FlowRecord[] = [];
    let dns: DnsRecord[] = [];
    let dnsSeq = 0;
    // An insert failing inside a handler must not be swallowed by the analysis: keep it and rethrow after.
    let failure: unknown;
    const flushFlows = (): void => {
      try {
        if (failure === undefined) {
          for (const f of flows) {
            insFlow.run(flowRow(captureId, f));
            for (const [source, name] of flowNames(f)) insName.run(captureId, f.flow_id, name, source);
          }
        }
      } catch (e) {
        failure = e;
      }
      flows = [];
    };
    const flushDns = (): void => {
      try {
        if (failure === undefined) for (const d of dns) insDns.run(dnsRow(captureId, dnsSeq++, d));
      } catch (e) {
        failure = e;
      }
      dns = [];
    };
    const summary = await analyze(
      file,
      {
        flow(r) {
          flows.push(r);
          if (flows.length >= STORE_INSERT_BATCH_ROWS) flushFlows();
        },
        dns(r) {
          dns.push(r);
          if (dns.length >= STORE_INSERT_BATCH_ROWS) flushDns();
        },
      },
      { hash: false, onProgress: opts.onProgress },
    );
    flushFlows();
    flushDns();
    if (failure !== undefined) throw failure;
    summary.sha256 = sha256;
    db.prepare(
      `UPDATE captures SET format = ?, gzip = ?, packets = ?, link_types = ?, first_ts = ?, last_ts = ?, flow_count = ?,
         dns_messages = ?, truncated = ?, options = ?, summary = ? WHERE id = ?`,
    ).run(
      summary.format, summary.gzip ? 1 : 0, summary.packets, JSON.stringify(summary.link_types), summary.first_ts ?? null,
      summary.last_ts ?? null, summary.flows, summary.dns_messages, summary.truncated ? 1 : 0, JSON.stringify({ hash: true }),
      JSON.stringify(summary), captureId,
    );
    db.exec('COMMIT');
    return { captureId, sha256, skipped: false };
  } catch (e) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // SQLite rolls back by itself when the rollback statement fails (an I/O error): the first error says why.
    }
    throw e;
  }
}
