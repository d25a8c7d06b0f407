// IP and transport decoding into the reused PacketView: IPv4 (options, padding trimmed to the total length),
// IPv6 (hop-by-hop, routing, destination options, fragment, AH: as many as the packet holds), fragment reassembly
// (ipfrag.ts) and delivery of datagrams given up incomplete, tunnels (IP-in-IP 4/41, GRE v0 and PPTP's GRE v1
// carrying IP/PPP, L2TPv2 data on UDP 1701 carrying PPP), TCP and UDP.
// ICMP/ICMPv6 stop here: packets quoted inside ICMP errors are never decoded.
import { MAX_IPV6_EXT_HEADERS, MAX_TUNNEL_DEPTH } from '../limits.js';
import {
  PROTO_ICMP,
  PROTO_ICMPV6,
  PROTO_TCP,
  PROTO_UDP,
  V_FRAG_FIRST_MISSING,
  V_FRAG_INCOMPLETE,
  V_IPV6_EXT_EXCESSIVE,
  V_REASSEMBLED,
  type PacketView,
} from './packet-view.js';
import {
  DECODE_FRAGMENT_PENDING,
  DECODE_ICMP,
  DECODE_MALFORMED,
  DECODE_NON_IP,
  DECODE_OK,
  DECODE_OTHER_PROTO,
  DECODE_TRUNCATED,
} from './decode-result.js';
import { FRAG_COMPLETE, FRAG_DUPLICATE, FRAG_PENDING, FragTable, type Pending } from './ipfrag.js';
import { u32be } from './bytes.js';
import { ETH_ERSPAN_II, ETH_ERSPAN_III, ETH_IPV4, ETH_IPV6, ETH_PPP, ETH_TEB } from './ethertypes.js';

const L2TP_PORT = 1701;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/** Decodes an Ethernet frame found inside a tunnel (the Decoder's own Ethernet decoding). */
export type InnerEthernet = (buf: Buffer, off: number, end: number, depth: number, v: PacketView) => number;


export class IpLayer {
  readonly frags = new FragTable();
  fragments = 0;
  reassembled = 0;
  tunnels = 0;
  /** Packets with more than MAX_IPV6_EXT_HEADERS extension headers. */
  extExcessive = 0;

  constructor(private readonly innerEthernet: InnerEthernet | null = null) {}

  /** Decodes the IP packet at buf[off, end). `kind` 4, 6, or 0 = by version nibble. */
  ip(buf: Buffer, off: number, end: number, kind: number, depth: number, v: PacketView): number {
    if (end - off < 1) return DECODE_TRUNCATED;
    const ver = buf[off] >> 4;
    if (kind === 0) kind = ver;
    if (kind === 4 && ver === 4) return this.ipv4(buf, off, end, depth, v);
    if (kind === 6 && ver === 6) return this.ipv6(buf, off, end, depth, v);
    return kind === 4 || kind === 6 ? DECODE_MALFORMED : DECODE_NON_IP;
  }

  private ipv4(buf: Buffer, off: number, end: number, depth: number, v: PacketView): number {
    if (end - off < 20) return DECODE_TRUNCATED;
    const hl = (buf[off] & 0x0f) << 2;
    let total = (buf[off + 2] << 8) | buf[off + 3];
    // Total length 0 is what TSO/GSO-offloaded packets show when captured on the sending host (Wireshark
    // treats it the same way): trust the captured length.
    if (total === 0) total = end - off > 0xffff ? 0xffff : end - off;
    if (hl < 20 || total < hl) return DECODE_MALFORMED;
    if (end - off < hl) return DECODE_TRUNCATED;
    if (off + total < end) end = off + total; // Ethernet padding
    const fragField = (buf[off + 6] << 8) | buf[off + 7];
    const proto = buf[off + 9];
    v.buf = buf;
    v.ipVersion = 4;
    v.ipOff = off;
    v.srcOff = off + 12;
    v.dstOff = off + 16;
    v.addrLen = 4;
    v.proto = proto;
    v.ipPayloadLen = total - hl;
    if ((fragField & 0x3fff) !== 0) {
      this.fragments++;
      const fragOff = (fragField & 0x1fff) << 3;
      const more = (fragField & 0x2000) !== 0;
      // A fragment cut by the snapshot length is held for what it has (end - off - hl bytes); its wire length counts.
      const key = `4:${buf.readUInt32BE(off + 12)}:${buf.readUInt32BE(off + 16)}:${(buf[off + 4] << 8) | buf[off + 5]}:${proto}`;
      const r = this.frags.add(4, key, v, depth, buf, off, hl, off + hl, end - off - hl, total - hl, fragOff, more, proto);
      if (r === FRAG_PENDING || r === FRAG_DUPLICATE) return DECODE_FRAGMENT_PENDING;
      if (r !== FRAG_COMPLETE) return DECODE_MALFORMED;
      this.reassembled++;
      this.markReassembled(v);
      const out = this.frags.out;
      // The reassembled datagram lives in the table's reused `out` buffer; v.buf now points there.
      return this.ipv4(out, 0, this.frags.outLen, depth, v);
    }
    return this.transport(buf, off + hl, end, proto, total - hl, depth, v);
  }

