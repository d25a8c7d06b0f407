import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { QuicFlowState, QUIC_HELLO } from '../../../src/extract/quic/state.js';
import { looksLikeQuicInitial } from '../../../src/extract/quic/header.js';
import { buildClientHello } from '../../../src/synth/tls.js';
import { buildQuicClientInitials } from '../../../src/synth/quic.js';

const hello = buildClientHello({ sni: 'prop.example', alpn: ['h3'], postQuantum: true });
const dcid = Buffer.from('0102030405060708', 'hex');
const scid = Buffer.from('aa', 'hex');

describe('QuicFlowState (properties)', () => {
  it('never throws on arbitrary datagrams, in either direction', () => {
    const prefix = fc.constantFrom(Buffer.from([0xc3, 0, 0, 0, 1]), Buffer.from([0xd3, 0x6b, 0x33, 0x43, 0xcf]),
      Buffer.from([0xc0, 0xff, 0, 0, 0x1d]), Buffer.alloc(0));
    fc.assert(fc.property(fc.array(fc.tuple(prefix, fc.uint8Array({ maxLength: 300 }), fc.boolean()), { maxLength: 5 }),
      (dgrams) => {
        const s = new QuicFlowState();
        for (const [p, body, fromClient] of dgrams) {
          const b = Buffer.concat([p, Buffer.from(body)]);
          looksLikeQuicInitial(b, 0, b.length);
          const r = s.onDatagram(b, 0, b.length, fromClient, 1);
          expect(r).toBeGreaterThanOrEqual(0);
        }
      }), { numRuns: 1500 });
  });

  it('never throws on bit-flipped real Initials', () => {
    const [d] = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello.subarray(0, 300) });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(d.length - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }),
      (muts) => {
        const b = Buffer.from(d);
        for (const [i, v] of muts) b[i] = v;
        new QuicFlowState().onDatagram(b, 0, b.length, true, 0);
      }), { numRuns: 500 });
  });

  it('same result whatever the CRYPTO split, packet order and duplication', () => {
    const expected = new QuicFlowState();
    const whole = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello });
    for (const d of whole) expected.onDatagram(d, 0, d.length, true, 0);
    expect(expected.result?.sni).toBe('prop.example');
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: hello.length - 1 }), { maxLength: 6 }),
      fc.boolean(), fc.nat(5), fc.constantFrom('v1', 'v2', 'draft-29'),
      (cuts, shuffle, dup, version) => {
        const dgrams = buildQuicClientInitials({ version, dcid, scid, clientHello: hello, splitAt: cuts,
          shuffleFrames: shuffle });
        const withDup = [...dgrams.slice(0, dup % dgrams.length), dgrams[dup % dgrams.length], ...dgrams.slice(dup % dgrams.length)];
        const s = new QuicFlowState();
        let r = 0;
        for (const d of withDup) r = s.onDatagram(d, 0, d.length, true, 0);
        expect(r).toBe(QUIC_HELLO);
        expect({ ...s.result, version: 'v1' }).toEqual(expected.result);
        expect(s.anomalies).toEqual([]);
      }), { numRuns: 60 });
  });
});
