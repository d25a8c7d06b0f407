// Decoder: RawPacket -> PacketView. Owns the link layers (Ethernet with 802.1Q/802.1ad tags and PPPoE session,
// raw IP, Linux SLL/SLL2, BSD null/loopback, PPP / PPP-in-HDLC, NFLOG) and the per-capture counters; the IP and
// transport layers live in ip-layer.ts. No allocation per packet (fragments aside, see ipfrag.ts).
import type { CounterName } from '../anomalies.js';
import type { RawPacket } from '../capture/raw-packet.js';
import type { PacketView } from './packet-view.js';
import {
  DECODE_FRAGMENT_PENDING,
  DECODE_ICMP,
  DECODE_MALFORMED,
  DECODE_NON_IP,
  DECODE_OK,
  DECODE_OTHER_PROTO,
  DECODE_TRUNCATED,
  DECODE_UNKNOWN_LINK,
} from './decode-result.js';
import { IpLayer } from './ip-layer.js';
import { ETH_IPV4, ETH_IPV6, ETH_MPLS_MULTICAST, ETH_MPLS_UNICAST, ETH_PPPOE_SESSION, ETH_QINQ, ETH_QINQ_OLD, ETH_VLAN } from './ethertypes.js';

export * from './decode-result.js';

/** LINKTYPE_* values (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_RAW_OPENBSD = 12;
export const LINKTYPE_RAW_BSDOS = 14;
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_LINUX_SLL2 = 276;

/** MPLS labels popped before giving up (real stacks hold a few). */
const MAX_MPLS_LABELS = 8;
/** VLAN tags unwrapped before giving up (QinQ uses two; more is abuse). */
const MAX_VLAN_TAGS = 4;
const NFULA_PAYLOAD = 9;

export class Decoder {
  /** Per-packet counts; the IP layer's own counts are merged in by the `counters` getter. */
  private readonly c: Record<Exclude<CounterName, 'log_conn_not_tcp_udp'>, number> = {
    packets: 0,
    ok: 0,
    non_ip: 0,
    unknown_link_type: 0,
    truncated: 0,
    fragment_pending: 0,
    icmp: 0,
    other_proto: 0,
    malformed: 0,
    ip_fragments: 0,
    reassembled_datagrams: 0,
    frag_evicted: 0,
    frag_expired: 0,
    frag_overlaps: 0,
    frag_too_big: 0,
    frag_duplicates: 0,
    frag_incomplete: 0,
    frag_first_missing: 0,
    ipv6_ext_headers_excessive: 0,
    tunnels: 0,
    vlan_tagged: 0,
    /** Exceptions caught inside decode(): always 0 unless there is a bug (property tests assert it). */
    internal_error: 0,
  };
  private readonly ipl = new IpLayer((buf, off, end, depth, v) => this.ethernet(buf, off, end, v, depth));

  /** Decodes one frame into `v` (reused) and returns a DECODE_* code; never throws on any bytes. */
  decode(p: RawPacket, v: PacketView): number {
    v.tsSec = p.tsSec;
    v.tsNsec = p.tsNsec;
    v.ts = p.tsSec + p.tsNsec / 1e9;
    v.frame = p.frame;
    v.fileOffset = p.fileOffset;
    v.appUid = p.appUid;
    v.frameBuf = p.buf;
    v.macSrcOff = -1;
    v.macDstOff = -1;
    v.vlan = -1;
    v.tunnelDepth = 0;
    v.ipVersion = 0;
    v.proto = 0;
    v.srcPort = 0;
    v.dstPort = 0;
    v.tcpFlags = 0;
    v.payloadLen = 0;
    v.payloadWireLen = 0;
    v.flags = 0;
    let r: number;
    try {
      r = this.link(p.buf, p.off, p.off + p.caplen, p.linkType, v);
    } catch {
      // Defensive: every read above is bounds-checked; an exception here would be a bug, never a crash.
      r = DECODE_MALFORMED;
      this.c.internal_error++;
    }
    const c = this.c;
    c.packets++;
    switch (r) {
      case DECODE_OK: c.ok++; break;
      case DECODE_NON_IP: c.non_ip++; break;
      case DECODE_UNKNOWN_LINK: c.unknown_link_type++; break;
      case DECODE_TRUNCATED: c.truncated++; break;
      case DECODE_FRAGMENT_PENDING: c.fragment_pending++; break;
      case DECODE_ICMP: c.icmp++; break;
      case DECODE_OTHER_PROTO: c.other_proto++; break;
      default: c.malformed++;
    }
    if (v.vlan >= 0) c.vlan_tagged++;
    return r;
  }