  private ipv6(buf: Buffer, off: number, end: number, depth: number, v: PacketView): number {
    if (end - off < 40) return DECODE_TRUNCATED;
    const plen = (buf[off + 4] << 8) | buf[off + 5];
    if (plen !== 0 && off + 40 + plen < end) end = off + 40 + plen;
    const wire = plen !== 0 ? plen : end - off - 40; // jumbograms: trust the capture
    v.buf = buf;
    v.ipVersion = 6;
    v.ipOff = off;
    v.srcOff = off + 8;
    v.dstOff = off + 24;
    v.addrLen = 16;
    let nh = buf[off + 6];
    let o = off + 40;
    // Every header takes at least 8 bytes, so the walk ends within the packet: no count limit (as tshark).
    for (let n = 0; ; ) {
      if (nh === 0 || nh === 43 || nh === 60 || nh === 51 || nh === 44) {
        if (end - o < 8) return DECODE_TRUNCATED;
        if (++n === MAX_IPV6_EXT_HEADERS + 1) {
          this.extExcessive++;
          v.flags |= V_IPV6_EXT_EXCESSIVE;
        }
        if (nh === 44) {
          this.fragments++;
          const fragField = (buf[o + 2] << 8) | buf[o + 3];
          const fragOff = fragField & 0xfff8;
          const more = (fragField & 1) !== 0;
          const next = buf[o];
          const pOff = o + 8;
          const pLen = off + 40 + wire - pOff;
          if (fragOff === 0 && !more) {
            // atomic fragment (RFC 6946): no reassembly needed (the payload is what follows the fragment header)
            nh = next;
            o = pOff;
            v.proto = nh;
            continue;
          }
          if (pLen < 0) return DECODE_MALFORMED;
          const cap = pOff + pLen > end ? end - pOff : pLen; // cut by the snapshot length: held for what it has
          const key = `6:${buf.toString('latin1', off + 8, off + 40)}:${buf.readUInt32BE(o + 4)}`;
          const r = this.frags.add(6, key, v, depth, buf, off, 40, pOff, cap, pLen, fragOff, more, next);
          if (r === FRAG_PENDING || r === FRAG_DUPLICATE) return DECODE_FRAGMENT_PENDING;
          if (r !== FRAG_COMPLETE) return DECODE_MALFORMED;
          this.reassembled++;
          this.markReassembled(v);
          return this.ipv6(this.frags.out, 0, this.frags.outLen, depth, v);
        }
        const len = nh === 51 ? (buf[o + 1] + 2) << 2 : (buf[o + 1] + 1) << 3;
        if (end - o < len) return DECODE_TRUNCATED;
        nh = buf[o];
        o += len;
        continue;
      }
      break;
    }
    v.proto = nh;
    const payload = off + 40 + wire - o;
    if (payload < 0) return DECODE_MALFORMED;
    return this.transport(buf, o, end, nh, payload, depth, v);
  }

  private markReassembled(v: PacketView): void {
    const f = this.frags;
    v.flags |= V_REASSEMBLED;
    v.fragFirstTs = f.doneFirstTs;
    v.fragFirstFrame = f.doneFirstFrame;
    v.fragLastTs = f.doneLastTs;
  }

