// Initial-level CRYPTO stream reassembly (RFC 9000 §19.6): data placed by offset, in any order, duplicates and
// overlaps tolerated, capped at MAX_QUIC_CRYPTO_BYTES with a named anomaly. Keeps the covered ranges as a sorted,
// merged list of [start, end) pairs, itself capped at MAX_QUIC_CRYPTO_FRAGMENTS.

import { MAX_QUIC_CRYPTO_BYTES, MAX_QUIC_CRYPTO_FRAGMENTS } from '../../limits.js';
import type { FlowAnomaly } from '../../anomalies.js';

/** Initial allocation; grows by doubling up to MAX_QUIC_CRYPTO_BYTES (a classic hello fits in 2 KiB). */
const INITIAL_CAPACITY = 2048;

export class CryptoStream {
  /** Reassembled bytes; valid where `ranges` say so. */
  data: Buffer;
  /** Flat sorted list of disjoint, non-adjacent [start, end) ranges. */
  private readonly ranges: number[];

  constructor() {
    this.data = Buffer.alloc(0);
    this.ranges = [];
  }

  /** Bytes available contiguously from offset 0. */
  contiguous(): number {
    return this.ranges.length > 0 && this.ranges[0] === 0 ? this.ranges[1] : 0;
  }

  /** Number of disjoint ranges held (1 once everything up to the frontier has arrived). */
  rangeCount(): number {
    return this.ranges.length >> 1;
  }

  /** Places buf[p, p+len) at stream offset `offset`. Returns null or an anomaly code. */
  add(offset: number, buf: Buffer, p: number, len: number): FlowAnomaly | null {
    if (len === 0) return null;
    const end = offset + len;
    if (end > MAX_QUIC_CRYPTO_BYTES) return 'quic_crypto_cap_reached';
    if (end > this.data.length) {
      let cap = Math.max(INITIAL_CAPACITY, this.data.length);
      while (cap < end) cap *= 2;
      const grown = Buffer.alloc(Math.min(cap, MAX_QUIC_CRYPTO_BYTES));
      this.data.copy(grown);
      this.data = grown;
    }
    buf.copy(this.data, offset, p, p + len);
    return this.mark(offset, end);
  }

  /** Drops the reassembled bytes once the hello is parsed (per-flow memory back to ~0). */
  release(): void {
    this.data = Buffer.alloc(0);
    this.ranges.length = 0;
  }

  /** Merges [s, e) into the range list. */
  private mark(s: number, e: number): FlowAnomaly | null {
    const r = this.ranges;
    // first range whose end >= s (touching or overlapping)
    let i = 0;
    while (i < r.length && r[i + 1] < s) i += 2;
    let j = i;
    let ns = s;
    let ne = e;
    while (j < r.length && r[j] <= e) {
      if (r[j] < ns) ns = r[j];
      if (r[j + 1] > ne) ne = r[j + 1];
      j += 2;
    }
    if (j === i) {
      if (r.length >= MAX_QUIC_CRYPTO_FRAGMENTS * 2) return 'quic_crypto_too_fragmented';
      r.splice(i, 0, ns, ne);
    } else {
      r.splice(i, j - i, ns, ne);
    }
    return null;
  }
}
