// Fragments that never complete and long IPv6 header chains, at the decoder: a datagram given up (timeout, table
// full, capture end) is delivered for what was seen, with the lengths of every fragment; nothing vanishes.
import { describe, expect, it } from 'vitest';
import { RawPacket } from '../../src/capture/raw-packet.js';
import {
  DECODE_FRAGMENT_PENDING,
  DECODE_MALFORMED,
  DECODE_OK,
  DECODE_TRUNCATED,
  Decoder,
} from '../../src/decode/decoder.js';
import {
  PacketView,
  V_FRAG_FIRST_MISSING,
  V_FRAG_INCOMPLETE,
  V_IPV6_EXT_EXCESSIVE,
  V_REASSEMBLED,
} from '../../src/decode/packet-view.js';
import { FRAG_TIMEOUT_S, MAX_FRAG_DATAGRAMS, MAX_IPV6_EXT_HEADERS } from '../../src/limits.js';
import { fragmentsOf, ipv6WithExtHeaders } from '../../src/synth/fragment-captures.js';
import { fragmentIpv4, ipv4Packet, ipv6Packet, tcpPacket, udpDatagram, udpPacket } from '../../src/synth/packets.js';

function raw(ip: Buffer, ts: number, frame: number, caplen = ip.length): RawPacket {
  const p = new RawPacket();
  p.buf = ip;
  p.caplen = caplen;
  p.origlen = ip.length;
  p.linkType = 101;
  p.tsSec = Math.floor(ts);
  p.tsNsec = Math.round((ts - Math.floor(ts)) * 1e9);
  p.frame = frame;
  return p;
}

function decoder(): Decoder {
  const d = new Decoder();
  d.deliverIncomplete = true;
  return d;
}

/** Everything the decoder hands over for `frames` (then the capture's end): results and view snapshots. */
function decodeAll(frames: RawPacket[], d = decoder()): { r: number; v: Record<string, number | string> }[] {
  const out: { r: number; v: Record<string, number | string> }[] = [];
  const v = new PacketView();
  const snap = (r: number): void => {
    if (r !== DECODE_OK) return;
    out.push({
      r,
      v: {
        frame: v.frame,
        ts: v.ts,
        flags: v.flags,
        src: v.srcPort,
        dst: v.dstPort,
        proto: v.proto,
        ip: v.ipPayloadLen,
        wire: v.payloadWireLen,
        cap: v.payloadLen,
        first: v.fragFirstFrame,
        payload: v.buf.toString('latin1', v.payloadOff, v.payloadOff + v.payloadLen),
      },
    });
  };
  for (const p of frames) {
    snap(d.decode(p, v));
    for (let r = d.nextIncomplete(v); r >= 0; r = d.nextIncomplete(v)) snap(r);
  }
  d.flushFragments();
  for (let r = d.nextIncomplete(v); r >= 0; r = d.nextIncomplete(v)) snap(r);
  return out;
}

const body = Buffer.from('0123456789'.repeat(20)); // 200 bytes
const udp4 = udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 40000, dport: 53, payload: body }, { id: 0x99 });
const udp6 = udpPacket({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40000, dport: 53, payload: body });

