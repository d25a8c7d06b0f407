// Decoder unit tests: each link layer and header built in code, plus real captures with known contents.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawPacket } from '../../src/capture/raw-packet.js';
import { readCapture } from '../../src/capture/reader.js';
import {
  DECODE_FRAGMENT_PENDING,
  DECODE_ICMP,
  DECODE_MALFORMED,
  DECODE_NON_IP,
  DECODE_OK,
  DECODE_OTHER_PROTO,
  DECODE_TRUNCATED,
  DECODE_UNKNOWN_LINK,
  Decoder,
} from '../../src/decode/decoder.js';
import { PacketView } from '../../src/decode/packet-view.js';
import { MAX_FRAG_DATAGRAMS, MAX_FRAG_PENDING_BYTES } from '../../src/limits.js';
import { ethernetFrame, fragmentIpv4, ipv4Packet, ipv6Packet, linkFrame, sllFrame, tcpPacket, udpDatagram, udpPacket } from '../../src/synth/packets.js';

const CAPTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/captures');

function run(link: number, frame: Buffer, d = new Decoder()): { r: number; v: PacketView; d: Decoder } {
  const p = new RawPacket();
  p.buf = Buffer.concat([Buffer.alloc(5, 0xee), frame]); // non-zero offset on purpose
  p.off = 5;
  p.caplen = frame.length;
  p.origlen = frame.length;
  p.linkType = link;
  p.tsSec = 100;
  const v = new PacketView();
  return { r: d.decode(p, v), v, d };
}

const ip = (v: PacketView, off: number): string => Array.from(v.buf.subarray(off, off + v.addrLen)).join('.');
const payload = (v: PacketView): string => v.buf.toString('latin1', v.payloadOff, v.payloadOff + v.payloadLen);
const udp4 = udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 5000, dport: 53, payload: Buffer.from('hello') });
const tcp6 = tcpPacket({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40000, dport: 443, seq: 7, ack: 9, flags: 0x18, payload: Buffer.from('tls!') });

