import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CryptoStream } from '../../../src/extract/quic/crypto-stream.js';
import { walkInitialFrames } from '../../../src/extract/quic/frames.js';
import { MAX_QUIC_CRYPTO_BYTES, MAX_QUIC_CRYPTO_FRAGMENTS } from '../../../src/limits.js';

const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) & 0xff));

describe('CryptoStream', () => {
  it('joins out-of-order pieces and tracks the contiguous frontier', () => {
    const s = new CryptoStream();
    expect(s.add(100, data, 100, 50)).toBeNull();
    expect(s.contiguous()).toBe(0);
    expect(s.add(0, data, 0, 60)).toBeNull();
    expect(s.contiguous()).toBe(60);
    expect(s.rangeCount()).toBe(2);
    expect(s.add(60, data, 60, 40)).toBeNull(); // exactly fills the hole (adjacent both sides)
    expect(s.contiguous()).toBe(150);
    expect(s.rangeCount()).toBe(1);
    expect(s.data.subarray(0, 150).equals(data.subarray(0, 150))).toBe(true);
  });

  it('names the cap and the fragmentation bound', () => {
    const s = new CryptoStream();
    expect(s.add(MAX_QUIC_CRYPTO_BYTES - 1, data, 0, 2)).toBe('quic_crypto_cap_reached');
    const f = new CryptoStream();
    let err: string | null = null;
    for (let i = 0; i <= MAX_QUIC_CRYPTO_FRAGMENTS && err === null; i++) err = f.add(i * 2 + 1, data, 0, 1);
    expect(err).toBe('quic_crypto_too_fragmented');
  });

  it('same bytes whatever the order and duplication of the pieces (property)', () => {
    const pieces = fc.array(fc.tuple(fc.nat(2999), fc.integer({ min: 1, max: 400 })), { minLength: 1, maxLength: 40 });
    fc.assert(fc.property(pieces, fc.infiniteStream(fc.nat()), (ps, rnd) => {
      const norm = ps.map(([o, l]) => [o, Math.min(l, 3000 - o)] as const);
      // the reference: a coverage bitmap
      const covered = new Uint8Array(3000);
      for (const [o, l] of norm) covered.fill(1, o, o + l);
      let frontier = 0;
      while (frontier < 3000 && covered[frontier] === 1) frontier++;
      // shuffle with duplicates
      const order = [...norm, ...norm.slice(0, 3)];
      const it = rnd[Symbol.iterator]();
      for (let i = order.length - 1; i > 0; i--) {
        const j = (it.next().value as number) % (i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      const s = new CryptoStream();
      let errors = 0;
      for (const [o, l] of order) if (s.add(o, data, o, l) !== null) errors++;
      expect(errors).toBe(0);
      expect(s.contiguous()).toBe(frontier);
      let mismatches = 0;
      for (let i = 0; i < 3000; i++) if (covered[i] === 1 && s.data[i] !== data[i]) mismatches++;
      expect(mismatches).toBe(0);
    }), { numRuns: 300 });
  });
});

describe('walkInitialFrames', () => {
  it('walks PADDING, PING, ACK (with ranges and ECN), CRYPTO and CONNECTION_CLOSE', () => {
    const payload = Buffer.concat([
      Buffer.from([0x00, 0x00, 0x01]),
      Buffer.from([0x03, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x03]), // ACK_ECN, 1 range
      Buffer.from([0x06, 0x00, 0x03]), Buffer.from('abc'),
      Buffer.from([0x06, 0x03, 0x02]), Buffer.from('de'),
      Buffer.from([0x1c, 0x01, 0x06, 0x02]), Buffer.from('no'),
      Buffer.alloc(5),
    ]);
    const s = new CryptoStream();
    expect(walkInitialFrames(payload, 0, payload.length, s)).toBeNull();
    expect(s.data.subarray(0, s.contiguous()).toString()).toBe('abcde');
  });

  it('names truncated and unexpected frames', () => {
    const s = new CryptoStream();
    expect(walkInitialFrames(Buffer.from([0x06, 0x00, 0x10, 1, 2]), 0, 5, s)).toBe('quic_frame_truncated');
    expect(walkInitialFrames(Buffer.from([0x08, 0x00]), 0, 2, s)).toBe('quic_unexpected_frame');
    expect(walkInitialFrames(Buffer.from([0x02, 0x40]), 0, 2, s)).toBe('quic_frame_truncated');
  });
});
