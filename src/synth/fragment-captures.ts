// Synthetic captures of the IP layer's hard cases, for tests and tshark cross-checks: DNS responses and TLS
// ClientHellos in datagrams of which only some fragments were captured (IPv4 and IPv6), complete fragmented
// responses, and IPv6 packets with long extension-header chains.
//
//   const pcap = fragmentedDnsCapture({ version: 6, keep: 'first' });   // query, then the response's first fragment
//   const frames = fragmentsOf(udpPacket({...}), 400, 6, 0x77);          // IPv4 or IPv6 fragments of one packet
import dnsPacket from 'dns-packet';
import {
  F_ACK,
  F_PSH,
  fragmentIpv4,
  fragmentIpv6,
  ipv6Packet,
  linkFrame,
  tcpPacket,
  udpDatagram,
  udpPacket,
  type TimedPacket,
} from './packets.js';
import { PcapWriter } from './pcap-writer.js';
import { buildClientHello, wrapTlsRecords } from './tls.js';

export const FRAG_T0 = 1_700_000_000;
export const FRAG_CLIENT4 = '10.0.0.2';
export const FRAG_RESOLVER4 = '8.8.8.8';
export const FRAG_CLIENT6 = '2001:db8::2';
export const FRAG_RESOLVER6 = '2001:4860:4860::8888';

/** A DNS response to `name` A with `answers` A records 93.184.216.<i> (dns-packet: names not compressed, so each
 *  answer takes 10 + name + 4 bytes), and its query. */
export function dnsPair(id: number, answers: number, name = 'example.com'): { query: Buffer; response: Buffer } {
  const questions: dnsPacket.Question[] = [{ type: 'A', name }];
  const an: dnsPacket.Answer[] = [];
  for (let i = 0; i < answers; i++) an.push({ type: 'A', name, ttl: 300, data: `93.184.216.${i}` });
  return {
    query: dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions }),
    response: dnsPacket.encode({ type: 'response', id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions, answers: an }),
  };
}

/** IPv4 or IPv6 fragments of an IP packet, fragmentable parts of at most `size` bytes. */
export function fragmentsOf(ip: Buffer, size: number, version: 4 | 6, id: number): Buffer[] {
  return version === 4 ? fragmentIpv4(ip, size) : fragmentIpv6(ip, size, id);
}

export interface FragmentedDnsOptions {
  version: 4 | 6;
  /** Which fragments of the response the capture holds: all of them, only the first, or all but the first. */
  keep: 'all' | 'first' | 'rest';
  /** A records in the response (default 60: ~1.6 KB, 5 fragments of 400 bytes). */
  answers?: number;
  fragSize?: number;
  /** Capture the fragments last to first. */
  reverse?: boolean;
  /** Link type (default Ethernet). */
  linkType?: number;
}

/** The packets of a DNS exchange whose response is fragmented (see FragmentedDnsOptions), in capture order. */
export function fragmentedDnsPackets(o: FragmentedDnsOptions, t0 = FRAG_T0, port = 40000, id = 7): TimedPacket[] {
  const v4 = o.version === 4;
  const client = v4 ? FRAG_CLIENT4 : FRAG_CLIENT6;
  const resolver = v4 ? FRAG_RESOLVER4 : FRAG_RESOLVER6;
  const { query, response } = dnsPair(id, o.answers ?? 60);
  const out: TimedPacket[] = [{ ts: t0, ip: udpPacket({ src: client, dst: resolver, sport: port, dport: 53, payload: query }) }];
  const full = v4
    ? udpPacket({ src: resolver, dst: client, sport: 53, dport: port, payload: response }, { id: 0x4200 + id })
    : ipv6Packet(resolver, client, 17, udpDatagram({ src: resolver, dst: client, sport: 53, dport: port, payload: response }));
  let frags = fragmentsOf(full, o.fragSize ?? 400, o.version, 0x4200 + id);
  if (o.keep === 'first') frags = frags.slice(0, 1);
  else if (o.keep === 'rest') frags = frags.slice(1);
  if (o.reverse) frags = frags.slice().reverse();
  frags.forEach((ip, i) => out.push({ ts: t0 + 0.02 + i * 0.0001, ip }));
  return out;
}

/** A capture of one fragmented DNS exchange. */
export function fragmentedDnsCapture(o: FragmentedDnsOptions): Buffer {
  return capture(fragmentedDnsPackets(o), o.linkType ?? 1);
}

/**
 * A TCP segment carrying a ClientHello for `sni` (padded to `helloBytes`), fragmented at `fragSize`, of which the
 * capture holds only the first fragment; no handshake (a capture that started mid-connection).
 */
export function truncatedHelloPackets(sni: string, o: { version?: 4 | 6; helloBytes?: number; fragSize?: number } = {}, t0 = FRAG_T0): TimedPacket[] {
  const v4 = (o.version ?? 4) === 4;
  const client = v4 ? FRAG_CLIENT4 : FRAG_CLIENT6;
  const server = v4 ? '93.184.216.34' : '2606:2800:220:1:248:1893:25c8:1946';
  const hello = wrapTlsRecords(buildClientHello({ sni, padTo: o.helloBytes ?? 1400 }));
  const seg = tcpPacket({ src: client, dst: server, sport: 42000, dport: 443, seq: 1001, ack: 1, flags: F_ACK | F_PSH, payload: hello }, { id: 0x5151 });
  const frags = v4 ? fragmentIpv4(seg, o.fragSize ?? 600) : fragmentIpv6(seg, o.fragSize ?? 600, 0x5151);
  return [{ ts: t0, ip: frags[0] }];
}

/** `n` Destination Options headers (8 bytes each: a PadN option), the last pointing at `next`. */
export function ipv6OptionsChain(n: number, next: number): Buffer {
  const out = Buffer.alloc(8 * n);
  for (let i = 0; i < n; i++) {
    out[8 * i] = i === n - 1 ? next : 60;
    out[8 * i + 1] = 0;
    out[8 * i + 2] = 1; // PadN
    out[8 * i + 3] = 4;
  }
  return out;
}

/** An IPv6 UDP datagram behind `n` extension headers (hop-by-hop first, then destination options). */
export function ipv6WithExtHeaders(n: number, src: string, dst: string, sport: number, dport: number, payload: Buffer): Buffer {
  const chain = ipv6OptionsChain(n, 17);
  return ipv6Packet(src, dst, n > 0 ? 0 : 17, udpDatagram({ src, dst, sport, dport, payload }), { ext: chain });
}

/** Writes timed IP packets as a pcap of `linkType`. */
export function capture(packets: TimedPacket[], linkType = 1): Buffer {
  const w = new PcapWriter({ linkType });
  for (const p of packets) w.add(linkFrame(linkType, p.ip), p.ts);
  return w.toBuffer();
}
