// Odd record headers: packet times out of range or with a sub-second field of a second or more, pcapng blocks
// claiming huge lengths or cut inside a skipped block. Each gives a sane value or damage located at the record's
// own offset, with a warning; fast-check properties over arbitrary time and length fields, and the repro inputs.
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, readCaptureStream } from '../../src/capture/reader.js';
import { CaptureError } from '../../src/errors.js';
import { CAPTURE_TS_LIMIT_S, MAX_PCAPNG_BLOCK_BYTES } from '../../src/limits.js';
import { PcapngWriter, PcapWriter } from '../../src/synth/pcap-writer.js';
import { SHARED } from '../conformance/shared-corpus.js';

interface Read {
  packets: { ts: number; sec: number; nsec: number; at: number; frame: number }[];
  warnings: { code: string; offset: number | undefined; message: string }[];
  truncated: boolean;
  firstTs: number | undefined;
}

function chunked(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  return (async function* () {
    for (let o = 0; o < bytes.length; o += size) yield bytes.subarray(o, o + size);
  })();
}

async function read(bytes: Buffer, chunk = bytes.length || 1): Promise<Read> {
  const packets: Read['packets'] = [];
  const s = await readCaptureStream(chunked(bytes, chunk), 'odd', {
    packet: (p) => packets.push({ ts: p.ts, sec: p.tsSec, nsec: p.tsNsec, at: p.fileOffset, frame: p.frame }),
  });
  return { packets, warnings: s.warnings.map((w) => ({ code: w.code, offset: w.offset, message: w.message })), truncated: s.truncated, firstTs: s.firstTs };
}

const FRAME = Buffer.alloc(40, 0xaa);

describe('pcap: a sub-second field of a second or more', () => {
  it.each([
    ['µs', false, 5_000_000_000, 999_999_000],
    ['ns', true, 4_000_000_000, 999_999_999],
  ])('%s: seconds kept, fraction clamped, warning at the record', async (_unit, nanos, badNsec, clamped) => {
    const w = new PcapWriter({ nanos });
    w.add(FRAME, 1_700_000_000, 5_000);
    w.add(FRAME, 1_700_000_001, badNsec);
    w.add(FRAME, 1_700_000_002, 7_000);
    const r = await read(w.toBuffer());
    expect(r.packets.map((p) => [p.sec, p.nsec])).toEqual([
      [1_700_000_000, 5_000],
      [1_700_000_001, clamped],
      [1_700_000_002, 7_000],
    ]);
    expect(r.warnings.map((x) => [x.code, x.offset])).toEqual([['pcap_timestamp_fraction_invalid', 24 + 16 + 40]]);
  });
});

describe('packet times out of 1970-2106', () => {
  it('pcapng: 64-bit times past 2106 take the previous packet time, with a warning at the block', async () => {
    const w = new PcapngWriter();
    const i = w.addInterface(1, { tsresol: 0 }); // units of one second
    w.add(i, FRAME, 1_700_000_000);
    w.add(i, FRAME, 0, 0, { units: 1n << 40n });
    w.add(i, FRAME, 1_700_000_003);
    const bytes = w.toBuffer();
    const r = await read(bytes);
    expect(r.packets.map((p) => p.ts)).toEqual([1_700_000_000, 1_700_000_000, 1_700_000_003]);
    expect(r.warnings.map((x) => x.code)).toEqual(['capture_timestamp_out_of_range']);
    expect(r.warnings[0].offset).toBe(r.packets[1].at);
  });

  it('pcapng: an if_tsoffset moving every time out of range is ignored (warning at the option)', async () => {
    const w = new PcapngWriter();
    const i = w.addInterface(1, { tsoffset: -(1n << 62n) });
    w.add(i, FRAME, 1_700_000_000);
    const r = await read(w.toBuffer());
    expect(r.packets[0].ts).toBe(1_700_000_000);
    expect(r.warnings.map((x) => x.code)).toEqual(['pcapng_bad_tsoffset']);
    expect(r.firstTs).toBe(1_700_000_000);
  });

  it('a plausible if_tsoffset still applies', async () => {
    const w = new PcapngWriter();
    const i = w.addInterface(1, { tsoffset: 3600n });
    w.add(i, FRAME, 1_700_000_000);
    const r = await read(w.toBuffer());
    expect(r.packets[0].ts).toBe(1_700_003_600);
    expect(r.warnings).toEqual([]);
  });

  it('a jump of more than a year is reported and kept', async () => {
    const w = new PcapWriter();
    w.add(FRAME, 1_700_000_000).add(FRAME, 4_294_967_295).add(FRAME, 1_700_000_001);
    const r = await read(w.toBuffer());
    expect(r.packets.map((p) => p.sec)).toEqual([1_700_000_000, 4_294_967_295, 1_700_000_001]);
    expect(r.warnings.map((x) => [x.code, x.offset])).toEqual([
      ['capture_timestamp_jump', 24 + 56],
      ['capture_timestamp_jump', 24 + 2 * 56],
    ]);
  });
});

