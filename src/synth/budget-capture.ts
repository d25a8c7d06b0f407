// A capture where the live-flow bound of a small memory budget bites: `n` TLS connections from their own client
// addresses open first (handshake and a ClientHello naming `sni`), then each sends its upload and closes. With more
// connections than the table holds, the least recently active ones are ended early (`flow_table_full`) after
// their ClientHello, and their later packets start new records that carry the bytes but no name (no SYN, no
// ClientHello, no DNS answer to name them). With a budget whose table holds every connection, each is one named
// record. Tests: the audit of a capture the budget touched (test/audit/budget-effects-e2e.test.ts).

import { PcapWriter } from './pcap-writer.js';
import { ethernetFrame, F_ACK, F_FIN, F_PSH, F_SYN, tcpPacket } from './packets.js';
import { buildClientHello, wrapTlsRecords } from './tls.js';

export interface BudgetCaptureOptions {
  /** Connections (more than the live-flow table of the budget under test holds). */
  flows: number;
  /** The server name every ClientHello carries. */
  sni: string;
  /** Server addresses, used in turn. */
  servers: readonly string[];
  /** Upload bytes each connection sends after its ClientHello. */
  uploadBytes: number;
  /** First packet's time (s). */
  startTs?: number;
  /** Handshake round trip (ms; default 2: a server near the lab). */
  rttMs?: number;
}

/** The capture as classic pcap bytes (Ethernet), packets in time order (connections interleave). */
export function budgetCapture(o: BudgetCaptureOptions): Buffer {
  const packets: [number, Buffer][] = [];
  const w = { add: (frame: Buffer, t: number) => packets.push([Math.round(t * 1e6) / 1e6, frame]) };
  const rtt = (o.rttMs ?? 2) / 1000;
  const hello = wrapTlsRecords(buildClientHello({ sni: o.sni }));
  const upload = Buffer.alloc(o.uploadBytes, 0x17);
  let ts = o.startTs ?? 1_700_000_000;
  const step = 0.0001;
  const ends = (i: number) => ({ client: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`, server: o.servers[i % o.servers.length], port: 40000 + (i % 20000) });
  const cIsn = 0x1000;
  const sIsn = 0x9000;
  for (let i = 0; i < o.flows; i++) {
    const { client, server, port } = ends(i);
    w.add(ethernetFrame(tcpPacket({ src: client, dst: server, sport: port, dport: 443, seq: cIsn, flags: F_SYN })), ts);
    w.add(ethernetFrame(tcpPacket({ src: server, dst: client, sport: 443, dport: port, seq: sIsn, ack: cIsn + 1, flags: F_SYN | F_ACK })), ts + rtt);
    w.add(ethernetFrame(tcpPacket({ src: client, dst: server, sport: port, dport: 443, seq: cIsn + 1, ack: sIsn + 1, flags: F_ACK })), ts + rtt + 0.00001);
    w.add(ethernetFrame(tcpPacket({ src: client, dst: server, sport: port, dport: 443, seq: cIsn + 1, ack: sIsn + 1, flags: F_ACK | F_PSH, payload: hello })), ts + rtt + 0.00002);
    ts += step;
  }
  ts += 0.01;
  for (let i = 0; i < o.flows; i++) {
    const { client, server, port } = ends(i);
    const seq = cIsn + 1 + hello.length;
    w.add(ethernetFrame(tcpPacket({ src: client, dst: server, sport: port, dport: 443, seq, ack: sIsn + 1, flags: F_ACK | F_PSH, payload: upload })), ts);
    w.add(ethernetFrame(tcpPacket({ src: client, dst: server, sport: port, dport: 443, seq: seq + upload.length, ack: sIsn + 1, flags: F_FIN | F_ACK })), ts + 0.00001);
    w.add(ethernetFrame(tcpPacket({ src: server, dst: client, sport: 443, dport: port, seq: sIsn + 1, ack: seq + upload.length + 1, flags: F_FIN | F_ACK })), ts + 0.00002);
    ts += step;
  }
  packets.sort((a, b) => a[0] - b[0]);
  const out = new PcapWriter({ linkType: 1 });
  for (const [t, frame] of packets) out.add(frame, t);
  return out.toBuffer();
}
