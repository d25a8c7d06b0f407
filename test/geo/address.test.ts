// Address text -> integers (agrees with node:net on what is an address, and with the WHATWG URL parser on what the
// words are; never throws), IPv4-mapped / NAT64 unwrapping and the private-range table.

import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCidr, parseIpv4, parseIpv6 } from '../../src/decode/ip-format.js';
import { toAddress } from '../../src/geo/address.js';

describe('parseIpv4 / parseIpv6', () => {
  it('known values', () => {
    expect(parseIpv4('1.2.3.4')).toBe(0x01020304);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', '', '01234.1.1.1', '01.2.3.4', '+1.2.3.4']) expect(parseIpv4(bad)).toBe(-1);
    const w = new Uint32Array(4);
    expect(parseIpv6('2001:db8::1', w)).toBe(true);
    expect(Array.from(w)).toEqual([0x20010db8, 0, 0, 1]);
    expect(parseIpv6('::ffff:1.2.3.4', w)).toBe(true);
    expect(Array.from(w)).toEqual([0, 0, 0xffff, 0x01020304]);
    expect(parseIpv6('fe80::1%eth0', w)).toBe(true);
    for (const bad of [':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', ':1::', '1:', 'g::1', 'fe80::1%', '1.2.3.4::', '::1.2.3.4:1']) expect(parseIpv6(bad, w)).toBe(false);
    expect(parseIpv6('1:2:3:4:5:6:1.2.3.4', w)).toBe(true);
    expect(Array.from(w)).toEqual([0x10002, 0x30004, 0x50006, 0x01020304]);
  });

  it('accepts exactly what node:net accepts, and round-trips generated addresses', () => {
    const w = new Uint32Array(4);
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 50 })), (s) => {
        const ours = parseIpv4(s) >= 0 || parseIpv6(s, w);
        expect(ours, s).toBe(isIP(s) !== 0);
      }),
      { numRuns: 3000 },
    );
    // Near-misses: the characters addresses are made of, zones, leading zeros.
    const chars = fc.constantFrom(...'0123456789abcdefABCDEFg:.%'.split(''));
    const near = fc.oneof(fc.string({ unit: chars, maxLength: 46 }), fc.ipV6().map((a) => `${a}%eth0`), fc.ipV4().map((a) => `0${a}`), fc.ipV6().map((a) => a.replace(/:/, ':0:')));
    fc.assert(
      fc.property(near, (s) => {
        expect(parseIpv4(s) >= 0 || parseIpv6(s, w), s).toBe(isIP(s) !== 0);
      }),
      { numRuns: 5000 },
    );
  });

  it('parseIpv6 gives the words the WHATWG URL parser reads (an independent IPv6 parser)', () => {
    const w = new Uint32Array(4);
    const canonical = (s: string): string => new URL(`http://[${s}]/`).hostname;
    fc.assert(
      fc.property(fc.ipV6(), (s) => {
        expect(parseIpv6(s, w)).toBe(true);
        const groups = Array.from(w, (x) => `${(x >>> 16).toString(16)}:${(x & 0xffff).toString(16)}`).join(':');
        expect(canonical(groups), s).toBe(canonical(s));
      }),
      { numRuns: 3000 },
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

describe('toAddress: why an address is not geolocated', () => {
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
    ['::ffff:8.8.8.8', null],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::', 'unspecified'],
    ['10.215.173.1', 'pcapdroid-vpn'],
    ['10.215.174.1', 'rfc1918'],
    ['not-an-ip', 'invalid'],
  ])('%s -> %s', (ip, reason) => {
    const a = toAddress(ip);
    expect('reason' in a ? a.reason : null).toBe(reason);
  });
});

describe('toAddress', () => {
  it('unwraps IPv4-mapped and NAT64 addresses to the IPv4 they carry; a zone changes nothing', () => {
    const v4 = parseIpv4('13.228.0.1');
    expect(toAddress('::ffff:13.228.0.1')).toMatchObject({ family: 4, v4, words: Uint32Array.of(0, 0, 0, v4) });
    expect(toAddress('64:ff9b::d04:8')).toMatchObject({ family: 4, v4: parseIpv4('13.4.0.8') });
    expect(toAddress('13.228.0.1')).toMatchObject({ family: 4, v4 });
    expect(toAddress('2a00:1450::1')).toMatchObject({ family: 6, v4: -1, words: Uint32Array.of(0x2a001450, 0, 0, 1) });
    expect(toAddress('2a00:1450::1%eth0')).toEqual(toAddress('2a00:1450::1'));
    expect(toAddress('2a00:1450::1:2.3.4.5')).toMatchObject({ family: 6 });
  });
});
