// Owns the table of addresses that must never be geolocated: private, shared, loopback, link-local, multicast,
// documentation and reserved ranges (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890 and successors),
// plus PCAPdroid's VPN-mode client subnet. A lookup of such an address yields scope `private` and no location.

import { parseCidr, parseIpv4, parseIpv6 } from './ip-parse.js';

/** [CIDR, reason] in most-specific-first order where ranges nest (PCAPdroid's /24 sits inside 10/8). */
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

export interface V4Net {
  net: number;
  mask: number;
  reason: string;
}
export interface V6Net {
  /** The network's words, already masked. */
  net: Uint32Array;
  /** The prefix as four word masks. */
  mask: Uint32Array;
  reason: string;
}

/** The IPv4 ranges, parsed, in table order (also written into the WebAssembly lookup core's memory). */
export const V4: readonly V4Net[] = V4_RANGES.map(([c, reason]) => {
  const p = parseCidr(c);
  if (!p || p.family !== 4) throw new Error(`bad built-in range ${c}`);
  return { net: p.net, mask: p.bits === 0 ? 0 : ~(0xffffffff >>> p.bits) >>> 0, reason };
});
/** The IPv6 ranges, parsed, in table order (also written into the WebAssembly lookup core's memory). */
export const V6: readonly V6Net[] = V6_RANGES.map(([c, reason]) => {
  const p = parseCidr(c);
  if (!p || p.family !== 6) throw new Error(`bad built-in range ${c}`);
  const mask = new Uint32Array(4);
  for (let k = 0; k < 4; k++) {
    const take = Math.max(0, Math.min(32, p.bits - 32 * k));
    mask[k] = take === 0 ? 0 : take === 32 ? 0xffffffff : ~(0xffffffff >>> take) >>> 0; // (a shift by 32 is a shift by 0)
  }
  const net = new Uint32Array(4);
  for (let k = 0; k < 4; k++) net[k] = (p.net[k] & mask[k]) >>> 0;
  return { net, mask, reason };
});

/** Reason an IPv4 address (uint32) is not public, or null when it is public. */
export function privateReasonV4(ip: number): string | null {
  for (const r of V4) if (((ip & r.mask) >>> 0) === r.net) return r.reason;
  return null;
}

/** Reason an IPv6 address (4 words) is not public, or null. IPv4-mapped addresses must be unwrapped by the caller. */
export function privateReasonV6(w: Uint32Array): string | null {
  // Masks precomputed and the words compared inline (no prefixMatch128 call): this runs once per new IPv6 server,
  // and each small function on that path is compiled by TurboFan on its own in every capture.
  const w0 = w[0];
  const w1 = w[1];
  const w2 = w[2];
  const w3 = w[3];
  for (let i = 0; i < V6.length; i++) {
    const m = V6[i].mask;
    const n = V6[i].net;
    if (((w0 & m[0]) >>> 0) === n[0] && ((w1 & m[1]) >>> 0) === n[1] && ((w2 & m[2]) >>> 0) === n[2] && ((w3 & m[3]) >>> 0) === n[3]) return V6[i].reason;
  }
  return null;
}

const SCRATCH = new Uint32Array(4);

/** Reason an address given as text is not public (`rfc1918`, `cgnat`, `ula` ...), `invalid` for non-addresses, else null. */
export function privateReason(ip: string): string | null {
  const v4 = parseIpv4(ip);
  if (v4 >= 0) return privateReasonV4(v4);
  if (!parseIpv6(ip, SCRATCH)) return 'invalid';
  const mapped = embeddedIpv4(SCRATCH);
  if (mapped >= 0) return privateReasonV4(mapped);
  return privateReasonV6(SCRATCH);
}

/**
 * The IPv4 address embedded in an IPv4-mapped (::ffff:0:0/96, RFC 4291 2.5.5.2) or NAT64 well-known-prefix
 * (64:ff9b::/96, RFC 6052) IPv6 address, or -1. Such addresses are geolocated as the IPv4 address they carry.
 */
export function embeddedIpv4(w: Uint32Array): number {
  if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return w[3];
  if (w[0] === 0x0064ff9b && w[1] === 0 && w[2] === 0) return w[3];
  return -1;
}
