// Every shared capture is read without throwing (the two invalid ones give CaptureError with code and offset);
// classic pcap files are cross-checked packet by packet against pcap-parser (same count, timestamps, caplen).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import type { EventEmitter } from 'node:events';
import { readCapture } from '../../src/capture/reader.js';
import { CaptureError } from '../../src/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CAPTURES = path.resolve(repo, '../shared/captures');
const have = existsSync(CAPTURES);
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: NodeJS.ReadableStream): EventEmitter };

const INVALID = new Set(['libpcap/pcap-invalid-version-1.pcap', 'libpcap/shb-option-too-long.pcapng']);

function listCaptures(): string[] {
  if (!have) return [];
  const out: string[] = [];
  for (const dir of readdirSync(CAPTURES)) {
    const d = path.join(CAPTURES, dir);
    if (dir === 'expected' || !statSync(d).isDirectory()) continue;
    for (const f of readdirSync(d)) out.push(`${dir}/${f}`);
  }
  return out.sort();
}

interface Rec {
  sec: number;
  nsec: number;
  caplen: number;
  origlen: number;
}

async function ours(file: string): Promise<Rec[]> {
  const recs: Rec[] = [];
  await readCapture(file, { packet: (p) => recs.push({ sec: p.tsSec, nsec: p.tsNsec, caplen: p.caplen, origlen: p.origlen }) });
  return recs;
}

/** pcap-parser knows only the µs magic: for ns files the magic is patched and the fraction read as ns. */
function theirs(bytes: Buffer): Promise<Rec[]> {
  const ns = bytes.readUInt32LE(0) === 0xa1b23c4d || bytes.readUInt32BE(0) === 0xa1b23c4d;
  const b = Buffer.from(bytes);
  if (ns) {
    if (b.readUInt32LE(0) === 0xa1b23c4d) b.writeUInt32LE(0xa1b2c3d4, 0);
    else b.writeUInt32BE(0xa1b2c3d4, 0);
  }
  return new Promise((resolve, reject) => {
    const recs: Rec[] = [];
    const parser = pcapParser.parse(Readable.from([b]));
    parser.on('packet', (p: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number } }) => {
      const h = p.header;
      // A sub-second field of a second or more (tcpflow/bug8.pcap) is clamped by our reader, as the README says;
      // pcap-parser passes it through.
      const frac = Math.min(h.timestampMicroseconds, ns ? 999_999_999 : 999_999);
      recs.push({ sec: h.timestampSeconds, nsec: ns ? frac : frac * 1000, caplen: h.capturedLength, origlen: h.originalLength });
    });
    parser.on('end', () => resolve(recs));
    parser.on('error', reject);
  });
}

describe.skipIf(!have)(`shared captures in ${CAPTURES}`, () => {
  const files = listCaptures();

  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThan(80);
  });

  for (const rel of files) {
    const file = path.join(CAPTURES, rel);
    if (INVALID.has(rel)) {
      it(`${rel} is refused with a CaptureError naming the offset`, async () => {
        const err = await readCapture(file, { packet() {} }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CaptureError);
        const ce = err as CaptureError;
        expect(ce.code).toMatch(/^(pcap|pcapng)_/);
        expect(ce.file).toBe(file);
        expect(ce.offset).toBeGreaterThanOrEqual(0);
      });
      continue;
    }
    it(`${rel} reads without throwing`, async () => {
      let n = 0;
      const s = await readCapture(file, { packet: () => void n++ }, { hash: true });
      expect(s.packets).toBe(n);
      expect(n).toBeGreaterThan(0);
      expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(s.sizeBytes).toBe(statSync(file).size);
    });
    let bytes = readFileSync(file);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const magic = bytes.readUInt32BE(0);
    if (magic !== 0x0a0d0d0a) {
      it(`${rel} matches pcap-parser record for record`, async () => {
        const [a, b] = await Promise.all([ours(file), theirs(bytes)]);
        expect(a.length).toBe(b.length);
        expect(a).toEqual(b);
      });
    }
  }

  it('python-dpkt/truncated_dns_2.pcap delivers the records before the cut and warns with file and offset', async () => {
    const file = path.join(CAPTURES, 'python-dpkt/truncated_dns_2.pcap');
    const warnings: string[] = [];
    const s = await readCapture(file, { packet() {}, warning: (a) => warnings.push(a.code) });
    expect(s.truncated).toBe(true);
    expect(s.packets).toBe(1);
    expect(warnings).toEqual(['pcap_truncated_record']);
    expect(s.warnings[0].offset).toBeGreaterThan(24);
    expect(s.warnings[0].message).toContain(file);
  });

  it('gopacket/test202.pcapng: several big-endian sections', async () => {
    const s = await readCapture(path.join(CAPTURES, 'gopacket/test202.pcapng'), { packet() {} });
    expect(s.format).toBe('pcapng');
    expect(s.byteOrder).toBe('be');
    expect(s.packets).toBe(8);
    expect(s.truncated).toBe(false);
    expect(s.linkTypes).toEqual([1, 0]);
  });

  it('dhcp-nanosecond: the pcapng (if_tsresol=9) and the ns pcap give the same timestamps', async () => {
    const a = await ours(path.join(CAPTURES, 'wireshark/dhcp-nanosecond.pcapng'));
    const b = await ours(path.join(CAPTURES, 'wireshark/dhcp-nanosecond.pcap'));
    expect(a.length).toBe(4);
    expect(a.map((r) => [r.sec, r.nsec])).toEqual(b.map((r) => [r.sec, r.nsec]));
    const s = await readCapture(path.join(CAPTURES, 'wireshark/dhcp-nanosecond.pcapng'), { packet() {} });
    expect(s.tsResolution).toBe('ns');
    expect(a[0].sec).toBe(1102274184);
  });

  it('gzip files report gzip and the stored size', async () => {
    const file = path.join(CAPTURES, 'wireshark/communityid.pcap.gz');
    const s = await readCapture(file, { packet() {} });
    expect(s.gzip).toBe(true);
    expect(s.format).toBe('pcap');
    expect(s.sizeBytes).toBe(statSync(file).size);
  });

  it('pcapng interface names and comments become metadata', async () => {
    const meta: Record<string, string> = {};
    const s = await readCapture(path.join(CAPTURES, 'wireshark/many_interfaces.pcapng.1'), { packet() {}, metadata: (k, v) => void (meta[k] = v) });
    expect(Object.keys(meta).length).toBeGreaterThan(3);
    expect(s.metadata).toEqual(meta);
    expect(Object.keys(meta).some((k) => /^if\d+\.name$/.test(k))).toBe(true);
  });
});

describe('readCapture on paths', () => {
  it('a missing file and a directory are CaptureErrors', async () => {
    await expect(readCapture('/nonexistent/x.pcap', { packet() {} })).rejects.toMatchObject({ code: 'capture_open_failed', offset: 0 });
    await expect(readCapture(repo, { packet() {} })).rejects.toMatchObject({ code: 'capture_not_a_file' });
  });

  it.skipIf(!have)('small read chunks give the same records as the default', async () => {
    const file = path.join(CAPTURES, 'wireshark/http2_follow_multistream.pcapng');
    const small: string[] = [];
    const big: string[] = [];
    await readCapture(file, { packet: (p) => small.push(`${p.tsNsec}:${p.buf.toString('hex', p.off, p.off + p.caplen)}`) }, { chunkSize: 333 });
    await readCapture(file, { packet: (p) => big.push(`${p.tsNsec}:${p.buf.toString('hex', p.off, p.off + p.caplen)}`) });
    expect(small.length).toBe(197);
    expect(small).toEqual(big);
  });
});
