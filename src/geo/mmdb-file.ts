// Owns reading one MaxMind DB file (MaxMind DB File Format Spec 2.0) without loading it: the metadata found in the
// file's last 128 KiB, the search tree walked and the data records decoded through the file's bounded page cache
// (paged-file.ts), so a lookup reads only the pages it touches (the 300 MB bench capture's 1,059 public addresses
// read 3.6 MiB of the 178 MiB of embedded mmdb files). Every byte read goes through PagedFile.span, which loads its
// pages first and throws outside the file: a damaged file makes a record unreadable, never a wrong read.
// Why not the `maxmind` package (mmdb-lib): its Reader wants the whole file in one Buffer, and reading the embedded
// IPv4 files whole cost ~100 MB of RSS and ~0.4 s of system time before the first lookup (docs/performance.md).
// It stays the tests' cross-check: test/geo/mmdb-file.test.ts holds this reader to its answers, value for value.

import { GEO_MMDB_CACHED_RECORDS, GEO_MMDB_MAX_DEPTH, GEO_MMDB_MAX_RECORD_VALUES, GEO_MMDB_METADATA_TAIL_BYTES, GEO_PAGE_BYTES, GEO_PAGE_CACHE_PAGES } from '../limits.js';
import { PagedFile } from './paged-file.js';

export type MmdbValue = string | number | bigint | boolean | Buffer | MmdbValue[] | { [key: string]: MmdbValue };
export type MmdbRecord = { [key: string]: MmdbValue };

/** What the file's metadata says (the keys the reader and the provenance need). */
export interface MmdbMetadata {
  nodeCount: number;
  recordSize: 24 | 28 | 32;
  ipVersion: 4 | 6;
  databaseType: string;
  buildEpoch: Date;
  /** Bytes of the search tree; the data section starts 16 bytes after it. */
  searchTreeSize: number;
}

/** "\xAB\xCD\xEFMaxMind.com": the metadata follows the last occurrence. */
const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');

export class MmdbFile {
  readonly metadata: MmdbMetadata;
  /** Offset just after the value decode() read last. */
  private next = 0;
  /** Values decoded for the record being read (bounded: pointers could make a small file decode for ever). */
  private values = 0;
  private readonly dataStart: number;
  private readonly ipv4Start: number;
  /** Records decoded so far, by the tree's pointer to them (GEO_MMDB_CACHED_RECORDS). */
  private readonly records = new Map<number, MmdbRecord | null>();

  private constructor(
    /** The file's pages (tests read its counters). */
    readonly pages: PagedFile,
    metadataStart: number,
  ) {
    const meta = this.decodeAt(metadataStart, metadataStart); // a map, decoded like data with its own base
    const rec = meta !== null && typeof meta === 'object' && !Array.isArray(meta) && !Buffer.isBuffer(meta) ? (meta as MmdbRecord) : {};
    const { node_count: n, record_size: rs, ip_version: ipv, database_type: type, build_epoch: epoch } = rec;
    if (typeof n !== 'number' || (rs !== 24 && rs !== 28 && rs !== 32) || (ipv !== 4 && ipv !== 6) || typeof type !== 'string') throw new Error('bad mmdb metadata');
    this.metadata = {
      nodeCount: n,
      recordSize: rs,
      ipVersion: ipv,
      databaseType: type,
      buildEpoch: new Date(Number(typeof epoch === 'bigint' || typeof epoch === 'number' ? epoch : 0) * 1000),
      searchTreeSize: (n * rs) / 4,
    };
    this.dataStart = this.metadata.searchTreeSize + 16;
    if (this.dataStart > pages.size) throw new Error('mmdb search tree runs past the end of the file');
    let node = 0; // IPv4 addresses start after 96 zero bits in an IPv6 tree
    if (ipv === 6) for (let i = 0; i < 96 && node < n; i++) node = this.child(node, 0);
    this.ipv4Start = node;
  }

  /** Opens `file` and reads its metadata; throws when it is not a MaxMind DB. `maxPages`: pages kept in memory. */
  static open(file: string, maxPages = GEO_PAGE_CACHE_PAGES): MmdbFile {
    const pages = PagedFile.open(file, maxPages);
    try {
      // The marker is looked for in the last page, then in the last 128 KiB (metadata is a few hundred bytes).
      for (const want of [GEO_PAGE_BYTES, GEO_MMDB_METADATA_TAIL_BYTES]) {
        const len = Math.min(pages.size, want);
        const tail = pages.span(pages.size - len, len);
        const m = tail.subarray(pages.at, pages.at + len).lastIndexOf(METADATA_MARKER);
        if (m >= 0) return new MmdbFile(pages, pages.size - len + m + METADATA_MARKER.length);
      }
      throw new Error('no MaxMind DB metadata');
    } catch (e) {
      pages.close();
      throw e;
    }
  }

