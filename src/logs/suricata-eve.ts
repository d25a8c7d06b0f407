// Parses Suricata's eve.json (one event per line, etc/schema.json in OISF/suricata) into what the log reader
// needs, by event type:
// - flow: the flow (src = the side that sent the first packet: the client). Packets from pkts_toserver/_toclient;
//   bytes_up = bytes_toserver (whole frames: Suricata adds GET_PKT_LEN, the captured length) minus, per packet,
//   an Ethernet header (14 bytes, + 4 per VLAN id in `vlan`) and an IP header (20 IPv4, 40 IPv6): exact for
//   Ethernet frames without IPv4 options or IPv6 extension headers; eve.json does not say the link type. No
//   payload counts. tcp_flags from `tcp.tcp_flags` (exact); end_reason `rst` (RST seen), `fin` (FIN from both
//   sides), else from `flow.reason`: timeout/forced -> `idle`, shutdown -> `end`;
// - tls `sni` -> sni; quic `sni` -> quic, `version` -> quic_version; http `hostname` -> http_host (joined by flow_id);
// - dns: queries and answers, versions 1 (one event per answer), 2 (`answers` detailed or `grouped`) and 3
//   (Suricata 8: `queries`, type request/response) -> DnsMessages, paired into transactions as in a capture.
// Pure; never throws: a bad line is a LogLineError.

import { dnsFlavourForPorts } from '../extract/dns/detect.js';
import type { DnsMessage } from '../extract/dns/message.js';
import { rcodeCode, rrTypeCode } from '../extract/dns/rr-types.js';
import { TCP_FIN, TCP_RST } from '../decode/packet-view.js';
import { tcpFlagsText } from '../flow/record.js';
import { EVE_ETHERNET_HEADER_BYTES, EVE_VLAN_TAG_BYTES } from '../limits.js';
import type { DnsAnswer, FlowRecord } from '../types.js';
import { canonicalAddress } from './address.js';
import { isPort, logName, micros, parseTuple, type AppInfo, type Tuple } from './flow-build.js';
import { quicVersionFromEve } from './quic-version.js';
import { isoToEpoch } from './zeek-json.js';
import type { LogLineError } from './zeek-tsv.js';

type Obj = Record<string, unknown>;

export interface EveCommon {
  ts: number;
  /** Suricata's flow id (absent on events not tied to a flow). */
  flowId?: number;
  transport?: 'tcp' | 'udp';
  tuple?: Tuple;
  srcPort?: number;
  destPort?: number;
  /** Packet number in the pcap Suricata read (`pcap_cnt`), our frame number. */
  pcapCnt?: number;
}

export interface EveFlowCounts {
  firstSeen: number;
  lastSeen: number;
  packetsUp: number;
  packetsDown: number;
  bytesUp: number;
  bytesDown: number;
  tcpFlags?: string;
  endReason?: FlowRecord['end_reason'];
  clientMac?: string;
  vlan?: number;
}

export type EveEvent =
  | { type: 'flow'; common: EveCommon; flow: EveFlowCounts }
  | { type: 'app'; common: EveCommon; app: AppInfo }
  | { type: 'dns'; common: EveCommon; messages: DnsMessage[] }
  | { type: 'skip'; reason: string };

const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

