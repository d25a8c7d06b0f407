// `residency regress`: runs the audit of a claims file into a scratch folder, compares its JSON report
// with the expected one (captures/expected/report.json) and, with `update`, rewrites the expected report
// after the diff is shown. Owns the expected-report file handling and the regress outcome (drift or not); bad
// input is thrown as a typed error (UsageError, CaptureError, StoreError) for src/cli to turn into exit 2.

import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runAudit } from '../pipeline/back-half.js';
import { EXIT, UsageError } from '../errors.js';
import { compareReports, type ReportComparison } from './compare.js';
import { REPORT_SCHEMA } from '../audit/report-model.js';
import { formatDiff } from './diff-text.js';

/** File name of the expected report inside the expected folder. */
export const EXPECTED_REPORT_FILE = 'report.json';
/** Schemas regress reads: the current one, and the one before it (an expected report from before the flows left
 *  report.json compares too: its `vendors[].flows` show as removed, so `--update` can move it to the current one). */
const READABLE_SCHEMAS: readonly unknown[] = [REPORT_SCHEMA, 'residency.report/1'];

/** Produces a fresh JSON report for a claims file; returns the report file's path. */
export type ReportProducer = (claimsPath: string, workDir: string) => Promise<string>;

export interface RegressOptions {
  /** Folder holding report.json (default: `expected/` beside the claims file). */
  expectedDir?: string;
  /** Rewrite the expected report with the fresh one (after the diff is computed and returned). */
  update?: boolean;
  /** Copy the fresh JSON report here (scripts/regress.sh keeps dated reports this way). */
  saveReport?: string;
  /** How the fresh report is made; default: the audit (pipeline/back-half.ts runAudit) with JSON output only. */
  produce?: ReportProducer;
  /** Case store the default audit uses: a SQLite file or a PostgreSQL URL (default: a scratch SQLite file). */
  db?: string;
}

export interface RegressResult {
  /** True when there is no drift (or `update` wrote the expected report). */
  ok: boolean;
  diffText: string;
  /** EXIT.OK or EXIT.REFUTED (drift). */
  exitCode: number;
  comparison?: ReportComparison;
}

async function findJsonReport(dir: string): Promise<string | undefined> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  for (const n of names) {
    const p = path.join(dir, n);
    try {
      const doc = JSON.parse(await readFile(p, 'utf8')) as { schema?: unknown };
      if (doc.schema === REPORT_SCHEMA) return p;
    } catch {
      // not a report: keep looking
    }
  }
  return undefined;
}

/** The audit as producer: `runAudit(claims, { db: db ?? <work>/case.db, outDir: <work>/out, formats: ['json'] })`. */
export function auditProducerWith(db: string | undefined): ReportProducer {
  return (claimsPath, workDir) => produceWithAudit(claimsPath, workDir, db);
}

/** Default producer: the audit into a scratch SQLite store. */
export const auditProducer: ReportProducer = (claimsPath, workDir) => produceWithAudit(claimsPath, workDir, undefined);

async function produceWithAudit(claimsPath: string, workDir: string, db: string | undefined): Promise<string> {
  const outDir = path.join(workDir, 'out');
  await mkdir(outDir, { recursive: true });
  await runAudit(claimsPath, { db: db ?? path.join(workDir, 'case.db'), outDir, formats: ['json'] });
  const found = await findJsonReport(outDir);
  if (found === undefined) throw new UsageError('regress_no_report', `the audit wrote no JSON report in ${outDir}`);
  return found;
}

async function readReport(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError('regress_missing_report', `${what} not found: ${file}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError('regress_bad_report', `${what} is not JSON: ${file}: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || !READABLE_SCHEMAS.includes((doc as { schema?: unknown }).schema)) {
    throw new UsageError('regress_bad_report', `${what} is not a ${REPORT_SCHEMA} report: ${file}`);
  }
  return doc;
}

/** Runs the audit and compares. Bad input throws: a missing claims file (`claims_unreadable`), a missing or
 *  unreadable expected report (`regress_missing_report`, `regress_bad_report`), and whatever the audit throws. */
export async function runRegress(claimsPath: string, opts: RegressOptions = {}): Promise<RegressResult> {
  const expectedDir = opts.expectedDir ?? path.join(path.dirname(claimsPath), 'expected');
  const expectedFile = path.join(expectedDir, EXPECTED_REPORT_FILE);
  if (!existsSync(claimsPath)) {
    throw new UsageError('claims_unreadable', `${claimsPath}: claims file not found`);
  }
  const work = await mkdtemp(path.join(tmpdir(), 'residency-regress-'));
  try {
    let expected: unknown;
    if (!existsSync(expectedFile) && opts.update) expected = undefined;
    else expected = await readReport(expectedFile, 'expected report');
    const freshFile = await (opts.produce ?? auditProducerWith(opts.db))(claimsPath, work);
    const fresh = await readReport(freshFile, 'fresh report');
    if (opts.saveReport !== undefined) {
      await mkdir(path.dirname(opts.saveReport), { recursive: true });
      await copyFile(freshFile, opts.saveReport);
    }
    if (expected === undefined) {
      await mkdir(expectedDir, { recursive: true });
      await writeFile(expectedFile, await readFile(freshFile));
      return { ok: true, exitCode: EXIT.OK, diffText: `regress: no expected report; wrote ${expectedFile}\n` };
    }
    const comparison = compareReports(expected, fresh);
    let diffText = formatDiff(comparison, expectedFile);
    const drift = comparison.differences.length > 0;
    if (opts.update && (drift || comparison.geoChanges.length > 0)) {
      await writeFile(expectedFile, await readFile(freshFile));
      diffText += `regress: --update: rewrote ${expectedFile}\n`;
      return { ok: true, exitCode: EXIT.OK, diffText, comparison };
    }
    return { ok: !drift, exitCode: drift ? EXIT.REFUTED : EXIT.OK, diffText, comparison };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
