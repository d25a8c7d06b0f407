// EtherType values (IEEE 802 numbers), shared by Ethernet decoding (decoder.ts) and GRE, whose protocol type
// field holds an EtherType (RFC 2784 §2.4; ip-layer.ts).

export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
export const ETH_QINQ_OLD = 0x9100;
export const ETH_PPPOE_SESSION = 0x8864;
export const ETH_MPLS_UNICAST = 0x8847;
export const ETH_MPLS_MULTICAST = 0x8848;
/** PPP, as PPTP's enhanced GRE carries it (RFC 2637 §4.1). */
export const ETH_PPP = 0x880b;
/** Transparent Ethernet Bridging (RFC 1701): an Ethernet frame. */
export const ETH_TEB = 0x6558;
/** ERSPAN type I and II (Cisco, draft-foschiano-erspan): type II adds an 8-byte header; type I has no GRE sequence. */
export const ETH_ERSPAN_II = 0x88be;
/** ERSPAN type III: a 12-byte header, plus 8 when its O bit says a platform subheader follows. */
export const ETH_ERSPAN_III = 0x22eb;
