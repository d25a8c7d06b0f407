// Claims validation (issue 13, item 6): regions must be regions of the claimed provider in geo/regions.json,
// countries ISO codes or known groups; every error names the line and field and suggests the nearest valid names.
// Also the country lists/groups and the vendor `networks:` key. One row per case.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { parseClaims, type Claim } from '../../src/audit/claims.js';
import { countryGroups, parseCountryGroups } from '../../src/audit/country-groups.js';
import { isCountryCode } from '../../src/audit/country-codes.js';
import { editDistance, nearestByDistance } from '../../src/audit/name-suggestions.js';
import { decideClaim, type VerdictFlow } from '../../src/audit/verdict.js';
import { main } from '../../src/cli/main.js';
import { EXIT, UsageError } from '../../src/errors.js';

/** A claims file with one vendor and one claim whose lines are fixed: the claim's fields start at line 8. */
function claimsText(fields: string, vendorExtra = ''): string {
  return `vendors:
  - name: V
    captures: [v.pcap]
    first_party: [vendor.com]${vendorExtra}
    claims:
      - id: c1
        text: claim
${fields}`;
}

function parse(text: string): ReturnType<typeof parseClaims> {
  return parseClaims(text, 'claims.yaml', '/x/claims.yaml');
}

function errorOf(text: string): string {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).code).toBe('claims_invalid');
    return (e as Error).message;
  }
  throw new Error('expected a claims_invalid error');
}

interface ErrorRow {
  name: string;
  fields: string;
  vendorExtra?: string;
  /** Every line of the expected message must appear. */
  expect: string[];
}

const errorRows: ErrorRow[] = [
  {
    name: 'region typo (missing dash)',
    fields: '        provider: aws\n        region: ap-southeast1\n',
    expect: ['claims.yaml:9: vendors[0].claims[0].region: "ap-southeast1" is not a region of aws in geo/regions.json; did you mean ap-southeast-1 (Singapore)'],
  },
  {
    name: 'region given as a city',
    fields: '        provider: aws\n        region: Singapore\n',
    expect: ['claims.yaml:9: vendors[0].claims[0].region: "Singapore" is not a region of aws in geo/regions.json; did you mean ap-southeast-1 (Singapore)?'],
  },
  {
    name: 'region given as a country name (every region there)',
    fields: '        provider: aws\n        region: Japan\n',
    expect: ['did you mean ap-northeast-1 (Tokyo), ap-northeast-3 (Osaka)?'],
  },
  {
    name: 'region of another provider',
    fields: '        provider: aws\n        region: asia-southeast1\n',
    expect: ['region: "asia-southeast1" is not a region of aws in geo/regions.json; it is a region of gcp (Singapore); did you mean ap-southeast-1 (Singapore)'],
  },
  {
    name: 'region without provider that no provider has',
    fields: '        region: eu-centrall-1\n',
    expect: ['claims.yaml:8: vendors[0].claims[0].region: "eu-centrall-1" is not a region of any provider in geo/regions.json; did you mean eu-central-1 (Frankfurt)'],
  },
  {
    name: 'region without provider that names different places',
    fields: '        region: ap-southeast-1\n',
    expect: ['region: "ap-southeast-1" names regions of several providers in different places (aws (Singapore), alibaba (Singapore), huawei (Hong Kong)): add the provider'],
  },
  {
    name: 'region for a provider without published regions',
    fields: '        provider: cloudflare\n        region: eu-west-1\n',
    expect: ['claims.yaml:9: vendors[0].claims[0].region: "eu-west-1": provider cloudflare has no published regions in geo/regions.json'],
  },
  {
    name: 'country name instead of a code',
    fields: '        country: Singapore\n',
    expect: ['claims.yaml:8: vendors[0].claims[0].country: "Singapore" is not an ISO 3166-1 alpha-2 code or a country group (ASEAN, EEA, EU, GCC); did you mean SG (Singapore)?'],
  },
  {
    name: 'country misspelt',
    fields: '        country: Singapur\n',
    expect: ['did you mean SG (Singapore)?'],
  },
  {
    name: 'UK is not the ISO code',
    fields: '        country: UK\n',
    expect: ['"UK" is not an ISO 3166-1 alpha-2 code or a country group (ASEAN, EEA, EU, GCC); did you mean GB (United Kingdom)?'],
  },
  {
    name: 'a bad item of a country list is named by its index and line',
    fields: '        country:\n          - SG\n          - Malaysa\n',
    expect: ['claims.yaml:10: vendors[0].claims[0].country[1]: "Malaysa" is not an ISO 3166-1 alpha-2 code or a country group (ASEAN, EEA, EU, GCC); did you mean MY (Malaysia)?'],
  },
  {
    name: 'empty country list',
    fields: '        country: []\n',
    expect: ['claims.yaml:8: vendors[0].claims[0].country: must be a country code, a group or a non-empty list of them'],
  },
  {
    name: 'networks: bad AS number, bad prefix, unknown key',
    fields: '        provider: aws\n',
    vendorExtra: '\n    networks:\n      asns: [AS32934, ASX1, 0]\n      prefixes: [157.240.0.0/16, 10.0.0.0/33]\n      ranges: []',
    expect: [
      'claims.yaml:6: vendors[0].networks.asns[1]: "ASX1" is not an AS number (AS32934 or 32934)',
      'claims.yaml:6: vendors[0].networks.asns[2]: 0 is not an AS number',
      'claims.yaml:7: vendors[0].networks.prefixes[1]: "10.0.0.0/33" is not a CIDR prefix',
      'claims.yaml:8: vendors[0].networks.ranges: unknown field (expected one of asns, orgs, prefixes)',
    ],
  },
  {
    name: 'networks that list nothing',
    fields: '        provider: aws\n',
    vendorExtra: '\n    networks: {}',
    expect: ['claims.yaml:5: vendors[0].networks: lists no network: give asns, orgs or prefixes'],
  },
];

