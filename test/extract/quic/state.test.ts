import { describe, expect, it } from 'vitest';
import {
  QUIC_DONE, QUIC_HELLO, QUIC_NEED_MORE, QUIC_NOT_QUIC, QuicFlowState,
} from '../../../src/extract/quic/state.js';
import { MAX_QUIC_INITIALS } from '../../../src/limits.js';
import { buildClientHello } from '../../../src/synth/tls.js';
import { buildQuicClientInitials, buildQuicServerInitial, type SynthQuicVersion } from '../../../src/synth/quic.js';
import { V1_CLIENT_PROTECTED, V2_CLIENT_PROTECTED } from './rfc-vectors.js';

const dcid = Buffer.from('0011223344556677', 'hex');
const scid = Buffer.from('a1a2a3a4', 'hex');

function feedAll(s: QuicFlowState, dgrams: Buffer[], ts0 = 100): number {
  let r = QUIC_NEED_MORE;
  dgrams.forEach((d, i) => { r = s.onDatagram(d, 0, d.length, true, ts0 + i); });
  return r;
}

describe('QuicFlowState', () => {
  it('reads the SNI from the RFC 9001 and RFC 9369 sample Initials', () => {
    for (const [hexStr, version] of [[V1_CLIENT_PROTECTED, 'v1'], [V2_CLIENT_PROTECTED, 'v2']]) {
      const s = new QuicFlowState();
      const b = Buffer.from(hexStr, 'hex');
      expect(s.onDatagram(b, 0, b.length, true, 5)).toBe(QUIC_HELLO);
      expect(s.result).toEqual({ sni: 'example.com', alpn: ['alpn'], version, ech: false, clientInitialTs: 5 });
      expect(s.anomalies).toEqual([]);
    }
  });

  for (const version of ['v1', 'v2', 'draft-29'] as SynthQuicVersion[]) {
    it(`${version}: round trip of a post-quantum hello split over packets, shuffled, with RTT`, () => {
      const hello = buildClientHello({ sni: 'video.example.net', alpn: ['h3'], postQuantum: true, grease: true,
        quicTransportParams: true });
      const dgrams = buildQuicClientInitials({ version, dcid, scid, clientHello: hello, splitAt: [100, 700, 1300],
        shuffleFrames: true });
      expect(dgrams.length).toBeGreaterThanOrEqual(4);
      expect(dgrams.every((d) => d.length === 1200)).toBe(true);
      const s = new QuicFlowState();
      // a datagram on offset inside a bigger buffer
      const first = Buffer.concat([Buffer.alloc(3), dgrams[0]]);
      expect(s.onDatagram(first, 3, dgrams[0].length, true, 10)).toBe(QUIC_NEED_MORE);
      expect(feedAll(s, dgrams.slice(1), 11)).toBe(QUIC_HELLO);
      expect(s.result?.sni).toBe('video.example.net');
      expect(s.result?.alpn).toEqual(['h3']);
      expect(s.result?.version).toBe(version);
      expect(s.result?.clientInitialTs).toBe(10);
      const server = buildQuicServerInitial({ version, clientDcid: dcid, serverCid: Buffer.from('5555', 'hex'),
        clientScid: scid });
      expect(s.onDatagram(server, 0, server.length, false, 10.025)).toBe(QUIC_DONE);
      expect(s.result?.serverInitialTs).toBe(10.025);
      expect(s.anomalies).toEqual([]);
    });
  }

  it('decrypts with each packet\'s own DCID (after a Retry the DCID changes)', () => {
    const hello = buildClientHello({ sni: 'retry.example' });
    const before = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello, splitAt: [50] });
    const newDcid = Buffer.from('deadbeefcafe0102', 'hex');
    const after = buildQuicClientInitials({ version: 'v1', dcid: newDcid, scid, clientHello: hello, splitAt: [50],
      token: Buffer.from('token!'), firstPacketNumber: 2 });
    const s = new QuicFlowState();
    // first piece under the old DCID, the rest under the new one
    expect(s.onDatagram(before[0], 0, before[0].length, true, 1)).toBe(QUIC_NEED_MORE);
    expect(s.onDatagram(after[1], 0, after[1].length, true, 2)).toBe(QUIC_HELLO);
    expect(s.result?.sni).toBe('retry.example');
  });

  it('keeps decrypting with the first DCID\'s keys when a later Initial carries the server\'s CID', () => {
    const hello = buildClientHello({ sni: 'switch.example' });
    const parts = buildQuicClientInitials({ version: 'v2', dcid, scid, clientHello: hello, splitAt: [60] });
    const later = buildQuicClientInitials({ version: 'v2', dcid: Buffer.from('ffeedd', 'hex'), keyDcid: dcid, scid,
      clientHello: hello, splitAt: [60], firstPacketNumber: 1 });
    const s = new QuicFlowState();
    expect(s.onDatagram(parts[0], 0, parts[0].length, true, 1)).toBe(QUIC_NEED_MORE);
    expect(s.onDatagram(later[1], 0, later[1].length, true, 2)).toBe(QUIC_HELLO);
    expect(s.result?.sni).toBe('switch.example');
    expect(s.anomalies).toEqual([]);
  });

  it('a Retry moves clientInitialTs to the Initial that answers it', () => {
    const hello = buildClientHello({ sni: 'r.example' });
    const [d] = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello });
    const s = new QuicFlowState();
    expect(s.onDatagram(d, 0, d.length, true, 1)).toBe(QUIC_HELLO);
    const retry = Buffer.concat([Buffer.from([0xf0, 0, 0, 0, 1, scid.length]), scid, Buffer.from([2, 9, 9]),
      Buffer.alloc(24, 1)]);
    expect(s.onDatagram(retry, 0, retry.length, false, 1.01)).toBe(QUIC_HELLO);
    const [d2] = buildQuicClientInitials({ version: 'v1', dcid: Buffer.from('0909', 'hex'), scid, clientHello: hello });
    s.onDatagram(d2, 0, d2.length, true, 1.02);
    expect(s.result?.clientInitialTs).toBe(1.02);
  });

  it('coalesced client Initial + 0-RTT in one datagram', () => {
    const hello = buildClientHello({ sni: 'coalesced.example' });
    const [d] = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello, maxDatagram: 1100 });
    const zeroRtt = Buffer.concat([Buffer.from([0xd1, 0, 0, 0, 1, 8]), dcid, Buffer.from([0, 0x40, 30]),
      Buffer.alloc(30, 0x77)]);
    const dg = Buffer.concat([d, zeroRtt]);
    const s = new QuicFlowState();
    expect(s.onDatagram(dg, 0, dg.length, true, 1)).toBe(QUIC_HELLO);
    expect(s.result?.sni).toBe('coalesced.example');
  });

  it('server Initial before the hello completes still gives the RTT timestamp', () => {
    const hello = buildClientHello({ sni: 'early.example' });
    const dgrams = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello, splitAt: [30] });
    const server = buildQuicServerInitial({ version: 'v1', clientDcid: dcid, serverCid: scid, clientScid: scid });
    const s = new QuicFlowState();
    s.onDatagram(dgrams[0], 0, dgrams[0].length, true, 1);
    expect(s.onDatagram(server, 0, server.length, false, 1.5)).toBe(QUIC_NEED_MORE);
    expect(s.onDatagram(dgrams[1], 0, dgrams[1].length, true, 2)).toBe(QUIC_DONE);
    expect(s.result?.serverInitialTs).toBe(1.5);
  });

  it('names gQUIC without reading it, flags decrypt failures and caps the Initials', () => {
    const g = Buffer.concat([Buffer.from([0xc3]), Buffer.from('Q046', 'latin1'), Buffer.from([0x50]), dcid,
      Buffer.alloc(100)]);
    const s1 = new QuicFlowState();
    expect(s1.onDatagram(g, 0, g.length, true, 1)).toBe(QUIC_DONE);
    expect(s1.anomalies).toEqual(['quic_gquic_ignored']);
    expect(s1.versionName).toBe('Q046');
    expect(s1.result).toBeUndefined();

    const bad = Buffer.from(V1_CLIENT_PROTECTED, 'hex');
    bad[600] ^= 0xff;
    const s2 = new QuicFlowState();
    for (let i = 0; i < MAX_QUIC_INITIALS; i++) expect(s2.onDatagram(bad, 0, bad.length, true, i)).toBe(QUIC_NEED_MORE);
    expect(s2.onDatagram(bad, 0, bad.length, true, 99)).toBe(QUIC_DONE);
    expect(s2.anomalies).toEqual(['quic_initial_decrypt_failed', 'quic_initials_cap_reached']);
    expect(s2.result).toBeUndefined();
    expect(s2.versionName).toBe('v1');

    const notQuic = Buffer.from([0xc0, 0, 0, 0, 1, 8, 1, 2]);
    const s3 = new QuicFlowState();
    expect(s3.onDatagram(notQuic, 0, notQuic.length, true, 1)).toBe(QUIC_NOT_QUIC);
    expect(s3.anomalies).toEqual(['quic_header_malformed']);
  });

  it('names a CRYPTO stream that is not a ClientHello', () => {
    const notHello = Buffer.concat([Buffer.from([2, 0, 0, 40]), Buffer.alloc(40, 1)]);
    const [d] = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: notHello });
    const s = new QuicFlowState();
    expect(s.onDatagram(d, 0, d.length, true, 1)).toBe(QUIC_DONE);
    expect(s.anomalies).toEqual(['quic_crypto_not_client_hello']);
  });
});
