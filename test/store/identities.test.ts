// Migration 2: flow uid, Community ID and the DNS transaction that named a flow survive the case store; values
// logs cannot give (frame numbers, end reason) come back absent; a version-1 store is migrated in place.

import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, schemaVersion } from '../../src/store/db.js';
import { ingestCapture } from '../../src/store/ingest.js';
import { flowsOfCapture } from '../../src/store/records.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { buildDns, buildFlow } from './fake-capture.js';
import type { CaptureSummary, DnsRecord, FlowRecord } from '../../src/types.js';

function tmpFile(content: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'store-id-'));
  const file = path.join(dir, 'a.pcap');
  writeFileSync(file, content);
  return file;
}

const summary = (file: string): CaptureSummary => ({
  file, size_bytes: 0, format: 'pcap', gzip: false, link_types: [1], packets: 2, bytes_captured: 100, flows: 2, dns_messages: 1,
  counters: {}, anomalies: {}, warnings: [], truncated: false,
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('case store: identities (migration 2)', () => {
  it('keeps uid, community_id, dns_uid and dns_frame; absent first_frame, end_reason, payload and DNS frame stay absent', async () => {
    const file = tmpFile('identities');
    const named: FlowRecord = buildFlow(1, {
      uid: 'CabcDEF123', community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', dns_uid: 'Cdns9', dns_frame: 7,
    });
    const fromLog: FlowRecord = buildFlow(2, { uid: 'CfromLog', community_id: '1:x=' });
    delete fromLog.first_frame;
    delete fromLog.end_reason;
    delete fromLog.payload_up;
    delete fromLog.payload_down;
    const dnsFromLog: DnsRecord = { ...buildDns(3), uid: 'Cdns9' };
    delete dnsFromLog.frame;
    const db = openStore(':memory:');
    const r = await ingestCapture(db, file, {
      analyze: async (f, h) => {
        h.flow?.(named);
        h.flow?.(fromLog);
        h.dns?.({ ...buildDns(1), uid: 'Cdns9', response_frame: 7 });
        h.dns?.(dnsFromLog);
        return summary(f);
      },
    });
    const flows = await collect(flowsOfCapture(db, r.captureId));
    expect(flows[0]).toMatchObject({ uid: 'CabcDEF123', community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', dns_uid: 'Cdns9', dns_frame: 7, first_frame: 4, end_reason: 'fin' });
    expect(flows[1].uid).toBe('CfromLog');
    expect('first_frame' in flows[1]).toBe(false);
    expect('end_reason' in flows[1]).toBe(false);
    expect('payload_up' in flows[1] || 'payload_down' in flows[1]).toBe(false);
    expect(flows[0].payload_up).toBe(901);
    const dns = db.db.prepare('SELECT uid, frame, response_frame FROM dns ORDER BY seq').all();
    expect(dns).toEqual([{ uid: 'Cdns9', frame: 3, response_frame: 7 }, { uid: 'Cdns9', frame: 0, response_frame: null }]);
    db.close();
  });

  it('migrates a version-1 store in place, keeping its rows', async () => {
    const dbFile = path.join(mkdtempSync(path.join(tmpdir(), 'store-v1-')), 'case.db');
    const v1 = new Database(dbFile);
    v1.exec(MIGRATIONS[0]);
    v1.pragma('user_version = 1');
    v1.prepare(`INSERT INTO captures (sha256, path, size_bytes, format, gzip, packets, link_types, flow_count, dns_messages, truncated,
      tool_version, options, summary, ingested_at) VALUES ('h', 'p', 1, 'pcap', 0, 1, '[1]', 1, 0, 0, 'v', '{}', '{}', 't')`).run();
    v1.prepare(`INSERT INTO flows (capture_id, flow_id, transport, ip_version, client_ip, client_port, server_ip, server_port, first_seen,
      last_seen, first_frame, packets_up, packets_down, bytes_up, bytes_down, payload_up, payload_down, end_reason)
      VALUES (1, 1, 'tcp', 4, '10.0.0.2', 1, '1.2.3.4', 443, 1, 2, 5, 1, 1, 60, 60, 20, 20, 'fin')`).run();
    v1.close();
    const db = openStore(dbFile);
    expect(schemaVersion(db.db)).toBe(SCHEMA_VERSION);
    const [f] = await collect(flowsOfCapture(db, 1));
    expect(f).toMatchObject({ flow_id: 1, first_frame: 5, end_reason: 'fin' });
    expect(f.uid).toBeUndefined();
    db.close();
  });
});
