// Every bound the pipeline enforces, with its reason. Hitting a bound emits a named anomaly, never a throw.
// Stages add their own constants here, grouped by stage.

// ---------------------------------------------------------------- capture
/** Read-chunk size for capture files: large enough that per-chunk overhead (one read syscall, one async step)
 *  vanishes, small next to the RSS budget (npm run bench: 4 MiB reads run at the floor's speed). */
export const READ_CHUNK_BYTES = 4 << 20;
/** Largest record we accept. pcap snaplen is at most 262144 (libpcap MAXIMUM_SNAPLEN); pcapng blocks may carry
 *  more, but a record above this is treated as damage (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD is 262144). */
export const MAX_RECORD_BYTES = 262_144 + 1024;
/** pcapng blocks other than packet blocks (SHB/IDB/NRB/custom) larger than this are skipped unread. */
export const MAX_PCAPNG_META_BLOCK_BYTES = 16 << 20;
/** Warnings kept in a capture summary (damage stops reading, so only per-record oddities can pile up). */
export const MAX_CAPTURE_WARNINGS = 100;

// ---------------------------------------------------------------- IP
/** Concurrent fragmented datagrams awaiting reassembly (Linux ipfrag_high_thresh is memory-based: 4 MB). */
export const MAX_FRAG_DATAGRAMS = 4096;
/** Reassembly gives up on a datagram after this many seconds (Linux ipfrag_time = 30 s; RFC 8200 says 60 s for IPv6). */
export const FRAG_TIMEOUT_S = 30;
/** IPv4/IPv6 datagram size cap (65535 + jumbo headroom not supported). */
export const MAX_DATAGRAM_BYTES = 65_535;
/** Bytes buffered for all pending fragmented datagrams (Linux ipfrag_high_thresh defaults to 4 MiB). */
export const MAX_FRAG_PENDING_BYTES = 8 << 20;
/** IP-in-IP / tunnel nesting depth we unwrap (ipoipoip.pcap has four). */
export const MAX_TUNNEL_DEPTH = 8;
/** IPv6 extension headers walked before giving up (RFC 8200 imposes no limit; Linux caps at 8 options blocks). */
export const MAX_IPV6_EXT_HEADERS = 16;

// ---------------------------------------------------------------- flows
// Live flows: memoryLimits().maxLiveFlows (the memory budget below); the least recently active flow is ended early
// when the table is full (anomaly `flow_table_full`; its record is still emitted). A handset keeps few flows open at
// once (the bench captures peak at 886 and 1,780 live flows).
/** Idle timeouts (seconds), like Zeek's tcp_inactivity_timeout / udp_inactivity_timeout. */
export const TCP_IDLE_TIMEOUT_S = 300;
export const UDP_IDLE_TIMEOUT_S = 60;
/** After FIN in both directions or RST, a flow lingers this long for retransmissions before its record is emitted. */
export const TCP_CLOSE_LINGER_S = 5;
/** Bytes buffered per direction for reassembly before the names are found (a post-quantum ClientHello is ~1.8 KB;
 *  a ClientHello may be up to 2^24 bytes but 64 KiB covers every real client; Zeek caps CRYPTO at 2^14+256). */
export const MAX_STREAM_BUFFER_BYTES = 65_536;
/** Out-of-order segments held per direction. A ClientHello sent in 1-byte segments in reverse order (an evasion
 *  trick: ../shared/repro/tcp_ch_1byte_reverse_long.pcap) needs one segment per byte: 4,096 covers a post-quantum
 *  hello (~1,800 bytes) twice over. tshark (tcp.reassemble_out_of_order) and Zeek (TCP_Reassembler: no segment
 *  limit, only bytes: tcp_max_above_hole_without_any_acks = 16 KiB) reassemble it; the FreeBSD kernel caps a queue
 *  at 100 segments (net.inet.tcp.reass.maxqueuelen) but it can ask for a retransmission, a capture cannot. The cap
 *  guards CPU: inserting is a binary search plus an array move, so a flow costs O(n^2 / 2) pointer moves at worst
 *  (4,096 reversed 1-byte segments: see docs/memory.md for the measured cost); memory is bounded by the
 *  reassembly budget, which counts STREAM_SEGMENT_OVERHEAD_BYTES per segment. */
