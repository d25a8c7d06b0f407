// Owns address text -> integers for the geo stage: IPv4 as one uint32, IPv6 as four uint32 words (big-endian
// order, word 0 most significant), so range tables compare without BigInt. Never throws: bad text gives -1 / false.

/** IPv4 dotted quad -> uint32 (as a non-negative number), or -1 when the text is not a plain dotted quad. */
export function parseIpv4(s: string): number {
  return parseIpv4At(s, 0, s.length);
}

/** parseIpv4 over s[start, end). */
function parseIpv4At(s: string, start: number, end: number): number {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      digits++;
      if (digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || parts === 3) return -1;
      n = n * 256 + octet;
      parts++;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || parts !== 3) return -1;
  return n * 256 + octet;
}

/** The 16-bit groups of the address being parsed (at most 8 are valid; one more slot catches overflow). */
const groups = new Uint32Array(9);

/**
 * IPv6 text (RFC 4291 section 2.2 forms, incl. `::` and a trailing dotted quad; a `%zone` suffix is ignored)
 * -> `out[0..3]`. Returns false (out unspecified) when the text is not an IPv6 address. One pass over the
 * characters, no allocation.
 */
export function parseIpv6(s: string, out: Uint32Array): boolean {
  let end = s.indexOf('%');
  if (end < 0) end = s.length;
  if (end < 2 || end > 45) return false;
  let n = 0; // groups so far
  let gap = -1; // group index where `::` stands
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    // One group: up to 4 hex digits, or a dotted quad at the very end.
    let v = 0;
    let j = i;
    let dotted = false;
    for (; j < end; j++) {
      const c = s.charCodeAt(j);
      if (c === 58) break;
      if (c === 46) dotted = true;
      else if (!dotted) {
        const h = hexVal(c);
        if (h < 0) return false;
        v = v * 16 + h;
      }
    }
    if (dotted) {
      if (j !== end || n > 6) return false;
      const v4 = parseIpv4At(s, i, j);
      if (v4 < 0) return false;
      groups[n++] = Math.floor(v4 / 65536);
      groups[n++] = v4 % 65536;
      break;
    }
    if (j === i || j - i > 4 || n > 7) return false;
    groups[n++] = v;
    if (j === end) break;
    // s[j] is ':'
    if (j + 1 < end && s.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i = j + 2;
    } else {
      if (j + 1 === end) return false;
      i = j + 1;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  // Expand `::` to the missing zero groups, then pack pairs of groups into words.
  const tail = gap < 0 ? 0 : n - gap;
  for (let k = 0; k < 4; k++) {
    const hi = groupAt(2 * k, n, gap, tail);
    const lo = groupAt(2 * k + 1, n, gap, tail);
    out[k] = (hi * 65536 + lo) >>> 0;
  }
  return true;
}

/** Group `g` (0..7) of the full address, given the parsed groups and where `::` stood. */
function groupAt(g: number, n: number, gap: number, tail: number): number {
  if (gap < 0 || g < gap) return groups[g];
  if (g >= 8 - tail) return groups[gap + g - (8 - tail)];
  return 0;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Compares two IPv6 addresses held as 4 words at offsets `ao` / `bo`. */
export function cmp128(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[ao + k];
    const y = b[bo + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** True when the first `bits` bits of `a` (4 words) equal those of `net` (4 words). */
export function prefixMatch128(a: Uint32Array, net: Uint32Array, bits: number): boolean {
  for (let k = 0; k < 4 && bits > 0; k++) {
    const take = bits >= 32 ? 32 : bits;
    const mask = take === 32 ? 0xffffffff : ~(0xffffffff >>> take) >>> 0;
    if (((a[k] & mask) >>> 0) !== ((net[k] & mask) >>> 0)) return false;
    bits -= take;
  }
  return true;
}

/** Parses `addr/len` into its family, first address (IPv4 number or IPv6 words) and length; null when malformed. */
export function parseCidr(
  cidr: string,
): { family: 4; net: number; bits: number } | { family: 6; net: Uint32Array; bits: number } | null {
  const slash = cidr.indexOf('/');
  if (slash < 0) return null;
  const addr = cidr.slice(0, slash);
  const lenText = cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return null;
  const bits = Number(lenText);
  const v4 = parseIpv4(addr);
  if (v4 >= 0) {
    if (bits > 32) return null;
    const mask = bits === 0 ? 0 : (~(0xffffffff >>> bits) >>> 0);
    return { family: 4, net: (v4 & mask) >>> 0, bits };
  }
  const w = new Uint32Array(4);
  if (!parseIpv6(addr, w) || bits > 128) return null;
  let left = bits;
  for (let k = 0; k < 4; k++) {
    const take = left >= 32 ? 32 : left < 0 ? 0 : left;
    const mask = take === 0 ? 0 : take === 32 ? 0xffffffff : (~(0xffffffff >>> take) >>> 0);
    w[k] = (w[k] & mask) >>> 0;
    left -= 32;
  }
  return { family: 6, net: w, bits };
}
