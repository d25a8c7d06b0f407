// The ASN table searched in place (src/geo/asn-table.ts): small inline CSVs (quoted org names, both IPv4 forms,
// IPv6 text, CRLF, bad lines, range edges and gaps); generated CSVs of thousands of lines against a reference that
// reads every line (fast-check; lines crossing pages, a page cache of two pages); the embedded files are sorted by
// start (what the bisection needs) and answer as the reference does for the golden flows' addresses.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AsnTable } from '../../src/geo/asn-table.js';
import { parseIpv4, parseIpv6 } from '../../src/decode/ip-format.js';
import { toAddress } from '../../src/geo/address.js';
import { embeddedSpecs } from '../../src/geo/sources.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-asn-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const V4 = ['1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."', '16778240,16779263,38803,Gtelecom Pty Ltd', 'garbage', '9.9.9.9,9.9.9.0,1,backwards', '8.8.8.0,8.8.8.255,15169,Google LLC', ''].join('\n');
const V6 = ['2001:4:112::,2001:4:112:ffff:ffff:ffff:ffff:ffff,112,DNS-OARC', '2606:4700::,2606:4700:ffff:ffff:ffff:ffff:ffff:ffff,13335,"Cloudflare, Inc."', 'x,y,1,z'].join('\r\n');

function v6(s: string): Uint32Array {
  const w = new Uint32Array(4);
  expect(parseIpv6(s, w)).toBe(true);
  return w;
}

/** The reference: every line read, the last valid one starting at or below the address, if it ends at or above. */
function reference(text: string, family: 4 | 6): (w: Uint32Array) => { asn: number; org?: string } | null {
  const rows: { s: bigint; e: bigint; asn: number; org: string }[] = [];
  const big = (t: string): bigint | null => {
    if (family === 4) {
      const v = /^\d{1,10}$/.test(t) ? Number(t) : parseIpv4(t);
      return v >= 0 && v <= 0xffffffff ? BigInt(v) : null;
    }
    const w = new Uint32Array(4);
    return parseIpv6(t, w) ? w.reduce((acc, x) => (acc << 32n) | BigInt(x), 0n) : null;
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const [a, b, asnText] = line.split(',', 3);
    const s = big(a);
    const e = b === undefined ? null : big(b);
    if (s === null || e === null || e < s || !/^\d+$/.test(asnText ?? '') || Number(asnText) > 0xffffffff) continue;
    let org = line.slice(a.length + b.length + asnText.length + 3);
    if (org.length >= 2 && org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
    rows.push({ s, e, asn: Number(asnText), org });
  }
  let sorted: typeof rows | undefined;
  return (w) => {
    const x = w.reduce((acc, v) => (acc << 32n) | BigInt(v), 0n);
    // Stable sort by start (for unsorted input), then the last row starting at or below x, by bisection over the rows.
    sorted ??= rows.map((r, i) => ({ r, i })).sort((p, q) => (p.r.s < q.r.s ? -1 : p.r.s > q.r.s ? 1 : p.i - q.i)).map((p) => p.r);
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].s <= x) lo = mid + 1;
      else hi = mid;
    }
    const hit = sorted[lo - 1];
    return hit && hit.e >= x ? { asn: hit.asn, org: hit.org || undefined } : null;
  };
}

describe('AsnTable on small CSVs', () => {
  const f4 = path.join(dir, 'v4.csv');
  const f6 = path.join(dir, 'v6.csv');
  fs.writeFileSync(f4, V4);
  fs.writeFileSync(f6, V6);

  it('finds IPv4 ranges at their edges, misses the gaps, skips bad lines', () => {
    const t = AsnTable.open(4, f4);
    const at = (ip: string): number | undefined => t.find(parseIpv4(ip), new Uint32Array(4))?.asn;
    expect(at('1.0.0.0')).toBe(13335);
    expect(t.find(parseIpv4('1.0.0.255'), new Uint32Array(4))).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(at('1.0.1.0')).toBeUndefined();
    expect(at('1.0.4.0')).toBe(38803);
    expect(at('8.8.8.8')).toBe(15169);
    expect(at('9.9.9.5')).toBeUndefined(); // the backwards line is no range
    expect(at('0.0.0.1')).toBeUndefined();
    expect(at('255.255.255.255')).toBeUndefined();
  });

  it('finds IPv6 ranges compared as four words (CRLF lines)', () => {
    const t = AsnTable.open(6, f6);
    expect(t.find(-1, v6('2606:4700:4700::1111'))).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(t.find(-1, v6('2001:4:112::1'))?.asn).toBe(112);
    expect(t.find(-1, v6('2001:4:112:ffff:ffff:ffff:ffff:ffff'))?.asn).toBe(112);
    expect(t.find(-1, v6('2001:4:113::'))).toBeNull();
    expect(t.find(-1, v6('::1'))).toBeNull();
  });

  it('an empty file answers nothing; a missing one cannot be opened', () => {
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    expect(AsnTable.open(4, empty).find(parseIpv4('1.1.1.1'), new Uint32Array(4))).toBeNull();
    expect(() => AsnTable.open(4, path.join(dir, 'missing.csv'))).toThrow();
  });
});

