// Official provider range files (AWS ip-ranges.json, GCP cloud.json, Oracle public_ip_ranges.json) on small
// inline samples: parsing with their version stamps, longest-prefix lookup, and use by the locator via --geo-dir.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GeoLocator } from '../../src/geo/index.js';
import { parseAwsRanges, parseGcpRanges, parseOracleRanges, parseRangesText, RangeIndex } from '../../src/geo/provider-ranges.js';
import { parseIpv4 } from '../../src/decode/ip-format.js';

const AWS = {
  syncToken: '1718000000',
  createDate: '2024-06-10-06-13-07',
  prefixes: [
    { ip_prefix: '13.228.0.0/15', region: 'ap-southeast-1', service: 'AMAZON', network_border_group: 'ap-southeast-1' },
    { ip_prefix: '13.228.0.0/15', region: 'ap-southeast-1', service: 'EC2', network_border_group: 'ap-southeast-1' },
    { ip_prefix: '13.32.0.0/15', region: 'GLOBAL', service: 'CLOUDFRONT', network_border_group: 'GLOBAL' },
    { ip_prefix: '13.32.0.0/15', region: 'GLOBAL', service: 'AMAZON', network_border_group: 'GLOBAL' },
    { ip_prefix: 'not-a-cidr', region: 'x', service: 'AMAZON' },
    'junk',
  ],
  ipv6_prefixes: [{ ipv6_prefix: '2406:da18::/32', region: 'ap-southeast-1', service: 'EC2', network_border_group: 'ap-southeast-1' }],
};
const GCP = {
  syncToken: '1718001234567',
  creationTime: '2024-06-10T08:00:00.123456',
  prefixes: [
    { ipv4Prefix: '34.87.0.0/17', service: 'Google Cloud', scope: 'asia-southeast1' },
    { ipv6Prefix: '2600:1900:4080::/44', service: 'Google Cloud', scope: 'asia-southeast1' },
    { ipv4Prefix: '34.1.0.0/20', service: 'Google Cloud', scope: 'global' },
  ],
};
const ORACLE = {
  last_updated_timestamp: '2024-06-10T12:00:00.000000',
  regions: [{ region: 'ap-mumbai-1', cidrs: [{ cidr: '140.238.224.0/19', tags: ['OCI'] }, { cidr: 5 }] }],
};

describe('parsers', () => {
  it('AWS: syncToken, createDate as ISO, GLOBAL/CLOUDFRONT as edges, bad entries skipped', () => {
    const p = parseAwsRanges(AWS);
    expect(p?.version).toBe('1718000000');
    expect(p?.build_date).toBe('2024-06-10T06:13:07Z');
    expect(p?.prefixes.length).toBe(6);
    const cf = p?.prefixes.find((x) => x.entry.service === 'CLOUDFRONT');
    expect(cf?.entry.edge).toBe(true);
    expect(cf?.entry.edge_reason).toBe('cloudfront');
    expect(cf?.entry.region).toBeUndefined();
  });

  it('GCP: syncToken, creationTime, scope as region (global is none)', () => {
    const p = parseGcpRanges(GCP);
    expect(p?.version).toBe('1718001234567');
    expect(p?.build_date).toMatch(/^2024-06-10T/);
    expect(p?.prefixes.map((x) => x.entry.region)).toEqual(['asia-southeast1', 'asia-southeast1', undefined]);
  });

  it('Oracle: timestamp, region per cidr, malformed cidr skipped', () => {
    const p = parseOracleRanges(ORACLE);
    expect(p?.prefixes).toHaveLength(1);
    expect(p?.prefixes[0].entry).toMatchObject({ provider: 'oracle', region: 'ap-mumbai-1', service: 'OCI' });
  });

  it('recognises each format by shape and rejects others', () => {
    expect(parseRangesText(JSON.stringify(AWS))?.source).toBe('aws-ip-ranges');
    expect(parseRangesText(JSON.stringify(GCP))?.source).toBe('gcp-cloud');
    expect(parseRangesText(JSON.stringify(ORACLE))?.source).toBe('oracle-public-ip-ranges');
    expect(parseRangesText('{"providers": []}')).toBeNull();
    expect(parseRangesText('not json')).toBeNull();
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        parseRangesText(JSON.stringify(v));
        parseAwsRanges(v);
        parseGcpRanges(v);
        parseOracleRanges(v);
      }),
      { numRuns: 500 },
    );
  });
});

