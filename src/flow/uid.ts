// The per-flow `uid`, in Zeek's form so analysts can treat it as they treat Zeek's: `C` followed by the base62
// text of a 96-bit value (Zeek's UID::Base62: a 32-bit word then a 64-bit word, each written least significant
// digit first with the alphabet 0-9a-zA-Z; src/UID.cc and util.cc uitoa_n). Zeek draws the 96 bits at random;
// ours are the first 96 bits of SHA-1 over the flow's direction-free tuple (the Community ID input with seed 0)
// followed by a 64-bit discriminator, so the same capture always gives the same uids (golden files and reports
// reproduce) and reading the capture twice, or in pieces, never changes them. The discriminator is the flow's
// first packet time in microseconds for captures (two flows of one tuple never start in the same microsecond) and
// Suricata's flow_id for eve.json; Zeek logs keep Zeek's own uid. Cost: one SHA-1 block per flow, when its
// record is built or when it carries DNS (never per packet).

import { writeTuple } from './community-id.js';
import { SHA1_INPUT, SHA1_OUT, sha1Block } from './sha1-block.js';

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TWO32 = 4294967296;

/** uid of a flow: `addr` as for communityId(); `discriminator` a non-negative integer below 2^53. */
export function flowUid(proto: number, ipVersion: 4 | 6, addr: ArrayLike<number>, sport: number, dport: number, discriminator: number): string {
  let n = writeTuple(proto, ipVersion, addr, sport, dport, 0);
  const hi = Math.floor(discriminator / TWO32);
  const lo = discriminator - hi * TWO32;
  const b = SHA1_INPUT;
  b[n] = hi >>> 24;
  b[n + 1] = (hi >>> 16) & 0xff;
  b[n + 2] = (hi >>> 8) & 0xff;
  b[n + 3] = hi & 0xff;
  b[n + 4] = lo >>> 24;
  b[n + 5] = (lo >>> 16) & 0xff;
  b[n + 6] = (lo >>> 8) & 0xff;
  b[n + 7] = lo & 0xff;
  n += 8;
  sha1Block(n);
  return 'C' + base62(0, SHA1_OUT[0] >>> 0) + base62(SHA1_OUT[1] >>> 0, SHA1_OUT[2] >>> 0);
}

/** Zeek's uitoa_n(value, 62) of the 64-bit value hi * 2^32 + lo: least significant digit first, at least one. */
export function base62(hi: number, lo: number): string {
  let out = '';
  do {
    const qHi = Math.floor(hi / 62);
    const t = (hi - qHi * 62) * TWO32 + lo; // < 62 * 2^32: exact in a double
    const qLo = Math.floor(t / 62);
    out += DIGITS[t - qLo * 62];
    hi = qHi;
    lo = qLo;
  } while (hi !== 0 || lo !== 0);
  return out;
}
