// Owns DNS domain-name decoding from wire format (RFC 1035 4.1.4 compression), bounded so that pointer loops
// (tcpdump dns-zlip-1.pcap, dns_fwdptr.pcap) and over-long names end quickly without throwing. Names come out
// the way the tshark oracle prints them: lowercased, no trailing dot, the root as ''.
import { MAX_DNS_NAME_LEN, MAX_DNS_POINTER_HOPS } from '../../limits.js';

/** Where the last readName() stopped: offset after the name's in-place bytes, and whether it failed. */
export const nameCursor = { next: 0, failed: false, tooLong: false };

/** What tshark prints for a name whose text passes 255 octets (including loops made of labels). */
export const NAME_TOO_LONG = '<name too long>';

/** Wire-format limit on a name (RFC 1035 2.3.4: 255 octets). */
const MAX_WIRE_NAME = 255;

/** Lowercased ASCII text of the name being read (255 wire octets give at most 254 text characters). */
const SCRATCH = Buffer.alloc(512);

/**
 * Reads the name at `pos` inside the message `[msgStart, msgEnd)`. Sets nameCursor.next to the offset after the
 * name's in-place bytes. On damage (runs past the end, reserved label type, pointer outside the message, a loop
 * of pointers without labels) sets nameCursor.failed and returns ''. A name longer than 255 octets, or one whose
 * pointers loop more than MAX_DNS_POINTER_HOPS times, reads as NAME_TOO_LONG with tooLong set (tshark keeps
 * decoding after it). Printable-ASCII names (nearly all) are lowercased into one reused scratch buffer and become
 * one string (test/bench/dns.bench.ts: faster than a string per label plus toLowerCase()).
 */
export function readName(buf: Buffer, pos: number, msgStart: number, msgEnd: number): string {
  const n = walkName(buf, pos, msgStart, msgEnd, true);
  if (n < 0) return '';
  if (nameCursor.tooLong) return NAME_TOO_LONG;
  if (n === EXOTIC) return slowName(buf, pos, msgStart, msgEnd);
  return SCRATCH.toString('latin1', 0, n);
}

/** Skips the name at `pos` without building text: sets nameCursor like readName(); returns false on damage. */
export function skipName(buf: Buffer, pos: number, msgStart: number, msgEnd: number): boolean {
  return walkName(buf, pos, msgStart, msgEnd, false) >= 0;
}

/** walkName() result when a label holds bytes outside printable ASCII (text is then built by slowName()). */
const EXOTIC = 0x10000;

/** Walks the name; when `build`, writes its lowercased text to SCRATCH. Returns the text length, EXOTIC, or -1. */
function walkName(buf: Buffer, pos: number, msgStart: number, msgEnd: number, build: boolean): number {
  nameCursor.failed = false;
  nameCursor.tooLong = false;
  let n = 0;
  let exotic = false;
  let wireLen = 0;
  let hops = 0;
  let next = -1;
  let p = pos;
  for (;;) {
    if (p >= msgEnd) return failWalk(msgEnd);
    const len = buf[p];
    if (len === 0) {
      if (next < 0) next = p + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= msgEnd) return failWalk(msgEnd);
      if (next < 0) next = p + 2;
      const target = msgStart + (((len & 0x3f) << 8) | buf[p + 1]);
      if (target >= msgEnd) return failWalk(msgEnd);
      if (++hops > MAX_DNS_POINTER_HOPS) {
        // A loop through labels reads as too long (tshark: dns_fwdptr.pcap); a loop of bare pointers is damage.
        if (wireLen === 0) {
          nameCursor.failed = true;
          nameCursor.next = next;
          return -1;
        }
        nameCursor.tooLong = true;
        break;
      }
      p = target;
      continue;
    }
    if (kind !== 0) return failWalk(p);
    const end = p + 1 + len;
    if (end > msgEnd) return failWalk(msgEnd);
    wireLen += len + 1;
    if (wireLen > MAX_WIRE_NAME) {
      nameCursor.tooLong = true;
      if (next >= 0) break; // already past the in-place part: nothing more to learn
    } else if (build && !exotic) {
      if (n !== 0) SCRATCH[n++] = 0x2e;
      for (let i = p + 1; i < end; i++) {
        const c = buf[i];
        if (c < 0x20 || c > 0x7e) {
          exotic = true;
          break;
        }
        SCRATCH[n++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
      }
    }
    p = end;
  }
  nameCursor.next = next;
  return exotic ? EXOTIC : n;
}

function failWalk(at: number): number {
  nameCursor.failed = true;
  nameCursor.next = at;
  return -1;
}

/** Rare path: a name with non-ASCII or control bytes, built label by label (MAX_DNS_NAME_LEN bounds the text). */
function slowName(buf: Buffer, pos: number, msgStart: number, msgEnd: number): string {
  let out = '';
  let hops = 0;
  let p = pos;
  while (p < msgEnd && hops <= MAX_DNS_POINTER_HOPS && out.length <= MAX_DNS_NAME_LEN) {
    const len = buf[p];
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      p = msgStart + (((len & 0x3f) << 8) | buf[p + 1]);
      hops++;
      continue;
    }
    if (out.length !== 0) out += '.';
    out += labelText(buf, p + 1, p + 1 + len);
    p += 1 + len;
  }
  return out.toLowerCase();
}

/** Label bytes as text: printable ASCII as is; otherwise UTF-8 with control bytes escaped as \DDD (RFC 1035 5.1). */
function labelText(buf: Buffer, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c < 0x20 || c > 0x7e) {
      plain = false;
      break;
    }
  }
  if (plain) return buf.toString('latin1', start, end);
  // eslint-disable-next-line no-control-regex
  return buf.toString('utf8', start, end).replace(/[\u0000-\u001f\u007f]/g, (c) => '\\' + String(c.charCodeAt(0)).padStart(3, '0'));
}
