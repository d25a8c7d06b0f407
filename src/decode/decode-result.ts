// Result codes of Decoder.decode(): small integers so the per-packet path never builds strings.
// Each non-OK code has a counter of the same meaning in Decoder.counters (see COUNTER_NAMES).

/** A TCP or UDP packet: the PacketView's transport fields are filled. */
export const DECODE_OK = 0;
/** A link frame that carries no IP (ARP, LLC, LCP, ...). */
export const DECODE_NON_IP = 1;
/** A LINKTYPE_* the decoder does not know. */
export const DECODE_UNKNOWN_LINK = 2;
/** Headers cut by the snaplen or the end of the record. */
export const DECODE_TRUNCATED = 3;
/** An IP fragment stored for reassembly; nothing to hand on yet. */
export const DECODE_FRAGMENT_PENDING = 4;
/** ICMP or ICMPv6 (quoted packets inside errors are deliberately not decoded). */
export const DECODE_ICMP = 5;
/** IP carrying a transport other than TCP/UDP/ICMP (or a tunnel we do not open). */
export const DECODE_OTHER_PROTO = 6;
/** Inconsistent headers (bad IHL, lengths, data offset, too many extension headers/tunnels). */
export const DECODE_MALFORMED = 7;

export const DECODE_RESULT_NAMES = ['ok', 'non_ip', 'unknown_link_type', 'truncated', 'fragment_pending', 'icmp', 'other_proto', 'malformed'] as const;
