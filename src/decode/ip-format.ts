// Owns IP address text both ways: the one IP-address-to-text formatter every stage uses, and the check that a name is an address literal (flow table, DNS answers, naming cache), so that
// addresses compare equal as strings everywhere; and address text (logs, claims files, data files) parsed to words. IPv6 follows RFC 5952 exactly as glibc/libuv inet_ntop (and so
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

// ---------------------------------------------------------------------------------------------------------------
// Address text, cached. A capture shows few distinct addresses many times (every DNS query is a flow to the same
// resolver; the answers repeat the same servers), so formatting them again costs: on the small-packet bench
// capture, flow creation spent most of its ~4.6 us on the two address strings, and the naming cache then hashed
// each new string afresh. A direct-mapped cache (bounded: SLOTS entries per family, a collision replaces) returns
// the same, already hashed string for the same address.

const SLOTS = 4096;
const v4Key = new Int32Array(SLOTS);
const v4Text: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
const v6Key = new Int32Array(SLOTS * 4);
const v6Text: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);

function word(buf: Buffer | Uint8Array, off: number): number {
  return ((buf[off] | 0) << 24) | ((buf[off + 1] | 0) << 16) | ((buf[off + 2] | 0) << 8) | (buf[off + 3] | 0);
}

/** formatIp(), through the cache: the same text for the same address. */
export function ipText(buf: Buffer | Uint8Array, off: number, len: 4 | 16): string {
  if (len === 4) {
    const w = word(buf, off);
    const slot = Math.imul(w, 0x9e3779b1) >>> 20;
    const t = v4Text[slot];
    if (t !== undefined && v4Key[slot] === w) return t;
    const s = formatIp(buf, off, 4);
    v4Key[slot] = w;
    v4Text[slot] = s;
    return s;
  }
  const w0 = word(buf, off);
  const w1 = word(buf, off + 4);
  const w2 = word(buf, off + 8);
  const w3 = word(buf, off + 12);
  const slot = Math.imul(w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35) ^ Math.imul(w3, 0x27d4eb2f), 0x9e3779b1) >>> 20;
  const t = v6Text[slot];
  const k = slot * 4;
  if (t !== undefined && v6Key[k] === w0 && v6Key[k + 1] === w1 && v6Key[k + 2] === w2 && v6Key[k + 3] === w3) return t;
  const s = formatIp(buf, off, 16);
  v6Key[k] = w0;
  v6Key[k + 1] = w1;
  v6Key[k + 2] = w2;
  v6Key[k + 3] = w3;
  v6Text[slot] = s;
  return s;
}

/**
 * An IPv4 or IPv6 address written as a name: four dot-separated decimal numbers of 0-255 (leading zeros too, as
 * URL parsers read them), or hex groups with at least two colons (embedded dotted quad and %zone allowed),
 * optionally in brackets. Cheap on real names: a letter past 'f' ends the check at once.
 */
export function isIpLiteral(name: string): boolean {
  let s = name;
  if (s.length > 2 && s.charCodeAt(0) === 0x5b && s.charCodeAt(s.length - 1) === 0x5d) s = s.slice(1, -1);
  const n = s.length;
  if (n === 0 || n > 64) return false;
  let colons = 0;
  let dots = 0;
  let zone = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && colons >= 2) {
      zone = i; // %zone: anything may follow
      break;
    }
    if (c === 0x3a) colons++;
    else if (c === 0x2e) dots++;
    else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  if (colons >= 2) return isIpv6Text(s.slice(0, zone));
  return colons === 0 && dots === 3 && isIpv4Text(s);
}

/** Four dot-separated decimal numbers 0-255 (`s` holds only hex digits and dots). */
function isIpv4Text(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return false;
    for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) > 0x39) return false;
    if (Number(p) > 255) return false;
  }
  return true;
}

/** RFC 4291 §2.2 text (`s` holds only hex digits, colons and dots): eight groups of 1-4 hex digits, or fewer with
 *  one "::", the last two may be a dotted quad. */
function isIpv6Text(s: string): boolean {
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::') || s.indexOf(':::') >= 0) return false;
  if ((s.charCodeAt(0) === 0x3a && dbl !== 0) || (s.charCodeAt(s.length - 1) === 0x3a && dbl !== s.length - 2)) return false;
  const groups = s.split(':');
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g === '') continue;
    if (g.indexOf('.') >= 0) {
      if (i !== groups.length - 1 || !isIpv4Text(g)) return false;
      count += 2;
    } else if (g.length > 4) return false;
    else count++;
  }
  return dbl >= 0 ? count <= 7 : count === 8;
}

