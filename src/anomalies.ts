// The catalogue of every named anomaly, warning and capture counter: its name, the stage that meets it, what it
// means (one sentence) and where it shows. The code that emits one names it through the types below, so a name
// missing here (or misspelt there) does not compile; README "Anomalies, warnings and counters" is generated from
// this file (`npm run readme:anomalies`) and test/schema/anomalies.test.ts holds the sources, this file and the
// README together. Emitters import the types only (`import type`): nothing here runs on the packet path, where
// anomalies stay constant strings added at most once per flow.

/** The stage that meets it, in pipeline order. */
export type Stage = 'capture' | 'decode' | 'flow' | 'tcp' | 'dns' | 'tls' | 'dtls' | 'quic' | 'http' | 'logs' | 'memory';

export const STAGES: readonly Stage[] = ['capture', 'decode', 'flow', 'tcp', 'dns', 'tls', 'dtls', 'quic', 'http', 'logs', 'memory'];

/**
 * Where it shows:
 * - `flow`: in the flow record's `anomalies` (once per flow), and the capture summary's `anomalies` counts the flows;
 * - `summary`: counted in the capture summary's `anomalies` only (it concerns no one flow);
 * - `warning`: a warning naming the file and byte offset (stderr, the summary's `warnings`, a report's `problems`);
 * - `summary+warning`: counted in the summary's `anomalies`, and the first ones also warned about.
 */
export type Where = 'flow' | 'summary' | 'warning' | 'summary+warning';

export interface AnomalyEntry {
  readonly stage: Stage;
  readonly where: Where;
  readonly meaning: string;
}