export function parseEveLine(line: string): EveEvent | LogLineError | null {
  const t = line.trim();
  if (t.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  const o = obj(parsed);
  if (o === undefined) return { error: 'not a JSON object' };
  const type = text(o.event_type);
  if (type === undefined) return { error: 'no event_type' };
  if (type !== 'flow' && type !== 'tls' && type !== 'quic' && type !== 'http' && type !== 'dns') return { type: 'skip', reason: type };
  const tsText = text(o.timestamp);
  const ts = tsText === undefined ? undefined : isoToEpoch(tsText);
  if (ts === undefined) return { error: 'no valid timestamp' };
  const common: EveCommon = { ts };
  const fid = int(o.flow_id);
  if (fid !== undefined) common.flowId = fid;
  const pc = int(o.pcap_cnt);
  if (pc !== undefined) common.pcapCnt = pc;
  const proto = text(o.proto)?.toUpperCase();
  if (proto === 'TCP') common.transport = 'tcp';
  else if (proto === 'UDP') common.transport = 'udp';
  const src = text(o.src_ip);
  const dst = text(o.dest_ip);
  if (src !== undefined && dst !== undefined) {
    const tuple = parseTuple(src, dst);
    if (typeof tuple === 'string') return { error: tuple };
    common.tuple = tuple;
    const sp = int(o.src_port);
    const dp = int(o.dest_port);
    if (isPort(sp)) common.srcPort = sp;
    if (isPort(dp)) common.destPort = dp;
  }
  switch (type) {
    case 'flow':
      return flowEvent(o, common);
    case 'tls':
      return { type: 'app', common, app: { sni: logName(text(obj(o.tls)?.sni)) } };
    case 'quic': {
      const q = obj(o.quic);
      return { type: 'app', common, app: { quic: logName(text(q?.sni)), quicVersion: quicVersionFromEve(q?.version) } };
    }
    case 'http':
      return { type: 'app', common, app: { httpHost: logName(text(obj(o.http)?.hostname)) } };
    default:
      return dnsEvent(o, common);
  }
}

function flowEvent(o: Obj, common: EveCommon): EveEvent | LogLineError {
  if (common.transport === undefined) return { type: 'skip', reason: text(o.proto)?.toLowerCase() === 'icmp' ? 'icmp' : 'log_conn_not_tcp_udp' };
  if (common.tuple === undefined || common.srcPort === undefined || common.destPort === undefined) return { error: 'flow without endpoints' };
  const f = obj(o.flow);
  if (f === undefined) return { error: 'flow event without "flow"' };
  const start = text(f.start) === undefined ? undefined : isoToEpoch(text(f.start) as string);
  const end = text(f.end) === undefined ? undefined : isoToEpoch(text(f.end) as string);
  const pu = int(f.pkts_toserver);
  const pd = int(f.pkts_toclient);
  const bu = int(f.bytes_toserver);
  const bd = int(f.bytes_toclient);
  if (start === undefined || end === undefined) return { error: 'flow without start/end' };
  if (pu === undefined || pd === undefined || bu === undefined || bd === undefined) return { error: 'flow without packet/byte counts' };
  const vlans = Array.isArray(o.vlan) ? o.vlan.filter((v): v is number => int(v) !== undefined) : [];
  const perPacket = EVE_ETHERNET_HEADER_BYTES + EVE_VLAN_TAG_BYTES * vlans.length + (common.tuple.ipVersion === 4 ? 20 : 40);
  const counts: EveFlowCounts = {
    firstSeen: micros(start),
    lastSeen: micros(Math.max(start, end)),
    packetsUp: pu,
    packetsDown: pd,
    bytesUp: Math.max(0, bu - pu * perPacket),
    bytesDown: Math.max(0, bd - pd * perPacket),
  };
  const tcp = obj(o.tcp);
  let rst = false;
  let fin = false;
  if (common.transport === 'tcp' && tcp !== undefined) {
    const all = hexFlags(tcp.tcp_flags);
    const ts = hexFlags(tcp.tcp_flags_ts);
    const tc = hexFlags(tcp.tcp_flags_tc);
    const bits = all ?? (ts ?? 0) | (tc ?? 0);
    counts.tcpFlags = tcpFlagsText(bits);
    rst = (bits & TCP_RST) !== 0 || tcp.rst === true;
    fin = ts !== undefined && tc !== undefined && (ts & TCP_FIN) !== 0 && (tc & TCP_FIN) !== 0;
  }
  if (rst) counts.endReason = 'rst';
  else if (fin) counts.endReason = 'fin';
  else {
    const reason = text(f.reason);
    if (reason === 'timeout' || reason === 'forced') counts.endReason = 'idle';
    else if (reason === 'shutdown') counts.endReason = 'end';
  }
  if (vlans.length > 0 && vlans[0] <= 4095) counts.vlan = vlans[0];
  const ether = obj(o.ether);
  const mac = text(ether?.src_mac) ?? (Array.isArray(ether?.src_macs) ? text(ether?.src_macs[0]) : undefined);
  if (mac !== undefined && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) counts.clientMac = mac.toLowerCase();
  return { type: 'flow', common, flow: counts };
}

function hexFlags(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^[0-9a-f]{1,4}$/i.test(v)) return undefined;
  return parseInt(v, 16);
}

