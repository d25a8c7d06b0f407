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
/** Client Initials per QUIC flow tried with every Initial salt when the version's own salt is unknown or uncertain
 *  (versions.ts TRIAL_SALTS, six key derivations and AEAD checks each): a real client's first Initial decides, the
 *  second covers a first one cut short; more would let a capture of look-alike UDP flows cost ~0.2 ms a datagram. */
export const MAX_QUIC_TRIAL_INITIALS = 2;
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
/** Distinct DNS names whose region/edge hint is remembered per GeoLocator (cleared and refilled beyond). */
export const GEO_MAX_CACHED_NAMES = 100_000;
/** A handshake RTT under this (ms) cannot have crossed a real network to a remote server: PCAPdroid's non-root
 *  VPN mode answers SYNs locally in well under 1 ms. */
export const GEO_SYNTHESIZED_RTT_MS = 1;
/** Fewer flows with an RTT than this and "every RTT is sub-millisecond" is not evidence of synthesis. */
export const GEO_SYNTHESIZED_MIN_FLOWS = 3;
/** Largest provider range file (ip-ranges.json is ~2 MB today) accepted from a geo dir. */
export const GEO_MAX_RANGES_FILE_BYTES = 64 << 20;
/** Bytes read at once from a geolocation data file (mmdb, ASN CSV: geo/paged-file.ts): a lookup reads the pages
 *  its tree walk, record or bisection touches. 4 KiB, the kernel's page. */
export const GEO_PAGE_BYTES = 4096;
/** Pages kept per data file (8 MiB at 4 KiB): more than the few hundred pages a capture's few thousand addresses
 *  touch in one file; when full, the oldest page is dropped (and read again if needed). */
export const GEO_PAGE_CACHE_PAGES = 2048;
/** ASN ranges remembered per ASN table (geo/asn-table.ts), each with the addresses it answers, so that an address in
 *  a range found before needs no bisection (~25 line parses): the 1 GB bench capture's 2,334 public addresses lie in
 *  280 ranges. Scanned linearly (a few µs when full, less than one bisection); cleared when full. */
export const GEO_ASN_CACHED_RANGES = 1024;
/** Decoded records remembered per mmdb file, by their place in the data section: many addresses share one record
 *  (the 1 GB bench capture's 2,334 addresses reach 405 records over 5 files). Cleared when full. */
export const GEO_MMDB_CACHED_RECORDS = 4096;
/** Nesting (maps, arrays, pointers) of one mmdb value: real records nest 4 deep; a pointer loop stops here. */
export const GEO_MMDB_MAX_DEPTH = 32;
/** Values decoded for one mmdb record: a GeoIP2 City record has ~150; pointers to shared maps could otherwise make a
 *  small hostile file decode for ever. Past it the record is unreadable (the source answers nothing). */
export const GEO_MMDB_MAX_RECORD_VALUES = 100_000;

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
/** Measurements cited per ruled-out position and per verdict reason in reports: with a thousand Atlas probes every
 *  one of them may exclude a far position, and the first few (farthest beyond first) already prove it. */
export const REPORT_MAX_MEASUREMENTS_CITED = 10;
/** Feasible regions listed in report.json and drawn on the map (addresses a measurement file measured,
 *  by upload bytes): the map stays readable and the report small; the rest are counted. */
export const REPORT_MAX_FEASIBLE_REGIONS = 100;
/** Discs listed per feasible region (binding ones first): the binding discs draw the region; more are noise. */
export const REPORT_MAX_DISCS_PER_REGION = 20;

// ---------------------------------------------------------------- logs (Zeek, Suricata eve.json as input)
/** Longest log line read (a Zeek conn.log line is ~300 bytes; an eve.json tls event with a certificate chain a few
 *  KiB; Suricata's default eve-log buffer grows to 64 KiB). Longer lines are skipped (anomaly `log_line_too_long`). */
