// Writes the Zeek logs (conn, ssl, quic, http, dns; TSV or JSON) that Zeek would write for our flow and DNS
// records, for tests: Zeek is not in this machine's package sources, so the log reader is tested on logs written
// from the sample captures' records. Field names, order and types are Zeek's (each list below is what its script
// declares with &log; test/logs/published-fields.test.ts holds them to the published lists), and values follow
// Zeek's habits: connections written when they end, `-` for unset, duration and byte counts left unset for a
// connection of zero duration, `orig_ip_bytes` counting IP headers, `answers`/`TTLs` as parallel vectors.
// What our records do not know (ciphers, certificates, connection IDs) is written unset.

import type { DnsRecord, FlowRecord } from '../types.js';
import { quicVersionNumber, zeekQuicVersionText } from '../logs/quic-version.js';
import { rrTypeCode } from '../extract/dns/rr-types.js';

export type ZeekType = 'time' | 'string' | 'addr' | 'port' | 'enum' | 'interval' | 'count' | 'int' | 'bool' | 'set[string]' | 'set[enum]' | 'vector[string]' | 'vector[interval]';
export type ZeekField = readonly [name: string, type: ZeekType];

const ID: ZeekField[] = [['id.orig_h', 'addr'], ['id.orig_p', 'port'], ['id.resp_h', 'addr'], ['id.resp_p', 'port']];

/** base/protocols/conn/main.zeek, Conn::Info. */
export const ZEEK_CONN_FIELDS: readonly ZeekField[] = [
  ['ts', 'time'], ['uid', 'string'], ...ID, ['proto', 'enum'], ['service', 'string'], ['duration', 'interval'],
  ['orig_bytes', 'count'], ['resp_bytes', 'count'], ['conn_state', 'string'], ['local_orig', 'bool'], ['local_resp', 'bool'],
  ['missed_bytes', 'count'], ['history', 'string'], ['orig_pkts', 'count'], ['orig_ip_bytes', 'count'], ['resp_pkts', 'count'],
  ['resp_ip_bytes', 'count'], ['tunnel_parents', 'set[string]'], ['ip_proto', 'count'],
];
/** Conn::Info fields added by policy scripts: protocols/conn/community-id-logging.zeek, mac-logging.zeek, vlan-logging.zeek. */
export const ZEEK_CONN_POLICY_FIELDS: readonly ZeekField[] = [
  ['community_id', 'string'], ['orig_l2_addr', 'string'], ['resp_l2_addr', 'string'], ['vlan', 'int'], ['inner_vlan', 'int'],
];
/** base/protocols/ssl/main.zeek, SSL::Info. */
export const ZEEK_SSL_FIELDS: readonly ZeekField[] = [
  ['ts', 'time'], ['uid', 'string'], ...ID, ['version', 'string'], ['cipher', 'string'], ['curve', 'string'],
  ['server_name', 'string'], ['resumed', 'bool'], ['last_alert', 'string'], ['next_protocol', 'string'], ['established', 'bool'],
  ['ssl_history', 'string'],
];
/** base/protocols/quic/main.zeek, QUIC::Info. */
export const ZEEK_QUIC_FIELDS: readonly ZeekField[] = [
  ['ts', 'time'], ['uid', 'string'], ...ID, ['version', 'string'], ['client_initial_dcid', 'string'], ['client_scid', 'string'],
  ['server_scid', 'string'], ['server_name', 'string'], ['client_protocol', 'string'], ['history', 'string'],
];
/** base/protocols/http/main.zeek, HTTP::Info (as in zeek-docs log-formats.rst). */
export const ZEEK_HTTP_FIELDS: readonly ZeekField[] = [
  ['ts', 'time'], ['uid', 'string'], ...ID, ['trans_depth', 'count'], ['method', 'string'], ['host', 'string'], ['uri', 'string'],
  ['referrer', 'string'], ['version', 'string'], ['user_agent', 'string'], ['origin', 'string'], ['request_body_len', 'count'],
  ['response_body_len', 'count'], ['status_code', 'count'], ['status_msg', 'string'], ['info_code', 'count'], ['info_msg', 'string'],
  ['tags', 'set[enum]'], ['username', 'string'], ['password', 'string'], ['proxied', 'set[string]'], ['orig_fuids', 'vector[string]'],
  ['orig_filenames', 'vector[string]'], ['orig_mime_types', 'vector[string]'], ['resp_fuids', 'vector[string]'],
  ['resp_filenames', 'vector[string]'], ['resp_mime_types', 'vector[string]'],
];
/** base/protocols/dns/main.zeek, DNS::Info. */
export const ZEEK_DNS_FIELDS: readonly ZeekField[] = [
  ['ts', 'time'], ['uid', 'string'], ...ID, ['proto', 'enum'], ['trans_id', 'count'], ['rtt', 'interval'], ['query', 'string'],
  ['qclass', 'count'], ['qclass_name', 'string'], ['qtype', 'count'], ['qtype_name', 'string'], ['rcode', 'count'],
  ['rcode_name', 'string'], ['AA', 'bool'], ['TC', 'bool'], ['RD', 'bool'], ['RA', 'bool'], ['Z', 'count'],
  ['answers', 'vector[string]'], ['TTLs', 'vector[interval]'], ['rejected', 'bool'],
];

