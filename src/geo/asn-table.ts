// Owns the IP -> ASN + organisation table built from @ip-location-db/asn CSV ranges: parsed once into sorted
// typed arrays (IPv4: Uint32 start/end; IPv6: four Uint32 words per bound, no BigInt) plus a deduplicated
// (asn, org) list, saved to a binary cache file keyed by the CSV's SHA-256 so a new data version rebuilds.
// Lookups are a binary search (no allocation). Cache layout (native endianness, machine-local):
//   0: "RASN" | 4: format version u32 | 8: family u32 | 12: range count u32 | 16: index JSON byte length u32 |
//  20: 0 u32 | 24: start words | end words | asn-index u32[n] | JSON {asns, orgs}

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cmp128, parseIpv4, parseIpv6 } from './ip-parse.js';
import { asnInWasm } from './lookup-core.js';

const MAGIC = 0x4e534152; // "RASN" little-endian
const FORMAT_VERSION = 1;
const HEADER_BYTES = 24;

export interface AsnLoadInfo {
  family: 4 | 6;
  file: string;
  sha256: string;
  /** `cache` when the binary cache was reused, `csv` when it was (re)built from the CSV. */
  from: 'cache' | 'csv';
  ranges: number;
  load_ms: number;
  cache_file?: string;
}

export class AsnTable {
  readonly family: 4 | 6;
  /** Words per address: 1 (IPv4) or 4 (IPv6). */
  private readonly width: number;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  private readonly index: Uint32Array;
  private readonly asns: number[];
  private readonly orgs: string[];
  readonly info: AsnLoadInfo;
  /** Entry id for an IPv4 address (int32 bits), or -1: findV4 run by the WebAssembly instance. */
  readonly find4: (ip: number) => number;
  /** Entry id for an IPv6 address (four words, int32 bits), or -1: findV6 run by the WebAssembly instance. */
  readonly find6: (w0: number, w1: number, w2: number, w3: number) => number;

  constructor(
    family: 4 | 6,
    starts: Uint32Array,
    ends: Uint32Array,
    index: Uint32Array,
    asns: number[],
    orgs: string[],
    info: AsnLoadInfo,
  ) {
    this.family = family;
    this.width = family === 4 ? 1 : 4;
    // The ranges live in a WebAssembly instance's memory, which searches them (find4/find6: the lookup path);
    // findV4/findV6 below search the same words in JavaScript (the reference the tests hold the instance to).
    const w = asnInWasm(starts, ends, index);
    this.starts = w.starts;
    this.ends = w.ends;
    this.index = w.index;
    this.find4 = w.find4;
    this.find6 = w.find6;
    this.asns = asns;
    this.orgs = orgs;
    this.info = info;
  }

  get size(): number {
    return this.index.length;
  }

  /** Bytes held by the typed arrays (the org strings are extra). */
  get byteLength(): number {
    return this.starts.byteLength + this.ends.byteLength + this.index.byteLength;
  }

