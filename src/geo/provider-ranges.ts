// Owns the providers' official range files and their lookup: AWS ip-ranges.json (syncToken, createDate,
// prefixes with region/service/network_border_group; region GLOBAL and service CLOUDFRONT are edges), GCP
// cloud.json (syncToken, creationTime, prefixes with scope = region) and Oracle public_ip_ranges.json
// (last_updated_timestamp, regions[].cidrs[]). Parsing never throws: malformed files or entries are skipped.
// Lookup is longest-prefix match: one hash map per prefix length, probed from the longest length down.

import { GEO_MAX_RANGES_FILE_BYTES } from '../limits.js';
import fs from 'node:fs';
import { masks, parseCidr } from '../decode/ip-format.js';

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
  const t = v ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? v : new Date(t).toISOString();
}

export function parseAwsRanges(doc: unknown): ParsedRanges | null {
  if (!isObj(doc) || !Array.isArray(doc.prefixes)) return null;
  const out: ParsedRanges = { source: 'aws-ip-ranges', version: s(doc.syncToken), build_date: awsDate(s(doc.createDate)), prefixes: [] };
  for (const [list, key] of [[doc.prefixes, 'ip_prefix'], [doc.ipv6_prefixes, 'ipv6_prefix']] as const) {
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      if (!isObj(p)) continue;
      const cidr = s(p[key]);
      if (!cidr) continue;
      const region = s(p.region);
      const service = s(p.service);
      // GLOBAL, CloudFront and Global Accelerator are edges (CLOUDFRONT_ORIGIN_FACING is where CloudFront fetches from).
      const edge = service === 'CLOUDFRONT' ? 'cloudfront' : service === 'GLOBALACCELERATOR' ? 'aws global accelerator' : region === 'GLOBAL' ? 'aws global' : undefined;
      const entry: RangeEntry = { provider: 'aws', service, source: 'aws-ip-ranges', region: region === 'GLOBAL' ? undefined : region, edge: edge !== undefined || undefined, edge_reason: edge };
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
const rank = (e: RangeEntry): number => (e.edge ? 3 : e.service && e.service !== 'AMAZON' ? 2 : 1);

/** Longest-prefix-match index over every loaded range file: one map per family and prefix length, probed longest first. */
export class RangeIndex {
  /** Entries by `family/bits/masked words`. */
  private readonly entries = new Map<string, RangeEntry>();
  private readonly lengths: Record<4 | 6, number[]> = { 4: [], 6: [] };

  add(parsed: ParsedRanges): void {
    for (const { cidr, entry } of parsed.prefixes) {
      const p = parseCidr(cidr);
      if (!p) continue;
      const key = keyOf(p.family, p.bits, p.family === 4 ? Uint32Array.of(0, 0, 0, p.net) : p.net);
      const old = this.entries.get(key);
      if (!old || rank(entry) > rank(old)) this.entries.set(key, entry);
      if (!this.lengths[p.family].includes(p.bits)) this.lengths[p.family].push(p.bits);
    }
    for (const l of Object.values(this.lengths)) l.sort((a, b) => b - a);
  }

  /** The entry of the longest prefix holding the address (`words`: IPv6, or IPv4 in the last word), if any. */
  lookup(family: 4 | 6, words: Uint32Array): RangeEntry | undefined {
    for (const bits of this.lengths[family]) {
      const e = this.entries.get(keyOf(family, bits, words));
      if (e) return e;
    }
    return undefined;
  }
}

function keyOf(family: 4 | 6, bits: number, w: Uint32Array): string {
  const m = masks(family === 4 ? bits + 96 : bits);
  return `${family}/${bits}/${Array.from(w, (x, k) => (x & m[k]) >>> 0).join(':')}`;
}
