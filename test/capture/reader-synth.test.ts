// Reader behaviour on captures built in code: byte orders, resolutions, pcapng block kinds, PCAPdroid metadata,
// damage handling and chunk boundaries.
import { describe, expect, it } from 'vitest';
import { readCaptureStream, type CaptureHandler } from '../../src/capture/reader.js';
import { CaptureError } from '../../src/errors.js';
import { PcapWriter, PcapngWriter } from '../../src/synth/pcap-writer.js';
import { ethernetFrame, udpPacket } from '../../src/synth/packets.js';
import { PCAPDROID_PEN } from '../../src/capture/pcapdroid.js';

interface Got {
  sec: number;
  nsec: number;
  data: string;
  link: number;
  uid: number;
  ifid: number;
}

async function read(bytes: Buffer, chunk = 1 << 20, extra: Partial<CaptureHandler> = {}) {
  const got: Got[] = [];
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  const summary = await readCaptureStream(
    (async function* () {
      yield* parts;
    })(),
    'mem.pcap',
    { ...extra, packet: (p) => got.push({ sec: p.tsSec, nsec: p.tsNsec, data: p.buf.toString('hex', p.off, p.off + p.caplen), link: p.linkType, uid: p.appUid, ifid: p.interfaceId }) },
  );
  return { got, summary };
}

const frames = [Buffer.from('00112233445566778899aabb0800', 'hex'), Buffer.alloc(61, 7), Buffer.alloc(3, 1)];

describe('classic pcap', () => {
  for (const bigEndian of [false, true]) {
    for (const nanos of [false, true]) {
      it(`${bigEndian ? 'BE' : 'LE'} ${nanos ? 'ns' : 'µs'}`, async () => {
        const w = new PcapWriter({ linkType: 101, bigEndian, nanos });
        frames.forEach((f, i) => w.add(f, 1_700_000_000 + i, nanos ? 123_456_789 : 123_456_000));
        const { got, summary } = await read(w.toBuffer(), 7);
        expect(summary.byteOrder).toBe(bigEndian ? 'be' : 'le');
        expect(summary.tsResolution).toBe(nanos ? 'ns' : 'us');
        expect(summary.linkTypes).toEqual([101]);
        expect(got.map((g) => g.data)).toEqual(frames.map((f) => f.toString('hex')));
        expect(got[2]).toMatchObject({ sec: 1_700_000_002, nsec: nanos ? 123_456_789 : 123_456_000, link: 101 });
        expect(summary.firstTs).toBeCloseTo(1_700_000_000.123456, 5);
        expect(summary.truncated).toBe(false);
      });
    }
  }

  it('a record longer than the limit stops the read with a warning', async () => {
    const b = new PcapWriter().add(frames[1], 1).add(frames[1], 2).toBuffer();
    b.writeUInt32LE(10_000_000, 24 + 16 + 61 + 8);
    const { got, summary } = await read(b);
    expect(got.length).toBe(1);
    expect(summary.truncated).toBe(true);
    expect(summary.warnings[0]).toMatchObject({ code: 'pcap_record_too_long', offset: 24 + 16 + 61 });
  });

  it('a cut record gives pcap_truncated_record at its offset', async () => {
    const b = new PcapWriter().add(frames[1], 1).add(frames[1], 2).toBuffer();
    const { got, summary } = await read(b.subarray(0, b.length - 5), 10);
    expect(got.length).toBe(1);
    expect(summary.warnings.map((w) => [w.code, w.offset])).toEqual([['pcap_truncated_record', 24 + 16 + 61]]);
  });

  it('not a capture / version 1 / empty / short throw CaptureError', async () => {
    await expect(read(Buffer.from('hello world, not a capture'))).rejects.toBeInstanceOf(CaptureError);
    const v1 = new PcapWriter().toBuffer();
    v1.writeUInt16LE(1, 4);
    await expect(read(v1)).rejects.toMatchObject({ code: 'pcap_unsupported_version', offset: 4 });
    await expect(read(Buffer.alloc(0))).rejects.toMatchObject({ code: 'capture_empty' });
    await expect(read(new PcapWriter().toBuffer().subarray(0, 10))).rejects.toBeInstanceOf(CaptureError);
  });

  it('gzip input is detected and streamed', async () => {
    const { gzipSync } = await import('node:zlib');
    const raw = new PcapWriter().add(frames[1], 5).toBuffer();
    const { got, summary } = await read(gzipSync(raw), 9);
    expect(summary.gzip).toBe(true);
    expect(got.length).toBe(1);
  });

  it('a cut gzip stream keeps the packets before the cut and warns', async () => {
    const { gzipSync } = await import('node:zlib');
    const w = new PcapWriter();
    for (let i = 0; i < 200; i++) w.add(Buffer.alloc(200, i), i);
    const gz = gzipSync(w.toBuffer());
    const { got, summary } = await read(gz.subarray(0, gz.length - 40), 512);
    expect(got.length).toBeGreaterThan(100);
    expect(got.length).toBeLessThan(200);
    expect(summary.truncated).toBe(true);
    expect(summary.warnings.map((x) => x.code)).toEqual(['gzip_corrupt']);
    expect(summary.sizeBytes).toBe(gz.length - 40);
  });

  it('PCAPdroid trailer sets appUid and reports the app name once', async () => {
    const ip = udpPacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 1, dport: 53, payload: Buffer.alloc(5) });
    const trailer = Buffer.alloc(32);
    trailer.writeUInt32BE(0x01072021, 0);
    trailer.writeInt32BE(10123, 4);
    trailer.write('org.example', 8, 'latin1');
    const f = Buffer.concat([ethernetFrame(ip), Buffer.alloc(3), trailer]);
    const meta: Array<[string, string]> = [];
    const { got } = await read(new PcapWriter().add(f, 1).add(f, 2).toBuffer(), 1 << 20, { metadata: (k, v) => meta.push([k, v]) });
    expect(got.map((g) => g.uid)).toEqual([10123, 10123]);
    expect(meta).toEqual([['pcapdroid.app.10123', 'org.example']]);
  });
});

