// scripts/regress.sh keeps a dated JSON report per run, appends each run to the log and passes the exit code on.
// The CLI is replaced by a stub (RESIDENCY) so the wrapper is tested alone.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'residency-regress-sh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Stub CLI: writes a report where --save-report says, prints a line, exits with $STUB_EXIT.
const stub = path.join(dir, 'stub.mjs');
writeFileSync(
  stub,
  `import { writeFileSync } from 'node:fs';
const a = process.argv.slice(2);
const i = a.indexOf('--save-report');
writeFileSync(a[i + 1], JSON.stringify({ schema: 'residency.report/1', args: a }));
console.log('stub ' + a[0] + ' ' + a[1] + ' ' + a[3]);
process.exit(Number(process.env.STUB_EXIT));
`,
);

function run(code: number): { status: number | null; stdout: string } {
  const r = spawnSync('bash', [path.join(repo, 'scripts/regress.sh')], {
    env: { ...process.env, REGRESS_DIR: path.join(dir, 'runs'), RESIDENCY: `node ${stub}`, STUB_EXIT: String(code) },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout };
}

describe('scripts/regress.sh', () => {
  it('passes the exit code on, keeps a dated report per run and logs every run', () => {
    const ok = run(0);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('stub regress captures/claims.yaml captures/expected');
    const drift = run(3);
    expect(drift.status).toBe(3);
    const reports = readdirSync(path.join(dir, 'runs', 'reports'));
    expect(reports.length).toBeGreaterThanOrEqual(1);
    for (const f of reports) expect(f).toMatch(/^report-\d{4}-\d{2}-\d{2}T\d{6}Z\.json$/);
    const log = readFileSync(path.join(dir, 'runs', 'regress.log'), 'utf8');
    expect(log).toMatch(/exit 0 \(no drift\)/);
    expect(log).toMatch(/exit 3 \(DRIFT\)/);
    expect(log.match(/^=== /gm)?.length).toBe(2);
  });
});
