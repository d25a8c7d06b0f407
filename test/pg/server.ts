// The PostgreSQL server tests run against: RESIDENCY_TEST_PG (a connection URL; .ci/run starts one), else the
// throwaway server test/pg/global-setup.ts starts for this run. Tests that need it run when it is there; outside
// CI they skip with PG_SKIP_MESSAGE when it is not. In CI (CI set) its absence is a failure (pgRequiredInCi).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

export const PG_SKIP_MESSAGE =
  'no PostgreSQL: set RESIDENCY_TEST_PG=postgres://user@host:port/db, or install Debian\'s postgresql so the test run starts a throwaway server; PostgreSQL tests skipped';

async function waitForThrowaway(dir: string): Promise<string | undefined> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (existsSync(path.join(dir, 'url'))) return readFileSync(path.join(dir, 'url'), 'utf8').trim();
    if (existsSync(path.join(dir, 'failed'))) {
      console.warn(`throwaway PostgreSQL did not start: ${readFileSync(path.join(dir, 'failed'), 'utf8')}`);
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/** The server's URL, or undefined when there is none. */
export async function testPgUrl(): Promise<string | undefined> {
  if (process.env.RESIDENCY_TEST_PG) return process.env.RESIDENCY_TEST_PG;
  const dir = inject('residencyPgDir');
  if (dir) return waitForThrowaway(dir);
  return undefined;
}

/** True in CI, where a missing server must fail the run instead of skipping tests. */
export const IN_CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== '0' && process.env.CI !== 'false';

let counter = 0;

/**
 * A fresh, empty database on the test server for one test (CREATE DATABASE), so test files running at the same
 * time never see each other's tables; returns its URL. Dropped by the returned function.
 */
export async function freshDatabase(serverUrl: string, label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${process.pid}_${++counter}_${Date.now() % 1e6}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
