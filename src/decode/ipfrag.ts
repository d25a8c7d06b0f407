// IPv4 / IPv6 fragment reassembly, bounded: at most MAX_FRAG_DATAGRAMS datagrams and MAX_FRAG_PENDING_BYTES
// buffered, none larger than MAX_DATAGRAM_BYTES. Overlaps: bytes already held win ("first" policy, like BSD/Windows
// for most overlap shapes), so a retransmitted fragment changes nothing and the result does not depend on arrival
// order when fragments agree.
// A datagram that cannot complete (no fragment for FRAG_TIMEOUT_S, the table full, the capture over) is given up
// but not lost: with `deliverIncomplete` it joins the `incomplete` queue, and the IP layer delivers what was seen
// (ip-layer.ts incomplete()): the first fragment's transport header and payload up to the first hole, with the
// lengths of every fragment seen. Fragments cut by the snapshot length are held too (what was captured of them;
// their wire length still counts), so they never vanish either; such a datagram completes only by timeout.
// A copy of a fragment of a datagram reassembled less than FRAG_TIMEOUT_S ago (a duplicated packet) is absorbed:
// it would otherwise start a second datagram, be given up, and count and extract again.
// Fragments are rare, so this path may allocate (one key string and one record per datagram).
import { FRAG_TIMEOUT_S, MAX_DATAGRAM_BYTES, MAX_FRAG_DATAGRAMS, MAX_FRAG_PENDING_BYTES } from '../limits.js';
import { ZERO_D } from '../number-fields.js';
import type { PacketView } from './packet-view.js';

const EMPTY = Buffer.alloc(0);

/** One datagram being reassembled. */
export class Pending {
  /** Copy of an IP header (v4: with options; v6: the 40-byte fixed header): the offset-0 fragment's once seen,
   *  before that the first fragment's (addresses and protocol are the same in every fragment). */
  header: Buffer = EMPTY;
  /** The offset-0 fragment (transport header) was seen. */
  hasFirst = false;
  /** Transport protocol: v4 header's; v6 fragment header's next header (the fragmentable part's first header). */
  proto: number;
  data: Buffer;
  /** Captured byte ranges [start, end) kept sorted and merged. */
  ranges: number[] = [];
  /** Total datagram payload length, known once the last fragment (MF = 0) arrived; -1 before. */
  total = -1;
  /** Wire bytes of fragments that the capture cut short (snapshot length): counted, not held. */
  cutBytes = 0;
  /** Capture time and frame of the first fragment to arrive, time of the latest; time and frame of offset 0. */
  readonly firstTs: number;
  readonly firstFrame: number;
  lastTs: number;
  zeroTs = ZERO_D;
  zeroFrame = 0;
  /** Link-layer facts of the first fragment to arrive, for a flow this datagram may have to create. */
  readonly vlan: number;
  readonly appUid: number;
  /** Destination then source MAC (12 bytes), or null when the link has none. */
  readonly mac: Buffer | null;

  constructor(
    readonly key: string,
    readonly version: number,
    proto: number,
    /** Tunnel depth at which the fragments were found. */
    readonly depth: number,
    v: PacketView,
    size: number,
  ) {
    this.proto = proto;
    this.data = Buffer.alloc(size);
    this.firstTs = v.ts;
    this.firstFrame = v.frame;
    this.lastTs = v.ts;
    this.vlan = v.vlan;
    this.appUid = v.appUid;
    this.mac = v.macSrcOff >= 0
      ? Buffer.concat([v.frameBuf.subarray(v.macDstOff, v.macDstOff + 6), v.frameBuf.subarray(v.macSrcOff, v.macSrcOff + 6)])
      : null;
  }

  /** Wire bytes of the fragments seen (overlaps counted once, cut fragments at their wire length). */
  coveredBytes(): number {
    const r = this.ranges;
    const cap = this.total >= 0 ? this.total : MAX_DATAGRAM_BYTES;
    let n = this.cutBytes;
    for (let i = 0; i < r.length; i += 2) {
      const e = r[i + 1] < cap ? r[i + 1] : cap;
      if (e > r[i]) n += e - r[i];
    }
    return n;
  }