function dnsEvent(o: Obj, common: EveCommon): EveEvent | LogLineError {
  const d = obj(o.dns);
  if (d === undefined) return { error: 'dns event without "dns"' };
  const kind = text(d.type);
  const id = int(d.id) ?? 0;
  const version = int(d.version);
  if (kind === 'query' || kind === 'request') {
    const q = version === 3 && Array.isArray(d.queries) ? obj(d.queries[0]) : d;
    return { type: 'dns', common, messages: [message(id, false, text(q?.rrname) ?? '', text(q?.rrtype), undefined, [])] };
  }
  if (kind !== 'answer' && kind !== 'response') return { error: `dns event of type ${JSON.stringify(kind)}` };
  orientResponse(common);
  const rcode = text(d.rcode);
  if (version === 2 || version === 3) {
    const q = version === 3 && Array.isArray(d.queries) ? obj(d.queries[0]) : d;
    const qname = text(q?.rrname) ?? '';
    let answers: DnsAnswer[];
    if (Array.isArray(d.answers)) answers = detailed(d.answers);
    else if (obj(d.grouped) !== undefined) answers = grouped(qname, obj(d.grouped) as Obj);
    else answers = [];
    return { type: 'dns', common, messages: [message(id, true, qname, text(q?.rrtype), rcode, answers)] };
  }
  // Version 1: one event per answer record, the record's fields at the top of `dns`.
  const answers = text(d.rrname) !== undefined && text(d.rrtype) !== undefined && d.rdata !== undefined ? detailed([d]) : [];
  return { type: 'dns', common, messages: [message(id, true, text(d.rrname) ?? '', text(d.rrtype), rcode, answers)] };
}

/** Answer events carry the tuple of the response packet in most releases (src = server); when an event has the
 *  DNS port on the destination side only, it is the flow's direction: turn it around. */
function orientResponse(c: EveCommon): void {
  if (c.tuple === undefined || c.srcPort === undefined || c.destPort === undefined) return;
  if (dnsFlavourForPorts(c.destPort, c.destPort) !== null && dnsFlavourForPorts(c.srcPort, c.srcPort) === null) {
    const w = c.tuple.words;
    const swapped = new Int32Array(8);
    swapped.set(w.subarray(4, 8), 0);
    swapped.set(w.subarray(0, 4), 4);
    c.tuple = { ipVersion: c.tuple.ipVersion, words: swapped, clientIp: c.tuple.serverIp, serverIp: c.tuple.clientIp };
    const p = c.srcPort;
    c.srcPort = c.destPort;
    c.destPort = p;
  }
}

function message(id: number, isResponse: boolean, qname: string, qtype: string | undefined, rcode: string | undefined, answers: DnsAnswer[]): DnsMessage {
  return {
    id,
    isResponse,
    opcode: 0,
    rcode: rcode === undefined ? 0 : rcodeCode(rcode) ?? 0,
    qname: qname.replace(/\.$/, ''),
    qtype: qtype === undefined ? null : rrTypeCode(qtype),
    answers,
    glue: [],
  };
}

function detailed(list: unknown[]): DnsAnswer[] {
  const out: DnsAnswer[] = [];
  for (const x of list) {
    const a = obj(x);
    const type = text(a?.rrtype);
    if (a === undefined || type === undefined) continue;
    const raw = typeof a.rdata === 'string' ? a.rdata : '';
    const data = type === 'A' || type === 'AAAA' ? canonicalAddress(raw) ?? raw : raw;
    out.push({ name: (text(a.rrname) ?? '').replace(/\.$/, ''), type, data, ttl: int(a.ttl) ?? 0 });
  }
  return out;
}

/** The `grouped` answer format gives values per type without owners or TTLs: CNAMEs are taken as a chain from
 *  the queried name, addresses as the chain's end, TTL 0 (the naming then lasts DNS_TTL_GRACE_S). */
function grouped(qname: string, g: Obj): DnsAnswer[] {
  const out: DnsAnswer[] = [];
  let owner = qname;
  const cnames = Array.isArray(g.CNAME) ? g.CNAME : [];
  for (const c of cnames) {
    if (typeof c !== 'string') continue;
    out.push({ name: owner, type: 'CNAME', data: c, ttl: 0 });
    owner = c;
  }
  for (const type of ['A', 'AAAA']) {
    const vals = g[type];
    if (!Array.isArray(vals)) continue;
    for (const v of vals) if (typeof v === 'string') out.push({ name: owner, type, data: canonicalAddress(v) ?? v, ttl: 0 });
  }
  return out;
}