  /** Entry id for an IPv4 address (uint32), or -1. */
  findV4(ip: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] <= ip) {
        hit = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hit >= 0 && ip <= this.ends[hit] ? this.index[hit] : -1;
  }

  /** Entry id for an IPv6 address (4 words), or -1. The word comparisons are written out (no cmp128 call): a
   *  small function called on the lookup path is compiled by TurboFan on its own in each capture. */
  findV6(w: Uint32Array): number {
    const s = this.starts;
    const n = this.index.length;
    const w0 = w[0];
    const w1 = w[1];
    const w2 = w[2];
    const w3 = w[3];
    let lo = 0;
    let hi = n - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const o = mid * 4;
      // starts[mid] <= w
      const le = s[o] !== w0 ? s[o] < w0 : s[o + 1] !== w1 ? s[o + 1] < w1 : s[o + 2] !== w2 ? s[o + 2] < w2 : s[o + 3] <= w3;
      if (le) {
        hit = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (hit < 0) return -1;
    const e = this.ends;
    const o = hit * 4;
    // w <= ends[hit]
    const inside = w0 !== e[o] ? w0 < e[o] : w1 !== e[o + 1] ? w1 < e[o + 1] : w2 !== e[o + 2] ? w2 < e[o + 2] : w3 <= e[o + 3];
    return inside ? this.index[hit] : -1;
  }

  asnOf(entry: number): number {
    return this.asns[entry];
  }

  orgOf(entry: number): string {
    return this.orgs[entry];
  }

  /** Loads the table for `csvPath`, from `cacheDir` when a cache for the same CSV bytes exists, else builds it. */
  static load(family: 4 | 6, csvPath: string, cacheDir: string | null): AsnTable {
    const t0 = performance.now();
    // The CSV's hash is remembered next to the cache with the file's size and mtime, so a cached start does not
    // read and hash the 20 MB CSV again; any change to size or mtime (npm writes new files) re-hashes it.
    const st = fs.statSync(csvPath);
    const memoFile = cacheDir ? path.join(cacheDir, `asn-v${family}.source.json`) : undefined;
    let sha256 = memoFile ? readMemo(memoFile, csvPath, st) : null;
    let csv: Buffer | null = null;
    if (!sha256) {
      csv = fs.readFileSync(csvPath);
      sha256 = createHash('sha256').update(csv).digest('hex');
    }
    const cacheFile = cacheDir ? path.join(cacheDir, `asn-v${family}-${sha256.slice(0, 24)}.bin`) : undefined;
    if (cacheFile && fs.existsSync(cacheFile)) {
      const t = readCache(family, cacheFile, csvPath, sha256, t0);
      if (t) return t;
    }
    if (!csv) {
      csv = fs.readFileSync(csvPath);
      sha256 = createHash('sha256').update(csv).digest('hex');
    }
    const built = parseCsv(family, csv.toString('utf8'));
    const info: AsnLoadInfo = {
      family,
      file: csvPath,
      sha256,
      from: 'csv',
      ranges: built.index.length,
      load_ms: 0,
      cache_file: cacheFile,
    };
    if (cacheFile && memoFile) {
      try {
        writeCache(family, cacheFile, built);
        const memo: SourceMemo = { file: csvPath, size: st.size, mtime_ms: st.mtimeMs, sha256 };
        fs.writeFileSync(memoFile, JSON.stringify(memo));
      } catch {
        info.cache_file = undefined; // unwritable cache dir: work without one
      }
    }
    info.load_ms = Math.round((performance.now() - t0) * 10) / 10;
    return new AsnTable(family, built.starts, built.ends, built.index, built.asns, built.orgs, info);
  }
}

interface SourceMemo {
  file: string;
  size: number;
  mtime_ms: number;
  sha256: string;
}

function readMemo(memoFile: string, csvPath: string, st: fs.Stats): string | null {
  try {
    const m = JSON.parse(fs.readFileSync(memoFile, 'utf8')) as SourceMemo;
    const ok = m.file === csvPath && m.size === st.size && m.mtime_ms === st.mtimeMs && /^[0-9a-f]{64}$/.test(m.sha256);
    return ok ? m.sha256 : null;
  } catch {
    return null;
  }
}

interface Built {
  starts: Uint32Array;
  ends: Uint32Array;
  index: Uint32Array;
  asns: number[];
  orgs: string[];
}

/** Parses `start,end,asn,org` lines (IPv4 as decimal numbers or dotted quads; IPv6 as text). Bad lines are skipped. */
export function parseCsv(family: 4 | 6, text: string): Built {
  const width = family === 4 ? 1 : 4;
  const lines = text.split('\n');
  let starts: Uint32Array = new Uint32Array(lines.length * width);
  let ends: Uint32Array = new Uint32Array(lines.length * width);
  let index: Uint32Array = new Uint32Array(lines.length);
  const asns: number[] = [];
  const orgs: string[] = [];
  const keyToEntry = new Map<string, number>();
  const w = new Uint32Array(4);
  let n = 0;
  let sorted = true;
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0) continue;
    const c1 = line.indexOf(',');
    const c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : line.indexOf(',', c2 + 1);
    if (c3 < 0) continue;
    const asnText = line.slice(c2 + 1, c3);
    const asn = Number(asnText);
    if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) continue;
    const org = unquote(line.slice(c3 + 1));
    if (family === 4) {
      const a = addrV4(line.slice(0, c1));
      const b = addrV4(line.slice(c1 + 1, c2));
      if (a < 0 || b < 0 || b < a) continue;
      starts[n] = a;
      ends[n] = b;
      if (n > 0 && starts[n - 1] > a) sorted = false;
    } else {
      if (!parseIpv6(line.slice(0, c1), w)) continue;
      starts.set(w, n * 4);
      if (!parseIpv6(line.slice(c1 + 1, c2), w)) continue;
      ends.set(w, n * 4);
      if (cmp128(ends, n * 4, starts, n * 4) < 0) continue;
      if (n > 0 && cmp128(starts, (n - 1) * 4, starts, n * 4) > 0) sorted = false;
    }
    const key = asnText + '\u0000' + org;
    let entry = keyToEntry.get(key);
    if (entry === undefined) {
      entry = asns.length;
      asns.push(asn);
      orgs.push(org);
      keyToEntry.set(key, entry);
    }
    index[n] = entry;
    n++;
  }
  starts = starts.slice(0, n * width);
  ends = ends.slice(0, n * width);
  index = index.slice(0, n);
  if (!sorted) ({ starts, ends, index } = sortRanges(width, starts, ends, index));
  return { starts, ends, index, asns, orgs };
}