export const MAX_STREAM_SEGMENTS = 4096;
/** Data packets of a flow inspected before we conclude it carries nothing we read (TLS, HTTP, DNS, QUIC, DTLS). */
export const MAX_PROBE_PACKETS = 8;
/** HTTP requests read per connection (keep-alive); the first Host names the flow, later ones feed `extract`. */
export const MAX_HTTP_REQUESTS_PER_FLOW = 256;

// ---------------------------------------------------------------- extractors
/** Largest TLS handshake message we reassemble (RFC 8446 allows 2^24-1; a ClientHello above 64 KiB is abuse). */
export const MAX_TLS_HANDSHAKE_BYTES = 65_536;
/** QUIC CRYPTO bytes reassembled per flow (Zeek: 2^14 + 256; we allow more for post-quantum key shares). */
export const MAX_QUIC_CRYPTO_BYTES = 65_536;
/** Datagrams of a QUIC flow looked at before giving up on its client Initials. */
export const MAX_QUIC_INITIALS = 16;
/** Disjoint CRYPTO ranges held per QUIC flow while the hello has holes (a 64 KiB hello in 1-byte frames is abuse;
 *  real clients send 1 to ~10 frames, Chrome scatters a few dozen). */
export const MAX_QUIC_CRYPTO_FRAGMENTS = 256;
/** DNS names longer than this are malformed (RFC 1035: 255 octets on the wire; Suricata MAX_NAME_LEN 1025 in text). */
export const MAX_DNS_NAME_LEN = 1025;
// DNS messages kept waiting for their response: memoryLimits().dnsPendingQueries / dnsPendingBytes (the memory budget
// below); beyond, the oldest is emitted unanswered (anomaly `dns_pending_cap_reached`).
/** Seconds a DNS query waits for its response. */
export const DNS_RESPONSE_TIMEOUT_S = 30;
/** HTTP request head bytes scanned for Host (Apache's LimitRequestFieldSize is 8190, nginx large buffers 8 KiB). */
export const MAX_HTTP_HEAD_BYTES = 16_384;

// ---------------------------------------------------------------- DNS / HTTP extractors (helper H3)
/** Compression pointers followed in one name before it counts as a loop (a 255-octet name has at most 127
 *  labels, so an honest name never needs more hops; dns_fwdptr.pcap / dns-zlip-1.pcap loop forever). */
export const MAX_DNS_POINTER_HOPS = 128;
/** Smallest plausible DNS-over-TCP message (the 12-byte header, RFC 1035 4.2.2); a smaller length prefix means
 *  the framer lost sync. */
export const MIN_DNS_TCP_MESSAGE_BYTES = 12;
/** Question count the DNS-over-UDP heuristic accepts (real messages carry 1; RFC 9619 makes >1 a FORMERR;
 *  tshark's heuristic in packet-dns.c rejects large counts too). */
export const MAX_DNS_HEURISTIC_QUESTIONS = 4;
/** Record count per section the heuristic accepts before calling a payload "not DNS". */
export const MAX_DNS_HEURISTIC_RRS = 256;

// ---------------------------------------------------------------- naming
// DNS answers remembered: memoryLimits().dnsCacheEntries / dnsCacheBytes across all clients (the memory budget
// below); beyond, the least recently answered entry goes first (anomaly `dns_cache_evicted`).
/** CNAME chain length followed (BIND's max-cname-chain is 16 in 9.x; resolvers commonly stop at 8-16). */
export const MAX_CNAME_CHAIN = 16;
/** Grace period (s) added to a DNS answer's TTL before it stops naming new flows (clients cache a little longer). */
export const DNS_TTL_GRACE_S = 60;

