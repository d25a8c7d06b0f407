// The flow uid: Zeek's form (`C` + base62 of 96 bits, Zeek's digit order), deterministic, direction-free.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base62, flowUid } from '../../src/flow/uid.js';

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Zeek's util.cc uitoa_n(value, str, n, 62): least significant digit first (reference, BigInt). */
function zeekUitoa62(v: bigint): string {
  let out = '';
  do {
    out += DIGITS[Number(v % 62n)];
    v /= 62n;
  } while (v !== 0n);
  return out;
}

describe('base62 (Zeek UID::Base62 digits)', () => {
  it('writes the least significant digit first, as Zeek does', () => {
    expect(base62(0, 0)).toBe('0');
    expect(base62(0, 61)).toBe('Z');
    expect(base62(0, 62)).toBe('01');
    expect(base62(0xffffffff, 0xffffffff)).toBe(zeekUitoa62(2n ** 64n - 1n));
  });

  it('equals a BigInt reference on random 64-bit values (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (hi, lo) => {
        expect(base62(hi, lo)).toBe(zeekUitoa62((BigInt(hi) << 32n) | BigInt(lo)));
      }),
    );
  });
});

describe('flowUid', () => {
  const a = Int32Array.from([0xc0a83215 | 0, 0, 0, 0, 0x0de44011, 0, 0, 0]); // 192.168.50.21 -> 13.228.64.17
  const b = Int32Array.from([0x0de44011, 0, 0, 0, 0xc0a83215 | 0, 0, 0, 0]);

  it('has Zeek uid form and is the same for both directions and every call', () => {
    const u = flowUid(6, 4, a, 46153, 443, 1772442000050000);
    expect(u).toMatch(/^C[0-9a-zA-Z]{2,17}$/);
    expect(flowUid(6, 4, b, 443, 46153, 1772442000050000)).toBe(u);
    expect(flowUid(6, 4, a, 46153, 443, 1772442000050000)).toBe(u);
  });

  it('differs when the start time, a port or the protocol differs', () => {
    const u = flowUid(6, 4, a, 46153, 443, 1772442000050000);
    expect(flowUid(6, 4, a, 46153, 443, 1772442000050001)).not.toBe(u);
    expect(flowUid(6, 4, a, 46154, 443, 1772442000050000)).not.toBe(u);
    expect(flowUid(17, 4, a, 46153, 443, 1772442000050000)).not.toBe(u);
  });
});

describe('uidFromDigest', () => {
  it('gives the flow uid from the Community ID digest the record computes anyway', async () => {
    const { communityId } = await import('../../src/flow/community-id.js');
    const { uidFromDigest } = await import('../../src/flow/uid.js');
    fc.assert(fc.property(fc.array(fc.integer(), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 0, max: 65535 }), fc.boolean(), fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat(), (words, sp, dp, v6, t, id) => {
        const a = Int32Array.from(words);
        const v = v6 ? 6 : 4;
        const expected = flowUid(6, v, a, sp, dp, t, id);
        communityId(6, v, a, sp, dp);
        expect(uidFromDigest(t, id)).toBe(expected);
      }));
  });

  it('is unique over many flows of one tuple and many tuples of one time', () => {
    const a = Int32Array.from([0x0a000002, 0, 0, 0, 0x0de44011, 0, 0, 0]);
    const seen = new Set<string>();
    for (let t = 0; t < 20_000; t++) seen.add(flowUid(17, 4, a, 5353, 53, 1772442000000000 + t));
    for (let p = 0; p < 20_000; p++) seen.add(flowUid(17, 4, a, p, 53, 1772442000000000));
    expect(seen.size).toBe(40_000 - 1); // (port 5353, t = 0) is in both loops
  });
});

describe('uid serial', () => {
  it('tells apart flows of one tuple that start at the same time (captures with zero timestamps)', () => {
    const a = Int32Array.from([0, 0, 0, 0, -1, 0, 0, 0]); // 0.0.0.0 -> 255.255.255.255, DHCP
    const uids = new Set<string>();
    for (let id = 1; id <= 1000; id++) uids.add(flowUid(17, 4, a, 68, 67, 0, id));
    expect(uids.size).toBe(1000);
  });
});
