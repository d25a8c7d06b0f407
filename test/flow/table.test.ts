import { describe, expect, it } from 'vitest';
import { analyzeCapture, type AnalyzeOptions } from '../../src/pipeline.js';
import type { FlowRecord } from '../../src/types.js';
import { PcapWriter } from '../../src/synth/pcap-writer.js';
import { ethernetFrame, F_ACK, F_RST, F_SYN, tcpPacket, TcpConversation, udpPacket, type TimedPacket } from '../../src/synth/packets.js';
import { buildClientHello, wrapTlsRecords } from '../../src/synth/tls.js';
import { chunks } from '../pipeline/handset-capture.js';

async function run(packets: TimedPacket[], opts: AnalyzeOptions = {}): Promise<FlowRecord[]> {
  const w = new PcapWriter({ linkType: 1 });
  for (const p of packets) w.add(ethernetFrame(p.ip), p.ts);
  const flows: FlowRecord[] = [];
  await analyzeCapture('t.pcap', { flow: (f) => flows.push(f) }, { ...opts, source: chunks(w.toBuffer(), []) });
  return flows.sort((a, b) => (a.first_frame ?? 0) - (b.first_frame ?? 0));
}

const T = 1_700_000_000;
const udp = (ts: number, sport: number, dport: number, n = 10, src = '10.0.0.2', dst = '203.0.113.5'): TimedPacket => ({
  ts,
  ip: udpPacket({ src, dst, sport, dport, payload: Buffer.alloc(n, 0x5a) }),
});

