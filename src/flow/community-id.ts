// Community ID v1 (https://github.com/corelight/community-id-spec): the direction-free flow hash Zeek (package
// zeek-community-id, policy/protocols/conn/community-id-logging), Suricata (`community_id`), Arkime and Wireshark
// print, so one string finds the same flow in all of them. Pure; no allocation but the result string.
//
//   sha1(seed:2 . saddr:4|16 . daddr:4|16 . proto:1 . 0:1 . sport:2 . dport:2), all big-endian, the endpoints
//   ordered so that (saddr, sport) < (daddr, dport); "1:" + base64(digest).
//
// ICMP and ICMPv6 use (type, counterpart type) as ports when the type has a request/reply counterpart, else
// (type, code) and no reordering (one-way), as Zeek's ICMP analyzer and pycommunityid (icmp.py, icmp6.py) do.
// Protocols without ports hash no port bytes.

import { SHA1_INPUT, SHA1_OUT, sha1Block } from './sha1-block.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;

/** ICMP type -> counterpart type (pycommunityid icmp.py, from Zeek's ICMP4_counterpart). */
const ICMP4_COUNTERPART = new Map<number, number>([
  [8, 0], [0, 8], // echo, echo reply
  [13, 14], [14, 13], // timestamp
  [15, 16], [16, 15], // information
  [10, 9], [9, 10], // router solicitation, advertisement
  [17, 18], [18, 17], // address mask
]);

/** ICMPv6 type -> counterpart type (pycommunityid icmp6.py, from Zeek's ICMP6_counterpart). */
const ICMP6_COUNTERPART = new Map<number, number>([
  [128, 129], [129, 128], // echo
  [130, 131], [131, 130], // MLD query, report
  [133, 134], [134, 133], // router solicitation, advertisement
  [135, 136], [136, 135], // neighbour solicitation, advertisement
  [139, 140], [140, 139], // who-are-you request, reply
  [144, 145], [145, 144], // home agent address discovery request, reply
]);

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** "1:" and the 28 base64 characters of a digest, as character codes (written in place, turned into a string once:
 *  Buffer's toString('base64') and writeInt32BE go through Buffer.prototype, a dictionary-mode object, at each call). */
const TEXT: number[] = Array.from({ length: 30 }, (_, i) => (i === 0 ? 0x31 : i === 1 ? 0x3a : 0x3d));

function digestByte(k: number): number {
  return (SHA1_OUT[k >> 2] >>> (24 - 8 * (k & 3))) & 0xff;
}

/**
 * Community ID v1 of a flow. `addr` holds the addresses as 32-bit big-endian words: source in 0..3, destination in
 * 4..7 (IPv4 uses words 0 and 4 only). For ICMP/ICMPv6, `sport`/`dport` are the message type and code.
 */
export function communityId(proto: number, ipVersion: 4 | 6, addr: ArrayLike<number>, sport: number, dport: number, seed = 0): string {
  sha1Block(writeTuple(proto, ipVersion, addr, sport, dport, seed));
  const t = TEXT;
  let o = 2;
  // 20 bytes: six 3-byte groups, then 2 bytes as 3 characters and '=' (left in place at t[29]).
  for (let k = 0; k < 18; k += 3) {
    const n = (digestByte(k) << 16) | (digestByte(k + 1) << 8) | digestByte(k + 2);
    t[o] = B64.charCodeAt(n >>> 18);
    t[o + 1] = B64.charCodeAt((n >>> 12) & 63);
    t[o + 2] = B64.charCodeAt((n >>> 6) & 63);
    t[o + 3] = B64.charCodeAt(n & 63);
    o += 4;
  }
  const n = (digestByte(18) << 16) | (digestByte(19) << 8);
  t[o] = B64.charCodeAt(n >>> 18);
  t[o + 1] = B64.charCodeAt((n >>> 12) & 63);
  t[o + 2] = B64.charCodeAt((n >>> 6) & 63);
  return String.fromCharCode.apply(null, t);
}

/** Writes the Community ID hash input of a flow into SHA1_INPUT (see communityId); returns its length (<= 40). */
export function writeTuple(proto: number, ipVersion: 4 | 6, addr: ArrayLike<number>, sport: number, dport: number, seed: number): number {
  let p1 = sport & 0xffff;
  let p2 = dport & 0xffff;
  let oneWay = false;
  if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
    const counterpart = (proto === IPPROTO_ICMP ? ICMP4_COUNTERPART : ICMP6_COUNTERPART).get(p1);
    if (counterpart === undefined) oneWay = true;
    else p2 = counterpart;
  }
  const words = ipVersion === 6 ? 4 : 1;
  // Is (source, sport) the smaller endpoint? Compare the addresses word by word as unsigned, then the ports.
  let cmp = 0;
  for (let i = 0; i < words && cmp === 0; i++) {
    const s = addr[i] >>> 0;
    const d = addr[4 + i] >>> 0;
    if (s !== d) cmp = s < d ? -1 : 1;
  }
  if (cmp === 0 && p1 !== p2) cmp = p1 < p2 ? -1 : 1;
  const swap = !oneWay && cmp > 0;
  const b = SHA1_INPUT;
  b[0] = (seed >>> 8) & 0xff;
  b[1] = seed & 0xff;
  let o = 2;
  for (let side = 0; side < 2; side++) {
    const base = (side === 0) !== swap ? 0 : 4;
    for (let i = 0; i < words; i++) {
      const w = addr[base + i];
      b[o] = w >>> 24;
      b[o + 1] = (w >>> 16) & 0xff;
      b[o + 2] = (w >>> 8) & 0xff;
      b[o + 3] = w & 0xff;
      o += 4;
    }
  }
  b[o++] = proto & 0xff;
  b[o++] = 0;
  if (hasPorts(proto)) {
    const first = swap ? p2 : p1;
    const second = swap ? p1 : p2;
    b[o] = first >>> 8;
    b[o + 1] = first & 0xff;
    b[o + 2] = second >>> 8;
    b[o + 3] = second & 0xff;
    o += 4;
  }
  return o;
}

function hasPorts(proto: number): boolean {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP || proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6;
}
