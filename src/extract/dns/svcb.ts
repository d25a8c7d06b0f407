// Owns SVCB/HTTPS rdata decoding (RFC 9460 2.2): the TargetName and the ipv4hint (key 4) / ipv6hint (key 6)
// addresses, which name the flows a client opens to the hinted addresses. dns-packet does not decode these.
import { formatIp } from '../../decode/ip-format.js';
import { nameCursor, readName } from './names.js';
import { u16be } from '../../decode/bytes.js';

/** Result of the last decodeSvcbRdata() call (module-level like dns-packet's `.bytes`; read it at once). */
export const svcbResult: { target: string; hints: string[] } = { target: '', hints: [] };

const KEY_IPV4HINT = 4;
const KEY_IPV6HINT = 6;

/**
 * Decodes SVCB/HTTPS rdata at buf[rd, rdEnd) of the message starting at `msgStart`. TargetName "." (the owner
 * name, RFC 9460 2.5) reads as ''. Damaged params stop the walk, keeping the hints read so far. Never throws.
 */
export function decodeSvcbRdata(buf: Buffer, rd: number, rdEnd: number, msgStart: number): void {
  svcbResult.target = '';
  svcbResult.hints = [];
  if (rdEnd - rd < 3) return;
  // RFC 9460 2.2: TargetName is uncompressed, but reading with compression allowed costs nothing.
  const target = readName(buf, rd + 2, msgStart, rdEnd);
  if (nameCursor.failed) return;
  svcbResult.target = target;
  let p = nameCursor.next;
  while (p + 4 <= rdEnd) {
    const key = u16be(buf, p);
    const vlen = u16be(buf, p + 2);
    const v = p + 4;
    const vEnd = v + vlen;
    if (vEnd > rdEnd) return;
    if (key === KEY_IPV4HINT) {
      for (let a = v; a + 4 <= vEnd; a += 4) svcbResult.hints.push(formatIp(buf, a, 4));
    } else if (key === KEY_IPV6HINT) {
      for (let a = v; a + 16 <= vEnd; a += 16) svcbResult.hints.push(formatIp(buf, a, 16));
    }
    p = vEnd;
  }
}
