// IPv4 / IPv6 fragment reassembly, bounded: at most MAX_FRAG_DATAGRAMS datagrams and MAX_FRAG_PENDING_BYTES
// buffered, each given up after FRAG_TIMEOUT_S, none larger than MAX_DATAGRAM_BYTES. Overlaps: bytes already
// held win ("first" policy, like BSD/Windows for most overlap shapes), so a retransmitted fragment changes
// nothing and the result does not depend on arrival order when fragments agree.
// Fragments are rare, so this path may allocate (one key string and one record per datagram).
import { FRAG_TIMEOUT_S, MAX_DATAGRAM_BYTES, MAX_FRAG_DATAGRAMS, MAX_FRAG_PENDING_BYTES } from '../limits.js';

class Pending {
  /** Copy of the first fragment's IP header (v4: with options; v6: the 40-byte fixed header). */
  header: Buffer = Buffer.alloc(0);
  /** Next-header value from the IPv6 fragment header of the offset-0 fragment (v4 keeps it in the header). */
  nextHeader = -1;
  data: Buffer;
  /** Covered byte ranges [start, end) kept sorted and merged. */
  ranges: number[] = [];
  /** Total datagram payload length, known once the last fragment (MF = 0) arrived; -1 before. */
  total = -1;
  constructor(
    readonly key: string,
    readonly firstSec: number,
    size: number,
  ) {
    this.data = Buffer.alloc(size);
  }
}

export const FRAG_PENDING = 0;
export const FRAG_COMPLETE = 1;
export const FRAG_DROPPED = 2;

export class FragTable {
  private readonly table = new Map<string, Pending>();
  private pendingBytes = 0;
  /** Reassembled datagram (header + payload) after FRAG_COMPLETE: out[0, outLen). Reused. */
  readonly out = Buffer.alloc(MAX_DATAGRAM_BYTES + 64);
  outLen = 0;
  evicted = 0;
  expired = 0;
  overlaps = 0;
  tooBig = 0;

  get size(): number {
    return this.table.size;
  }

  /**
   * Adds a fragment. `hdr` = buf[hdrOff, hdrOff + hdrLen) is the IP header to reuse, `payload` = buf[pOff, pOff + pLen)
   * sits at `fragOff` in the datagram; `more` is the MF flag. For IPv6 `nextHeader` is the fragment header's.
   */
  add(version: number, key: string, nowSec: number, buf: Buffer, hdrOff: number, hdrLen: number, pOff: number, pLen: number, fragOff: number, more: boolean, nextHeader: number): number {
    this.expire(nowSec);
    const end = fragOff + pLen;
    if (end + hdrLen > MAX_DATAGRAM_BYTES || (more && (pLen & 7) !== 0 && version === 4)) {
      this.tooBig++;
      this.drop(key);
      return FRAG_DROPPED;
    }
    let d = this.table.get(key);
    if (d === undefined) {
      if (this.table.size >= MAX_FRAG_DATAGRAMS) this.evictOldest();
      d = new Pending(key, nowSec, Math.max(end, 1024));
      this.table.set(key, d);
      this.pendingBytes += d.data.length;
    }
    if (end > d.data.length) {
      const bigger = Buffer.alloc(Math.min(MAX_DATAGRAM_BYTES, Math.max(end, d.data.length * 2)));
      d.data.copy(bigger);
      this.pendingBytes += bigger.length - d.data.length;
      d.data = bigger;
    }
    while (this.pendingBytes > MAX_FRAG_PENDING_BYTES && this.table.size > 1) this.evictOldest();
    if (fragOff === 0) {
      d.header = Buffer.from(buf.subarray(hdrOff, hdrOff + hdrLen));
      d.nextHeader = nextHeader;
    }
    if (!more) {
      if (d.total >= 0 && d.total !== end) {
        this.overlaps++;
      } else d.total = end;
    }
    this.insert(d, buf, pOff, fragOff, end);
    if (d.total >= 0 && d.header.length > 0 && d.ranges.length === 2 && d.ranges[0] === 0 && d.ranges[1] >= d.total) {
      this.complete(version, d);
      this.drop(key);
      return FRAG_COMPLETE;
    }
    return FRAG_PENDING;
  }

  /** Writes the parts of [s, e) not yet covered, then merges the range list. */
  private insert(d: Pending, buf: Buffer, pOff: number, s: number, e: number): void {
    const r = d.ranges;
    let cur = s;
    for (let i = 0; i < r.length && cur < e; i += 2) {
      const rs = r[i];
      const re = r[i + 1];
      if (re <= cur) continue;
      if (rs >= e) break;
      if (rs > cur) buf.copy(d.data, cur, pOff + (cur - s), pOff + (rs - s));
      if (rs < e && re > cur) this.overlaps++;
      cur = Math.max(cur, re);
    }
    if (cur < e) buf.copy(d.data, cur, pOff + (cur - s), pOff + (e - s));
    // merge [s, e) into the sorted list
    const merged: number[] = [];
    let ns = s;
    let ne = e;
    let placed = false;
    for (let i = 0; i < r.length; i += 2) {
      const rs = r[i];
      const re = r[i + 1];
      if (re < ns) merged.push(rs, re);
      else if (rs > ne) {
        if (!placed) {
          merged.push(ns, ne);
          placed = true;
        }
        merged.push(rs, re);
      } else {
        ns = Math.min(ns, rs);
        ne = Math.max(ne, re);
      }
    }
    if (!placed) merged.push(ns, ne);
    merged.sort((a, b) => a - b);
    d.ranges = merged;
  }

  private complete(version: number, d: Pending): void {
    const out = this.out;
    const h = d.header;
    h.copy(out, 0);
    d.data.copy(out, h.length, 0, d.total);
    if (version === 4) {
      out.writeUInt16BE(h.length + d.total, 2);
      out.writeUInt16BE(0, 6); // no MF, offset 0
    } else {
      out[6] = d.nextHeader;
      out.writeUInt16BE(d.total, 4);
    }
    this.outLen = h.length + d.total;
  }

  private drop(key: string): void {
    const d = this.table.get(key);
    if (d === undefined) return;
    this.pendingBytes -= d.data.length;
    this.table.delete(key);
  }

  private evictOldest(): void {
    const first = this.table.keys().next();
    if (!first.done) {
      this.drop(first.value);
      this.evicted++;
    }
  }

  /** Drops datagrams older than FRAG_TIMEOUT_S (insertion order = age order). */
  expire(nowSec: number): void {
    for (const d of this.table.values()) {
      if (nowSec - d.firstSec <= FRAG_TIMEOUT_S) break;
      this.drop(d.key);
      this.expired++;
    }
  }
}
