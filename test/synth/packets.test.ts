// Synth builders: checksums verify, addresses parse, the TCP conversation is consistent, writers round-trip.
import { describe, expect, it } from 'vitest';
import { RawPacket } from '../../src/capture/raw-packet.js';
import { readCaptureStream } from '../../src/capture/reader.js';
import { DECODE_OK, Decoder } from '../../src/decode/decoder.js';
import { PacketView, TCP_ACK, TCP_FIN, TCP_SYN } from '../../src/decode/packet-view.js';
import { PcapWriter, PcapngWriter } from '../../src/synth/pcap-writer.js';
import { TcpConversation, fragmentIpv4, internetChecksum, ipv6Bytes, linkFrame, tcpPacket, udpPacket } from '../../src/synth/packets.js';

function pseudo4(ip: Buffer): Buffer {
  const p = Buffer.alloc(12);
  ip.copy(p, 0, 12, 20);
  p[9] = ip[9];
  p.writeUInt16BE(ip.length - 20, 10);
  return p;
}

describe('packet builders', () => {
  it('IPv4 header, TCP and UDP checksums verify to zero', () => {
    const t = tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, seq: 5, payload: Buffer.from('abc') });
    expect(internetChecksum(t.subarray(0, 20))).toBe(0);
    expect(internetChecksum(pseudo4(t), t.subarray(20))).toBe(0);
    const u = udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: Buffer.from('abcde') });
    expect(internetChecksum(pseudo4(u), u.subarray(20))).toBe(0);
  });

  it('IPv6 text forms parse', () => {
    expect(ipv6Bytes('::1').toString('hex')).toBe('00000000000000000000000000000001');
    expect(ipv6Bytes('2001:db8::ff00:42:8329').toString('hex')).toBe('20010db8000000000000ff0000428329');
    expect(ipv6Bytes('::ffff:192.0.2.1').toString('hex')).toBe('00000000000000000000ffffc0000201');
  });

  it('fragments carry MF and offsets and verify', () => {
    const u = udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: Buffer.alloc(50) });
    const f = fragmentIpv4(u, 16);
    expect(f.map((x) => x.readUInt16BE(6))).toEqual([0x2000, 0x2002, 0x2004, 0x0006]);
    for (const x of f) expect(internetChecksum(x.subarray(0, 20))).toBe(0);
  });
});

describe('TcpConversation', () => {
  it('handshake at the RTT, data both ways, FIN; seq/ack consistent', () => {
    const c = new TcpConversation({ client: { ip: '10.0.0.2', port: 40000 }, server: { ip: '2.2.2.2', port: 443 }, startTs: 1000, rttMs: 40 });
    c.handshake().send('c2s', Buffer.alloc(3000, 1), 1400).send('s2c', Buffer.alloc(100, 2)).close();
    const d = new Decoder();
    const v = new PacketView();
    const p = new RawPacket();
    p.linkType = 101;
    const seen: Array<[number, number, number, number, number]> = [];
    for (const k of c.packets) {
      p.buf = k.ip;
      p.caplen = k.ip.length;
      const sec = Math.floor(k.ts);
      p.tsSec = sec;
      p.tsNsec = Math.round((k.ts - sec) * 1e9);
      expect(d.decode(p, v)).toBe(DECODE_OK);
      seen.push([v.tcpFlags, v.srcPort, v.seq, v.ack, v.payloadLen]);
    }
    expect(c.packets.length).toBe(3 + 3 + 1 + 3);
    expect(c.packets[1].ts - c.packets[0].ts).toBeCloseTo(0.04, 6);
    expect(seen[0][0]).toBe(TCP_SYN);
    expect(seen[1][0]).toBe(TCP_SYN | TCP_ACK);
    expect(seen[1][3]).toBe(seen[0][2] + 1);
    expect(seen.slice(3, 6).map((s) => s[4])).toEqual([1400, 1400, 200]);
    expect(seen[4][2]).toBe(seen[3][2] + 1400);
    expect(seen[7][0] & TCP_FIN).toBe(TCP_FIN);
  });
});

describe('writers round-trip through the reader', () => {
  async function readAll(b: Buffer): Promise<string[]> {
    const out: string[] = [];
    await readCaptureStream((async function* () { yield b; })(), 'w', { packet: (p) => out.push(`${p.tsSec}:${p.tsNsec}:${p.linkType}:${p.buf.toString('hex', p.off, p.off + p.caplen)}`) });
    return out;
  }

  it('PcapWriter and PcapngWriter give the same records', async () => {
    const u = udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: Buffer.from('x') });
    const frame = linkFrame(113, u);
    const a = await readAll(new PcapWriter({ linkType: 113, nanos: true }).add(frame, 1_700_000_000, 999).toBuffer());
    const ng = new PcapngWriter();
    ng.add(ng.addInterface(113, { tsresol: 9 }), frame, 1_700_000_000, 999);
    expect(await readAll(ng.toBuffer())).toEqual(a);
    expect(a[0]).toMatch(/^1700000000:999:113:/);
  });
});