describe('link layers', () => {
  it('Ethernet with MACs, padding trimmed to the IP total length', () => {
    const { r, v } = run(1, Buffer.concat([ethernetFrame(udp4, { src: '02:00:00:00:00:aa' }), Buffer.alloc(20)]));
    expect(r).toBe(DECODE_OK);
    expect(ip(v, v.srcOff)).toBe('10.0.0.2');
    expect(ip(v, v.dstOff)).toBe('8.8.8.8');
    expect([v.srcPort, v.dstPort, v.proto, v.ipVersion]).toEqual([5000, 53, 17, 4]);
    expect(payload(v)).toBe('hello');
    expect(v.payloadWireLen).toBe(5);
    expect(v.frameBuf[v.macSrcOff + 5]).toBe(0xaa);
    expect(v.vlan).toBe(-1);
  });

  it('802.1Q and QinQ tags: outer VLAN id kept', () => {
    expect(run(1, ethernetFrame(udp4, { vlan: 11 })).v.vlan).toBe(11);
    const q = run(1, ethernetFrame(tcp6, { vlan: 11, qinq: 300 }));
    expect(q.r).toBe(DECODE_OK);
    expect(q.v.vlan).toBe(300);
    expect(payload(q.v)).toBe('tls!');
  });

  it('LLC length-field frames and ARP are non-IP', () => {
    expect(run(1, ethernetFrame(Buffer.alloc(46), { etherType: 46 })).r).toBe(DECODE_NON_IP);
    expect(run(1, ethernetFrame(Buffer.alloc(28), { etherType: 0x0806 })).r).toBe(DECODE_NON_IP);
  });

  it('PPPoE session carrying IPv4 and IPv6', () => {
    for (const [pkt, proto] of [[udp4, 0x21], [tcp6, 0x57]] as const) {
      const h = Buffer.from([0x11, 0, 0, 1, 0, 0, 0, proto]);
      h.writeUInt16BE(pkt.length + 2, 4);
      const { r, v } = run(1, ethernetFrame(Buffer.concat([h, pkt]), { etherType: 0x8864 }));
      expect(r).toBe(DECODE_OK);
      expect(v.ipVersion).toBe(proto === 0x21 ? 4 : 6);
    }
  });

  it('MPLS label stacks (unicast and multicast) carrying IPv4 and IPv6; bad stacks counted, not decoded', () => {
    const label = (bottom: boolean): Buffer => Buffer.from([0x00, 0x01, bottom ? 0x01 : 0x00, 64]);
    for (const [pkt, ver] of [[udp4, 4], [tcp6, 6]] as const) {
      for (const et of [0x8847, 0x8848]) {
        for (const depth of [1, 3]) {
          const stack = Buffer.concat([...Array.from({ length: depth - 1 }, () => label(false)), label(true)]);
          const { r, v } = run(1, ethernetFrame(Buffer.concat([stack, pkt]), { etherType: et }));
          expect(r).toBe(DECODE_OK);
          expect(v.ipVersion).toBe(ver);
          expect(v.srcPort).toBeGreaterThan(0);
        }
      }
    }
    // a pseudowire control word (first nibble 0) after the stack: not IP
    expect(run(1, ethernetFrame(Buffer.concat([label(true), Buffer.alloc(4), udp4]), { etherType: 0x8847 })).r).toBe(DECODE_NON_IP);
    // no bottom-of-stack bit within the limit, and a stack cut short
    expect(run(1, ethernetFrame(Buffer.concat(Array.from({ length: 12 }, () => label(false))), { etherType: 0x8847 })).r).toBe(DECODE_MALFORMED);
    expect(run(1, ethernetFrame(label(false).subarray(0, 4), { etherType: 0x8847 })).r).toBe(DECODE_TRUNCATED);
  });

  it('raw IP by version nibble (101, 12, 14) and fixed (228, 229)', () => {
    for (const lt of [101, 12, 14]) {
      expect(run(lt, udp4).v.ipVersion).toBe(4);
      expect(run(lt, tcp6).v.ipVersion).toBe(6);
    }
    expect(run(228, udp4).r).toBe(DECODE_OK);
    expect(run(229, tcp6).r).toBe(DECODE_OK);
    expect(run(228, tcp6).r).toBe(DECODE_MALFORMED);
  });

  it('Linux SLL and SLL2', () => {
    expect(run(113, sllFrame(tcp6)).r).toBe(DECODE_OK);
    const sll2 = Buffer.alloc(20);
    sll2.writeUInt16BE(0x0800, 0);
    expect(run(276, Buffer.concat([sll2, udp4])).r).toBe(DECODE_OK);
  });

  it('BSD null / loop: AF in either byte order, AF_INET6 24/28/30', () => {
    for (const lt of [0, 108]) {
      for (const af of [24, 28, 30]) {
        for (const be of [false, true]) {
          const h = Buffer.alloc(4);
          if (be) h.writeUInt32BE(af);
          else h.writeUInt32LE(af);
          expect(run(lt, Buffer.concat([h, tcp6])).r).toBe(DECODE_OK);
        }
      }
      expect(run(lt, linkFrame(0, udp4)).v.ipVersion).toBe(4);
    }
  });

  it('PPP and PPP-in-HDLC', () => {
    expect(run(9, Buffer.concat([Buffer.from([0, 0x21]), udp4])).r).toBe(DECODE_OK);
    expect(run(50, Buffer.concat([Buffer.from([0xff, 0x03, 0, 0x57]), tcp6])).r).toBe(DECODE_OK);
    expect(run(9, Buffer.from([0xc0, 0x21, 1, 2, 3])).r).toBe(DECODE_NON_IP); // LCP
  });

  it('NFLOG: TLV walk to the payload', () => {
    const tlv = (type: number, v: Buffer): Buffer => {
      const h = Buffer.alloc(4);
      h.writeUInt16LE(4 + v.length, 0);
      h.writeUInt16LE(type, 2);
      return Buffer.concat([h, v, Buffer.alloc((4 - (v.length & 3)) & 3)]);
    };
    const f = Buffer.concat([Buffer.from([2, 0, 0, 0]), tlv(1, Buffer.alloc(3)), tlv(10, Buffer.from('prefix')), tlv(9, udp4)]);
    const { r, v } = run(239, f);
    expect(r).toBe(DECODE_OK);
    expect(payload(v)).toBe('hello');
  });

  it('NFLOG written big-endian is recognised by its TLV lengths', () => {
    const tlv = (type: number, v: Buffer): Buffer => {
      const h = Buffer.alloc(4);
      h.writeUInt16BE(4 + v.length, 0);
      h.writeUInt16BE(type, 2);
      return Buffer.concat([h, v, Buffer.alloc((4 - (v.length & 3)) & 3)]);
    };
    const { r, v } = run(239, Buffer.concat([Buffer.from([10, 0, 0, 0]), tlv(1, Buffer.alloc(4)), tlv(9, tcp6)]));
    expect(r).toBe(DECODE_OK);
    expect(payload(v)).toBe('tls!');
  });

  it('unknown link types are counted, not fatal', () => {
    const { r, d } = run(147, udp4);
    expect(r).toBe(DECODE_UNKNOWN_LINK);
    expect(d.counters.unknown_link_type).toBe(1);
  });
});

