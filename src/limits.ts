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
/** Any pcapng block longer than this is damage at its own offset, not a block to skip (Wireshark's MAX_BLOCK_SIZE
 *  in wiretap/pcapng.c: an EPB with the largest D-Bus packet, 128 MiB, plus 128 KiB of options). */
export const MAX_PCAPNG_BLOCK_BYTES = 128 * 1024 * 1024 + 131_072 + 32;
/** Packet times are kept within [0, this) seconds: 2^32 s (year 2106) is what a classic pcap record can carry; a
 *  pcapng time past it (or negative) comes from a damaged 64-bit field, if_tsresol or if_tsoffset. Such a packet
 *  takes the previous packet's time, with a warning (`capture_timestamp_out_of_range`). */
export const CAPTURE_TS_LIMIT_S = 2 ** 32;
/** A packet time this far (s) from the previous packet's is reported (`capture_timestamp_jump`) and kept: a clock
 *  set at boot jumps once; a damaged record header jumps there and back. */
export const CAPTURE_TS_JUMP_S = 366 * 86_400;
/** Warnings kept in a capture summary (damage stops reading, so only per-record oddities can pile up). */
export const MAX_CAPTURE_WARNINGS = 100;
/** Characters of command output gathered before one write to stdout: one system call per batch instead of per
 *  record, small next to the RSS budget; a Linux pipe holds 64 KiB, so a batch fills it in one go. */
export const OUTPUT_BATCH_CHARS = 64 << 10;
/** Compressed bytes handed to zlib per write for gzip captures: the unit in which damage is located before a
 *  file's damaged slice is decoded again in tiny pieces (src/capture/gunzip.ts). */
export const GZIP_SLICE_BYTES = 64 << 10;
/** Compressed slices zlib may work on ahead of the parser (it runs on the thread pool while we parse). */
export const GZIP_SLICES_IN_FLIGHT = 2;
/** zlib's output chunk: each costs a thread-pool round trip; with 64 KiB instead of zlib's default 16 KiB a 187 MB
 *  gzip capture takes 1.9-2.5 s of CPU instead of 2.4-2.7 s (flows --no-geo; docs/faults.md). */
export const GZIP_OUTPUT_CHUNK_BYTES = 64 << 10;
/** Decompressed bytes queued for the parser before no more compressed input is handed to zlib. A deflate byte can
 *  expand 1,032 times, but zlib hands out each output chunk through the main thread, so the queue stays near this
 *  (a 1 GB, 1,000:1 gzip bomb: 91-97 MB peak RSS for the whole run). */
export const GZIP_QUEUE_BYTES = 4 << 20;
/** Compressed bytes of a gzip capture read from standard input kept to decode again after damage (a file is read
 *  again instead): small captures piped in recover as much as files do; past this, up to one zlib output chunk
 *  before the damage can be lost. */
export const GZIP_REPLAY_KEEP_BYTES = 4 << 20;

// ---------------------------------------------------------------- IP
/** Concurrent fragmented datagrams awaiting reassembly (Linux ipfrag_high_thresh is memory-based: 4 MB). */
export const MAX_FRAG_DATAGRAMS = 4096;
/** Seconds of capture time after its first fragment at which a datagram still missing fragments is given up and
 *  delivered as it is (anomaly `ip_fragment_incomplete`). Hosts wait longer (Linux ipfrag_time 30 s, RFC 8200 60 s)
 *  because the sender may still be transmitting; in a capture a datagram's fragments leave the sender back to back
 *  and reordering moves them by milliseconds, so waiting longer only delays the evidence: the datagram joins its
 *  flow late, its DNS answers name no flow opened meanwhile, and its query's transaction may have timed out
 *  (DNS_RESPONSE_TIMEOUT_S). Kept below TCP_CLOSE_LINGER_S minus the pipeline's 1 s expiry sweep, so a datagram
 *  cut short just before a connection closed still joins that connection's record. */
