// runRegress with a stub report producer (no pipeline): exit codes, --update, --save-report, bad input.

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { runRegress, type ReportProducer } from '../../src/regress/run.js';
import type { ReportModel } from '../../src/audit/report-model.js';
import { sampleReport } from './report-fixture.js';

const root = mkdtempSync(path.join(tmpdir(), 'residency-regress-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function setup(expected: ReportModel | undefined): { claims: string; expectedDir: string } {
  const dir = path.join(root, `case-${n++}`);
  mkdirSync(dir, { recursive: true });
  const claims = path.join(dir, 'claims.yaml');
  writeFileSync(claims, 'vendors: []\n');
  const expectedDir = path.join(dir, 'expected');
  if (expected !== undefined) {
    mkdirSync(expectedDir);
    writeFileSync(path.join(expectedDir, 'report.json'), JSON.stringify(expected, null, 2));
  }
  return { claims, expectedDir };
}

const producing = (r: ReportModel): ReportProducer => async (_claims, work) => {
  const f = path.join(work, 'fresh.json');
  writeFileSync(f, JSON.stringify(r, null, 2));
  return f;
};

describe('runRegress', () => {
  it('exits 0 when nothing drifted', async () => {
    const { claims, expectedDir } = setup(sampleReport());
    const fresh = sampleReport();
    fresh.generated_at = '2030-01-01T00:00:00Z';
    const r = await runRegress(claims, { expectedDir, produce: producing(fresh) });
    expect(r.exitCode).toBe(EXIT.OK);
    expect(r.ok).toBe(true);
  });

  it('exits 3 on drift and names the moved verdict', async () => {
    const { claims, expectedDir } = setup(sampleReport());
    const fresh = sampleReport();
    fresh.vendors[0].claims[0].verdict = 'inconclusive';
    const r = await runRegress(claims, { expectedDir, produce: producing(fresh) });
    expect(r.exitCode).toBe(EXIT.REFUTED);
    expect(r.ok).toBe(false);
    expect(r.diffText).toContain('claims[alder-sg-aws].verdict: "refuted" -> "inconclusive"');
  });

  it('--update rewrites the expected report after the diff, and keeps a copy with saveReport', async () => {
    const { claims, expectedDir } = setup(sampleReport());
    const fresh = sampleReport();
    fresh.vendors[0].destinations[0].country = 'HK';
    const saved = path.join(root, 'kept', 'report-1.json');
    const r = await runRegress(claims, { expectedDir, update: true, saveReport: saved, produce: producing(fresh) });
    expect(r.exitCode).toBe(EXIT.OK);
    expect(r.diffText).toContain('"CN" -> "HK"');
    expect(r.diffText).toContain('rewrote');
    const now = JSON.parse(readFileSync(path.join(expectedDir, 'report.json'), 'utf8')) as ReportModel;
    expect(now.vendors[0].destinations[0].country).toBe('HK');
    expect(existsSync(saved)).toBe(true);
    const again = await runRegress(claims, { expectedDir, produce: producing(fresh) });
    expect(again.exitCode).toBe(EXIT.OK);
  });

  it('writes a missing expected report with --update, and throws regress_missing_report without it', async () => {
    const { claims, expectedDir } = setup(undefined);
    await expect(runRegress(claims, { expectedDir, produce: producing(sampleReport()) })).rejects.toMatchObject({
      name: 'UsageError', code: 'regress_missing_report', message: expect.stringContaining('expected report not found'),
    });
    const withUpdate = await runRegress(claims, { expectedDir, update: true, produce: producing(sampleReport()) });
    expect(withUpdate.exitCode).toBe(EXIT.OK);
    expect(existsSync(path.join(expectedDir, 'report.json'))).toBe(true);
  });

  it('throws typed errors for a missing claims file or an expected file that is not a report', async () => {
    const { claims, expectedDir } = setup(sampleReport());
    await expect(runRegress(path.join(root, 'nope.yaml'), { expectedDir, produce: producing(sampleReport()) })).rejects.toMatchObject({
      name: 'UsageError', code: 'claims_unreadable', message: expect.stringContaining('nope.yaml: claims file not found'),
    });
    writeFileSync(path.join(expectedDir, 'report.json'), '{"schema":"something/else"}');
    await expect(runRegress(claims, { expectedDir, produce: producing(sampleReport()) })).rejects.toMatchObject({
      name: 'UsageError', code: 'regress_bad_report', message: expect.stringContaining('not a residency.report/2 report'),
    });
  });
});