  /** Per-capture counts: packets, ok, non_ip, unknown_link_type, truncated, fragment_pending, icmp, other_proto,
   *  malformed, ip_fragments, reassembled_datagrams, frag_evicted/expired/overlaps/too_big, frag_duplicates (copies
   *  of fragments of a datagram already reassembled), frag_incomplete (datagrams
   *  given up with their first fragment), frag_first_missing (given up without it), ipv6_ext_headers_excessive,
   *  tunnels, vlan_tagged, internal_error. Gathered when read (not per packet). */
  get counters(): Record<string, number> {
    const c = this.c;
    const ipl = this.ipl;
    c.ip_fragments = ipl.fragments;
    c.reassembled_datagrams = ipl.reassembled;
    c.tunnels = ipl.tunnels;
    c.frag_evicted = ipl.frags.evicted;
    c.frag_expired = ipl.frags.expired;
    c.frag_overlaps = ipl.frags.overlaps;
    c.frag_too_big = ipl.frags.tooBig;
    c.frag_duplicates = ipl.frags.duplicates;
    c.frag_incomplete = ipl.frags.givenUp;
    c.frag_first_missing = ipl.frags.givenUpNoFirst;
    c.ipv6_ext_headers_excessive = ipl.extExcessive;
    return c;
  }

  /** Gives up fragmented datagrams whose first fragment is older than FRAG_TIMEOUT_S at `now` (capture time). */
  expireFragments(now: number): void {
    this.ipl.frags.expire(now);
  }

  /** End of capture: gives up every datagram still missing fragments. */
  flushFragments(): void {
    this.ipl.frags.flushAll();
  }

  /** Keep datagrams given up incomplete for nextIncomplete() (the pipeline does); otherwise they are only counted. */
  set deliverIncomplete(on: boolean) {
    this.ipl.frags.deliverIncomplete = on;
  }

  /** Datagrams given up incomplete that nextIncomplete() has not delivered yet. */
  get incompleteWaiting(): number {
    return this.ipl.frags.incompleteWaiting;
  }

  /**
   * Decodes into `v` the next datagram given up with fragments missing (after decode(), expireFragments() or
   * flushFragments()), as a packet of its first fragment's time and frame with V_FRAG_INCOMPLETE set; see
   * IpLayer.incomplete(). Returns a DECODE_* code, or -1 when none waits. Never throws.
   */
  nextIncomplete(v: PacketView): number {
    if (this.ipl.frags.incompleteWaiting === 0) return -1;
    try {
      return this.ipl.incomplete(v);
    } catch {
      this.c.internal_error++;
      return DECODE_MALFORMED;
    }
  }

  /** Datagrams waiting for more fragments. */
  get pendingFragments(): number {
    return this.ipl.frags.size;
  }

  private link(buf: Buffer, off: number, end: number, lt: number, v: PacketView): number {
    switch (lt) {
      case LINKTYPE_ETHERNET:
        return this.ethernet(buf, off, end, v);
      case LINKTYPE_RAW:
      case LINKTYPE_RAW_OPENBSD:
      case LINKTYPE_RAW_BSDOS:
        return this.ipl.ip(buf, off, end, 0, 0, v);
      case LINKTYPE_IPV4:
        return this.ipl.ip(buf, off, end, 4, 0, v);
      case LINKTYPE_IPV6:
        return this.ipl.ip(buf, off, end, 6, 0, v);
      case LINKTYPE_LINUX_SLL:
        if (end - off < 16) return DECODE_TRUNCATED;
        return this.ethertype(buf, off + 16, end, (buf[off + 14] << 8) | buf[off + 15], v);
      case LINKTYPE_LINUX_SLL2:
        if (end - off < 20) return DECODE_TRUNCATED;
        return this.ethertype(buf, off + 20, end, (buf[off] << 8) | buf[off + 1], v);
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP:
        return this.loopback(buf, off, end, v);
      case LINKTYPE_PPP:
      case LINKTYPE_PPP_HDLC: {
        const r = this.ipl.ppp(buf, off, end, 0, v);
        return r >= 0 ? r : end - off < 2 ? DECODE_TRUNCATED : DECODE_NON_IP;
      }
      case LINKTYPE_NFLOG:
        return this.nflog(buf, off, end, v);
      default:
        return DECODE_UNKNOWN_LINK;
    }
  }

  private ethernet(buf: Buffer, off: number, end: number, v: PacketView, depth = 0): number {
    if (end - off < 14) return DECODE_TRUNCATED;
    // An Ethernet frame inside a tunnel (GRE/ERSPAN mirror sessions) names the devices better than the tunnel's
    // own; its MAC offsets count only when it lies in the frame buffer (not in a reassembled datagram).
    if (depth === 0 || buf === v.frameBuf) {
      v.macDstOff = off;
      v.macSrcOff = off + 6;
    }
    let type = (buf[off + 12] << 8) | buf[off + 13];
    let o = off + 14;
    for (let tags = 0; type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD; tags++) {
      if (tags >= MAX_VLAN_TAGS) return DECODE_MALFORMED;
      if (end - o < 4) return DECODE_TRUNCATED;
      if (v.vlan < 0) v.vlan = ((buf[o] << 8) | buf[o + 1]) & 0x0fff;
      type = (buf[o + 2] << 8) | buf[o + 3];
      o += 4;
    }
    if (type <= 1500) return DECODE_NON_IP; // IEEE 802.3 length field: LLC/SNAP frame
    return this.ethertype(buf, o, end, type, v, depth);
  }

