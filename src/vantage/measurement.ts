// Owns the normalised measurement every vantage parser produces (one minimum RTT per vantage point and
// destination, with the file and line it came from), the problems a parser reports instead of throwing (a stable
// snake_case code, the file and the line), and the address normal form destinations are compared in (the one flow
// records use: node:net's, i.e. RFC 5952 for IPv6).

import { isIP, SocketAddress } from 'node:net';
import { VANTAGE_MAX_ISSUES_LISTED_PER_FILE } from '../limits.js';

/** Where a measurement was taken from: a lab of the claims file or a RIPE Atlas probe. */
export interface VantagePoint {
  /** Stable id: the lab's key in the claims file (`frankfurt`), or `atlas:<probe id>` (`atlas:6001`). */
  id: string;
  /** For sentences: the lab's name, or `RIPE Atlas probe 6001`. */
  name: string;
  lat: number;
  lon: number;
  /** ISO 3166-1 alpha-2 when known (labs always; Atlas probes from `country_code`). */
  country?: string;
}

/** Where in which file a measurement or a problem is. `line` is 1-based; `index` is the position in a JSON list. */
export interface SourceRef {
  /** The file as the claims file names it (relative to the claims file). */
  file: string;
  line?: number;
  index?: number;
  /** A capture's handshake: the flow (flow_id) whose handshake gave the minimum. */
  flow?: number;
}

/** The smallest round trip one vantage point measured to one destination address. */
export interface Measurement {
  vantage: VantagePoint;
  /** The destination address in flow-record form (`192.0.2.1`, `2001:db8::1`). */
  dst_addr: string;
  /** Smallest RTT over every reply (ms); duplicates and timeouts are not replies. */
  min_rtt_ms: number;
  /** Replies behind the minimum: every reply from this vantage point to this address in the file. */
  samples: number;
  /** Unix time (s) of the run that gave the minimum, when the file says. */
  timestamp?: number;
  /** Where the minimum is in the file. */
  source: SourceRef;
}

export type MeasurementKind = 'ripe-atlas' | 'ping' | 'mtr';

/** A problem in a measurement file: `error` for damage (malformed JSON, a line that cannot be read), `skipped`
 *  for input that is valid but not a usable measurement (no reply, a traceroute result, a probe without position). */
export interface ParseIssue {
  code: string;
  severity: 'error' | 'skipped';
  file: string;
  line?: number;
  index?: number;
  message: string;
}

export interface ParseResult {
  measurements: Measurement[];
  /** The first VANTAGE_MAX_ISSUES_LISTED_PER_FILE problems, in file order. */
  issues: ParseIssue[];
  /** Problems not listed (beyond the cap). */
  issues_omitted: number;
}

/** `file:line: message` (or `file: [index]: message`), for warnings on stderr. */
export function issueText(i: ParseIssue): string {
  const where = i.line !== undefined ? `${i.file}:${i.line}` : i.index !== undefined ? `${i.file}: [${i.index}]` : i.file;
  return `${where}: ${i.message} (${i.code})`;
}

/** The address in flow-record form, or undefined when `s` is not an IPv4/IPv6 address (zone ids are refused). */
export function canonicalIp(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  const t = s.trim();
  const family = isIP(t);
  if (family === 0 || t.includes('%')) return undefined;
  try {
    return new SocketAddress({ address: t, family: family === 4 ? 'ipv4' : 'ipv6' }).address;
  } catch {
    return undefined;
  }
}

/** A finite number >= 0, else undefined (accepts numeric strings, as some writers quote numbers). */
export function rttValue(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Collects one file's measurements, keeping the minimum RTT per (vantage point, destination), and its problems up
 * to the listing cap. Parsers feed it; `result()` gives the list sorted by destination, then vantage id.
 */
export class MeasurementCollector {
  private readonly best = new Map<string, Measurement>();
  private readonly issues: ParseIssue[] = [];
  private omitted = 0;

  constructor(readonly file: string) {}

  add(m: Measurement): void {
    const key = `${m.vantage.id}\u0000${m.dst_addr}`;
    const prev = this.best.get(key);
    if (prev === undefined) {
      this.best.set(key, m);
      return;
    }
    const samples = prev.samples + m.samples;
    if (m.min_rtt_ms < prev.min_rtt_ms) this.best.set(key, { ...m, samples });
    else prev.samples = samples;
  }

  issue(code: string, severity: ParseIssue['severity'], message: string, at: { line?: number; index?: number } = {}): void {
    if (this.issues.length >= VANTAGE_MAX_ISSUES_LISTED_PER_FILE) {
      this.omitted++;
      return;
    }
    const i: ParseIssue = { code, severity, file: this.file, message };
    if (at.line !== undefined) i.line = at.line;
    if (at.index !== undefined) i.index = at.index;
    this.issues.push(i);
  }

  result(): ParseResult {
    const measurements = [...this.best.values()].sort(compareMeasurements);
    return { measurements, issues: this.issues, issues_omitted: this.omitted };
  }
}

/** One list from several (files, labs and probes): the minimum RTT per (vantage point, destination), replies
 *  summed, sorted as a collector sorts. Never mutates its input. */
export function mergeMeasurements(lists: readonly (readonly Measurement[])[]): Measurement[] {
  const best = new Map<string, Measurement>();
  for (const list of lists) {
    for (const m of list) {
      const key = `${m.vantage.id}\u0000${m.dst_addr}`;
      const prev = best.get(key);
      if (prev === undefined) best.set(key, m);
      else {
        const keep = m.min_rtt_ms < prev.min_rtt_ms ? m : prev;
        best.set(key, { ...keep, samples: prev.samples + m.samples });
      }
    }
  }
  return [...best.values()].sort(compareMeasurements);
}

function compareMeasurements(a: Measurement, b: Measurement): number {
  if (a.dst_addr !== b.dst_addr) return a.dst_addr < b.dst_addr ? -1 : 1;
  return a.vantage.id < b.vantage.id ? -1 : a.vantage.id > b.vantage.id ? 1 : 0;
}

/** Lines of `text` without their terminators (LF, CRLF or CR), with a UTF-8 BOM removed from the first. */
export function textLines(text: string): string[] {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\n|\r/);
}