  /** Captured payload bytes from offset 0 up to the first hole (0 without the first fragment). */
  contiguousBytes(): number {
    if (!this.hasFirst || this.ranges.length === 0 || this.ranges[0] !== 0) return 0;
    const e = this.ranges[1];
    return this.total >= 0 && this.total < e ? this.total : e;
  }
}

export const FRAG_PENDING = 0;
export const FRAG_COMPLETE = 1;
export const FRAG_DROPPED = 2;
/** A copy of a fragment of a datagram that already completed (a duplicated packet): absorbed, counted. */
export const FRAG_DUPLICATE = 3;

/** A datagram completed recently: when, and its length. */
class Done {
  constructor(
    readonly ts: number,
    readonly total: number,
  ) {}
}

export class FragTable {
  private readonly table = new Map<string, Pending>();
  private pendingBytes = 0;
  /** Reassembled datagram (header + payload) after FRAG_COMPLETE: out[0, outLen). Reused. */
  readonly out = Buffer.alloc(MAX_DATAGRAM_BYTES + 64);
  outLen = 0;
  /** First/last fragment times and first frame of the datagram in `out`. */
  doneFirstTs = ZERO_D;
  doneFirstFrame = 0;
  doneLastTs = ZERO_D;
  /** Keep given-up datagrams for delivery (the pipeline does); otherwise they are only counted. */
  deliverIncomplete = false;
  private readonly incomplete: Pending[] = [];
  /** Datagrams completed within FRAG_TIMEOUT_S (at most MAX_FRAG_DATAGRAMS), so that a late copy of one of their
   *  fragments is not taken for a new datagram, given up, and counted or extracted twice. */
  private readonly done = new Map<string, Done>();
  private incompleteHead = 0;
  /** An incomplete datagram rebuilt for delivery: incompleteOut[0, n) (header + contiguous payload). Reused. */
  readonly incompleteOut = Buffer.alloc(MAX_DATAGRAM_BYTES + 64);
  evicted = 0;
  expired = 0;
  overlaps = 0;
  tooBig = 0;
  duplicates = 0;
  /** Datagrams given up with their first fragment, and without it. */
  givenUp = 0;
  givenUpNoFirst = 0;

  get size(): number {
    return this.table.size;
  }

  /**
   * Adds a fragment of packet `v`. `hdr` = buf[hdrOff, hdrOff + hdrLen) is the IP header to reuse; the fragment's
   * payload sits at `fragOff` in the datagram, `wireLen` bytes long per its IP header, of which the capture holds
   * buf[pOff, pOff + capLen). `more` is the MF flag; `proto` the transport protocol (v6: the fragment header's
   * next header).
   */
  add(version: number, key: string, v: PacketView, depth: number, buf: Buffer, hdrOff: number, hdrLen: number,
    pOff: number, capLen: number, wireLen: number, fragOff: number, more: boolean, proto: number): number {
    this.expire(v.ts);
    const end = fragOff + wireLen;
    if (end + hdrLen > MAX_DATAGRAM_BYTES || (more && (wireLen & 7) !== 0 && version === 4)) {
      // Past the largest datagram (ping of death) or a non-final fragment of odd length: this fragment is
      // malformed; what is held of its datagram stays.
      this.tooBig++;
      return FRAG_DROPPED;
    }
    let d = this.table.get(key);
    if (d === undefined) {
      const c = this.done.size > 0 ? this.done.get(key) : undefined;
      if (c !== undefined && end <= c.total) {
        this.duplicates++;
        return FRAG_DUPLICATE;
      }
      if (this.table.size >= MAX_FRAG_DATAGRAMS) this.evictOldest(null);
      d = new Pending(key, version, proto, depth, v, Math.max(fragOff + capLen, 1024));
      d.header = Buffer.from(buf.subarray(hdrOff, hdrOff + hdrLen));
      this.table.set(key, d);
      this.pendingBytes += d.data.length;
    }
    const dataEnd = fragOff + capLen;
    if (dataEnd > d.data.length) {
      const bigger = Buffer.alloc(Math.min(MAX_DATAGRAM_BYTES, Math.max(dataEnd, d.data.length * 2)));
      d.data.copy(bigger);
      this.pendingBytes += bigger.length - d.data.length;
      d.data = bigger;
    }
    while (this.pendingBytes > MAX_FRAG_PENDING_BYTES && this.table.size > 1) this.evictOldest(d);
    if (v.ts > d.lastTs) d.lastTs = v.ts;
    if (fragOff === 0 && !d.hasFirst) {
      d.header = Buffer.from(buf.subarray(hdrOff, hdrOff + hdrLen));
      d.proto = proto;
      d.hasFirst = true;
      d.zeroTs = v.ts;
      d.zeroFrame = v.frame;
    }
    if (!more) {
      if (d.total >= 0 && d.total !== end) {
        this.overlaps++;
      } else d.total = end;
    }
    if (capLen < wireLen) d.cutBytes += wireLen - capLen;
    if (capLen > 0) this.insert(d, buf, pOff, fragOff, dataEnd);
    if (d.total >= 0 && d.hasFirst && d.cutBytes === 0 && d.ranges.length === 2 && d.ranges[0] === 0 && d.ranges[1] >= d.total) {
      this.complete(version, d);
      this.drop(key);
      this.done.delete(key);
      this.done.set(key, new Done(v.ts, d.total));
      if (this.done.size > MAX_FRAG_DATAGRAMS) this.done.delete(this.done.keys().next().value as string);
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
      out[6] = d.proto;
      out.writeUInt16BE(d.total, 4);
    }
    this.outLen = h.length + d.total;
    this.doneFirstTs = d.firstTs;
    this.doneFirstFrame = d.firstFrame;
    this.doneLastTs = d.lastTs;
  }

