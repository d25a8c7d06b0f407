// Writes the eve.json Suricata would write for our flow and DNS records (flow, tls, quic, http and dns events), for
// tests: Suricata is not in this machine's package sources. Event fields follow OISF/suricata etc/schema.json
// (test/logs/published-fields.test.ts checks every key written against it) and Suricata's habits: one line per
// event in time order, a flow event when the flow ends, DNS queries and answers as separate events (version 2,
// "detailed" answers) carrying the packet number (`pcap_cnt`), byte counts of whole frames (link header
// included), TCP flags per direction in hex. flow_id is derived from our uid (Suricata's is a 51-bit hash).

import { createHash } from 'node:crypto';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../decode/packet-view.js';
import type { DnsRecord, FlowRecord } from '../types.js';
import { eveQuicVersionText, quicVersionNumber } from '../logs/quic-version.js';

export interface EveWriteOptions {
  /** Link-layer header bytes of the capture the records come from (14 Ethernet, 0 raw IP), per packet. */
  linkHeaderBytes: number;
}

const FLAG_BITS: Record<string, number> = { S: TCP_SYN, A: TCP_ACK, F: TCP_FIN, R: TCP_RST, P: TCP_PSH, U: TCP_URG };

/** Suricata's eve.json timestamp form: `2026-03-02T09:00:00.050000+0000`. */
export function eveTime(ts: number): string {
  const us = Math.round(ts * 1e6);
  const d = new Date(Math.floor(us / 1e6) * 1000);
  const frac = String(us % 1e6).padStart(6, '0');
  return `${d.toISOString().slice(0, 19)}.${frac}+0000`;
}

/** A 48-bit flow_id derived from the flow's uid (deterministic, below JSON's 2^53). */
export function eveFlowId(uid: string): number {
  return createHash('sha1').update(uid).digest().readUIntBE(0, 6);
}

function hex(bits: number): string {
  return bits.toString(16).padStart(2, '0');
}

