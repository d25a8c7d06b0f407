// Owns the providers' official range files and their lookup: AWS ip-ranges.json (syncToken, createDate,
// prefixes with region/service/network_border_group; region GLOBAL and service CLOUDFRONT are edges), GCP
// cloud.json (syncToken, creationTime, prefixes with scope = region) and Oracle public_ip_ranges.json
// (last_updated_timestamp, regions[].cidrs[]). Parsing never throws: malformed files or entries are skipped.
// Lookup is longest-prefix match: one hash map per prefix length, probed from the longest length down.

import { GEO_MAX_RANGES_FILE_BYTES } from '../limits.js';
import fs from 'node:fs';
import { parseCidr } from './address.js';

export type RangeSource = 'aws-ip-ranges' | 'gcp-cloud' | 'oracle-public-ip-ranges';

export interface RangeEntry {
  /** providers.json id. */
  provider: string;
  region?: string;
  service?: string;
  edge?: boolean;
  edge_reason?: string;
  source: RangeSource;
}

export interface ParsedRanges {
  source: RangeSource;
  /** syncToken (AWS, GCP) or the timestamp Oracle gives. */
  version?: string;
  /** createDate / creationTime / last_updated_timestamp as ISO 8601 where it parses. */
  build_date?: string;
  prefixes: { cidr: string; entry: RangeEntry }[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const s = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** AWS `createDate` is `YYYY-MM-DD-hh-mm-ss` (UTC). */
function awsDate(v: string | undefined): string | undefined {
  const m = v ? /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/.exec(v) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : v;
}

function isoDate(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? v : new Date(t).toISOString();
}

export function parseAwsRanges(doc: unknown): ParsedRanges | null {
  if (!isObj(doc) || !Array.isArray(doc.prefixes)) return null;
  const out: ParsedRanges = { source: 'aws-ip-ranges', version: s(doc.syncToken), build_date: awsDate(s(doc.createDate)), prefixes: [] };
  const lists: [unknown, string][] = [
    [doc.prefixes, 'ip_prefix'],
    [doc.ipv6_prefixes, 'ipv6_prefix'],
  ];
  for (const [list, key] of lists) {
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      if (!isObj(p)) continue;
      const cidr = s(p[key]);
      if (!cidr) continue;
      const region = s(p.region);
      const service = s(p.service);
      const entry: RangeEntry = { provider: 'aws', service, source: 'aws-ip-ranges' };
      if (region === 'GLOBAL') {
        entry.edge = true;
        entry.edge_reason = 'aws global';
      } else if (region) {
        entry.region = region;
      }
      if (service === 'CLOUDFRONT' || service === 'CLOUDFRONT_ORIGIN_FACING' || service === 'GLOBALACCELERATOR') {
        if (service !== 'CLOUDFRONT_ORIGIN_FACING') {
          entry.edge = true;
          entry.edge_reason = service === 'CLOUDFRONT' ? 'cloudfront' : 'aws global accelerator';
        }
      }
      out.prefixes.push({ cidr, entry });
    }
  }
  return out;
}

export function parseGcpRanges(doc: unknown): ParsedRanges | null {
  if (!isObj(doc) || !Array.isArray(doc.prefixes)) return null;
  const out: ParsedRanges = { source: 'gcp-cloud', version: s(doc.syncToken), build_date: isoDate(s(doc.creationTime)), prefixes: [] };
  for (const p of doc.prefixes) {
    if (!isObj(p)) continue;
    const cidr = s(p.ipv4Prefix) ?? s(p.ipv6Prefix);
    if (!cidr) continue;
    const scope = s(p.scope);
    const entry: RangeEntry = { provider: 'gcp', service: s(p.service), source: 'gcp-cloud' };
    if (scope && scope !== 'global') entry.region = scope;
    out.prefixes.push({ cidr, entry });
  }
  return out;
}

export function parseOracleRanges(doc: unknown): ParsedRanges | null {
  if (!isObj(doc) || !Array.isArray(doc.regions)) return null;
  const ts = s(doc.last_updated_timestamp);
  const out: ParsedRanges = { source: 'oracle-public-ip-ranges', version: ts, build_date: isoDate(ts), prefixes: [] };
  for (const r of doc.regions) {
    if (!isObj(r) || !Array.isArray(r.cidrs)) continue;
    const region = s(r.region);
    for (const c of r.cidrs) {
      if (!isObj(c)) continue;
      const cidr = s(c.cidr);
      if (!cidr) continue;
      const tags = Array.isArray(c.tags) ? c.tags.filter((t): t is string => typeof t === 'string') : [];
      out.prefixes.push({ cidr, entry: { provider: 'oracle', region, service: tags.join(',') || undefined, source: 'oracle-public-ip-ranges' } });
    }
  }
  return out;
}

/** Parses a range file whatever provider it is from (recognised by its shape), or null. */
export function parseRangesText(text: string): ParsedRanges | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(doc)) return null;
  if ('createDate' in doc || 'ipv6_prefixes' in doc) return parseAwsRanges(doc);
  if ('creationTime' in doc) return parseGcpRanges(doc);
  if ('regions' in doc) return parseOracleRanges(doc);
  return null;
}

