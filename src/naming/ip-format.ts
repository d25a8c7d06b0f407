// Owns the one IP-address-to-text formatter every stage uses (flow table, DNS answers, naming cache), so that
// addresses compare equal as strings everywhere. IPv6 follows RFC 5952 exactly as glibc/libuv inet_ntop (and so
// tshark and node:net) print it: lowercase, no leading zeros, the longest run (>= 2) of zero groups as "::"
// (the first on a tie), and the embedded dotted quad for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible
// (::a.b.c.d, words 0-5 zero) addresses.

/** Decimal text of 0..255, built once (avoids Number->string work per octet). */
const DEC: string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Reused scratch for the eight 16-bit groups of an IPv6 address (no allocation per call). */
const WORDS = new Uint16Array(8);

/** Formats 4 (IPv4) or 16 (IPv6) bytes at `off`. Reads past the end of `buf` give 0 bytes (never throws). */
export function formatIp(buf: Buffer | Uint8Array, off: number, len: 4 | 16): string {
  if (len === 4) {
    return DEC[buf[off] | 0] + '.' + DEC[buf[off + 1] | 0] + '.' + DEC[buf[off + 2] | 0] + '.' + DEC[buf[off + 3] | 0];
  }
  return formatIpv6(buf, off);
}

function formatIpv6(buf: Buffer | Uint8Array, off: number): string {
  // Longest run of zero words (ISC inet_ntop6: runs of length 1 are not compressed).
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    const w = (((buf[off + 2 * i] | 0) << 8) | (buf[off + 2 * i + 1] | 0)) & 0xffff;
    WORDS[i] = w;
    if (w === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else {
        curLen++;
      }
    } else if (curBase !== -1) {
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && curLen > bestLen) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestLen < 2) bestBase = -1;

  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // Embedded IPv4: ::a.b.c.d (compatible) or ::ffff:a.b.c.d (mapped), as inet_ntop prints them.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && WORDS[5] === 0xffff))) {
      out += formatIp(buf, off + 12, 4);
      return out;
    }
    out += WORDS[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}