export const MAX_LOG_LINE_BYTES = 1 << 20;
/** Bytes of a file read to decide what it is (a Zeek TSV header is under 1 KiB; one eve.json line suffices). */
export const LOG_SNIFF_BYTES = 64 * 1024;
/** Heap bytes per Zeek ssl.log/quic.log/http.log row (or eve.json tls/quic/http event) held for the join with its
 *  flow, by uid or flow_id: 288 measured (process.memoryUsage() after gc(), 200,000 rows of an 18-character uid and a
 *  45-character SNI). A conn.log may be GBs and is streamed; the side logs are read first and kept until their flow
 *  comes. Their number is bounded by the memory budget (MemoryLimits.logJoinRows); beyond it the oldest are dropped
 *  (anomaly `log_join_cap_reached`): their flows lose the name those rows gave. */
export const LOG_JOIN_ROW_BYTES = 320;
/** Heap bytes per DNS answer (one per address a response names) kept to name the flows of logs as of their start
 *  time: 609 measured per timeline entry (with its share of the naming cache) and 642 per Zeek dns.log response held
 *  until they are put in time order; both are held while the timeline is built. A Zeek conn.log is not in start
 *  order, so naming looks answers up by time rather than replaying them once; beyond MemoryLimits.logDnsAnswers the
 *  oldest are dropped (anomaly `log_dns_timeline_cap_reached`). */
export const LOG_DNS_ANSWER_BYTES = 1280;
/** Shares of the whole budget a log input's join rows and DNS answers take (a log run has no live flows, reassembly
 *  or fragments: the parts a capture run gives those go to these two). */
export const BUDGET_SHARE_LOG_JOIN = 0.55;
export const BUDGET_SHARE_LOG_DNS = 0.45;
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
/** Characters of COPY text sent per CopyData message by the PostgreSQL store's bulk load: ~64 KB keeps the socket
 *  busy without holding a whole batch as one string (a flow row is ~300 characters). */
export const PG_COPY_CHUNK_CHARS = 65_536;
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

// ---------------------------------------------------------------- jobs (--jobs: several cores, src/jobs/)
/** Largest --jobs: workers beyond the core count only add memory (each has its own flow table and naming cache). */
export const MAX_JOBS = 64;
/** Packets a split capture's reader hands to a worker per shared-memory batch (src/jobs/split.ts): large enough that
 *  the hand-over (one Atomics.notify per batch) costs nothing per packet, small enough that workers start at once. */
export const SPLIT_BATCH_PACKETS = 4096;
/** Bytes of one shared chunk the reader reads the capture into for the workers (src/jobs/split.ts), as large as the
 *  single-threaded reader's READ_CHUNK_BYTES; a record straddling two reads is copied after a chunk's bytes. */
export const SPLIT_CHUNK_BYTES = 4 << 20;
/** Shared chunks in flight per split run: the reader waits when every chunk is still being read by some worker
 *  (few: first-touching fresh memory costs ~6 ms per MB on the project's VM, docs/performance.md). */
export const SPLIT_CHUNKS = 4;
/** Captures smaller than this are not split across workers. Measured on the 2-core VM (docs/performance.md,
 *  2026-12-06 "one capture on two cores"): a worker costs ~0.2 s of CPU to start and ~0.25 s more of V8 compiling
 *  and collecting for its own isolate, and the reading thread of a split run spends as much CPU as the whole
 *  --jobs 1 run (it reads, routes, merges and writes for every record): --jobs 2 was slower than --jobs 1 at 75 MB
 *  (0.65x), 300 MB (0.52x) and 1 GB (0.55x). Below 1 GiB a split is not started; above, it is for machines where it
 *  is measured. */
export const SPLIT_MIN_BYTES = 1 << 30;

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
  /** Log inputs (src/logs): side-log rows held for their flow (`log_join_cap_reached`) and DNS answers kept to
   *  name flows by time (`log_dns_timeline_cap_reached`). */
  readonly logJoinRows: number;
  readonly logDnsAnswers: number;
}

