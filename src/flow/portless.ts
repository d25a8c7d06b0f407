// Orientation of a flow made only of fragments whose first fragment (and so the ports) was never seen: ports are
// 0 on both sides, so neither a SYN, nor content, nor a server port can say who the client is. The local side
// (private, shared, link-local, loopback or unique-local address: the handset or the lab network) is the client
// when exactly one side is local; otherwise the sender of the first datagram stays the client, as for any flow.
// A DNS response's lost-first tail then counts as download to the handset, not as upload to it.
import type { Flow } from './flow.js';

/** 10/8, 172.16/12, 192.168/16 (RFC 1918), 100.64/10 (RFC 6598), 169.254/16, 127/8. */
function localV4(w: number): boolean {
  const a = w >>> 24;
  const b = (w >>> 16) & 0xff;
  return a === 10 || a === 127 || (a === 172 && (b & 0xf0) === 16) || (a === 192 && b === 168) ||
    (a === 100 && (b & 0xc0) === 64) || (a === 169 && b === 254);
}

/** fc00::/7 (RFC 4193), fe80::/10, ::1 and IPv4-mapped local addresses. */
function localV6(w0: number, w1: number, w2: number, w3: number): boolean {
  const top = w0 >>> 16;
  if ((top & 0xfe00) === 0xfc00 || (top & 0xffc0) === 0xfe80) return true;
  if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 1) return true;
  return w0 === 0 && w1 === 0 && w2 === 0xffff && localV4(w3);
}

export function isLocalAddress(ipVersion: number, w0: number, w1: number, w2: number, w3: number): boolean {
  return ipVersion === 4 ? localV4(w0) : localV6(w0, w1, w2, w3);
}

/** Sets the client of a new ports-0 flow (see above). */
export function orientPortless(f: Flow): void {
  const a = isLocalAddress(f.ipVersion, f.a0, f.a1, f.a2, f.a3);
  const b = isLocalAddress(f.ipVersion, f.b0, f.b1, f.b2, f.b3);
  if (a !== b) f.clientIsA = a;
}
