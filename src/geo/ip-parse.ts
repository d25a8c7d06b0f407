// Owns address text -> integers for the geo stage: IPv4 as one uint32, IPv6 as four uint32 words (big-endian
// order, word 0 most significant), so range tables compare without BigInt. Never throws: bad text gives -1 / false.

/** IPv4 dotted quad -> uint32 (as a non-negative number), or -1 when the text is not a plain dotted quad. */
export function parseIpv4(s: string): number {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i < s.length; i++) {
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

/**
 * IPv6 text (RFC 4291 section 2.2 forms, incl. `::` and a trailing dotted quad; a `%zone` suffix is ignored)
 * -> `out[0..3]`. Returns false (out unspecified) when the text is not an IPv6 address.
 */
export function parseIpv6(s: string, out: Uint32Array): boolean {
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (s.length < 2 || s.length > 45) return false;
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (s.startsWith('::')) {
    gap = 0;
    i = 2;
    if (s.length === 2) return fill(groups, gap, out);
  } else if (s.charCodeAt(0) === 58) {
    return false;
  }
  while (i < s.length) {
    // One group: hex digits, or a dotted quad at the very end.
    let j = i;
    while (j < s.length && s.charCodeAt(j) !== 58) j++;
    const tok = s.slice(i, j);
    if (tok.includes('.')) {
      if (j !== s.length) return false;
      const v4 = parseIpv4(tok);
      if (v4 < 0) return false;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
    } else {
      if (tok.length === 0 || tok.length > 4) return false;
      let v = 0;
      for (let k = 0; k < tok.length; k++) {
        const h = hexVal(tok.charCodeAt(k));
        if (h < 0) return false;
        v = v * 16 + h;
      }
      groups.push(v);
    }
    if (j === s.length) break;
    // j is at ':'
    if (j + 1 < s.length && s.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = groups.length;
      i = j + 2;
      if (i === s.length) break;
    } else {
      if (j + 1 === s.length) return false;
      i = j + 1;
    }
  }
  return fill(groups, gap, out);
}

function fill(groups: number[], gap: number, out: Uint32Array): boolean {
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return false;
  const w = new Array<number>(8).fill(0);
  if (gap < 0) {
    for (let k = 0; k < 8; k++) w[k] = groups[k];
  } else {
    for (let k = 0; k < gap; k++) w[k] = groups[k];
    const tail = groups.length - gap;
    for (let k = 0; k < tail; k++) w[8 - tail + k] = groups[gap + k];
  }
  for (let k = 0; k < 4; k++) out[k] = (w[2 * k] * 65536 + w[2 * k + 1]) >>> 0;
  return true;
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