export function writeEve(flows: readonly FlowRecord[], dns: readonly DnsRecord[], opts: EveWriteOptions): string {
  const events: { ts: number; order: number; line: Record<string, unknown> }[] = [];
  const flowIds = new Map<string, number>();
  for (const f of flows) flowIds.set(f.uid ?? '', eveFlowId(f.uid ?? String(f.flow_id)));
  let order = 0;
  const push = (ts: number, line: Record<string, unknown>): void => {
    events.push({ ts, order: order++, line });
  };
  for (const f of flows) {
    const flowId = flowIds.get(f.uid ?? '') as number;
    const proto = f.transport === 'tcp' ? 'TCP' : 'UDP';
    const tuple = { src_ip: f.client_ip, src_port: f.client_port, dest_ip: f.server_ip, dest_port: f.server_port, proto };
    const base = (ts: number, type: string): Record<string, unknown> => ({ timestamp: eveTime(ts), flow_id: flowId, event_type: type, ...tuple });
    if (f.sni !== undefined) push(f.first_seen, { ...base(f.first_seen, 'tls'), tls: { sni: f.sni } });
    if (f.quic_version !== undefined) {
      const n = quicVersionNumber(f.quic_version);
      const q: Record<string, unknown> = {};
      if (n !== undefined) q.version = eveQuicVersionText(n);
      if (f.quic !== undefined) q.sni = f.quic;
      push(f.first_seen, { ...base(f.first_seen, 'quic'), quic: q });
    }
    if (f.http_host !== undefined) push(f.first_seen, { ...base(f.first_seen, 'http'), http: { hostname: f.http_host, url: '/', http_method: 'GET' } });
    const hdr = opts.linkHeaderBytes + (f.vlan !== undefined ? 4 : 0) + (f.ip_version === 4 ? 20 : 40);
    const flow: Record<string, unknown> = {
      pkts_toserver: f.packets_up, pkts_toclient: f.packets_down,
      bytes_toserver: f.bytes_up + f.packets_up * hdr, bytes_toclient: f.bytes_down + f.packets_down * hdr,
      start: eveTime(f.first_seen), end: eveTime(f.last_seen), age: Math.round(f.last_seen - f.first_seen),
      state: f.end_reason === 'fin' || f.end_reason === 'rst' ? 'closed' : 'established',
      reason: f.end_reason === 'end' ? 'shutdown' : 'timeout', alerted: false,
    };
    const line: Record<string, unknown> = { ...base(f.last_seen, 'flow') };
    if (f.vlan !== undefined) line.vlan = [f.vlan];
    if (f.community_id !== undefined) line.community_id = f.community_id;
    line.app_proto = f.sni !== undefined ? 'tls' : f.quic_version !== undefined ? 'quic' : f.http_host !== undefined ? 'http' : f.server_port === 53 ? 'dns' : 'failed';
    line.flow = flow;
    if (f.transport === 'tcp') {
      let bits = 0;
      for (const c of f.tcp_flags ?? '') bits |= FLAG_BITS[c] ?? 0;
      // Our records keep the union of both directions; FIN goes to the client's side only unless both sent one.
      const ts = bits;
      const tc = f.end_reason === 'fin' ? bits : bits & ~TCP_FIN;
      line.tcp = {
        tcp_flags: hex(bits), tcp_flags_ts: hex(ts), tcp_flags_tc: hex(tc),
        syn: (bits & TCP_SYN) !== 0, fin: (bits & TCP_FIN) !== 0, rst: (bits & TCP_RST) !== 0, psh: (bits & TCP_PSH) !== 0,
        ack: (bits & TCP_ACK) !== 0, urg: (bits & TCP_URG) !== 0, state: f.end_reason === 'fin' ? 'closed' : 'established',
      };
    }
    if (f.client_mac !== undefined) line.ether = { src_macs: [f.client_mac], dest_macs: [] };
    push(f.last_seen, line);
  }
  for (const d of dns) {
    const flowId = flowIds.get(d.uid ?? '');
    const proto = d.transport === 'tcp' ? 'TCP' : 'UDP';
    const head = (ts: number, frame: number | undefined, fromServer: boolean): Record<string, unknown> => {
      const o: Record<string, unknown> = { timestamp: eveTime(ts) };
      if (flowId !== undefined) o.flow_id = flowId;
      if (frame !== undefined) o.pcap_cnt = frame;
      o.event_type = 'dns';
      Object.assign(o, fromServer
        ? { src_ip: d.server_ip, src_port: d.server_port, dest_ip: d.client_ip, dest_port: d.client_port, proto }
        : { src_ip: d.client_ip, src_port: d.client_port, dest_ip: d.server_ip, dest_port: d.server_port, proto });
      return o;
    };
    const rrtype = d.qtype_name ?? undefined;
    if (d.query_seen) push(d.ts, { ...head(d.ts, d.frame, false), dns: { type: 'query', id: d.id, rrname: d.qname, rrtype, tx_id: 0 } });
    if (d.response_seen) {
      const ts = d.query_seen && d.rtt_ms !== undefined ? d.ts + d.rtt_ms / 1000 : d.ts;
      // The query's name and type are logged when the response carries a question (mDNS answers often do not).
      const answer: Record<string, unknown> = { version: 2, type: 'answer', id: d.id, flags: '8180', qr: true, rd: true, ra: true };
      if (d.qname !== '' || d.qtype !== null) Object.assign(answer, { rrname: d.qname, rrtype });
      answer.rcode = d.rcode_name;
      if (d.answers.length > 0) answer.answers = d.answers.map((a) => ({ rrname: a.name, rrtype: a.type, ttl: a.ttl, rdata: a.data }));
      push(ts, { ...head(ts, d.response_frame, true), dns: answer });
    }
  }
  events.sort((a, b) => a.ts - b.ts || a.order - b.order);
  return events.map((e) => JSON.stringify(e.line) + '\n').join('');
}