describe('claims validation: errors name line, field and the nearest valid names', () => {
  it.each(errorRows)('$name', (row) => {
    const msg = errorOf(claimsText(row.fields, row.vendorExtra));
    for (const e of row.expect) expect(msg).toContain(e);
  });
});

interface OkRow {
  name: string;
  fields: string;
  vendorExtra?: string;
  claim: Partial<Claim>;
}

const EU = ['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK'];

const okRows: OkRow[] = [
  { name: 'one code', fields: '        country: sg\n', claim: { country: 'SG', countries: ['SG'] } },
  { name: 'a list', fields: '        country: [SG, my]\n', claim: { country: 'SG, MY', countries: ['MY', 'SG'] } },
  { name: 'a group', fields: '        country: eu\n', claim: { country: 'EU', countries: EU } },
  { name: 'a group and a code', fields: '        country: [EEA, CH]\n', claim: { country: 'EEA, CH', countries: [...EU, 'CH', 'IS', 'LI', 'NO'].sort() } },
  { name: 'region of the claimed provider (alias)', fields: '        provider: Google Cloud\n        region: asia-southeast1\n', claim: { provider: 'gcp', region: 'asia-southeast1' } },
  { name: 'an alias of a provider with regions', fields: '        provider: microsoft\n        region: WestEurope\n', claim: { provider: 'azure', region: 'westeurope' } },
  { name: 'region without provider, one place', fields: '        region: eastus\n', claim: { region: 'eastus' } },
  { name: 'region without provider, same city everywhere', fields: '        region: ap-northeast-1\n', claim: { region: 'ap-northeast-1' } },
];

describe('claims validation: accepted forms', () => {
  it.each(okRows)('$name', (row) => {
    const c = parse(claimsText(row.fields, row.vendorExtra)).vendors[0].claims[0];
    expect(c).toMatchObject(row.claim);
  });

  it('reads networks: AS numbers in both forms, organisations, IPv4 and IPv6 prefixes', () => {
    const text = claimsText('        provider: aws\n', '\n    networks:\n      asns: [AS32934, 63293, "as 1"]\n      orgs: ["Facebook,   Inc."]\n      prefixes: [157.240.0.0/16, "2a03:2880::/32"]');
    const msg = errorOf(text);
    expect(msg).toContain('vendors[0].networks.asns[2]: "as 1" is not an AS number');
    const v = parse(text.replace(', "as 1"', '')).vendors[0];
    expect(v.networks).toEqual({ asns: [32934, 63293], orgs: ['Facebook, Inc.'], prefixes: ['157.240.0.0/16', '2a03:2880::/32'] });
  });
});