describe('pcapng', () => {
  for (const bigEndian of [false, true]) {
    it(`${bigEndian ? 'BE' : 'LE'}: interfaces, resolutions, SPB, custom blocks, metadata`, async () => {
      const w = new PcapngWriter({ bigEndian, hardware: 'phone', comment: 'hello' });
      const a = w.addInterface(1, { name: 'wlan0' });
      const b = w.addInterface(101, { tsresol: 9 });
      const c = w.addInterface(113, { tsresol: 0x80 | 20 });
      w.add(a, frames[0], 1_700_000_000, 5_000);
      w.add(b, frames[1], 1_700_000_001, 123_456_789, { comment: 'u-10077' });
      w.add(c, frames[2], 1_700_000_002, 500_000_000);
      w.addRawBlock(4, Buffer.alloc(8)); // NRB: skipped
      w.addCustom(32473, Buffer.from('abc'));
      w.addSimple(frames[1]);
      const pkg = Buffer.from('com.example.app');
      const app = Buffer.from('Example');
      const d = Buffer.alloc(10);
      if (bigEndian) {
        d.writeUInt16BE(1, 0);
        d.writeInt32BE(10077, 4);
      } else {
        d.writeUInt16LE(1, 0);
        d.writeInt32LE(10077, 4);
      }
      d[2] = 1;
      d[8] = pkg.length;
      d[9] = app.length;
      w.addCustom(PCAPDROID_PEN, Buffer.concat([d, pkg, app]));
      const customs: Array<[number, string]> = [];
      for (const chunk of [3, 64, 1 << 20]) {
        customs.length = 0;
        const { got, summary } = await read(w.toBuffer(), chunk, { customBlock: (pen, data) => customs.push([pen, data.toString('latin1').replace(/\0+$/, '')]) });
        expect(summary.format).toBe('pcapng');
        expect(summary.byteOrder).toBe(bigEndian ? 'be' : 'le');
        expect(summary.linkTypes).toEqual([1, 101, 113]);
        expect(summary.tsResolution).toBe('us,ns,2^-20');
        expect(got.map((g) => [g.link, g.ifid, g.sec, g.nsec, g.uid])).toEqual([
          [1, 0, 1_700_000_000, 5_000, -1],
          [101, 1, 1_700_000_001, 123_456_789, 10077],
          [113, 2, 1_700_000_002, 500_000_000, -1],
          [1, 0, 0, 0, -1],
        ]);
        expect(got[3].data).toBe(frames[1].toString('hex'));
        expect(summary.metadata).toMatchObject({ 'shb.hardware': 'phone', 'shb.comment': 'hello', 'if0.name': 'wlan0', 'pcapdroid.package.10077': 'com.example.app', 'pcapdroid.app.10077': 'Example' });
        expect(customs[0]).toEqual([32473, 'abc']);
        expect(summary.lastTs).toBeCloseTo(1_700_000_002.5, 6);
      }
    });
  }

  it('a second section in the other byte order restarts the interfaces', async () => {
    const w = new PcapngWriter();
    w.add(w.addInterface(1), frames[0], 10);
    w.addSection({ bigEndian: true });
    w.add(w.addInterface(101), frames[1], 20);
    const { got, summary } = await read(w.toBuffer(), 5);
    expect(got.map((g) => [g.link, g.ifid, g.sec])).toEqual([[1, 0, 10], [101, 0, 20]]);
    expect(summary.byteOrder).toBe('le');
  });

  it('a bad block length after good blocks keeps the packets and warns', async () => {
    const w = new PcapngWriter();
    const i = w.addInterface(1);
    w.add(i, frames[1], 1).add(i, frames[1], 2);
    const b = w.toBuffer();
    const second = b.length - (12 + 20 + 64);
    b.writeUInt32LE(13, second + 4);
    const { got, summary } = await read(b);
    expect(got.length).toBe(1);
    expect(summary.truncated).toBe(true);
    expect(summary.warnings[0]).toMatchObject({ code: 'pcapng_bad_block_length', offset: second + 4 });
  });

  it('a corrupt first section header is a CaptureError', async () => {
    const b = new PcapngWriter({ comment: 'x' }).toBuffer();
    b.writeUInt16LE(0x3030, 26); // comment option length overflows the block
    await expect(read(b)).rejects.toBeInstanceOf(CaptureError);
  });

  it('a packet for an undeclared interface is skipped with a warning', async () => {
    const w = new PcapngWriter();
    w.addInterface(1);
    w.add(3, frames[0], 1).add(0, frames[0], 2);
    const { got, summary } = await read(w.toBuffer());
    expect(got.length).toBe(1);
    expect(summary.warnings[0].code).toBe('pcapng_unknown_interface');
  });

  it('obsolete Packet Block, if_tsoffset, non-copy custom block, SPB cut to the snaplen', async () => {
    const w = new PcapngWriter();
    // IDB with snaplen 4 and if_tsoffset = 1000 s (option 14, 8 bytes)
    const idb = Buffer.alloc(8 + 12 + 4);
    idb.writeUInt16LE(101, 0);
    idb.writeUInt32LE(4, 4);
    idb.writeUInt16LE(14, 8);
    idb.writeUInt16LE(8, 10);
    idb.writeUInt32LE(1000, 12);
    w.addRawBlock(1, idb);
    const pb = Buffer.alloc(20 + 4);
    pb.writeUInt16LE(0, 0); // interface id (16 bits) + drops count
    pb.writeUInt32LE(0, 4);
    pb.writeUInt32LE(2_000_000, 8); // 2 s in µs
    pb.writeUInt32LE(3, 12);
    pb.writeUInt32LE(3, 16);
    Buffer.from([9, 8, 7]).copy(pb, 20);
    w.addRawBlock(2, pb);
    w.addCustom(99, Buffer.from('nocopy'), false);
    w.addSimple(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const pens: number[] = [];
    const { got } = await read(w.toBuffer(), 1 << 20, { customBlock: (pen) => pens.push(pen) });
    expect(got.map((g) => [g.sec, g.nsec, g.data])).toEqual([
      [1002, 0, '090807'],
      [0, 0, '01020304'],
    ]);
    expect(pens).toEqual([99]);
  });
});