  /** The record for an address: IPv4 `v4` (family 4) or the four words of an IPv6 address; null when none. Throws
   *  when the file is damaged there. The record is shared by every address that reaches it: read-only. */
  get(family: 4 | 6, v4: number, words: Uint32Array): MmdbRecord | null {
    const { nodeCount } = this.metadata;
    const bits = family === 4 ? 32 : 128;
    let node = family === 4 ? this.ipv4Start : 0;
    for (let i = 0; i < bits && node < nodeCount; i++) {
      const w = family === 4 ? v4 : words[i >>> 5];
      node = this.child(node, (w >>> (31 - (i & 31))) & 1);
    }
    if (node <= nodeCount) return null; // no data (node_count itself), or the walk ran out of bits
    let rec = this.records.get(node);
    if (rec === undefined) {
      const v = this.decodeAt(node - nodeCount - 16 + this.dataStart, this.dataStart);
      rec = v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) ? (v as MmdbRecord) : null;
      if (this.records.size >= GEO_MMDB_CACHED_RECORDS) this.records.clear();
      this.records.set(node, rec);
    }
    return rec;
  }

  close(): void {
    this.pages.close();
  }

  /** Record `bit` (0 left, 1 right) of search-tree node `node`. */
  private child(node: number, bit: number): number {
    const rs = this.metadata.recordSize;
    const b = this.pages.span(node * (rs / 4), rs / 4);
    const o = this.pages.at;
    if (rs === 24) return b.readUIntBE(o + bit * 3, 3);
    if (rs === 32) return b.readUInt32BE(o + bit * 4);
    return bit === 0 ? ((b[o + 3] & 0xf0) << 20) + b.readUIntBE(o, 3) : ((b[o + 3] & 0x0f) << 24) + b.readUIntBE(o + 4, 3);
  }

  // ---------------------------------------------------------------- data section

  /** The value at file offset `off`; pointers are relative to `base`. Values come out as mmdb-lib gives them. */
  private decodeAt(off: number, base: number): MmdbValue {
    this.values = 0;
    return this.decode(off, base, 0);
  }

  private decode(off: number, base: number, depth: number): MmdbValue {
    if (depth > GEO_MMDB_MAX_DEPTH || ++this.values > GEO_MMDB_MAX_RECORD_VALUES) throw new Error(`mmdb record too deep or too large (offset ${off})`);
    const ctrl = this.pages.span(off++, 1)[this.pages.at];
    let type = ctrl >> 5;
    if (type === 1) {
      // Pointer: 001SSVVV, then SS + 1 bytes
      const ss = (ctrl >> 3) & 3;
      const b = this.pages.span(off, ss + 1);
      const i = this.pages.at;
      const high = ctrl & 7;
      const p = ss === 0 ? (high << 8) | b[i] : ss === 1 ? ((high << 16) | b.readUInt16BE(i)) + 2048 : ss === 2 ? high * 0x1000000 + b.readUIntBE(i, 3) + 526336 : b.readUInt32BE(i);
      const v = this.decode(base + p, base, depth + 1);
      this.next = off + ss + 1;
      return v;
    }
    if (type === 0) {
      type = 7 + this.pages.span(off++, 1)[this.pages.at]; // extended type
      if (type < 8) throw new Error(`bad mmdb extended type (offset ${off - 2})`);
    }
    let size = ctrl & 31;
    if (size >= 29) {
      const n = size - 28;
      const b = this.pages.span(off, n);
      size = n === 1 ? 29 + b[this.pages.at] : n === 2 ? 285 + b.readUInt16BE(this.pages.at) : 65821 + b.readUIntBE(this.pages.at, 3);
      off += n;
    }
    if (type === 7 || type === 11) {
      const map: { [key: string]: MmdbValue } = {};
      const arr: MmdbValue[] = [];
      for (let k = 0; k < size; k++) {
        if (type === 11) arr.push(this.decode(off, base, depth + 1));
        else {
          const key = this.decode(off, base, depth + 1);
          map[String(key)] = this.decode(this.next, base, depth + 1);
        }
        off = this.next;
      }
      this.next = off;
      return type === 7 ? map : arr;
    }
    this.next = off + size;
    if (type === 14) {
      this.next = off;
      return size !== 0; // boolean: the size is the value
    }
    if (size === 0) {
      if (type === 2) return '';
      if (type === 4) return Buffer.alloc(0);
      if (type === 5 || type === 6 || type === 8) return 0;
      if (type === 9 || type === 10) return 0n;
    }
    const b = this.pages.span(off, size);
    const i = this.pages.at;
    switch (type) {
      case 2:
        return b.toString('utf8', i, i + size);
      case 3:
        if (size !== 8) break;
        return b.readDoubleBE(i);
      case 4:
        return Buffer.from(b.subarray(i, i + size));
      case 5:
      case 6:
        if (size > 4) break;
        return b.readUIntBE(i, size);
      case 8:
        if (size > 4) break;
        return size < 4 ? b.readUIntBE(i, size) : b.readInt32BE(i);
      case 9:
      case 10: {
        if (size > 16) break;
        let v = 0n;
        for (let k = 0; k < size; k++) v = (v << 8n) | BigInt(b[i + k]);
        return v;
      }
      case 15:
        if (size !== 4) break;
        return b.readFloatBE(i);
    }
    throw new Error(`bad mmdb value (type ${type}, size ${size}, offset ${off})`);
  }
}
