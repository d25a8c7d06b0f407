// The ASN range table on small inline CSVs: parsing (quoted org names, both IPv4 forms, IPv6 text, bad lines),
// binary-search lookups at range edges, unsorted input, and the on-disk cache (built, reused with the CSV's hash,
// rebuilt when the CSV changes or the cache is damaged).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AsnTable, parseCsv } from '../../src/geo/asn-table.js';
import { parseIpv4, parseIpv6 } from '../../src/geo/address.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-asn-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const V4 = ['1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."', '16778240,16779263,38803,Gtelecom Pty Ltd', 'garbage', '9.9.9.9,9.9.9.0,1,backwards', '8.8.8.0,8.8.8.255,15169,Google LLC', ''].join('\n');
const V6 = ['2001:4:112::,2001:4:112:ffff:ffff:ffff:ffff:ffff,112,DNS-OARC', '2606:4700::,2606:4700:ffff:ffff:ffff:ffff:ffff:ffff,13335,"Cloudflare, Inc."', 'x,y,1,z'].join('\r\n');

function v6(s: string): Uint32Array {
  const w = new Uint32Array(4);
  expect(parseIpv6(s, w)).toBe(true);
  return w;
}

describe('parseCsv', () => {
  it('reads quoted names, dotted and numeric IPv4, skips bad lines, sorts', () => {
    const b = parseCsv(4, V4);
    expect(b.entry.length).toBe(3);
    expect(Array.from(b.starts)).toEqual([parseIpv4('1.0.0.0'), 16778240, parseIpv4('8.8.8.0')]);
    expect(b.orgs.toString()).toContain('Cloudflare, Inc.');
    // Unsorted input comes out sorted, each range with its own entry.
    const u = parseCsv(4, '8.8.8.0,8.8.8.255,15169,Google LLC\n1.0.0.0,1.0.0.255,13335,Cloudflare\n8.8.4.0,8.8.4.255,15169,Google LLC');
    expect(Array.from(u.starts)).toEqual([parseIpv4('1.0.0.0'), parseIpv4('8.8.4.0'), parseIpv4('8.8.8.0')]);
    expect(Array.from(u.entry, (e) => u.asns[e])).toEqual([13335, 15169, 15169]);
    expect(u.asns.length).toBe(2); // (asn, org) pairs are kept once
  });
});

describe('AsnTable', () => {
  const f4 = path.join(dir, 'v4.csv');
  const f6 = path.join(dir, 'v6.csv');
  fs.writeFileSync(f4, V4);
  fs.writeFileSync(f6, V6);
  const cache = path.join(dir, 'cache');

  it('finds IPv4 ranges at their edges and misses the gaps', () => {
    const t = AsnTable.load(4, f4, null);
    const at = (ip: string): number | undefined => t.find(parseIpv4(ip), new Uint32Array(4))?.asn;
    expect(at('1.0.0.0')).toBe(13335);
    expect(at('1.0.0.255')).toBe(13335);
    expect(at('1.0.1.0')).toBeUndefined();
    expect(at('1.0.4.0')).toBe(38803);
    expect(at('8.8.8.8')).toBe(15169);
    expect(at('0.0.0.1')).toBeUndefined();
    expect(at('255.255.255.255')).toBeUndefined();
  });

  it('finds IPv6 ranges compared as four words', () => {
    const t = AsnTable.load(6, f6, null);
    expect(t.find(-1, v6('2606:4700:4700::1111'))).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(t.find(-1, v6('2001:4:112::1'))?.asn).toBe(112);
    expect(t.find(-1, v6('2001:4:112:ffff:ffff:ffff:ffff:ffff'))?.asn).toBe(112);
    expect(t.find(-1, v6('2001:4:113::'))).toBeNull();
    expect(t.find(-1, v6('::1'))).toBeNull();
  });

  it('builds the cache once, reuses it, and rebuilds when the CSV changes', () => {
    const a = AsnTable.load(4, f4, cache);
    expect(a.info.from).toBe('csv');
    expect(fs.existsSync(path.join(cache, 'asn-v4.table'))).toBe(true);
    const b = AsnTable.load(4, f4, cache);
    expect(b.info.from).toBe('cache');
    expect(b.find(parseIpv4('8.8.8.8'), v6('::'))).toEqual({ asn: 15169, org: 'Google LLC' });
    expect(b.info.sha256).toBe(a.info.sha256);
    expect(b.info.sha256).toMatch(/^[0-9a-f]{64}$/);
    fs.appendFileSync(f4, '\n9.0.0.0,9.0.0.255,3356,Level 3\n');
    const c = AsnTable.load(4, f4, cache);
    expect(c.info.from).toBe('csv');
    expect(c.info.sha256).not.toBe(a.info.sha256);
    expect(c.find(parseIpv4('9.0.0.9'), v6('::'))?.asn).toBe(3356);
  });

  it('a damaged cache file is ignored and rebuilt', () => {
    const file = path.join(cache, 'asn-v6.table');
    expect(AsnTable.load(6, f6, cache).info.from).toMatch(/csv|cache/);
    expect(fs.existsSync(file)).toBe(true);
    for (const damage of ['RAS3broken', 'RAS3\u0010\u0000\u0000\u0000{"csv":1}', '']) {
      fs.writeFileSync(file, damage);
      const b = AsnTable.load(6, f6, cache);
      expect(b.info.from).toBe('csv');
      expect(b.find(-1, v6('2606:4700::1'))?.asn).toBe(13335);
    }
    // Truncated: the arrays run past the end.
    const whole = fs.readFileSync(file);
    fs.writeFileSync(file, whole.subarray(0, whole.length - 40));
    expect(AsnTable.load(6, f6, cache).info.from).toBe('csv');
    expect(AsnTable.load(6, f6, cache).info.from).toBe('cache');
  });
});
