// Owns the IP -> ASN + organisation table of @ip-location-db/asn (`start,end,asn,org` ranges, ~412k IPv4 and
// ~103k IPv6): sorted typed arrays (one uint32 per IPv4 bound, four words per IPv6 bound) searched by bisection,
// each range naming an entry of a deduplicated (asn, org) list whose names stay utf8 bytes until a lookup asks.
// Parsing the CSVs takes 1.4 s (IPv4) and 0.6 s (IPv6) of CPU, loading the cache ~30 and ~20 ms, so the parsed table
// is kept in a cache file per family, valid while the CSV keeps its path, size and mtime (npm writes new files),
// with the CSV's SHA-256 for the provenance. Cache layout (native endianness), each array 4-byte aligned:
//   "RAS3" | header JSON byte length u32 | header JSON {csv, width, n, entries}, space-padded |
//   starts u32[n*width] | ends u32[n*width] | entry u32[n] | asns u32[entries] | orgEnd u32[entries] | org names

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseIpv4, parseIpv6 } from './address.js';

const MAGIC = 'RAS3';

/** How a table was loaded: `from` the cache file or the CSV; the CSV's SHA-256 for the provenance. */
export interface AsnLoadInfo {
  file: string;
  sha256: string;
  from: 'cache' | 'csv';
}

/** The CSV a cache file was made from. */
type CsvStamp = { file: string; size: number; mtime_ms: number; sha256: string };

export interface Built {
  starts: Uint32Array;
  ends: Uint32Array;
  /** Per range: its (asn, org) entry. */
  entry: Uint32Array;
  asns: Uint32Array;
  /** Per entry: where its organisation name ends in `orgs` (it starts where the previous one ends). */
  orgEnd: Uint32Array;
  orgs: Buffer;
}

export class AsnTable {
  constructor(
    readonly family: 4 | 6,
    private readonly t: Built,
    readonly info: AsnLoadInfo,
  ) {}

  /** The range holding the address (IPv4: `v4`; IPv6: `words`), or null. */
  find(v4: number, words: Uint32Array): { asn: number; org?: string } | null {
    const { starts, ends, entry, asns, orgEnd, orgs } = this.t;
    const w = this.family === 4 ? 1 : 4; // words per bound
    const a = w === 1 ? Uint32Array.of(v4) : words;
    let lo = 0;
    let hi = entry.length - 1;
    let hit = -1; // the last range starting at or below the address
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(starts, mid * w, a, 0, w) <= 0) {
        hit = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (hit < 0 || compareAt(ends, hit * w, a, 0, w) < 0) return null;
    const e = entry[hit];
    return { asn: asns[e], org: orgs.toString('utf8', e === 0 ? 0 : orgEnd[e - 1], orgEnd[e]) || undefined };
  }

  /** The table for `csvPath`: from its cache file in `cacheDir` when that is valid, else parsed (and cached). */
  static load(family: 4 | 6, csvPath: string, cacheDir: string | null): AsnTable {
    const st = fs.statSync(csvPath);
    const cacheFile = cacheDir ? path.join(cacheDir, `asn-v${family}.table`) : undefined;
    const done = (t: Built, csv: CsvStamp, from: 'cache' | 'csv'): AsnTable => new AsnTable(family, t, { file: csvPath, sha256: csv.sha256, from });
    const hit = cacheFile ? readCache(cacheFile) : null;
    const fresh = hit && hit.csv.file === csvPath && hit.csv.size === st.size && hit.csv.mtime_ms === st.mtimeMs;
    if (hit && fresh && hit.table.starts.length === hit.table.entry.length * (family === 4 ? 1 : 4)) return done(hit.table, hit.csv, 'cache');
    const bytes = fs.readFileSync(csvPath);
    const csv: CsvStamp = { file: csvPath, size: st.size, mtime_ms: st.mtimeMs, sha256: createHash('sha256').update(bytes).digest('hex') };
    const table = parseCsv(family, bytes.toString('utf8'));
    try {
      if (cacheFile) writeCache(cacheFile, table, csv);
    } catch {
      // an unwritable cache dir: work without one
    }
    return done(table, csv, 'csv');
  }
}