const micros = (s: number): number => Math.round(s * 1e6) / 1e6;

type Value = string | number | boolean | (string | number)[] | undefined;

export interface ZeekLogs {
  conn: string;
  ssl: string;
  quic: string;
  http: string;
  dns: string;
}

export interface ZeekWriteOptions {
  format: 'tsv' | 'json';
  /** Add the policy scripts' conn.log fields (community_id, MAC and VLAN columns). */
  policies?: boolean;
}

/** The five logs Zeek would write for these records (strings: write them as conn.log, ssl.log, ...). */
export function writeZeekLogs(flows: readonly FlowRecord[], dns: readonly DnsRecord[], opts: ZeekWriteOptions): ZeekLogs {
  const connFields = opts.policies ? [...ZEEK_CONN_FIELDS, ...ZEEK_CONN_POLICY_FIELDS] : ZEEK_CONN_FIELDS;
  // Zeek writes conn.log when a connection is removed (its end), the others as their analyzers finish.
  const byEnd = [...flows].sort((a, b) => a.last_seen - b.last_seen || a.flow_id - b.flow_id);
  const byStart = [...flows].sort((a, b) => a.first_seen - b.first_seen || a.flow_id - b.flow_id);
  return {
    conn: log('conn', connFields, byEnd.map(connRow), opts.format),
    ssl: log('ssl', ZEEK_SSL_FIELDS, byStart.filter((f) => f.sni !== undefined).map(sslRow), opts.format),
    quic: log('quic', ZEEK_QUIC_FIELDS, byStart.filter((f) => f.quic_version !== undefined).map(quicRow), opts.format),
    http: log('http', ZEEK_HTTP_FIELDS, byStart.filter((f) => f.http_host !== undefined).map(httpRow), opts.format),
    dns: log('dns', ZEEK_DNS_FIELDS, [...dns].sort((a, b) => a.ts - b.ts).map(dnsRow), opts.format),
  };
}

function id(f: { client_ip: string; client_port: number; server_ip: string; server_port: number }): Record<string, Value> {
  return { 'id.orig_h': f.client_ip, 'id.orig_p': f.client_port, 'id.resp_h': f.server_ip, 'id.resp_p': f.server_port };
}

function connRow(f: FlowRecord): Record<string, Value> {
  const hdr = f.ip_version === 4 ? 20 : 40;
  // Zeek's times are microseconds (network_time() of libpcap's struct timeval).
  const duration = Math.round((micros(f.last_seen) - micros(f.first_seen)) * 1e6) / 1e6;
  const flags = f.tcp_flags ?? '';
  let history = '';
  let state = 'OTH';
  if (f.transport === 'tcp') {
    if (flags.includes('S')) history += 'S';
    if (flags.includes('S') && flags.includes('A')) history += 'h';
    if (flags.includes('A')) history += 'A';
    if ((f.payload_up ?? 0) > 0) history += 'D';
    if ((f.payload_down ?? 0) > 0) history += 'd';
    if (f.end_reason === 'fin') history += 'Ff';
    else if (flags.includes('F')) history += 'F';
    if (flags.includes('R')) history += 'R';
    state = flags.includes('R') ? 'RSTO' : f.end_reason === 'fin' ? 'SF' : flags.includes('S') && flags.includes('A') ? 'S1' : flags.includes('S') ? 'S0' : 'OTH';
  } else {
    if (f.packets_up > 0) history += 'D';
    if (f.packets_down > 0) history += 'd';
    state = f.packets_up > 0 && f.packets_down > 0 ? 'SF' : f.packets_up > 0 ? 'S0' : 'SHR';
  }
  const service = f.sni !== undefined ? 'ssl' : f.quic_version !== undefined ? 'quic' : f.http_host !== undefined ? 'http' : f.server_port === 53 ? 'dns' : undefined;
  return {
    ts: micros(f.first_seen), uid: f.uid, ...id(f), proto: f.transport, service,
    // Zeek sets duration and the payload counts only for connections that lasted (Conn::set_conn).
    duration: duration > 0 ? duration : undefined,
    orig_bytes: duration > 0 ? f.payload_up : undefined,
    resp_bytes: duration > 0 ? f.payload_down : undefined,
    conn_state: state, local_orig: undefined, local_resp: undefined, missed_bytes: 0, history: history === '' ? undefined : history,
    orig_pkts: f.packets_up, orig_ip_bytes: f.bytes_up + f.packets_up * hdr, resp_pkts: f.packets_down,
    resp_ip_bytes: f.bytes_down + f.packets_down * hdr, tunnel_parents: undefined, ip_proto: f.transport === 'tcp' ? 6 : 17,
    community_id: f.community_id, orig_l2_addr: f.client_mac, resp_l2_addr: undefined, vlan: f.vlan, inner_vlan: undefined,
  };
}

