// End to end on the generated sample case (captures/, written by scripts/gen-samples.ts): one refuted vendor,
// one confirmed, one unobservable, one refuted by the physical RTT check alone.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditResult } from '../../src/pipeline/back-half.js';
import { EXIT } from '../../src/errors.js';
import { validate } from '../schema/record-schemas.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const claims = path.join(repo, 'captures', 'claims.yaml');
const fixed = () => new Date('2026-03-02T12:00:00Z');

describe.skipIf(!existsSync(claims))('residency audit on the sample case (captures/claims.yaml)', () => {
  let dir: string;
  let first: AuditResult;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'audit-e2e-'));
    first = await runAudit(claims, { db: path.join(dir, 'case.db'), outDir: path.join(dir, 'a'), now: fixed });
  }, 120_000);

  it('gives the documented verdict for every vendor', () => {
    const verdicts = Object.fromEntries(first.model.vendors.flatMap((v) => v.claims.map((c) => [c.id, c.verdict])));
    expect(verdicts).toEqual({ 'alder-sg-aws': 'refuted', 'birch-sg-aws': 'confirmed', 'cedar-in': 'unobservable', 'dogwood-us-aws': 'refuted' });
    expect(first.exitCode).toBe(EXIT.REFUTED);
    expect(first.model.summary).toEqual({ confirmed: 1, refuted: 2, inconclusive: 0, unobservable: 1, exit_code: EXIT.REFUTED });
  });

  it('explains each verdict with the expected reasons and evidence', () => {
    const claim = (id: string) => first.model.vendors.flatMap((v) => v.claims).find((c) => c.id === id)!;
    const alder = claim('alder-sg-aws');
    expect(alder.reasons.map((r) => r.code)).toContain('inconsistent_upload');
    expect(alder.evidence[0]).toMatchObject({ status: 'inconsistent', country: 'CN', provider: 'alibaba', first_party: true });
    expect(alder.evidence[0].cname_chain?.some((n) => n.endsWith('aliyuncs.com'))).toBe(true);
    const dogwood = claim('dogwood-us-aws');
    expect(dogwood.reasons[0].code).toBe('claimed_location_impossible');
    expect(dogwood.evidence.every((e) => e.claimed_location_impossible && e.country === 'US' && e.provider === 'aws')).toBe(true);
    const cedar = claim('cedar-in');
    expect(cedar.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['names_hidden_ech', 'names_hidden_doh']));
    expect(cedar.totals.in_scope.flows).toBe(0);
    expect(cedar.totals.hidden.bytes_up).toBeGreaterThan(100_000);
    const birch = claim('birch-sg-aws');
    expect(birch.totals.consistent.bytes_up).toBe(birch.totals.in_scope.bytes_up);
  });

  it('attributes devices from the claims file and lists inputs with hashes', () => {
    const birch = first.model.vendors.find((v) => v.name === 'Vendor Birch')!;
    expect(birch.devices.map((d) => d.label)).toEqual(['birch-phone-1', 'birch-phone-2']);
    expect(first.model.inputs.map((i) => i.path)).toEqual([
      'vendor-alder/alder-phone.pcap', 'vendor-birch/birch-two-phones.pcapng', 'vendor-cedar/cedar-phone.pcapng', 'vendor-dogwood/dogwood-tablet-rawip.pcap',
    ]);
    for (const i of first.model.inputs) expect(i.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.model.geo_sources.length).toBeGreaterThan(0);
    expect(first.model.vantage?.country).toBe('IN');
  });

  it('is byte-reproducible, skips stored captures on a re-run, and `report` from the store agrees', async () => {
    const again = await runAudit(claims, { db: path.join(dir, 'case.db'), outDir: path.join(dir, 'b'), now: fixed });
    expect(again.ingested.every((i) => i.skipped)).toBe(true);
    const files = readdirSync(path.join(dir, 'a')).sort();
    expect(files).toEqual(['coverage.csv', 'destinations.csv', 'flows.csv', 'report.html', 'report.json', 'report.md']);
    expect(validate('report', JSON.parse(readFileSync(path.join(dir, 'a', 'report.json'), 'utf8'))), 'report.json against schema/report.schema.json').toEqual([]);
    for (const f of files) expect(readFileSync(path.join(dir, 'b', f), 'utf8')).toBe(readFileSync(path.join(dir, 'a', f), 'utf8'));
    const fromStore = await runAudit(claims, { db: path.join(dir, 'case.db'), noIngest: true, formats: ['json'], now: fixed });
    expect(fromStore.model.vendors).toEqual(first.model.vendors);
  }, 120_000);
});
