// enrichFlow's shortcut (names applied to the cached base result without copying it) against the general path
// (lookup with hints, then the flow's fields), over addresses of several providers, private and IPv6 addresses,
// and names that give a region, an edge, a provider, or nothing; with and without a vantage point and RTT.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeoLocator } from '../../src/geo/index.js';
import type { FlowGeoFields, FlowRecord, GeoResult } from '../../src/types.js';

let cacheDir: string;
let plain: GeoLocator;
let withVantage: GeoLocator;

beforeAll(async () => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-enrich-'));
  plain = await GeoLocator.open({ cacheDir });
  withVantage = await GeoLocator.open({ cacheDir, vantage: { lat: 28.6139, lon: 77.209 } });
});
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const IPS = [
  '13.228.0.1', '52.95.110.1', '3.5.140.2', '35.186.224.25', '34.102.136.180', '20.190.128.1', '40.112.72.205',
  '104.16.132.229', '151.101.1.69', '23.32.0.1', '157.240.1.35', '47.88.0.1', '8.8.8.8', '10.0.0.1', '192.168.1.1',
  '2a00:1450:4001:80b::200e', '2606:4700::6810:84e5', '2600:1f18::1', '::ffff:13.228.0.1', 'not-an-ip',
];
const NAMES = [
  'api.example.com', 'x.ap-southeast-1.elb.amazonaws.com', 'bucket.s3.eu-west-1.amazonaws.com', 'd123.cloudfront.net',
  'e1.a.akamaiedge.net', 'svc-asia-southeast1-run.run.app', 'vm.westeurope.cloudapp.azure.com', 'acct.blob.core.windows.net',
  'b.oss-cn-hangzhou.aliyuncs.com', 'objectstorage.ap-mumbai-1.oraclecloud.com', 'ec2-1-2-3-4.ap-south-1.compute.amazonaws.com', '',
];

/** The reference: the full lookup with the flow's names and RTT, reduced to the flow's fields. */
function reference(geo: GeoLocator, f: FlowRecord): FlowGeoFields {
  const names: string[] = [];
  if (f.hostname) names.push(f.hostname);
  if (f.cname_chain) names.push(...f.cname_chain);
  const r: GeoResult = geo.lookup(f.server_ip, { hostnames: names, rttMs: f.rtt_ms });
  const out: FlowGeoFields = { country_agreement: r.country_agreement, edge: r.edge };
  if (r.scope === 'public') out.geo_sources = r.sources;
  for (const k of ['country', 'city', 'lat', 'lon', 'asn', 'as_org', 'provider', 'region', 'region_source', 'physical'] as const) {
    if (r[k] !== undefined) (out as Record<string, unknown>)[k] = r[k];
  }
  return out;
}

function flow(server_ip: string, hostname: string | undefined, chain: string[] | undefined, rtt: number | undefined): FlowRecord {
  const f: FlowRecord = {
    flow_id: 1, transport: 'tcp', ip_version: server_ip.includes(':') ? 6 : 4, client_ip: '192.168.1.10', client_port: 40000,
    server_ip, server_port: 443, first_seen: 0, last_seen: 1, first_frame: 1, packets_up: 1, packets_down: 1, bytes_up: 60,
    bytes_down: 60, payload_up: 0, payload_down: 0, end_reason: 'fin',
  };
  if (hostname !== undefined) f.hostname = hostname;
  if (chain !== undefined) f.cname_chain = chain;
  if (rtt !== undefined) f.rtt_ms = rtt;
  return f;
}

