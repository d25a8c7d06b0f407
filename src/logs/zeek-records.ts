// Maps Zeek log rows to our records (the field mapping the README documents):
// - conn.log -> a flow: `id.orig_*` is the client, `id.resp_*` the server; packets from `orig_pkts`/`resp_pkts`;
//   bytes_up = `orig_ip_bytes` (whole IP packets, from the IP total length) minus one IP header per packet
//   (20 bytes IPv4, 40 IPv6: exact unless packets carry IPv4 options or IPv6 extension headers); payload_up =
//   `orig_bytes` (TCP: sequence-number span, so retransmitted bytes count once; absent when Zeek logged no
//   duration); tcp_flags = the S, A, F, R that `history` shows (Zeek does not record PSH or URG); end_reason `rst`
//   (an RST in history or an RST conn_state) or `fin` (FIN from both sides), else absent: Zeek does not say
//   whether a connection went idle or the input ended;
// - ssl.log `server_name` -> sni; quic.log `server_name` -> quic, `version` -> quic_version; http.log `host` ->
//   http_host (the first request of the connection);
// - dns.log -> a DNS transaction; `answers` are texts without types or owners, so addresses become A/AAAA
//   records and names CNAME targets of the queried name, in order (PTR, NS, MX, SRV queries keep their type).

import { dnsFlavourForPorts } from '../extract/dns/detect.js';
import type { DnsMessage } from '../extract/dns/message.js';
import { rcodeName, rrTypeName } from '../extract/dns/rr-types.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/packet-view.js';
import { tcpFlagsText } from '../flow/record.js';
import type { CounterName } from '../anomalies.js';
import type { DnsAnswer, DnsRecord } from '../types.js';
import { canonicalAddress } from './address.js';
import { isPort, logName, micros, parseTuple, type AppInfo, type LogFlow } from './flow-build.js';
import { quicVersionFromZeek } from './quic-version.js';
import type { LogLineError } from './zeek-tsv.js';
import { bool, count, list, num, str, type ZeekLogKind, type ZeekRow } from './zeek-row.js';

/** A row that is not a TCP/UDP flow (ICMP, unknown transport): counted, not an error. */
export interface Skipped {
  skip: CounterName;
}

const IP4_HEADER = 20;
const IP6_HEADER = 40;

/** The time and connection tuple every Zeek log row opens with (ts, id.orig_h/p, id.resp_h/p). */
function endpoints(row: ZeekRow): { ts: number; t: Exclude<ReturnType<typeof parseTuple>, string>; cp: number; sp: number } | LogLineError {
  const ts = num(row, 'ts');
  if (ts === undefined) return { error: 'no ts' };
  const t = parseTuple(str(row, 'id.orig_h'), str(row, 'id.resp_h'));
  if (typeof t === 'string') return { error: t };
  const cp = count(row, 'id.orig_p');
  const sp = count(row, 'id.resp_p');
  if (!isPort(cp) || !isPort(sp)) return { error: 'ports missing or out of range' };
  return { ts, t, cp, sp };
}

export function zeekConnFlow(row: ZeekRow): LogFlow | Skipped | LogLineError {
  const proto = str(row, 'proto');
  if (proto !== 'tcp' && proto !== 'udp') return { skip: proto === 'icmp' ? 'icmp' : 'log_conn_not_tcp_udp' };
  const uid = str(row, 'uid');
  if (uid === undefined || uid === '') return { error: 'no uid' };
  const ep = endpoints(row);
  if ('error' in ep) return ep;
  const { ts, t, cp, sp } = ep;
  const origPkts = count(row, 'orig_pkts');
  const respPkts = count(row, 'resp_pkts');
  const origIp = count(row, 'orig_ip_bytes');
  const respIp = count(row, 'resp_ip_bytes');
  if (origPkts === undefined || respPkts === undefined || origIp === undefined || respIp === undefined) {
    return { error: 'no packet or IP byte counts (orig_pkts, orig_ip_bytes, resp_pkts, resp_ip_bytes)' };
  }
  const hdr = t.ipVersion === 4 ? IP4_HEADER : IP6_HEADER;
  const duration = num(row, 'duration');
  const f: LogFlow = {
    transport: proto,
    ipVersion: t.ipVersion,
    words: t.words,
    clientIp: t.clientIp,
    clientPort: cp,
    serverIp: t.serverIp,
    serverPort: sp,
    uid,
    firstSeen: micros(ts),
    lastSeen: micros(ts + (duration !== undefined && duration > 0 ? duration : 0)),
    packetsUp: origPkts,
    packetsDown: respPkts,
    bytesUp: Math.max(0, origIp - origPkts * hdr),
    bytesDown: Math.max(0, respIp - respPkts * hdr),
  };
  const ob = count(row, 'orig_bytes');
  const rb = count(row, 'resp_bytes');
  if (ob !== undefined) f.payloadUp = ob;
  if (rb !== undefined) f.payloadDown = rb;
  if (proto === 'tcp') {
    const history = str(row, 'history') ?? '';
    const state = str(row, 'conn_state') ?? '';
    let bits = 0;
    if (/[sShH]/.test(history)) bits |= TCP_SYN;
    if (/[aAhH]/.test(history)) bits |= TCP_ACK;
    if (/[fF]/.test(history)) bits |= TCP_FIN;
    if (/[rR]/.test(history)) bits |= TCP_RST;
    if (history !== '') f.tcpFlags = tcpFlagsText(bits);
    if ((bits & TCP_RST) !== 0 || state === 'REJ' || state.startsWith('RST')) f.endReason = 'rst';
    else if (history.includes('F') && history.includes('f')) f.endReason = 'fin';
  }
  const mac = str(row, 'orig_l2_addr');
  if (mac !== undefined && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) f.clientMac = mac.toLowerCase();
  const vlan = count(row, 'vlan');
  if (vlan !== undefined && vlan <= 4095) f.vlan = vlan;
  return f;
}

