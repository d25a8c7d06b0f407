// A small handset capture built in code for pipeline tests: two handsets, DNS with a CNAME chain, TLS with a
// ClientHello split over TCP segments, QUIC v1 with its server Initial, plain HTTP on a non-standard port,
// and a flow whose server address only the other handset resolved.

import dnsPacket from 'dns-packet';
import { PcapWriter } from '../../src/synth/pcap-writer.js';
import { ethernetFrame, TcpConversation, udpPacket, type TimedPacket } from '../../src/synth/packets.js';
import { buildClientHello, wrapTlsRecords } from '../../src/synth/tls.js';
import { buildQuicClientInitials, buildQuicServerInitial } from '../../src/synth/quic.js';

export const PHONE_A = '10.0.0.2';
export const PHONE_B = '10.0.0.3';
export const RESOLVER = '10.0.0.1';
export const T0 = 1_700_000_000;

function dnsExchange(client: string, port: number, id: number, ts: number, name: string, answers: dnsPacket.Answer[]): TimedPacket[] {
  const q = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
  const r = dnsPacket.encode({ type: 'response', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }], answers });
  return [
    { ts, ip: udpPacket({ src: client, dst: RESOLVER, sport: port, dport: 53, payload: q }) },
    { ts: ts + 0.012, ip: udpPacket({ src: RESOLVER, dst: client, sport: 53, dport: port, payload: r }) },
  ];
}

export interface BuiltCapture {
  pcap: Buffer;
  packets: TimedPacket[];
}

/** Packets in time order; `mutate` may reorder/duplicate before writing (segmentation properties). */
export function buildHandsetCapture(mutate?: (p: TimedPacket[]) => TimedPacket[]): BuiltCapture {
  const pk: TimedPacket[] = [];
  pk.push(
    ...dnsExchange(PHONE_A, 40000, 0x1234, T0, 'api.alder-sync.com', [
      { type: 'CNAME', name: 'api.alder-sync.com', ttl: 300, data: 'alder-lb-1.ap-southeast-1.elb.amazonaws.com' },
      { type: 'A', name: 'alder-lb-1.ap-southeast-1.elb.amazonaws.com', ttl: 60, data: '13.228.1.1' },
      { type: 'A', name: 'alder-lb-1.ap-southeast-1.elb.amazonaws.com', ttl: 60, data: '13.228.1.2' },
    ]),
  );
  // TLS to .1 with a post-quantum ClientHello (spans TCP segments): named by SNI, DNS chain kept.
  const hello = wrapTlsRecords(buildClientHello({ sni: 'api.alder-sync.com', alpn: ['h2', 'http/1.1'], postQuantum: true }));
  const tls = new TcpConversation({ client: { ip: PHONE_A, port: 50001 }, server: { ip: '13.228.1.1', port: 443 }, startTs: T0 + 0.1, rttMs: 40, mss: 700 });
  tls.handshake().send('c2s', hello).send('s2c', Buffer.alloc(3000, 1)).send('c2s', Buffer.alloc(5000, 2)).close();
  pk.push(...tls.packets);
  // TCP to .2 without a ClientHello we can read: named by DNS only.
  const plain = new TcpConversation({ client: { ip: PHONE_A, port: 50002 }, server: { ip: '13.228.1.2', port: 443 }, startTs: T0 + 0.2, rttMs: 41 });
  plain.handshake().send('c2s', Buffer.from([0x17, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5])).close();
  pk.push(...plain.packets);
  // Handset B talks to .2 too but never resolved it: no name (lookups are per client).
  const other = new TcpConversation({ client: { ip: PHONE_B, port: 50003 }, server: { ip: '13.228.1.2', port: 443 }, startTs: T0 + 0.3, rttMs: 42 });
  other.handshake().send('c2s', Buffer.alloc(100, 9)).close();
  pk.push(...other.packets);
  // QUIC v1, ClientHello over two Initials, server Initial 35 ms later.
  const dcid = Buffer.from('8394c8f03e515708', 'hex');
  const scid = Buffer.from('c0ffee00', 'hex');
  const qhello = buildClientHello({ sni: 'media.birch-cloud.net', alpn: ['h3'], quicTransportParams: true, postQuantum: true });
  const initials = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: qhello, splitAt: [900] });
  initials.forEach((d, i) =>
    pk.push({ ts: T0 + 0.4 + i * 0.0005, ip: udpPacket({ src: PHONE_A, dst: '142.250.183.14', sport: 51000, dport: 443, payload: d }) }),
  );
  const sInit = buildQuicServerInitial({ version: 'v1', clientDcid: dcid, serverCid: Buffer.from('5e7e', 'hex'), clientScid: scid });
  pk.push({ ts: T0 + 0.435, ip: udpPacket({ src: '142.250.183.14', dst: PHONE_A, sport: 443, dport: 51000, payload: sInit }) });
  // Plain HTTP on port 8080 from handset B.
  const http = new TcpConversation({ client: { ip: PHONE_B, port: 50004 }, server: { ip: '93.184.216.34', port: 8080 }, startTs: T0 + 0.5, rttMs: 90 });
  http.handshake().send('c2s', Buffer.from('GET /x HTTP/1.1\r\nHost: Upload.Cedar-Data.com:8080\r\nUser-Agent: t\r\n\r\n')).close();
  pk.push(...http.packets);
  pk.sort((a, b) => a.ts - b.ts);
  const out = mutate ? mutate(pk) : pk;
  const w = new PcapWriter({ linkType: 1 });
  for (const p of out) w.add(ethernetFrame(p.ip), p.ts);
  return { pcap: w.toBuffer(), packets: out };
}

export async function* chunks(buf: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let off = 0;
  let i = 0;
  while (off < buf.length) {
    const n = Math.max(1, sizes.length ? sizes[i++ % sizes.length] : buf.length);
    yield buf.subarray(off, Math.min(buf.length, off + n));
    off += n;
  }
}