describe('enrichFlow', () => {
  it('gives the same fields, in the same order, as the full lookup with hints (every address x name pair)', () => {
    let regions = 0;
    let edges = 0;
    for (const ip of IPS) {
      for (const name of [undefined, ...NAMES]) {
        for (const geo of [plain, withVantage]) {
          const f = flow(ip, name, undefined, undefined);
          const got = geo.enrichFlow(f);
          const want = reference(geo, f);
          expect(got, `${ip} ${name}`).toEqual(want);
          expect(JSON.stringify(got), `${ip} ${name}`).toBe(JSON.stringify(want));
          if (got.region_source === 'dns-name') regions++;
          if (got.edge) edges++;
        }
      }
    }
    // Not vacuous: names gave regions and edges.
    expect(regions).toBeGreaterThan(4);
    expect(edges).toBeGreaterThan(10);
  });

  it('keeps flows under one hostname with different CNAME chains apart (also past the per-name bound, and when a record\'s chain array changes later)', async () => {
    const geo = await GeoLocator.open({ cacheDir });
    const ip = '13.228.0.1';
    const chains: (string[] | undefined)[] = [undefined, [], ['d123.cloudfront.net'], ['x.ap-southeast-1.elb.amazonaws.com'], ['x.ap-southeast-1.elb.amazonaws.com', 'd123.cloudfront.net']];
    for (let i = 0; i < 20; i++) chains.push([`n${i}.example.com`, i % 2 === 0 ? 'd123.cloudfront.net' : 'bucket.s3.eu-west-1.amazonaws.com']);
    let differ = 0;
    for (let round = 0; round < 2; round++) {
      for (const host of [undefined, '', 'api.example.com']) {
        const seen = new Set<string>();
        for (const chain of chains) {
          if (host === undefined && chain === undefined) continue;
          const f = flow(ip, host, chain === undefined ? undefined : [...chain], undefined);
          const got = JSON.stringify(geo.enrichFlow(f));
          expect(got, `${host} ${JSON.stringify(chain)}`).toBe(JSON.stringify(reference(geo, f)));
          seen.add(got);
          if (f.cname_chain) f.cname_chain.push('d123.cloudfront.net'); // the record's array changes after the call
        }
        differ = Math.max(differ, seen.size);
      }
    }
    expect(differ).toBeGreaterThan(2); // not vacuous: the chains give different answers
  });

  it('property: any address, hostname, CNAME chain and RTT', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...IPS),
        fc.option(fc.constantFrom(...NAMES), { nil: undefined }),
        fc.option(fc.array(fc.constantFrom(...NAMES), { maxLength: 3 }), { nil: undefined }),
        fc.option(fc.double({ min: 0, max: 400, noNaN: true }), { nil: undefined }),
        fc.boolean(),
        (ip, host, chain, rtt, vantage) => {
          const geo = vantage ? withVantage : plain;
          const f = flow(ip, host, chain, rtt);
          expect(JSON.stringify(geo.enrichFlow(f))).toBe(JSON.stringify(reference(geo, f)));
        },
      ),
      { numRuns: 1500 },
    );
  });
});

// Lookup results, source answers and flow fields are built with every key present, in one order (src/geo/locator.ts,
// sources.ts): their readers stay monomorphic (geo/README.md, "Where the rest goes"). A result built another way
// (a key added conditionally) would be a different hidden class; JSON must still leave absent keys out.
describe('one shape per kind of geo object', () => {
  it('lookups, source answers and flow fields keep one key order whatever the address and names', () => {
    const resultKeys = new Set<string>();
    const answerKeys = new Set<string>();
    const fieldKeys = new Set<string>();
    for (const ip of IPS) {
      const r = plain.lookup(ip);
      resultKeys.add(Object.keys(r).join(','));
      for (const s of r.sources) answerKeys.add(Object.keys(s).join(','));
      for (const name of NAMES) fieldKeys.add(Object.keys(plain.enrichFlow(flow(ip, name || undefined, undefined, undefined))).join(','));
      fieldKeys.add(Object.keys(withVantage.enrichFlow(flow(ip, undefined, undefined, 12))).join(','));
      // Absent keys are undefined, never null, so JSON leaves them out.
      expect(Object.values(r)).not.toContain(null);
      for (const s of r.sources) expect(Object.values(s)).not.toContain(null);
    }
    expect([...resultKeys]).toHaveLength(1);
    expect([...answerKeys]).toHaveLength(1);
    expect([...fieldKeys]).toHaveLength(1);
    expect([...answerKeys][0]).toBe('source,country,city,lat,lon');
    // Private addresses: no geo_sources key in JSON, a private_reason.
    const priv = JSON.parse(JSON.stringify(plain.lookup('10.0.0.1'))) as Record<string, unknown>;
    expect(Object.keys(priv)).toEqual(['ip', 'scope', 'sources', 'country_agreement', 'edge', 'private_reason']);
    const privFields = JSON.parse(JSON.stringify(plain.enrichFlow(flow('10.0.0.1', undefined, undefined, undefined)))) as Record<string, unknown>;
    expect(privFields.geo_sources).toBeUndefined();
  });
});