/** Parses `start,end,asn,org` lines (IPv4 as numbers or dotted quads, IPv6 as text; org maybe quoted). Bad lines are skipped. */
export function parseCsv(family: 4 | 6, text: string): Built {
  const w = family === 4 ? 1 : 4;
  const bounds: number[] = []; // per row: its start's words, then its end's
  const rowEntry: number[] = [];
  const entries = new Map<string, number>();
  const asns: number[] = [];
  const orgs: string[] = [];
  const word = new Uint32Array(4);
  const bound = (s: string | undefined): boolean => {
    if (s === undefined) return false;
    if (family === 6) return parseIpv6(s, word) && bounds.push(word[0], word[1], word[2], word[3]) > 0;
    const v = /^\d{1,10}$/.test(s) ? Number(s) : parseIpv4(s);
    return v >= 0 && v <= 0xffffffff && bounds.push(v) > 0;
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const [a, b, asnText] = line.split(',', 3);
    const mark = bounds.length;
    const asn = Number(asnText);
    if (!bound(a) || !bound(b) || compareAt(bounds, mark + w, bounds, mark, w) < 0 || !/^\d+$/.test(asnText) || asn > 0xffffffff) {
      bounds.length = mark;
      continue;
    }
    let org = line.slice(a.length + b.length + asnText.length + 3);
    if (org.length >= 2 && org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
    const key = `${asn},${org}`;
    let entry = entries.get(key);
    if (entry === undefined) {
      entries.set(key, (entry = asns.length));
      asns.push(asn);
      orgs.push(org);
    }
    rowEntry.push(entry);
  }
  const order = rowEntry.map((_, i) => i);
  order.sort((x, y) => compareAt(bounds, x * 2 * w, bounds, y * 2 * w, w)); // the CSVs come sorted: one pass
  const names = orgs.map((o) => Buffer.from(o));
  let end = 0;
  const t: Built = {
    starts: new Uint32Array(order.length * w),
    ends: new Uint32Array(order.length * w),
    entry: Uint32Array.from(order, (r) => rowEntry[r]),
    asns: Uint32Array.from(asns),
    orgEnd: Uint32Array.from(names, (n) => (end += n.length)),
    orgs: Buffer.concat(names),
  };
  order.forEach((r, i) => {
    for (let k = 0; k < w; k++) {
      t.starts[i * w + k] = bounds[r * 2 * w + k];
      t.ends[i * w + k] = bounds[r * 2 * w + w + k];
    }
  });
  return t;
}

/** -1, 0 or 1 as the `w` words of `x` at `xo` compare with those of `y` at `yo`. */
function compareAt(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, w: number): number {
  for (let k = 0; k < w; k++) if (x[xo + k] !== y[yo + k]) return x[xo + k] < y[yo + k] ? -1 : 1;
  return 0;
}

function writeCache(file: string, t: Built, csv: CsvStamp): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const json = JSON.stringify({ csv, width: t.entry.length ? t.starts.length / t.entry.length : 1, n: t.entry.length, entries: t.asns.length });
  const head = Buffer.from(json.padEnd(json.length + ((4 - ((8 + json.length) % 4)) % 4))); // arrays start 4-aligned
  const lead = Buffer.alloc(8);
  lead.write(MAGIC, 0, 'latin1');
  lead.writeUInt32LE(head.length, 4);
  const arrays = [t.starts, t.ends, t.entry, t.asns, t.orgEnd].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([lead, head, ...arrays, t.orgs]));
  fs.renameSync(tmp, file); // atomic: a concurrent reader sees the old file or the whole new one
}

function readCache(file: string): { table: Built; csv: CsvStamp } | null {
  try {
    const raw = fs.readFileSync(file);
    const buf = raw.byteOffset % 4 === 0 ? raw : Buffer.from(raw); // typed-array views need 4-byte alignment
    if (buf.toString('latin1', 0, 4) !== MAGIC) return null;
    const headLen = buf.readUInt32LE(4);
    const head = JSON.parse(buf.toString('utf8', 8, 8 + headLen)) as { csv: CsvStamp; width: number; n: number; entries: number };
    if (buf.length < 8 + headLen + 4 * (2 * head.n * head.width + head.n + 2 * head.entries)) return null; // cut short
    let off = buf.byteOffset + 8 + headLen;
    const take = (count: number): Uint32Array => {
      const a = new Uint32Array(buf.buffer, off, count);
      off += count * 4;
      return a;
    };
    const [starts, ends, entry, asns, orgEnd] = [head.n * head.width, head.n * head.width, head.n, head.entries, head.entries].map(take);
    const orgs = buf.subarray(off - buf.byteOffset);
    const whole = orgEnd.length === 0 ? orgs.length === 0 : orgEnd[orgEnd.length - 1] === orgs.length;
    return whole ? { table: { starts, ends, entry, asns, orgEnd, orgs }, csv: head.csv } : null;
  } catch {
    return null; // damaged: rebuilt
  }
}