  /**
   * Delivers into `v` the next datagram the fragment table gave up incomplete, as a packet of its first fragment's
   * time and frame (where its content is) whose lengths count every fragment seen (V_FRAG_INCOMPLETE). Without the
   * first fragment, or when it is too short to hold the ports, the packet has ports 0 (V_FRAG_FIRST_MISSING).
   * Returns a DECODE_* code, or -1 when nothing waits. Frame-level fields come from the first fragment to arrive.
   */
  incomplete(v: PacketView): number {
    const d = this.frags.takeIncomplete();
    if (d === undefined) return -1;
    v.frameBuf = d.mac ?? v.frameBuf;
    v.macDstOff = d.mac !== null ? 0 : -1;
    v.macSrcOff = d.mac !== null ? 6 : -1;
    v.vlan = d.vlan;
    v.appUid = d.appUid;
    v.tunnelDepth = d.depth;
    v.ts = d.hasFirst ? d.zeroTs : d.firstTs;
    v.frame = d.hasFirst ? d.zeroFrame : d.firstFrame;
    v.tsSec = Math.floor(v.ts);
    v.tsNsec = Math.round((v.ts - v.tsSec) * 1e9);
    v.fileOffset = 0;
    v.flags = V_FRAG_INCOMPLETE;
    v.fragFirstTs = d.firstTs;
    v.fragFirstFrame = d.firstFrame;
    v.fragLastTs = d.lastTs;
    v.ipVersion = 0;
    v.proto = 0;
    v.l4Off = 0;
    v.srcPort = 0;
    v.dstPort = 0;
    v.tcpFlags = 0;
    v.payloadLen = 0;
    v.payloadWireLen = 0;
    if (!d.hasFirst) return this.portless(d, v);
    const len = this.frags.buildIncomplete(d);
    const buf = this.frags.incompleteOut;
    const hlen = d.header.length;
    const covered = d.coveredBytes();
    const r = this.ip(buf, 0, len, d.version, d.depth, v);
    if (v.tunnelDepth !== d.depth) return r; // a tunnelled packet inside: its own header's lengths stand
    if (r === DECODE_OK) {
      const ext = v.l4Off - hlen; // IPv6 extension headers of the fragmentable part
      v.ipPayloadLen = covered > ext ? covered - ext : 0;
      const l4h = v.payloadOff - v.l4Off;
      v.payloadWireLen = v.ipPayloadLen > l4h ? v.ipPayloadLen - l4h : 0;
      if (v.payloadLen > v.payloadWireLen) v.payloadLen = v.payloadWireLen;
      return r;
    }
    if ((r === DECODE_TRUNCATED || r === DECODE_MALFORMED) && v.l4Off !== 0 && v.l4Off + 4 <= len && (v.proto === PROTO_TCP || v.proto === PROTO_UDP)) {
      // The transport header is cut short (an 8-byte first fragment of TCP) or inconsistent: the ports are there.
      const o = v.l4Off;
      v.srcPort = (buf[o] << 8) | buf[o + 1];
      v.dstPort = (buf[o + 2] << 8) | buf[o + 3];
      v.tcpFlags = 0;
      v.seq = 0;
      v.ack = 0;
      v.window = 0;
      v.payloadOff = len;
      v.payloadLen = 0;
      const ext = o - hlen;
      v.ipPayloadLen = covered > ext ? covered - ext : 0;
      const l4h = v.proto === PROTO_TCP ? 20 : 8;
      v.payloadWireLen = v.ipPayloadLen > l4h ? v.ipPayloadLen - l4h : 0;
      return DECODE_OK;
    }
    // Not even the ports (a first fragment cut by the snapshot length): counted like one never seen.
    if (r === DECODE_TRUNCATED || r === DECODE_MALFORMED) return this.portless(d, v);
    return r;
  }

