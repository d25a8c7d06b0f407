import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseClientHello } from '../../../src/extract/tls/client-hello.js';
import { scanTlsClientHello, TLS_NEED_MORE } from '../../../src/extract/tls/record.js';
import { parseDtlsClientHello } from '../../../src/extract/tls/dtls.js';
import { buildClientHello, wrapTlsRecords } from '../../../src/synth/tls.js';

const hostname = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,40}$/);

describe('TLS parsers (properties)', () => {
  it('never throw on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(20), (arr, o) => {
      const b = Buffer.from(arr);
      const off = Math.min(o, b.length);
      parseClientHello(b, off, b.length);
      scanTlsClientHello(b, off, b.length);
      parseDtlsClientHello(b, off, b.length);
    }), { numRuns: 2000 });
  });

  it('never throw on TLS-looking prefixes with random tails', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (arr) => {
      const b = Buffer.concat([Buffer.from([0x16, 3, 1, arr.length >> 8, arr.length & 0xff, 1]), Buffer.from(arr)]);
      scanTlsClientHello(b, 0, b.length);
    }), { numRuns: 1000 });
  });

  it('never throw on mutated real hellos', () => {
    const base = wrapTlsRecords(buildClientHello({ sni: 'm.example', alpn: ['h2'], grease: true }), 60);
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })),
      { maxLength: 8 }), (muts) => {
      const b = Buffer.from(base);
      for (const [i, v] of muts) b[i] = v;
      const r = scanTlsClientHello(b, 0, b.length);
      expect(r === TLS_NEED_MORE || typeof r === 'number' || typeof r === 'object').toBe(true);
    }), { numRuns: 1000 });
  });

  it('gives the same result whatever the record fragmentation', () => {
    fc.assert(fc.property(hostname, fc.integer({ min: 1, max: 3000 }), fc.boolean(), (sni, size, pq) => {
      const hello = buildClientHello({ sni, alpn: ['h3'], postQuantum: pq });
      const one = scanTlsClientHello(wrapTlsRecords(hello), 0, wrapTlsRecords(hello).length);
      const frag = wrapTlsRecords(hello, size);
      expect(scanTlsClientHello(frag, 0, frag.length)).toEqual(one);
      expect(typeof one === 'object' && !('anomaly' in one) ? one.sni : undefined)
        .toBe(sni.endsWith('.') && sni.length > 1 ? sni.slice(0, -1) : sni);
    }), { numRuns: 200 });
  });

  it('asks for more on any strict prefix of any record split (TCP segmentation)', () => {
    fc.assert(fc.property(hostname, fc.integer({ min: 1, max: 2000 }), fc.double({ min: 0, max: 1, noNaN: true }),
      (sni, size, frac) => {
        const stream = wrapTlsRecords(buildClientHello({ sni, postQuantum: true }), size);
        const cut = Math.floor(frac * (stream.length - 1));
        expect(scanTlsClientHello(stream, 0, cut)).toBe(TLS_NEED_MORE);
      }), { numRuns: 300 });
  });
});
