import { describe, expect, it } from 'vitest';
import {
  decryptLongPacket, deriveInitialKeys, hkdfExpandLabel, hkdfExtract, initialSalt, protectLongPacket,
} from '../../../src/extract/quic/initial-keys.js';
import { HDR_OK, LongHeader, PKT_INITIAL, QUIC_V1, QUIC_V2, parseLongHeader } from '../../../src/extract/quic/header.js';
import {
  CLIENT_CRYPTO_FRAME, RFC_DCID, V1_CLIENT_PROTECTED, V1_CLIENT_UNPROTECTED_HEADER, V1_KEYS, V1_SERVER_PROTECTED,
  V2_CLIENT_PROTECTED, V2_CLIENT_UNPROTECTED_HEADER, V2_KEYS,
} from './rfc-vectors.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const dcid = hex(RFC_DCID);
/** A.2 plaintext: the CRYPTO frame then PADDING up to 1162 bytes. */
const plaintext = Buffer.concat([hex(CLIENT_CRYPTO_FRAME), Buffer.alloc(917)]);

describe('Initial keys (RFC 9001 A.1, RFC 9369 A.1)', () => {
  it('derives the v1 client and server secrets, keys, IVs and hp keys', () => {
    const c = deriveInitialKeys(QUIC_V1, dcid, false);
    expect(c.secret.toString('hex')).toBe(V1_KEYS.clientSecret);
    expect(c.key.toString('hex')).toBe(V1_KEYS.clientKey);
    expect(c.iv.toString('hex')).toBe(V1_KEYS.clientIv);
    expect(c.hp.toString('hex')).toBe(V1_KEYS.clientHp);
    const s = deriveInitialKeys(QUIC_V1, dcid, true);
    expect(s.secret.toString('hex')).toBe(V1_KEYS.serverSecret);
    expect(s.key.toString('hex')).toBe(V1_KEYS.serverKey);
    expect(s.iv.toString('hex')).toBe(V1_KEYS.serverIv);
    expect(s.hp.toString('hex')).toBe(V1_KEYS.serverHp);
  });

  it('derives the v2 keys with the v2 salt and "quicv2" labels', () => {
    const c = deriveInitialKeys(QUIC_V2, dcid, false);
    expect(c.secret.toString('hex')).toBe(V2_KEYS.clientSecret);
    expect(c.key.toString('hex')).toBe(V2_KEYS.clientKey);
    expect(c.iv.toString('hex')).toBe(V2_KEYS.clientIv);
    expect(c.hp.toString('hex')).toBe(V2_KEYS.clientHp);
    const s = deriveInitialKeys(QUIC_V2, dcid, true);
    expect(s.key.toString('hex')).toBe(V2_KEYS.serverKey);
    expect(s.iv.toString('hex')).toBe(V2_KEYS.serverIv);
    expect(s.hp.toString('hex')).toBe(V2_KEYS.serverHp);
  });

  it('RFC 9001 A.1 intermediate: the initial secret', () => {
    expect(hkdfExtract(initialSalt(QUIC_V1), dcid).toString('hex'))
      .toBe('7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44');
    expect(hkdfExpandLabel(hex(V1_KEYS.clientSecret), 'quic hp', 16).toString('hex')).toBe(V1_KEYS.clientHp);
  });

  it('uses the draft-29 salt for drafts 29-32 and the v1 salt for 33-34', () => {
    expect(initialSalt(0xff00001d).toString('hex')).toBe('afbfec289993d24c9e9786f19c6111e04390a899');
    expect(initialSalt(0xff000020).toString('hex')).toBe('afbfec289993d24c9e9786f19c6111e04390a899');
    expect(initialSalt(0xff000022)).toBe(initialSalt(QUIC_V1));
  });
});

describe('Initial packet protection (RFC 9001 A.2/A.3, RFC 9369 A.2)', () => {
  for (const [name, version, protectedHex, headerHex] of [
    ['v1', QUIC_V1, V1_CLIENT_PROTECTED, V1_CLIENT_UNPROTECTED_HEADER],
    ['v2', QUIC_V2, V2_CLIENT_PROTECTED, V2_CLIENT_UNPROTECTED_HEADER],
  ] as const) {
    it(`${name}: decrypts the sample client Initial to the known ClientHello CRYPTO frame`, () => {
      const pkt = hex(protectedHex);
      const copy = Buffer.from(pkt);
      const h = new LongHeader();
      expect(parseLongHeader(pkt, 0, pkt.length, h)).toBe(HDR_OK);
      expect(h.type).toBe(PKT_INITIAL);
      expect(h.pnOff).toBe(18);
      expect(h.end).toBe(1200);
      const plain = decryptLongPacket(deriveInitialKeys(version, dcid, false), pkt, 0, h.pnOff, h.end);
      expect(plain?.toString('hex')).toBe(plaintext.toString('hex'));
      expect(pkt.equals(copy)).toBe(true); // input untouched
    });

    it(`${name}: protecting the known plaintext reproduces the RFC packet byte for byte`, () => {
      const out = protectLongPacket(deriveInitialKeys(version, dcid, false), hex(headerHex), 4, 2, plaintext);
      expect(out.toString('hex')).toBe(protectedHex);
    });
  }

  it('v1: decrypts the A.3 server Initial with the server keys (ACK + ServerHello)', () => {
    const pkt = hex(V1_SERVER_PROTECTED);
    const h = new LongHeader();
    expect(parseLongHeader(pkt, 0, pkt.length, h)).toBe(HDR_OK);
    const plain = decryptLongPacket(deriveInitialKeys(QUIC_V1, dcid, true), pkt, 0, h.pnOff, h.end);
    expect(plain?.subarray(0, 9).toString('hex')).toBe('02000000000600405a');
  });

  it('returns null when authentication fails or the packet is too short', () => {
    const pkt = hex(V1_CLIENT_PROTECTED);
    pkt[500] ^= 1;
    const keys = deriveInitialKeys(QUIC_V1, dcid, false);
    expect(decryptLongPacket(keys, pkt, 0, 18, 1200)).toBeNull();
    expect(decryptLongPacket(keys, pkt, 0, 18, 30)).toBeNull();
  });
});
