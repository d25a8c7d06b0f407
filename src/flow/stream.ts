// Per-direction TCP reassembly for the extractors: orders segments, trims retransmissions and overlaps,
// skips holes the capture never saw (when the buffer cap is reached or the flow ends; never on the strength of an
// ACK, since captures can be reordered), and hands the consumer the contiguous bytes it has not consumed yet.
// Bounded per direction (MAX_STREAM_BUFFER_BYTES held, assembled + out of order; MAX_STREAM_SEGMENTS pending) and
// across all flows by a ReassemblyBudget (memoryLimits().reassemblyBytes): when the budget is full, the least useful
// stream drops what it holds (streams of flows that already have their name first, then the one holding bytes for
// the longest time) and its consumer resynchronises (anomaly `tcp_reassembly_budget_exceeded`).
// The common case (a segment arrives in order and the consumer takes it, or needs nothing) copies nothing and
// accounts nothing.

import { MAX_STREAM_BUFFER_BYTES, MAX_STREAM_SEGMENTS, STREAM_SEGMENT_OVERHEAD_BYTES } from '../limits.js';
import type { ReassemblyBudget } from './reassembly-budget.js';

export { ReassemblyBudget } from './reassembly-budget.js';

/** The consumer of a direction's bytes. */
export interface StreamConsumer {
  /**
   * Called with the contiguous unconsumed bytes [off, off+len). Returns how many bytes it consumed (0..len), or
   * STREAM_STOP when it wants no more bytes of this direction. A consumer that needs more bytes returns 0 (or what
   * it could consume) and is called again with the remainder plus the new bytes.
   */
  data(buf: Buffer, off: number, len: number, frame: number): number;
  /** Bytes were lost (never captured) before the next data: framing must resynchronise. */
  gap(lost: number): void;
  /** The reassembly budget made the stream drop `dropped` bytes it held: framing must resynchronise. Without this
   *  method the consumer is told through gap(). Never called while the consumer is inside data(). */
  shed?(dropped: number): void;
}

export const STREAM_STOP = -1;

/** Returned by `segment()` so the caller can record anomalies without strings on the hot path. */
export const SEG_OK = 0;
/** The direction's own cap (bytes or segments) was reached: the earliest hole was skipped. */
export const SEG_CAP_REACHED = 1;
/** The budget across flows could not make room even by shedding every other stream: this one stopped. */
export const SEG_BUDGET_EXCEEDED = 2;

interface Pending {
  seq: number;
  data: Buffer;
  /** Frame that carried the segment: reported as the frame of whatever it completes. */
  frame: number;
}