// ---------------------------------------------------------------------------------------------------------------
// Address text -> words: IPv4 as one uint32, IPv6 as four uint32 words (word 0 most significant, so ranges compare
// without BigInt). What is an address is what node:net's isIP accepts (a test holds the parsers to it); its regular
// expressions are not used here: compiling them cost ~20 ms of CPU in each capture's first few thousand geo lookups.

/** IPv4 dotted quad -> uint32 (as a non-negative number), or -1. Accepts what node:net's isIPv4 accepts. */
export function parseIpv4(s: string): number {
  const p = s.split('.');
  let v = 0;
  for (const d of p) {
    const n = digits(d, 10);
    if (p.length !== 4 || n < 0 || n > 255 || d.length > 3 || (d.length > 1 && d[0] === '0')) return -1;
    v = v * 256 + n;
  }
  return v;
}

/** IPv6 text (RFC 4291 2.2 forms; a `%zone` is ignored) -> `out[0..3]`; false when node:net's isIPv6 would say no. */
export function parseIpv6(text: string, out: Uint32Array): boolean {
  const pct = text.indexOf('%');
  if (pct >= 0 && !/^[0-9a-zA-Z.:-]+$/.test(text.slice(pct + 1))) return false;
  const halves = (pct < 0 ? text : text.slice(0, pct)).split('::');
  if (halves.length > 2) return false;
  const g: number[] = [];
  let gap = -1; // the group `::` stands before
  for (let h = 0; h < halves.length; h++) {
    if (h === 1) gap = g.length;
    const parts = halves[h] === '' ? [] : halves[h].split(':');
    for (let i = 0; i < parts.length; i++) {
      // a dotted quad may end the address
      const v4 = h === halves.length - 1 && i === parts.length - 1 && parts[i].includes('.') ? parseIpv4(parts[i]) : -1;
      if (v4 >= 0) g.push(v4 >>> 16, v4 & 0xffff);
      else if (parts[i].length > 4 || digits(parts[i], 16) < 0) return false;
      else g.push(digits(parts[i], 16));
    }
  }
  if (gap < 0 ? g.length !== 8 : g.length > 7) return false;
  g.splice(gap < 0 ? 8 : gap, 0, ...new Array<number>(8 - g.length).fill(0));
  for (let k = 0; k < 4; k++) out[k] = (g[2 * k] * 65536 + g[2 * k + 1]) >>> 0;
  return true;
}

/** The value of a non-empty string of digits in `base` (10 or 16), or -1. */
function digits(s: string, base: 10 | 16): number {
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20; // lower case for hex letters (digits unchanged)
    const d = c >= 48 && c <= 57 ? c - 48 : base === 16 && c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * base + d;
  }
  return s.length > 0 ? v : -1;
}

/** The four word masks of a prefix length (0..128). */
export function masks(bits: number): Uint32Array {
  const m = new Uint32Array(4);
  for (let k = 0; k < 4; k++) {
    const take = Math.max(0, Math.min(32, bits - 32 * k));
    m[k] = take === 0 ? 0 : (0xffffffff << (32 - take)) >>> 0; // (a shift by 32 would be a shift by 0)
  }
  return m;
}

/** True when the first `bits` bits of the IPv6 words `a` are those of `net`. */
export function prefixMatch128(a: Uint32Array, net: Uint32Array, bits: number): boolean {
  const m = masks(bits);
  for (let k = 0; k < 4; k++) if (((a[k] ^ net[k]) & m[k]) !== 0) return false;
  return true;
}

/** `addr/len` -> family, first address (IPv4 number or IPv6 words, host bits cleared) and length; null if malformed. */
export function parseCidr(cidr: string): { family: 4; net: number; bits: number } | { family: 6; net: Uint32Array; bits: number } | null {
  const slash = cidr.indexOf('/');
  const lenText = cidr.slice(slash + 1);
  if (slash < 0 || !/^\d{1,3}$/.test(lenText)) return null;
  const bits = Number(lenText);
  const addr = cidr.slice(0, slash);
  const v4 = parseIpv4(addr);
  if (v4 >= 0) return bits > 32 ? null : { family: 4, net: (v4 & masks(bits)[0]) >>> 0, bits };
  const w = new Uint32Array(4);
  if (!parseIpv6(addr, w) || bits > 128) return null;
  const m = masks(bits);
  for (let k = 0; k < 4; k++) w[k] = (w[k] & m[k]) >>> 0;
  return { family: 6, net: w, bits };
}
