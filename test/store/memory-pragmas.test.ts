// SQLite's own memory is bounded from the memory budget (src/limits.ts, "the case store's own memory"): the
// pragmas a store is opened with, the compile-time cache of temporary b-trees the stated bound relies on, and a
// child process that sorts and de-duplicates a TEMP table several times larger than the bound without its RSS
// growing past it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MEMORY_BUDGET_DEFAULT_MB, SQLITE_EPHEMERAL_CACHE_KIB, storeMemory } from '../../src/limits.js';
import { openStore } from '../../src/store/db.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'store-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pragma(db: ReturnType<typeof openStore>['db'], name: string): number {
  return db.pragma(name, { simple: true }) as number;
}

describe('the case store sizes SQLite from the memory budget', () => {
  it('page caches of the store and its TEMP database, no mapping, no sorter threads', async () => {
    for (const budget of [MEMORY_BUDGET_DEFAULT_MB, 16, 256]) {
      const s = openStore(path.join(dir, `p${budget}.db`), budget);
      const kib = storeMemory(budget).cacheKib;
      expect([pragma(s.db, 'cache_size'), pragma(s.db, 'temp.cache_size')]).toEqual([-kib, -kib]);
      expect(pragma(s.db, 'mmap_size') ?? 0).toBe(0);
      expect(pragma(s.db, 'threads')).toBe(0);
      expect(pragma(s.db, 'temp_store')).toBe(1); // FILE: temporary tables and b-trees spill past their cache
      await s.close();
    }
    expect(storeMemory(16).cacheKib).toBe(8192);
    expect(storeMemory(256).cacheKib).toBe(131072);
  });

  it('the temporary b-tree cache the stated bound counts is this build of SQLite', async () => {
    const s = openStore(':memory:');
    const opts = (s.db.pragma('compile_options') as { compile_options: string }[]).map((o) => o.compile_options);
    expect(opts).toContain(`DEFAULT_CACHE_SIZE=-${SQLITE_EPHEMERAL_CACHE_KIB}`);
    expect(opts).toContain('DEFAULT_WORKER_THREADS=0');
    await s.close();
  });

  it('sorting 100 MB of TEMP rows at a 16 MiB budget keeps SQLite within 3 caches + 2 temporary b-trees', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'memory-child.ts'), dir, '16', '100'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`store memory child failed (${r.status}): ${r.stderr}`);
    const m = JSON.parse(r.stdout.trim()) as { rssStartMb: number; maxRssMb: number; rows: number };
    expect(m.rows).toBe(Math.floor(100e6 / 256));
    const boundMb = (3 * storeMemory(16).cacheKib + 2 * SQLITE_EPHEMERAL_CACHE_KIB) / 1024;
    // 24 MB for V8's young generation and the row strings the loops make. Measured: +40 MB for 50, 100 and 200 MB
    // of rows at this budget (flat); +227 MB for 100 MB at a 256 MiB budget (its caches are 128 MiB each).
    console.log(`store memory: RSS ${m.rssStartMb.toFixed(0)} MB at open, peak ${m.maxRssMb.toFixed(0)} MB; SQLite bound ${boundMb.toFixed(0)} MiB`);
    expect(m.maxRssMb - m.rssStartMb).toBeLessThan(boundMb + 24);
  }, 150_000);
});
