// fast-check properties of the decoder: no exception on any bytes for any link type (the internal_error counter
// stays 0, so the defensive catch is never what saves us), offsets stay inside the buffer, and fragment
// reassembly yields the same datagram whatever the fragment order.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RawPacket } from '../../src/capture/raw-packet.js';
import { DECODE_MALFORMED, DECODE_OK, DECODE_FRAGMENT_PENDING, Decoder } from '../../src/decode/decoder.js';
import { PacketView } from '../../src/decode/packet-view.js';
import { ethernetFrame, fragmentIpv4, ipv4Packet, ipv6Packet, linkFrame, tcpPacket, udpPacket } from '../../src/synth/packets.js';

const LINKS = [0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 239, 276, 147];

function check(d: Decoder, link: number, frame: Buffer): number {
  const p = new RawPacket();
  p.buf = frame;
  p.off = 0;
  p.caplen = frame.length;
  p.linkType = link;
  const v = new PacketView();
  const r = d.decode(p, v);
  expect(r).toBeGreaterThanOrEqual(DECODE_OK);
  expect(r).toBeLessThanOrEqual(DECODE_MALFORMED);
  if (r === DECODE_OK) {
    expect(v.payloadOff + v.payloadLen).toBeLessThanOrEqual(v.buf.length);
    expect(v.payloadLen).toBeGreaterThanOrEqual(0);
    expect(v.payloadLen).toBeLessThanOrEqual(v.payloadWireLen);
    expect(v.srcOff + v.addrLen).toBeLessThanOrEqual(v.buf.length);
    expect(v.dstOff + v.addrLen).toBeLessThanOrEqual(v.buf.length);
  }
  expect(d.counters.internal_error).toBe(0);
  return r;
}

const udp4 = udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 5000, dport: 53, payload: Buffer.from('hello world') });
const tcp6 = tcpPacket({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40000, dport: 443, payload: Buffer.from('tls') });
const seeds: Buffer[] = [
  udp4,
  tcp6,
  ipv4Packet('192.0.2.1', '192.0.2.2', 4, udp4),
  ipv4Packet('192.0.2.1', '192.0.2.2', 47, Buffer.concat([Buffer.from([0x30, 0x81, 0x88, 0x0b, 0, 4, 0, 1, 0, 0, 0, 1, 0xff, 0x03, 0, 0x21]), udp4])),
  udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 1701, dport: 1701, payload: Buffer.concat([Buffer.from([0x4a, 0x02, 0, 30, 0, 1, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0xff, 0x03, 0x00, 0x57]), tcp6]) }),
  ipv6Packet('2001:db8::2', '2001:db8::1', 0, udp4.subarray(20), { ext: Buffer.from([44, 0, 1, 4, 0, 0, 0, 0, 17, 0, 0, 9, 0, 0, 0, 1]) }),
  ...fragmentIpv4(udp4, 8),
];

describe('decoder never throws', () => {
  it('arbitrary bytes on every link type', () => {
    const d = new Decoder();
    fc.assert(
      fc.property(fc.constantFrom(...LINKS), fc.uint8Array({ maxLength: 200 }), (link, bytes) => {
        check(d, link, Buffer.from(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated and truncated valid frames on every link type', () => {
    const d = new Decoder();
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.constantFrom(0, 1, 101, 113, 9),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (ip, link, muts, cut) => {
          const f = Buffer.from(link === 9 ? Buffer.concat([Buffer.from([0, ip[0] >> 4 === 6 ? 0x57 : 0x21]), ip]) : linkFrame(link, ip));
          for (const [pos, val] of muts) f[pos % f.length] = val;
          check(d, link, f.subarray(0, f.length - (cut % 8)));
        },
      ),
      { numRuns: 3000 },
    );
    expect(d.counters.packets).toBe(3000);
  });
});

describe('fragment reassembly', () => {
  it('same datagram whatever the fragment order (duplicates included)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.integer({ min: 8, max: 200 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.infiniteStream(fc.nat()),
        fc.boolean(),
        (body, size, id, rnd, dup) => {
          const pkt = udpPacket({ src: '10.1.1.1', dst: '10.2.2.2', sport: 1234, dport: 53, payload: Buffer.from(body) }, { id });
          const frags = fragmentIpv4(pkt, size);
          const order = frags.map((f, i) => ({ f, k: rnd.next().value as number, i })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.f);
          if (dup && order.length > 1) order.splice(1, 0, order[0]);
          const d = new Decoder();
          let out = '';
          for (const f of order) {
            const p = new RawPacket();
            p.buf = ethernetFrame(f);
            p.caplen = p.buf.length;
            const v = new PacketView();
            const r = d.decode(p, v);
            if (r === DECODE_OK) out = v.buf.toString('hex', v.payloadOff, v.payloadOff + v.payloadLen);
            else expect(r).toBe(DECODE_FRAGMENT_PENDING);
          }
          expect(out).toBe(Buffer.from(body).toString('hex'));
        },
      ),
      { numRuns: 300 },
    );
  });
});
