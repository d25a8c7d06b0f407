// The reassembly budget shared by every TCP stream of one analysis (memoryLimits().reassemblyBytes): what the streams
// buffer is accounted here, and when a stream needs room that is not there, other streams give theirs up, least
// useful first. The streams themselves (flow/stream.ts) do the buffering and the shedding.

import type { TcpStream } from './stream.js';

const LIST_NAMED = 0;
const LIST_OTHER = 1;

/**
 * Bytes buffered by all the streams of one analysis, against one cap. Accounting is integer arithmetic on fields
 * (data bytes, held-buffer capacity, STREAM_SEGMENT_OVERHEAD_BYTES per out-of-order segment). Streams that hold bytes
 * sit in two intrusive lists, each in the order they started holding: streams of flows that already have their name
 * (kept only for `extract`'s later HTTP requests) are shed first, then the one holding for the longest time, whose hole
 * is the least likely to be filled. Never above the cap: a reservation that cannot be met is refused.
 */
export class ReassemblyBudget {
  /** Bytes accounted now, and the most ever. */
  used = 0;
  highWater = 0;
  /** Streams made to drop their bytes to make room for others. */
  sheds = 0;
  /** Bytes those streams dropped. */
  shedBytes = 0;
  private readonly heads: (TcpStream | null)[] = [null, null];
  private readonly tails: (TcpStream | null)[] = [null, null];

  constructor(readonly cap: number) {}

  /** Makes room for `n` more bytes for `s` (shedding other streams, least useful first); false when impossible. */
  reserve(s: TcpStream, n: number): boolean {
    while (this.used + n > this.cap) {
      const v = this.victim(s);
      if (v === null) return false;
      this.sheds++;
      this.shedBytes += v.shed();
    }
    this.used += n;
    if (this.used > this.highWater) this.highWater = this.used;
    return true;
  }

  release(n: number): void {
    this.used -= n;
  }

  /** `s` started holding bytes: it joins the tail of its list. */
  link(s: TcpStream): void {
    const l = s.named ? LIST_NAMED : LIST_OTHER;
    s.budgetList = l;
    s.budgetPrev = this.tails[l];
    s.budgetNext = null;
    const t = this.tails[l];
    if (t !== null) t.budgetNext = s;
    else this.heads[l] = s;
    this.tails[l] = s;
  }

  /** `s` holds nothing any more. */
  unlink(s: TcpStream): void {
    const l = s.budgetList;
    if (l < 0) return;
    if (s.budgetPrev !== null) s.budgetPrev.budgetNext = s.budgetNext;
    else this.heads[l] = s.budgetNext;
    if (s.budgetNext !== null) s.budgetNext.budgetPrev = s.budgetPrev;
    else this.tails[l] = s.budgetPrev;
    s.budgetPrev = null;
    s.budgetNext = null;
    s.budgetList = -1;
  }

  /** The flow of `s` has its name: its bytes are now the least useful (kept in its place in time). */
  markNamed(s: TcpStream): void {
    if (s.named) return;
    const listed = s.budgetList >= 0;
    if (listed) this.unlink(s);
    s.named = true;
    if (listed) this.link(s);
  }

  /** The stream to shed for `s`: never `s` nor a stream with the same owner (the other direction of its flow, which
   *  may be on the caller's stack), so at most two are skipped per list. */
  private victim(s: TcpStream): TcpStream | null {
    for (let l = LIST_NAMED; l <= LIST_OTHER; l++) {
      for (let v = this.heads[l]; v !== null; v = v.budgetNext) {
        if (v !== s && (s.owner === null || v.owner !== s.owner)) return v;
      }
    }
    return null;
  }
}
