// fast-check properties of the capture reader: only CaptureError ever escapes (arbitrary bytes, mutated real and
// synthesized captures), and the packets delivered (bytes, timestamps) do not depend on the chunk sizes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaptureStream } from '../../src/capture/reader.js';
import { CaptureError } from '../../src/errors.js';
import { PcapWriter, PcapngWriter } from '../../src/synth/pcap-writer.js';

const CAPTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/captures');

function chunked(bytes: Buffer, sizes: number[]): AsyncIterable<Buffer> {
  return (async function* () {
    let off = 0;
    let i = 0;
    while (off < bytes.length) {
      const n = sizes.length > 0 ? Math.max(1, sizes[i++ % sizes.length]) : bytes.length;
      yield bytes.subarray(off, off + n);
      off += n;
    }
  })();
}

async function collect(bytes: Buffer, sizes: number[] = []): Promise<{ packets: string[]; truncated: boolean; warnings: string[] } | CaptureError> {
  const packets: string[] = [];
  try {
    const s = await readCaptureStream(chunked(bytes, sizes), 'prop', {
      packet: (p) => packets.push(`${p.tsSec}.${p.tsNsec}/${p.linkType}/${p.origlen}/${p.buf.toString('hex', p.off, p.off + p.caplen)}`),
    });
    return { packets, truncated: s.truncated, warnings: s.warnings.map((w) => `${w.code}@${w.offset}`) };
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
}

const pcapHead = new PcapWriter().toBuffer();
const pcapngHead = (() => {
  const w = new PcapngWriter();
  w.addInterface(1);
  return w.toBuffer();
})();

const frameArb = fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a));
const captureArb = fc.oneof(
  fc.tuple(fc.array(frameArb, { maxLength: 8 }), fc.boolean(), fc.boolean()).map(([frames, be, ns]) => {
    const w = new PcapWriter({ bigEndian: be, nanos: ns, linkType: 101 });
    frames.forEach((f, i) => w.add(f, 1_600_000_000 + i, i * 1000 + 7));
    return w.toBuffer();
  }),
  fc.tuple(fc.array(frameArb, { maxLength: 8 }), fc.boolean()).map(([frames, be]) => {
    const w = new PcapngWriter({ bigEndian: be, comment: 'c' });
    const a = w.addInterface(1, { name: 'eth0' });
    const b = w.addInterface(101, { tsresol: 9 });
    frames.forEach((f, i) => (i % 3 === 2 ? w.addSimple(f) : w.add(i % 2 ? b : a, f, 1_600_000_000 + i, 123_456_789, { comment: i % 2 ? 'u-1000' : undefined })));
    if (frames.length > 4) w.addCustom(62652, Buffer.from([1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0x61, 0x62]));
    return w.toBuffer();
  }),
);

describe('reader throws only CaptureError', () => {
  it('on arbitrary bytes, alone or after a valid file header', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(Buffer.alloc(0), pcapHead, pcapngHead, Buffer.from([0x1f, 0x8b])), fc.uint8Array({ maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 4 }), async (head, tail, sizes) => {
        const r = await collect(Buffer.concat([head, Buffer.from(tail)]), sizes);
        if (!(r instanceof CaptureError)) expect(Array.isArray(r.packets)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('on mutated synthesized captures', async () => {
    await fc.assert(
      fc.asyncProperty(captureArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }), fc.nat(), async (cap, muts, cut) => {
        const b = Buffer.from(cap);
        for (const [pos, val] of muts) b[pos % b.length] = val;
        await collect(b.subarray(0, b.length - (cut % 16)), [17]);
      }),
      { numRuns: 800 },
    );
  });

  it.skipIf(!existsSync(CAPTURES))('on mutated real captures', async () => {
    const files = ['gopacket/test202.pcapng', 'tcpdump/nflog.pcap', 'wireshark/dhcp-nanosecond.pcapng', 'wireshark/many_interfaces.pcapng.2', 'dnscap/dns6.pcap'].map((f) => readFileSync(path.join(CAPTURES, f)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), async (cap, muts, cut) => {
        const b = Buffer.from(cap);
        for (const [pos, val] of muts) b[pos % b.length] = val;
        await collect(b.subarray(0, b.length - (cut % 64)), [4096]);
      }),
      { numRuns: 400 },
    );
  });
});

describe('chunking does not change what is read', () => {
  it('same packets, truncation and warnings for any chunk sizes', async () => {
    await fc.assert(
      fc.asyncProperty(captureArb, fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 6 }), fc.nat(40), async (cap, sizes, cut) => {
        const b = cap.subarray(0, Math.max(cap.length - cut, 0));
        const whole = await collect(b);
        const parts = await collect(b, sizes);
        if (whole instanceof CaptureError) {
          expect(parts).toBeInstanceOf(CaptureError);
          expect((parts as CaptureError).code).toBe(whole.code);
        } else expect(parts).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });
});