describe('IP and transport', () => {
  it('IPv4 options are skipped', () => {
    const p = ipv4Packet('1.2.3.4', '5.6.7.8', 17, udpDatagram({ src: '1.2.3.4', dst: '5.6.7.8', sport: 1, dport: 2, payload: Buffer.from('x') }), { options: Buffer.from([1, 1, 1, 0]) });
    const { r, v } = run(101, p);
    expect(r).toBe(DECODE_OK);
    expect(v.l4Off - v.ipOff).toBe(24);
    expect(payload(v)).toBe('x');
  });

  it('IPv6 extension headers: hop-by-hop, routing, destination options, AH', () => {
    const seg = udpDatagram({ src: '2001:db8::2', dst: '2001:db8::1', sport: 9, dport: 53, payload: Buffer.from('q') });
    const hbh = Buffer.from([43, 0, 1, 4, 0, 0, 0, 0]);
    const rt = Buffer.from([60, 0, 0, 0, 0, 0, 0, 0]);
    const dst = Buffer.from([51, 0, 1, 4, 0, 0, 0, 0]);
    const ah = Buffer.concat([Buffer.from([17, 4, 0, 0]), Buffer.alloc(20)]); // (4 + 2) * 4 = 24 bytes
    const { r, v } = run(101, ipv6Packet('2001:db8::2', '2001:db8::1', 0, seg, { ext: Buffer.concat([hbh, rt, dst, ah]) }));
    expect(r).toBe(DECODE_OK);
    expect([v.proto, v.dstPort]).toEqual([17, 53]);
    expect(payload(v)).toBe('q');
  });

  it('UDP length field wins over the IP length (min with captured)', () => {
    const p = Buffer.from(udp4);
    p.writeUInt16BE(8, 20 + 4);
    const { r, v } = run(101, p);
    expect(r).toBe(DECODE_OK);
    expect([v.payloadLen, v.payloadWireLen]).toEqual([0, 0]);
    const cut = run(101, udp4.subarray(0, udp4.length - 2));
    expect([cut.v.payloadLen, cut.v.payloadWireLen]).toEqual([3, 5]);
  });

  it('TCP fields, data offset validated', () => {
    const { r, v } = run(101, tcp6);
    expect(r).toBe(DECODE_OK);
    expect([v.seq, v.ack, v.tcpFlags, v.srcPort]).toEqual([7, 9, 0x18, 40000]);
    const bad = Buffer.from(tcp6);
    bad[40 + 12] = 0x40; // 16-byte data offset
    expect(run(101, bad).r).toBe(DECODE_MALFORMED);
    expect(run(101, tcp6.subarray(0, 50)).r).toBe(DECODE_TRUNCATED);
  });

  it('ICMP counted, other protocols counted', () => {
    const icmp = ipv4Packet('1.1.1.1', '2.2.2.2', 1, Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), udp4]));
    const { r, d } = run(101, icmp);
    expect(r).toBe(DECODE_ICMP);
    expect(d.counters.icmp).toBe(1);
    expect(run(101, ipv4Packet('1.1.1.1', '2.2.2.2', 132, Buffer.alloc(12))).r).toBe(DECODE_OTHER_PROTO);
  });

  it('IP-in-IP, nested: innermost addresses reported', () => {
    const inner = ipv6Packet('2001:db8::9', '2001:db8::8', 4, udp4);
    const outer = ipv4Packet('192.0.2.1', '192.0.2.2', 41, inner);
    const { r, v } = run(101, outer);
    expect(r).toBe(DECODE_OK);
    expect(ip(v, v.srcOff)).toBe('10.0.0.2');
    expect(v.tunnelDepth).toBe(2);
  });

  it('GRE carrying IPv4 (with key) and L2TPv2 carrying PPP', () => {
    const gre = Buffer.concat([Buffer.from([0x20, 0, 0x08, 0, 0, 0, 0, 42]), udp4]);
    const g = run(101, ipv4Packet('192.0.2.1', '192.0.2.2', 47, gre));
    expect(g.r).toBe(DECODE_OK);
    expect(ip(g.v, g.v.dstOff)).toBe('8.8.8.8');
    const l2tp = Buffer.concat([Buffer.from([0x00, 0x02, 0, 1, 0, 2, 0xff, 0x03, 0x00, 0x21]), udp4]);
    const l = run(101, udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 1701, dport: 1701, payload: l2tp }));
    expect(l.r).toBe(DECODE_OK);
    expect([ip(l.v, l.v.srcOff), l.v.dstPort, l.v.tunnelDepth]).toEqual(['10.0.0.2', 53, 1]);
    const ctrl = run(101, udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 1701, dport: 1701, payload: Buffer.from([0xc8, 0x02, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0]) }));
    expect([ctrl.r, ctrl.v.dstPort, ip(ctrl.v, ctrl.v.srcOff)]).toEqual([DECODE_OK, 1701, '192.0.2.1']);
  });

  it('GRE carrying Ethernet: transparent bridging and ERSPAN types I, II and III (mirror sessions), inner MACs kept', () => {
    const inner = ethernetFrame(udp4, { src: '02:00:00:00:00:bb' });
    const greHdr = (proto: number, seq: boolean): Buffer => {
      const h = Buffer.alloc(seq ? 8 : 4);
      h[0] = seq ? 0x10 : 0;
      h.writeUInt16BE(proto, 2);
      return h;
    };
    const erspan3 = (o: boolean): Buffer => {
      const h = Buffer.alloc(o ? 20 : 12);
      h[0] = 0x20; // version 2 = type III
      if (o) h[11] = 1;
      return h;
    };
    const cases: [string, Buffer][] = [
      ['TEB', Buffer.concat([greHdr(0x6558, false), inner])],
      ['ERSPAN I', Buffer.concat([greHdr(0x88be, false), inner])],
      ['ERSPAN II', Buffer.concat([greHdr(0x88be, true), Buffer.from([0x10, 0, 0, 7, 0, 0, 0, 0]), inner])],
      ['ERSPAN III', Buffer.concat([greHdr(0x22eb, true), erspan3(false), inner])],
      ['ERSPAN III + subheader', Buffer.concat([greHdr(0x22eb, true), erspan3(true), inner])],
    ];
    for (const [name, gre] of cases) {
      const { r, v } = run(1, ethernetFrame(ipv4Packet('192.0.2.1', '192.0.2.2', 47, gre), { src: '02:00:00:00:00:aa' }));
      expect([name, r]).toEqual([name, DECODE_OK]);
      expect([name, ip(v, v.srcOff), ip(v, v.dstOff), v.dstPort, v.tunnelDepth]).toEqual([name, '10.0.0.2', '8.8.8.8', 53, 1]);
      expect([name, v.frameBuf[v.macSrcOff + 5]]).toEqual([name, 0xbb]); // the mirrored device, not the mirror session
    }
    // cut inside the ERSPAN III header, and Ethernet-in-GRE nested past the tunnel limit: never decoded as IP
    const cut = Buffer.concat([greHdr(0x22eb, true), Buffer.alloc(6)]);
    expect(run(101, ipv4Packet('192.0.2.1', '192.0.2.2', 47, cut)).r).toBe(DECODE_TRUNCATED);
    let nested: Buffer = ipv4Packet('192.0.2.1', '192.0.2.2', 47, Buffer.concat([greHdr(0x6558, false), inner]));
    for (let i = 0; i < 10; i++) nested = ipv4Packet('192.0.2.1', '192.0.2.2', 47, Buffer.concat([greHdr(0x6558, false), ethernetFrame(nested)]));
    expect(run(101, nested).r).toBe(DECODE_MALFORMED);
  });

  it('IPv4 fragments reassemble (any order) into a decodable datagram', () => {
    const big = udpPacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 53, dport: 9999, payload: Buffer.alloc(100, 0x61) }, { id: 77 });
    const frags = fragmentIpv4(big, 24);
    expect(frags.length).toBe(5);
    const d = new Decoder();
    const order = [3, 0, 4, 2, 1];
    const results = order.map((i) => run(101, frags[i], d));
    expect(results.slice(0, 4).map((x) => x.r)).toEqual([DECODE_FRAGMENT_PENDING, DECODE_FRAGMENT_PENDING, DECODE_FRAGMENT_PENDING, DECODE_FRAGMENT_PENDING]);
    const last = results[4];
    expect(last.r).toBe(DECODE_OK);
    expect(payload(last.v)).toBe('a'.repeat(100));
    expect(d.counters.reassembled_datagrams).toBe(1);
    expect(d.pendingFragments).toBe(0);
  });

  it('fragments expire and the table is bounded', () => {
    const big = udpPacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 53, dport: 9999, payload: Buffer.alloc(100) });
    const d = new Decoder();
    run(101, fragmentIpv4(big, 24)[0], d);
    expect(d.pendingFragments).toBe(1);
    d.expireFragments(100 + 31);
    expect(d.pendingFragments).toBe(0);
    expect(d.counters.frag_expired).toBe(1);
  });

  it('past MAX_FRAG_DATAGRAMS incomplete datagrams the oldest goes first (frag_evicted); a newer one still completes', () => {
    const dgram = (id: number): Buffer[] =>
      fragmentIpv4(udpPacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 53, dport: 9999, payload: Buffer.alloc(100, 0x63) }, { id }), 24);
    const d = new Decoder();
    const extra = 100;
    for (let id = 1; id <= MAX_FRAG_DATAGRAMS + extra; id++) expect(run(101, dgram(id)[0], d).r).toBe(DECODE_FRAGMENT_PENDING);
    expect(d.pendingFragments).toBe(MAX_FRAG_DATAGRAMS);
    expect(d.counters.frag_evicted).toBe(extra);
    // The newest datagram is whole once its other fragments arrive...
    const newest = dgram(MAX_FRAG_DATAGRAMS + extra).slice(1).map((f) => run(101, f, d));
    expect(newest[newest.length - 1].r).toBe(DECODE_OK);
    expect(payload(newest[newest.length - 1].v)).toBe('c'.repeat(100));
    // ...the oldest was given up: its other fragments start a new, incomplete datagram (pushing out the next oldest).
    const oldest = dgram(1).slice(1).map((f) => run(101, f, d).r);
    expect(oldest.every((r) => r === DECODE_FRAGMENT_PENDING)).toBe(true);
    expect(d.counters.reassembled_datagrams).toBe(1);
    expect(d.pendingFragments).toBeLessThanOrEqual(MAX_FRAG_DATAGRAMS);
  });

  it('past MAX_FRAG_PENDING_BYTES buffered the oldest datagrams go first, so the buffers stay within it', () => {
    const d = new Decoder();
    // The last fragment of a 60,000-byte datagram: its buffer is sized to the end of the datagram at once.
    const frags = (id: number): Buffer[] =>
      fragmentIpv4(udpPacket({ src: '10.0.0.3', dst: '10.0.0.1', sport: 53, dport: 9999, payload: Buffer.alloc(60_000, 0x64) }, { id }), 1480);
    const n = 300;
    for (let id = 1; id <= n; id++) run(101, frags(id).at(-1)!, d);
    const fit = Math.floor(MAX_FRAG_PENDING_BYTES / 60_008);
    expect(d.pendingFragments).toBeLessThanOrEqual(fit);
    expect(d.pendingFragments).toBeGreaterThan(fit / 2);
    expect(d.counters.frag_evicted).toBe(n - d.pendingFragments);
    // The newest is still held: its other fragments complete it.
    const rest = frags(n).slice(0, -1).map((f) => run(101, f, d));
    expect(rest.at(-1)!.r).toBe(DECODE_OK);
    expect(rest.at(-1)!.v.payloadLen).toBe(60_000);
  });

  it('IPv6 fragments reassemble', () => {
    const seg = udpDatagram({ src: '2001:db8::2', dst: '2001:db8::1', sport: 9, dport: 53, payload: Buffer.alloc(40, 0x62) });
    const fh = (off: number, more: boolean): Buffer => {
      const b = Buffer.alloc(8);
      b[0] = 17;
      b.writeUInt16BE(off | (more ? 1 : 0), 2);
      b.writeUInt32BE(0xabcdef, 4);
      return b;
    };
    const d = new Decoder();
    const f1 = ipv6Packet('2001:db8::2', '2001:db8::1', 44, seg.subarray(0, 24), { ext: fh(0, true) });
    const f2 = ipv6Packet('2001:db8::2', '2001:db8::1', 44, seg.subarray(24), { ext: fh(24, false) });
    expect(run(101, f2, d).r).toBe(DECODE_FRAGMENT_PENDING);
    const { r, v } = run(101, f1, d);
    expect(r).toBe(DECODE_OK);
    expect(payload(v)).toBe('b'.repeat(40));
  });
});