export const FRAG_TIMEOUT_S = 3;
/** IPv4/IPv6 datagram size cap (65535 + jumbo headroom not supported). */
export const MAX_DATAGRAM_BYTES = 65_535;
/** Bytes buffered for all pending fragmented datagrams (Linux ipfrag_high_thresh defaults to 4 MiB). */
export const MAX_FRAG_PENDING_BYTES = 8 << 20;
/** IP-in-IP / tunnel nesting depth we unwrap (ipoipoip.pcap has four). */
export const MAX_TUNNEL_DEPTH = 8;
/** IPv6 extension headers in one packet above which the packet is flagged (`ipv6_ext_headers_excessive`). The walk
 *  itself has no cap, like tshark's: every header is at least 8 bytes, so a packet holds at most 8,191 of them and
 *  the walk costs no more than reading the packet once. RFC 8200 §4.1 allows each header once (Destination Options
 *  twice): 7 in a conforming packet (hop-by-hop, destination options, routing, fragment, AH, ESP, destination
 *  options); more is evasion or a fuzzer, and still delivered. */
export const MAX_IPV6_EXT_HEADERS = 7;

// ---------------------------------------------------------------- flows
/** Live flows before the least recently active one is ended early (anomaly `flow_table_full`; its record is still
 *  emitted). A live flow costs ~1 KB (object, address strings, table slot), so this keeps the worst case near the
 *  150 MB RSS budget; a handset keeps few flows open at once (the bench captures peak at 886 and 1,780 live flows). */
export const MAX_LIVE_FLOWS = 100_000;
/** Idle timeouts (seconds), like Zeek's tcp_inactivity_timeout / udp_inactivity_timeout. */
export const TCP_IDLE_TIMEOUT_S = 300;
export const UDP_IDLE_TIMEOUT_S = 60;
/** After FIN in both directions or RST, a flow lingers this long for retransmissions before its record is emitted. */
export const TCP_CLOSE_LINGER_S = 5;
/** Bytes buffered per direction for reassembly before the names are found (a post-quantum ClientHello is ~1.8 KB;
 *  a ClientHello may be up to 2^24 bytes but 64 KiB covers every real client; Zeek caps CRYPTO at 2^14+256). */
export const MAX_STREAM_BUFFER_BYTES = 65_536;
/** Out-of-order segments held per direction. */
export const MAX_STREAM_SEGMENTS = 256;
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
/** Client Initials per QUIC flow tried with every Initial salt when the version's own salt is unknown or uncertain
 *  (versions.ts TRIAL_SALTS, six key derivations and AEAD checks each): a real client's first Initial decides, the
 *  second covers a first one cut short; more would let a capture of look-alike UDP flows cost ~0.2 ms a datagram. */
export const MAX_QUIC_TRIAL_INITIALS = 2;
/** Disjoint CRYPTO ranges held per QUIC flow while the hello has holes (a 64 KiB hello in 1-byte frames is abuse;
 *  real clients send 1 to ~10 frames, Chrome scatters a few dozen). */
export const MAX_QUIC_CRYPTO_FRAGMENTS = 256;
/** DNS names longer than this are malformed (RFC 1035: 255 octets on the wire; Suricata MAX_NAME_LEN 1025 in text). */
export const MAX_DNS_NAME_LEN = 1025;
/** DNS messages kept waiting for their response per capture before the oldest is emitted unanswered. */
export const MAX_PENDING_DNS_QUERIES = 65_536;
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
/** DNS answers remembered per client (LRU beyond that). */
export const MAX_DNS_CACHE_ENTRIES_PER_CLIENT = 65_536;
/** Clients (handsets) the DNS naming cache tracks before the oldest is dropped (a capture holds a few; a router
 *  capture a few thousand). Bounds the cache at MAX_DNS_CACHE_CLIENTS x MAX_DNS_CACHE_ENTRIES_PER_CLIENT. */
export const MAX_DNS_CACHE_CLIENTS = 4096;
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
/** Destinations (server address + name) listed per vendor in a report, those with the most upload first; the rest
 *  are counted (`destinations_omitted`) and are in flows.csv. Keeps report.json/HTML readable and bounded whatever
 *  the capture (a scan reaches a million addresses). */
export const REPORT_MAX_DESTINATIONS = 1000;
/** Devices listed per vendor in a report (most upload first); the rest are counted (`devices_omitted`). */
export const REPORT_MAX_DEVICES = 200;
/** Groups of like flows read from the case store per page while an audit decides its verdicts (audit/aggregate.ts). */
export const AUDIT_GROUP_PAGE_ROWS = 2000;
/** Claims files larger than this are refused (a claims file is hand-written; megabytes means a wrong file). */
export const MAX_CLAIMS_FILE_BYTES = 1 << 20;
/** Vendors and claims (over all vendors) a claims file may hold: each vendor's claims are decided over every flow of
 *  its captures, so these bound the audit's work; a lab audits tens of vendors (7,108 vendors took 2.7 GB). */
