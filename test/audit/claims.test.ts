import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandCapturePattern } from '../../src/audit/capture-glob.js';
import { loadClaims, parseClaims } from '../../src/audit/claims.js';
import { UsageError } from '../../src/errors.js';

const GOOD = `vantage:              # where the handsets were captured; enables the physical RTT check
  name: New Delhi lab
  lat: 28.6139
  lon: 77.2090
  country: IN
vendors:
  - name: Vendor A
    captures: ["vendor-a/*.pcap"]          # paths or globs, relative to this file
    first_party: ["vendora-sync.com"]      # registrable domains that belong to the vendor
    claims:
      - id: a-sg-aws
        text: "User data is stored on AWS in Singapore"
        scope: first-party                 # first-party (default) | all
        country: SG                        # ISO 3166-1 alpha-2; optional
        provider: aws                      # optional
        region: ap-southeast-1             # optional
`;

function errorOf(text: string): string {
  try {
    parseClaims(text, 'claims.yaml', '/x/claims.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).code).toBe('claims_invalid');
    return (e as Error).message;
  }
  throw new Error('expected a claims_invalid error');
}

describe('parseClaims', () => {
  it('accepts the issue example exactly', () => {
    const c = parseClaims(GOOD, 'claims.yaml', '/x/claims.yaml');
    expect(c.vantage).toEqual({ name: 'New Delhi lab', lat: 28.6139, lon: 77.209, country: 'IN' });
    expect(c.vendors).toHaveLength(1);
    expect(c.vendors[0]).toMatchObject({ name: 'Vendor A', captures: ['vendor-a/*.pcap'], first_party: ['vendora-sync.com'], devices: [] });
    expect(c.vendors[0].claims[0]).toEqual({ id: 'a-sg-aws', text: 'User data is stored on AWS in Singapore', scope: 'first-party', country: 'SG', countries: ['SG'], provider: 'aws', region: 'ap-southeast-1' });
    expect(c.dir).toBe('/x');
    expect(c.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts JSON, defaults the scope and normalises provider aliases', () => {
    const json = JSON.stringify({ vendors: [{ name: 'B', captures: 'b.pcap', first_party: ['B.com.'], devices: { pixel: '10.0.0.2', tab: { mac: 'AA:BB:CC:DD:EE:FF' } }, claims: [{ id: 'b1', text: 't', provider: 'Google Cloud' }] }] });
    const c = parseClaims(json, 'claims.json', '/y/claims.json');
    expect(c.vantage).toBeUndefined();
    expect(c.vendors[0].claims[0]).toEqual({ id: 'b1', text: 't', scope: 'first-party', provider: 'gcp' });
    expect(c.vendors[0].first_party).toEqual(['b.com']);
    expect(c.vendors[0].devices).toEqual([{ name: 'pixel', ip: '10.0.0.2' }, { name: 'tab', ip: undefined, mac: 'aa:bb:cc:dd:ee:ff' }]);
  });

  it('names line and field for a country that is not ISO alpha-2', () => {
    const bad = GOOD.replace('country: SG ', 'country: Singapore ');
    expect(errorOf(bad)).toContain('claims.yaml:14: vendors[0].claims[0].country: "Singapore" is not an ISO 3166-1 alpha-2 code or a country group (ASEAN, EEA, EU, GCC); did you mean SG (Singapore)?');
  });

  it('names line and field for an unknown provider and a bad scope', () => {
    const msg = errorOf(GOOD.replace('provider: aws ', 'provider: amazin ').replace('scope: first-party ', 'scope: everyone '));
    expect(msg).toContain('claims.yaml:13: vendors[0].claims[0].scope: "everyone" must be first-party or all');
    expect(msg).toContain('claims.yaml:15: vendors[0].claims[0].provider: "amazin" is not a known provider');
  });

  it('names the line of the parent for a missing field', () => {
    const msg = errorOf(GOOD.replace('        text: "User data is stored on AWS in Singapore"\n', ''));
    expect(msg).toMatch(/claims\.yaml:11: vendors\[0\]\.claims\[0\]\.text: is required/);
  });

  it('rejects vantage out of range, unknown fields and duplicate ids', () => {
    const text = GOOD.replace('lat: 28.6139', 'lat: 128.6').replace('    claims:\n', '    colour: red\n    claims:\n') +
      '      - id: a-sg-aws\n        text: again\n        country: sg\n';
    const msg = errorOf(text);
    expect(msg).toContain('claims.yaml:3: vantage.lat: 128.6 must be a number from -90 to 90');
    expect(msg).toContain('claims.yaml:10: vendors[0].colour: unknown field');
    expect(msg).toContain('claims.yaml:18: vendors[0].claims[1].id: duplicate claim id "a-sg-aws"');
  });

  it('reports YAML syntax errors with a line', () => {
    expect(errorOf('vendors:\n  - name: [unclosed\n')).toMatch(/^claims\.yaml:\d+: /);
  });

  it('rejects a claim that states nothing and a first-party claim without domains', () => {
    const msg = errorOf('vendors:\n  - name: V\n    captures: [a.pcap]\n    claims:\n      - id: x\n        text: nothing\n');
    expect(msg).toContain('claims.yaml:5: vendors[0].claims[0]: states nothing to check');
    expect(msg).toContain('vendors[0].first_party: is required when a claim has scope first-party');
  });

  it('rejects a bad region and a bad first-party domain', () => {
    const msg = errorOf(GOOD.replace('ap-southeast-1', 'ap southeast 1').replace('"vendora-sync.com"', '"not a domain"'));
    expect(msg).toContain('claims.yaml:9: vendors[0].first_party[0]: "not a domain" is not a domain name');
    expect(msg).toContain('claims.yaml:16: vendors[0].claims[0].region:');
  });

  it('stores hostile ids/text verbatim when valid and rejects ids with quotes', () => {
    const msg = errorOf(GOOD.replace('id: a-sg-aws', `id: "x'; DROP TABLE claims;--"`));
    expect(msg).toContain("vendors[0].claims[0].id:");
  });
});

describe('loadClaims and capture globs', () => {
  it('reads a file and expands captures relative to it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'claims-'));
    mkdirSync(path.join(dir, 'vendor-a', 'sub'), { recursive: true });
    for (const f of ['vendor-a/2.pcap', 'vendor-a/1.pcap', 'vendor-a/x.pcapng', 'vendor-a/.hidden.pcap', 'vendor-a/sub/3.pcap']) writeFileSync(path.join(dir, f), '');
    writeFileSync(path.join(dir, 'claims.yaml'), GOOD);
    const c = loadClaims(path.join(dir, 'claims.yaml'));
    expect(expandCapturePattern(c.dir, c.vendors[0].captures[0]).map((p) => path.relative(dir, p))).toEqual(['vendor-a/1.pcap', 'vendor-a/2.pcap']);
    expect(expandCapturePattern(dir, 'vendor-a/**/*.pcap').map((p) => path.relative(dir, p))).toEqual(['vendor-a/1.pcap', 'vendor-a/2.pcap', 'vendor-a/sub/3.pcap']);
    expect(expandCapturePattern(dir, 'vendor-a/[12].pcap*').length).toBe(2);
    expect(expandCapturePattern(dir, 'vendor-a/x.pcapng').length).toBe(1);
    expect(expandCapturePattern(dir, 'missing/*.pcap')).toEqual([]);
  });

  it('gives claims_unreadable for a missing file', () => {
    expect(() => loadClaims('/nonexistent/claims.yaml')).toThrow(expect.objectContaining({ code: 'claims_unreadable' }));
  });
});
