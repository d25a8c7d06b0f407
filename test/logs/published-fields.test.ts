// Our log writers (src/synth/zeek-log-writer.ts, eve-writer.ts) against the field lists Zeek and Suricata publish,
// so the logs the tests read are shaped as the real ones. The lists below are copied from their sources:
// - Zeek: the &log fields of each Info record (id: conn_id expanded to id.orig_h, id.orig_p, id.resp_h,
//   id.resp_p), zeek/zeek scripts/base/protocols/{conn,ssl,quic,dns}/main.zeek; the policy scripts
//   protocols/conn/community-id-logging.zeek (community_id), mac-logging.zeek (orig_l2_addr, resp_l2_addr),
//   vlan-logging.zeek (vlan, inner_vlan); http.log as written in zeek-docs log-formats.rst (`#fields`/`#types`).
// - Suricata: etc/schema.json of OISF/suricata (the 7.x schema): the top-level keys and, per event type, the keys of
//   its object (`additionalProperties: false` in the schema); `http` keys from doc/userguide/output/eve/
//   eve-json-format.rst (hostname, url, http_method in the extended example).

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ZEEK_CONN_FIELDS, ZEEK_CONN_POLICY_FIELDS, ZEEK_DNS_FIELDS, ZEEK_HTTP_FIELDS, ZEEK_QUIC_FIELDS, ZEEK_SSL_FIELDS, writeZeekLogs } from '../../src/synth/zeek-log-writer.js';
import { writeEve } from '../../src/synth/eve-writer.js';
import { sampleCaptures } from '../golden/golden-kinds.js';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import { captureRecords } from './sample-logs.js';

const PUBLISHED_ZEEK: Record<string, string> = {
  conn: 'ts:time uid:string id.orig_h:addr id.orig_p:port id.resp_h:addr id.resp_p:port proto:enum service:string duration:interval '
    + 'orig_bytes:count resp_bytes:count conn_state:string local_orig:bool local_resp:bool missed_bytes:count history:string '
    + 'orig_pkts:count orig_ip_bytes:count resp_pkts:count resp_ip_bytes:count tunnel_parents:set[string] ip_proto:count',
  connPolicy: 'community_id:string orig_l2_addr:string resp_l2_addr:string vlan:int inner_vlan:int',
  ssl: 'ts:time uid:string id.orig_h:addr id.orig_p:port id.resp_h:addr id.resp_p:port version:string cipher:string curve:string '
    + 'server_name:string resumed:bool last_alert:string next_protocol:string established:bool ssl_history:string',
  quic: 'ts:time uid:string id.orig_h:addr id.orig_p:port id.resp_h:addr id.resp_p:port version:string client_initial_dcid:string '
    + 'client_scid:string server_scid:string server_name:string client_protocol:string history:string',
  dns: 'ts:time uid:string id.orig_h:addr id.orig_p:port id.resp_h:addr id.resp_p:port proto:enum trans_id:count rtt:interval '
    + 'query:string qclass:count qclass_name:string qtype:count qtype_name:string rcode:count rcode_name:string AA:bool TC:bool '
    + 'RD:bool RA:bool Z:count answers:vector[string] TTLs:vector[interval] rejected:bool',
  http: 'ts:time uid:string id.orig_h:addr id.orig_p:port id.resp_h:addr id.resp_p:port trans_depth:count method:string host:string '
    + 'uri:string referrer:string version:string user_agent:string origin:string request_body_len:count response_body_len:count '
    + 'status_code:count status_msg:string info_code:count info_msg:string tags:set[enum] username:string password:string '
    + 'proxied:set[string] orig_fuids:vector[string] orig_filenames:vector[string] orig_mime_types:vector[string] '
    + 'resp_fuids:vector[string] resp_filenames:vector[string] resp_mime_types:vector[string]',
};

const SCHEMA_TOP = ['app_proto', 'app_proto_expected', 'app_proto_orig', 'app_proto_tc', 'app_proto_ts', 'community_id', 'dest_ip',
  'dest_port', 'event_type', 'flow_id', 'icmp_code', 'icmp_type', 'log_level', 'packet', 'parent_id', 'payload', 'payload_printable',
  'pcap_cnt', 'pkt_src', 'proto', 'response_icmp_code', 'response_icmp_type', 'spi', 'src_ip', 'src_port', 'stream', 'timestamp',
  'tx_id', 'files', 'vlan', 'alert', 'anomaly', 'dns', 'ether', 'flow', 'http', 'quic', 'tcp', 'tls'];