describe('pcapng block lengths', () => {
  function threePackets(): { bytes: Buffer; epbAt: number[] } {
    const w = new PcapngWriter();
    w.addInterface(1);
    const heads = w.toBuffer().length;
    for (let k = 0; k < 3; k++) w.add(0, FRAME, 1_700_000_000 + k);
    const epbLen = (w.toBuffer().length - heads) / 3;
    return { bytes: w.toBuffer(), epbAt: [0, 1, 2].map((k) => heads + k * epbLen) };
  }

  it('a block claiming more than any block can be is damage at its own length field', async () => {
    const { bytes, epbAt } = threePackets();
    const b = Buffer.from(bytes);
    b.writeUInt32LE(0x99, epbAt[1]); // an unknown block type ...
    b.writeUInt32LE(0xfffffff0, epbAt[1] + 4); // ... of 4 GB
    const r = await read(b);
    expect(r.packets).toHaveLength(1);
    expect(r.truncated).toBe(true);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ code: 'pcapng_bad_block_length', offset: epbAt[1] + 4 });
    expect(r.warnings[0].message).toContain(`limit ${MAX_PCAPNG_BLOCK_BYTES}`);
  });

  it('a file cut inside a block being skipped is located at that block, with how far in', async () => {
    const { bytes, epbAt } = threePackets();
    const b = Buffer.from(bytes);
    b.writeUInt32LE(0x99, epbAt[1]);
    b.writeUInt32LE(1 << 20, epbAt[1] + 4); // a 1 MiB unknown block in a small file
    const r = await read(b);
    expect(r.packets).toHaveLength(1);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ code: 'pcapng_truncated_block', offset: epbAt[1] });
    expect(r.warnings[0].message).toContain(`file ends ${b.length - epbAt[1]} bytes into a block of type 0x99 that claims ${1 << 20}`);
  });

  it('a length that does not match the one at the block end is located at the block', async () => {
    const { bytes, epbAt } = threePackets();
    const b = Buffer.from(bytes);
    const len = b.readUInt32LE(epbAt[1] + 4);
    b.writeUInt32LE(len - 8, epbAt[1] + 4);
    const r = await read(b);
    expect(r.packets).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ code: 'pcapng_bad_block_length', offset: epbAt[1] + 4 });
  });
});

// ------------------------------------------------------------------ properties