  /**
   * Rebuilds an incomplete datagram with its first fragment into `incompleteOut`: the header, then the payload up
   * to the first hole. The length field says the whole datagram (the last fragment's end when it was seen, else the
   * largest datagram), so the transport header's own lengths check out and the payload reads as cut short, as a
   * packet cut by the snapshot length does. Returns the bytes written.
   */
  buildIncomplete(d: Pending): number {
    const out = this.incompleteOut;
    const h = d.header;
    h.copy(out, 0);
    const n = d.contiguousBytes();
    d.data.copy(out, h.length, 0, n);
    const declared = d.total >= 0 ? d.total : MAX_DATAGRAM_BYTES - h.length;
    if (d.version === 4) {
      out.writeUInt16BE(h.length + declared, 2);
      out.writeUInt16BE(0, 6);
    } else {
      out[6] = d.proto;
      out.writeUInt16BE(declared, 4);
    }
    return h.length + n;
  }

  /** The next datagram given up incomplete, oldest first, or undefined. */
  takeIncomplete(): Pending | undefined {
    const q = this.incomplete;
    if (this.incompleteHead >= q.length) return undefined;
    const d = q[this.incompleteHead++];
    if (this.incompleteHead >= q.length) {
      q.length = 0;
      this.incompleteHead = 0;
    }
    return d;
  }

  /** Datagrams given up and not yet taken. */
  get incompleteWaiting(): number {
    return this.incomplete.length - this.incompleteHead;
  }

  private drop(key: string): void {
    const d = this.table.get(key);
    if (d === undefined) return;
    this.pendingBytes -= d.data.length;
    this.table.delete(key);
  }

  private giveUp(d: Pending): void {
    this.drop(d.key);
    if (d.hasFirst) this.givenUp++;
    else this.givenUpNoFirst++;
    if (this.deliverIncomplete) this.incomplete.push(d);
  }

  /** Gives up the oldest datagram other than `keep`. */
  private evictOldest(keep: Pending | null): void {
    for (const d of this.table.values()) {
      if (d === keep) continue;
      this.giveUp(d);
      this.evicted++;
      return;
    }
  }

  /** Gives up datagrams whose first fragment is older than FRAG_TIMEOUT_S at capture time `now` (insertion order =
   *  age order). */
  expire(now: number): void {
    for (const d of this.table.values()) {
      if (now - d.firstTs <= FRAG_TIMEOUT_S) break;
      this.giveUp(d);
      this.expired++;
    }
    for (const [k, c] of this.done) {
      if (now - c.ts <= FRAG_TIMEOUT_S) break;
      this.done.delete(k);
    }
  }

  /** End of capture: gives up every datagram still waiting. */
  flushAll(): void {
    for (const d of this.table.values()) this.giveUp(d);
  }
}
