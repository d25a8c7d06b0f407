// Owns decoding one DNS message (RFC 1035 4.1; also mDNS RFC 6762 and LLMNR RFC 4795, same wire format) into
// the fields the extractor, the transaction matcher and the naming cache need. Pure; never throws.
//
// Why not dns-packet's decode(): it rejects forward compression pointers, throws on the first truncated
// record (python-dpkt truncated_dns.pcap: tshark still reports the question and the answers that fit), drops
// unknown type numbers to `UNKNOWN_<n>` and leaves SVCB/HTTPS rdata undecoded. This walker reads every section
// tolerantly with bounded loops; dns-packet remains the encoder the tests build messages with, and the property
// test checks both decoders agree on every message dns-packet can encode.
import type { DnsAnswer } from '../../types.js';
import { ipText } from '../../decode/ip-format.js';
import { readName, nameCursor } from './names.js';
import {
  RR_A, RR_AAAA, RR_CNAME, RR_DNAME, RR_HTTPS, RR_MX, RR_NS, RR_OPT, RR_PTR, RR_SOA, RR_SPF, RR_SRV, RR_SVCB,
  RR_TXT, rrTypeName,
} from './rr-types.js';
import { decodeSvcbRdata, svcbResult } from './svcb.js';
import { u16be, u32be } from '../../decode/bytes.js';

export interface DnsMessage {
  id: number;
  isResponse: boolean;
  opcode: number;
  /** 4-bit header RCODE extended by the first OPT record's upper 8 bits (RFC 6891 6.1.3): BADVERS=16 ... */
  rcode: number;
  /** First question's name ('' for the root or when there is no question). */
  qname: string;
  /** First question's type; null when there is no question. */
  qtype: number | null;
  /** Answer section only, in wire order. */
  answers: DnsAnswer[];
  /** A/AAAA records of the additional section (glue, e.g. addresses sent with an SVCB/HTTPS or SRV answer). */
  glue: DnsAnswer[];
  /** Set when the message ended early or a record was damaged: everything before `anomalyOffset` was decoded. */
  anomaly?: 'dns_truncated' | 'dns_malformed';
  anomalyOffset?: number;
}

export interface DnsMalformed {
  malformed: 'dns_malformed';
  /** Offset in the buffer where decoding failed. */
  offset: number;
}

const HEADER_LEN = 12;
/** Section counts of the message being decoded (reused; decode() is not re-entrant). */
const COUNTS = new Uint16Array(4);
const SECTION_ANSWER = 1;
const SECTION_ADDITIONAL = 3;

export function isDnsMalformed(r: DnsMessage | DnsMalformed): r is DnsMalformed {
  return (r as DnsMalformed).malformed !== undefined;
}

/** Decodes the message at buf[off, off+len). Messages shorter than the 12-byte header are malformed. */
export function decodeDnsMessage(buf: Buffer, off: number, len: number): DnsMessage | DnsMalformed {
  try {
    return decode(buf, off, Math.min(off + len, buf.length));
  } catch {
    // Defensive only: decode() checks every bound itself.
    return { malformed: 'dns_malformed', offset: off };
  }
}