  /** A datagram whose transport header was never seen (or not even its ports): addresses and protocol from its IP
   *  header, ports 0, every byte seen counted as payload. */
  private portless(d: Pending, v: PacketView): number {
    const v4 = d.version === 4;
    v.flags |= V_FRAG_FIRST_MISSING;
    v.buf = d.header;
    v.ipVersion = d.version;
    v.ipOff = 0;
    v.srcOff = v4 ? 12 : 8;
    v.dstOff = v4 ? 16 : 24;
    v.addrLen = v4 ? 4 : 16;
    v.proto = d.proto;
    v.l4Off = 0;
    v.srcPort = 0;
    v.dstPort = 0;
    v.tcpFlags = 0;
    v.seq = 0;
    v.ack = 0;
    v.window = 0;
    v.payloadOff = 0;
    v.payloadLen = 0;
    const covered = d.coveredBytes();
    v.ipPayloadLen = covered;
    v.payloadWireLen = covered;
    if (d.proto === PROTO_TCP || d.proto === PROTO_UDP) return DECODE_OK;
    if (d.proto === PROTO_ICMP || d.proto === PROTO_ICMPV6) return DECODE_ICMP;
    return DECODE_OTHER_PROTO;
  }

  /** buf[o, end) holds the transport header; `wire` = IP payload length the IP header states. */
  private transport(buf: Buffer, o: number, end: number, proto: number, wire: number, depth: number, v: PacketView): number {
    v.proto = proto;
    v.ipPayloadLen = wire;
    v.l4Off = o;
    if (proto === PROTO_TCP) {
      if (end - o < 20) return DECODE_TRUNCATED;
      const doff = (buf[o + 12] >> 4) << 2;
      if (doff < 20 || doff > wire) return DECODE_MALFORMED;
      if (end - o < doff) return DECODE_TRUNCATED;
      v.srcPort = (buf[o] << 8) | buf[o + 1];
      v.dstPort = (buf[o + 2] << 8) | buf[o + 3];
      v.seq = u32be(buf, o + 4); // not buf.readUInt32BE(): see decode/bytes.ts
      v.ack = u32be(buf, o + 8);
      v.tcpFlags = buf[o + 13];
      v.window = (buf[o + 14] << 8) | buf[o + 15];
      v.payloadOff = o + doff;
      v.payloadWireLen = wire - doff;
      const cap = end - o - doff;
      v.payloadLen = cap < v.payloadWireLen ? cap : v.payloadWireLen;
      return DECODE_OK;
    }
    if (proto === PROTO_UDP) {
      if (end - o < 8) return DECODE_TRUNCATED;
      const ulen = (buf[o + 4] << 8) | buf[o + 5];
      if (ulen < 8 || ulen > wire) {
        if (!(ulen === 0 && wire > 0xffff)) return DECODE_MALFORMED;
      }
      const sp = (buf[o] << 8) | buf[o + 1];
      const dp = (buf[o + 2] << 8) | buf[o + 3];
      v.srcPort = sp;
      v.dstPort = dp;
      v.tcpFlags = 0;
      v.seq = 0;
      v.ack = 0;
      v.window = 0;
      v.payloadOff = o + 8;
      v.payloadWireLen = (ulen === 0 ? wire : ulen) - 8;
      const cap = end - o - 8;
      v.payloadLen = cap < v.payloadWireLen ? cap : v.payloadWireLen;
      if ((sp === L2TP_PORT || dp === L2TP_PORT) && depth < MAX_TUNNEL_DEPTH) {
        const r = this.l2tp(buf, v.payloadOff, v.payloadOff + v.payloadLen, depth, v);
        if (r >= 0) return r;
        // not L2TP data carrying IP: restore the outer UDP view
        v.srcPort = sp;
        v.dstPort = dp;
        v.l4Off = o;
        v.proto = PROTO_UDP;
        v.payloadOff = o + 8;
        v.payloadWireLen = (ulen === 0 ? wire : ulen) - 8;
        v.payloadLen = cap < v.payloadWireLen ? cap : v.payloadWireLen;
      }
      return DECODE_OK;
    }
    if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) return DECODE_ICMP;
    if ((proto === 4 || proto === 41) && depth < MAX_TUNNEL_DEPTH) {
      this.tunnels++;
      v.tunnelDepth = depth + 1;
      return this.ip(buf, o, end, proto === 4 ? 4 : 6, depth + 1, v);
    }
    if (proto === 47 && depth < MAX_TUNNEL_DEPTH) return this.gre(buf, o, end, depth, v);
    if (proto === 4 || proto === 41 || proto === 47) return DECODE_MALFORMED; // tunnel depth exceeded
    return DECODE_OTHER_PROTO;
  }

  /** GRE (RFC 2784/2890) and PPTP's enhanced GRE (RFC 2637 §4.1). */
  private gre(buf: Buffer, o: number, end: number, depth: number, v: PacketView): number {
    if (end - o < 4) return DECODE_TRUNCATED;
    const flags = (buf[o] << 8) | buf[o + 1];
    const etype = (buf[o + 2] << 8) | buf[o + 3];
    const version = flags & 7;
    let h = 4;
    if (version === 0) {
      if (flags & 0x8000) h += 4;
      if (flags & 0x2000) h += 4;
      if (flags & 0x1000) h += 4;
    } else if (version === 1) {
      h += 4; // key: payload length + call id
      if (flags & 0x1000) h += 4;
      if (flags & 0x0080) h += 4;
    } else return DECODE_OTHER_PROTO;
    if (end - o < h) return DECODE_TRUNCATED;
    const inner = o + h;
    if (etype === ETH_IPV4 || etype === ETH_IPV6) {
      this.tunnels++;
      v.tunnelDepth = depth + 1;
      return this.ip(buf, inner, end, etype === ETH_IPV4 ? 4 : 6, depth + 1, v);
    }
    if (etype === ETH_PPP) {
      v.tunnelDepth = depth + 1;
      const r = this.ppp(buf, inner, end, depth + 1, v);
      if (r >= 0) this.tunnels++;
      return r >= 0 ? r : DECODE_NON_IP;
    }
    if (version === 0 && this.innerEthernet !== null && (etype === ETH_TEB || etype === ETH_ERSPAN_II || etype === ETH_ERSPAN_III)) {
      // Mirror sessions (ERSPAN from switches and access points) and bridged tunnels carry whole Ethernet frames.
      let e = inner;
      if (etype === ETH_ERSPAN_II && (flags & 0x1000) !== 0) e += 8; // type II (type I has no sequence number)
      if (etype === ETH_ERSPAN_III) {
        if (end - e < 12) return DECODE_TRUNCATED;
        e += (buf[e + 11] & 1) !== 0 ? 20 : 12;
      }
      if (end - e < 14) return DECODE_TRUNCATED;
      this.tunnels++;
      v.tunnelDepth = depth + 1;
      return this.innerEthernet(buf, e, end, depth + 1, v);
    }
    return DECODE_OTHER_PROTO;
  }

  /** L2TPv2 (RFC 2661 §3.1) data message carrying PPP. Returns -1 when it is not data carrying IP. */
  private l2tp(buf: Buffer, o: number, end: number, depth: number, v: PacketView): number {
    if (end - o < 6) return -1;
    const flags = (buf[o] << 8) | buf[o + 1];
    if ((flags & 0x8000) !== 0 || (flags & 0x0f) !== 2) return -1;
    let h = 2;
    if (flags & 0x4000) h += 2; // length
    h += 4; // tunnel id, session id
    if (flags & 0x0800) h += 4; // Ns, Nr
    if (flags & 0x0200) {
      if (end - o < h + 2) return -1;
      h += 2 + ((buf[o + h] << 8) | buf[o + h + 1]);
    }
    if (end - o < h) return -1;
    const before = v.tunnelDepth;
    v.tunnelDepth = depth + 1;
    const r = this.ppp(buf, o + h, end, depth + 1, v);
    if (r < 0) v.tunnelDepth = before;
    else this.tunnels++;
    return r;
  }

  /** A PPP frame (optional ff 03 address/control, 1- or 2-byte protocol). -1 when it carries no IP. */
  ppp(buf: Buffer, o: number, end: number, depth: number, v: PacketView): number {
    if (end - o >= 2 && buf[o] === 0xff && buf[o + 1] === 0x03) o += 2;
    if (end - o < 1) return -1;
    let proto: number;
    if (buf[o] & 1) {
      proto = buf[o];
      o += 1;
    } else {
      if (end - o < 2) return -1;
      proto = (buf[o] << 8) | buf[o + 1];
      o += 2;
    }
    if (proto !== PPP_IPV4 && proto !== PPP_IPV6) return -1;
    return this.ip(buf, o, end, proto === PPP_IPV4 ? 4 : 6, depth, v);
  }
}
