// Distributed ingest against a real PostgreSQL and real worker processes (no mocks of the database or the queue):
// three `residency worker` processes take the jobs of `audit --distributed`; the reports and the stored flows must
// equal those of the single-machine audit into SQLite, on the samples and on a generated 20-capture case during
// which one worker is killed with SIGKILL in the middle of a capture's transaction. A worker whose geolocation
// data differ from the coordinator's refuses the jobs, and the coordinator says why.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, PG_SKIP_MESSAGE, testPgUrl } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const CLI = ['--import', 'tsx', path.join(repo, 'src/cli/main.ts')];
const GEN = path.resolve(repo, '../shared/bench/gen-capture.py');
const HAVE_GEN = existsSync(GEN);

const PG = await testPgUrl();
if (PG === undefined) console.warn(PG_SKIP_MESSAGE);
if (!HAVE_GEN) console.warn('../shared/bench/gen-capture.py not found: the generated 20-capture case is skipped (the samples still run)');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [...CLI, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** python3 with these arguments, asynchronously (generations run side by side). */
function python(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn('python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Worker {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

const workers: Worker[] = [];

function startWorker(url: string, extra: string[] = []): Worker {
  const child = spawn(process.execPath, [...CLI, 'worker', '--db', url, ...extra], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  child.stdout?.resume();
  const w = { child, stderr: () => err, exited: new Promise<number | null>((r) => child.on('close', (code) => r(code))) };
  workers.push(w);
  return w;
}

async function stopWorkers(): Promise<void> {
  for (const w of workers.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await w.exited;
  }
}

/** report.json without the time it was written. */
function reportOf(dir: string): unknown {
  const doc = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as Record<string, unknown>;
  delete doc.generated_at;
  return doc;
}

/** Flows and bytes per stored capture, by SHA-256, from the SQLite store. */
function sqliteTotals(file: string): Record<string, unknown> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT c.sha256, COUNT(f.flow_id) AS flows, COALESCE(SUM(f.bytes_up), 0) AS up, COALESCE(SUM(f.bytes_down), 0) AS down FROM captures c LEFT JOIN flows f ON f.capture_id = c.id GROUP BY c.sha256 ORDER BY c.sha256')
      .all() as { sha256: string; flows: number; up: number; down: number }[];
    return Object.fromEntries(rows.map((r) => [r.sha256, { flows: r.flows, up: r.up, down: r.down }]));
  } finally {
    db.close();
  }
}

async function pgQuery<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

async function pgTotals(url: string): Promise<Record<string, unknown>> {
  const rows = await pgQuery<{ sha256: string; flows: string; up: string; down: string }>(
    url,
    'SELECT c.sha256, COUNT(f.flow_id) AS flows, COALESCE(SUM(f.bytes_up), 0) AS up, COALESCE(SUM(f.bytes_down), 0) AS down FROM captures c LEFT JOIN flows f ON f.capture_id = c.id GROUP BY c.sha256 ORDER BY c.sha256',
  );
  return Object.fromEntries(rows.map((r) => [r.sha256, { flows: Number(r.flows), up: Number(r.up), down: Number(r.down) }]));
}

const tmp = mkdtempSync(path.join(tmpdir(), 'distributed-'));
const dbs: { drop: () => Promise<void> }[] = [];
afterEach(stopWorkers);
afterAll(async () => {
  await stopWorkers();
  for (const d of dbs) await d.drop();
  rmSync(tmp, { recursive: true, force: true });
});

async function newDb(label: string): Promise<string> {
  const d = await freshDatabase(PG as string, label);
  dbs.push(d);
  return d.url;
}

/** The single-machine run: audit into a SQLite store. */
async function localAudit(claims: string, name: string): Promise<{ run: Run; out: string; db: string }> {
  const out = path.join(tmp, `${name}-local`);
  const db = path.join(tmp, `${name}-local.db`);
  const run = await cli(['audit', claims, '--db', db, '--out', out, '--format', 'json']);
  return { run, out, db };
}

describe.skipIf(PG === undefined)('distributed ingest (PostgreSQL, pg-boss, worker processes)', () => {
  it('3 workers: the samples audit gives the single-machine report and flow totals', async () => {
    const url = await newDb('samples');
    for (let i = 0; i < 3; i++) startWorker(url);
    const claims = path.join(repo, 'captures/claims.yaml');
    const out = path.join(tmp, 'samples-dist');
    // The single-machine audit runs meanwhile (its own SQLite store and folder): it uses the cores the distributed
    // run leaves idle while it polls.
    const [dist, local] = await Promise.all([cli(['audit', claims, '--db', url, '--distributed', '--out', out, '--format', 'json']), localAudit(claims, 'samples')]);
    expect(dist.stderr).toMatch(/queued 4 captures for the workers/);
    expect(dist.stderr).toMatch(/distributed ingest: 4\/4 captures done/);
    expect(dist.code).toBe(local.run.code);
    expect(dist.stdout.replace(/^reports: .*$/m, '')).toBe(local.run.stdout.replace(/^reports: .*$/m, ''));
    expect(reportOf(out)).toEqual(reportOf(local.out));
    expect(await pgTotals(url)).toEqual(sqliteTotals(local.db));
    // More than one worker took jobs (each logs what it stored).
    const busy = workers.filter((w) => /stored \//.test(w.stderr())).length;
    expect(busy).toBeGreaterThanOrEqual(1);
    // Side by side, each only reading the store: a second distributed audit finds everything stored (no job, same
    // report); `report` from the PostgreSQL store gives the same report again; the scheduled regression over this
    // store shows no drift from the expected sample report.
    const [again, rep, regress] = await Promise.all([
      cli(['audit', claims, '--db', url, '--distributed', '--out', `${out}-2`, '--format', 'json']),
      cli(['report', '--db', url, '--claims', claims, '--out', `${out}-report`, '--format', 'json']),
      cli(['regress', claims, '--db', url]),
    ]);
    expect(again.stderr).not.toMatch(/queued/);
    expect(again.stderr).toMatch(/already stored: vendor-alder\/alder-phone.pcap/);
    expect(reportOf(`${out}-2`)).toEqual(reportOf(local.out));
    expect(rep.code).toBe(local.run.code);
    expect(reportOf(`${out}-report`)).toEqual(reportOf(local.out));
    expect(regress.stdout + regress.stderr).toMatch(/no drift/);
    expect(regress.code).toBe(0);
  }, 240_000);

  it.skipIf(!HAVE_GEN)('a 20-capture generated case with a worker killed (SIGKILL) mid-capture: retried elsewhere, nothing stored twice or lost', async () => {
    const url = await newDb('generated');
    // The workers start first: they load while the captures are generated, and wait for jobs.
    const ws = [startWorker(url), startWorker(url), startWorker(url)];
    const dir = path.join(tmp, 'gen');
    mkdirSync(path.join(dir, 'a'), { recursive: true });
    mkdirSync(path.join(dir, 'b'), { recursive: true });
    // 19 small captures (one Python process, not 19: its start costs more than a 0.1 MB capture) and, beside them,
    // one big one (DNS/ACK heavy: ~2,500 flows in 12 MB) whose transaction lasts long enough to be seen and killed.
    const big = path.join(dir, 'a', 'big.pcap');
    const small = Array.from({ length: 19 }, (_, k) => ['--mb', '0.1', '--seed', String(k + 1), '--handsets', '1', '-o', path.join(dir, (k + 1) % 2 === 0 ? 'a' : 'b', `s${k + 1}.pcap`)]);
    const generated = await Promise.all([
      python(['-c', 'import json, runpy, sys\ng = runpy.run_path(sys.argv[1])\nfor a in json.loads(sys.argv[2]):\n    sys.argv = ["gen-capture.py", *a]\n    g["main"]()', GEN, JSON.stringify(small)]),
      python([GEN, '--mb', '12', '--seed', '77', '--small-packets', '--handsets', '1', '-o', big]),
    ]);
    for (const g of generated) expect(g.code, g.stderr).toBe(0);
    writeFileSync(
      path.join(dir, 'claims.yaml'),
      [
        'vantage: { name: lab, lat: 28.6139, lon: 77.209, country: IN }',
        'vendors:',
        '  - name: Gen A',
        '    captures: ["a/*.pcap"]',
        '    first_party: ["googleapis.com", "google.com", "gstatic.com"]',
        '    claims:',
        '      - { id: a-us, text: "Data stays in the US", scope: first-party, country: US }',
        '  - name: Gen B',
        '    captures: ["b/*.pcap"]',
        '    first_party: ["facebook.com", "fbcdn.net", "amazonaws.com"]',
        '    claims:',
        '      - { id: b-aws, text: "Data is on AWS", scope: all, provider: aws }',
        '',
      ].join('\n'),
    );
    const claims = path.join(dir, 'claims.yaml');
    const out = path.join(tmp, 'gen-dist');
    const audit = cli(['audit', claims, '--db', url, '--distributed', '--out', out, '--format', 'json']);
    // The single-machine audit runs meanwhile (its own SQLite store): it also stretches the big capture's transaction.
    const localRun = localAudit(claims, 'gen');

    // Wait for the worker that took the big capture to be inside its transaction with rows written, then kill it.
    const deadline = Date.now() + 120_000;
    let victim: Worker | undefined;
    const watch = new pg.Client({ connectionString: url });
    await watch.connect();
    try {
      while (victim === undefined && Date.now() < deadline) {
        const holder = ws.find((w) => w.stderr().includes(`ingesting ${big}`) && !w.stderr().includes(`stored ${big}`));
        if (holder !== undefined) {
          const rows = await watch.query<{ n: string }>(
            'SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND backend_xid IS NOT NULL',
            [`residency ${hostname()}:${holder.child.pid}`],
          );
          if (Number(rows.rows[0].n) > 0) victim = holder;
        }
        if (victim === undefined) await new Promise((res) => setTimeout(res, 20));
      }
    } finally {
      await watch.end();
    }
    expect(victim, 'a worker was seen writing the big capture').toBeDefined();
    (victim as Worker).child.kill('SIGKILL');
    await (victim as Worker).exited;

    const dist = await audit;
    expect(dist.stderr).toMatch(/a worker died while ingesting .*big\.pcap: the job goes to another worker/);
    expect(dist.stderr).toMatch(/distributed ingest: 20\/20 captures done/);
    // Another worker stored it.
    expect(ws.filter((w) => w !== victim).some((w) => w.stderr().includes(`stored ${big}`))).toBe(true);

    const local = await localRun;
    expect(local.run.stderr).not.toMatch(/skipped/);
    expect(dist.code).toBe(local.run.code);
    expect(reportOf(out)).toEqual(reportOf(local.out));
    const totals = await pgTotals(url);
    expect(Object.keys(totals)).toHaveLength(20);
    expect(totals).toEqual(sqliteTotals(local.db));
    expect((await pgQuery<{ n: string }>(url, 'SELECT COUNT(*) AS n FROM captures'))[0].n).toBe('20');
  }, 240_000);

  it('a worker with other geolocation data refuses the jobs; the coordinator names the difference and stores nothing', async () => {
    const url = await newDb('geo');
    const geoDir = path.join(tmp, 'other-geo');
    mkdirSync(geoDir, { recursive: true });
    // A provider range file only this worker has (documentation prefix: changes no answer, only the data's identity).
    writeFileSync(
      path.join(geoDir, 'ip-ranges.json'),
      JSON.stringify({ syncToken: '1', createDate: '2026-01-01-00-00-00', prefixes: [{ ip_prefix: '198.51.100.0/24', region: 'us-east-1', service: 'EC2' }], ipv6_prefixes: [] }),
    );
    const w = startWorker(url, ['--geo-dir', geoDir]);
    const capture = path.join(repo, 'captures/vendor-alder/alder-phone.pcap');
    const run = await cli(['ingest', capture, '--db', url, '--distributed']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/distributed_jobs_failed|could not be stored by the workers/);
    expect(run.stderr).toMatch(/geolocation data differ from the coordinator's \([^:]+: the job was made with none, this worker has sha256 [0-9a-f]{12}/);
    expect(w.stderr()).toMatch(/refused .*alder-phone\.pcap: geolocation data differ/);
    expect((await pgQuery<{ n: string }>(url, 'SELECT COUNT(*) AS n FROM captures'))[0].n).toBe('0');
  }, 120_000);

  it('refuses --distributed without a PostgreSQL store, and a worker on a SQLite file', async () => {
    const a = await cli(['audit', path.join(repo, 'captures/claims.yaml'), '--db', path.join(tmp, 'x.db'), '--distributed', '--no-reports']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--distributed needs a PostgreSQL case store/);
    const w = await cli(['worker', '--db', path.join(tmp, 'x.db')]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--db must be a PostgreSQL URL/);
  }, 60_000);
});
