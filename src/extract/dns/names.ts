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

/**
 * Reads the name at `pos` inside the message `[msgStart, msgEnd)`. Sets nameCursor.next to the offset after the
 * name's in-place bytes. On damage (runs past the end, reserved label type, pointer outside the message, a loop
 * of pointers without labels) sets
 * nameCursor.failed and returns ''. A name longer than 255 octets, or one whose pointers loop more than
 * MAX_DNS_POINTER_HOPS times, reads as NAME_TOO_LONG with tooLong set (tshark keeps decoding after it).
 */
export function readName(buf: Buffer, pos: number, msgStart: number, msgEnd: number): string {
  nameCursor.failed = false;
  nameCursor.tooLong = false;
  let out = '';
  let wireLen = 0;
  let hops = 0;
  let next = -1;
  let p = pos;
  for (;;) {
    if (p >= msgEnd) return fail(msgEnd);
    const len = buf[p];
    if (len === 0) {
      if (next < 0) next = p + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= msgEnd) return fail(msgEnd);
      if (next < 0) next = p + 2;
      const target = msgStart + (((len & 0x3f) << 8) | buf[p + 1]);
      if (target >= msgEnd) return fail(msgEnd);
      if (++hops > MAX_DNS_POINTER_HOPS) {
        // A loop through labels reads as too long (tshark: dns_fwdptr.pcap); a loop of bare pointers is damage.
        if (wireLen === 0) {
          nameCursor.failed = true;
          nameCursor.next = next;
          return '';
        }
        nameCursor.tooLong = true;
        break;
      }
      p = target;
      continue;
    }
    if (kind !== 0) return fail(p);
    const end = p + 1 + len;
    if (end > msgEnd) return fail(msgEnd);
    wireLen += len + 1;
    if (wireLen > MAX_WIRE_NAME || out.length > MAX_DNS_NAME_LEN) {
      nameCursor.tooLong = true;
      if (next >= 0) break; // already past the in-place part: nothing more to learn
    } else {
      if (out.length !== 0) out += '.';
      out += labelText(buf, p + 1, end);
    }
    p = end;
  }
  nameCursor.next = next;
  return nameCursor.tooLong ? NAME_TOO_LONG : out.toLowerCase();
}

function fail(at: number): string {
  nameCursor.failed = true;
  nameCursor.next = at;
  return '';
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