  private ethertype(buf: Buffer, o: number, end: number, type: number, v: PacketView, depth = 0): number {
    if (type === ETH_IPV4) return this.ipl.ip(buf, o, end, 4, depth, v);
    if (type === ETH_IPV6) return this.ipl.ip(buf, o, end, 6, depth, v);
    if (type === ETH_MPLS_UNICAST || type === ETH_MPLS_MULTICAST) {
      // RFC 3032: 4-byte label stack entries until the bottom-of-stack bit; then IP by its version nibble (a
      // pseudowire's control word or Ethernet payload starts with 0: not decoded, counted as non-IP).
      for (let n = 0; ; n++) {
        if (n >= MAX_MPLS_LABELS) return DECODE_MALFORMED;
        if (end - o < 4) return DECODE_TRUNCATED;
        const bottom = (buf[o + 2] & 1) !== 0;
        o += 4;
        if (bottom) break;
      }
      if (end - o < 1) return DECODE_TRUNCATED;
      const ver = buf[o] >> 4;
      return ver === 4 || ver === 6 ? this.ipl.ip(buf, o, end, ver, depth, v) : DECODE_NON_IP;
    }
    if (type === ETH_PPPOE_SESSION) {
      // RFC 2516 §4: ver/type, code, session id, length, then the PPP protocol field.
      if (end - o < 8) return DECODE_TRUNCATED;
      const len = (buf[o + 4] << 8) | buf[o + 5];
      const pend = o + 6 + len < end ? o + 6 + len : end;
      const r = this.ipl.ppp(buf, o + 6, pend, depth, v);
      return r >= 0 ? r : DECODE_NON_IP;
    }
    if (type === ETH_VLAN || type === ETH_QINQ) {
      if (end - o < 4) return DECODE_TRUNCATED;
      if (v.vlan < 0) v.vlan = ((buf[o] << 8) | buf[o + 1]) & 0x0fff;
      const inner = (buf[o + 2] << 8) | buf[o + 3];
      if (inner === ETH_VLAN || inner === ETH_QINQ) return DECODE_NON_IP;
      return this.ethertype(buf, o + 4, end, inner, v);
    }
    return DECODE_NON_IP;
  }

  /** BSD null / OpenBSD loop: a 4-byte address family in either byte order. AF_INET6 is 24, 28 or 30. */
  private loopback(buf: Buffer, off: number, end: number, v: PacketView): number {
    if (end - off < 4) return DECODE_TRUNCATED;
    let af = buf.readUInt32LE(off);
    if (af > 0xffff) af = buf.readUInt32BE(off);
    if (af === 2) return this.ipl.ip(buf, off + 4, end, 4, 0, v);
    if (af === 24 || af === 28 || af === 30 || af === 10) return this.ipl.ip(buf, off + 4, end, 6, 0, v);
    return DECODE_NON_IP;
  }

  /** NFLOG (https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html): 4-byte header then TLVs in host byte
   *  order (little-endian in practice), each padded to 4 bytes; NFULA_PAYLOAD holds the IP packet. */
  private nflog(buf: Buffer, off: number, end: number, v: PacketView): number {
    if (end - off < 4) return DECODE_TRUNCATED;
    const family = buf[off];
    let o = off + 4;
    // Host byte order: take little-endian unless only the big-endian reading of the first TLV fits.
    const le = end - o < 4 || (buf[o] | (buf[o + 1] << 8)) <= end - o || ((buf[o] << 8) | buf[o + 1]) > end - o;
    while (end - o >= 4) {
      const len = le ? buf[o] | (buf[o + 1] << 8) : (buf[o] << 8) | buf[o + 1];
      const type = le ? buf[o + 2] | (buf[o + 3] << 8) : (buf[o + 2] << 8) | buf[o + 3];
      if (len < 4) return DECODE_MALFORMED;
      if ((type & 0x7fff) === NFULA_PAYLOAD) {
        const pend = o + len < end ? o + len : end;
        return this.ipl.ip(buf, o + 4, pend, family === 2 ? 4 : family === 10 ? 6 : 0, 0, v);
      }
      o += (len + 3) & ~3;
    }
    return DECODE_NON_IP;
  }
}
