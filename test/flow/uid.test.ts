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
