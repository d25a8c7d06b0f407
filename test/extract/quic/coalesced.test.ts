import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { QUIC_HELLO, QUIC_NEED_MORE, QuicFlowState } from '../../../src/extract/quic/state.js';
import { looksLikeQuicInitial } from '../../../src/extract/quic/header.js';
import { buildClientHello } from '../../../src/synth/tls.js';
import {
  buildQuicClientInitials, buildQuicOpaquePacket, buildQuicShortPacket, coalesce, type SynthQuicVersion,
} from '../../../src/synth/quic.js';

const dcid = Buffer.from('c0a1c0a2c0a3c0a4', 'hex');
const scid = Buffer.from('5c1d', 'hex');
const VERSIONS: SynthQuicVersion[] = ['v1', 'v2', 'draft-27', 'mvfst-exp', 'mvfst-alias', 'T051'];

const zeroRtt = (version: SynthQuicVersion, n = 90): Buffer => buildQuicOpaquePacket({ version, type: 1, dcid, scid, bodyLength: n });
const handshake = (version: SynthQuicVersion, n = 70): Buffer => buildQuicOpaquePacket({ version, type: 2, dcid, scid, bodyLength: n });

function feed(s: QuicFlowState, dgrams: Buffer[]): number {
  let r = QUIC_NEED_MORE;
  for (const d of dgrams) r = s.onDatagram(d, 0, d.length, true, 1);
  return r;
}

describe('coalesced QUIC packets (RFC 9000 §12.2)', () => {
  for (const version of VERSIONS) {
    const hello = buildClientHello({ sni: `c.${String(version).toLowerCase()}.example`, alpn: ['h3'], quicTransportParams: true });
    const [ini] = buildQuicClientInitials({ version, dcid, scid, clientHello: hello, maxDatagram: 900 });
    const shapes: Array<[string, Buffer]> = [
      ['0-RTT + Initial + Handshake', coalesce([zeroRtt(version), ini, handshake(version)], 1200)],
      ['Initial + Handshake + short header', coalesce([ini, handshake(version), buildQuicShortPacket(dcid, 60)])],
      ['Initial + 0-RTT + Handshake', coalesce([ini, zeroRtt(version), handshake(version)])],
      ['Initial + zero padding', coalesce([ini], 1300)],
    ];
    for (const [shape, d] of shapes) {
      it(`${version}: ${shape}`, () => {
        expect(looksLikeQuicInitial(d, 0, d.length)).toBe(true);
        const s = new QuicFlowState();
        expect(s.onDatagram(d, 0, d.length, true, 1)).toBe(QUIC_HELLO);
        expect(s.result?.sni).toBe(`c.${String(version).toLowerCase()}.example`);
        expect(s.anomalies).toEqual([]);
      });
    }
  }

  it('a hello split across datagrams and coalesced with other packets', () => {
    const hello = buildClientHello({ sni: 'split.example', alpn: ['h3'], postQuantum: true, quicTransportParams: true });
    const parts = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello, splitAt: [300, 1000],
      maxDatagram: 800 });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const dgrams = [
      coalesce([zeroRtt('v1'), parts[0]]),
      coalesce([parts[1], handshake('v1'), buildQuicShortPacket(dcid)]),
      ...parts.slice(2).map((p) => coalesce([p, handshake('v1')])),
    ];
    const s = new QuicFlowState();
    expect(feed(s, dgrams.slice().reverse())).toBe(QUIC_HELLO);
    expect(s.result?.sni).toBe('split.example');
    expect(s.anomalies).toEqual([]);
  });

  it('a damaged packet after the Initial is flagged, the Initial still read', () => {
    const hs = handshake('v1');
    hs.writeUInt16BE(0x7fff, 1 + 4 + 1 + dcid.length + 1 + scid.length); // Length 16383: past the datagram's end
    const hello = buildClientHello({ sni: 'tail.example', alpn: ['h3'] });
    const parts = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello, splitAt: [40],
      maxDatagram: 1100 });
    const s = new QuicFlowState();
    const d = coalesce([parts[0], hs]);
    expect(s.onDatagram(d, 0, d.length, true, 1)).toBe(QUIC_NEED_MORE);
    expect(s.anomalies).toEqual(['quic_coalesced_malformed']);
    expect(s.onDatagram(parts[1], 0, parts[1].length, true, 2)).toBe(QUIC_HELLO);
    expect(s.result?.sni).toBe('tail.example');
    expect(s.result?.clientInitialTs).toBe(1);
  });

  it('same result whatever the split, the packets coalesced around each Initial and the datagram order', () => {
    const hello = buildClientHello({ sni: 'prop.coalesced.example', alpn: ['h3'], postQuantum: true });
    const companion = fc.constantFrom('none', '0rtt-before', 'hs-after', 'short-after', '0rtt-before+hs-after');
    fc.assert(fc.property(
      fc.constantFrom(...VERSIONS),
      fc.uniqueArray(fc.integer({ min: 1, max: hello.length - 1 }), { maxLength: 5 }),
      fc.array(companion, { minLength: 12, maxLength: 12 }),
      fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
      fc.boolean(),
      (version, cuts, companions, order, shuffleFrames) => {
        const parts = buildQuicClientInitials({ version, dcid, scid, clientHello: hello, splitAt: cuts, shuffleFrames,
          maxDatagram: 1000 });
        const dgrams = parts.map((p, i) => {
          const c = companions[i % companions.length];
          const pre = c.startsWith('0rtt') ? [zeroRtt(version, 40 + i)] : [];
          const post = c === 'hs-after' || c.endsWith('hs-after') ? [handshake(version, 30 + i)]
            : c === 'short-after' ? [buildQuicShortPacket(dcid, 20 + i)] : [];
          return coalesce([...pre, p, ...post]);
        });
        const keyed = dgrams.map((d, i) => ({ d, k: order[i % order.length] * 100 + i }));
        keyed.sort((a, b) => a.k - b.k);
        const s = new QuicFlowState();
        expect(feed(s, keyed.map((x) => x.d))).toBe(QUIC_HELLO);
        expect(s.result?.sni).toBe('prop.coalesced.example');
        expect(s.anomalies).toEqual([]);
      }), { numRuns: 80 });
  });

  it('never throws on datagrams cut from real coalesced packets and random bytes', () => {
    const hello = buildClientHello({ sni: 'fuzz.example' });
    const pieces = VERSIONS.flatMap((v) => [
      ...buildQuicClientInitials({ version: v, dcid, scid, clientHello: hello, maxDatagram: 400 }),
      zeroRtt(v), handshake(v),
    ]);
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.constantFrom(...pieces), fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a))),
        { minLength: 1, maxLength: 5 }),
      fc.nat(), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 3 }),
      (parts, cut, flips) => {
        const whole = Buffer.concat(parts);
        const d = Buffer.from(whole.subarray(0, whole.length === 0 ? 0 : 1 + (cut % whole.length)));
        for (const [i, v] of flips) if (d.length > 0) d[i % d.length] = v;
        looksLikeQuicInitial(d, 0, d.length);
        const s = new QuicFlowState();
        for (const fromClient of [true, false, true]) {
          expect(s.onDatagram(d, 0, d.length, fromClient, 1)).toBeGreaterThanOrEqual(0);
        }
      }), { numRuns: 600 });
  });
});