// ---------------------------------------------------------------- audit (verdict engine, claims, store; helper H5)
/** Refuted when the inconsistent share of in-scope upload bytes exceeds this fraction (1 %): one stray
 *  telemetry call is tolerated, a steady stream of user data elsewhere is not. */
export const VERDICT_INCONSISTENT_TOLERANCE = 0.01;
/** Confirmed only when at least this fraction of in-scope upload bytes is consistent with every claimed part. */
export const VERDICT_CONFIRM_COVERAGE = 0.9;
/** Below this many in-scope upload bytes nothing is confirmed ("too little traffic": a handshake and a ping). */
export const VERDICT_MIN_UPLOAD_BYTES = 10_240;
/** Unobservable when flows whose names are hidden (ECH, DoH, no name at all) carry at least this share of
 *  in-scope + hidden upload bytes: most of what could be first-party cannot be identified. */
export const VERDICT_HIDDEN_SHARE = 0.5;
/** Evidence flows listed per claim in reports (the rest are counted in `evidence_omitted`). */
export const MAX_EVIDENCE_FLOWS_PER_CLAIM = 200;
/** Claims files larger than this are refused (a claims file is hand-written; megabytes means a wrong file). */
export const MAX_CLAIMS_FILE_BYTES = 1 << 20;
/** Rows inserted per prepared-statement batch while a capture is being ingested (inside its one transaction). */
export const STORE_INSERT_BATCH_ROWS = 1000;

// ---------------------------------------------------------------- regress
/** Byte totals compared by `residency regress` may move by the larger of this many bytes and ... */
export const REGRESS_BYTE_TOLERANCE_BYTES = 1024;
/** ... this fraction of the expected value before they count as drift: a parser fix that counts a header
 *  differently should not fail the nightly run, a vendor moving an upload elsewhere should. */
export const REGRESS_BYTE_TOLERANCE_RATIO = 0.01;
/** Lines shown per group (e.g. one vendor's flows) in the `other` section of a regress diff; the rest are counted. */
export const REGRESS_MAX_LINES_PER_GROUP = 8;

// ---------------------------------------------------------------- geo
/** Bytes read from the end of an mmdb file to find its metadata (the format spec puts it in the last 128 KiB). */
export const GEO_MMDB_METADATA_TAIL_BYTES = 128 * 1024;
/** Distinct IPs whose geo lookup is cached per GeoLocator (beyond this the caches are cleared and refilled). The
 *  locator's caches together cost ~2.7 KB per address: at 200,000 a stream of ever-new server addresses
 *  (docs/memory.md) reached 851 MB RSS, past the 450 MB target; 32,768 keeps them near 90 MB. A capture rarely
 *  has more servers (the 300 MB bench mix has 1,060). */
export const GEO_MAX_CACHED_IPS = 32_768;
/** A handshake RTT under this (ms) cannot have crossed a real network to a remote server: PCAPdroid's non-root
 *  VPN mode answers SYNs locally in well under 1 ms. */
export const GEO_SYNTHESIZED_RTT_MS = 1;
/** Fewer flows with an RTT than this and "every RTT is sub-millisecond" is not evidence of synthesis. */
export const GEO_SYNTHESIZED_MIN_FLOWS = 3;
/** Largest provider range file (ip-ranges.json is ~2 MB today) accepted from a geo dir. */
export const GEO_MAX_RANGES_FILE_BYTES = 64 << 20;
/** Decoded mmdb records kept per database (keyed by data offset; records are shared by many ranges). maxmind's
 *  own open() keeps 10,000; cleared when full. */
export const GEO_MMDB_DECODE_CACHE_ENTRIES = 50_000;

// ---------------------------------------------------------------- report (renderers; helper H6)
/** Characters of a capture-derived name shown in an HTML cell (the title attribute keeps the whole name): an SNI
 *  may be up to 2^16 bytes, a DNS name 253 characters; CSS truncates visually well before this. */
