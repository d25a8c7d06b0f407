// The per-flow `uid`, in Zeek's form so analysts can treat it as they treat Zeek's: `C` followed by the base62
// text of a 96-bit value (Zeek's UID::Base62: a 32-bit word then a 64-bit word, each written least significant
// digit first with the alphabet 0-9a-zA-Z; src/UID.cc and util.cc uitoa_n). Zeek draws the 96 bits at random;
// ours come from the flow's direction-free tuple (the SHA-1 digest Community ID v1 makes with seed 0) mixed with a
// 64-bit discriminator and a 32-bit serial by murmur3's fmix32 finalizer, so the same capture always gives the same
// uids (golden files and reports reproduce) and reading it twice, or in pieces, never changes them. For captures
// the discriminator is the flow's first packet time in microseconds and the serial its flow_id: the last word is a
// bijection of the serial, so two flows of one capture never share a uid, even with equal tuples and times (a
// capture whose timestamps are all zero has such flows). For eve.json the discriminator is Suricata's flow_id
// (serial 0); Zeek logs keep Zeek's own uid. Cost: the record's Community ID digest is reused
// (uidFromDigest), so a flow hashes its tuple once; a DNS flow, whose uid is needed before its record, twice.

import { writeTuple } from './community-id.js';
import { SHA1_OUT, sha1Block } from './sha1-block.js';

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TWO32 = 4294967296;

/** murmur3's 32-bit finalizer: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** uid of a flow: `addr` as for communityId(); `discriminator` a non-negative integer below 2^53; `serial` a
 *  32-bit integer. */
export function flowUid(proto: number, ipVersion: 4 | 6, addr: ArrayLike<number>, sport: number, dport: number, discriminator: number,
  serial = 0): string {
  sha1Block(writeTuple(proto, ipVersion, addr, sport, dport, 0));
  return uidFromDigest(discriminator, serial);
}

/** uid from the Community ID digest (seed 0) left in SHA1_OUT by communityId()/flowUid(), the discriminator and
 *  the serial (see the module comment). */
export function uidFromDigest(discriminator: number, serial = 0): string {
  const hi = Math.floor(discriminator / TWO32) >>> 0;
  const lo = (discriminator - hi * TWO32) >>> 0;
  const a = fmix32(SHA1_OUT[0] ^ lo);
  const b = fmix32(SHA1_OUT[1] ^ hi ^ a);
  return uidFromParts(a, b, SHA1_OUT[2] ^ SHA1_OUT[3] ^ lo ^ b, serial);
}

/** What uidFromDigest makes of the digest and the discriminator before the serial goes in: a split run
 *  (src/jobs/) learns a flow's serial (its flow_id) only after the worker that hashed the tuple is done with it. */
export function uidParts(discriminator: number): [number, number, number] {
  const hi = Math.floor(discriminator / TWO32) >>> 0;
  const lo = (discriminator - hi * TWO32) >>> 0;
  const a = fmix32(SHA1_OUT[0] ^ lo);
  const b = fmix32(SHA1_OUT[1] ^ hi ^ a);
  return [a, b, SHA1_OUT[2] ^ SHA1_OUT[3] ^ lo ^ b];
}

/** The uid from uidParts' three words and the serial. */
export function uidFromParts(a: number, b: number, x: number, serial: number): string {
  const c = fmix32(x ^ serial);
  const chars = CHARS;
  chars.length = 1;
  pushBase62(chars, 0, a);
  pushBase62(chars, b, c);
  return String.fromCharCode.apply(null, chars);
}

/** The uid's character codes, built in place ('C' first) and turned into a string once (no concatenation per digit). */
const CHARS: number[] = [0x43];

/** Appends Zeek's uitoa_n(value, 62) of the 64-bit value hi * 2^32 + lo: least significant digit first, at least one. */
function pushBase62(out: number[], hi: number, lo: number): void {
  do {
    const qHi = Math.floor(hi / 62);
    const t = (hi - qHi * 62) * TWO32 + lo; // < 62 * 2^32: exact in a double
    const qLo = Math.floor(t / 62);
    out.push(DIGITS.charCodeAt(t - qLo * 62));
    hi = qHi;
    lo = qLo;
  } while (hi !== 0 || lo !== 0);
}

/** Zeek's uitoa_n(value, 62) of the 64-bit value hi * 2^32 + lo, as text. */
export function base62(hi: number, lo: number): string {
  const c: number[] = [];
  pushBase62(c, hi, lo);
  return String.fromCharCode.apply(null, c);
}
