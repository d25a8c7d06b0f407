// The caches (the result per address, the hint per DNS name, the mmdb decoder's records): a lookup carries its own
// address, and no answer depends on what was looked up before it, in which order, or on a cleared cache.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeoLocator } from '../../src/geo/index.js';
import type { FlowRecord } from '../../src/types.js';

let cacheDir: string;
let a: GeoLocator;
let b: GeoLocator;

beforeAll(async () => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-geo-shared-'));
  a = await GeoLocator.open({ cacheDir });
  b = await GeoLocator.open({ cacheDir });
});
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const flow = (ip: string, hostname?: string, chain?: string[]): FlowRecord => ({
  flow_id: 1, transport: 'tcp', ip_version: ip.includes(':') ? 6 : 4, client_ip: '10.0.0.2', client_port: 40000,
  server_ip: ip, server_port: 443, first_seen: 0, last_seen: 0, first_frame: 1, packets_up: 1, packets_down: 1,
  bytes_up: 1, bytes_down: 1, payload_up: 0, payload_down: 0, end_reason: 'end', hostname, cname_chain: chain,
});

// Neighbourhoods of cloud and CDN networks (many addresses per database record), plus anything at all.
const v4Near = fc
  .tuple(fc.constantFrom([13, 228], [52, 74], [47, 96], [142, 250], [1, 1], [104, 16], [151, 101], [31, 13]), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
  .map(([[p, q], c, d]) => `${p}.${q}.${c}.${d}`);
// Many addresses of a few /24s: they share records, and neighbouring /24s often differ in one source only.
const v4Dense = fc
  .tuple(fc.constantFrom([13, 228, 0], [52, 74, 3], [47, 96, 1], [142, 250, 183], [1, 1, 1], [104, 16, 132], [8, 8, 8], [23, 32, 0], [23, 33, 0], [20, 0, 0]), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }))
  .map(([[p, q, r], c, d]) => `${p}.${q}.${r + c}.${d}`);
const v4Any = fc.integer({ min: 0, max: 0xffffffff }).map((n) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
const v6Near = fc
  .tuple(fc.constantFrom('2606:4700:4700', '2a00:1450:4001', '2600:1f18:0', '2406:da18:0'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff }))
  .map(([p, c, d]) => `${p}:${c.toString(16)}::${d.toString(16)}`);
const address = fc.oneof(v4Dense, v4Dense, v4Near, v4Any, v6Near, fc.constantFrom('10.0.0.1', '::1', 'not-an-ip', '::ffff:13.228.0.9'));

describe('cached answers', () => {
  it('two addresses of one network: equal answers, each with its own address', () => {
    const x = a.lookup('13.228.0.1');
    const y = a.lookup('13.228.0.2');
    expect(x.ip).toBe('13.228.0.1');
    expect(y.ip).toBe('13.228.0.2');
    expect({ ...y, ip: x.ip }).toEqual(x);
    expect(y).not.toBe(x); // each caller gets its own object
    // A private reason is shared the same way.
    expect(a.lookup('10.9.9.9').ip).toBe('10.9.9.9');
    expect(a.lookup('10.9.9.8').ip).toBe('10.9.9.8');
  });

  it('an address answers as it would alone, whatever came before it (fast-check, against a locator that forgets)', () => {
    fc.assert(
      fc.property(fc.array(address, { minLength: 1, maxLength: 60 }), (ips) => {
        for (const ip of ips) {
          b.clearCaches();
          expect(a.lookup(ip)).toEqual(b.lookup(ip));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('no answer depends on the order addresses arrive in (fast-check, two locators, opposite orders)', () => {
    b.clearCaches();
    fc.assert(
      fc.property(fc.array(address, { minLength: 1, maxLength: 40 }), fc.constantFrom(undefined, 'api.example.com', 'x.ap-southeast-1.elb.amazonaws.com'), (ips, host) => {
        const forward = ips.map((ip) => a.lookup(ip));
        const backward = [...ips].reverse().map((ip) => b.lookup(ip)).reverse();
        expect(backward).toEqual(forward);
        for (let i = 0; i < ips.length; i++) expect(forward[i].ip).toBe(ips[i]);
        const fa = ips.map((ip) => a.enrichFlow(flow(ip, host)));
        const fb = [...ips].reverse().map((ip) => b.enrichFlow(flow(ip, host, host ? [host, 'edge.example.net'] : undefined))).reverse();
        const fa2 = ips.map((ip) => a.enrichFlow(flow(ip, host, host ? [host, 'edge.example.net'] : undefined)));
        expect(fb).toEqual(fa2);
        if (host === undefined) expect(fa).toEqual(fa2);
      }),
      { numRuns: 60 },
    );
  });
});