export const MAX_CLAIMS_VENDORS = 1000;
export const MAX_CLAIMS_TOTAL = 10_000;
/** YAML alias references resolved in a claims file (the `yaml` package's maxAliasCount; its default): a billion-laughs
 *  file of nested aliases is refused instead of expanded. */
export const CLAIMS_MAX_ALIAS_COUNT = 100;
/** Directory entries one `captures:` glob may list while it is expanded, and folders it may go down through `**`:
 *  a lab's capture tree holds hundreds to thousands of files; a pattern reaching /, or a link farm, is refused. */
export const MAX_GLOB_ENTRIES = 100_000;
export const MAX_GLOB_DEPTH = 32;
/** How long a statement waits for another process writing the same case store before it fails (store_busy): an
 *  ingest holds the write lock for its whole capture (one transaction), so a second writer waits for it to end. */
export const STORE_BUSY_TIMEOUT_MS = 10 * 60 * 1000;
/** Free space the case store's folder must have before a store is opened or a capture ingested: below it SQLite
 *  cannot even make its 32 KiB shared-memory file, fails with an I/O error and leaves -wal/-shm files behind. */
export const STORE_MIN_FREE_BYTES = 1 << 20;
/** Rows inserted per prepared-statement batch while a capture is being ingested (inside its one transaction). */
export const STORE_INSERT_BATCH_ROWS = 1000;
/** Distinct geolocation results of one capture remembered while ingesting, so flows sharing one store it once
 *  (store/ingest.ts GeoIds). Past it the memory is cleared: later flows get new rows (more rows, same answers). */
export const GEO_ROWS_DEDUP_MAX = 50_000;

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
/** Distinct IPs whose geo lookup is cached per GeoLocator (a capture rarely has more servers; beyond this the
 *  cache is cleared and refilled, bounding memory at roughly 1 KB per entry). */
export const GEO_MAX_CACHED_IPS = 200_000;
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
/** Reader warnings listed per input in report.json (a damaged capture may have up to MAX_CAPTURE_WARNINGS stored);
 *  the rest are counted in `warnings_omitted`. The first ones locate the damage; more add length, not meaning. */
export const REPORT_MAX_INPUT_WARNINGS = 20;
/** Captures named in the text of one capture_* verdict reason (the reason's `captures` list has them all). */
export const REPORT_CAPTURES_NAMED_PER_REASON = 5;

// ---------------------------------------------------------------- vantage (measurements from several places, issue 18)
/** Measurement files (RIPE Atlas results, ping/mtr output) larger than this are refused: they are read whole into
 *  one string, and V8 strings stop at ~512 MiB; a year of one Atlas ping measurement from 1,000 probes is ~200 MiB. */
export const VANTAGE_MAX_MEASUREMENT_FILE_BYTES = 256 << 20;
/** Problems listed per measurement file (each with its line); the rest are only counted, so a wrong file (a
 *  traceroute result, a binary) yields one readable warning, not a million lines. */
export const VANTAGE_MAX_ISSUES_LISTED_PER_FILE = 20;
/** Added to every disc's radius (RTT x 100 km/ms): labs, probes and claimed metros are known as city points (RIPE
 *  Atlas shows probe positions as their hosts set them; a cloud region's metro point can be tens of km from its data
 *  centres, e.g. us-east-1 in Ashburn vs. Sterling), so a refutation must never rest on a position's precision.
 *  50 km covers a metro area (Greater London's radius is ~30 km). */
export const VANTAGE_POSITION_SLACK_KM = 50;
/** Discs per destination kept for the exact "is the intersection empty" test (cubic in the count) after discs that
 *  contain a smaller one are dropped (they never bind); the smallest are kept, and every point test still uses all. */
export const VANTAGE_MAX_BINDING_DISCS = 300;
/** Disjoint disc pairs named per anycast address (the widest gaps first); the rest are counted. */
export const VANTAGE_MAX_ANYCAST_PAIRS_LISTED = 5;