function addrV4(s: string): number {
  if (s.includes('.')) return parseIpv4(s);
  if (!/^\d{1,10}$/.test(s)) return -1;
  const v = Number(s);
  return v <= 0xffffffff ? v : -1;
}

function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replace(/""/g, '"');
  return s;
}

function sortRanges(width: number, starts: Uint32Array, ends: Uint32Array, index: Uint32Array): Omit<Built, 'asns' | 'orgs'> {
  const n = index.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => cmp128w(starts, a, b, width));
  const s2 = new Uint32Array(n * width);
  const e2 = new Uint32Array(n * width);
  const i2 = new Uint32Array(n);
  order.forEach((from, to) => {
    s2.set(starts.subarray(from * width, from * width + width), to * width);
    e2.set(ends.subarray(from * width, from * width + width), to * width);
    i2[to] = index[from];
  });
  return { starts: s2, ends: e2, index: i2 };
}

function cmp128w(arr: Uint32Array, a: number, b: number, width: number): number {
  for (let k = 0; k < width; k++) {
    const x = arr[a * width + k];
    const y = arr[b * width + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function writeCache(family: 4 | 6, file: string, b: Built): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const json = Buffer.from(JSON.stringify({ asns: b.asns, orgs: b.orgs }), 'utf8');
  const header = new Uint32Array([MAGIC, FORMAT_VERSION, family, b.index.length, json.length, 0]);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const part of [header, b.starts, b.ends, b.index]) {
      fs.writeSync(fd, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
    fs.writeSync(fd, json);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file); // atomic: a concurrent reader sees the old file or the whole new one
}

function readCache(family: 4 | 6, file: string, csvPath: string, sha256: string, t0: number): AsnTable | null {
  try {
    const buf = fs.readFileSync(file);
    // Typed-array views need 4-byte alignment; large reads own their ArrayBuffer, small ones may be pooled.
    const ab = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
    if (ab.length < HEADER_BYTES) return null;
    const h = new Uint32Array(ab.buffer, ab.byteOffset, 6);
    if (h[0] !== MAGIC || h[1] !== FORMAT_VERSION || h[2] !== family) return null;
    const n = h[3];
    const jsonLen = h[4];
    const width = family === 4 ? 1 : 4;
    const need = HEADER_BYTES + n * width * 8 + n * 4 + jsonLen;
    if (ab.length !== need) return null;
    let off = ab.byteOffset + HEADER_BYTES;
    const starts = new Uint32Array(ab.buffer, off, n * width);
    off += n * width * 4;
    const ends = new Uint32Array(ab.buffer, off, n * width);
    off += n * width * 4;
    const index = new Uint32Array(ab.buffer, off, n);
    off += n * 4;
    const meta = JSON.parse(ab.subarray(off - ab.byteOffset).toString('utf8')) as { asns: number[]; orgs: string[] };
    if (!Array.isArray(meta.asns) || !Array.isArray(meta.orgs) || meta.asns.length !== meta.orgs.length) return null;
    const info: AsnLoadInfo = {
      family,
      file: csvPath,
      sha256,
      from: 'cache',
      ranges: n,
      load_ms: Math.round((performance.now() - t0) * 10) / 10,
      cache_file: file,
    };
    return new AsnTable(family, starts, ends, index, meta.asns, meta.orgs, info);
  } catch {
    return null; // damaged cache: rebuild
  }
}
