import { describe, expect, it } from 'vitest';
import { looksLikeDtls, parseDtlsClientHello } from '../../../src/extract/tls/dtls.js';
import { buildClientHello } from '../../../src/synth/tls.js';

/** Turns a TLS ClientHello message into a DTLS 1.2 datagram (cookie inserted, 12-byte handshake header). */
function dtlsDatagram(sni: string, cookie: Buffer, fragment?: { off: number; len: number }): Buffer {
  const tls = buildClientHello({ sni });
  const body = tls.subarray(4);
  const sidEnd = 2 + 32 + 1 + body[34];
  const dbody = Buffer.concat([body.subarray(0, sidEnd), Buffer.from([cookie.length]), cookie, body.subarray(sidEnd)]);
  dbody.writeUInt16BE(0xfefd, 0);
  const fo = fragment?.off ?? 0;
  const fl = fragment?.len ?? dbody.length;
  const hs = Buffer.alloc(12);
  hs[0] = 1;
  hs.writeUIntBE(dbody.length, 1, 3);
  hs.writeUIntBE(fo, 6, 3);
  hs.writeUIntBE(fl, 9, 3);
  const payload = Buffer.concat([hs, dbody.subarray(fo, fo + fl)]);
  const rec = Buffer.alloc(13);
  rec[0] = 22;
  rec.writeUInt16BE(0xfeff, 1);
  rec.writeUInt16BE(payload.length, 11);
  return Buffer.concat([rec, payload]);
}

describe('parseDtlsClientHello', () => {
  it('parses a DTLS hello with and without a cookie', () => {
    for (const cookie of [Buffer.alloc(0), Buffer.alloc(20, 9)]) {
      const d = dtlsDatagram('dtls.example', cookie);
      expect(looksLikeDtls(d, 0, d.length)).toBe(true);
      const info = parseDtlsClientHello(d, 0, d.length);
      expect(info?.sni).toBe('dtls.example');
      expect(info?.legacyVersion).toBe(0xfefd);
    }
  });

  it('returns null for fragments, truncation and non-hello records', () => {
    const d = dtlsDatagram('dtls.example', Buffer.alloc(0), { off: 0, len: 50 });
    expect(parseDtlsClientHello(d, 0, d.length)).toBeNull();
    const whole = dtlsDatagram('dtls.example', Buffer.alloc(0));
    expect(parseDtlsClientHello(whole, 0, whole.length - 1)).toBeNull();
    const other = Buffer.from(whole);
    other[13] = 2;
    expect(parseDtlsClientHello(other, 0, other.length)).toBeNull();
  });
});
