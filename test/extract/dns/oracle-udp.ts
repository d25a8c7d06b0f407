// Test-only: the UDP half of the oracle's "dns" category computed with this project's DNS code (port flavour or
// content heuristic, then decode), so capture tests can compare it entry by entry with the tshark oracle.
import type { OracleDnsEntry } from '../../../src/types.js';
import { dnsFlavourForPorts, looksLikeDns } from '../../../src/extract/dns/detect.js';
import { decodeDnsMessage, isDnsMalformed } from '../../../src/extract/dns/message.js';
import { rcodeName, rrTypeName } from '../../../src/extract/dns/rr-types.js';
import type { L4Packet } from '../pcap-packets.js';

export function udpDnsEntries(packets: L4Packet[]): OracleDnsEntry[] {
  const out: OracleDnsEntry[] = [];
  for (const p of packets) {
    if (p.transport !== 'udp') continue;
    if (dnsFlavourForPorts(p.sport, p.dport) === null && !looksLikeDns(p.buf, p.off, p.len, 'udp')) continue;
    const m = decodeDnsMessage(p.buf, p.off, p.len);
    if (isDnsMalformed(m)) continue;
    out.push({
      frame: p.frame, ts: p.ts, transport: 'udp',
      client_ip: m.isResponse ? p.dst : p.src, server_ip: m.isResponse ? p.src : p.dst,
      id: m.id, is_response: m.isResponse, qname: m.qname, qtype: m.qtype === null ? null : rrTypeName(m.qtype),
      rcode: rcodeName(m.rcode), answers: m.answers.map((a) => ({ name: a.name, type: a.type, data: a.data })),
    });
  }
  return out;
}

/** Entry without ts (float formatting differs) as a comparable string. */
export function entryKey(e: OracleDnsEntry): string {
  const { ts: _ts, ...rest } = e;
  return JSON.stringify(rest, Object.keys(rest).sort());
}