describe('flow table', () => {
  it('counts packets and bytes per direction, oriented by the SYN', async () => {
    const c = new TcpConversation({ client: { ip: '10.0.0.2', port: 40000 }, server: { ip: '203.0.113.9', port: 9999 }, startTs: T, rttMs: 25 });
    c.handshake().send('c2s', Buffer.alloc(100)).send('s2c', Buffer.alloc(2000)).close();
    const [f] = await run(c.packets);
    expect(f).toMatchObject({ client_ip: '10.0.0.2', client_port: 40000, server_port: 9999, packets_up: 5, packets_down: 4 });
    expect(f.payload_up).toBe(100);
    expect(f.payload_down).toBe(2000);
    expect(f.bytes_up).toBe(5 * 20 + 4 + 100); // TCP headers (+ MSS option on the SYN) and payload
    expect(f.rtt_ms).toBeCloseTo(25, 3);
  });

  it('without a SYN, the well-known port is the server; a ClientHello sender is the client', async () => {
    const hello = wrapTlsRecords(buildClientHello({ sni: 'mid.example.net' }));
    const pk: TimedPacket[] = [
      { ts: T, ip: tcpPacket({ src: '203.0.113.9', dst: '10.0.0.2', sport: 443, dport: 50123, seq: 5, ack: 9, flags: F_ACK, payload: Buffer.alloc(50) }) },
      { ts: T + 0.01, ip: tcpPacket({ src: '10.0.0.2', dst: '203.0.113.9', sport: 50123, dport: 443, seq: 9, ack: 55, flags: F_ACK, payload: Buffer.alloc(0) }) },
      // Unknown high ports: the ClientHello's sender is the client even though it has the lower port.
      { ts: T + 0.02, ip: tcpPacket({ src: '10.0.0.7', dst: '203.0.113.9', sport: 2000, dport: 30000, seq: 1, ack: 1, flags: F_ACK, payload: hello }) },
    ];
    const flows = await run(pk);
    expect(flows[0]).toMatchObject({ client_ip: '10.0.0.2', server_port: 443 });
    expect(flows[1]).toMatchObject({ client_ip: '10.0.0.7', client_port: 2000, server_port: 30000, sni: 'mid.example.net' });
  });

  it('evicts idle flows: a UDP flow silent for longer than its timeout starts again as a new flow', async () => {
    const flows = await run([udp(T, 5000, 7000), udp(T + 10, 5000, 7000), udp(T + 200, 5000, 7000)], { udpIdleTimeout: 60 });
    expect(flows.map((f) => [f.packets_up + f.packets_down, f.end_reason])).toEqual([
      [2, 'idle'],
      [1, 'end'],
    ]);
  });

  it('ends on RST and on FIN, and a new SYN on a closed port pair is a new flow (port reuse)', async () => {
    const a = new TcpConversation({ client: { ip: '10.0.0.2', port: 40001 }, server: { ip: '203.0.113.9', port: 80 }, startTs: T, rttMs: 10, clientIsn: 100 });
    a.handshake().send('c2s', Buffer.from('x')).close();
    const b = new TcpConversation({ client: { ip: '10.0.0.2', port: 40001 }, server: { ip: '203.0.113.9', port: 80 }, startTs: T + 1, rttMs: 10, clientIsn: 90000 });
    b.handshake();
    const rst: TimedPacket = { ts: T + 2, ip: tcpPacket({ src: '203.0.113.9', dst: '10.0.0.2', sport: 80, dport: 40001, seq: 1, ack: 1, flags: F_RST | F_ACK, payload: Buffer.alloc(0) }) };
    const flows = await run([...a.packets, ...b.packets, rst]);
    expect(flows.map((f) => f.end_reason)).toEqual(['reuse', 'rst']);
    expect(flows[1].tcp_flags).toContain('R');
  });

  it('stays within maxFlows on many concurrent flows and still reports every flow', async () => {
    const pk: TimedPacket[] = [];
    for (let i = 0; i < 3000; i++) pk.push(udp(T + i * 0.001, 10000 + i, 7000));
    const flows = await run(pk, { maxFlows: 100 });
    expect(flows).toHaveLength(3000);
    expect(flows.filter((f) => f.anomalies?.includes('flow_table_full')).length).toBe(2900);
  });

  it('a SYN retransmission is not a port reuse', async () => {
    const syn = (ts: number) => ({ ts, ip: tcpPacket({ src: '10.0.0.2', dst: '203.0.113.9', sport: 40002, dport: 443, seq: 7, ack: 0, flags: F_SYN, payload: Buffer.alloc(0) }) });
    const flows = await run([syn(T), syn(T + 1), syn(T + 3)]);
    expect(flows).toHaveLength(1);
    expect(flows[0].packets_up).toBe(3);
  });
});

describe('naming after a turn-around', () => {
  it('a flow whose client only content revealed is still named by that client DNS answer', async () => {
    const dnsPacket = (await import('dns-packet')).default;
    const resp = dnsPacket.encode({
      type: 'response', id: 7, flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: 'A', name: 'late.example.org' }],
      answers: [{ type: 'A', name: 'late.example.org', ttl: 300, data: '203.0.113.7' }],
    });
    const hello = wrapTlsRecords(buildClientHello({}));
    const flows = await run([
      { ts: T, ip: udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 53, dport: 5353 + 1, payload: resp }) },
      // The server speaks first from the higher port: the port rule takes it for the client...
      { ts: T + 1, ip: tcpPacket({ src: '203.0.113.7', dst: '10.0.0.2', sport: 30000, dport: 2000, seq: 100, ack: 1, flags: F_ACK, payload: Buffer.alloc(10, 1) }) },
      // ...until the ClientHello (no SNI) shows who the client is.
      { ts: T + 1.1, ip: tcpPacket({ src: '10.0.0.2', dst: '203.0.113.7', sport: 2000, dport: 30000, seq: 1, ack: 110, flags: F_ACK, payload: hello }) },
    ]);
    const f = flows.find((x) => x.transport === 'tcp');
    expect(f).toMatchObject({ client_ip: '10.0.0.2', server_ip: '203.0.113.7', hostname: 'late.example.org', name_source: 'dns' });
  });
});
