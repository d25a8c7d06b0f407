// Owns which addresses the geo stage looks up: IPv4-mapped (::ffff:0:0/96, RFC 4291 2.5.5.2) and NAT64
// (64:ff9b::/96, RFC 6052) addresses unwrapped to the IPv4 address they carry, and the ranges that are never
// geolocated: private, shared, loopback, link-local, multicast, documentation and reserved (IANA IPv4/IPv6
// Special-Purpose Address Registries, RFC 6890 and successors), plus PCAPdroid's VPN-mode client subnet. Address text
// is parsed by decode/ip-format.ts (IPv4 as one uint32, IPv6 as four uint32 words). Never throws.

import { masks, parseCidr, parseIpv4, parseIpv6 } from '../decode/ip-format.js';

/** [CIDR, reason], most specific first where ranges nest (PCAPdroid's /24 sits inside 10/8). */
const V4_RANGES: ReadonlyArray<readonly [string, string]> = [
  // PCAPdroid (non-root VPN mode) gives the phone 10.215.173.1 and its virtual DNS 10.215.173.2
  // (PCAPdroid app/src/main/java/com/emanuelef/remote_capture/CaptureService.java VPN_IP_ADDRESS).
  ['10.215.173.0/24', 'pcapdroid-vpn'],
  ['0.0.0.0/8', 'this-network'], // RFC 791, RFC 1122 3.2.1.3
  ['10.0.0.0/8', 'rfc1918'],
  ['100.64.0.0/10', 'cgnat'], // RFC 6598 shared address space
  ['127.0.0.0/8', 'loopback'], // RFC 1122
  ['169.254.0.0/16', 'link-local'], // RFC 3927
  ['172.16.0.0/12', 'rfc1918'],
  ['192.0.0.0/24', 'ietf-protocol'], // RFC 6890
  ['192.0.2.0/24', 'documentation'], // RFC 5737 TEST-NET-1
  ['192.88.99.0/24', '6to4-relay'], // RFC 7526 (deprecated anycast)
  ['192.168.0.0/16', 'rfc1918'],
  ['198.18.0.0/15', 'benchmarking'], // RFC 2544
  ['198.51.100.0/24', 'documentation'], // RFC 5737 TEST-NET-2
  ['203.0.113.0/24', 'documentation'], // RFC 5737 TEST-NET-3
  ['224.0.0.0/4', 'multicast'], // RFC 5771
  ['240.0.0.0/4', 'reserved'], // RFC 1112; includes 255.255.255.255 broadcast
];

const V6_RANGES: ReadonlyArray<readonly [string, string]> = [
  ['::/128', 'unspecified'], // RFC 4291
  ['::1/128', 'loopback'], // RFC 4291
  ['100::/64', 'discard-only'], // RFC 6666
  ['2001:db8::/32', 'documentation'], // RFC 3849
  ['3fff::/20', 'documentation'], // RFC 9637
  ['5f00::/16', 'srv6-sid'], // RFC 9602
  ['fc00::/7', 'ula'], // RFC 4193 unique local
  ['fe80::/10', 'link-local'], // RFC 4291
  ['fec0::/10', 'site-local'], // RFC 3879 (deprecated, never global)
  ['ff00::/8', 'multicast'], // RFC 4291
];

/** The ranges as four-word networks and masks (IPv4 in the last word). */
const RANGES = [...V4_RANGES, ...V6_RANGES].map(([cidr, reason]) => {
  const p = parseCidr(cidr);
  if (!p) throw new Error(`bad built-in range ${cidr}`);
  const net = p.family === 4 ? Uint32Array.of(0, 0, 0, p.net) : p.net;
  return { family: p.family, net, mask: masks(p.family === 4 ? p.bits + 96 : p.bits), reason };
});

/** An address as the geo stage looks it up. */
export interface Address {
  family: 4 | 6;
  /** The IPv4 address (family 4), uint32. */
  v4: number;
  /** The address as four words: IPv6, or the IPv4 address in the last word. */
  words: Uint32Array;
}

/** The address to look up, or why it is not geolocated (`rfc1918`, `cgnat`, `ula` ..., `invalid` for non-addresses). */
export function toAddress(ip: string): Address | { reason: string } {
  const words = new Uint32Array(4);
  let v4 = parseIpv4(ip);
  if (v4 < 0) {
    if (!parseIpv6(ip, words)) return { reason: 'invalid' };
    const mapped = words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
    const nat64 = words[0] === 0x0064ff9b && words[1] === 0 && words[2] === 0;
    if (mapped || nat64) v4 = words[3];
  }
  const family = v4 >= 0 ? 4 : 6;
  if (family === 4) words.set([0, 0, 0, v4]);
  for (const r of RANGES) {
    let k = 0;
    while (k < 4 && ((words[k] & r.mask[k]) >>> 0) === r.net[k]) k++;
    if (k === 4 && r.family === family) return { reason: r.reason };
  }
  return { family, v4, words };
}