const SCHEMA_OBJECTS: Record<string, string[]> = {
  flow: ['action', 'age', 'alerted', 'bypass', 'bypassed', 'bytes_toclient', 'bytes_toserver', 'end', 'pkts_toclient', 'pkts_toserver', 'reason', 'start', 'state'],
  tcp: ['ack', 'cwr', 'ecn', 'fin', 'psh', 'rst', 'state', 'syn', 'tcp_flags', 'tcp_flags_tc', 'tcp_flags_ts', 'urg'],
  tls: ['fingerprint', 'from_proto', 'issuerdn', 'notafter', 'notbefore', 'serial', 'session_resumed', 'sni', 'subject', 'version', 'ja3', 'ja3s'],
  quic: ['cyu', 'sni', 'ua', 'version'],
  dns: ['aa', 'flags', 'id', 'qr', 'ra', 'rcode', 'rd', 'rrname', 'rrtype', 'tx_id', 'type', 'version', 'answers', 'authorities', 'query', 'answer', 'grouped', 'z'],
  'dns.answers[]': ['rdata', 'rrname', 'rrtype', 'ttl', 'srv'],
  ether: ['dest_mac', 'src_mac', 'dest_macs', 'src_macs'],
  http: ['hostname', 'url', 'http_user_agent', 'http_content_type', 'http_refer', 'http_method', 'protocol', 'status', 'length'],
};

const fieldText = (fields: readonly (readonly [string, string])[]): string => fields.map(([n, t]) => `${n}:${t}`).join(' ');

describe('Zeek writer field lists', () => {
  it('are the published ones, in order, with their types', () => {
    expect(fieldText(ZEEK_CONN_FIELDS)).toBe(PUBLISHED_ZEEK.conn);
    expect(fieldText(ZEEK_CONN_POLICY_FIELDS)).toBe(PUBLISHED_ZEEK.connPolicy);
    expect(fieldText(ZEEK_SSL_FIELDS)).toBe(PUBLISHED_ZEEK.ssl);
    expect(fieldText(ZEEK_QUIC_FIELDS)).toBe(PUBLISHED_ZEEK.quic);
    expect(fieldText(ZEEK_DNS_FIELDS)).toBe(PUBLISHED_ZEEK.dns);
    expect(fieldText(ZEEK_HTTP_FIELDS)).toBe(PUBLISHED_ZEEK.http);
  });

  it.each(sampleCaptures())('written TSV headers carry those lists (%s)', async (capture) => {
    const r = await captureRecords(join(REPO_ROOT, 'captures', capture));
    const logs = writeZeekLogs(r.flows, r.dns, { format: 'tsv', policies: true });
    const header = (text: string, key: string): string => (text.split('\n').find((l) => l.startsWith(key)) ?? '').split('\t').slice(1).join(' ');
    const fromHeader = (text: string): string => {
      const names = header(text, '#fields').split(' ');
      const types = header(text, '#types').split(' ');
      return names.map((n, i) => `${n}:${types[i]}`).join(' ');
    };
    expect(fromHeader(logs.conn)).toBe(`${PUBLISHED_ZEEK.conn} ${PUBLISHED_ZEEK.connPolicy}`);
    expect(fromHeader(logs.ssl)).toBe(PUBLISHED_ZEEK.ssl);
    expect(fromHeader(logs.dns)).toBe(PUBLISHED_ZEEK.dns);
    // JSON lines use only published names.
    const json = writeZeekLogs(r.flows, r.dns, { format: 'json', policies: true });
    const allowed = new Set(Object.values(PUBLISHED_ZEEK).flatMap((s) => s.split(' ').map((x) => x.split(':')[0])));
    for (const text of Object.values(json)) for (const line of text.split('\n').filter(Boolean)) for (const k of Object.keys(JSON.parse(line))) expect(allowed).toContain(k);
  });
});

describe('eve.json writer', () => {
  it.each(sampleCaptures())('writes only keys of the published schema (%s)', async (capture) => {
    const r = await captureRecords(join(REPO_ROOT, 'captures', capture));
    const text = writeEve(r.flows, r.dns, { linkHeaderBytes: 14 });
    const types = new Set<string>();
    for (const line of text.split('\n').filter(Boolean)) {
      const ev = JSON.parse(line) as Record<string, unknown>;
      types.add(ev.event_type as string);
      for (const k of Object.keys(ev)) expect(SCHEMA_TOP).toContain(k);
      for (const [obj, keys] of Object.entries(SCHEMA_OBJECTS)) {
        if (obj.includes('[')) continue;
        const o = ev[obj] as Record<string, unknown> | undefined;
        if (o !== undefined) for (const k of Object.keys(o)) expect(keys, `${obj}.${k}`).toContain(k);
      }
      const answers = (ev.dns as { answers?: Record<string, unknown>[] } | undefined)?.answers ?? [];
      for (const a of answers) for (const k of Object.keys(a)) expect(SCHEMA_OBJECTS['dns.answers[]']).toContain(k);
      expect(ev.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+[+-]\d+$/); // the schema's pattern
    }
    expect(types.has('flow')).toBe(true);
    expect(types.has('dns')).toBe(true);
  });
});