function sslRow(f: FlowRecord): Record<string, Value> {
  return {
    ts: micros(f.first_seen), uid: f.uid, ...id(f), server_name: f.sni, resumed: false, established: false, ssl_history: 'C',
  };
}

function quicRow(f: FlowRecord): Record<string, Value> {
  const n = f.quic_version === undefined ? undefined : quicVersionNumber(f.quic_version);
  return {
    ts: micros(f.first_seen), uid: f.uid, ...id(f), version: n === undefined ? undefined : zeekQuicVersionText(n), server_name: f.quic,
    client_protocol: f.alpn?.[0], history: 'I',
  };
}

function httpRow(f: FlowRecord): Record<string, Value> {
  return { ts: micros(f.first_seen), uid: f.uid, ...id(f), trans_depth: 1, method: 'GET', host: f.http_host, uri: '/', tags: [] };
}

function dnsRow(d: DnsRecord): Record<string, Value> {
  const answers = d.answers.map(zeekAnswerText);
  return {
    ts: micros(d.ts), uid: d.uid, ...id(d), proto: d.transport, trans_id: d.id,
    rtt: d.rtt_ms === undefined ? undefined : Math.round(d.rtt_ms * 1e3) / 1e6,
    query: d.qname === '' && !d.query_seen ? undefined : d.qname, qclass: d.query_seen ? 1 : undefined,
    qclass_name: d.query_seen ? 'C_INTERNET' : undefined,
    // Zeek fills qtype from the query (dns_request) and rcode from the response.
    qtype: d.query_seen ? d.qtype ?? undefined : undefined, qtype_name: d.query_seen ? d.qtype_name ?? undefined : undefined,
    rcode: d.response_seen ? d.rcode : undefined, rcode_name: d.response_seen ? d.rcode_name : undefined,
    AA: false, TC: false, RD: true, RA: d.response_seen, Z: 0,
    answers: answers.length > 0 ? answers : undefined, TTLs: answers.length > 0 ? d.answers.map((a) => a.ttl) : undefined,
    rejected: false,
  };
}

/** How Zeek's dns.log writes one answer (DNS::do_reply and the dns_*_reply events of main.zeek). */
function zeekAnswerText(a: DnsRecord['answers'][number]): string {
  switch (a.type) {
    case 'A': case 'AAAA': case 'CNAME': case 'NS': case 'PTR': case 'MX': case 'SRV': case 'SOA':
      return a.data;
    case 'TXT':
      return `TXT ${Buffer.byteLength(a.data)} ${a.data}`;
    default:
      return `<unknown type=${rrTypeCode(a.type) ?? 0}>`;
  }
}

function log(path: string, fields: readonly ZeekField[], rows: Record<string, Value>[], format: 'tsv' | 'json'): string {
  if (format === 'json') {
    return rows.map((r) => {
      const o: Record<string, unknown> = {};
      for (const [name] of fields) if (r[name] !== undefined) o[name] = r[name];
      return JSON.stringify(o) + '\n';
    }).join('');
  }
  const out = [
    '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', `#path\t${path}`, '#open\t2026-03-02-09-00-00',
    `#fields\t${fields.map(([n]) => n).join('\t')}`, `#types\t${fields.map(([, t]) => t).join('\t')}`,
  ];
  for (const r of rows) out.push(fields.map(([name, type]) => tsvValue(r[name], type)).join('\t'));
  out.push('#close\t2026-03-02-09-00-00');
  return out.join('\n') + '\n';
}

function tsvValue(v: Value, type: ZeekType): string {
  if (v === undefined) return '-';
  if (Array.isArray(v)) return v.length === 0 ? '(empty)' : v.map((x) => tsvScalar(x, type.replace(/^(set|vector)\[(.*)\]$/, '$2') as ZeekType, true)).join(',');
  return tsvScalar(v, type, false);
}

function tsvScalar(v: string | number | boolean, type: ZeekType, inSet: boolean): string {
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'number') return type === 'time' || type === 'interval' ? v.toFixed(6) : String(v);
  // Zeek's ASCII writer escapes separators and unprintable bytes as \xNN, and a value that reads as unset/empty.
  let s = '';
  for (const ch of v) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f || c === 0x09 || c === 0x5c || (inSet && c === 0x2c)) s += '\\x' + c.toString(16).padStart(2, '0');
    else s += ch;
  }
  if (s === '-' || s === '(empty)') s = '\\x' + s.charCodeAt(0).toString(16) + s.slice(1);
  return s;
}
