// Owns reading an mmdb file's metadata (database_type, build_epoch, ip_version, node_count, record_size) without loading the file: the metadata map
// follows the marker "\xAB\xCD\xEFMaxMind.com" within the last 128 KiB (MaxMind DB File Format Spec 2.0,
// "Database Metadata"), encoded in the MaxMind DB data format. Only the types metadata uses are decoded.

import fs from 'node:fs';
import { GEO_MMDB_METADATA_TAIL_BYTES } from '../limits.js';

const MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'latin1')]);

export interface MmdbMetadata {
  databaseType: string;
  buildEpoch: Date;
  ipVersion?: number;
  /** Search tree shape (absent only in a malformed file). */
  nodeCount?: number;
  recordSize?: number;
}

/** Metadata of the mmdb file at `file`, or null when it is unreadable or not an mmdb. Never throws. */
export function readMmdbMetadata(file: string): MmdbMetadata | null {
  try {
    const size = fs.statSync(file).size;
    const len = Math.min(size, GEO_MMDB_METADATA_TAIL_BYTES);
    const buf = Buffer.alloc(len);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, buf, 0, len, size - len);
    } finally {
      fs.closeSync(fd);
    }
    return parseMmdbMetadata(buf);
  } catch {
    return null;
  }
}

/** Parses metadata from a buffer holding (at least) the file's tail. */
export function parseMmdbMetadata(buf: Buffer): MmdbMetadata | null {
  const at = buf.lastIndexOf(MARKER);
  if (at < 0) return null;
  const d = new Decoder(buf);
  const m = d.value(at + MARKER.length);
  if (!m || typeof m !== 'object' || Array.isArray(m)) return null;
  const rec = m as Record<string, unknown>;
  const type = rec.database_type;
  const epoch = rec.build_epoch;
  if (typeof type !== 'string' || typeof epoch !== 'number') return null;
  const n = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return { databaseType: type, buildEpoch: new Date(epoch * 1000), ipVersion: n(rec.ip_version), nodeCount: n(rec.node_count), recordSize: n(rec.record_size) };
}

class Decoder {
  private off = 0;
  constructor(private readonly buf: Buffer) {}

  value(off: number, depth = 0): unknown {
    this.off = off;
    return this.next(depth);
  }

  private next(depth: number): unknown {
    if (depth > 8) throw new Error('mmdb metadata nested too deep');
    const b = this.buf;
    const ctrl = b[this.off++];
    let type = ctrl >> 5;
    if (type === 0) type = 7 + b[this.off++];
    let size = ctrl & 0x1f;
    if (type === 1) throw new Error('pointer in metadata'); // never used by writers in metadata
    if (size === 29) size = 29 + b[this.off++];
    else if (size === 30) {
      size = 285 + b.readUInt16BE(this.off);
      this.off += 2;
    } else if (size === 31) {
      size = 65821 + b.readUIntBE(this.off, 3);
      this.off += 3;
    }
    switch (type) {
      case 2: {
        const s = b.toString('utf8', this.off, this.off + size);
        this.off += size;
        return s;
      }
      case 3: {
        const v = b.readDoubleBE(this.off);
        this.off += 8;
        return v;
      }
      case 5:
      case 6:
      case 8:
      case 9:
      case 10: {
        // unsigned ints (uint16/32/64/128) and int32: size bytes big-endian; > 2^53 loses precision (not used here)
        let v = 0;
        for (let i = 0; i < size; i++) v = v * 256 + b[this.off + i];
        this.off += size;
        return v;
      }
      case 7: {
        const m: Record<string, unknown> = {};
        for (let i = 0; i < size; i++) {
          const k = this.next(depth + 1);
          m[String(k)] = this.next(depth + 1);
        }
        return m;
      }
      case 11: {
        const a: unknown[] = [];
        for (let i = 0; i < size; i++) a.push(this.next(depth + 1));
        return a;
      }
      case 14:
        return size !== 0;
      default:
        this.off += size; // bytes, float, data cache container, end marker: skipped
        return null;
    }
  }
}
