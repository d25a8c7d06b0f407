// Logs written from the sample captures (Zeek TSV and JSON, Suricata eve.json; src/synth) give the same flows and
// DNS transactions as the captures, for everything the logs can say (README, "Logs as input"): compared field by
// field after projecting each capture record onto what its log can carry.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { DnsRecord, FlowRecord } from '../../src/types.js';
import { sampleCaptures } from '../golden/golden-kinds.js';
import { existsSync } from 'node:fs';
import { CORPUS, corpusFiles, HAVE_CORPUS, REPO_ROOT, SKIP_MESSAGE } from '../conformance/shared-corpus.js';
import { captureRecords, recordsOf, writeEveFile, writeZeekFolder, type Records } from './sample-logs.js';

const micros = (s: number): number => Math.round(s * 1e6) / 1e6;

function strip<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * What Zeek's conn/ssl/quic/http/dns logs (with the policy columns) say about a capture flow. A flow that carries
 * DNS itself (DNS on a port other than 53/5353/5355, found by content) is not named by DNS from logs: logs name a
 * flow by the answers its client had when it started, and the capture path may look again when the flow ends.
 */
function zeekView(f: FlowRecord, carriesDns = false): Partial<FlowRecord> {
  const named = !carriesDns || f.name_source !== 'dns';
  const lasted = micros(f.last_seen) > micros(f.first_seen);
  const flags = f.transport === 'tcp' ? (f.tcp_flags ?? '').replace(/[PU]/g, '') : undefined;
  return strip({
    uid: f.uid, community_id: f.community_id, transport: f.transport, ip_version: f.ip_version, client_ip: f.client_ip,
    client_port: f.client_port, server_ip: f.server_ip, server_port: f.server_port, first_seen: micros(f.first_seen),
    last_seen: micros(f.last_seen), packets_up: f.packets_up, packets_down: f.packets_down, bytes_up: f.bytes_up,
    bytes_down: f.bytes_down, payload_up: lasted ? f.payload_up : undefined, payload_down: lasted ? f.payload_down : undefined,
    tcp_flags: flags === '' ? undefined : flags,
    end_reason: f.tcp_flags?.includes('R') ? 'rst' : f.end_reason === 'fin' ? 'fin' : undefined,
    client_mac: f.client_mac, vlan: f.vlan, sni: f.sni, quic: f.quic, quic_version: f.quic_version, http_host: f.http_host,
    hostname: named ? f.hostname : undefined, name_source: named ? f.name_source : undefined,
    dns_qname: named ? f.dns_qname : undefined, cname_chain: named ? f.cname_chain : undefined, dns_uid: named ? f.dns_uid : undefined,
  });
}

/** What eve.json says about a capture flow (uid and dns_uid are Suricata-derived: compared separately). */
function eveView(f: FlowRecord, linkHeader: number, carriesDns = false): Partial<FlowRecord> {
  const named = !carriesDns || f.name_source !== 'dns';
  // eve.json counts whole frames; the reader assumes Ethernet (14 bytes a packet, 4 more per VLAN tag).
  const extra = 14 - linkHeader;
  return strip({
    community_id: f.community_id, transport: f.transport, ip_version: f.ip_version, client_ip: f.client_ip,
    client_port: f.client_port, server_ip: f.server_ip, server_port: f.server_port, first_seen: micros(f.first_seen),
    last_seen: micros(f.last_seen), packets_up: f.packets_up, packets_down: f.packets_down,
    bytes_up: Math.max(0, f.bytes_up - extra * f.packets_up), bytes_down: Math.max(0, f.bytes_down - extra * f.packets_down),
    tcp_flags: f.tcp_flags,
    end_reason: f.tcp_flags?.includes('R') ? 'rst' : f.end_reason === 'fin' ? 'fin' : f.end_reason === 'end' ? 'end' : 'idle',
    client_mac: f.client_mac, vlan: f.vlan, sni: f.sni, quic: f.quic, quic_version: f.quic_version, http_host: f.http_host,
    hostname: named ? f.hostname : undefined, name_source: named ? f.name_source : undefined,
    dns_qname: named ? f.dns_qname : undefined, cname_chain: named ? f.cname_chain : undefined, dns_frame: named ? f.dns_frame : undefined,
  });
}

/** Zeek's dns.log keeps each answer's value and TTL, not its type or owner: compared are the values in order and
 *  which are addresses (the reader's reconstruction of types and owners has its own tests). */
function zeekAnswers(d: DnsRecord): unknown {
  return d.answers.map((a) => (a.type === 'A' || a.type === 'AAAA' ? `${a.type} ${a.data} ${a.ttl}` : a.ttl));
}

function dnsView(d: DnsRecord, keepFrames: boolean): Partial<DnsRecord> {
  return strip({
    ts: micros(d.ts), frame: keepFrames ? d.frame : undefined, transport: d.transport, protocol: d.protocol, client_ip: d.client_ip,
    client_port: d.client_port, server_ip: d.server_ip, server_port: d.server_port, id: d.id, qname: d.qname,
    qtype: d.query_seen || keepFrames ? d.qtype : null, qtype_name: d.query_seen || keepFrames ? d.qtype_name : null,
    rcode: d.response_seen ? d.rcode : undefined, rcode_name: d.response_seen ? d.rcode_name : undefined,
    response_frame: keepFrames ? d.response_frame : undefined,
    answers: d.answers.map((a) => ({ name: a.name, type: a.type, data: a.data, ttl: a.ttl })), rtt_ms: d.rtt_ms,
    query_seen: d.query_seen, response_seen: d.response_seen,
  });
}

