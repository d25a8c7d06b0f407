// End to end: the sample captures (captures/, scripts/gen-samples.ts) audited with measurement files written for
// them. RIPE Atlas probes in Tokyo, Frankfurt and Singapore (positions from their probes file) and a second lab in
// Ashburn, where Vendor Dogwood's capture is declared taken. Distances (great circle, km): Tokyo-Singapore 5,320,
// Tokyo-New Delhi 5,850, Frankfurt-Singapore 10,260, New Delhi-Ashburn 12,000.
//   - Tokyo 20 ms to the AWS Singapore addresses: a disc of 2,050 km. Singapore is inside New Delhi's disc (58 ms,
//     5,890 km) but outside Tokyo's, so outside the intersection: Birch's "AWS Singapore" is refuted, naming the
//     Tokyo probe's line and not the New Delhi handshake; the databases' Singapore positions are ruled out.
//   - Frankfurt 2 ms and Singapore 2 ms to Alder's Hangzhou address: discs of 250 km, 10,260 km apart: anycast, an
//     edge, with both measurements named.
//   - Dogwood's capture taken at Ashburn: its 3.4 ms handshakes to Ashburn addresses are plausible there, so the
//     claim is no longer physically refuted (it is from New Delhi, in the sample case).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditResult } from '../../src/pipeline/back-half.js';
import type { ReportClaim, ReportModel } from '../../src/audit/report-model.js';
import { compareReports } from '../../src/regress/compare.js';
import { formatDiff } from '../../src/regress/diff-text.js';
import { validate } from '../schema/record-schemas.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const samples = path.join(repo, 'captures');
const fixed = () => new Date('2026-03-02T12:00:00Z');

const AWS_SG = ['13.228.64.17', '54.251.143.90', '52.76.128.44'];
const ALI_HZ = '47.96.181.23';

const PROBES = JSON.stringify({
  count: 3,
  results: [
    { id: 7001, country_code: 'JP', geometry: { type: 'Point', coordinates: [139.6917, 35.6895] } },
    { id: 7002, country_code: 'DE', geometry: { type: 'Point', coordinates: [8.6821, 50.1109] } },
    { id: 7003, country_code: 'SG', geometry: { type: 'Point', coordinates: [103.8198, 1.3521] } },
  ],
});

function atlasResult(prb: number, dst: string, rtt: number): string {
  return JSON.stringify({ type: 'ping', prb_id: prb, dst_addr: dst, min: rtt, result: [{ rtt: rtt + 0.4 }, { rtt }], msm_id: 71000100, timestamp: 1772442000 });
}

/** One result per line, so each has its own line number (line 1 is `[`). */
function atlasResults(tokyoMs: number): string {
  const rows = [...AWS_SG.map((ip) => atlasResult(7001, ip, tokyoMs)), atlasResult(7002, ALI_HZ, 2), atlasResult(7003, ALI_HZ, 2)];
  return `[\n${rows.join(',\n')}\n]\n`;
}

const CLAIMS = `
vantages:
  delhi: { name: New Delhi lab, lat: 28.6139, lon: 77.209, country: IN }
  ashburn: { name: Ashburn lab, lat: 39.0438, lon: -77.4874, country: US }
vantage: delhi
measurements:
  - { file: atlas/results.json, kind: ripe-atlas, probes: atlas/probes.json }
vendors:
  - name: Vendor Alder
    captures: ["vendor-alder/*.pcap"]
    first_party: ["alderphone-sync.com"]
    claims:
      - { id: alder-sg-aws, text: "User data is stored on AWS in Singapore", country: SG, provider: aws, region: ap-southeast-1 }
  - name: Vendor Birch
    captures: ["vendor-birch/*.pcapng"]
    first_party: ["birchdevice-cloud.net"]
    claims:
      - { id: birch-sg-aws, text: "User data is stored on AWS in Singapore", country: SG, provider: aws, region: ap-southeast-1 }
  - name: Vendor Dogwood
    captures: [{ path: "vendor-dogwood/*.pcap", vantage: ashburn }]
    first_party: ["dogwoodtab-sync.net"]
    claims:
      - { id: dogwood-us-aws, text: "User data is stored on AWS in the United States", country: US, provider: aws }
`;

function claimOf(model: ReportModel, id: string): ReportClaim {
  const c = model.vendors.flatMap((v) => v.claims).find((x) => x.id === id);
  if (c === undefined) throw new Error(`no claim ${id}`);
  return c;
}