export const REPORT_HTML_NAME_DISPLAY_CHARS = 256;
/** Bars per HTML chart (upload per country / provider); the rest are summed into one "other" bar. */
export const REPORT_CHART_MAX_BARS = 12;
/** Destinations per vendor in the Markdown summary (the full list is in destinations.csv and report.html). */
export const REPORT_MARKDOWN_TOP_DESTINATIONS = 10;

// ---------------------------------------------------------------- memory budget (issue 14; docs/memory.md)
// Everything that grows with traffic shares one budget, so that no input can grow the process without bound:
// live flows, TCP reassembly bytes, IP fragment buffers, DNS naming cache, DNS queries awaiting their response,
// and records waiting to be written (the `flows --vantage` hold, `extract`'s document before it spills to a
// temporary file). Each part gets a share of the budget and converts it with a per-unit cost estimate (measured with
// heap snapshots: docs/memory.md). When a part is full, its oldest or least useful state goes first and a named
// anomaly is counted; the process never stops for memory. RSS is the budget times V8's heap overhead (old-space
// slack ~2x, young generation, code) plus the program itself (~45 MB without geolocation, ~165 MB with its
// databases): the default keeps peak RSS under 200 MB without geolocation and 450 MB with it, whatever the input
// (docs/memory.md has the 10-minute runs of ../shared/repro/gen-stream.py).
/** Default budget in MiB (`--memory-budget`, or the RESIDENCY_MEMORY_BUDGET_MB environment variable, raise it).
 *  Measured (docs/memory.md): peak RSS is about 46 MB + 4 x the budget without geolocation (V8 lets the old space
 *  grow to ~2.5 x what is live before a full collection, and the young generation takes up to ~40 MB under a high
 *  allocation rate), so 32 MiB keeps every ../shared/repro stream under 200 MB. It holds ~10,000 live flows, ~14,000
 *  DNS answers and ~3.6 MB of out-of-order TCP: the bench captures peak at 1,780 live flows; a router capture with
 *  thousands of clients wants more (--memory-budget 256 holds ~104,000 live flows, the cap before the budget). */
export const MEMORY_BUDGET_DEFAULT_MB = 32;
/** Smallest budget accepted: below this the fixed part (fragment buffers) would take most of it. */
export const MEMORY_BUDGET_MIN_MB = 16;
/** Largest budget accepted (a typo guard: 1 TiB). */
export const MEMORY_BUDGET_MAX_MB = 1 << 20;
/** Environment variable read when no `--memory-budget` is given. */
export const MEMORY_BUDGET_ENV = 'RESIDENCY_MEMORY_BUDGET_MB';
/** Shares of the budget left after the fragment buffers (MAX_FRAG_PENDING_BYTES, fixed, counted first). Live flows
 *  take the most (a flow ended early is split in two records); the DNS cache next (it names flows); reassembly
 *  needs little (a hello spans a few segments). What waits to be written is one share, since each command has one
 *  kind: the `dns` command's queries awaiting their response, the records `flows --vantage` holds, or `extract`'s
 *  document before it spills. */
export const BUDGET_SHARE_FLOWS = 0.4;
export const BUDGET_SHARE_REASSEMBLY = 0.15;
export const BUDGET_SHARE_DNS_CACHE = 0.2;
export const BUDGET_SHARE_WAITING = 0.25;
/** Heap bytes per live flow: the Flow object (~70 fields), its two address strings and hash-table slot (676 bytes
 *  measured for a UDP flow), plus a TcpStream and its consumer for a TCP flow with data. Measured with
 *  process.memoryUsage() after gc() over 134,560 live flows (docs/memory.md). */
export const LIVE_FLOW_BYTES = 1000;
/** Heap bytes per out-of-order segment besides its data (the segment record, its Buffer object). */
export const STREAM_SEGMENT_OVERHEAD_BYTES = 128;
/** Heap bytes per DNS cache entry besides the characters of its address and names (Map slot, entry object with its
 *  list links, naming object, CNAME chain array, string headers): 358 bytes measured per A answer of a 35-character
 *  name, of which 53 are characters. */