describe('RangeIndex', () => {
  const idx = new RangeIndex();
  for (const doc of [parseAwsRanges(AWS), parseGcpRanges(GCP), parseOracleRanges(ORACLE)]) if (doc) idx.add(doc);
  const at = (ip: string): ReturnType<RangeIndex['lookup']> => idx.lookup(4, Uint32Array.of(0, 0, 0, parseIpv4(ip)));

  it('a service entry beats the catch-all AMAZON entry for the same prefix', () => {
    expect(at('13.229.1.1')).toMatchObject({ provider: 'aws', region: 'ap-southeast-1', service: 'EC2' });
    expect(at('13.33.0.1')).toMatchObject({ edge: true, service: 'CLOUDFRONT' });
  });

  it('IPv6 prefixes match through the words', () => {
    const w = new Uint32Array([0x2406da18, 0x00010000, 0, 1]);
    expect(idx.lookup(6, w)?.region).toBe('ap-southeast-1');
    expect(idx.lookup(6, new Uint32Array([0x2406da19, 0, 0, 1]))).toBeUndefined();
    expect(idx.lookup(4, w)).toBeUndefined(); // families apart
  });

  it('a longer prefix beats a shorter one, down to a single address (/32, /128)', () => {
    const i2 = new RangeIndex();
    const doc = parseAwsRanges({
      createDate: '2024-06-10-06-13-07',
      prefixes: [
        { ip_prefix: '52.0.0.0/8', region: 'us-east-1', service: 'AMAZON' },
        { ip_prefix: '52.1.2.0/24', region: 'eu-west-1', service: 'EC2' },
        { ip_prefix: '52.1.2.3/32', region: 'ap-south-1', service: 'EC2' },
      ],
      ipv6_prefixes: [{ ipv6_prefix: '2600:1f00::1/128', region: 'ap-south-1', service: 'EC2' }, { ipv6_prefix: '2600:1f00::/24', region: 'us-east-1', service: 'EC2' }],
    });
    if (doc) i2.add(doc);
    const reg = (ip: string): string | undefined => i2.lookup(4, Uint32Array.of(0, 0, 0, parseIpv4(ip)))?.region;
    expect([reg('52.1.2.3'), reg('52.1.2.4'), reg('52.9.9.9'), reg('53.0.0.1')]).toEqual(['ap-south-1', 'eu-west-1', 'us-east-1', undefined]);
    expect(i2.lookup(6, Uint32Array.of(0x26001f00, 0, 0, 1))?.region).toBe('ap-south-1');
    expect(i2.lookup(6, Uint32Array.of(0x26001f00, 0, 0, 2))?.region).toBe('us-east-1');
  });

  it('misses outside every prefix', () => {
    expect(at('8.8.8.8')).toBeUndefined();
    expect(at('140.238.230.1')?.region).toBe('ap-mumbai-1');
  });
});

describe('locator with range files in --geo-dir', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-ranges-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'ip-ranges.json'), JSON.stringify(AWS));
  fs.mkdirSync(path.join(dir, 'ranges'));
  fs.writeFileSync(path.join(dir, 'ranges', 'cloud.json'), JSON.stringify(GCP));

  it('official ranges give the region (provider-ranges), ahead of names, and mark CloudFront an edge', async () => {
    const geo = await GeoLocator.open({ geoDir: dir, useEmbedded: false, cacheDir: path.join(dir, 'cache') });
    const r = geo.lookup('13.228.0.1', ['x.ap-south-1.elb.amazonaws.com']);
    expect(r.provider).toBe('AWS');
    expect(r.region).toBe('ap-southeast-1');
    expect(r.region_source).toBe('provider-ranges');
    expect(r.sources).toEqual([]);
    expect(r.country_agreement).toBe('unknown');
    const cf = geo.lookup('13.32.10.10');
    expect(cf.edge).toBe(true);
    expect(cf.edge_reason).toBe('cloudfront');
    expect(geo.lookup('34.87.1.1')).toMatchObject({ provider: 'Google Cloud', region: 'asia-southeast1' });
    const prov = geo.provenance().filter((p) => p.kind === 'provider-ranges');
    expect(prov.map((p) => p.version).sort()).toEqual(['1718000000', '1718001234567']);
    expect(prov.every((p) => /^[0-9a-f]{64}$/.test(p.sha256))).toBe(true);
  });
});