// ---------------------------------------------------------------- logs (Zeek, Suricata eve.json as input)
/** Longest log line read (a Zeek conn.log line is ~300 bytes; an eve.json tls event with a certificate chain a few
 *  KiB; Suricata's default eve-log buffer grows to 64 KiB). Longer lines are skipped (anomaly `log_line_too_long`). */
export const MAX_LOG_LINE_BYTES = 1 << 20;
/** Bytes of a file read to decide what it is (a Zeek TSV header is under 1 KiB; one eve.json line suffices). */
export const LOG_SNIFF_BYTES = 64 * 1024;
/** Zeek ssl.log/quic.log/http.log rows (and eve.json tls/quic/http events) held for the join with their flow, by
 *  uid or flow_id. A conn.log may be GBs and is streamed; the side logs are read first and kept until their flow
 *  comes (~200 bytes each: 200 MB at most). Beyond this the oldest are dropped (anomaly `log_join_cap_reached`):
 *  their flows lose the name those rows gave. */
export const MAX_LOG_JOIN_ENTRIES = 1_000_000;
/** DNS answers (one per address a response names) kept to name the flows of logs as of their start time. A
 *  Zeek conn.log is not in start order, so naming looks answers up by time rather than replaying them once; the
 *  oldest are dropped beyond this (anomaly `log_dns_timeline_cap_reached`). */
export const MAX_LOG_DNS_NAMINGS = 1_000_000;
/** Malformed log lines reported as warnings (file and line) per input; the rest are only counted. */
export const MAX_LOG_WARNINGS = 20;
/** Link-layer header assumed per packet when eve.json byte counts (whole frames, Suricata's GET_PKT_LEN) are turned
 *  into our IP payload bytes: Ethernet II without VLAN tags (IEEE 802.3), as on the mirror ports Suricata sensors
 *  watch; each VLAN id the event lists adds 4 bytes (IEEE 802.1Q). */
export const EVE_ETHERNET_HEADER_BYTES = 14;
export const EVE_VLAN_TAG_BYTES = 4;

// ---------------------------------------------------------------- PostgreSQL case store and distributed ingest (issue 17)
/** Rows per INSERT ... SELECT FROM unnest() of the PostgreSQL store: one array per column, so no parameter limit
 *  (65,535 per statement) applies; 1,000 and 5,000 measured the same (~24k flows/s, docs/scale-out.md), and 2,000
 *  keeps one statement's arrays near 1 MB. */
export const PG_INSERT_BATCH_ROWS = 2000;
/** Rows fetched per round trip from a server-side cursor when the store is iterated (audit aggregates, flows.csv). */
export const PG_CURSOR_FETCH_ROWS = 1000;
/** Connections one process opens to the PostgreSQL store (a worker with --jobs 1 uses 2; the audit 1-2). */
export const PG_POOL_MAX = 4;
/** How long connecting to the PostgreSQL store may take before it is reported unreachable (store_unopenable). */
export const PG_CONNECT_TIMEOUT_MS = 30_000;
/** Failed attempts of an ingest job before it is given up (a worker that died, a worker that refused the job). */
export const JOB_RETRY_LIMIT = 3;
/** pg-boss's own expiry of a running job, the backstop when no coordinator watches the workers' locks: at least
 *  this long, plus the capture's size at JOB_EXPIRE_BYTES_PER_S (the slowest worker rate measured, on a machine
 *  loaded 10 runnable processes per core, docs/scale-out.md; ~19 MB per CPU-second unloaded), so a job still
 *  running on a live worker is not expired. Were it expired, the retry finds the capture stored or waits for it. */
export const JOB_EXPIRE_MIN_S = 15 * 60;
export const JOB_EXPIRE_BYTES_PER_S = 1_000_000;
/** A running job whose worker's lock is free is only taken for lost after this long (the worker locks the job
 *  right after taking it). */
export const JOB_LIVENESS_GRACE_S = 3;
/** A coordinator whose jobs no worker has taken for this long says how to start one (once). */
export const JOB_NO_WORKER_HINT_S = 30;
/** How often an idle worker asks the queue for a job, and a coordinator looks at its jobs. */
export const JOB_POLL_MS = 500;
/** TCP keepalive idle time of a worker's lock connection, set on the server's side: a machine that vanishes loses
 *  its job locks after about twice this (idle + 3 probes a third of it apart). */
export const JOB_LOCK_KEEPALIVE_S = 30;
