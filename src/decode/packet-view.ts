// The one reused decoded view of a packet: layer offsets and header fields as integers, no strings or copies.
// Filled by Decoder.decode() (decode/decoder.ts); read by the flow table and the extractors.

import { ZERO_D } from '../number-fields.js';

const EMPTY = Buffer.alloc(0);

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;

// PacketView.flags: what the decoder met that the flow must hear about (0 for nearly every packet).
/** More IPv6 extension headers than MAX_IPV6_EXT_HEADERS. */
export const V_IPV6_EXT_EXCESSIVE = 1;
/** A datagram reassembled from fragments: fragFirstTs/fragFirstFrame/fragLastTs are set. */
export const V_REASSEMBLED = 2;
/** A datagram given up with fragments missing (ip_fragment_incomplete): lengths count the fragments seen. */
export const V_FRAG_INCOMPLETE = 4;
/** ... and its first fragment (with the transport header) was never seen: ports are 0. */
export const V_FRAG_FIRST_MISSING = 8;

export class PacketView {
  /** Buffer holding the innermost IP packet: the read buffer, or a reassembly buffer for defragmented datagrams. */
  buf: Buffer = EMPTY;
  ipVersion = 0;
  /** Offset of the innermost IP header in `buf`. */
  ipOff = 0;
  /** Source and destination addresses: `addrLen` bytes (4 or 16) at these offsets in `buf`. */
  srcOff = 0;
  dstOff = 0;
  addrLen = 0;
  /** Transport protocol number (after IPv6 extension headers). */
  proto = 0;
  /** Length of the IP payload (transport header + data) according to the IP header. */
  ipPayloadLen = 0;
  /** Offset of the transport header in `buf`. */
  l4Off = 0;
  srcPort = 0;
  dstPort = 0;
  /** TCP only (0 otherwise). */
  tcpFlags = 0;
  seq = ZERO_D;
  ack = ZERO_D;
  window = 0;
  /** Application payload: offset in `buf`, bytes captured, and bytes on the wire per the IP/UDP/TCP lengths. */
  payloadOff = 0;
  payloadLen = 0;
  payloadWireLen = 0;
  /** Ethernet source/destination MAC offsets in the frame buffer `frameBuf`, -1 when the link has none. */
  frameBuf: Buffer = EMPTY;
  macSrcOff = -1;
  macDstOff = -1;
  /** Outermost 802.1Q/802.1ad VLAN id, -1 when untagged. */
  vlan = -1;
  /** IP-in-IP / L2TP / GRE layers unwrapped to reach the innermost IP header. */
  tunnelDepth = 0;
  /** Copied from the RawPacket. */
  tsSec = 0;
  tsNsec = 0;
  ts = ZERO_D;
  frame = 0;
  fileOffset = 0;
  appUid = -1;
  /** V_* bits; reset for every packet. */
  flags = 0;
  /** With V_REASSEMBLED or V_FRAG_INCOMPLETE: time and frame of the datagram's first fragment to arrive, and the
   *  time of its last. `ts` and `frame` are then those of the completing fragment (as tshark reports a reassembled
   *  datagram), or of the first fragment (offset 0) for an incomplete one: where its content is. */
  fragFirstTs = ZERO_D;
  fragFirstFrame = 0;
  fragLastTs = ZERO_D;
}
