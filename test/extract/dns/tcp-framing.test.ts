import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DnsTcpFramer } from '../../../src/extract/dns/tcp-framing.js';
import { encode } from './dns-build.js';

function msg(id: number, name = `host${id}.example.com`): Buffer {
  return encode({ type: 'query', id, flags: 0x0100, questions: [{ type: 'A', name }] });
}

function framed(m: Buffer): Buffer {
  return Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);
}

/** Feeds the chunks and returns the hex of every message delivered (copied at once: the framer reuses its buffer). */
function run(chunks: Buffer[], framer = new DnsTcpFramer(), gaps: Set<number> = new Set()): string[] {
  const out: string[] = [];
  chunks.forEach((c, i) => {
    if (gaps.has(i)) framer.resync();
    const n = framer.feed(c, 0, c.length, (b, o, l) => out.push(b.toString('hex', o, o + l)));
    expect(n).toBe(c.length);
  });
  return out;
}

describe('DnsTcpFramer', () => {
  const a = msg(1);
  const b = msg(2);
  const c = msg(3, 'a-much-longer-name.with.several.labels.example.org');

  it('splits several messages in one segment (dnsotcp-many1pkt)', () => {
    expect(run([Buffer.concat([framed(a), framed(b), framed(c)])])).toEqual([a, b, c].map((m) => m.toString('hex')));
  });

  it('joins a prefix and body split over segments, also a prefix split in the middle (dnsotcp-manyopkts)', () => {
    const s = Buffer.concat([framed(a), framed(b)]);
    expect(run([s.subarray(0, 2), s.subarray(2, 10), s.subarray(10, a.length + 3), s.subarray(a.length + 3)])).toEqual([a, b].map((m) => m.toString('hex')));
  });

  it('hands complete messages over without copying them', () => {
    const seg = framed(a);
    let same = false;
    new DnsTcpFramer().feed(seg, 0, seg.length, (buf) => { same = buf === seg; });
    expect(same).toBe(true);
  });

  it('drops a segment that starts mid-message, then picks up the next message boundary after resync', () => {
    const f = new DnsTcpFramer();
    const mid = framed(a).subarray(5);
    expect(run([mid, framed(b)], f, new Set([1]))).toEqual([b.toString('hex')]);
    expect(f.droppedBytes).toBe(mid.length);
  });

  it('recovers a message whose length prefix was lost (do1t-nosyn-1nolen): a bare message at a segment start', () => {
    const f = new DnsTcpFramer();
    expect(run([a, Buffer.from([0, b.length]), b], f)).toEqual([a, b].map((m) => m.toString('hex')));
    expect(f.recoveredWithoutPrefix).toBe(1);
  });

  it('resyncs after a gap: the partial message before the gap is dropped', () => {
    const s = framed(a);
    expect(run([s.subarray(0, 9), framed(b)], new DnsTcpFramer(), new Set([1]))).toEqual([b.toString('hex')]);
  });

  it('treats a length prefix below 12 as lost sync', () => {
    const f = new DnsTcpFramer();
    expect(run([Buffer.concat([framed(a), Buffer.from([0, 3, 1, 2, 3]), framed(b)]), framed(c)], f)).toEqual([a, c].map((m) => m.toString('hex')));
  });
});

describe('DnsTcpFramer properties', () => {
  const message = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.stringMatching(/^[a-z]{1,30}(\.[a-z]{1,10}){0,3}$/)).map(([id, n]) => msg(id, n));

  it('delivers the same messages whatever the segmentation', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (msgs, cutsRaw) => {
        const stream = Buffer.concat(msgs.map(framed));
        const cuts = [...new Set(cutsRaw.map((x) => x % stream.length))].sort((x, y) => x - y);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const cut of [...cuts, stream.length]) {
          if (cut > prev) chunks.push(stream.subarray(prev, cut));
          prev = cut;
        }
        expect(run(chunks)).toEqual(msgs.map((m) => m.toString('hex')));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and always consumes its input on arbitrary bytes, resyncs included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.boolean()), { maxLength: 10 }), (segs) => {
        const f = new DnsTcpFramer();
        for (const [bytes, gap] of segs) {
          if (gap) f.resync();
          const buf = Buffer.from(bytes);
          expect(f.feed(buf, 0, buf.length, (b, o, l) => { expect(o + l).toBeLessThanOrEqual(b.length); })).toBe(buf.length);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