describe('country groups data (geo/country-groups.json)', () => {
  it('every group has a source, a date and only ISO 3166-1 alpha-2 members', () => {
    const groups = countryGroups();
    expect([...groups.keys()].sort()).toEqual(['ASEAN', 'EEA', 'EU', 'GCC']);
    for (const g of groups.values()) {
      expect(g.source).toMatch(/^https:\/\//);
      expect(g.as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(g.members.length).toBeGreaterThan(3);
      for (const m of g.members) expect(isCountryCode(m), `${g.id} ${m}`).toBe(true);
    }
    expect(groups.get('EU')?.members).toEqual(EU);
    expect(groups.get('ASEAN')?.members).toContain('TL');
  });

  it('drops members that are not ISO codes and tolerates a malformed file', () => {
    expect(parseCountryGroups({ groups: { x: { members: ['SG', 'EU', 'zz', 3] } } }).get('X')?.members).toEqual(['SG']);
    expect(parseCountryGroups(null).size).toBe(0);
    expect(parseCountryGroups({ groups: 'no' }).size).toBe(0);
  });
});

describe('nearest names', () => {
  it.each([
    ['ap-southeast1', 'ap-southeast-1', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['same', 'same', 0],
  ] as const)('editDistance(%s, %s) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('suggests nothing beyond the bound', () => {
    expect(nearestByDistance('zzzzzzzz', ['ap-southeast-1', 'eu-west-1'])).toEqual([]);
    expect(nearestByDistance('eu-west1', ['eu-west-1', 'eu-west-2', 'us-west-1'])).toEqual(['eu-west-1']);
    expect(nearestByDistance('eu-west-3', ['eu-west-1', 'eu-west-2', 'us-west-1'])).toEqual(['eu-west-1', 'eu-west-2']);
  });
});

// The case issue 13 names: a typo in a confirmed claim's region silently flipped the verdict to refuted.
describe('a region typo is an error, not a refutation', () => {
  const flows: VerdictFlow[] = [{
    bytes_up: 200_000, bytes_down: 1000, first_party: true, hostname: 'api.vendor.com', server_ip: '13.228.64.17', country: 'SG', country_agreement: 'agree',
    provider: 'aws', region: 'ap-southeast-1', edge: false, physical: 'plausible',
  }];
  const base: Claim = { id: 'c', text: 'AWS Singapore', scope: 'first-party', country: 'SG', countries: ['SG'], provider: 'aws' };

  it('the engine alone would refute the claim (what used to happen), the loader now refuses it', () => {
    expect(decideClaim({ ...base, region: 'ap-southeast-1' }, flows).verdict).toBe('confirmed');
    expect(decideClaim({ ...base, region: 'ap-southeast1' }, flows).verdict).toBe('refuted');
    expect(errorOf(claimsText('        country: SG\n        provider: aws\n        region: ap-southeast1\n'))).toContain('did you mean ap-southeast-1 (Singapore)?');
  });

  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const birch = path.join(repo, 'captures', 'vendor-birch', 'birch-two-phones.pcapng');
  it.skipIf(!existsSync(birch))('`residency audit` exits 2 on the sample vendor whose claim is confirmed, with the typo', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'claims-typo-'));
    const file = path.join(dir, 'claims.yaml');
    writeFileSync(file, `vendors:
  - name: Vendor Birch
    captures: [${JSON.stringify(birch)}]
    first_party: [birchdevice-cloud.net]
    claims:
      - { id: b, text: "AWS Singapore", country: SG, provider: aws, region: ap-southeast1 }
`);
    let err = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err += chunk.toString();
      return true;
    });
    try {
      const code = await main(['node', 'residency', 'audit', file, '--no-reports']);
      expect(code).toBe(EXIT.BAD_INPUT);
      expect(err).toContain(`${file}:6: vendors[0].claims[0].region: "ap-southeast1" is not a region of aws in geo/regions.json; did you mean ap-southeast-1 (Singapore)?`);
    } finally {
      out.mockRestore();
      spy.mockRestore();
      process.exitCode = undefined;
    }
  }, 60_000);
});
