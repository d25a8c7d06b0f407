// `residency geo` through runGeo(): JSON and table output, vantage + RTT, names, and usage errors.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGeo } from '../../src/cli/commands/geo.js';
import { UsageError } from '../../src/errors.js';
import type { GeoResult } from '../../src/types.js';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-geocmd-'));
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

describe('runGeo', () => {
  it('prints a JSON array with one full lookup per address', async () => {
    const { text, exitCode } = await runGeo(['1.1.1.1', '192.168.0.1'], {});
    expect(exitCode).toBe(0);
    const rs = JSON.parse(text) as GeoResult[];
    expect(rs.map((r) => r.ip)).toEqual(['1.1.1.1', '192.168.0.1']);
    expect(rs[0]).toMatchObject({ provider: 'Cloudflare', edge: true, scope: 'public' });
    expect(rs[1]).toMatchObject({ scope: 'private', private_reason: 'rfc1918' });
  });

  it('checks locations physically with --vantage and --rtt, and reads regions from --name', async () => {
    const { text } = await runGeo(['13.228.0.1'], { vantage: '28.6139,77.2090', rtt: '3', name: ['s3.ap-southeast-1.amazonaws.com'] });
    const [r] = JSON.parse(text) as GeoResult[];
    expect(r.physical).toBe('impossible');
    expect(r.max_distance_km).toBe(300);
    expect(r.region_source).toBe('dns-name');
    expect(r.sources.filter((s) => s.lat !== undefined).map((s) => s.physical)).toEqual(['impossible', 'impossible']);
    expect(Object.keys(r).join(',')).toBe('ip,scope,sources,country_agreement,edge,country,city,lat,lon,asn,as_org,provider,region,region_source,max_distance_km,physical');
  });

  it('renders a readable table', async () => {
    const { text } = await runGeo(['142.250.183.14', '100.64.0.1'], { format: 'table' });
    expect(text).toMatch(/142\.250\.183\.14\n {2}country US \(disputed\)/);
    expect(text).toMatch(/dbip-city +IN +Mumbai/);
    expect(text).toMatch(/EDGE \(google front end\)/);
    expect(text).toMatch(/100\.64\.0\.1 {2}private \(cgnat\): not geolocated/);
  });

  it('rejects what is not an address, a bad vantage or a bad RTT', async () => {
    await expect(runGeo(['example.com'], {})).rejects.toBeInstanceOf(UsageError);
    await expect(runGeo(['1.1.1.1'], { vantage: '200,0' })).rejects.toThrow(/vantage/);
    await expect(runGeo(['1.1.1.1'], { rtt: '-1' })).rejects.toThrow(/rtt/);
  });
});
