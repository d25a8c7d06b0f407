import { SocketAddress } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp, ipText } from '../../src/decode/ip-format.js';

function v6(hex: string): Buffer {
  return Buffer.from(hex.replace(/[^0-9a-f]/gi, ''), 'hex');
}

describe('formatIp', () => {
  it('formats IPv4 at an offset', () => {
    const b = Buffer.from([9, 9, 192, 0, 2, 255, 9]);
    expect(formatIp(b, 2, 4)).toBe('192.0.2.255');
    expect(formatIp(Buffer.from([0, 0, 0, 0]), 0, 4)).toBe('0.0.0.0');
  });

  it.each([
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000000001000000000000', '2001:db8:0:0:1::'],
    ['00010000000000010000000000000001', '1:0:0:1::1'],
    ['20010db800000000000000000000000a', '2001:db8::a'],
    ['20010db8000100000001000100010001', '2001:db8:1:0:1:1:1:1'],
    ['00000000000000000000ffffc0000201', '::ffff:192.0.2.1'],
    ['000000000000000000000000c0000201', '::192.0.2.1'],
    ['fe800000000000000000000000000001', 'fe80::1'],
    ['0064ff9b0000000000000000c0000201', '64:ff9b::c000:201'],
    ['ABCDEF00000000000000000000000000', 'abcd:ef00::'],
  ])('RFC 5952 %s -> %s', (hex, text) => {
    expect(formatIp(v6(hex), 0, 16)).toBe(text);
  });

  it('reads IPv6 at an offset inside a larger buffer', () => {
    const b = Buffer.concat([Buffer.from([1, 2, 3]), v6('20010db8000000000000000000000001'), Buffer.from([4])]);
    expect(formatIp(b, 3, 16)).toBe('2001:db8::1');
  });

  it('agrees with node:net SocketAddress on any IPv6 address (zero-heavy words to exercise compression)', () => {
    const word = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (words) => {
        const b = Buffer.alloc(16);
        words.forEach((w, i) => b.writeUInt16BE(w, 2 * i));
        const expected = new SocketAddress({ address: words.map((w) => w.toString(16)).join(':'), family: 'ipv6' }).address;
        expect(formatIp(b, 0, 16)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with node:net SocketAddress on any IPv4 address', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (a) => {
        const text = Array.from(a).join('.');
        expect(formatIp(a, 0, 4)).toBe(new SocketAddress({ address: text, family: 'ipv4' }).address);
      }),
    );
  });
});

describe('ipText (cached formatIp)', () => {
  it('always equals formatIp, however addresses collide in the cache', () => {
    // Few distinct addresses, many repeats and colliding slots: any stale cache entry would show.
    const pool = fc.array(fc.uint8Array({ minLength: 16, maxLength: 16 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(pool, fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 200 }), (addrs, picks) => {
        for (const [i, v6] of picks) {
          const a = Buffer.from(addrs[i % addrs.length]);
          expect(ipText(a, 0, v6 ? 16 : 4)).toBe(formatIp(a, 0, v6 ? 16 : 4));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('returns the same string object for a repeated address (no new text per flow)', () => {
    const a = Buffer.from([198, 51, 100, 7]);
    const first = ipText(a, 0, 4);
    expect(ipText(Buffer.from(a), 0, 4)).toBe(first);
    expect(Object.is(ipText(Buffer.from(a), 0, 4), first)).toBe(true);
  });

  it('thousands of distinct addresses: every answer still right (collisions replace, never confuse)', () => {
    const b = Buffer.alloc(16);
    for (let i = 0; i < 20000; i++) {
      b.writeUInt32BE((i * 2654435761) >>> 0, 0);
      b.writeUInt32BE(i, 12);
      expect(ipText(b, 0, 4)).toBe(formatIp(b, 0, 4));
      expect(ipText(b, 0, 16)).toBe(formatIp(b, 0, 16));
    }
  });
});