/** The limits of a budget of `budgetMb` MiB (clamped to [MEMORY_BUDGET_MIN_MB, MEMORY_BUDGET_MAX_MB]), for one of
 *  `shards` analysers sharing it (a split run, src/jobs/split.ts): each gets 1/shards of every part but the fragment
 *  buffers, which each shard's decoder holds in full (fragments go to every shard). */
export function memoryLimits(budgetMb: number = MEMORY_BUDGET_DEFAULT_MB, shards = 1): MemoryLimits {
  const mb = Math.min(MEMORY_BUDGET_MAX_MB, Math.max(MEMORY_BUDGET_MIN_MB, budgetMb));
  const frag = MAX_FRAG_PENDING_BYTES;
  const rest = (mb * 1048576 - frag) / Math.max(1, Math.floor(shards));
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
    // A log input is read by one analyser (never split): the whole budget, not a shard's part.
    logJoinRows: Math.floor((mb * 1048576 * BUDGET_SHARE_LOG_JOIN) / LOG_JOIN_ROW_BYTES),
    logDnsAnswers: Math.floor((mb * 1048576 * BUDGET_SHARE_LOG_DNS) / LOG_DNS_ANSWER_BYTES),
  };
}

// ---------------------------------------------------------------- the case store's own memory (issue 14; docs/memory.md)
// SQLite allocates outside the V8 heap, so the shares above do not count it; it is bounded here instead, per store
// connection, from the same budget (RESIDENCY_MEMORY_BUDGET_MB for `ingest`, `audit`, `report`, `regress`):
// the store's page cache and that of its TEMP database (the audit's group tables, audit/aggregate.ts) each hold at
// most STORE_CACHE_SHARE x the budget; a sort for ORDER BY or GROUP BY keeps at most that much in memory before it
// writes sorted runs to a temporary file (SQLite sizes its sorter by the main cache_size); each temporary b-tree a
// statement opens (DISTINCT, GROUP BY or ORDER BY ... LIMIT) caches up to 16 MiB, better-sqlite3's compile-time
// SQLITE_DEFAULT_CACHE_SIZE, which no pragma changes, and goes to its temporary file past that (temp_store FILE).
// An audit statement opens at most two of them: SQLite holds at most 3 x STORE_CACHE_SHARE x budget + 32 MiB
// (80 MiB at the default budget), whatever the number of flows.
/** Share of the memory budget each SQLite cache of a store connection may hold (page cache, TEMP page cache,
 *  in-memory sort). 0.5 keeps the default budget's 16 MiB, SQLite's size in this build before the store set it
 *  (so no query slowed), and grows with a budget raised for a busy network. */
export const STORE_CACHE_SHARE = 0.5;
/** Floor of each SQLite cache (KiB): SQLite's own historical default (2,000 KiB); below it joins re-read pages. */
export const STORE_CACHE_MIN_KIB = 2000;
/** Bytes of the store file SQLite may map into memory (mmap_size): 0, reads go through the page cache above. Mapped
 *  pages count in the process's RSS for as long as the mapping lives: up to the whole store (670 MB for a capture
 *  of 965,000 flows), which no budget could hold. */
export const STORE_MMAP_BYTES = 0;
/** Cap of the in-memory temporary b-trees (KiB) in this build of SQLite: SQLITE_DEFAULT_CACHE_SIZE of better-sqlite3
 *  (stated, not set: `PRAGMA compile_options` shows it; test/store/memory-pragmas.test.ts checks it). */
export const SQLITE_EPHEMERAL_CACHE_KIB = 16_000;

/** SQLite's caches for a memory budget of `budgetMb` MiB (openStore sets them as pragmas). */
export function storeMemory(budgetMb: number = MEMORY_BUDGET_DEFAULT_MB): { cacheKib: number; mmapBytes: number } {
  const mb = Math.min(MEMORY_BUDGET_MAX_MB, Math.max(MEMORY_BUDGET_MIN_MB, budgetMb));
  return { cacheKib: Math.max(STORE_CACHE_MIN_KIB, Math.floor(mb * 1024 * STORE_CACHE_SHARE)), mmapBytes: STORE_MMAP_BYTES };
}
