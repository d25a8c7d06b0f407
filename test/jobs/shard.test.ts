// The split's router (src/jobs/shard.ts): both directions of a flow and every fragment of a datagram reach one
// shard, whatever the link type; what another shard's naming cache needs is broadcast.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sharder } from '../../src/jobs/shard.js';
import { ethernetFrame, fragmentIpv4, fragmentIpv6, linkFrame, sllFrame, tcpPacket, udpPacket } from '../../src/synth/packets.js';

const route = (s: Sharder, frame: Buffer, lt = 1): [number, boolean] => [s.route(frame, 0, frame.length, lt), s.broadcast];

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(':'));
const port = fc.integer({ min: 1024, max: 65535 });

describe('Sharder', () => {
  it('sends both directions of a flow to one shard, on every link type, IPv4 and IPv6', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(v4, v4), fc.tuple(v6, v6)), port, port, ([a, b], pa, pb) => {
        const s = new Sharder(4);
        const up = tcpPacket({ src: a, dst: b, sport: pa, dport: 443, flags: 0x02 });
        const down = tcpPacket({ src: b, dst: a, sport: 443, dport: pa, flags: 0x12 });
        const other = udpPacket({ src: a, dst: b, sport: pb, dport: 4433, payload: Buffer.alloc(40) });
        const [o1] = route(s, ethernetFrame(up));
        expect(route(s, ethernetFrame(down))[0]).toBe(o1);
        expect(route(s, sllFrame(down), 113)[0]).toBe(o1);
        expect(route(s, linkFrame(101, up), 101)[0]).toBe(o1);
        // The pair decides, not the ports: every flow between two hosts shares a shard.
        expect(route(s, ethernetFrame(other))[0]).toBe(o1);
        expect(o1).toBeGreaterThanOrEqual(0);
        expect(o1).toBeLessThan(4);
      }),
      { numRuns: 200 },
    );
  });

  it('broadcasts DNS (by port and by content) and every fragment, each sent to the shard of its pair', () => {
    const s = new Sharder(3);
    const q = udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 40000, dport: 53, payload: Buffer.from('abcd0100000100000000000003777777076578616d706c6503636f6d0000010001', 'hex') });
    const [owner, all] = route(s, ethernetFrame(q));
    expect(all).toBe(true);
    const big = udpPacket({ src: '10.0.0.2', dst: '93.184.216.34', sport: 40000, dport: 9999, payload: Buffer.alloc(3000) });
    const [bigOwner, bigAll] = route(s, ethernetFrame(big));
    expect(bigAll).toBe(false);
    for (const f of fragmentIpv4(big, 1200)) expect(route(s, ethernetFrame(f))).toEqual([bigOwner, true]);
    const big6 = udpPacket({ src: '2001:db8::2', dst: '2001:db8::99', sport: 40000, dport: 9999, payload: Buffer.alloc(3000) });
    const [owner6] = route(s, ethernetFrame(big6, { etherType: 0x86dd }));
    for (const f of fragmentIpv6(big6, 1200)) expect(route(s, ethernetFrame(f, { etherType: 0x86dd }))).toEqual([owner6, true]);
    // DNS on another port, recognised by its content as the dispatcher does.
    const odd = udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 40000, dport: 5300, payload: Buffer.from('abcd0100000100000000000003777777076578616d706c6503636f6d0000010001', 'hex') });
    expect(route(s, ethernetFrame(odd))).toEqual([owner, true]);
  });

  it('never throws and stays in range on arbitrary bytes of any link type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0, 1, 9, 12, 101, 108, 113, 228, 229, 239, 276, 999), fc.integer({ min: 1, max: 5 }), (b, lt, n) => {
        const s = new Sharder(n);
        const w = s.route(Buffer.from(b), 0, b.length, lt);
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThan(n);
      }),
    );
  });
});
