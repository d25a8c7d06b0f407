import { describe, expect, it } from 'vitest';
import { isGrease, parseClientHello, tlsVersionName, type ClientHelloInfo } from '../../../src/extract/tls/client-hello.js';
import { buildClientHello } from '../../../src/synth/tls.js';
import { CLIENT_CRYPTO_FRAME } from '../quic/rfc-vectors.js';

function parse(hello: Buffer): ClientHelloInfo {
  const r = parseClientHello(hello, 4, hello.length);
  if ('anomaly' in r) throw new Error(r.anomaly);
  return r;
}

/** Replaces the first occurrence of `from` by `to` (same length) in a copy. */
function patch(b: Buffer, from: string, to: string): Buffer {
  const c = Buffer.from(b);
  const i = c.indexOf(Buffer.from(from, 'latin1'));
  expect(i).toBeGreaterThan(0);
  c.write(to, i, 'latin1');
  return c;
}

describe('parseClientHello', () => {
  it('reads the RFC 9001 A.2 ClientHello (example.com, ALPN "alpn", TLS 1.3)', () => {
    const frame = Buffer.from(CLIENT_CRYPTO_FRAME, 'hex');
    const hello = frame.subarray(4); // CRYPTO type, offset 0, 2-byte length
    const info = parse(hello);
    expect(info.sni).toBe('example.com');
    expect(info.alpn).toEqual(['alpn']);
    expect(info.versions).toEqual(['TLS1.3']);
    expect(info.legacyVersion).toBe(0x0303);
    expect(info.cipherCount).toBe(2);
    expect(info.ech).toBe(false);
    expect(info.extensionTypes).toContain(0x39);
    expect(info.anomalies).toEqual([]);
  });

  it('round-trips a synthetic hello with GREASE, ALPN, post-quantum share and padding', () => {
    const hello = buildClientHello({ sni: 'Api.Example.COM.', alpn: ['h2', 'http/1.1'], grease: true, postQuantum: true,
      padTo: 2000 });
    expect(hello.length).toBeGreaterThanOrEqual(2000);
    const info = parse(hello);
    expect(info.sni).toBe('api.example.com');
    expect(info.alpn).toEqual(['h2', 'http/1.1']);
    expect(info.versions).toEqual(['TLS1.3', 'TLS1.2']);
    expect(info.cipherCount).toBe(16);
    expect(info.extensionTypes[0]).toBe(0x0a0a);
    expect(info.extensionTypes).toContain(0x0015);
  });

  it('flags ECH and reports the outer public name', () => {
    const info = parse(buildClientHello({ sni: 'public.example', ech: true }));
    expect(info.ech).toBe(true);
    expect(info.sni).toBe('public.example');
    expect(info.echOuterSni).toBe('public.example');
  });

  it('hello without SNI or supported_versions falls back to legacy_version', () => {
    const hello = buildClientHello({});
    // rename supported_versions (0x002b) to an unknown type 0x7777
    const c = Buffer.from(hello);
    const i = c.indexOf(Buffer.from([0x00, 0x2b, 0x00, 0x05]));
    c.writeUInt16BE(0x7777, i);
    const info = parse(c);
    expect(info.sni).toBeUndefined();
    expect(info.versions).toEqual(['TLS1.2']);
  });

  it('keeps but flags control characters and non-ASCII bytes in the SNI', () => {
    const ctl = parse(patch(buildClientHello({ sni: 'abc.example' }), 'abc', 'a\u0001c'));
    expect(ctl.sni).toBe('a\u0001c.example');
    expect(ctl.anomalies).toContain('tls_sni_control_chars');
    const hi = parse(patch(buildClientHello({ sni: 'abc.example' }), 'abc', 'a\u00e9c'));
    expect(hi.anomalies).toContain('tls_sni_non_ascii');
  });

  it('ignores non-host_name entries', () => {
    const c = Buffer.from(buildClientHello({ sni: 'x.example' }));
    const i = c.indexOf(Buffer.from('x.example', 'latin1'));
    c[i - 3] = 1; // name_type
    expect(parse(c).sni).toBeUndefined();
  });

  it('returns named anomalies on truncation instead of throwing', () => {
    const hello = buildClientHello({ sni: 'a.example' });
    for (const cut of [5, 30, 40, 80, hello.length - 3]) {
      const r = parseClientHello(hello, 4, cut);
      expect('anomaly' in r ? r.anomaly : 'ok').toMatch(/^tls_/);
    }
    expect(parseClientHello(hello, 4, hello.length + 10)).toEqual({ anomaly: 'tls_client_hello_truncated' });
  });

  it('names versions and GREASE values', () => {
    expect(tlsVersionName(0x7f1c)).toBe('TLS1.3-draft-28');
    expect(tlsVersionName(0xfefd)).toBe('DTLS1.2');
    expect(tlsVersionName(0x1234)).toBe('0x1234');
    expect(isGrease(0x5a5a)).toBe(true);
    expect(isGrease(0x5a6a)).toBe(false);
  });
});