describe('datagrams given up incomplete', () => {
  for (const version of [4, 6] as const) {
    it(`IPv${version}: the first fragment alone comes out at the end with its ports and the bytes seen`, () => {
      const frags = fragmentsOf(version === 4 ? udp4 : udp6, 64, version, 0x99);
      expect(frags.length).toBe(4); // 208 bytes of UDP in 64-byte pieces
      const got = decodeAll([raw(frags[0], 100, 1), raw(frags[2], 100.5, 2)]);
      expect(got).toHaveLength(1);
      expect(got[0].v).toMatchObject({
        frame: 1,
        ts: 100,
        flags: V_FRAG_INCOMPLETE,
        src: 40000,
        dst: 53,
        proto: 17,
        ip: 128, // the two fragments seen
        wire: 120,
        cap: 56, // payload up to the hole
        first: 1,
        payload: body.toString('latin1', 0, 56),
      });
    });
  }

  it('is given up FRAG_TIMEOUT_S after its first fragment, when later traffic arrives', () => {
    const frags = fragmentIpv4(udp4, 64);
    const d = decoder();
    const v = new PacketView();
    expect(d.decode(raw(frags[0], 100, 1), v)).toBe(DECODE_FRAGMENT_PENDING);
    d.expireFragments(100 + FRAG_TIMEOUT_S);
    expect(d.incompleteWaiting).toBe(0);
    d.expireFragments(100 + FRAG_TIMEOUT_S + 0.001);
    expect(d.incompleteWaiting).toBe(1);
    expect(d.nextIncomplete(v)).toBe(DECODE_OK);
    expect(v.flags & V_FRAG_INCOMPLETE).not.toBe(0);
    expect(d.counters.frag_expired).toBe(1);
    expect(d.counters.frag_incomplete).toBe(1);
  });

  it('fragments without their first come out with ports 0 and every byte as payload', () => {
    const frags = fragmentIpv4(udp4, 64);
    const got = decodeAll([raw(frags[3], 100, 5), raw(frags[1], 100.1, 6)]);
    expect(got.map((g) => g.v)).toEqual([
      expect.objectContaining({ frame: 5, flags: V_FRAG_INCOMPLETE | V_FRAG_FIRST_MISSING, src: 0, dst: 0, proto: 17, ip: 64 + 16, wire: 80, cap: 0, first: 5 }),
    ]);
  });

  it('a TCP first fragment too short for the TCP header still gives the ports', () => {
    const seg = tcpPacket({ src: '10.0.0.2', dst: '1.1.1.1', sport: 41000, dport: 443, seq: 5, flags: 0x18, payload: Buffer.alloc(64, 1) }, { id: 3 });
    const frags = fragmentIpv4(seg, 8);
    const got = decodeAll([raw(frags[0], 100, 1)]);
    expect(got[0].v).toMatchObject({ src: 41000, dst: 443, proto: 6, ip: 8, wire: 0, cap: 0, flags: V_FRAG_INCOMPLETE });
  });

  it('a fragment cut by the snapshot length is held for what it has and counted at its wire length', () => {
    const frags = fragmentIpv4(udp4, 64);
    const cut = raw(frags[0], 100, 1, 20 + 30); // 30 of its 64 payload bytes captured
    const got = decodeAll([cut, ...frags.slice(1).map((f, i) => raw(f, 100, i + 2))]);
    expect(got).toHaveLength(1);
    expect(got[0].v).toMatchObject({ frame: 1, src: 40000, ip: 208, cap: 22, flags: V_FRAG_INCOMPLETE });
  });

  it('a full table gives its oldest datagram up, still delivered', () => {
    const d = decoder();
    const v = new PacketView();
    let delivered = 0;
    for (let i = 0; i <= MAX_FRAG_DATAGRAMS; i++) {
      const p = udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 1000 + (i % 60000), dport: 53, payload: body }, { id: i & 0xffff });
      expect(d.decode(raw(fragmentIpv4(p, 64)[0], 100, i + 1), v)).toBe(DECODE_FRAGMENT_PENDING);
      for (let r = d.nextIncomplete(v); r >= 0; r = d.nextIncomplete(v)) {
        expect([r, v.frame, v.srcPort]).toEqual([DECODE_OK, 1, 1000]);
        delivered++;
      }
    }
    expect(delivered).toBe(1);
    expect(d.counters.frag_evicted).toBe(1);
    expect(d.pendingFragments).toBe(MAX_FRAG_DATAGRAMS);
  });

  it('without deliverIncomplete nothing waits: the given-up datagrams are only counted', () => {
    const d = new Decoder();
    const v = new PacketView();
    d.decode(raw(fragmentIpv4(udp4, 64)[0], 100, 1), v);
    d.flushFragments();
    expect(d.incompleteWaiting).toBe(0);
    expect(d.nextIncomplete(v)).toBe(-1);
    expect(d.counters.frag_incomplete).toBe(1);
  });

  it('a fragment past the largest datagram is malformed, the rest of its datagram stays', () => {
    const frags = fragmentIpv4(udp4, 64);
    const evil = Buffer.from(frags[1]);
    evil.writeUInt16BE(0x2000 | (65528 >> 3), 6); // offset 65528 + 64 bytes > 65535
    const d = decoder();
    const v = new PacketView();
    expect(d.decode(raw(frags[0], 100, 1), v)).toBe(DECODE_FRAGMENT_PENDING);
    expect(d.decode(raw(evil, 100, 2), v)).toBe(DECODE_MALFORMED);
    for (const [i, f] of frags.slice(1).entries()) d.decode(raw(f, 100, 3 + i), v);
    expect(v.flags & V_REASSEMBLED).not.toBe(0);
    expect(v.buf.toString('latin1', v.payloadOff, v.payloadOff + v.payloadLen)).toBe(body.toString('latin1'));
    expect(d.counters.frag_too_big).toBe(1);
  });
});

