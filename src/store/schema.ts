// The case store's schema, as an ordered list of migrations. `PRAGMA user_version` holds how many have been
// applied; db.ts applies the missing ones in one transaction at open. Never edit a shipped migration: append one.

export const MIGRATIONS: readonly string[] = [
  // 1: captures, their flows, DNS transactions and names; geolocation per address; audits, claims, verdicts.
  `
  CREATE TABLE captures (
    id            INTEGER PRIMARY KEY,
    sha256        TEXT NOT NULL UNIQUE,
    path          TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    format        TEXT NOT NULL,
    gzip          INTEGER NOT NULL,
    packets       INTEGER NOT NULL,
    link_types    TEXT NOT NULL,          -- JSON array of DLT numbers
    first_ts      REAL,
    last_ts       REAL,
    flow_count    INTEGER NOT NULL,
    dns_messages  INTEGER NOT NULL,
    truncated     INTEGER NOT NULL,
    vendor        TEXT,
    device        TEXT,
    tool_version  TEXT NOT NULL,
    options       TEXT NOT NULL,          -- JSON: analysis options used
    summary       TEXT NOT NULL,          -- JSON: the full CaptureSummary
    ingested_at   TEXT NOT NULL
  );

  CREATE TABLE flows (
    capture_id    INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
    flow_id       INTEGER NOT NULL,
    transport     TEXT NOT NULL,
    ip_version    INTEGER NOT NULL,
    client_ip     TEXT NOT NULL,
    client_port   INTEGER NOT NULL,
    server_ip     TEXT NOT NULL,
    server_port   INTEGER NOT NULL,
    client_mac    TEXT,
    vlan          INTEGER,
    first_seen    REAL NOT NULL,
    last_seen     REAL NOT NULL,
    first_frame   INTEGER NOT NULL,
    packets_up    INTEGER NOT NULL,
    packets_down  INTEGER NOT NULL,
    bytes_up      INTEGER NOT NULL,
    bytes_down    INTEGER NOT NULL,
    payload_up    INTEGER NOT NULL,
    payload_down  INTEGER NOT NULL,
    tcp_flags     TEXT,
    end_reason    TEXT NOT NULL,
    sni           TEXT,
    quic          TEXT,
    quic_version  TEXT,
    http_host     TEXT,
    hostname      TEXT,
    name_source   TEXT,
    cname_chain   TEXT,                   -- JSON array
    dns_qname     TEXT,
    rtt_ms        REAL,
    rtt_source    TEXT,
    ech           INTEGER,
    alpn          TEXT,                   -- JSON array
    tls_versions  TEXT,                   -- JSON array
    app           TEXT,
    app_uid       INTEGER,
    anomalies     TEXT,                   -- JSON array
    -- geolocation fields (FlowGeoFields), filled by the audit's enrichment step; NULL until then
    country           TEXT,
    country_agreement TEXT,
    city              TEXT,
    lat               REAL,
    lon               REAL,
    asn               INTEGER,
    as_org            TEXT,
    provider          TEXT,
    region            TEXT,
    region_source     TEXT,
    edge              INTEGER,
    physical          TEXT,
    geo_sources       TEXT,               -- JSON array of GeoSourceAnswer
    PRIMARY KEY (capture_id, flow_id)
  ) WITHOUT ROWID;
  CREATE INDEX flows_server ON flows(server_ip);

  CREATE TABLE dns (
    capture_id    INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,       -- order of emission within the capture
    ts            REAL NOT NULL,
    frame         INTEGER NOT NULL,
    transport     TEXT NOT NULL,
    protocol      TEXT NOT NULL,
    client_ip     TEXT NOT NULL,
    client_port   INTEGER NOT NULL,
    server_ip     TEXT NOT NULL,
    server_port   INTEGER NOT NULL,
    dns_id        INTEGER NOT NULL,
    qname         TEXT NOT NULL,
    qtype         INTEGER,
    qtype_name    TEXT,
    rcode         INTEGER,
    rcode_name    TEXT,
    answers       TEXT NOT NULL,          -- JSON array of DnsAnswer
    rtt_ms        REAL,
    query_seen    INTEGER NOT NULL,
    response_seen INTEGER NOT NULL,
    PRIMARY KEY (capture_id, seq)
  ) WITHOUT ROWID;

  -- Every name a flow is known by, with how it was obtained (sni, quic, http_host, hostname, dns_qname, cname).
  CREATE TABLE names (
    capture_id    INTEGER NOT NULL,
    flow_id       INTEGER NOT NULL,
    name          TEXT NOT NULL,
    source        TEXT NOT NULL,
    PRIMARY KEY (capture_id, flow_id, source, name),
    FOREIGN KEY (capture_id, flow_id) REFERENCES flows(capture_id, flow_id) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX names_name ON names(name);

  -- Geolocation of each server address, as last computed (per-source answers, consensus, provider, edge).
  CREATE TABLE geo (
    ip                TEXT PRIMARY KEY,
    scope             TEXT NOT NULL,
    sources           TEXT NOT NULL,      -- JSON array of GeoSourceAnswer
    country           TEXT,
    country_agreement TEXT NOT NULL,
    city              TEXT,
    lat               REAL,
    lon               REAL,
    asn               INTEGER,
    as_org            TEXT,
    provider          TEXT,
    region            TEXT,
    region_source     TEXT,
    edge              INTEGER NOT NULL,
    edge_reason       TEXT,
    updated_at        TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE audits (
    id            INTEGER PRIMARY KEY,
    claims_path   TEXT NOT NULL,
    claims_sha256 TEXT NOT NULL,
    tool_version  TEXT NOT NULL,
    options       TEXT NOT NULL,          -- JSON
    generated_at  TEXT NOT NULL
  );

  CREATE TABLE geo_provenance (
    audit_id      INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    file          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    version       TEXT,
    build_date    TEXT,
    database_type TEXT,
    licence       TEXT,
    PRIMARY KEY (audit_id, source)
  ) WITHOUT ROWID;

  CREATE TABLE claims (
    audit_id      INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    vendor        TEXT NOT NULL,
    claim_id      TEXT NOT NULL,
    text          TEXT NOT NULL,
    scope         TEXT NOT NULL,
    country       TEXT,
    provider      TEXT,
    region        TEXT,
    PRIMARY KEY (audit_id, vendor, claim_id)
  ) WITHOUT ROWID;

  CREATE TABLE verdicts (
    audit_id      INTEGER NOT NULL,
    vendor        TEXT NOT NULL,
    claim_id      TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    reasons       TEXT NOT NULL,          -- JSON array of {code, text}
    totals        TEXT NOT NULL,          -- JSON ClaimTotals
    evidence      TEXT NOT NULL,          -- JSON array of [capture sha256, flow_id, status]
    PRIMARY KEY (audit_id, vendor, claim_id),
    FOREIGN KEY (audit_id, vendor, claim_id) REFERENCES claims(audit_id, vendor, claim_id) ON DELETE CASCADE
  ) WITHOUT ROWID;
  `,
  // 2: Zeek-compatible identities (issue 18.5): each flow's uid and Community ID, the DNS transaction that named it
  // (the uid of the DNS flow and the response's frame), and each DNS transaction's flow uid and response frame.
  // Flows and DNS transactions read from logs (Zeek, Suricata) have no frame numbers and may not say why a flow
  // ended, and eve.json counts no payload bytes: they are stored as first_frame = 0, dns.frame = 0, end_reason = ''
  // and payload_up/payload_down = -1 (frames count from 1, '' is no end reason, no count is negative), and read
  // back as absent (records.ts).
  `
  ALTER TABLE flows ADD COLUMN uid TEXT;
  ALTER TABLE flows ADD COLUMN community_id TEXT;
  ALTER TABLE flows ADD COLUMN dns_uid TEXT;
  ALTER TABLE flows ADD COLUMN dns_frame INTEGER;
  ALTER TABLE dns ADD COLUMN uid TEXT;
  ALTER TABLE dns ADD COLUMN response_frame INTEGER;
  CREATE INDEX flows_uid ON flows(uid);
  CREATE INDEX flows_community_id ON flows(community_id);
  CREATE INDEX dns_uid ON dns(uid);
  `,
  // 3: geolocation computed once per capture, at ingest (or, for captures stored before, at their first audit):
  // the distinct vantage-independent results of a capture (flow_geo; sources without physical flags), each flow
  // pointing at one (flows.geo_id); the capture's geolocation data (provenance JSON) and whether its handshakes
  // were synthesised on the device (the reason, NULL when not). The vantage-dependent part (physical flags, a
  // dispute settled by RTT) is computed when a claims file's vantage is known (pipeline/back-half.ts).
  `
  CREATE TABLE flow_geo (
    capture_id        INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
    geo_id            INTEGER NOT NULL,
    country           TEXT,
    country_agreement TEXT,
    city              TEXT,
    lat               REAL,
    lon               REAL,
    asn               INTEGER,
    as_org            TEXT,
    provider          TEXT,
    region            TEXT,
    region_source     TEXT,
    edge              INTEGER NOT NULL,
    geo_sources       TEXT,               -- JSON array of GeoSourceAnswer; NULL for private addresses
    range_provider    TEXT,               -- provider id of the published ranges holding the address
    PRIMARY KEY (capture_id, geo_id)
  );
  ALTER TABLE flows ADD COLUMN geo_id INTEGER;
  ALTER TABLE captures ADD COLUMN geo_provenance TEXT;
  ALTER TABLE captures ADD COLUMN synthesized TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
