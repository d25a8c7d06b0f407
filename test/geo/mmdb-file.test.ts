// The paged mmdb reader (src/geo/mmdb-file.ts) held to the `maxmind` package (mmdb-lib, reading the whole file):
// the same record, value for value, for every server address of the golden flows and for generated IPv4 and
// IPv6 addresses, in every embedded file; with a page cache of a few pages (the bound holds, answers do not move);
// what it reads (a lookup reads pages, not files); hostile files (pointer loops, records pointing outside the file)
// throw, never hang or read outside the file.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { Reader } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import { toAddress, type Address } from '../../src/geo/address.js';
import { MmdbFile } from '../../src/geo/mmdb-file.js';
import { embeddedSpecs } from '../../src/geo/sources.js';
import { GEO_PAGE_BYTES } from '../../src/limits.js';
import { Double, Float, Int32, writeMmdb, type WNetwork } from './mmdb-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-mmdb-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every server address of the golden flows (sample and shared captures; private ones are asked too). */
function sampleAddresses(): string[] {
  const out = new Set<string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.flows.ndjson')) {
        for (const line of fs.readFileSync(p, 'utf8').split('\n')) if (line) out.add((JSON.parse(line) as { server_ip: string }).server_ip);
      }
    }
  };
  walk(path.join(__dirname, '../golden'));
  return [...out];
}

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(':'));
// Addresses near the ones real flows use, so the walk reaches records and not only the empty parts of the tree.
const v6near = fc.tuple(fc.constantFrom('2a00:1450', '2606:4700', '2a03:2880', '2600:1f18', '2404:6800', '2001:4860'), fc.nat(0xffff), fc.nat(0xffff)).map(([p, a, b]) => `${p}:${a.toString(16)}::${b.toString(16)}`);

const specs = embeddedSpecs().filter((s) => s.file.endsWith('.mmdb'));

/** An address as maxmind's Reader takes it: IPv4 (a mapped or NAT64 one too) dotted, IPv6 as eight groups (no zone). */
const query = (a: Address): string =>
  a.family === 4
    ? [a.v4 >>> 24, (a.v4 >>> 16) & 255, (a.v4 >>> 8) & 255, a.v4 & 255].join('.')
    : Array.from(a.words, (x) => `${(x >>> 16).toString(16)}:${(x & 0xffff).toString(16)}`).join(':');

describe('the embedded files, against maxmind', () => {
  const samples = sampleAddresses();
  it('the samples have addresses of both families', () => {
    expect(samples.filter((s) => s.includes(':')).length).toBeGreaterThan(0);
    expect(samples.filter((s) => !s.includes(':')).length).toBeGreaterThan(10);
  });

  for (const spec of specs) {
    it(`${path.basename(spec.file)}: the same record for every sample and generated address, with 4 pages or 2,048`, () => {
      const theirs = new Reader<Record<string, unknown>>(fs.readFileSync(spec.file));
      const big = MmdbFile.open(spec.file);
      const small = MmdbFile.open(spec.file, 4);
      expect(big.metadata.buildEpoch).toEqual(theirs.metadata.buildEpoch);
      expect(big.metadata.databaseType).toBe(theirs.metadata.databaseType);
      expect(big.metadata.nodeCount).toBe(theirs.metadata.nodeCount);
      const check = (ip: string): void => {
        const a = toAddress(ip);
        if ('reason' in a || !(spec.family === 0 || spec.family === a.family)) return;
        const want = theirs.get(query(a));
        expect(big.get(a.family, a.v4, a.words), ip).toEqual(want);
        expect(small.get(a.family, a.v4, a.words), ip).toEqual(want);
        expect(small.pages.pagesHeld).toBeLessThanOrEqual(4);
      };
      samples.forEach(check);
      fc.assert(fc.property(fc.oneof(v4, v6, v6near), (ip) => check(ip)), { numRuns: 400 });
      // A lookup reads pages, not the file: the samples and 1,200 generated addresses touch a small part of it.
      expect(big.pages.pagesRead * GEO_PAGE_BYTES).toBeLessThan(big.pages.size / 4);
      big.close();
      small.close();
    });
  }
});

describe('tree shapes the embedded files lack, and hostile files', () => {
  const nets: WNetwork[] = [
    { addr: [81, 2, 69, 0], bits: 24, data: { country: { iso_code: 'DE' }, n: [1, 2, 3], flag: true, neg: new Int32(-5), f: new Float(0.5), d: new Double(-1.25) } },
    { addr: [1, 1, 1, 0], bits: 24, data: { country_code: 'AU', city: '' } },
  ];
  for (const ipVersion of [4, 6] as const) {
    for (const recordSize of [24, 28, 32] as const) {
      it(`IPv${ipVersion} tree of ${recordSize}-bit records: the same records as maxmind`, () => {
        const file = path.join(dir, `t-${ipVersion}-${recordSize}.mmdb`);
        const buf = writeMmdb(nets, { ipVersion, recordSize, databaseType: 'Test', padding: 70_000 });
        fs.writeFileSync(file, buf);
        const theirs = new Reader<Record<string, unknown>>(buf);
        const ours = MmdbFile.open(file, 2);
        for (const ip of ['81.2.69.142', '1.1.1.1', '8.8.8.8', '::ffff:81.2.69.1', '2a00::1']) {
          const a = toAddress(ip) as Address;
          if (ipVersion === 4 && a.family === 6) continue;
          expect(ours.get(a.family, a.v4, a.words), ip).toEqual(theirs.get(query(a)));
        }
        ours.close();
      });
    }
  }

  it('a pointer loop, a record pointing past the end, and a file that is no mmdb throw; nothing hangs', () => {
    const buf = writeMmdb(nets, { ipVersion: 4, recordSize: 24, databaseType: 'Test' });
    const meta = buf.lastIndexOf(Buffer.from('MaxMind.com', 'latin1')) - 3;
    const dataStart = buf.indexOf(Buffer.alloc(16)) + 16;
    const loop = Buffer.from(buf);
    for (let o = dataStart; o + 1 < meta; o += 2) loop.writeUInt16BE(0x2000, o); // every record: a pointer to offset 0
    const file = path.join(dir, 'loop.mmdb');
    fs.writeFileSync(file, loop);
    const f = MmdbFile.open(file);
    expect(() => f.get(4, 0x51024501, new Uint32Array(4))).toThrow(/too deep|too large/);
    f.close();
    const past = Buffer.from(buf);
    past.writeUInt16BE(0x3800, dataStart); // a 4-byte pointer ...
    past.writeUInt32BE(0xfffffff0, dataStart + 1); // ... far past the end of the file
    const pastFile = path.join(dir, 'past.mmdb');
    fs.writeFileSync(pastFile, past);
    const g = MmdbFile.open(pastFile);
    const answers = [0x51024501, 0x01010101].map((ip) => {
      try {
        return g.get(4, ip, new Uint32Array(4));
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(answers.some((x) => typeof x === 'string' && /outside the file/.test(x))).toBe(true);
    g.close();
    const junk = path.join(dir, 'junk.mmdb');
    fs.writeFileSync(junk, Buffer.alloc(10_000, 0xab));
    expect(() => MmdbFile.open(junk)).toThrow(/metadata/);
    fs.writeFileSync(junk, '');
    expect(() => MmdbFile.open(junk)).toThrow(/metadata/);
  });
});