/** Start tags of an SVG/HTML fragment with their attributes (no attribute value holds `>`: escape.ts escapes it). */
function tags(svg: string): { name: string; attrs: Record<string, string> }[] {
  const out: { name: string; attrs: Record<string, string> }[] = [];
  for (const m of svg.matchAll(/<([a-zA-Z]+)((?:\s+[a-zA-Z-:]+="[^"]*")*)\s*\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2].matchAll(/([a-zA-Z-:]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    out.push({ name: m[1], attrs });
  }
  return out;
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe.skipIf(!existsSync(path.join(samples, 'vendor-birch')))('audit with measurement files and a second lab (sample captures)', () => {
  let dir: string;
  let r: AuditResult;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vantage-e2e-'));
    for (const v of ['vendor-alder', 'vendor-birch', 'vendor-dogwood']) cpSync(path.join(samples, v), path.join(dir, v), { recursive: true });
    mkdirSync(path.join(dir, 'atlas'));
    writeFileSync(path.join(dir, 'atlas', 'probes.json'), PROBES);
    writeFileSync(path.join(dir, 'atlas', 'results.json'), atlasResults(20));
    writeFileSync(path.join(dir, 'claims.yaml'), CLAIMS);
    r = await runAudit(path.join(dir, 'claims.yaml'), { db: path.join(dir, 'case.db'), outDir: path.join(dir, 'out'), now: fixed });
  }, 180_000);

  it('refutes a claim inside one disc but outside the intersection, naming the probe that rules it out', () => {
    const birch = claimOf(r.model, 'birch-sg-aws');
    expect(birch.verdict).toBe('refuted');
    const reason = birch.reasons.find((x) => x.code === 'claimed_location_impossible');
    expect(reason).toBeDefined();
    const ms = reason?.measurements ?? [];
    expect(ms.length).toBeGreaterThan(0);
    // Only the Tokyo probe: New Delhi's handshake (58 ms) reaches Singapore.
    expect(ms.every((m) => m.vantage_id === 'atlas:7001' && m.file === 'atlas/results.json' && m.rtt_ms === 20)).toBe(true);
    const lines = atlasResults(20).split('\n');
    for (const m of ms) expect(lines[(m.line as number) - 1]).toContain('"prb_id":7001');
    expect(reason?.text).toContain('RIPE Atlas probe 7001 (JP) 20 ms (atlas/results.json:');
    expect(reason?.text).not.toContain('New Delhi lab');
    expect(birch.evidence.every((e) => e.claimed_location_impossible)).toBe(true);
  });

  it('rules out the databases\' positions the measurements exclude, naming the measurements', () => {
    const birch = r.model.vendors.find((v) => v.name === 'Vendor Birch');
    const d = birch?.destinations.find((x) => x.server_ip === AWS_SG[1]);
    expect(d?.physical).toBe('impossible');
    const placed = (d?.geo_sources ?? []).filter((s) => s.lat !== undefined);
    expect(placed.length).toBeGreaterThan(0);
    for (const s of placed) {
      expect(s.physical).toBe('impossible');
      expect(s.ruled_out_by?.[0]).toMatchObject({ vantage_id: 'atlas:7001', file: 'atlas/results.json' });
    }
  });

  it('treats an address two far probes reach in 2 ms as an anycast edge, naming both measurements', () => {
    const alder = r.model.vendors.find((v) => v.name === 'Vendor Alder');
    const d = alder?.destinations.find((x) => x.server_ip === ALI_HZ);
    expect(d?.edge).toBe(true);
    expect(d?.anycast?.measurements.map((m) => m.vantage_id).sort()).toEqual(['atlas:7002', 'atlas:7003']);
    expect(d?.anycast?.reason).toContain('anycast');
    // No position is judged or set aside for it.
    expect(d?.geo_sources.every((s) => s.physical === undefined)).toBe(true);
    const claim = claimOf(r.model, 'alder-sg-aws');
    const reason = claim.reasons.find((x) => x.code === 'unknown_anycast');
    expect(reason?.measurements?.map((m) => m.vantage_id).sort()).toEqual(['atlas:7002', 'atlas:7003']);
    const hz = claim.evidence.find((e) => e.server_ip === ALI_HZ);
    expect(hz?.status).toBe('unknown');
    expect(hz?.claimed_location_impossible).toBe(false);
    const region = r.model.feasible_regions?.find((x) => x.dst_addr === ALI_HZ);
    expect(region?.anycast).toBeDefined();
  });

  it('measures a capture from the lab it was taken at (captures: [{ path, vantage }])', () => {
    const dogwood = claimOf(r.model, 'dogwood-us-aws');
    expect(dogwood.reasons.map((x) => x.code)).not.toContain('claimed_location_impossible');
    expect(dogwood.verdict).not.toBe('refuted');
    expect(dogwood.evidence.length).toBeGreaterThan(0);
    for (const e of dogwood.evidence) {
      expect(e.physical).toBe('plausible');
      expect(e.claimed_location_impossible).toBe(false);
      for (const s of e.geo_sources) if (s.lat !== undefined) expect(s.physical).toBe('plausible');
    }
  });

  it('lists the labs, the probes used and every measurement file with its hash (JSON, HTML, Markdown)', () => {
    expect(r.model.vantage_points?.map((v) => [v.id, v.kind])).toEqual([
      ['ashburn', 'lab'], ['delhi', 'lab'], ['atlas:7001', 'probe'], ['atlas:7002', 'probe'], ['atlas:7003', 'probe'],
    ]);
    const results = sha(path.join(dir, 'atlas', 'results.json'));
    const probes = sha(path.join(dir, 'atlas', 'probes.json'));
    expect(r.model.measurement_files).toEqual([
      { path: 'atlas/results.json', kind: 'ripe-atlas', sha256: results, probes: { path: 'atlas/probes.json', sha256: probes, count: 3 }, measurements: 5, warnings: [], warnings_omitted: 0 },
    ]);
    const json = JSON.parse(readFileSync(path.join(dir, 'out', 'report.json'), 'utf8')) as ReportModel;
    expect(json.measurement_files?.[0].sha256).toBe(results);
    expect(json.feasible_regions?.length).toBeGreaterThan(0);
    expect(validate('report', json), 'report.json against schema/report.schema.json').toEqual([]);
    const html = readFileSync(path.join(dir, 'out', 'report.html'), 'utf8');
    const provenance = html.slice(html.indexOf('id="provenance"'));
    expect(provenance).toContain(results);
    expect(provenance).toContain(probes);
    const md = readFileSync(path.join(dir, 'out', 'report.md'), 'utf8');
    expect(md).toContain('## Measurement files');
    expect(md).toContain(results);
    expect(md).toContain(probes);
    expect(md.slice(md.indexOf('## Vantage points'))).toMatch(/\| atlas:7001 \| RIPE Atlas probe 7001 \| probe \| JP \|/);
    // The refutation's measurements reach every format and the summary through the reason's sentence.
    expect(md).toContain('RIPE Atlas probe 7001 (JP) 20 ms (atlas/results.json:');
    expect(html).toContain('RIPE Atlas probe 7001 (JP) 20 ms (atlas/results.json:');
  });

  it('draws the labs, the probes and the feasible regions on the map', () => {
    const html = readFileSync(path.join(dir, 'out', 'report.html'), 'utf8');
    const svg = html.slice(html.indexOf('<svg class="map"'), html.indexOf('</svg>', html.indexOf('<svg class="map"')) + 6);
    const t = tags(svg);
    const labs = t.filter((x) => x.name === 'g' && x.attrs.class === 'lab').map((x) => x.attrs['data-id']);
    expect(labs.sort()).toEqual(['ashburn', 'delhi']);
    const probes = t.filter((x) => x.name === 'path' && x.attrs.class === 'probe').map((x) => x.attrs['data-id']);
    expect(probes.sort()).toEqual(['atlas:7001', 'atlas:7002', 'atlas:7003']);
    const regions = t.filter((x) => x.name === 'g' && (x.attrs.class ?? '').startsWith('feasible-region'));
    expect(regions.map((x) => x.attrs['data-dst'])).toEqual(expect.arrayContaining([...AWS_SG.filter((ip) => r.model.feasible_regions?.some((f) => f.dst_addr === ip && f.discs.length > 1)), ALI_HZ]));
    // Every region of the report is drawn; an address one measurement bounds gets its one disc as its region.
    expect(regions.map((x) => x.attrs['data-dst']).sort()).toEqual((r.model.feasible_regions ?? []).map((f) => f.dst_addr).sort());
    const single = (r.model.feasible_regions ?? []).filter((f) => f.discs.length === 1 && f.discs_omitted === 0);
    expect(single.length).toBeGreaterThan(0);
    for (const f of single) expect(f.discs[0].binding).toBe(true);
    expect(regions.find((x) => x.attrs['data-dst'] === ALI_HZ)?.attrs.class).toBe('feasible-region anycast');
    // Each probe is labelled with its number; each region that is not anycast is drawn as its discs' intersection.
    expect(t.filter((x) => x.name === 'text' && x.attrs.class === 'probe-label').map((x) => x.attrs['data-id'])).toEqual(['atlas:7001', 'atlas:7002', 'atlas:7003']);
    const meeting = (r.model.feasible_regions ?? []).filter((f) => f.anycast === undefined && !f.empty);
    expect(meeting.length).toBeGreaterThan(0);
    expect(t.filter((x) => x.name === 'path' && x.attrs.class === 'feasible-area')).toHaveLength(meeting.length);
    // Ruled-out positions: Birch's Singapore addresses, whose databases' positions the Tokyo probe rules out.
    const dests = r.model.vendors.flatMap((v) => v.destinations).filter((d) => d.lat !== undefined);
    const impossible = dests.filter((d) => d.physical === 'impossible');
    expect(impossible.map((d) => d.server_ip).sort()).toEqual(AWS_SG.filter((ip) => impossible.some((d) => d.server_ip === ip)).sort());
    expect(impossible.length).toBeGreaterThan(0);
    expect(t.filter((x) => x.name === 'g' && (x.attrs.class ?? '').startsWith('ruled-out '))).toHaveLength(impossible.length);
    const sourcesOut = r.model.vendors.flatMap((v) => v.destinations).flatMap((d) => d.geo_sources).filter((s) => s.physical === 'impossible' && s.lat !== undefined);
    expect(t.filter((x) => x.name === 'path' && x.attrs.class === 'src-ruled-out')).toHaveLength(sourcesOut.length);
    const discs = t.filter((x) => x.name === 'path' && x.attrs.class === 'feasible-disc');
    expect(discs.map((x) => x.attrs['data-vantage'])).toEqual(expect.arrayContaining(['atlas:7001', 'delhi', 'atlas:7002', 'atlas:7003']));
    for (const d of discs) expect(d.attrs.d).toMatch(/^M[-\d.]+ [-\d.]+/);
    // Every number of the first disc's path lies inside the frame's width.
    const viewBox = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
    expect(viewBox).not.toBeNull();
    const first = discs[0].attrs.d;
    const start = /^M([-\d.]+) ([-\d.]+)/.exec(first);
    expect(Number(start?.[1])).toBeGreaterThanOrEqual(0);
    expect(Number(start?.[1])).toBeLessThanOrEqual(Number(viewBox?.[1]));
  });

  it('`report` from the store reads the same files and gives the same verdicts and regions', async () => {
    const again = await runAudit(path.join(dir, 'claims.yaml'), { db: path.join(dir, 'case.db'), noIngest: true, now: fixed });
    expect(again.model.vendors.flatMap((v) => v.claims.map((c) => [c.id, c.verdict, c.reasons.map((x) => x.code)]))).toEqual(
      r.model.vendors.flatMap((v) => v.claims.map((c) => [c.id, c.verdict, c.reasons.map((x) => x.code)])),
    );
    expect(again.model.measurement_files).toEqual(r.model.measurement_files);
    expect(again.model.feasible_regions).toEqual(r.model.feasible_regions);
    expect(again.warnings).toEqual([]);
  }, 120_000);

  it('names a changed measurement file when the next run differs (regress treats them as inputs), and says what it skipped', async () => {
    writeFileSync(path.join(dir, 'atlas', 'results.json'), atlasResults(21).replace('\n]', `,\n${atlasResult(9999, ALI_HZ, 1)}\n]`));
    const again = await runAudit(path.join(dir, 'claims.yaml'), { db: path.join(dir, 'case.db'), now: fixed });
    const cmp = compareReports(JSON.parse(JSON.stringify(r.model)), JSON.parse(JSON.stringify(again.model)));
    const changed = cmp.differences.find((x) => x.where === 'measurement_files[atlas/results.json].sha256');
    expect(changed).toMatchObject({ section: 'inputs', kind: 'changed' });
    expect(formatDiff(cmp, 'expected')).toContain('measurement_files[atlas/results.json].sha256');
    // A result from a probe the probes file does not hold: skipped, said on stderr and in report.json.
    expect(again.warnings).toHaveLength(1);
    expect(again.warnings[0]).toMatch(/^atlas\/results\.json:7: .*9999.*\(atlas_probe_unknown\)$/);
    expect(again.model.measurement_files?.[0].warnings.map((w) => [w.code, w.line])).toEqual([['atlas_probe_unknown', 7]]);
  }, 120_000);
});
