// Turns a finished Flow into its FlowRecord: orientation applied, counters per direction, RTT, names.
// Runs once per flow, so it may allocate.

import type { FlowRecord } from '../types.js';
import { attributeInto } from './attribute.js';
import { PROTO_TCP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../decode/packet-view.js';
import type { Flow } from './flow.js';
import type { EndReason } from './table.js';
import { communityId } from './community-id.js';
import { flowUid, uidFromDigest } from './uid.js';

const FLAG_LETTERS: [number, string][] = [
  [TCP_SYN, 'S'],
  [TCP_ACK, 'A'],
  [TCP_FIN, 'F'],
  [TCP_RST, 'R'],
  [TCP_PSH, 'P'],
  [TCP_URG, 'U'],
];
const FLAG_BITS = TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST | TCP_PSH | TCP_URG;
/** The letters of every combination of those six flags, built once (FLAG_BITS is 0x3f). */
const FLAG_TEXT: string[] = Array.from({ length: FLAG_BITS + 1 }, (_, bits) =>
  FLAG_LETTERS.filter(([bit]) => (bits & bit) !== 0).map(([, letter]) => letter).join(''));

/** The `tcp_flags` letters (`SAFRPU` order) of a set of TCP header flag bits. */
export function tcpFlagsText(bits: number): string {
  return FLAG_TEXT[bits & FLAG_BITS];
}

/** Rounds milliseconds to microsecond precision (capture timestamps carry no more). */
function ms(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The flow's endpoint words (A in 0..3, B in 4..7) for communityId()/flowUid(). */
const TUPLE = new Int32Array(8);

function tupleOf(f: Flow): Int32Array {
  const t = TUPLE;
  t[0] = f.a0;
  t[1] = f.a1;
  t[2] = f.a2;
  t[3] = f.a3;
  t[4] = f.b0;
  t[5] = f.b1;
  t[6] = f.b2;
  t[7] = f.b3;
  return t;
}

/** The flow's uid (flow/uid.ts: its tuple, first packet time in microseconds and flow_id), computed once and kept. */
export function uidOf(f: Flow): string {
  let u = f.uid;
  if (u === undefined) {
    u = flowUid(f.proto, f.ipVersion === 6 ? 6 : 4, tupleOf(f), f.portA, f.portB, Math.round(f.firstTs * 1e6), f.id);
    f.uid = u;
  }
  return u;
}

/** The Community ID, then the uid from the same digest when the flow has none yet (one tuple hash per flow). */
function identify(r: FlowRecordObject, f: Flow): void {
  r.community_id = communityId(f.proto, f.ipVersion === 6 ? 6 : 4, tupleOf(f), f.portA, f.portB);
  if (f.uid === undefined) f.uid = uidFromDigest(Math.round(f.firstTs * 1e6), f.id);
  r.uid = f.uid;
}

/**
 * A flow record. A class rather than an object literal: V8 tracks a literal's allocation site and, once most of what
 * it allocates survives a young-generation GC (records held by GeoBatcher until their batch is enriched), switches
 * the site to old-space allocation and throws away the optimised flowRecord (a "code dependencies" deopt in
 * `--trace-deopt`), so it was compiled twice with geolocation and once without. Constructed objects have no
 * allocation site. Fields are assigned in the order JSON shows them.
 */
class FlowRecordObject implements FlowRecord {
  declare flow_id: FlowRecord['flow_id'];
  declare uid: FlowRecord['uid'];
  declare community_id: FlowRecord['community_id'];
  declare transport: FlowRecord['transport'];
  declare ip_version: FlowRecord['ip_version'];
  declare client_ip: FlowRecord['client_ip'];
  declare client_port: FlowRecord['client_port'];
  declare server_ip: FlowRecord['server_ip'];
  declare server_port: FlowRecord['server_port'];
  declare first_seen: FlowRecord['first_seen'];
  declare last_seen: FlowRecord['last_seen'];
  declare first_frame: FlowRecord['first_frame'];
  declare packets_up: FlowRecord['packets_up'];
  declare packets_down: FlowRecord['packets_down'];
  declare bytes_up: FlowRecord['bytes_up'];
  declare bytes_down: FlowRecord['bytes_down'];
  declare payload_up: FlowRecord['payload_up'];
  declare payload_down: FlowRecord['payload_down'];
  declare end_reason: FlowRecord['end_reason'];
  declare client_mac: FlowRecord['client_mac'];
  declare vlan: FlowRecord['vlan'];
  declare tcp_flags: FlowRecord['tcp_flags'];
  declare sni: FlowRecord['sni'];
  declare quic: FlowRecord['quic'];
  declare quic_version: FlowRecord['quic_version'];
  declare http_host: FlowRecord['http_host'];
  declare hostname: FlowRecord['hostname'];
  declare name_source: FlowRecord['name_source'];
  declare dns_qname: FlowRecord['dns_qname'];
  declare cname_chain: FlowRecord['cname_chain'];
  declare dns_uid: FlowRecord['dns_uid'];
  declare dns_frame: FlowRecord['dns_frame'];
  declare rtt_ms: FlowRecord['rtt_ms'];
  declare rtt_source: FlowRecord['rtt_source'];
  declare ech: FlowRecord['ech'];
  declare alpn: FlowRecord['alpn'];
  declare tls_versions: FlowRecord['tls_versions'];
  declare app_uid: FlowRecord['app_uid'];
  declare anomalies: FlowRecord['anomalies'];
  declare app: FlowRecord['app'];

  constructor(f: Flow, reason: EndReason, a: boolean) {
    this.flow_id = f.id;
    this.uid = undefined;
    this.community_id = undefined;
    identify(this, f);
    this.transport = f.proto === PROTO_TCP ? 'tcp' : 'udp';
    this.ip_version = f.ipVersion === 6 ? 6 : 4;
    this.client_ip = a ? f.ipA : f.ipB;
    this.client_port = a ? f.portA : f.portB;
    this.server_ip = a ? f.ipB : f.ipA;
    this.server_port = a ? f.portB : f.portA;
    this.first_seen = f.firstTs;
    this.last_seen = f.lastTs;
    this.first_frame = f.firstFrame;
    this.packets_up = a ? f.packets0 : f.packets1;
    this.packets_down = a ? f.packets1 : f.packets0;
    this.bytes_up = a ? f.bytes0 : f.bytes1;
    this.bytes_down = a ? f.bytes1 : f.bytes0;
    this.payload_up = a ? f.payload0 : f.payload1;
    this.payload_down = a ? f.payload1 : f.payload0;
    this.end_reason = reason;
    // Every optional field exists from the start (undefined ones are left out of JSON and CSV alike): one object
    // shape for every record, where adding only the present ones made dozens of shapes and optimized code that
    // kept meeting new ones (trace-deopt: 'wrong map', recompiled twice per run).
    this.client_mac = undefined;
    this.vlan = undefined;
    this.tcp_flags = undefined;
    this.sni = undefined;
    this.quic = undefined;
    this.quic_version = undefined;
    this.http_host = undefined;
    this.hostname = undefined;
    this.name_source = undefined;
    this.dns_qname = undefined;
    this.cname_chain = undefined;
    this.dns_uid = undefined;
    this.dns_frame = undefined;
    this.rtt_ms = undefined;
    this.rtt_source = undefined;
    this.ech = undefined;
    this.alpn = undefined;
    this.tls_versions = undefined;
    this.app_uid = undefined;
    this.anomalies = undefined;
    this.app = undefined;
  }
}

export function flowRecord(f: Flow, reason: EndReason): FlowRecord {
  const a = f.clientIsA;
  const r: FlowRecord = new FlowRecordObject(f, reason, a);
  const mac = a ? f.macA : f.macB;
  if (mac !== undefined) r.client_mac = mac;
  if (f.vlan >= 0) r.vlan = f.vlan;
  if (f.proto === PROTO_TCP) {
    r.tcp_flags = FLAG_TEXT[f.tcpFlags & FLAG_BITS];
  }
  if (f.sni !== undefined) r.sni = f.sni;
  if (f.quic !== undefined) r.quic = f.quic;
  if (f.quicVersion !== undefined) r.quic_version = f.quicVersion;
  if (f.httpHost !== undefined) r.http_host = f.httpHost;
  attributeInto(r, f.sni, f.quic, f.httpHost, f.dnsName, f.dnsChain, f.dnsSource);
  if (f.dnsUid !== undefined) {
    r.dns_uid = f.dnsUid;
    if (f.dnsFrame >= 0) r.dns_frame = f.dnsFrame;
  }
  if (f.synTs >= 0 && f.synAckTs >= f.synTs) {
    r.rtt_ms = ms((f.synAckTs - f.synTs) * 1000);
    r.rtt_source = 'tcp_handshake';
  } else if (f.quicRttMs >= 0) {
    r.rtt_ms = ms(f.quicRttMs);
    r.rtt_source = 'quic_initial';
  }
  if (f.ech) r.ech = true;
  if (f.alpn !== undefined) r.alpn = f.alpn;
  if (f.tlsVersions !== undefined) r.tls_versions = f.tlsVersions;
  if (f.appUid >= 0) r.app_uid = f.appUid;
  if (f.anomalies !== null) r.anomalies = f.anomalies;
  return r;
}
