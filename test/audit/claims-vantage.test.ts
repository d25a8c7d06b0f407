// Claims-file keys for several vantage points (issue 18 item 1): `vantages:` (named labs), captures given as
// `{ path, vantage }`, `vantage:` naming a lab, and `measurements:` files; today's single `vantage:` mapping keeps
// working. Errors name the file, the line and the field, like every claims error.
import { describe, expect, it } from 'vitest';
import { captureVantage, DEFAULT_VANTAGE_ID, parseClaims, type ClaimsFile } from '../../src/audit/claims.js';
import { UsageError } from '../../src/errors.js';

function parse(text: string): ClaimsFile {
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

const LABS = `vantages:
  delhi: { name: New Delhi lab, lat: 28.6139, lon: 77.209, country: IN }
  mumbai: { lat: 19.076, lon: 72.8777, country: in }
`;

/** A vendor whose `captures:` value is `captures` (lines of the vendor start after `head`). */
function withVendor(head: string, captures: string): string {
  return `${head}vendors:
  - name: V
    captures: ${captures}
    first_party: [vendor.com]
    claims:
      - { id: c1, text: claim, country: IN }
`;
}

describe('vantages and per-capture labs', () => {
  it('reads named labs (name defaults to the key, country upper-cased) and captures with their lab', () => {
    const cf = parse(withVendor(`${LABS}vantage: delhi\n`, '["a/*.pcap", { path: "b/*.pcap", vantage: mumbai }]'));
    expect(cf.vantages).toEqual({
      delhi: { name: 'New Delhi lab', lat: 28.6139, lon: 77.209, country: 'IN' },
      mumbai: { name: 'mumbai', lat: 19.076, lon: 72.8777, country: 'IN' },
    });
    expect(cf.vantage).toEqual(cf.vantages?.delhi);
    expect(cf.vantage_id).toBe('delhi');
    const v = cf.vendors[0];
    expect(v.captures).toEqual(['a/*.pcap', 'b/*.pcap']);
    expect(v.capture_vantages).toEqual({ 'b/*.pcap': 'mumbai' });
    expect(captureVantage(cf, v, 'b/*.pcap')).toEqual({ id: 'mumbai', vantage: cf.vantages?.mumbai });
    expect(captureVantage(cf, v, 'a/*.pcap')).toEqual({ id: 'delhi', vantage: cf.vantages?.delhi });
  });

  it('keeps today\'s single vantage mapping working (id "vantage"), captures as plain strings', () => {
    const cf = parse(withVendor('vantage: { name: Lab, lat: 1, lon: 2, country: SG }\n', '["a.pcap"]'));
    expect(cf.vantage).toEqual({ name: 'Lab', lat: 1, lon: 2, country: 'SG' });
    expect(cf.vantage_id).toBe(DEFAULT_VANTAGE_ID);
    expect(cf.vantages).toBeUndefined();
    expect(cf.vendors[0].capture_vantages).toBeUndefined();
    expect(captureVantage(cf, cf.vendors[0], 'a.pcap')?.id).toBe('vantage');
  });

  it('without any vantage a capture has none', () => {
    const cf = parse(withVendor('', '["a.pcap"]'));
    expect(captureVantage(cf, cf.vendors[0], 'a.pcap')).toBeUndefined();
  });

  it.each([
    ['an unknown lab for a capture', withVendor(LABS, '[{ path: b.pcap, vantage: pune }]'), 'claims.yaml:6: vendors[0].captures[0].vantage: "pune" is not a lab in vantages: (delhi, mumbai)'],
    ['vantage naming a lab without vantages:', withVendor('vantage: delhi\n', '[a.pcap]'), 'claims.yaml:1: vantage: "delhi" is not a lab in vantages: (none: add a vantages: map)'],
    ['a lab without a country', withVendor('vantages:\n  x: { lat: 1, lon: 2 }\n', '[a.pcap]'), 'claims.yaml:2: vantages.x.country: is required'],
    ['a lab latitude out of range', withVendor('vantages:\n  x: { lat: 91, lon: 2, country: DE }\n', '[a.pcap]'), 'claims.yaml:2: vantages.x.lat: 91 must be a number from -90 to 90'],
    ['a bad lab name', withVendor('vantages:\n  "x y": { lat: 1, lon: 2, country: DE }\n', '[a.pcap]'), `claims.yaml:2: vantages.x y: lab name "x y" must be letters`],
    ['a capture mapping without path', withVendor(LABS, '[{ vantage: delhi }]'), 'claims.yaml:6: vendors[0].captures[0].path: is required'],
    ['a capture listed twice', withVendor(LABS, '[a.pcap, { path: a.pcap, vantage: delhi }]'), 'vendors[0].captures[1].path: "a.pcap" is listed twice'],
    ['an unknown key in a capture', withVendor(LABS, '[{ path: a.pcap, lab: delhi }]'), 'vendors[0].captures[0].lab: unknown field (expected one of path, vantage)'],
    [
      'the reserved lab name with a vantage mapping',
      withVendor('vantage: { name: L, lat: 1, lon: 2, country: DE }\nvantages:\n  vantage: { lat: 1, lon: 2, country: DE }\n', '[a.pcap]'),
      'claims.yaml:3: vantages.vantage: the name "vantage" is taken by the top-level vantage: mapping',
    ],
  ])('refuses %s, naming line and field', (_n, text, want) => {
    expect(errorOf(text)).toContain(want);
  });
});

describe('measurements', () => {
  const head = `${LABS}vantage: delhi\nmeasurements:\n`;

  it('reads ripe-atlas, ping and mtr entries; ping/mtr default to the top-level vantage', () => {
    const cf = parse(
      withVendor(
        `${head}  - { file: atlas/msm.json, kind: ripe-atlas, probes: atlas/probes.json }
  - { file: ping/mumbai.txt, kind: ping, vantage: mumbai, dst: 192.0.2.10 }
  - { file: mtr/delhi.json, kind: MTR }
`,
        '[a.pcap]',
      ),
    );
    expect(cf.measurements).toEqual([
      { file: 'atlas/msm.json', kind: 'ripe-atlas', probes: 'atlas/probes.json', line: 6 },
      { file: 'ping/mumbai.txt', kind: 'ping', vantage: 'mumbai', dst: '192.0.2.10', line: 7 },
      { file: 'mtr/delhi.json', kind: 'mtr', vantage: 'delhi', line: 8 },
    ]);
  });

  it.each([
    ['an unknown kind', '  - { file: a.txt, kind: traceroute, vantage: delhi }\n', 'claims.yaml:6: measurements[0].kind: "traceroute" must be one of ripe-atlas, ping, mtr'],
    ['ripe-atlas without probes', '  - { file: a.json, kind: ripe-atlas }\n', 'claims.yaml:6: measurements[0].probes: is required'],
    ['a vantage on ripe-atlas', '  - { file: a.json, kind: ripe-atlas, probes: p.json, vantage: delhi }\n', 'measurements[0].vantage: not for ripe-atlas'],
    ['probes on ping', '  - { file: a.txt, kind: ping, probes: p.json }\n', 'measurements[0].probes: only for ripe-atlas, not ping'],
    ['an unknown lab', '  - { file: a.txt, kind: ping, vantage: pune }\n', 'measurements[0].vantage: "pune" is not a lab in vantages: (delhi, mumbai)'],
    ['a dst that is not an address', '  - { file: a.txt, kind: mtr, dst: example.com }\n', 'claims.yaml:6: measurements[0].dst: "example.com" is not an IP address'],
    ['a missing file', '  - { kind: ping }\n', 'measurements[0].file: is required'],
  ])('refuses %s, naming line and field', (_n, entries, want) => {
    expect(errorOf(withVendor(`${head}${entries}`, '[a.pcap]'))).toContain(want);
  });

  it('ping without any lab to take it from needs a vantage', () => {
    const text = withVendor('measurements:\n  - { file: a.txt, kind: ping }\n', '[a.pcap]');
    expect(errorOf(text)).toContain('claims.yaml:2: measurements[0].vantage: is required for ping output: name the lab it was measured at (none: add a vantages: map)');
  });

  it('measurements must be a list', () => {
    expect(errorOf(withVendor('measurements: { file: a.txt }\n', '[a.pcap]'))).toContain('claims.yaml:1: measurements: must be a list');
  });
});
