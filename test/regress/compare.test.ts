import { describe, expect, it } from 'vitest';
import { compareReports, withinByteTolerance } from '../../src/regress/compare.js';
import { formatDiff } from '../../src/regress/diff-text.js';
import { sampleReport } from './report-fixture.js';

const diffOf = (a: unknown, b: unknown): { text: string; n: number; sections: string[] } => {
  const c = compareReports(a, b);
  return { text: formatDiff(c, 'expected/report.json'), n: c.differences.length, sections: c.differences.map((d) => d.section) };
};

describe('compareReports', () => {
  it('finds no drift between identical reports', () => {
    const r = diffOf(sampleReport(), sampleReport());
    expect(r.n).toBe(0);
    expect(r.text).toContain('no drift');
  });

  it('ignores the generation time, tool version, claims path and reason sentences', () => {
    const b = sampleReport();
    b.generated_at = '2027-05-05T10:00:00Z';
    b.tool.version = '9.9.9';
    b.claims_file.path = '/elsewhere/claims.yaml';
    b.vendors[0].claims[0].reasons[0].text = '41 % of upload bytes went to CN';
    expect(diffOf(sampleReport(), b).n).toBe(0);
  });

  it('compares coverage bytes with tolerance, not the shares derived from them, under bytes', () => {
    const within = sampleReport();
    within.vendors[0].coverage.sources.tls_sni.bytes_up += 500;
    within.vendors[0].coverage.sources.tls_sni.share += 0.1;
    within.vendors[0].claims[0].coverage.sources.dns.share -= 0.1;
    expect(diffOf(sampleReport(), within).n).toBe(0);
    const moved = sampleReport();
    moved.vendors[0].claims[0].coverage.sources.dns.bytes_up = 0;
    moved.vendors[0].claims[0].coverage.sources.unnamed.bytes_up = 200_000;
    const r = diffOf(sampleReport(), moved);
    expect(r.n).toBe(2);
    expect(r.sections).toEqual(['bytes', 'bytes']);
    expect(r.text).toContain('vendors[Vendor Alder].claims[alder-sg-aws].coverage.sources.unnamed.bytes_up: 0 -> 200000');
  });

  it('names a changed verdict first, with the vendor and claim', () => {
    const b = sampleReport();
    b.vendors[0].claims[0].verdict = 'confirmed';
    b.vendors[0].destinations[0].country = 'SG';
    const r = diffOf(sampleReport(), b);
    expect(r.sections[0]).toBe('verdicts');
    expect(r.text).toContain('vendors[Vendor Alder].claims[alder-sg-aws].verdict: "refuted" -> "confirmed"');
    expect(r.text.indexOf('== Verdicts')).toBeLessThan(r.text.indexOf('== Countries'));
  });

  it('names a moved country of a destination', () => {
    const b = sampleReport();
    b.vendors[0].destinations[0].country = 'HK';
    const r = diffOf(sampleReport(), b);
    expect(r.sections).toEqual(['countries']);
    expect(r.text).toContain('destinations[upload.alder-sync.com 47.96.1.1].country: "CN" -> "HK"');
  });

  it('fails on a byte total beyond tolerance and passes within it', () => {
    const far = sampleReport();
    far.vendors[0].claims[0].totals.inconsistent.bytes_up = 250_000;
    const r = diffOf(sampleReport(), far);
    expect(r.sections).toEqual(['bytes']);
    expect(r.text).toContain('totals.inconsistent.bytes_up: 200000 -> 250000');

    const near = sampleReport();
    near.vendors[0].claims[0].totals.inconsistent.bytes_up = 201_500; // 0.75 %
    near.vendors[0].totals.bytes_down = 10_900; // 900 bytes, under the fixed 1 KiB allowance
    near.vendors[0].claims[0].evidence[0].bytes_up += 1000;
    expect(diffOf(sampleReport(), near).n).toBe(0);
  });

  it('reports added and removed destinations by identity, not position', () => {
    const b = sampleReport();
    const d = { ...b.vendors[0].destinations[0], server_ip: '13.228.1.1', hostname: 'api.alder-sync.com' };
    b.vendors[0].destinations = [d, b.vendors[0].destinations[0]];
    const r = diffOf(sampleReport(), b);
    expect(r.n).toBe(1);
    expect(r.text).toContain('+ vendors[Vendor Alder].destinations[api.alder-sync.com 13.228.1.1]');
  });

  it('names a data update as the likely cause when countries move and the geo data differ', () => {
    const b = sampleReport();
    b.vendors[0].destinations[0].country = 'HK';
    b.geo_sources[0].version = '2026-07-01';
    const c = compareReports(sampleReport(), b);
    expect(c.likelyDataUpdate).toBe(true);
    expect(c.geoChanges.map((g) => g.source)).toEqual(['dbip-city']);
    expect(formatDiff(c, 'x')).toContain('Likely cause: the geolocation data changed');
  });

  it('does not blame the data when only bytes moved', () => {
    const b = sampleReport();
    b.vendors[0].totals.bytes_up = 900_000;
    b.geo_sources[0].version = '2026-07-01';
    const c = compareReports(sampleReport(), b);
    expect(c.differences.length).toBe(1);
    expect(c.likelyDataUpdate).toBe(false);
  });

  it('cuts long evidence lists to a few lines plus a count', () => {
    const a = sampleReport();
    const b = sampleReport();
    const base = a.vendors[0].claims[0].evidence[0];
    a.vendors[0].claims[0].evidence = Array.from({ length: 30 }, (_, i) => ({ ...base, flow_id: i + 1 }));
    b.vendors[0].claims[0].evidence = Array.from({ length: 30 }, (_, i) => ({ ...base, flow_id: i + 1, server_port: 8443 }));
    const text = formatDiff(compareReports(a, b), 'x');
    expect(text).toMatch(/… 22 more under vendors\[Vendor Alder\]\.claims\[[^\]]+\]\.evidence/);
  });
});

describe('withinByteTolerance', () => {
  it('allows the larger of 1 KiB and 1 %', () => {
    expect(withinByteTolerance(100, 1124)).toBe(true);
    expect(withinByteTolerance(100, 1125)).toBe(false);
    expect(withinByteTolerance(1_000_000, 1_010_000)).toBe(true);
    expect(withinByteTolerance(1_000_000, 1_010_001)).toBe(false);
  });
});
