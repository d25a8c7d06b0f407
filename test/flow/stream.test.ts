import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ReassemblyBudget,
  SEG_BUDGET_EXCEEDED,
  SEG_CAP_REACHED,
  SEG_OK,
  STREAM_STOP,
  TcpStream,
  type StreamConsumer,
} from '../../src/flow/stream.js';
import { MAX_STREAM_SEGMENTS, STREAM_SEGMENT_OVERHEAD_BYTES } from '../../src/limits.js';

/** Consumes everything it is given and records it. */
function collector(): StreamConsumer & { out: number[]; gaps: number } {
  const c = {
    out: [] as number[],
    gaps: 0,
    data(buf: Buffer, off: number, len: number): number {
      for (let i = 0; i < len; i++) c.out.push(buf[off + i]);
      return len;
    },
    gap(): void {
      c.gaps++;
    },
  };
  return c;
}

/** Consumes nothing until it holds `want` bytes, then everything. */
function waiter(want: number): StreamConsumer & { seen: Buffer | null } {
  const c = {
    seen: null as Buffer | null,
    data(buf: Buffer, off: number, len: number): number {
      if (len < want) return 0;
      c.seen = Buffer.from(buf.subarray(off, off + len));
      return STREAM_STOP;
    },
    gap(): void {},
  };
  return c;
}

function segments(data: Buffer, cuts: number[]): { seq: number; start: number; end: number }[] {
  const points = [...new Set(cuts.map((c) => c % data.length))].sort((a, b) => a - b).filter((c) => c > 0);
  const out: { seq: number; start: number; end: number }[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    out.push({ seq: prev, start: prev, end: p });
    prev = p;
  }
  return out;
}

