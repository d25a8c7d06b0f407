import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_TLS_HANDSHAKE_BYTES } from '../../../src/limits.js';
import { DtlsHelloAssembler, looksLikeDtls, parseDtlsClientHello } from '../../../src/extract/tls/dtls.js';
import { buildClientHello } from '../../../src/synth/tls.js';
import { udpPacket } from '../../../src/synth/packets.js';
import { PcapWriter } from '../../../src/synth/pcap-writer.js';
import { analyzeCapture } from '../../../src/pipeline.js';
import type { FlowRecord } from '../../../src/types.js';

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

/** A DTLS 1.2 ClientHello body (cookie included), and records carrying chosen fragments of it. */
function dtlsHelloBody(sni: string, cookie: Buffer): Buffer {
  const body = buildClientHello({ sni }).subarray(4);
  const sidEnd = 2 + 32 + 1 + body[34];
  const dbody = Buffer.concat([body.subarray(0, sidEnd), Buffer.from([cookie.length]), cookie, body.subarray(sidEnd)]);
  dbody.writeUInt16BE(0xfefd, 0);
  return dbody;
}

function fragmentRecord(body: Buffer, seq: number, frags: [number, number][]): Buffer {
  const parts = frags.map(([o, l]) => {
    const hs = Buffer.alloc(12);
    hs[0] = 1;
    hs.writeUIntBE(body.length, 1, 3);
    hs.writeUInt16BE(seq, 4);
    hs.writeUIntBE(o, 6, 3);
    hs.writeUIntBE(l, 9, 3);
    return Buffer.concat([hs, body.subarray(o, o + l)]);
  });
  const payload = Buffer.concat(parts);
  const rec = Buffer.alloc(13);
  rec[0] = 22;
  rec.writeUInt16BE(0xfefd, 1);
  rec.writeUInt16BE(payload.length, 11);
  return Buffer.concat([rec, payload]);
}

/** Cuts [0, n) at the given points into [offset, length) fragments. */
function cuts(n: number, points: number[]): [number, number][] {
  const ps = [...new Set(points.map((x) => x % n))].filter((x) => x > 0).sort((a, b) => a - b);
  const out: [number, number][] = [];
  let prev = 0;
  for (const x of [...ps, n]) {
    out.push([prev, x - prev]);
    prev = x;
  }
  return out;
}

describe('DtlsHelloAssembler', () => {
  const body = dtlsHelloBody('fragmented.dtls.example', Buffer.alloc(0));

  it('reassembles a hello fragmented over datagrams, only once the last byte arrives', () => {
    const asm = new DtlsHelloAssembler();
    const frags = cuts(body.length, [40, 97, 150]);
    for (let i = 0; i < frags.length; i++) {
      const d = fragmentRecord(body, 0, [frags[i]]);
      const info = asm.add(d, 0, d.length);
      if (i < frags.length - 1) expect(info).toBeNull();
      else expect(info?.sni).toBe('fragmented.dtls.example');
    }
    expect(asm.failed).toBe(false);
  });

  it('several fragments in one record, and records in one datagram', () => {
    const [a, b, c] = cuts(body.length, [30, 70]);
    const d = Buffer.concat([fragmentRecord(body, 0, [c, a]), fragmentRecord(body, 0, [b])]);
    expect(new DtlsHelloAssembler().add(d, 0, d.length)?.sni).toBe('fragmented.dtls.example');
  });

  it('the same SNI whatever the fragmentation, order and duplication (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }), fc.nat(), (points, dups, seed) => {
        const frags = cuts(body.length, points);
        const sent = [...frags, ...dups.map((i) => frags[i % frags.length])];
        // a seeded shuffle
        let x = seed + 1;
        for (let i = sent.length - 1; i > 0; i--) {
          x = (x * 1103515245 + 12345) >>> 0;
          const j = x % (i + 1);
          [sent[i], sent[j]] = [sent[j], sent[i]];
        }
        const asm = new DtlsHelloAssembler();
        const got: string[] = [];
        for (const fr of sent) {
          const d = fragmentRecord(body, 0, [fr]);
          const info = asm.add(d, 0, d.length);
          if (info !== null) got.push(info.sni ?? '');
        }
        expect(got).toEqual(['fragmented.dtls.example']);
      }),
      { numRuns: 200 },
    );
  });

  it('the retry with the cookie (message_seq 1) starts over; a stale seq-0 fragment is ignored', () => {
    const withCookie = dtlsHelloBody('retry.dtls.example', Buffer.alloc(20, 7));
    const asm = new DtlsHelloAssembler();
    const first = fragmentRecord(body, 0, [[0, 50]]);
    expect(asm.add(first, 0, first.length)).toBeNull();
    const [a, b] = cuts(withCookie.length, [60]);
    const r1 = fragmentRecord(withCookie, 1, [a]);
    expect(asm.add(r1, 0, r1.length)).toBeNull();
    const stale = fragmentRecord(body, 0, [[50, body.length - 50]]);
    expect(asm.add(stale, 0, stale.length)).toBeNull();
    const r2 = fragmentRecord(withCookie, 1, [b]);
    expect(asm.add(r2, 0, r2.length)?.sni).toBe('retry.dtls.example');
  });

  it('a hello claiming more than MAX_TLS_HANDSHAKE_BYTES fails at once; garbage never throws', () => {
    const huge = Buffer.from(fragmentRecord(body, 0, [[0, 20]]));
    huge.writeUIntBE(MAX_TLS_HANDSHAKE_BYTES + 1, 13 + 1, 3);
    huge.writeUIntBE(20, 13 + 9, 3);
    const asm = new DtlsHelloAssembler();
    expect(asm.add(huge, 0, huge.length)).toBeNull();
    expect(asm.failed).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const b = Buffer.from(bytes);
        if (b.length > 0) b[0] = 22;
        expect(() => new DtlsHelloAssembler().add(b, 0, b.length)).not.toThrow();
      }),
    );
  });
});

describe('DTLS in the pipeline', () => {
  it('a ClientHello fragmented over two datagrams names the flow (SNI), retransmissions and all', async () => {
    const body = dtlsHelloBody('webrtc.dtls.example', Buffer.alloc(0));
    const [a, b] = cuts(body.length, [64]);
    const w = new PcapWriter({ linkType: 101 });
    const send = (payload: Buffer, ts: number, fromClient = true): void => {
      const [src, dst, sport, dport] = fromClient ? ['10.0.0.2', '192.0.2.9', 50000, 3478] : ['192.0.2.9', '10.0.0.2', 3478, 50000];
      w.add(udpPacket({ src, dst, sport, dport, payload }), ts);
    };
    send(fragmentRecord(body, 0, [a]), 1);
    send(fragmentRecord(body, 0, [a]), 1.1); // retransmitted
    send(fragmentRecord(body, 0, [b]), 1.2);
    const flows: FlowRecord[] = [];
    await analyzeCapture('dtls.pcap', { flow: (f) => flows.push(f) }, { source: (async function* () { yield w.toBuffer(); })() });
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ transport: 'udp', sni: 'webrtc.dtls.example', hostname: 'webrtc.dtls.example', name_source: 'tls_sni', client_ip: '10.0.0.2' });
  });
});
