import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TcpStream, STREAM_STOP, type StreamConsumer } from '../../src/flow/stream.js';

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
