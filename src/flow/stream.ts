// Per-direction TCP reassembly for the extractors: orders segments, trims retransmissions and overlaps,
// skips holes the capture never saw (when the buffer cap is reached or the flow ends; never on the strength of an
// ACK, since captures can be reordered), and hands the consumer the contiguous bytes it has not consumed yet.
// Bounded: at most MAX_STREAM_BUFFER_BYTES held (assembled + out of order) and MAX_STREAM_SEGMENTS pending.
// The common case (a segment arrives in order and the consumer takes it, or needs nothing) copies nothing.

import { MAX_STREAM_BUFFER_BYTES, MAX_STREAM_SEGMENTS } from '../limits.js';

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
}

export const STREAM_STOP = -1;

/** Returned by `segment()` so the caller can record anomalies without strings on the hot path. */
export const SEG_OK = 0;
export const SEG_CAP_REACHED = 1;

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
  /** Bytes the consumer has consumed so far (0 means a late earlier segment may still be prepended). */
  consumed = 0;
  /** Bytes declared lost by gaps. */
  lost = 0;
  stopped = false;

  constructor(private readonly consumer: StreamConsumer) {}

  /** The SYN (or SYN/ACK) of this direction: data starts at isn + 1. */
  syn(isn: number): void {
    if (this.anchored || this.stopped) return;
    if (this.started && this.consumed > 0) return;
    // Anything held from before the SYN was seen is re-queued at its own sequence number.
    const heldSeq = (this.next - this.heldLen) | 0;
    this.next = (isn + 1) | 0;
    this.started = true;
    this.anchored = true;
    if (this.heldLen > 0 && this.held) {
      const data = Buffer.from(this.held.subarray(0, this.heldLen));
      this.heldLen = 0;
      this.insertPending(heldSeq, data, this.heldFrame);
      this.drainPending(this.heldFrame);
    }
  }

  /** A data segment of this direction. Returns SEG_OK or SEG_CAP_REACHED. */
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
      this.insertPending(s, Buffer.from(buf.subarray(o, o + l)), frame);
      return SEG_OK;
    }
    const r = this.deliver(buf, o, l, frame);
    if (r !== SEG_OK || this.stopped) return r;
    return this.drainPending(frame);
  }

  /** End of flow: deliver what is pending across holes. */
  flush(frame: number): void {
    while (!this.stopped && this.pending.length > 0) {
      this.skipHole();
      this.drainPending(frame);
    }
  }

  stop(): void {
    this.stopped = true;
    this.held = null;
    this.heldLen = 0;
    this.pending.length = 0;
    this.pendingBytes = 0;
  }

  /** Bytes currently buffered (for memory accounting). */
  get bufferedBytes(): number {
    return this.heldLen + this.pendingBytes;
  }

  // ------------------------------------------------------------------ internals

  private prepend(seq: number, buf: Buffer, off: number, len: number, frame: number): number {
    // Re-queue what we hold after the new first segment, then restart delivery from `seq`.
    if (this.heldLen > 0 && this.held) {
      const data = Buffer.from(this.held.subarray(0, this.heldLen));
      this.insertPending((this.next - this.heldLen) | 0, data, this.heldFrame);
      this.heldLen = 0;
    }
    this.next = seq;
    const r = this.deliver(buf, off, len, frame);
    if (r !== SEG_OK || this.stopped) return r;
    return this.drainPending(frame);
  }

  private insertPending(seq: number, data: Buffer, frame: number): void {
    const p = this.pending;
    let i = p.length;
    while (i > 0 && after(p[i - 1].seq, seq)) i--;
    // Drop an exact duplicate.
    if (i > 0 && p[i - 1].seq === seq && p[i - 1].data.length >= data.length) return;
    p.splice(i, 0, { seq, data, frame });
    this.pendingBytes += data.length;
  }

  private drainPending(frame: number): number {
    const p = this.pending;
    while (!this.stopped && p.length > 0) {
      const first = p[0];
      const d = (first.seq - this.next) | 0;
      if (d > 0) break;
      p.shift();
      this.pendingBytes -= first.data.length;
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
    this.heldLen = 0;
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
    if (this.hold(buf, off, len) !== SEG_OK) return SEG_CAP_REACHED;
    const held = this.held as Buffer;
    const c = this.consumer.data(held, 0, this.heldLen, frame);
    if (c === STREAM_STOP || this.stopped) {
      this.stop();
      return SEG_OK;
    }
    this.consumed += c;
    if (c > 0) {
      held.copy(held, 0, c, this.heldLen);
      this.heldLen -= c;
    }
    return SEG_OK;
  }

  private hold(buf: Buffer, off: number, len: number): number {
    const need = this.heldLen + len;
    if (need > MAX_STREAM_BUFFER_BYTES) {
      this.stop();
      return SEG_CAP_REACHED;
    }
    if (this.held === null || this.held.length < need) {
      const size = Math.min(MAX_STREAM_BUFFER_BYTES, Math.max(need, 2048, this.held ? this.held.length * 2 : 0));
      const nb = Buffer.allocUnsafe(size);
      if (this.held && this.heldLen > 0) this.held.copy(nb, 0, 0, this.heldLen);
      this.held = nb;
    }
    buf.copy(this.held, this.heldLen, off, off + len);
    if (this.heldLen === 0) this.heldFrame = this.frameNow;
    this.heldLen = need;
    return SEG_OK;
  }
}