const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe('properties: arbitrary time and length fields', () => {
  it('pcap: any seconds and fraction give a finite time in range, a warning per bad fraction, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 12 }), fc.boolean(), fc.integer({ min: 1, max: 97 }), async (times, nanos, chunk) => {
        const b = new PcapWriter({ nanos }).toBuffer();
        const recs: Buffer[] = [b];
        for (const [sec, frac] of times) {
          const h = Buffer.alloc(16);
          h.writeUInt32LE(sec, 0);
          h.writeUInt32LE(frac, 4);
          h.writeUInt32LE(FRAME.length, 8);
          h.writeUInt32LE(FRAME.length, 12);
          recs.push(h, FRAME);
        }
        const bytes = Buffer.concat(recs);
        const whole = await read(bytes);
        expect(await read(bytes, chunk)).toEqual(whole);
        expect(whole.packets).toHaveLength(times.length);
        const limit = nanos ? 1e9 : 1e6;
        whole.packets.forEach((p, k) => {
          expect(Number.isFinite(p.ts)).toBe(true);
          expect(p.ts >= 0 && p.ts < CAPTURE_TS_LIMIT_S).toBe(true);
          expect(p.nsec).toBeLessThan(1e9);
          const bad = times[k][1] >= limit;
          expect(whole.warnings.some((w) => w.code === 'pcap_timestamp_fraction_invalid' && w.offset === p.at)).toBe(bad);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('pcapng: any 64-bit time, if_tsresol and if_tsoffset give a finite time in range, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 255 }),
        fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        fc.integer({ min: 1, max: 97 }),
        async (units, tsresol, tsoffset, chunk) => {
          const w = new PcapngWriter();
          const i = w.addInterface(1, { tsresol, tsoffset });
          for (const u of units) w.add(i, FRAME, 0, 0, { units: u });
          const bytes = w.toBuffer();
          const whole = await read(bytes);
          expect(await read(bytes, chunk)).toEqual(whole);
          expect(whole.packets).toHaveLength(units.length);
          for (const p of whole.packets) {
            expect(Number.isFinite(p.ts)).toBe(true);
            expect(p.ts >= 0 && p.ts < CAPTURE_TS_LIMIT_S).toBe(true);
          }
          if (whole.firstTs !== undefined) expect(Number.isFinite(whole.firstTs)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('pcapng: any length field in any block: never throws, the blocks before it are read, damage located at it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 12 }), fc.nat(), u32, fc.integer({ min: 1, max: 97 }), async (n, pick, len, chunk) => {
        const w = new PcapngWriter();
        const starts: number[] = [0, w.toBuffer().length]; // the section header, then the interface block
        w.addInterface(1);
        for (let k = 0; k < n; k++) {
          starts.push(w.toBuffer().length);
          w.add(0, FRAME, 1_700_000_000 + k);
        }
        const bytes = Buffer.from(w.toBuffer());
        const k = 1 + (pick % (starts.length - 1)); // never the first section header (that is "not a capture")
        const at = starts[k];
        if (bytes.readUInt32LE(at + 4) === len) return;
        bytes.writeUInt32LE(len, at + 4);
        let r: Read;
        try {
          r = await read(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureError);
          return;
        }
        expect(await read(bytes, chunk)).toEqual(r);
        // Every packet block before the damaged one is read.
        const before = starts.slice(2).filter((s) => s < at).length;
        expect(r.packets.length).toBeGreaterThanOrEqual(before);
        expect(r.packets.slice(0, before).map((p) => p.at)).toEqual(starts.slice(2, 2 + before));
        // Damage that stops the read names the damaged block (its start or its length field).
        if (r.truncated) {
          const stop = r.warnings.find((x) => x.code === 'pcapng_bad_block_length' || x.code === 'pcapng_truncated_block');
          expect(stop, JSON.stringify(r.warnings)).toBeDefined();
          expect([at, at + 4]).toContain(stop?.offset);
        }
      }),
      { numRuns: 500 },
    );
  });
});

// ------------------------------------------------------------------ the repro inputs

const REPRO = join(SHARED, 'repro');
const HAVE_REPRO = existsSync(join(REPRO, 'README.md'));
const title = (t: string): string => (HAVE_REPRO ? t : `${t} (skipped: ../shared/repro not found at ${REPRO})`);

describe.skipIf(!HAVE_REPRO)(title('../shared/repro odd headers'), () => {
  async function repro(name: string): Promise<Read> {
    const packets: Read['packets'] = [];
    const s = await readCapture(join(REPRO, name), { packet: (p) => packets.push({ ts: p.ts, sec: p.tsSec, nsec: p.tsNsec, at: p.fileOffset, frame: p.frame }) });
    return { packets, warnings: s.warnings.map((w) => ({ code: w.code, offset: w.offset, message: w.message })), truncated: s.truncated, firstTs: s.firstTs };
  }

  it('ng_tsresol_weird.pcapng: first_seen finite and plausible, the bogus if_tsoffset named', async () => {
    const r = await repro('ng_tsresol_weird.pcapng');
    expect(r.firstTs).toBeGreaterThanOrEqual(0);
    expect(r.firstTs).toBeLessThan(CAPTURE_TS_LIMIT_S);
    expect(r.warnings.map((w) => w.code)).toContain('pcapng_bad_tsoffset');
  });

  it.each(['ng_blocklen_huge_idb.pcapng', 'ng_blocklen_unknown_type_huge.pcapng'])('%s: damage at the block at byte 832', async (name) => {
    const r = await repro(name);
    expect(r.packets).toHaveLength(8);
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'pcapng_bad_block_length', offset: 836 })]);
  });

  it('pcapng-trunc-in-skipped-block-t073_2.pcapng: the cut located at the skipped block (byte 160), not at the end', async () => {
    const r = await repro('pcapng-trunc-in-skipped-block-t073_2.pcapng');
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'pcapng_truncated_block', offset: 160 })]);
    expect(r.warnings[0].message).toContain('689 bytes into a block of type 0xa');
  });

  it('pcap_ts_extremes.pcap: the jumps to 2106 and 1970 and back are reported', async () => {
    const r = await repro('pcap_ts_extremes.pcap');
    expect(r.warnings.filter((w) => w.code === 'capture_timestamp_jump').map((w) => w.offset)).toEqual([94, 164, 234]);
  });

  it('z039_s4.pcapng: sub-second fields of a second or more are clamped and named', async () => {
    const r = await repro('z039_s4.pcapng');
    const bad = r.warnings.filter((w) => w.code === 'pcap_timestamp_fraction_invalid');
    expect(bad.map((w) => w.offset)).toEqual([24, 216]);
    for (const p of r.packets) expect(p.nsec).toBeLessThan(1e9);
  });
});