export const ANOMALIES = {
  // ------------------------------------------------------------ capture: the reader's warnings (src/capture)
  pcap_truncated_record: {
    stage: 'capture', where: 'warning',
    meaning: 'The file ends inside a pcap record: every packet before it is read and the capture is marked truncated.',
  },
  pcapng_truncated_block: {
    stage: 'capture', where: 'warning',
    meaning: 'The file ends inside a pcapng block (for a block being skipped, the offset is that block\'s and the message says how far into it the file ends).',
  },
  pcap_record_too_long: {
    stage: 'capture', where: 'warning',
    meaning: 'A pcap record claims more than 262,144 captured bytes: damage, reading stops there.',
  },
  capture_record_too_long: {
    stage: 'capture', where: 'warning',
    meaning: 'A record or block needs more than 16 MiB of the reader\'s buffer (MAX_PCAPNG_META_BLOCK_BYTES): damage, reading stops there.',
  },
  pcapng_bad_block_length: {
    stage: 'capture', where: 'warning',
    meaning: 'A pcapng block length below 12, not a multiple of 4, above 128 MiB (Wireshark\'s limit), or not matching the length at the block\'s end: damage at the block\'s length field, reading stops there.',
  },
  pcapng_bad_byte_order_magic: {
    stage: 'capture', where: 'warning',
    meaning: 'A later section header whose byte-order magic is wrong: reading stops there (in the first section header it is an error, exit 2).',
  },
  pcapng_unsupported_version: {
    stage: 'capture', where: 'warning',
    meaning: 'A later section header of a major version other than 1: reading stops there (in the first section header it is an error, exit 2).',
  },
  pcapng_bad_caplen: {
    stage: 'capture', where: 'warning',
    meaning: 'A packet block whose captured length overflows the block: damage, reading stops there.',
  },
  pcapng_block_skipped: {
    stage: 'capture', where: 'warning',
    meaning: 'An interface, section or custom block above 16 MiB, skipped.',
  },
  pcapng_bad_option: {
    stage: 'capture', where: 'warning',
    meaning: 'An option overflowing its block: an interface\'s is ignored, another block\'s stops the read.',
  },
  pcapng_unknown_interface: {
    stage: 'capture', where: 'warning',
    meaning: 'A packet for an interface never described, skipped.',
  },
  pcapng_bad_tsoffset: {
    stage: 'capture', where: 'warning',
    meaning: 'An if_tsoffset of more than ±2^32 s, ignored.',
  },
  pcap_timestamp_fraction_invalid: {
    stage: 'capture', where: 'warning',
    meaning: 'A microsecond (nanosecond) field of a second or more: the seconds are kept and the fraction becomes 999,999 µs (999,999,999 ns).',
  },
  capture_timestamp_out_of_range: {
    stage: 'capture', where: 'warning',
    meaning: 'A packet time before 1970 or from 2106 on: the previous packet\'s time is used (0 for the first).',
  },
  capture_timestamp_jump: {
    stage: 'capture', where: 'warning',
    meaning: 'A packet more than a year before or after the previous one: kept, and reported.',
  },
  gzip_corrupt: {
    stage: 'capture', where: 'warning',
    meaning: 'The compressed stream is damaged or ends early: everything zlib decodes before the damage is read.',
  },
  capture_read_failed: {
    stage: 'capture', where: 'warning',
    meaning: 'Reading the file failed part-way (an I/O error): the packets before it are read.',
  },

  // ------------------------------------------------------------ decode: IP layer (src/decode)
  ip_fragment_incomplete: {
    stage: 'decode', where: 'flow',
    meaning: 'A fragmented datagram of the flow was given up with fragments missing (timeout, table full or end of capture) and counted as far as it was seen.',
  },
  ip_fragment_first_missing: {
    stage: 'decode', where: 'flow',
    meaning: 'Such a datagram lacked its first fragment (so its ports): its bytes went to a record with ports 0.',
  },
  ipv6_ext_headers_excessive: {
    stage: 'decode', where: 'flow',
    meaning: 'A packet of the flow carried more than 7 IPv6 extension headers (walked all the same).',
  },

  // ------------------------------------------------------------ flow table (src/flow)
  flow_table_full: {
    stage: 'flow', where: 'flow',
    meaning: 'The flow was ended early because the flow table was full (MAX_LIVE_FLOWS); its record is still emitted.',
  },

  // ------------------------------------------------------------ TCP reassembly (src/flow/stream.ts, src/extract)
  tcp_capture_gap: {
    stage: 'tcp', where: 'flow',
    meaning: 'Stream bytes the capture never saw (a segment missing): the extractor resynchronises after the gap.',
  },
  tcp_reassembly_cap_reached: {
    stage: 'tcp', where: 'flow',
    meaning: 'One direction passed its reassembly bounds (MAX_STREAM_BUFFER_BYTES, MAX_STREAM_SEGMENTS): the earliest hole is given up, or a message longer than the buffer stops that direction.',
  },

  tcp_reassembly_budget_exceeded: {
    stage: 'tcp', where: 'flow',
    meaning: 'Reassembly across all flows passed its share of the memory budget: this flow\'s buffered bytes were given up (named flows first, then the one waiting longest for a missing segment); it goes on with the next segments.',
  },

  // ------------------------------------------------------------ DNS (src/extract/dns)
  dns_malformed: {
    stage: 'dns', where: 'flow',
    meaning: 'A DNS message that could not be decoded, or a record damaged inside one (what came before it is kept); never fatal.',
  },
  dns_truncated: {
    stage: 'dns', where: 'flow',
    meaning: 'A DNS message that ends early: its question and every whole record before the end are kept.',
  },
  dns_cache_evicted: {
    stage: 'dns', where: 'summary',
    meaning: 'DNS answers kept to name flows passed their share of the memory budget: the least recently received or used were dropped (count per capture).',
  },
  dns_pending_cap_reached: {
    stage: 'dns', where: 'summary',
    meaning: 'Unanswered queries passed MAX_PENDING_DNS_QUERIES: the oldest were emitted as transactions without a response.',
  },

  // ------------------------------------------------------------ TLS ClientHello (src/extract/tls; also DTLS and QUIC)
  tls_empty_handshake_record: {
    stage: 'tls', where: 'flow',
    meaning: 'The first TLS handshake record of the stream is empty.',
  },
  tls_record_malformed: {
    stage: 'tls', where: 'flow',
    meaning: 'A record carrying the rest of the ClientHello is not a TLS record (its version\'s major byte is not 3).',
  },
  tls_record_too_long: {
    stage: 'tls', where: 'flow',
    meaning: 'A record carrying the ClientHello is longer than 2^14 + 2048 bytes (RFC 8446 §5.1).',
  },
  tls_handshake_interleaved: {
    stage: 'tls', where: 'flow',
    meaning: 'Another record type (alert, ChangeCipherSpec) came in the middle of the ClientHello.',
  },
  tls_client_hello_too_long: {
    stage: 'tls', where: 'flow',
    meaning: 'The ClientHello claims more than MAX_TLS_HANDSHAKE_BYTES: not read.',
  },
  tls_client_hello_truncated: {
    stage: 'tls', where: 'flow',
    meaning: 'The ClientHello was cut short: what was captured was read (the SNI when the server_name extension is whole).',
  },
  tls_client_hello_malformed: {
    stage: 'tls', where: 'flow',
    meaning: 'The ClientHello\'s legacy_session_id is longer than 32 bytes or its cipher suite list has an odd length: not read.',
  },
  tls_client_hello_trailing_bytes: {
    stage: 'tls', where: 'flow',
    meaning: 'Bytes follow the ClientHello\'s extensions inside the handshake message.',
  },
  tls_extension_truncated: {
    stage: 'tls', where: 'flow',
    meaning: 'An extension runs past the end of the extensions block: the hello is not read.',
  },
  tls_sslv2_hello_malformed: {
    stage: 'tls', where: 'flow',
    meaning: 'An SSLv2-compatible ClientHello whose lengths do not add up.',
  },
  tls_sni_malformed: {
    stage: 'tls', where: 'flow',
    meaning: 'The server_name extension\'s list or an entry in it overruns the extension: the names before it are kept.',
  },
  tls_sni_duplicate_extension: {
    stage: 'tls', where: 'flow',
    meaning: 'A second server_name extension, ignored.',
  },
  tls_sni_multiple_names: {
    stage: 'tls', where: 'flow',
    meaning: 'A second host_name in server_name: `sni` is the first; `extract` lists every entry, as tshark does.',
  },
  tls_sni_unknown_name_type: {
    stage: 'tls', where: 'flow',
    meaning: 'A server_name entry of a name type other than host_name (RFC 6066 defines host_name only).',
  },
  tls_sni_empty: {
    stage: 'tls', where: 'flow',
    meaning: 'The server_name is empty or `.`: no `sni`.',
  },
  tls_sni_ip_literal: {
    stage: 'tls', where: 'flow',
    meaning: 'The server_name is an IPv4 or IPv6 address (RFC 6066 §3 forbids them): kept in `sni`/`quic`, never the flow\'s `hostname`.',
  },
  tls_sni_invalid: {
    stage: 'tls', where: 'flow',
    meaning: 'The server_name is not a host name (RFC 6066 §3, RFC 1123 §2.1); it still names the flow.',
  },
  tls_sni_uppercase: {
    stage: 'tls', where: 'flow',
    meaning: 'The server_name has capital letters (browsers send lowercase).',
  },
  tls_sni_control_chars: {
    stage: 'tls', where: 'flow',
    meaning: 'The server_name holds control bytes.',
  },
  tls_sni_non_ascii: {
    stage: 'tls', where: 'flow',
    meaning: 'The server_name holds bytes above 0x7f.',
  },
  tls_alpn_malformed: {
    stage: 'tls', where: 'flow',
    meaning: 'The ALPN extension\'s list overruns it or holds an empty protocol name: the protocols before it are kept.',
  },
  tls_supported_versions_malformed: {
    stage: 'tls', where: 'flow',
    meaning: 'The supported_versions extension is cut or of odd length: `tls_versions` falls back to legacy_version.',
  },

  // ------------------------------------------------------------ DTLS (src/extract/tls/dtls.ts)
  dtls_client_hello_unassembled: {
    stage: 'dtls', where: 'flow',
    meaning: 'A DTLS ClientHello that cannot be reassembled (too long, too fragmented, or malformed once whole).',
  },

  // ------------------------------------------------------------ QUIC (src/extract/quic)
  quic_version_unknown: {
    stage: 'quic', where: 'flow',
    meaning: 'A client Initial of a version we do not know, which no salt we know authenticates.',
  },
  quic_initial_decrypt_failed: {
    stage: 'quic', where: 'flow',
    meaning: 'A client Initial of a version we know that fails authentication (damaged, or a salt the version does not document).',
  },
  quic_gquic_ignored: {
    stage: 'quic', where: 'flow',
    meaning: 'Google QUIC with its own crypto handshake (`Q0nn`, not TLS): named, not read.',
  },
  quic_header_malformed: {
    stage: 'quic', where: 'flow',
    meaning: 'The first datagram only looked like QUIC: its long header does not parse.',
  },
  quic_coalesced_malformed: {
    stage: 'quic', where: 'flow',
    meaning: 'A packet after the first in a datagram has a bad header; the packets before it are read.',
  },
  quic_frame_truncated: {
    stage: 'quic', where: 'flow',
    meaning: 'A frame in a decrypted Initial runs past the packet\'s end.',
  },
  quic_unexpected_frame: {
    stage: 'quic', where: 'flow',
    meaning: 'A decrypted Initial holds a frame type an Initial may not carry.',
  },
  quic_crypto_not_client_hello: {
    stage: 'quic', where: 'flow',
    meaning: 'The client\'s CRYPTO stream does not start with a ClientHello.',
  },
  quic_client_hello_too_long: {
    stage: 'quic', where: 'flow',
    meaning: 'The ClientHello in the CRYPTO stream claims more than MAX_TLS_HANDSHAKE_BYTES: not read.',
  },
  quic_initials_cap_reached: {
    stage: 'quic', where: 'flow',
    meaning: 'More client Initials than MAX_QUIC_INITIALS without a whole ClientHello: the rest are not read.',
  },
  quic_crypto_cap_reached: {
    stage: 'quic', where: 'flow',
    meaning: 'CRYPTO data beyond MAX_QUIC_CRYPTO_BYTES of stream offset: the hello is not read.',
  },
  quic_crypto_too_fragmented: {
    stage: 'quic', where: 'flow',
    meaning: 'CRYPTO data in more pieces than MAX_QUIC_CRYPTO_FRAGMENTS: the hello is not read.',
  },

  // ------------------------------------------------------------ HTTP (src/extract/http)
  http_head_too_long: {
    stage: 'http', where: 'flow',
    meaning: 'A request head passed MAX_HTTP_HEAD_BYTES without ending: the flow\'s HTTP is no longer read.',
  },
  http_host_control_chars: {
    stage: 'http', where: 'flow',
    meaning: 'A Host header holding CR, LF, NUL or another control byte: not used as `http_host` or as the flow\'s name.',
  },

  // ------------------------------------------------------------ logs as input (src/logs)
  log_line_malformed: {
    stage: 'logs', where: 'summary+warning',
    meaning: 'A line that is not a record of its log (wrong field count, bad value, not JSON, no endpoints): skipped.',
  },
  log_line_too_long: {
    stage: 'logs', where: 'summary+warning',
    meaning: 'A line longer than MAX_LOG_LINE_BYTES: skipped.',
  },
  log_gzip_damaged: {
    stage: 'logs', where: 'summary+warning',
    meaning: 'A gzip-compressed log is damaged or ends early: the lines before the damage are read.',
  },
  log_join_cap_reached: {
    stage: 'logs', where: 'summary',
    meaning: 'Side rows (ssl, quic, http; eve.json events) waiting for their flow filled their share of the memory budget: the oldest were dropped (`memory_budget_reached`).',
  },
  log_dns_timeline_cap_reached: {
    stage: 'logs', where: 'summary',
    meaning: 'DNS answers kept to name flows filled their share of the memory budget: the oldest were dropped (`memory_budget_reached`).',
  },
  eve_no_flow_events: {
    stage: 'logs', where: 'summary+warning',
    meaning: 'An eve.json without flow events: enable the `flow` type of Suricata\'s eve-log to get flows.',
  },

  // ------------------------------------------------------------ the memory budget (src/limits.ts, src/pipeline.ts)
  memory_budget_reached: {
    stage: 'memory', where: 'warning',
    meaning: 'A part of the memory budget was full at some point: the warning counts what was dropped (flow_table_full, tcp_reassembly_budget_exceeded, frag_evicted, dns_cache_evicted, dns_pending_cap_reached; for logs log_join_cap_reached, log_dns_timeline_cap_reached) and says how to raise the budget (--memory-budget MB, RESIDENCY_MEMORY_BUDGET_MB). Not damage: audit reports it as a budget effect (budget_effects, reason capture_budget_limited).',
  },
} as const satisfies Record<string, AnomalyEntry>;