/** The names a side log (ssl, quic, http) gives its connection, keyed by the row's uid. */
export function zeekAppInfo(kind: ZeekLogKind, row: ZeekRow): { uid: string; app: AppInfo } | undefined {
  const uid = str(row, 'uid');
  if (uid === undefined || uid === '') return undefined;
  const app: AppInfo = {};
  if (kind === 'ssl') app.sni = logName(str(row, 'server_name'));
  else if (kind === 'quic') {
    app.quic = logName(str(row, 'server_name'));
    const v = str(row, 'version');
    if (v !== undefined) app.quicVersion = quicVersionFromZeek(v);
  } else if (kind === 'http') {
    const depth = count(row, 'trans_depth');
    if (depth !== undefined && depth > 1) return undefined; // only the first request names the flow
    app.httpHost = logName(str(row, 'host'));
  }
  return { uid, app };
}

export interface ZeekDns {
  record: DnsRecord;
  /** The response as the naming cache reads it, and when it arrived (query time + rtt); absent without one. */
  response?: { client: string; msg: DnsMessage; ts: number };
}

export function zeekDns(row: ZeekRow): ZeekDns | LogLineError {
  const ep = endpoints(row);
  if ('error' in ep) return ep;
  const { ts, t, cp, sp } = ep;
  const proto = str(row, 'proto');
  const qname = str(row, 'query') ?? '';
  const qtype = count(row, 'qtype');
  const rcode = count(row, 'rcode');
  const answers = zeekAnswers(qname, qtype, list(row, 'answers') ?? [], list(row, 'TTLs') ?? []);
  const record: DnsRecord = {
    ts: micros(ts),
    uid: str(row, 'uid'),
    transport: proto === 'tcp' ? 'tcp' : 'udp',
    protocol: dnsFlavourForPorts(cp, sp) ?? 'dns',
    client_ip: t.clientIp,
    client_port: cp,
    server_ip: t.serverIp,
    server_port: sp,
    id: count(row, 'trans_id') ?? 0,
    qname,
    qtype: qtype ?? null,
    qtype_name: qtype === undefined ? null : rrTypeName(qtype),
    answers,
    // Zeek fills qtype from the query and rcode from the response: they say which halves it saw.
    query_seen: qtype !== undefined,
    response_seen: rcode !== undefined,
  };
  if (rcode !== undefined) {
    record.rcode = rcode;
    record.rcode_name = rcodeName(rcode);
  }
  const rtt = num(row, 'rtt');
  if (rtt !== undefined) record.rtt_ms = Math.round(rtt * 1e6) / 1e3;
  if (record.uid === undefined) delete record.uid;
  if (rcode === undefined || bool(row, 'rejected') === true) return { record };
  const msg: DnsMessage = {
    id: record.id, isResponse: true, opcode: 0, rcode, qname, qtype: qtype ?? null, answers, glue: [],
  };
  return { record, response: { client: t.clientIp, msg, ts: micros(ts + (rtt ?? 0)) } };
}

/** The typed answers behind Zeek's `answers` texts (see module comment). */
export function zeekAnswers(qname: string, qtype: number | undefined, texts: readonly unknown[], ttls: readonly unknown[]): DnsAnswer[] {
  const out: DnsAnswer[] = [];
  let owner = qname;
  const nameType = nameTypeFor(qtype);
  for (let i = 0; i < texts.length; i++) {
    const text = String(texts[i]);
    const rawTtl = Number(ttls[i]);
    const ttl = Number.isFinite(rawTtl) && rawTtl >= 0 ? Math.round(rawTtl) : 0;
    const addr = canonicalAddress(text);
    if (addr !== undefined) {
      out.push({ name: owner, type: addr.includes(':') ? 'AAAA' : 'A', data: addr, ttl });
      continue;
    }
    const unknown = /^<unknown type=(\d+)>$/.exec(text);
    if (unknown !== null) {
      out.push({ name: owner, type: rrTypeName(Number(unknown[1])), data: '', ttl });
      continue;
    }
    if (text.startsWith('TXT ')) {
      out.push({ name: owner, type: 'TXT', data: text.replace(/^TXT \d+ /, ''), ttl });
      continue;
    }
    out.push({ name: owner, type: nameType, data: text, ttl });
    if (nameType === 'CNAME') owner = text;
  }
  return out;
}

function nameTypeFor(qtype: number | undefined): string {
  switch (qtype) {
    case 2: return 'NS';
    case 6: return 'SOA';
    case 12: return 'PTR';
    case 15: return 'MX';
    case 33: return 'SRV';
    default: return 'CNAME';
  }
}