/** seq a is after seq b (mod 2^32). */
function after(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export class TcpStream {
  /** Sequence number of the next byte the consumer has not yet received (valid when `started`). */
  private next = 0;
  private started = false;
  /** Set once the initial sequence number came from a SYN: then earlier bytes cannot appear. */
  private anchored = false;
  /** Bytes received in order but not consumed yet. */
  private held: Buffer | null = null;
  private heldLen = 0;
  private heldFrame = 0;
  private frameNow = 0;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  /** Bytes consumed so far (0 means a late earlier segment may still be prepended). */
  consumed = 0;
  /** Bytes declared lost by gaps. */
  lost = 0;
  stopped = false;
  /** Bytes accounted to the budget (data, held capacity, per-segment overhead). */
  accounted = 0;
  /** Budget bookkeeping (owned by ReassemblyBudget). */
  budgetPrev: TcpStream | null = null;
  budgetNext: TcpStream | null = null;
  budgetList = -1;
  /** The flow already has its name: this stream's bytes are shed first. */
  named = false;

  constructor(
    private readonly consumer: StreamConsumer,
    private readonly budget: ReassemblyBudget | null = null,
    /** What the stream belongs to (its flow): the budget never sheds a stream of the caller's owner. */
    readonly owner: object | null = null,
  ) {}

  /** The SYN (or SYN/ACK) of this direction: data starts at isn + 1. */
  syn(isn: number): void {
    if (this.anchored || this.stopped) return;
    if (this.started && this.consumed > 0) return;
    // Anything held from before the SYN was seen is re-queued at its own sequence number.
    const heldSeq = (this.next - this.heldLen) | 0;
    this.next = (isn + 1) | 0;
    this.started = true;
    this.anchored = true;
    if (this.heldLen > 0) {
      this.requeueHeld(heldSeq);
      this.drainPending(this.heldFrame);
    }
  }

  /** A data segment of this direction. Returns SEG_OK, SEG_CAP_REACHED or SEG_BUDGET_EXCEEDED. */
  segment(seq: number, buf: Buffer, off: number, len: number, frame: number): number {
    if (this.stopped || len <= 0) return SEG_OK;
    if (!this.started) {
      this.next = seq;
      this.started = true;
    }
    let s = seq | 0;
    let o = off;
    let l = len;
    let d = (s - this.next) | 0;
    if (d < 0) {
      // Before what we already have: a retransmission, or (without a SYN and before any consumption) a late
      // first segment, which becomes the new start.
      if (!this.anchored && this.consumed === 0 && -d <= MAX_STREAM_BUFFER_BYTES) {
        return this.prepend(s, buf, o, l, frame);
      }
      if (-d >= l) return SEG_OK;
      o -= d;
      l += d;
      s = this.next;
      d = 0;
    }
    if (d > 0) {
      if (this.pending.length >= MAX_STREAM_SEGMENTS || this.pendingBytes + l + this.heldLen > MAX_STREAM_BUFFER_BYTES) {
        // Cannot hold it: stop waiting for the earliest hole and deliver what follows it.
        const target = this.pending.length > 0 && after(s, this.pending[0].seq) ? this.pending[0].seq : s;
        this.declareLost(target);
        this.drainPending(frame);
        if (!this.stopped) this.segment(seq, buf, off, len, frame);
        return SEG_CAP_REACHED;
      }
      if (!this.insertPending(s, buf, o, l, frame)) {
        this.stop();
        return SEG_BUDGET_EXCEEDED;
      }
      return SEG_OK;
    }
    const r = this.deliver(buf, o, l, frame);
    if (r !== SEG_OK || this.stopped) return r;
    return this.drainPending(frame);
  }

  /** End of flow: deliver what is pending across holes, then release everything. */
  flush(frame: number): void {
    while (!this.stopped && this.pending.length > 0) {
      this.skipHole();
      this.drainPending(frame);
    }
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    this.held = null;
    this.heldLen = 0;
    this.pending.length = 0;
    this.pendingBytes = 0;
    this.refund(this.accounted);
  }

  /**
   * Called by the budget to make room for another stream: stops waiting for holes and drops everything held; the
   * stream goes on with the next new segment and the consumer resynchronises. Returns the data bytes dropped.
   */
  shed(): number {
    const dropped = this.heldLen + this.pendingBytes;
    const p = this.pending;
    if (p.length > 0) {
      let end = this.next;
      for (let i = 0; i < p.length; i++) {
        const e = (p[i].seq + p[i].data.length) | 0;
        if (after(e, end)) end = e;
      }
      this.next = end;
      p.length = 0;
      this.pendingBytes = 0;
    }
    this.held = null;
    this.heldLen = 0;
    this.anchored = true;
    this.refund(this.accounted);
    if (this.consumer.shed !== undefined) this.consumer.shed(dropped);
    else this.consumer.gap(dropped);
    return dropped;
  }

  /** Data bytes currently buffered (held + out of order). */
  get bufferedBytes(): number {
    return this.heldLen + this.pendingBytes;
  }

  /** Out-of-order segments waiting. */
  get pendingSegments(): number {
    return this.pending.length;
  }

  // ------------------------------------------------------------------ internals

  /** Accounts `n` more bytes (may shed other streams); false when the budget cannot make room. */
  private charge(n: number): boolean {
    const b = this.budget;
    if (b !== null) {
      if (!b.reserve(this, n)) return false;
      if (this.accounted === 0) b.link(this);
    }
    this.accounted += n;
    return true;
  }

  private refund(n: number): void {
    if (n === 0) return;
    this.accounted -= n;
    const b = this.budget;
    if (b !== null) {
      b.release(n);
      if (this.accounted === 0) b.unlink(this);
    }
  }

  private dropHeld(): void {
    const h = this.held;
    this.heldLen = 0;
    if (h === null) return;
    this.held = null;
    this.refund(h.length);
  }

  private prepend(seq: number, buf: Buffer, off: number, len: number, frame: number): number {
    // Re-queue what we hold after the new first segment, then restart delivery from `seq`.
    if (this.heldLen > 0) this.requeueHeld((this.next - this.heldLen) | 0);
    this.next = seq;
    const r = this.deliver(buf, off, len, frame);
    if (r !== SEG_OK || this.stopped) return r;
    return this.drainPending(frame);
  }

  /** Moves the held bytes (which start at `seq`) back among the out-of-order segments. */
  private requeueHeld(seq: number): void {
    const held = this.held as Buffer;
    const n = this.heldLen;
    this.dropHeld();
    if (!this.insertPending(seq, held, 0, n, this.heldFrame)) {
      this.lost += n;
      this.consumer.gap(n);
    }
  }

  /** Queues a copy of buf[off, off+len) at `seq` (binary search: reversed arrival is O(log n) compares plus one
   *  array move). False when the budget refused the bytes. */
  private insertPending(seq: number, buf: Buffer, off: number, len: number, frame: number): boolean {
    const p = this.pending;
    let lo = 0;
    let hi = p.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (after(p[mid].seq, seq)) hi = mid;
      else lo = mid + 1;
    }
    // Drop an exact duplicate.
    if (lo > 0 && p[lo - 1].seq === seq && p[lo - 1].data.length >= len) return true;
    if (!this.charge(len + STREAM_SEGMENT_OVERHEAD_BYTES)) return false;
    const seg: Pending = { seq, data: Buffer.from(buf.subarray(off, off + len)), frame };
    if (lo === p.length) p.push(seg);
    else p.splice(lo, 0, seg);
    this.pendingBytes += len;
    return true;
  }

  private drainPending(frame: number): number {
    const p = this.pending;
    while (!this.stopped && p.length > 0) {
      const first = p[0];
      const d = (first.seq - this.next) | 0;
      if (d > 0) break;
      p.shift();
      this.pendingBytes -= first.data.length;
      this.refund(first.data.length + STREAM_SEGMENT_OVERHEAD_BYTES);
      if (-d >= first.data.length) continue; // wholly before: duplicate
      const r = this.deliver(first.data, -d, first.data.length + d, first.frame || frame);
      if (r !== SEG_OK) return r;
    }
    return SEG_OK;
  }

  private skipHole(): void {
    if (this.pending.length === 0) return;
    this.declareLost(this.pending[0].seq);
  }

  private declareLost(target: number): void {
    const lost = (target - this.next) | 0;
    if (lost <= 0) return;
    // Held bytes before a hole can never complete a message that spans it: the consumer resynchronises.
    this.dropHeld();
    this.next = target;
    this.lost += lost;
    this.consumer.gap(lost);
    if (!this.anchored) this.anchored = true;
  }

  /** In-order bytes: pass them (with anything held) to the consumer; keep what it leaves. */
  private deliver(buf: Buffer, off: number, len: number, frame: number): number {
    this.next = (this.next + len) | 0;
    this.frameNow = frame;
    if (this.heldLen === 0) {
      const c = this.consumer.data(buf, off, len, frame);
      if (c === STREAM_STOP || this.stopped) {
        this.stop();
        return SEG_OK;
      }
      this.consumed += c;
      if (c < len) return this.hold(buf, off + c, len - c);
      return SEG_OK;
    }
    const r = this.hold(buf, off, len);
    if (r !== SEG_OK) return r;
    const held = this.held as Buffer;
    const c = this.consumer.data(held, 0, this.heldLen, frame);
    if (c === STREAM_STOP || this.stopped) {
      this.stop();
      return SEG_OK;
    }
    this.consumed += c;
    if (c > 0) {
      if (c >= this.heldLen) this.dropHeld();
      else {
        held.copy(held, 0, c, this.heldLen);
        this.heldLen -= c;
      }
    }
    return SEG_OK;
  }

  private hold(buf: Buffer, off: number, len: number): number {
    const need = this.heldLen + len;
    if (need > MAX_STREAM_BUFFER_BYTES) {
      this.stop();
      return SEG_CAP_REACHED;
    }
    const h = this.held;
    if (h === null || h.length < need) {
      const had = h === null ? 0 : h.length;
      const size = Math.min(MAX_STREAM_BUFFER_BYTES, Math.max(need, 2048, had * 2));
      if (!this.charge(size - had)) {
        this.stop();
        return SEG_BUDGET_EXCEEDED;
      }
      // Not from Buffer's shared pool: a long-held slice would keep a whole 8 KiB pool chunk alive.
      const nb = Buffer.allocUnsafeSlow(size);
      if (h !== null && this.heldLen > 0) h.copy(nb, 0, 0, this.heldLen);
      this.held = nb;
    }
    buf.copy(this.held as Buffer, this.heldLen, off, off + len);
    if (this.heldLen === 0) this.heldFrame = this.frameNow;
    this.heldLen = need;
    return SEG_OK;
  }
}