/** Reads and parses a range file; null when unreadable, too large or not a known format. */
export function loadRangesFile(file: string): ParsedRanges | null {
  try {
    if (fs.statSync(file).size > GEO_MAX_RANGES_FILE_BYTES) return null;
    return parseRangesText(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Which of two entries for the same prefix says more: an edge, then a named service, then the catch-all AMAZON. */
function rank(e: RangeEntry): number {
  if (e.edge) return 3;
  if (e.service && e.service !== 'AMAZON') return 2;
  return 1;
}

/** Longest-prefix-match index over every loaded range file. */
export class RangeIndex {
  private readonly v4 = new Map<number, Map<number, RangeEntry>>();
  private readonly v6 = new Map<number, Map<string, RangeEntry>>();
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];
  size = 0;

  add(parsed: ParsedRanges): void {
    for (const { cidr, entry } of parsed.prefixes) {
      const p = parseCidr(cidr);
      if (!p) continue;
      if (p.family === 4) put(this.v4, p.bits, p.net, entry);
      else put(this.v6, p.bits, key6(p.net), entry);
      this.size++;
    }
    this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a);
    this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a);
  }

  /** Scratch words for lookupV6 (no allocation per lookup). */
  private readonly masked = new Uint32Array(4);

  lookupV4(ip: number): RangeEntry | undefined {
    if (this.v4Lengths.length === 0) return undefined; // no range files: the common case, once per new address
    for (const bits of this.v4Lengths) {
      const mask = bits === 0 ? 0 : ~(0xffffffff >>> bits) >>> 0;
      const e = this.v4.get(bits)?.get((ip & mask) >>> 0);
      if (e) return e;
    }
    return undefined;
  }

  lookupV6(w: Uint32Array): RangeEntry | undefined {
    if (this.v6Lengths.length === 0) return undefined;
    const m = this.masked;
    for (const bits of this.v6Lengths) {
      let left = bits;
      for (let k = 0; k < 4; k++) {
        const take = left >= 32 ? 32 : left <= 0 ? 0 : left;
        const mask = take === 0 ? 0 : take === 32 ? 0xffffffff : ~(0xffffffff >>> take) >>> 0;
        m[k] = (w[k] & mask) >>> 0;
        left -= 32;
      }
      const e = this.v6.get(bits)?.get(key6(m));
      if (e) return e;
    }
    return undefined;
  }
}

function key6(w: Uint32Array): string {
  return `${w[0]}:${w[1]}:${w[2]}:${w[3]}`;
}

function put<K>(maps: Map<number, Map<K, RangeEntry>>, bits: number, key: K, entry: RangeEntry): void {
  let m = maps.get(bits);
  if (!m) maps.set(bits, (m = new Map()));
  const old = m.get(key);
  if (!old || rank(entry) > rank(old)) m.set(key, entry);
}