export const DNS_CACHE_ENTRY_OVERHEAD_BYTES = 320;
/** Heap bytes per client known to the DNS cache (its object and two Maps). */
export const DNS_CACHE_CLIENT_BYTES = 512;
/** Heap bytes per DNS query awaiting its response besides its pairing key and name (the record being built, the
 *  list entry): 365 bytes measured with a 35-character name and a 60-character key. */
export const DNS_PENDING_QUERY_BYTES = 256;
/** Heap bytes per flow record held before it is written (the record object, its strings and arrays). */
export const HELD_RECORD_BYTES = 1024;
/** What each part of the budget may hold (memoryLimits()). */
export interface MemoryLimits {
  readonly budgetMb: number;
  /** Live flows before the least recently active one is ended early (`flow_table_full`). */
  readonly maxLiveFlows: number;
  /** Bytes buffered for TCP reassembly across all flows (`tcp_reassembly_budget_exceeded`). */
  readonly reassemblyBytes: number;
  /** Bytes buffered for IP fragment reassembly (fixed: MAX_FRAG_PENDING_BYTES; counter `frag_evicted`). */
  readonly fragBytes: number;
  /** DNS naming cache across all clients, in entries and in bytes (`dns_cache_evicted`). */
  readonly dnsCacheEntries: number;
  readonly dnsCacheBytes: number;
  /** DNS queries awaiting their response, in queries and in bytes (`dns_pending_cap_reached`). */
  readonly dnsPendingQueries: number;
  readonly dnsPendingBytes: number;
  /** Flow records `flows --vantage` holds while it decides whether handshakes are synthesised. */
  readonly heldRecords: number;
  /** Bytes of `extract`'s document kept in memory before entries spill to a temporary file. (The last three share
   *  one part of the budget: each command uses one of them.) */
  readonly extractBytes: number;
}

/** The limits of a budget of `budgetMb` MiB (clamped to [MEMORY_BUDGET_MIN_MB, MEMORY_BUDGET_MAX_MB]). */
export function memoryLimits(budgetMb: number = MEMORY_BUDGET_DEFAULT_MB): MemoryLimits {
  const mb = Math.min(MEMORY_BUDGET_MAX_MB, Math.max(MEMORY_BUDGET_MIN_MB, budgetMb));
  const frag = MAX_FRAG_PENDING_BYTES;
  const rest = mb * 1048576 - frag;
  const share = (s: number): number => Math.floor(rest * s);
  const dnsCacheBytes = share(BUDGET_SHARE_DNS_CACHE);
  const waiting = share(BUDGET_SHARE_WAITING);
  return {
    budgetMb: mb,
    maxLiveFlows: Math.floor(share(BUDGET_SHARE_FLOWS) / LIVE_FLOW_BYTES),
    // At least what one flow can hold (two directions, each a full held buffer and a full queue of segments), so
    // that shedding other flows always makes room.
    reassemblyBytes: Math.max(2 * (2 * MAX_STREAM_BUFFER_BYTES + MAX_STREAM_SEGMENTS * STREAM_SEGMENT_OVERHEAD_BYTES), share(BUDGET_SHARE_REASSEMBLY)),
    fragBytes: frag,
    // Entries of average size (names of ~32 characters): the byte bound is the one that holds.
    dnsCacheEntries: Math.floor(dnsCacheBytes / (DNS_CACHE_ENTRY_OVERHEAD_BYTES + 32)),
    dnsCacheBytes,
    dnsPendingQueries: Math.floor(waiting / (DNS_PENDING_QUERY_BYTES + 96)),
    dnsPendingBytes: waiting,
    heldRecords: Math.floor(waiting / HELD_RECORD_BYTES),
    extractBytes: waiting,
  };
}
