import { describe, expect, it } from 'vitest';
import {
  HDR_BAD_CID, HDR_BAD_LENGTH, HDR_NOT_LONG, HDR_OK, HDR_TRUNCATED, LongHeader, PKT_HANDSHAKE, PKT_INITIAL, PKT_OTHER,
  PKT_RETRY, QUIC_V1, QUIC_V2, isGoogleQuicVersion, longPacketType, looksLikeQuicInitial, parseLongHeader,
  quicVersionName, readVarint,
} from '../../../src/extract/quic/header.js';
import { V1_CLIENT_PROTECTED, V2_CLIENT_PROTECTED, V1_SERVER_PROTECTED } from './rfc-vectors.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('QUIC header', () => {
  it('reads varints of every size (RFC 9000 A.1 examples)', () => {
    expect(readVarint(hex('c2197c5eff14e88c'), 0)).toBe(151288809941952652);
    expect(readVarint(hex('9d7f3e7d'), 0)).toBe(494878333);
    expect(readVarint(hex('7bbd'), 0)).toBe(15293);
    expect(readVarint(hex('25'), 0)).toBe(37);
  });

  it('maps v1 and v2 type bits', () => {
    expect(longPacketType(0xc0, QUIC_V1)).toBe(PKT_INITIAL);
    expect(longPacketType(0xd0, QUIC_V2)).toBe(PKT_INITIAL);
    expect(longPacketType(0xc0, QUIC_V2)).toBe(PKT_RETRY);
    expect(longPacketType(0xf0, QUIC_V2)).toBe(PKT_HANDSHAKE);
    expect(longPacketType(0xc0, 0x51303436)).toBe(PKT_OTHER);
    expect(isGoogleQuicVersion(0x51303436)).toBe(true);
    expect(quicVersionName(0xff00001d)).toBe('draft-29');
    expect(quicVersionName(QUIC_V2)).toBe('v2');
  });

  it('parses the RFC client and server Initial headers', () => {
    const h = new LongHeader();
    const c = hex(V1_CLIENT_PROTECTED);
    expect(parseLongHeader(c, 0, c.length, h)).toBe(HDR_OK);
    expect([h.version, h.dcidLen, h.scidLen, h.tokenLen, h.pnOff, h.end]).toEqual([1, 8, 0, 0, 18, 1200]);
    const s = hex(V1_SERVER_PROTECTED);
    expect(parseLongHeader(s, 0, s.length, h)).toBe(HDR_OK);
    expect([h.dcidLen, h.scidLen, h.type, h.end]).toEqual([0, 8, PKT_INITIAL, s.length]);
  });

  it('reports truncation, bad CIDs, bad lengths and short headers', () => {
    const h = new LongHeader();
    const c = hex(V1_CLIENT_PROTECTED);
    expect(parseLongHeader(c, 0, 10, h)).toBe(HDR_TRUNCATED);
    expect(parseLongHeader(c, 0, 300, h)).toBe(HDR_BAD_LENGTH);
    const badCid = Buffer.from(c);
    badCid[5] = 21;
    expect(parseLongHeader(badCid, 0, badCid.length, h)).toBe(HDR_BAD_CID);
    expect(parseLongHeader(hex('40aabbccddeeff00'), 0, 8, h)).toBe(HDR_NOT_LONG);
  });

  it('probes client Initials only', () => {
    const v1 = hex(V1_CLIENT_PROTECTED);
    const v2 = hex(V2_CLIENT_PROTECTED);
    expect(looksLikeQuicInitial(v1, 0, v1.length)).toBe(true);
    expect(looksLikeQuicInitial(v2, 0, v2.length)).toBe(true);
    const vn = Buffer.from(v1);
    vn.writeUInt32BE(0, 1);
    expect(looksLikeQuicInitial(vn, 0, vn.length)).toBe(false);
    const hs = Buffer.from(v1);
    hs[0] = 0xe0;
    expect(looksLikeQuicInitial(hs, 0, hs.length)).toBe(false);
    expect(looksLikeQuicInitial(v1, 0, 6)).toBe(false);
    const zeroRtt = Buffer.from(v1);
    zeroRtt[0] = 0xd0; // a 0-RTT packet may come first, an Initial coalesced after it (RFC 9000 §12.2)
    expect(looksLikeQuicInitial(zeroRtt, 0, zeroRtt.length)).toBe(true);
  });

  it('probes versions it does not know only on full-size datagrams shaped like an Initial', () => {
    const v1 = hex(V1_CLIENT_PROTECTED); // 1200 bytes: token length 0, Length 1182
    const gquic = Buffer.from(v1);
    gquic.write('Q050', 1, 'latin1');
    expect(looksLikeQuicInitial(gquic, 0, gquic.length)).toBe(true); // named (quic_gquic_ignored), not read
    expect(looksLikeQuicInitial(gquic, 0, 1199)).toBe(false);
    const unknown = Buffer.from(v1);
    unknown.writeUInt32BE(0x1a2a3a4a, 1);
    expect(looksLikeQuicInitial(unknown, 0, unknown.length)).toBe(true);
    expect(looksLikeQuicInitial(unknown, 0, 1199)).toBe(false); // also: Length would run past the end
    const longLength = Buffer.concat([unknown, Buffer.alloc(100)]);
    longLength.writeUInt16BE(0x4000 | 1282, 16); // to the end of the 1300 bytes
    expect(looksLikeQuicInitial(longLength, 0, longLength.length)).toBe(true);
    expect(looksLikeQuicInitial(longLength, 0, 1250)).toBe(false); // Length 1282 past a 1250-byte datagram
    const handshake = Buffer.from(unknown);
    handshake[0] = 0xe0;
    expect(looksLikeQuicInitial(handshake, 0, handshake.length)).toBe(false);
    const bigCid = Buffer.from(unknown);
    bigCid[5] = 21;
    expect(looksLikeQuicInitial(bigCid, 0, bigCid.length)).toBe(false);
    const noFixedBit = Buffer.from(unknown);
    noFixedBit[0] = 0x80;
    expect(looksLikeQuicInitial(noFixedBit, 0, noFixedBit.length)).toBe(false);
  });
});
