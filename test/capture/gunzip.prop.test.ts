// fast-check properties of the gzip path (src/capture/gunzip.ts): damage anywhere in the compressed bytes keeps
// exactly what zlib can decode before it (the reference: the stream fed to zlib one byte at a time), whatever the
// read-chunk sizes, and the damage is located at the compressed byte where zlib stops.
import fc from 'fast-check';
import { createGunzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readCaptureStream } from '../../src/capture/reader.js';
import { CaptureError } from '../../src/errors.js';
import { gzipWithInvalidBlockAfter } from '../../src/synth/gzip.js';
import { PcapWriter } from '../../src/synth/pcap-writer.js';

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

async function read(bytes: Buffer, sizes: number[]): Promise<{ packets: string[]; truncated: boolean; warnings: string[] } | CaptureError> {
  const packets: string[] = [];
  try {
    const s = await readCaptureStream(chunked(bytes, sizes), 'gz', {
      packet: (p) => packets.push(`${p.tsSec}.${p.tsNsec}/${p.buf.toString('hex', p.off, p.off + p.caplen)}`),
    });
    return { packets, truncated: s.truncated, warnings: s.warnings.map((w) => `${w.code}@${w.offset}:${w.message}`) };
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
}

/** What zlib decodes of `gz` before it stops, fed one byte at a time (no call's output can be lost but the last). */
async function decodablePrefix(gz: Buffer): Promise<{ bytes: Buffer; stoppedAt: number | undefined }> {
  const z = createGunzip();
  const out: Buffer[] = [];
  z.on('data', (b: Buffer) => out.push(b));
  z.on('error', () => undefined);
  for (let i = 0; i < gz.length; i++) {
    const e = await new Promise<Error | null | undefined>((resolve) => {
      z.once('error', resolve);
      z.write(gz.subarray(i, i + 1), (err) => resolve(err));
    });
    if (e) return { bytes: Buffer.concat(out), stoppedAt: i };
  }
  await new Promise((resolve) => {
    z.once('error', resolve);
    z.once('end', resolve);
    z.end();
  });
  return { bytes: Buffer.concat(out), stoppedAt: undefined };
}

const captureArb = fc.array(fc.uint8Array({ minLength: 20, maxLength: 200 }), { minLength: 3, maxLength: 30 }).map((frames) => {
  const w = new PcapWriter({ linkType: 101 });
  frames.forEach((f, i) => w.add(Buffer.from(f), 1_600_000_000 + i, i * 1000));
  return w.toBuffer();
});

describe('gzip damage keeps what zlib can decode before it', () => {
  it('byte flips anywhere after the gzip header: the packets of the decodable prefix, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(captureArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }), fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 3 }), async (cap, flips, sizes) => {
        const gz = Buffer.from(gzipSync(cap, { level: 6 }));
        for (const [pos, x] of flips) gz[10 + (pos % (gz.length - 10))] ^= x;
        const ref = await decodablePrefix(gz);
        const got = await read(gz, sizes);
        if (ref.bytes.length < 4) {
          expect(got).toBeInstanceOf(CaptureError);
          return;
        }
        const plain = await read(ref.bytes, []);
        if (plain instanceof CaptureError) {
          expect(got).toBeInstanceOf(CaptureError);
          return;
        }
        expect(got).not.toBeInstanceOf(CaptureError);
        const r = got as Exclude<typeof got, CaptureError>;
        expect(r.packets).toEqual(plain.packets);
        if (ref.stoppedAt !== undefined && !plain.truncated) {
          expect(r.truncated).toBe(true);
          // Located: the decompressed offset where the stream broke, and the compressed byte zlib stopped at.
          expect(r.warnings.some((w) => w.startsWith(`gzip_corrupt@${ref.bytes.length}:`) && w.includes(`${ref.stoppedAt}`))).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('an invalid block after N records: exactly the N records, at the offset where they end', async () => {
    await fc.assert(
      fc.asyncProperty(captureArb, fc.nat(), fc.array(fc.integer({ min: 1, max: 4096 }), { maxLength: 3 }), async (cap, pick, sizes) => {
        // Record boundaries of the synthesized capture: split there.
        const bounds: number[] = [];
        for (let o = 24; o < cap.length; o += 16 + cap.readUInt32LE(o + 8)) bounds.push(o);
        const cut = bounds[pick % bounds.length];
        const { gz, damagedAt } = gzipWithInvalidBlockAfter(cap.subarray(0, cut), cap.subarray(cut));
        const got = await read(gz, sizes);
        const plain = await read(cap.subarray(0, cut), []);
        expect(got).not.toBeInstanceOf(CaptureError);
        const r = got as Exclude<typeof got, CaptureError>;
        expect(r.packets).toEqual((plain as Exclude<typeof plain, CaptureError>).packets);
        expect(r.truncated).toBe(true);
        expect(r.warnings).toHaveLength(1);
        expect(r.warnings[0]).toContain(`gzip_corrupt@${cut}:`);
        expect(r.warnings[0]).toContain(`zlib stopped at compressed byte ${damagedAt}: invalid block type`);
      }),
      { numRuns: 60 },
    );
  });
});
