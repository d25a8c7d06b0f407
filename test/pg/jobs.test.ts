// `ingest --jobs N` into a PostgreSQL store: a capture split across worker threads (src/jobs/split.ts) stores
// exactly the rows a single-threaded ingest into SQLite stores (flows, DNS, names), on every sample capture; and
// `--jobs` given with `--distributed` is refused (the workers analyse; each takes its own `worker --jobs N`), and
// `worker --jobs N` runs N worker processes.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeWithJobs } from '../../src/jobs/analyze.js';
import { ingestCapture } from '../../src/store/ingest.js';
import { openCaseStore } from '../../src/store/open.js';
import type { CaseStore } from '../../src/store/store.js';
import { freshDatabase, PG_SKIP_MESSAGE, testPgUrl } from './server.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PG = await testPgUrl();
if (PG === undefined) console.warn(PG_SKIP_MESSAGE);

const samples = (): string[] => {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir).sort()) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng)$/.test(e)) out.push(p);
    }
  };
  walk(path.join(repo, 'captures'));
  return out;
};

/** Every stored row of a capture's flows, DNS messages and names, without the store's own ids. */
async function storedRows(store: CaseStore, captureId: number): Promise<Record<string, unknown[]>> {
  const strip = (rows: Record<string, unknown>[]): unknown[] =>
    rows.map((r) => {
      const { capture_id: _c, id: _i, geo_id: _g, ...rest } = r;
      return rest;
    });
  return {
    flows: strip(await store.all('SELECT * FROM flows WHERE capture_id = ? ORDER BY flow_id', [captureId])),
    dns: strip(await store.all('SELECT * FROM dns WHERE capture_id = ? ORDER BY 2, 3, 4', [captureId])),
    names: strip(await store.all('SELECT * FROM names WHERE capture_id = ? ORDER BY 2, 3, 4', [captureId])),
  };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'pg-jobs-'));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(PG === undefined)('--jobs N with a PostgreSQL store', () => {
  it('a capture split across 3 worker threads stores what a single-threaded SQLite ingest stores', async () => {
    const db = await freshDatabase(PG as string, 'jobs');
    drops.push(db.drop);
    const pgStore = await openCaseStore(db.url);
    const sqlite = await openCaseStore(path.join(tmp, 'one.db'));
    try {
      const files = samples();
      expect(files.length).toBeGreaterThanOrEqual(4);
      for (const f of files) {
        // minBytes 0: the samples are split although they are below SPLIT_MIN_BYTES.
        const split = await ingestCapture(pgStore, f, { analyze: (p, h, o) => analyzeWithJobs(p, h, o ?? {}, 3, 0) });
        const single = await ingestCapture(sqlite, f);
        expect(split.sha256).toBe(single.sha256);
        const a = await storedRows(pgStore, split.captureId);
        const b = await storedRows(sqlite, single.captureId);
        expect(a.flows.length, f).toBeGreaterThan(0);
        expect(a).toEqual(b);
      }
    } finally {
      await pgStore.close();
      await sqlite.close();
    }
  }, 120_000);

  it('refuses --jobs with --distributed, naming the worker option', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), 'ingest', path.join(repo, 'captures/vendor-alder/alder-phone.pcap'), '--db', PG as string, '--distributed', '--jobs', '2'],
      { cwd: repo, encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--jobs does not apply with --distributed.*residency worker --db URL --jobs N/);
  }, 60_000);

  it('worker --jobs 2 runs two worker processes (idle here: they stop after --idle-exit); --jobs 0 is refused', async () => {
    const db = await freshDatabase(PG as string, 'workerjobs');
    drops.push(db.drop);
    const worker = (jobs: string): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), 'worker', '--db', db.url, '--jobs', jobs, '--idle-exit', '1'], {
        cwd: repo,
        encoding: 'utf8',
      });
    const two = worker('2');
    expect(two.status, String(two.stderr)).toBe(0);
    const pids = new Set([...String(two.stderr).matchAll(/worker [^:\s]+:(\d+): taking jobs/g)].map((m) => m[1]));
    expect(pids.size).toBe(2);
    const zero = worker('0');
    expect(zero.status).toBe(2);
    expect(String(zero.stderr)).toMatch(/--jobs "0": expected a whole number from 1 to \d+/);
  }, 90_000);
});