describe('reassembled datagrams', () => {
  it('carry the first fragment frame and time and the last time; frame and ts stay those of the completing one', () => {
    const frags = fragmentIpv4(udp4, 64);
    const got = decodeAll([raw(frags[2], 100, 1), raw(frags[0], 101, 2), raw(frags[3], 100.5, 3), raw(frags[1], 102, 4)]);
    expect(got).toHaveLength(1);
    expect(got[0].v).toMatchObject({ frame: 4, ts: 102, first: 1, flags: V_REASSEMBLED, ip: 208, payload: body.toString('latin1') });
  });

  it('IPv6 atomic fragments (RFC 6946) decode whole', () => {
    const seg = udpDatagram({ src: '2001:db8::2', dst: '2001:db8::1', sport: 9, dport: 53, payload: Buffer.alloc(40, 0x62) });
    const fh = Buffer.alloc(8);
    fh[0] = 17;
    fh.writeUInt32BE(5, 4);
    const got = decodeAll([raw(ipv6Packet('2001:db8::2', '2001:db8::1', 44, seg, { ext: fh }), 100, 1)]);
    expect(got[0].v).toMatchObject({ ip: 48, wire: 40, cap: 40, flags: 0 });
  });
});

describe('IPv6 extension header chains', () => {
  const pkt = (n: number): Buffer => ipv6WithExtHeaders(n, '2001:db8::21', '2001:db8::53', 7000, 53, Buffer.from('dns?'));
  it(`walks every header; more than ${MAX_IPV6_EXT_HEADERS} is flagged and counted, not dropped`, () => {
    const d = decoder();
    const v = new PacketView();
    for (const n of [0, 1, MAX_IPV6_EXT_HEADERS, MAX_IPV6_EXT_HEADERS + 1, 100, 2000]) {
      expect([n, d.decode(raw(pkt(n), 100, 1), v)]).toEqual([n, DECODE_OK]);
      expect([n, v.dstPort, v.ipPayloadLen, v.flags]).toEqual([n, 53, 12, n > MAX_IPV6_EXT_HEADERS ? V_IPV6_EXT_EXCESSIVE : 0]);
    }
    expect(d.counters.ipv6_ext_headers_excessive).toBe(3);
  });

  it('a chain cut short is truncated, as before', () => {
    const p = pkt(100);
    const d = decoder();
    expect(d.decode(raw(p, 100, 1, 40 + 8 * 50), new PacketView())).toBe(DECODE_TRUNCATED);
  });
});

describe('IPv4 header checks stay', () => {
  it('a non-final fragment of odd length is malformed', () => {
    const p = ipv4Packet('10.0.0.2', '8.8.8.8', 17, Buffer.alloc(13), { mf: true, id: 4 });
    expect(decodeAll([raw(p, 100, 1)])).toEqual([]);
  });
});
