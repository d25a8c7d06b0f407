// Address text -> integers (agrees with node:net on what is an address; never throws) and the private-range table.

import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCidr, parseIpv4, parseIpv6 } from '../../src/geo/ip-parse.js';
import { privateReason } from '../../src/geo/private-ranges.js';

describe('parseIpv4 / parseIpv6', () => {
  it('known values', () => {
    expect(parseIpv4('1.2.3.4')).toBe(0x01020304);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', '', '01234.1.1.1']) expect(parseIpv4(bad)).toBe(-1);
    const w = new Uint32Array(4);
    expect(parseIpv6('2001:db8::1', w)).toBe(true);
    expect(Array.from(w)).toEqual([0x20010db8, 0, 0, 1]);
    expect(parseIpv6('::ffff:1.2.3.4', w)).toBe(true);
    expect(Array.from(w)).toEqual([0, 0, 0xffff, 0x01020304]);
    expect(parseIpv6('fe80::1%eth0', w)).toBe(true);
    for (const bad of [':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', ':1::', '1:', 'g::1']) expect(parseIpv6(bad, w)).toBe(false);
  });

  it('accepts exactly what node:net accepts, and round-trips generated addresses', () => {
    const w = new Uint32Array(4);
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 50 })), (s) => {
        const ours = parseIpv4(s) >= 0 || parseIpv6(s, w);
        expect(ours).toBe(isIP(s) !== 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseIpv6 gives the same words as the slicing parser it replaced, for addresses and near-misses', () => {
    const w = new Uint32Array(4);
    const chars = fc.constantFrom(...'0123456789abcdefABCDEFg:.%'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), fc.string({ unit: chars, maxLength: 46 }), fc.ipV6().map((a) => a.replace(/:/, ':0:'))), (s) => {
        const want = referenceParseIpv6(s);
        const ok = parseIpv6(s, w);
        expect(ok).toBe(want !== null);
        if (want) expect([...w]).toEqual(want);
      }),
      { numRuns: 5000 },
    );
  });

  it('parseCidr masks host bits and rejects bad lengths', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ family: 4, net: 0x0a000000, bits: 8 });
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('2001:db8::1/32')).toMatchObject({ family: 6, bits: 32 });
    expect(parseCidr('2001:db8::/129')).toBeNull();
    expect(parseCidr('1.2.3.4')).toBeNull();
  });
});

describe('privateReason', () => {
  it.each([
    ['8.8.8.8', null],
    ['100.63.255.255', null],
    ['100.64.0.0', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.0', null],
    ['172.15.255.255', null],
    ['172.31.255.255', 'rfc1918'],
    ['198.18.0.1', 'benchmarking'],
    ['203.0.113.9', 'documentation'],
    ['2a00:1450::1', null],
    ['fc00::1', 'ula'],
    ['fdff:ffff::1', 'ula'],
    ['fe00::1', null],
    ['64:ff9b::10.0.0.1', 'rfc1918'],
    ['64:ff9b::8.8.8.8', null],
  ])('%s -> %s', (ip, reason) => {
    expect(privateReason(ip)).toBe(reason);
  });
});

/** The parser as first written (token slices, group array), kept as the reference for the one-pass parser. */
function referenceParseIpv6(input: string): number[] | null {
  const pct = input.indexOf('%');
  const s = pct >= 0 ? input.slice(0, pct) : input;
  if (s.length < 2 || s.length > 45) return null;
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (s.startsWith('::')) {
    gap = 0;
    i = 2;
  } else if (s.charCodeAt(0) === 58) return null;
  while (i < s.length) {
    let j = i;
    while (j < s.length && s.charCodeAt(j) !== 58) j++;
    const tok = s.slice(i, j);
    if (tok.includes('.')) {
      if (j !== s.length) return null;
      const v4 = parseIpv4(tok);
      if (v4 < 0) return null;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(tok)) return null;
      groups.push(parseInt(tok, 16));
    }
    if (j === s.length) break;
    if (j + 1 < s.length && s.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return null;
      gap = groups.length;
      i = j + 2;
    } else {
      if (j + 1 === s.length) return null;
      i = j + 1;
    }
  }
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return null;
  const g = gap < 0 ? groups : [...groups.slice(0, gap), ...new Array<number>(8 - groups.length).fill(0), ...groups.slice(gap)];
  return [0, 1, 2, 3].map((k) => (g[2 * k] * 65536 + g[2 * k + 1]) >>> 0);
}
