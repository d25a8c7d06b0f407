// Owns the one IP-address-to-text formatter every stage uses, and the check that a name is an address literal (flow table, DNS answers, naming cache), so that
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