/** flow_id numbers flows in the order a log lists them (Zeek: by end), not in creation order. */
const noId = (f: FlowRecord): Partial<FlowRecord> => strip({ ...f, flow_id: undefined });

const carriesDns = (r: Records, f: FlowRecord): boolean => r.dns.some((d) => d.uid === f.uid);

const byKey = (f: { community_id?: string; first_seen?: number }): string => `${f.community_id} ${micros(f.first_seen ?? 0)}`;
const dnsKey = (d: Partial<DnsRecord>): string => `${d.client_ip}:${d.client_port} ${d.id} ${d.qname} ${d.ts}`;

function sortBy<T>(xs: T[], key: (x: T) => string): T[] {
  return [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

if (!HAVE_CORPUS) console.warn(`${SKIP_MESSAGE} (logs written from the sample captures still run)`);

/** The sample captures, and every file of the shared corpus that is a capture (its golden flows exist). */
const CAPTURES = [
  ...sampleCaptures().map((c) => join(REPO_ROOT, 'captures', c)),
  ...corpusFiles().filter((c) => existsSync(join(REPO_ROOT, 'test/golden/shared', `${c}.flows.ndjson`))).map((c) => join(CORPUS, c)),
];

describe.each(CAPTURES)('logs written from %s', (capture) => {
  let pcap: Records;
  const load = async (): Promise<Records> => (pcap ??= await captureRecords(capture));

  it.each([
    ['TSV', 'tsv', false],
    ['JSON', 'json', false],
    ['TSV, gzip-compressed (rotated logs)', 'tsv', true],
  ] as const)('Zeek %s: the same flows and DNS transactions', async (_, format, gz) => {
    const p = await load();
    const dir = writeZeekFolder(p, { format, policies: true }, gz);
    if (format === 'json' && p.flows.length === 0) {
      // An empty JSON log says nothing about what it is: a folder of them holds no recognisable log.
      await expect(recordsOf(dir)).rejects.toMatchObject({ code: 'log_none' });
      return;
    }
    const logs = await recordsOf(dir);
    expect(logs.summary.format).toBe(format === 'tsv' ? 'zeek-tsv' : 'zeek-json');
    expect(logs.summary.gzip).toBe(gz);
    expect(logs.summary.warnings).toEqual([]);
    expect(sortBy(logs.flows.map(noId), byKey)).toEqual(sortBy(p.flows.map((f) => zeekView(f, carriesDns(p, f))), byKey));
    // dns.log keeps Zeek's uid: the uid of the capture flow that carried the transaction.
    const view = (d: DnsRecord): Partial<DnsRecord> => ({ ...dnsView(d, false), uid: d.uid, answers: zeekAnswers(d) as DnsRecord['answers'] });
    expect(sortBy(logs.dns.map(view), dnsKey)).toEqual(sortBy(p.dns.map(view), dnsKey));
  });

  it('Zeek conn.log given alone finds its siblings', async () => {
    const p = await load();
    const dir = writeZeekFolder(p, { format: 'tsv', policies: true });
    const logs = await recordsOf(join(dir, 'conn.log'));
    expect(logs.summary.log_files).toEqual(['ssl.log', 'quic.log', 'http.log', 'dns.log', 'conn.log']);
    expect(sortBy(logs.flows.map(noId), byKey)).toEqual(sortBy(p.flows.map((f) => zeekView(f, carriesDns(p, f))), byKey));
  });

  it('Suricata eve.json: the same flows and DNS transactions', async () => {
    const p = await load();
    const file = writeEveFile(p);
    if (p.flows.length === 0) {
      // Nothing written: an empty file is no eve.json (nor a capture).
      await expect(recordsOf(file)).rejects.toMatchObject({ code: 'capture_empty' });
      return;
    }
    const logs = await recordsOf(file);
    expect(logs.summary.format).toBe('suricata-eve');
    expect(logs.summary.warnings).toEqual([]);
    const link = p.summary.link_types.includes(1) ? 14 : 0;
    const got = sortBy(logs.flows, byKey);
    const want = sortBy(p.flows, byKey);
    expect(got.map((f) => strip({ ...f, uid: undefined, dns_uid: undefined, flow_id: undefined }))).toEqual(want.map((f) => eveView(f, link, carriesDns(p, f))));
    // dns_uid points at the DNS flow as eve.json names it (its uid derived from Suricata's flow_id).
    const logUidOf = new Map(want.map((f, i) => [f.uid, got[i].uid]));
    for (let i = 0; i < want.length; i++) {
      const named = want[i].dns_uid !== undefined && eveView(want[i], link, carriesDns(p, want[i])).dns_qname !== undefined;
      expect(got[i].dns_uid).toBe(named ? logUidOf.get(want[i].dns_uid) : undefined);
    }
    expect(sortBy(logs.dns.map((d) => dnsView(d, true)), dnsKey)).toEqual(sortBy(p.dns.map((d) => dnsView(d, true)), dnsKey));
    for (const d of logs.dns) expect(got.some((f) => f.uid === d.uid)).toBe(true);
  });
});
