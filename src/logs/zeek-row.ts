// Owns the shape every Zeek log line becomes, whatever its syntax (TSV or JSON): a row of typed values keyed by
// Zeek's field names (`id.orig_h`, `orig_ip_bytes`, ...), and the typed accessors the record builders read it
// with. Absent (Zeek's unset `-`, a JSON key left out) is undefined; an empty set or vector is [].

export type ZeekScalar = string | number | boolean;
export type ZeekValue = ZeekScalar | ZeekScalar[];
export type ZeekRow = Map<string, ZeekValue>;

/** Which log a file holds (Zeek's `#path`, or the `_path` of JSON logs, else recognised by its fields). */
export type ZeekLogKind = 'conn' | 'ssl' | 'dns' | 'quic' | 'http' | 'other';

export function zeekKindOfPath(path: string): ZeekLogKind {
  // Rotated or per-worker names keep the stream name first (`conn`, `conn_red`, `dns-1`): Zeek's Log::Stream $path.
  const m = /^(conn|ssl|dns|quic|http)(?:$|[^a-z])/.exec(path);
  return m === null ? 'other' : (m[1] as ZeekLogKind);
}

/** The log a row's fields belong to, for logs that do not name their path (JSON without `_path`). */
export function zeekKindOfFields(has: (field: string) => boolean): ZeekLogKind {
  if (has('conn_state') || (has('orig_ip_bytes') && has('proto')) || (has('history') && has('orig_pkts'))) return 'conn';
  if (has('trans_id') || has('qtype_name') || has('qclass')) return 'dns';
  if (has('client_initial_dcid') || has('client_scid') || has('server_scid') || has('client_protocol')) return 'quic';
  // quic.log always has version and history; ssl.log always has resumed and established (&default).
  if (has('version') && has('history') && !has('established') && !has('resumed')) return 'quic';
  if (has('ssl_history') || has('cipher') || has('established') || has('resumed')) return 'ssl';
  if (has('trans_depth') || (has('method') && has('uri'))) return 'http';
  return 'other';
}

export function str(row: ZeekRow, field: string): string | undefined {
  const v = row.get(field);
  return typeof v === 'string' ? v : undefined;
}

/** A finite number (count, port, time, interval, double); undefined when absent or not a number. */
export function num(row: ZeekRow, field: string): number | undefined {
  const v = row.get(field);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A count: a non-negative integer. */
export function count(row: ZeekRow, field: string): number | undefined {
  const v = num(row, field);
  return v !== undefined && Number.isInteger(v) && v >= 0 ? v : undefined;
}

export function bool(row: ZeekRow, field: string): boolean | undefined {
  const v = row.get(field);
  return typeof v === 'boolean' ? v : undefined;
}

export function list(row: ZeekRow, field: string): ZeekScalar[] | undefined {
  const v = row.get(field);
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}