describe.skipIf(!existsSync(CAPTURES))('real captures', () => {
  async function decodeAll(rel: string, each?: (r: number, v: PacketView) => void): Promise<Decoder> {
    const d = new Decoder();
    const v = new PacketView();
    await readCapture(path.join(CAPTURES, rel), {
      packet: (p) => {
        const r = d.decode(p, v);
        each?.(r, v);
      },
    });
    return d;
  }

  it('dnscap/frags.pcap: all 82 DNS messages come out of 8-byte fragments', async () => {
    let dns = 0;
    const d = await decodeAll('dnscap/frags.pcap', (r, v) => {
      if (r === DECODE_OK && (v.srcPort === 53 || v.dstPort === 53)) dns++;
    });
    expect(dns).toBe(82);
    expect(d.counters.reassembled_datagrams).toBe(82);
  });

  it('python-dpkt/nb6-http.pcap frame 56: L2TP inner addresses', async () => {
    let seen = '';
    await decodeAll('python-dpkt/nb6-http.pcap', (r, v) => {
      if (v.frame === 56) seen = `${r} ${v.tunnelDepth} ${v.buf.toString('hex', v.srcOff, v.srcOff + 16)} ${v.buf.toString('hex', v.dstOff, v.dstOff + 16)} ${v.srcPort} ${v.dstPort}`;
    });
    // oracle: 2a00:5e80:101:212d:504:7b1:2572:db22 port 37034 -> 2606:f200:0:7:bad:f00d:d00d:1 port 80
    expect(seen).toBe('0 1 2a005e800101212d050407b12572db22 2606f200000000070badf00dd00d0001 37034 80');
  });

  it('tcpdump/dns-zlip-1.pcap: UDP length 8 means an empty payload', async () => {
    const got: number[] = [];
    await decodeAll('tcpdump/dns-zlip-1.pcap', (r, v) => got.push(r, v.payloadLen));
    expect(got).toEqual([DECODE_OK, 0]);
  });

  it('tcpdump/nflog.pcap carries DNS', async () => {
    let dns = 0;
    await decodeAll('tcpdump/nflog.pcap', (r, v) => void (r === DECODE_OK && (v.srcPort === 53 || v.dstPort === 53) && dns++));
    expect(dns).toBeGreaterThan(0);
  });

  it('wireshark/ipoipoip.pcap: nested IP-in-IP unwrapped', async () => {
    const depths: number[] = [];
    await decodeAll('wireshark/ipoipoip.pcap', (r, v) => void (r === DECODE_OK && depths.push(v.tunnelDepth)));
    expect(depths).toEqual([4, 0]); // frame 1: four IPv4 layers around TCP; frame 2: plain UDP
  });

  it('tcpdump/QinQpacket.pcap and dnscap/vlan11.pcap: tagged frames decode', async () => {
    const q = await decodeAll('tcpdump/QinQpacket.pcap');
    expect(q.counters.ok).toBeGreaterThan(100);
    const v = await decodeAll('dnscap/vlan11.pcap');
    expect(v.counters.ok).toBe(82);
    expect(v.counters.vlan_tagged).toBe(133);
  });
});