/** Every anomaly and warning code. */
export type AnomalyCode = keyof typeof ANOMALIES;

type CodesWhere<W extends Where> = { [K in AnomalyCode]: (typeof ANOMALIES)[K]['where'] extends W ? K : never }[AnomalyCode];

/** An anomaly a flow carries in its `anomalies` (Flow.addAnomaly). */
export type FlowAnomaly = CodesWhere<'flow'>;
/** A warning code: the reader's damage and oddities, and the logs' damaged lines. */
export type WarningCode = CodesWhere<'warning' | 'summary+warning'>;
/** What the capture summary's `anomalies` counts. */
export type SummaryAnomaly = CodesWhere<'flow' | 'summary' | 'summary+warning'>;
/** The capture summary's `anomalies` while it is being counted. */
export type AnomalyCounts = { [K in SummaryAnomaly]?: number };

export interface CounterEntry {
  readonly stage: Stage;
  readonly meaning: string;
}

/** The capture summary's `counters`: what was met and set aside or handled, counted, not anomalous in itself. */
export const COUNTERS = {
  packets: { stage: 'capture', meaning: 'Packets (frames) read.' },
  ok: { stage: 'decode', meaning: 'Packets decoded down to TCP or UDP.' },
  non_ip: { stage: 'decode', meaning: 'Link frames that carry no IP (ARP, LLC, LCP, ...).' },
  unknown_link_type: { stage: 'decode', meaning: 'Packets of a link type the decoder does not know.' },
  truncated: { stage: 'decode', meaning: 'Packets whose headers were cut by the snapshot length or the end of the record.' },
  fragment_pending: { stage: 'decode', meaning: 'IP fragments held for reassembly (the datagram they complete is counted under ok).' },
  icmp: { stage: 'decode', meaning: 'ICMP and ICMPv6 packets (for logs: ICMP connections), not made into flows.' },
  other_proto: { stage: 'decode', meaning: 'IP packets of a transport other than TCP, UDP and ICMP, or a tunnel not opened.' },
  malformed: { stage: 'decode', meaning: 'Packets with inconsistent headers (bad IHL, lengths, data offset, too many tunnels).' },
  ip_fragments: { stage: 'decode', meaning: 'IPv4 and IPv6 fragments seen.' },
  reassembled_datagrams: { stage: 'decode', meaning: 'Fragmented datagrams reassembled whole.' },
  frag_incomplete: { stage: 'decode', meaning: 'Fragmented datagrams given up with their first fragment (anomaly ip_fragment_incomplete on the flow).' },
  frag_first_missing: { stage: 'decode', meaning: 'Fragmented datagrams given up without their first fragment (anomaly ip_fragment_first_missing).' },
  frag_expired: { stage: 'decode', meaning: 'Fragmented datagrams given up after FRAG_TIMEOUT_S without their last fragments.' },
  frag_evicted: { stage: 'decode', meaning: 'Fragmented datagrams given up because the fragment table was full (MAX_FRAG_DATAGRAMS, MAX_FRAG_PENDING_BYTES).' },
  frag_overlaps: { stage: 'decode', meaning: 'Fragments overlapping bytes already held, or disagreeing on the datagram\'s length.' },
  frag_too_big: { stage: 'decode', meaning: 'Fragments reaching past the largest datagram, or non-final IPv4 fragments of a length not a multiple of 8: dropped.' },
  frag_duplicates: { stage: 'decode', meaning: 'Copies of fragments of a datagram reassembled moments before, absorbed.' },
  ipv6_ext_headers_excessive: { stage: 'decode', meaning: 'IPv6 packets with more than 7 extension headers.' },
  tunnels: { stage: 'decode', meaning: 'Tunnel layers opened (IP-in-IP, GRE, L2TP, ...).' },
  vlan_tagged: { stage: 'decode', meaning: 'Packets carrying a VLAN tag.' },
  internal_error: { stage: 'decode', meaning: 'Exceptions caught inside the decoder: always 0 unless there is a bug (please report it).' },
  log_conn_not_tcp_udp: { stage: 'logs', meaning: 'Log connections of a transport other than TCP, UDP and ICMP, not made into flows.' },
} as const satisfies Record<string, CounterEntry>;

export type CounterName = keyof typeof COUNTERS;
