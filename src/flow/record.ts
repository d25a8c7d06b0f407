// Turns a finished Flow into its FlowRecord: orientation applied, counters per direction, RTT, names.
// Runs once per flow, so it may allocate.

import type { FlowRecord } from '../types.js';
import { attributeInto } from '../naming/attribute.js';
import { PROTO_TCP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../decode/packet-view.js';
import type { Flow } from './flow.js';
import type { EndReason } from './table.js';

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

/** Rounds milliseconds to microsecond precision (capture timestamps carry no more). */
function ms(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function flowRecord(f: Flow, reason: EndReason): FlowRecord {
  const a = f.clientIsA;
  const r: FlowRecord = {
    flow_id: f.id,
    transport: f.proto === PROTO_TCP ? 'tcp' : 'udp',
    ip_version: f.ipVersion === 6 ? 6 : 4,
    client_ip: a ? f.ipA : f.ipB,
    client_port: a ? f.portA : f.portB,
    server_ip: a ? f.ipB : f.ipA,
    server_port: a ? f.portB : f.portA,
    first_seen: f.firstTs,
    last_seen: f.lastTs,
    first_frame: f.firstFrame,
    packets_up: a ? f.packets0 : f.packets1,
    packets_down: a ? f.packets1 : f.packets0,
    bytes_up: a ? f.bytes0 : f.bytes1,
    bytes_down: a ? f.bytes1 : f.bytes0,
    payload_up: a ? f.payload0 : f.payload1,
    payload_down: a ? f.payload1 : f.payload0,
    end_reason: reason,
    // Every optional field exists from the start (undefined ones are left out of JSON and CSV alike): one object
    // shape for every record, where adding only the present ones made dozens of shapes and optimized code that
    // kept meeting new ones (trace-deopt: 'wrong map', recompiled twice per run).
    client_mac: undefined,
    vlan: undefined,
    tcp_flags: undefined,
    sni: undefined,
    quic: undefined,
    quic_version: undefined,
    http_host: undefined,
    hostname: undefined,
    name_source: undefined,
    dns_qname: undefined,
    cname_chain: undefined,
    rtt_ms: undefined,
    rtt_source: undefined,
    ech: undefined,
    alpn: undefined,
    tls_versions: undefined,
    app_uid: undefined,
    anomalies: undefined,
    app: undefined,
  };
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
