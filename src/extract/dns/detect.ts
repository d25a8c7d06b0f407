// Owns recognising DNS without trusting ports: a header plausibility check (shared with the TCP framer's resync)
// and a structural walk that must consume the payload exactly, like tshark's DNS-over-UDP heuristic, so that
// DNS on odd ports (tcpdump dns_udp_8053.pcap) is found while random UDP payloads are rejected. Also maps the
// well-known ports to the protocol flavour (DNS 53, mDNS 5353 RFC 6762, LLMNR 5355 RFC 4795).
import { MAX_DNS_HEURISTIC_QUESTIONS, MAX_DNS_HEURISTIC_RRS, MIN_DNS_TCP_MESSAGE_BYTES } from '../../limits.js';
import { nameCursor, skipName } from './names.js';

export type DnsFlavour = 'dns' | 'mdns' | 'llmnr';

export const DNS_PORT = 53;
export const MDNS_PORT = 5353;
export const LLMNR_PORT = 5355;

/** Protocol flavour for a port pair (either side), or null when neither is a DNS port. mDNS/LLMNR win over 53. */
export function dnsFlavourForPorts(srcPort: number, dstPort: number): DnsFlavour | null {
  if (srcPort === MDNS_PORT || dstPort === MDNS_PORT) return 'mdns';
  if (srcPort === LLMNR_PORT || dstPort === LLMNR_PORT) return 'llmnr';
  if (srcPort === DNS_PORT || dstPort === DNS_PORT) return 'dns';
  return null;
}

/** Header at buf[h, h+12) looks like DNS: known opcode (RFC 6895: 0,1,2,4,5,6), Z bit clear, small counts. */
export function dnsHeaderPlausible(buf: Buffer, h: number, end: number): boolean {
  if (h < 0 || h + 12 > end || h + 12 > buf.length) return false;
  const flags = (buf[h + 2] << 8) | buf[h + 3];
  const opcode = (flags >> 11) & 0xf;
  if (opcode === 3 || opcode > 6) return false;
  if ((flags & 0x0040) !== 0) return false;
  const qd = (buf[h + 4] << 8) | buf[h + 5];
  const an = (buf[h + 6] << 8) | buf[h + 7];
  const ns = (buf[h + 8] << 8) | buf[h + 9];
  const ar = (buf[h + 10] << 8) | buf[h + 11];
  if (qd > MAX_DNS_HEURISTIC_QUESTIONS || an > MAX_DNS_HEURISTIC_RRS || ns > MAX_DNS_HEURISTIC_RRS || ar > MAX_DNS_HEURISTIC_RRS) return false;
  const response = (flags & 0x8000) !== 0;
  if (!response && (flags & 0xf) !== 0) return false; // a query carries RCODE 0
  if (qd === 0 && (!response || an + ns + ar === 0)) return false; // only responses (mDNS) omit the question
  return true;
}

/** Walks header, questions and records of the message at buf[start, end); returns the offset after it or -1. */
export function dnsStructureEnd(buf: Buffer, start: number, end: number): number {
  if (start < 0 || end > buf.length || end - start < 12) return -1;
  let p = start + 12;
  const qd = (buf[start + 4] << 8) | buf[start + 5];
  for (let i = 0; i < qd; i++) {
    if (!skipName(buf, p, start, end) || nameCursor.tooLong) return -1;
    p = nameCursor.next + 4;
    if (p > end) return -1;
  }
  for (let c = 6; c <= 10; c += 2) {
    const n = (buf[start + c] << 8) | buf[start + c + 1];
    for (let i = 0; i < n; i++) {
      if (!skipName(buf, p, start, end) || nameCursor.tooLong) return -1;
      p = nameCursor.next;
      if (p + 10 > end) return -1;
      p += 10 + ((buf[p + 8] << 8) | buf[p + 9]);
      if (p > end) return -1;
    }
  }
  return p;
}

/**
 * Content heuristic for DNS on any port. UDP: a plausible header whose sections consume the datagram exactly.
 * TCP: a 2-byte length prefix (>= 12) followed by a plausible header; when the whole message is present its
 * sections must consume it exactly.
 */
export function looksLikeDns(buf: Buffer, off: number, len: number, transport: 'udp' | 'tcp'): boolean {
  const end = Math.min(off + len, buf.length);
  if (off < 0 || end - off < 12) return false;
  if (transport === 'udp') {
    return dnsHeaderPlausible(buf, off, end) && dnsStructureEnd(buf, off, end) === end;
  }
  const mlen = (buf[off] << 8) | buf[off + 1];
  if (mlen < MIN_DNS_TCP_MESSAGE_BYTES || !dnsHeaderPlausible(buf, off + 2, end)) return false;
  if (off + 2 + mlen <= end) return dnsStructureEnd(buf, off + 2, off + 2 + mlen) === off + 2 + mlen;
  return true;
}