function decode(buf: Buffer, start: number, end: number): DnsMessage | DnsMalformed {
  if (start < 0 || end - start < HEADER_LEN) return { malformed: 'dns_malformed', offset: Math.max(start, 0) };
  const flags = u16be(buf, start + 2);
  const msg: DnsMessage = {
    id: u16be(buf, start),
    isResponse: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    qname: '',
    qtype: null,
    answers: [],
    glue: [],
  };
  const counts = COUNTS;
  counts[0] = u16be(buf, start + 4);
  counts[1] = u16be(buf, start + 6);
  counts[2] = u16be(buf, start + 8);
  counts[3] = u16be(buf, start + 10);
  let p = start + HEADER_LEN;

  for (let i = 0; i < counts[0]; i++) {
    const name = readName(buf, p, start, end);
    if (nameCursor.failed) {
      // A first question that is structurally broken (not merely cut short) means this is not a DNS message
      // tshark would report (tcpdump dns-zlip-1.pcap: a pointer to itself).
      if (i === 0 && nameCursor.next < end) return { malformed: 'dns_malformed', offset: p };
      return damaged(msg, nameCursor.next, 'dns_malformed', end);
    }
    p = nameCursor.next;
    if (p + 4 > end) return damaged(msg, p, 'dns_truncated', end);
    if (i === 0) {
      msg.qname = name;
      msg.qtype = u16be(buf, p);
    }
    p += 4;
  }

  let sawOpt = false;
  for (let section = 1; section <= 3; section++) {
    for (let i = 0; i < counts[section]; i++) {
      const name = readName(buf, p, start, end);
      if (nameCursor.failed) return damaged(msg, nameCursor.next, 'dns_malformed', end);
      p = nameCursor.next;
      if (p + 10 > end) return damaged(msg, p, 'dns_truncated', end);
      const type = u16be(buf, p);
      const ttl = u32be(buf, p + 4);
      const rdlen = u16be(buf, p + 8);
      const rd = p + 10;
      const rdEnd = rd + rdlen;
      if (rdEnd > end) return damaged(msg, p, 'dns_truncated', end);
      p = rdEnd;
      if (section === SECTION_ANSWER) {
        msg.answers.push(answer(buf, start, end, name, type, ttl, rd, rdEnd));
      } else if (section === SECTION_ADDITIONAL) {
        if (type === RR_OPT && !sawOpt) {
          sawOpt = true;
          // OPT TTL field: extended RCODE (8 bits) | version | flags; the RCODE's upper 8 bits (RFC 6891 6.1.3).
          msg.rcode |= (ttl >>> 24) << 4;
        } else if (type === RR_A || type === RR_AAAA) {
          msg.glue.push(answer(buf, start, end, name, type, ttl, rd, rdEnd));
        }
      }
    }
  }
  return msg;
}

function damaged(msg: DnsMessage, at: number, code: 'dns_truncated' | 'dns_malformed', end: number): DnsMessage {
  msg.anomaly = at >= end ? 'dns_truncated' : code;
  msg.anomalyOffset = at;
  return msg;
}

function answer(buf: Buffer, start: number, end: number, name: string, type: number, ttl: number, rd: number, rdEnd: number): DnsAnswer {
  const a: DnsAnswer = { name, type: rrTypeName(type), data: '', ttl };
  switch (type) {
    case RR_A:
      if (rdEnd - rd === 4) a.data = ipText(buf, rd, 4);
      break;
    case RR_AAAA:
      if (rdEnd - rd === 16) a.data = ipText(buf, rd, 16);
      break;
    case RR_CNAME:
    case RR_NS:
    case RR_PTR:
    case RR_DNAME:
    case RR_SOA:
      a.data = rdataName(buf, rd, start, end);
      break;
    case RR_MX:
      a.data = rdEnd - rd > 2 ? rdataName(buf, rd + 2, start, end) : '';
      break;
    case RR_SRV:
      a.data = rdEnd - rd > 6 ? rdataName(buf, rd + 6, start, end) : '';
      break;
    case RR_TXT:
    case RR_SPF:
      a.data = txtText(buf, rd, rdEnd);
      break;
    case RR_SVCB:
    case RR_HTTPS:
      decodeSvcbRdata(buf, rd, rdEnd, start);
      a.data = svcbResult.target;
      if (svcbResult.hints.length !== 0) a.hints = svcbResult.hints;
      break;
    default:
      break;
  }
  return a;
}

/** A name inside rdata (compression allowed, RFC 3597 3); '' when damaged. */
function rdataName(buf: Buffer, pos: number, start: number, end: number): string {
  const n = readName(buf, pos, start, end);
  return nameCursor.failed ? '' : n;
}

/** TXT/SPF character-strings concatenated (RFC 1035 3.3.14), as the oracle joins tshark's dns.txt values. */
function txtText(buf: Buffer, rd: number, rdEnd: number): string {
  let out = '';
  let p = rd;
  while (p < rdEnd) {
    const n = buf[p];
    const e = Math.min(p + 1 + n, rdEnd);
    out += buf.toString('utf8', p + 1, e);
    p = p + 1 + n;
  }
  return out;
}
