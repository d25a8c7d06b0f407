// Records passed between stages. Owns the shapes only: no behaviour lives here.
// Field names follow the issues and the tshark oracle (snake_case, absent values omitted).

/** Timestamps in records are Unix epoch seconds as a float (microsecond precision kept). */
export type EpochSeconds = number;

/** A non-fatal problem met while reading or decoding; counted per capture, attached to a flow where one exists. */
export interface Anomaly {
  /** snake_case with a protocol prefix: `pcap_truncated_record`, `tls_client_hello_too_long`, `dns_malformed` ... */
  code: string;
  message: string;
  /** Byte offset in the (decompressed) capture stream where it was met, where known. */
  offset?: number;
  frame?: number;
  /** Line of a log file (Zeek, eve.json) where it was met, 1-based. */
  line?: number;
}

// ---------------------------------------------------------------- oracle shape (`residency extract`)

export interface OracleDnsAnswer {
  name: string;
  type: string;
  data: string;
}

export interface OracleDnsEntry {
  frame: number;
  ts: EpochSeconds;
  transport: 'udp' | 'tcp';
  client_ip: string;
  server_ip: string;
  id: number;
  is_response: boolean;
  qname: string;
  qtype: string | null;
  rcode: string;
  answers: OracleDnsAnswer[];
}

export interface OracleSniEntry {
  frame: number;
  client_ip: string;
  client_port: number;
  server_ip: string;
  server_port: number;
  sni: string;
}

export interface OracleHostEntry {
  frame: number;
  client_ip: string;
  client_port: number;
  server_ip: string;
  server_port: number;
  host: string;
}

export interface OracleDoc {
  capture: string;
  oracle: string;
  dns: OracleDnsEntry[];
  tls_sni: OracleSniEntry[];
  quic_sni: OracleSniEntry[];
  http_host: OracleHostEntry[];
}

// ---------------------------------------------------------------- DNS

export interface DnsAnswer {
  name: string;
  /** Type mnemonic (`A`, `CNAME`, `HTTPS`, `TYPE65534` ...). */
  type: string;
  /** Address for A/AAAA, target name for CNAME/NS/PTR/...; see README. */
  data: string;
  ttl: number;
  /** ipv4hint/ipv6hint addresses of SVCB/HTTPS records. */
  hints?: string[];
}

/** One DNS transaction: a query matched with its response (either may be missing). */
export interface DnsRecord {
  ts: EpochSeconds;
  /** Frame of the query (of the response when no query was seen); absent for records read from logs. */
  frame?: number;
  /** uid of the flow that carried the query (of the response when no query was seen): see FlowRecord.uid. */
  uid?: string;
  transport: 'udp' | 'tcp';
  /** `dns`, `mdns` or `llmnr`. */
  protocol: 'dns' | 'mdns' | 'llmnr';
  client_ip: string;
  client_port: number;
  server_ip: string;
  server_port: number;
  id: number;
  qname: string;
  qtype: number | null;
  qtype_name: string | null;
  rcode?: number;
  rcode_name?: string;
  /** Frame of the response, when one was seen (what a flow's `dns_frame` points at). */
  response_frame?: number;
  answers: DnsAnswer[];
  /** Response time in milliseconds, when both halves were seen. */
  rtt_ms?: number;
  query_seen: boolean;
  response_seen: boolean;
}

// ---------------------------------------------------------------- flows

/** How a flow got its name. Reports add `network` (src/audit/report-model.ts): flow records never carry it. */
export type NameSource = 'tls_sni' | 'quic_sni' | 'http_host' | 'dns' | 'dns_https_hint';

export interface FlowRecord {
  /** Stable id within one capture: `<first frame>-<transport>`-free integer assigned in creation order. */
  flow_id: number;
  /** Zeek-form flow id (`C` + base62): deterministic for captures and Suricata logs, Zeek's own for Zeek logs. */
  uid?: string;
  /** Community ID v1 (seed 0) of the flow's tuple: the same string Zeek, Suricata, Arkime and Wireshark print. */
  community_id?: string;
  transport: 'tcp' | 'udp';
  ip_version: 4 | 6;
  client_ip: string;
  client_port: number;
  server_ip: string;
  server_port: number;
  /** Client MAC address when the link layer carries one. */
  client_mac?: string;
  vlan?: number;
  first_seen: EpochSeconds;
  last_seen: EpochSeconds;
  /** Frame number of the first packet; absent for flows read from logs (they number no frames). */
  first_frame?: number;
  packets_up: number;
  packets_down: number;
  /** IP payload bytes (L4 header + data), as the IP header states them. */
  bytes_up: number;
  bytes_down: number;
  /** Application payload bytes (after the TCP/UDP header); absent for flows read from logs that do not say. */
  payload_up?: number;
  payload_down?: number;
  /** TCP flags seen in either direction, in the order `SAFRPU` (letters present). */
  tcp_flags?: string;
  /** Why the flow record was closed: `fin`, `rst`, `idle`, `end` (capture ended), `reuse` (port reused); absent
   *  when a log cannot say. */
  end_reason?: 'fin' | 'rst' | 'idle' | 'end' | 'reuse';
  /** SNI from a TLS ClientHello over TCP (or DTLS over UDP). */
  sni?: string;
  /** SNI from the QUIC Initial's ClientHello. */
  quic?: string;
  /** QUIC version of the client's Initial, e.g. `v1`, `v2`, `draft-29`. */
  quic_version?: string;
  http_host?: string;
  hostname?: string;
  name_source?: NameSource;
  /** CNAME chain from the queried name to the name that owned the address (DNS attribution only). */
  cname_chain?: string[];
  /** DNS name the client asked for when the flow was attributed via DNS. */
  dns_qname?: string;
  /** uid of the flow carrying the DNS response that gave `dns_qname` (the DNS record's `uid`). */
  dns_uid?: string;
  /** Frame of that DNS response (the DNS record's `response_frame`); absent for logs. */
  dns_frame?: number;
  /** Handshake round trip at the capture point: TCP SYN -> SYN/ACK, or QUIC client Initial -> server Initial. */
  rtt_ms?: number;
  rtt_source?: 'tcp_handshake' | 'quic_initial';
  /** true when the ClientHello carries encrypted_client_hello (0xfe0d): `sni` is then the outer public name. */
  ech?: boolean;
  alpn?: string[];
  /** TLS versions offered (supported_versions, else legacy_version), e.g. `TLS1.3`. */
  tls_versions?: string[];
  /** App package from PCAPdroid metadata, where present. */
  app?: string;
  app_uid?: number;
  anomalies?: string[];
}

