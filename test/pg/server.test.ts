// The PostgreSQL server the store and distributed tests use is there (CI must have one) and new enough.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { IN_CI, PG_SKIP_MESSAGE, testPgUrl } from './server.js';

const PG = await testPgUrl();
if (PG === undefined) console.warn(PG_SKIP_MESSAGE);

describe('test PostgreSQL server', () => {
  it.runIf(IN_CI)('is given in CI (RESIDENCY_TEST_PG, set by .ci/run)', () => {
    expect(PG, 'CI must run the PostgreSQL tests: .ci/run starts a server and sets RESIDENCY_TEST_PG').toBeDefined();
  });

  it.skipIf(PG === undefined)('answers, at version 13 or later (pg-boss 10 needs gen_random_uuid)', async () => {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    try {
      const r = await c.query<{ v: string; u: string }>("SELECT current_setting('server_version_num') AS v, CAST(gen_random_uuid() AS TEXT) AS u");
      expect(Number(r.rows[0].v)).toBeGreaterThanOrEqual(130000);
      expect(r.rows[0].u).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await c.end();
    }
  });
});
