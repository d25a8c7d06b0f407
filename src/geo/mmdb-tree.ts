// Owns the search tree of a MaxMind DB file (MaxMind DB File Format Spec 2.0, "Binary Search Tree Section"):
// walking it bit by bit for an IPv4 address (one uint32) or an IPv6 address (four uint32 words, word 0 most
// significant) with 24-, 28- or 32-bit records, the IPv4 start node of IPv6 trees found once, and turning the
// record that ends the walk into the file offset of its data. Allocation-free per lookup. Mirrors the `maxmind`
// package's walk exactly (same answer, same prefix length), which test/geo/mmdb-reader.test.ts checks.

import { parseMmdbMetadata, type MmdbMetadata } from './mmdb-metadata.js';

export class MmdbTree {
  readonly buf: Buffer;
  readonly meta: MmdbMetadata;
  readonly nodeCount: number;
  readonly recordSize: 24 | 28 | 32;
  readonly ipVersion: number;
  /** Bytes of the search tree; the data section starts 16 bytes after it. */
  readonly treeSize: number;
  /** File offset of the data section. */
  readonly dataStart: number;
  /** Node where IPv4 addresses start (0 in an IPv4 tree; after 96 zero bits in an IPv6 tree). */
  readonly v4Start: number;
  private readonly v4Words = new Uint32Array(1);
  /** Prefix length of the network that answered the last find (bits walked). */
  prefixLength = 0;

  /** Throws when `buf` is not a MaxMind DB (no metadata, unsupported record size, truncated tree). */
  constructor(buf: Buffer) {
    const meta = parseMmdbMetadata(buf);
    if (!meta || meta.nodeCount === undefined || meta.recordSize === undefined) throw new Error('not a MaxMind DB file');
    const rs = meta.recordSize;
    if (rs !== 24 && rs !== 28 && rs !== 32) throw new Error(`unsupported mmdb record size ${rs}`);
    this.buf = buf;
    this.meta = meta;
    this.nodeCount = meta.nodeCount;
    this.recordSize = rs;
    this.ipVersion = meta.ipVersion ?? 6;
    this.treeSize = (rs / 4) * this.nodeCount;
    this.dataStart = this.treeSize + 16;
    if (this.dataStart > buf.length) throw new Error('mmdb search tree runs past the end of the file');
    let node = 0;
    if (this.ipVersion !== 4) for (let i = 0; i < 96 && node < this.nodeCount; i++) node = this.child(node, 0);
    this.v4Start = node;
  }

  /** Record `bit` (0 left, 1 right) of `node` (used once, for the IPv4 start node). */
  private child(node: number, bit: number): number {
    const b = this.buf;
    switch (this.recordSize) {
      case 24: {
        const o = node * 6 + bit * 3;
        return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
      }
      case 28: {
        const o = node * 7;
        if (bit === 0) return ((b[o + 3] & 0xf0) << 20) | (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
        return ((b[o + 3] & 0x0f) << 24) | (b[o + 4] << 16) | (b[o + 5] << 8) | b[o + 6];
      }
      default: {
        const o = node * 8 + bit * 4;
        return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
      }
    }
  }

  /** File offset of the data for IPv4 address `ip` (uint32), or -1 when the database has none. */
  findV4(ip: number): number {
    return this.find(4, ip, this.v4Words);
  }

  /** File offset of the data for IPv6 address `w` (four uint32 words), or -1. An IPv4 tree is walked from its
   *  root with the address's first bits, as the `maxmind` package does. */
  findV6(w: Uint32Array): number {
    return this.find(6, 0, w);
  }

  /**
   * File offset of the data for an address (family 4: `v4` as uint32; family 6: the four words of `w`), or -1.
   * Lookups walk the tree in WebAssembly (lookup-core.wat `walk`, a port of this function); this is the reference
   * test/geo/lookup-core.test.ts holds it to, itself held to the `maxmind` package by mmdb-reader.test.ts.
   * Walks the tree until a record is not a node, one loop per record size with the node read inline: the walk is
   * most of a lookup, and runs cold (a few thousand new addresses per capture). The lookup path calls this one
   * function, not a wrapper per family: every small function on that path is compiled by TurboFan on its own
   * in each capture (about a millisecond each), and at over 460 bytes of bytecode this one is not inlined into
   * its callers' optimised code either (measured: less JIT work per capture).
   */
  find(family: 4 | 6, v4: number, w: Uint32Array): number {
    let node = 0;
    let bits = 128;
    let words = w;
    if (family === 4) {
      words = this.v4Words;
      words[0] = v4;
      node = this.v4Start;
      bits = 32;
    }
    const b = this.buf;
    const n = this.nodeCount;
    let depth = 0;
    if (this.recordSize === 24) {
      while (depth < bits && node < n) {
        const o = node * 6 + ((words[depth >>> 5] >>> (31 - (depth & 31))) & 1) * 3;
        node = (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
        depth++;
      }
    } else if (this.recordSize === 28) {
      while (depth < bits && node < n) {
        const o = node * 7;
        if (((words[depth >>> 5] >>> (31 - (depth & 31))) & 1) === 0) node = ((b[o + 3] & 0xf0) << 20) | (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
        else node = ((b[o + 3] & 0x0f) << 24) | (b[o + 4] << 16) | (b[o + 5] << 8) | b[o + 6];
        depth++;
      }
    } else {
      while (depth < bits && node < n) {
        const o = node * 8 + ((words[depth >>> 5] >>> (31 - (depth & 31))) & 1) * 4;
        node = b[o] * 16777216 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
        depth++;
      }
    }
    this.prefixLength = depth;
    // node == nodeCount: no data; node > nodeCount: data at (node - nodeCount - 16) into the data section.
    if (node <= n) return -1;
    const off = node - n + this.treeSize;
    if (off >= b.length) throw new Error('mmdb record points past the end of the file');
    return off;
  }
}