/** Where an address is, by consensus, and who runs it: shared by lookups and flow records. */
export interface GeoPlace {
  country?: string;
  city?: string;
  lat?: number;
  lon?: number;
  asn?: number;
  as_org?: string;
  provider?: string;
  region?: string;
  region_source?: RegionSource;
}

/** Geolocation fields merged into a flow by `residency flows` (absent with `--no-geo`). */
export interface FlowGeoFields extends GeoPlace {
  country_agreement?: CountryAgreement;
  /** `rtt` when sources disputed the country and the handshake RTT set aside every source placing the server
   *  where it cannot be: the country (and place) is then what the remaining sources say. Absent otherwise. */
  country_settled_by?: 'rtt';
  edge?: boolean;
  geo_sources?: GeoSourceAnswer[];
  /** Physical plausibility of the consensus location given the RTT and a vantage point. */
  physical?: 'plausible' | 'impossible' | 'unchecked';
}

// ---------------------------------------------------------------- capture summary

export interface CaptureSummary {
  file: string;
  /** SHA-256 of the file bytes as stored (before decompression); absent when hashing was off. */
  sha256?: string;
  size_bytes: number;
  /** Capture format, or for logs read as input: `zeek-tsv`, `zeek-json`, `suricata-eve`. */
  format: 'pcap' | 'pcapng' | 'unknown' | 'zeek-tsv' | 'zeek-json' | 'suricata-eve';
  gzip: boolean;
  /** `pcap` only: `us` or `ns`; `pcapng`: resolutions of the interfaces. */
  ts_resolution?: string;
  byte_order?: 'le' | 'be';
  link_types: number[];
  packets: number;
  bytes_captured: number;
  first_ts?: EpochSeconds;
  last_ts?: EpochSeconds;
  flows: number;
  dns_messages: number;
  /** Counters: `non_ip`, `unknown_link_type`, `icmp`, `ip_fragments`, `reassembled_datagrams`, ... */
  counters: Record<string, number>;
  anomalies: Record<string, number>;
  warnings: Anomaly[];
  /** True when the file ended early or a damaged record stopped reading. */
  truncated: boolean;
  /** pcapng comments and metadata kept (SHB/IDB options, interface names). */
  metadata?: Record<string, string>;
  /** Logs read as input: the files read, in order (Zeek: the ssl, quic, http and dns logs, then the conn logs). */
  log_files?: string[];
  /** Logs read as input: lines read (records, headers and damaged lines). */
  log_lines?: number;
  /** PCAPdroid-style locally synthesised handshakes suspected (see flow/synthesized-handshakes.ts). */
  synthesized_handshakes?: boolean;
}

// ---------------------------------------------------------------- geolocation

export type CountryAgreement = 'agree' | 'disputed' | 'single-source' | 'unknown' | 'private';
export type RegionSource = 'provider-ranges' | 'dns-name' | 'nearest-city';

export interface GeoSourceAnswer {
  /** Source id, e.g. `geolite2-city`, `dbip-city`, `geo-whois-asn-country`, `maxmind-city`. */
  source: string;
  country?: string;
  city?: string;
  lat?: number;
  lon?: number;
  /** Physical plausibility of this source's location from the flow's RTT (absent when unchecked). */
  physical?: 'plausible' | 'impossible';
}

export interface GeoResult extends GeoPlace {
  ip: string;
  /** `private` for bogons, RFC 1918, CGNAT, link-local, ULA, multicast ... */
  scope: 'public' | 'private';
  sources: GeoSourceAnswer[];
  country_agreement: CountryAgreement;
  /** `rtt` when the RTT check settled a dispute (see FlowGeoFields.country_settled_by). */
  country_settled_by?: 'rtt';
  edge: boolean;
  /** Why the address is treated as an edge (`cloudflare anycast`, `cloudfront`, ...). */
  edge_reason?: string;
  /** Why the address is not geolocated when scope is `private`: `rfc1918`, `cgnat`, `ula`, `invalid` ... */
  private_reason?: string;
  /** Physical plausibility of the consensus location (absent unless a vantage point and an RTT were given). */
  physical?: 'plausible' | 'impossible' | 'unchecked';
  /** The RTT bound used for `physical`: farthest the server can be, km (RTT x 100 km/ms). */
  max_distance_km?: number;
}

export interface GeoProvenance {
  source: string;
  kind: 'mmdb' | 'asn-csv' | 'provider-table' | 'provider-ranges';
  file: string;
  sha256: string;
  /** mmdb build_epoch as ISO date, or package version, or the ranges' createDate. */
  version?: string;
  build_date?: string;
  database_type?: string;
  licence?: string;
  /** Why the file answered nothing or less than asked (`not used: ...`, `damaged: ...`); absent when it read cleanly. */
  problem?: string;
}

// ---------------------------------------------------------------- audit

export type Verdict = 'confirmed' | 'refuted' | 'inconclusive' | 'unobservable';
