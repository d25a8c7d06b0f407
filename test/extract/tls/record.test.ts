import { describe, expect, it } from 'vitest';
import {
  TLS_NEED_MORE, TLS_NOT_TLS, TLS_NO_HELLO, looksLikeTls, scanTlsClientHello,
} from '../../../src/extract/tls/record.js';
import { buildClientHello, wrapTlsRecords } from '../../../src/synth/tls.js';
import { MAX_TLS_HANDSHAKE_BYTES } from '../../../src/limits.js';

function sniOf(r: ReturnType<typeof scanTlsClientHello>): string | number | undefined {
  if (typeof r === 'number') return r;
  if ('anomaly' in r) return r.anomaly;
  return r.sni;
}

describe('scanTlsClientHello', () => {
  const hello = buildClientHello({ sni: 'www.example.org', alpn: ['h2'], postQuantum: true });

  it('parses a hello in one record, at a non-zero offset', () => {
    const stream = Buffer.concat([Buffer.alloc(7, 0xee), wrapTlsRecords(hello)]);
    expect(sniOf(scanTlsClientHello(stream, 7, stream.length))).toBe('www.example.org');
  });

  it('reassembles a hello spread over many small records (even 1-byte ones)', () => {
    for (const size of [1, 3, 100, 512]) {
      const stream = wrapTlsRecords(hello, size);
      expect(sniOf(scanTlsClientHello(stream, 0, stream.length))).toBe('www.example.org');
    }
  });

  it('asks for more on every strict prefix, in one record and fragmented', () => {
    for (const size of [16_384, 50]) {
      const stream = wrapTlsRecords(hello, size);
      for (let cut = 1; cut < stream.length; cut += 37) {
        expect(scanTlsClientHello(stream, 0, cut)).toBe(TLS_NEED_MORE);
      }
    }
  });

  it('ignores bytes after the hello (the next records)', () => {
    const stream = Buffer.concat([wrapTlsRecords(hello), Buffer.from([0x14, 3, 3, 0, 1, 1])]);
    expect(sniOf(scanTlsClientHello(stream, 0, stream.length))).toBe('www.example.org');
  });

  it('tells non-TLS and non-hello streams apart', () => {
    expect(scanTlsClientHello(Buffer.from('GET / HTTP/1.1\r\n'), 0, 16)).toBe(TLS_NOT_TLS);
    const serverHello = wrapTlsRecords(Buffer.concat([Buffer.from([2, 0, 0, 2]), Buffer.from([3, 3])]));
    expect(scanTlsClientHello(serverHello, 0, serverHello.length)).toBe(TLS_NO_HELLO);
    expect(scanTlsClientHello(Buffer.alloc(0), 0, 0)).toBe(TLS_NEED_MORE);
  });

  it('flags an alert interleaved inside a fragmented hello', () => {
    const recs = wrapTlsRecords(hello, 100);
    const stream = Buffer.concat([recs.subarray(0, 105), Buffer.from([0x15, 3, 3, 0, 2, 2, 40]), recs.subarray(105)]);
    expect(sniOf(scanTlsClientHello(stream, 0, stream.length))).toBe('tls_handshake_interleaved');
  });

  it('refuses a handshake length above MAX_TLS_HANDSHAKE_BYTES', () => {
    const big = MAX_TLS_HANDSHAKE_BYTES + 1;
    const stream = Buffer.from([0x16, 3, 1, 0, 8, 1, big >> 16, (big >> 8) & 0xff, big & 0xff, 3, 3, 0, 0]);
    expect(sniOf(scanTlsClientHello(stream, 0, stream.length))).toBe('tls_client_hello_too_long');
  });

  it('recognises an SSLv2-compatible ClientHello', () => {
    // msg CLIENT-HELLO, version 3.1, 2 cipher specs (6 bytes), no session id, 16-byte challenge
    const body = Buffer.concat([Buffer.from([1, 3, 1, 0, 6, 0, 0, 0, 16]), Buffer.from('000039000035', 'hex'),
      Buffer.alloc(16, 7)]);
    const rec = Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
    expect(looksLikeTls(rec, 0, rec.length)).toBe(true);
    const r = scanTlsClientHello(rec, 0, rec.length);
    expect(typeof r).toBe('object');
    if (typeof r === 'object' && !('anomaly' in r)) {
      expect(r.sni).toBeUndefined();
      expect(r.versions).toEqual(['TLS1.0']);
      expect(r.cipherCount).toBe(2);
    }
    expect(scanTlsClientHello(rec, 0, rec.length - 1)).toBe(TLS_NEED_MORE);
  });

  it('looksLikeTls probes record headers cheaply', () => {
    const stream = wrapTlsRecords(hello);
    expect(looksLikeTls(stream, 0, 3)).toBe(true);
    expect(looksLikeTls(stream, 0, stream.length)).toBe(true);
    expect(looksLikeTls(Buffer.from('\x16\x04\x01'), 0, 3)).toBe(false);
    expect(looksLikeTls(Buffer.from('HEAD /'), 0, 6)).toBe(false);
  });
});