describe('AsnTable on generated CSVs, against the reference (fast-check)', () => {
  // Sorted starts; ranges of random length, so some overlap the next (the later one answers there); bad lines and
  // long quoted names in between, so lines cross page boundaries; a page cache of two pages.
  const csv = fc
    .array(fc.record({ gap: fc.nat(5000), len: fc.nat(9000), asn: fc.nat(400_000), org: fc.string({ maxLength: 120 }), bad: fc.nat(20), dotted: fc.boolean() }), { minLength: 1, maxLength: 800 })
    .map((rows) => {
      let at = 1;
      const lines: string[] = [];
      for (const r of rows) {
        at += r.gap;
        const end = Math.min(0xffffffff, at + r.len);
        const dq = (v: number): string => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
        if (r.bad === 0) lines.push(`${at},oops,1,x`);
        lines.push(`${r.dotted ? dq(at) : at},${r.dotted ? dq(end) : end},${r.asn},"${r.org.replace(/"/g, '""').replace(/[\r\n]/g, ' ')}"`);
      }
      return lines.join('\n') + '\n';
    });

  it('IPv4: the same answer for any address, also when a range found before answers it (neighbours, overlaps)', () => {
    let n = 0;
    fc.assert(
      fc.property(csv, fc.array(fc.nat(4_000_000), { minLength: 20, maxLength: 20 }), (text, ips) => {
        const file = path.join(dir, `gen-${n++}.csv`);
        fs.writeFileSync(file, text);
        const t = AsnTable.open(4, file, 2);
        const ref = reference(text, 4);
        for (const ip of ips.flatMap((x) => [x, x + 1, x + 700, Math.max(0, x - 5), x + 4000])) {
          expect(t.find(ip, new Uint32Array(4))).toEqual(ref(Uint32Array.of(0, 0, 0, ip)));
          expect(t.pages.pagesHeld).toBeLessThanOrEqual(2);
        }
        t.close();
      }),
      { numRuns: 60 },
    );
  });
});

describe('the embedded CSVs', () => {
  const addresses = (() => {
    const out = new Set<string>();
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.flows.ndjson')) for (const l of fs.readFileSync(p, 'utf8').split('\n')) if (l) out.add((JSON.parse(l) as { server_ip: string }).server_ip);
      }
    };
    walk(path.join(__dirname, '../golden'));
    return [...out];
  })();
  const csvs = embeddedSpecs().filter((s) => s.role === 'asn');

  for (const family of [4, 6] as const) {
    it(`IPv${family}: sorted by start (the bisection's precondition), and answers as the reference for the golden flows' addresses`, () => {
      const file = csvs.find((s) => s.family === family)?.file;
      expect(file).toBeDefined();
      const text = fs.readFileSync(file as string, 'utf8');
      const w = new Uint32Array(4);
      let prev = -1n;
      let unsorted = 0;
      for (const line of text.split('\n')) {
        const first = line.slice(0, line.indexOf(','));
        if (!first) continue;
        const s = family === 4 ? BigInt(first) : parseIpv6(first, w) ? w.reduce((acc, x) => (acc << 32n) | BigInt(x), 0n) : -1n;
        if (s < prev) unsorted++;
        prev = s;
      }
      expect(unsorted).toBe(0);
      const t = AsnTable.open(family, file as string);
      const ref = reference(text, family);
      let asked = 0;
      for (const ip of addresses) {
        const a = toAddress(ip);
        if ('reason' in a || a.family !== family) continue;
        asked++;
        expect(t.find(a.v4, a.words), ip).toEqual(ref(a.words));
      }
      expect(asked).toBeGreaterThan(10);
    });
  }
});