describe('TcpStream', () => {
  it('delivers in-order data without copying the consumer a second time', () => {
    const c = collector();
    const s = new TcpStream(c);
    s.syn(1000);
    s.segment(1001, Buffer.from('hello '), 0, 6, 1);
    s.segment(1007, Buffer.from('world'), 0, 5, 2);
    expect(Buffer.from(c.out).toString()).toBe('hello world');
    expect(s.bufferedBytes).toBe(0);
  });

  it('reorders, trims retransmissions and overlaps', () => {
    const c = collector();
    const s = new TcpStream(c);
    s.syn(0);
    s.segment(7, Buffer.from('world'), 0, 5, 2);
    s.segment(4, Buffer.from('lo wo'), 0, 5, 3); // overlaps the next one
    s.segment(1, Buffer.from('hel'), 0, 3, 1);
    s.segment(1, Buffer.from('hel'), 0, 3, 4); // retransmission
    expect(Buffer.from(c.out).toString()).toBe('hello world');
  });

  it('prepends a late first segment when no SYN anchored the stream and nothing was consumed', () => {
    const c = waiter(11);
    const s = new TcpStream(c);
    s.segment(506, Buffer.from('world'), 0, 5, 2);
    s.segment(500, Buffer.from('hello '), 0, 6, 1);
    expect(c.seen?.toString()).toBe('hello world');
  });

  it('waits at a hole (captures may be reordered) and skips it only at the end of the flow, telling the consumer', () => {
    const c = collector();
    const s = new TcpStream(c);
    s.syn(0);
    s.segment(1, Buffer.from('ab'), 0, 2, 1);
    s.segment(10, Buffer.from('xyz'), 0, 3, 2);
    expect(Buffer.from(c.out).toString()).toBe('ab');
    s.flush(3);
    expect(Buffer.from(c.out).toString()).toBe('abxyz');
    expect(c.gaps).toBe(1);
    expect(s.lost).toBe(7);
  });

  it('flush delivers what lies beyond holes at the end of the flow', () => {
    const c = collector();
    const s = new TcpStream(c);
    s.syn(0);
    s.segment(20, Buffer.from('tail'), 0, 4, 1);
    s.segment(1, Buffer.from('head'), 0, 4, 2);
    s.flush(3);
    expect(Buffer.from(c.out).toString()).toBe('headtail');
  });

  it('property: same bytes whatever the segmentation, order and duplication (anchored by a SYN)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 80 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (bytes, cuts, order, isn) => {
          const data = Buffer.from(bytes);
          const segs = segments(data, cuts);
          // Shuffle with duplicates: order picks segment indexes; then every segment once more at the end.
          const seq = [...order.map((o) => segs[o % segs.length]), ...segs];
          const c = collector();
          const s = new TcpStream(c);
          s.syn(isn);
          for (const g of seq) s.segment((isn + 1 + g.seq) | 0, data, g.start, g.end - g.start, 1);
          s.flush(2);
          expect(Buffer.from(c.out).equals(data)).toBe(true);
          expect(c.gaps).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: never holds more than its cap and never throws on arbitrary segments', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ seq: fc.integer({ min: 0, max: 0xffffffff }), len: fc.integer({ min: 0, max: 9000 }) }), { maxLength: 60 }),
        (segs) => {
          const s = new TcpStream(waiter(1 << 30));
          const buf = Buffer.alloc(9000, 7);
          for (const g of segs) s.segment(g.seq, buf, 0, g.len, 1);
          expect(s.bufferedBytes).toBeLessThanOrEqual(65_536);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A consumer that never consumes (waits for more) and records what the budget did to it. */
function hoarder(): StreamConsumer & { sheds: number; gaps: number } {
  const c = {
    sheds: 0,
    gaps: 0,
    data(): number {
      return 0;
    },
    gap(): void {
      c.gaps++;
    },
    shed(): void {
      c.sheds++;
    },
  };
  return c;
}

describe('TcpStream segment cap', () => {
  it('reassembles a hello sent in 1-byte segments in reverse order (tcp_ch_1byte_reverse_long), up to MAX_STREAM_SEGMENTS', () => {
    const hello = Buffer.from(Array.from({ length: 1800 }, (_, i) => (i * 7) & 0xff));
    const c = collector();
    const s = new TcpStream(c);
    s.syn(99);
    for (let i = hello.length - 1; i >= 0; i--) expect(s.segment(100 + i, hello, i, 1, hello.length - i)).toBe(SEG_OK);
    expect(Buffer.from(c.out).equals(hello)).toBe(true);
    expect(c.gaps).toBe(0);
    expect(s.bufferedBytes).toBe(0);
  });

  it('beyond MAX_STREAM_SEGMENTS out-of-order segments it skips the earliest hole instead of holding more', () => {
    const c = collector();
    const s = new TcpStream(c);
    s.syn(0);
    const one = Buffer.from([1]);
    let capped = 0;
    for (let i = MAX_STREAM_SEGMENTS + 10; i >= 2; i--) if (s.segment(i * 2, one, 0, 1, 1) === SEG_CAP_REACHED) capped++;
    expect(capped).toBeGreaterThan(0);
    expect(s.pendingSegments).toBeLessThanOrEqual(MAX_STREAM_SEGMENTS);
  });
});

describe('ReassemblyBudget', () => {
  it('sheds the stream that has held bytes the longest when the budget is full, and tells its consumer', () => {
    const cap = 3 * (1000 + STREAM_SEGMENT_OVERHEAD_BYTES);
    const b = new ReassemblyBudget(cap);
    const cs = [hoarder(), hoarder(), hoarder(), hoarder()];
    const ss = cs.map((c, i) => new TcpStream(c, b, { flow: i }));
    const data = Buffer.alloc(1000, 9);
    ss.forEach((s) => s.syn(0));
    // Each stream holds 1000 bytes beyond a 1-byte hole.
    for (let i = 0; i < 3; i++) expect(ss[i].segment(2, data, 0, 1000, i + 1)).toBe(SEG_OK);
    expect(b.used).toBe(cap);
    expect(ss[3].segment(2, data, 0, 1000, 4)).toBe(SEG_OK);
    expect(cs.map((c) => c.sheds)).toEqual([1, 0, 0, 0]); // the oldest holder went
    expect(ss[0].bufferedBytes).toBe(0);
    expect(b.used).toBe(cap);
    expect(b.sheds).toBe(1);
    expect(b.shedBytes).toBe(1000);
    // The shed stream goes on past what it dropped: a retransmission of the dropped bytes is ignored.
    expect(ss[0].segment(2, data, 0, 1000, 5)).toBe(SEG_OK);
    expect(ss[0].bufferedBytes).toBe(0);
  });

  it('sheds streams of named flows first, and never the caller or the other direction of its flow', () => {
    const unit = 1000 + STREAM_SEGMENT_OVERHEAD_BYTES;
    const b = new ReassemblyBudget(3 * unit);
    const flowA = {};
    const flowB = {};
    const cs = [hoarder(), hoarder(), hoarder(), hoarder()];
    const a1 = new TcpStream(cs[0], b, flowA);
    const a2 = new TcpStream(cs[1], b, flowA);
    const b1 = new TcpStream(cs[2], b, flowB);
    const c1 = new TcpStream(cs[3], b, {});
    const data = Buffer.alloc(1000, 1);
    for (const s of [a1, a2, b1, c1]) s.syn(0);
    a1.segment(2, data, 0, 1000, 1);
    a2.segment(2, data, 0, 1000, 2);
    b1.segment(2, data, 0, 1000, 3);
    b.markNamed(b1); // b1 is the youngest holder but its flow has its name
    c1.segment(2, data, 0, 1000, 4);
    expect(cs.map((c) => c.sheds)).toEqual([0, 0, 1, 0]);
    // a1 asks for more: a2 (same flow) is never shed for it; the oldest other holder is c1.
    a1.segment(1002, data, 0, 1000, 5);
    expect(cs.map((c) => c.sheds)).toEqual([0, 0, 1, 1]);
    expect(a2.bufferedBytes).toBe(1000);
  });

  it('stops a stream whose own flow alone cannot fit, and releases everything on flush and stop', () => {
    const b = new ReassemblyBudget(1500);
    const c = hoarder();
    const s = new TcpStream(c, b, {});
    s.syn(0);
    expect(s.segment(2, Buffer.alloc(2000), 0, 2000, 1)).toBe(SEG_BUDGET_EXCEEDED);
    expect(s.stopped).toBe(true);
    expect(b.used).toBe(0);
    const t = new TcpStream(collector(), b, {});
    t.syn(0);
    t.segment(5, Buffer.alloc(100), 0, 100, 1);
    expect(b.used).toBeGreaterThan(0);
    t.flush(2);
    expect(b.used).toBe(0);
  });

  it('property: accounting is never negative, never above the cap, and returns to zero when every stream ends', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2_000, max: 40_000 }),
        fc.array(
          fc.record({
            stream: fc.nat({ max: 5 }),
            op: fc.constantFrom('seg', 'seg', 'seg', 'named', 'flush'),
            seq: fc.integer({ min: 0, max: 30_000 }),
            len: fc.integer({ min: 1, max: 3_000 }),
            want: fc.integer({ min: 0, max: 4_000 }),
          }),
          { maxLength: 120 },
        ),
        (cap, ops) => {
          const b = new ReassemblyBudget(cap);
          const owners = [{}, {}, {}];
          // Consumers that take what they get only once they hold `want` bytes (so held buffers grow too).
          const streams = Array.from({ length: 6 }, (_, i) => {
            let want = 0;
            const cons: StreamConsumer & { setWant(n: number): void } = {
              setWant: (n) => {
                want = n;
              },
              data: (_buf, _off, len) => (len >= want ? len : 0),
              gap: () => undefined,
              shed: () => undefined,
            };
            const s = new TcpStream(cons, b, owners[i >> 1]);
            s.syn(0);
            return { s, cons };
          });
          const buf = Buffer.alloc(3_000, 3);
          for (const o of ops) {
            const { s, cons } = streams[o.stream];
            if (o.op === 'named') b.markNamed(s);
            else if (o.op === 'flush') s.flush(1);
            else {
              cons.setWant(o.want);
              s.segment(1 + o.seq, buf, 0, o.len, 1);
            }
            expect(b.used).toBeGreaterThanOrEqual(0);
            expect(b.used).toBeLessThanOrEqual(cap);
            expect(b.used).toBe(streams.reduce((n, x) => n + x.s.accounted, 0));
            for (const x of streams) expect(x.s.accounted).toBeGreaterThanOrEqual(0);
          }
          for (const x of streams) x.s.flush(2);
          expect(b.used).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
