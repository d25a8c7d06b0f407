// Turns what a log says about one flow (LogFlow, filled by the Zeek and Suricata readers) into the FlowRecord the
// capture path builds: same fields in the same order, Community ID computed from the tuple, names attributed by
// the same rules (flow/attribute.ts: SNI > QUIC SNI > HTTP Host > DNS), the DNS transaction that named it.
// What the log cannot say stays absent: first_frame, rtt_ms/rtt_source, ech, alpn, tls_versions, app.

import { communityId } from '../flow/community-id.js';
import { attributeInto } from '../flow/attribute.js';
import type { DnsNaming } from '../naming/dns-cache.js';
import type { FlowRecord } from '../types.js';
import { addressWords, wordsText } from './address.js';

export interface LogFlow {
  transport: 'tcp' | 'udp';
  ipVersion: 4 | 6;
  /** Client address words in 0..3, server in 4..7 (see flow/community-id.ts). */
  words: Int32Array;
  clientIp: string;
  clientPort: number;
  serverIp: string;
  serverPort: number;
  uid: string;
  firstSeen: number;
  lastSeen: number;
  packetsUp: number;
  packetsDown: number;
  bytesUp: number;
  bytesDown: number;
  payloadUp?: number;
  payloadDown?: number;
  tcpFlags?: string;
  endReason?: FlowRecord['end_reason'];
  clientMac?: string;
  vlan?: number;
  sni?: string;
  quic?: string;
  quicVersion?: string;
  httpHost?: string;
}

/** Names a flow may get from logs other than the flow's own (ssl.log, quic.log, http.log; eve tls/quic/http). */
export interface AppInfo {
  sni?: string;
  quic?: string;
  quicVersion?: string;
  httpHost?: string;
}

export interface Tuple {
  ipVersion: 4 | 6;
  words: Int32Array;
  clientIp: string;
  serverIp: string;
}

/** Parses the endpoints of a log line (any address text) into canonical form; an error text when they are not
 *  two addresses of one IP version. */
export function parseTuple(client: string | undefined, server: string | undefined): Tuple | string {
  if (client === undefined || server === undefined) return 'no endpoint addresses';
  const words = new Int32Array(8);
  const vc = addressWords(client, words, 0);
  if (vc === 0) return `${JSON.stringify(client.slice(0, 64))} is not an IP address`;
  const vs = addressWords(server, words, 4);
  if (vs === 0) return `${JSON.stringify(server.slice(0, 64))} is not an IP address`;
  if (vc !== vs) return 'endpoints of different IP versions';
  return { ipVersion: vc, words, clientIp: wordsText(words, 0, vc), serverIp: wordsText(words, 4, vc) };
}

export function isPort(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 0xffff;
}

/** Rounds seconds to microseconds (what captures and logs keep). */
export function micros(s: number): number {
  return Math.round(s * 1e6) / 1e6;
}

/** The flow record of `f`, named by its own evidence and by `naming` (the DNS answer its client had). */
export function buildFlowRecord(flowId: number, f: LogFlow, naming: DnsNaming | undefined): FlowRecord {
  const r: FlowRecord = {
    flow_id: flowId,
    uid: f.uid,
    community_id: communityId(f.transport === 'tcp' ? 6 : 17, f.ipVersion, f.words, f.clientPort, f.serverPort),
    transport: f.transport,
    ip_version: f.ipVersion,
    client_ip: f.clientIp,
    client_port: f.clientPort,
    server_ip: f.serverIp,
    server_port: f.serverPort,
    first_seen: f.firstSeen,
    last_seen: f.lastSeen,
    packets_up: f.packetsUp,
    packets_down: f.packetsDown,
    bytes_up: f.bytesUp,
    bytes_down: f.bytesDown,
  };
  if (f.payloadUp !== undefined) r.payload_up = f.payloadUp;
  if (f.payloadDown !== undefined) r.payload_down = f.payloadDown;
  if (f.endReason !== undefined) r.end_reason = f.endReason;
  if (f.clientMac !== undefined) r.client_mac = f.clientMac;
  if (f.vlan !== undefined) r.vlan = f.vlan;
  if (f.tcpFlags !== undefined) r.tcp_flags = f.tcpFlags;
  if (f.sni !== undefined) r.sni = f.sni;
  if (f.quic !== undefined) r.quic = f.quic;
  if (f.quicVersion !== undefined) r.quic_version = f.quicVersion;
  if (f.httpHost !== undefined) r.http_host = f.httpHost;
  attributeInto(r, f.sni, f.quic, f.httpHost, naming?.hostname, naming?.cnameChain, naming?.source);
  if (naming !== undefined && naming.uid !== undefined) {
    r.dns_uid = naming.uid;
    if (naming.frame >= 0) r.dns_frame = naming.frame;
  }
  return r;
}

/** Merges `more` into `into` (the first value of each field wins, as the first ClientHello names a flow). */
export function mergeApp(into: AppInfo, more: AppInfo): void {
  if (into.sni === undefined && more.sni !== undefined) into.sni = more.sni;
  if (into.quic === undefined && more.quic !== undefined) into.quic = more.quic;
  if (into.quicVersion === undefined && more.quicVersion !== undefined) into.quicVersion = more.quicVersion;
  if (into.httpHost === undefined && more.httpHost !== undefined) into.httpHost = more.httpHost;
}

/** A server name from a log as the capture path keeps it: lowercased; absent when empty. */
export function logName(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = s.trim().toLowerCase();
  return t.length === 0 ? undefined : t;
}
