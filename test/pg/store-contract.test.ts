// The case store contract (test/store/contract.ts) on PostgreSQL, plus what only PostgreSQL needs: text with NUL
// characters, the translated schema's types, concurrent ingests of one capture, faults as typed errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyzeFn, ingestCapture } from '../../src/store/ingest.js';
import { openCaseStore } from '../../src/store/open.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { storeContract } from '../store/contract.js';
import type { CaptureSummary } from '../../src/types.js';
import type { CaseStore } from '../../src/store/store.js';
import { buildDns, buildFlow, fakeAnalyze, HOSTILE_NAMES, hostileText } from '../store/fake-capture.js';
import { freshDatabase, PG_SKIP_MESSAGE, testPgUrl } from './server.js';

const PG = await testPgUrl();
if (PG === undefined) console.warn(PG_SKIP_MESSAGE);

const dir = mkdtempSync(path.join(tmpdir(), 'pg-contract-'));
let n = 0;
const captureFile = (): string => {
  const f = path.join(dir, `c${n++}.pcap`);
  writeFileSync(f, `capture ${n} ${process.pid} ${Date.now()}`);
  return f;
};

let db: { url: string; drop: () => Promise<void> } | undefined;
if (PG !== undefined) {
  db = await freshDatabase(PG, 'contract');
  afterAll(async () => db?.drop());
  const url = db.url;
  storeContract('postgres', () => openCaseStore(url), captureFile);
}

describe.skipIf(PG === undefined)('PostgreSQL store specifics', () => {
  let url = '';
  beforeAll(() => {
    url = db?.url ?? '';
  });

  it('keeps names with NUL and other control characters exactly, and compares them byte by byte', async () => {
    const s = await openCaseStore(url);
    try {
      await s.session(async (q) => {
        await q.run('CREATE TEMP TABLE hostile (k INTEGER PRIMARY KEY, name TEXT NOT NULL)');
        const names = [...HOSTILE_NAMES, '\uE000', '\uE0000', 'x\u0000\uE000\u0000', 'B', 'a', 'Z', 'é'];
        await q.insertRows('hostile', ['k', 'name'], names.map((x, i) => [i, x]));
        await q.run('INSERT INTO hostile (k, name) VALUES (?, ?)', [1000, 'nul\u0000single']);
        const back = await q.all<{ k: number; name: string }>('SELECT k, name FROM hostile ORDER BY k');
        expect(back.map((r) => r.name)).toEqual([...names, 'nul\u0000single']);
        expect(await q.get('SELECT k FROM hostile WHERE name = ?', ['x\u0000\uE000\u0000'])).toEqual({ k: names.indexOf('x\u0000\uE000\u0000') });
        // Byte order, as SQLite's BINARY collation: capitals before small letters, é after z.
        const ordered = await q.all<{ name: string }>("SELECT name FROM hostile WHERE name IN ('B', 'a', 'Z', 'é') ORDER BY name");
        expect(ordered.map((r) => r.name)).toEqual(['B', 'Z', 'a', 'é']);
        const it: string[] = [];
        for await (const r of q.iterate<{ name: string }>('SELECT name FROM hostile WHERE k = ?', [3])) it.push(r.name);
        expect(it).toEqual([names[3]]);
      });
    } finally {
      await s.close();
    }
  });

  it('stores the flows, names and DNS rows of a capture with hostile names (COPY) as SQLite stores them', async () => {
    const lite = await openCaseStore(path.join(dir, 'compare.db'));
    const pgs = await openCaseStore(url);
    // Every column of the three tables, minus the store's own ids.
    const flowsSql = 'SELECT * FROM flows WHERE capture_id = ? ORDER BY flow_id';
    const namesSql = 'SELECT flow_id, source, name FROM names WHERE capture_id = ? ORDER BY flow_id, source';
    const dnsSql = 'SELECT * FROM dns WHERE capture_id = ? ORDER BY seq';
    const rowsOf = async (s: CaseStore, id: number) => {
      const strip = (r: Record<string, unknown>) => {
        const { capture_id: _c, ...rest } = r;
        return rest;
      };
      const names = (await s.all<{ flow_id: number; source: string; name: string }>(namesSql, [id]))
        // Within one flow and source, by code unit (the store's byte order differs for NUL: it is stored escaped).
        .sort((a, b) => a.flow_id - b.flow_id || (a.source < b.source ? -1 : a.source > b.source ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return {
        flows: (await s.all<Record<string, unknown>>(flowsSql, [id])).map(strip),
        names,
        dns: (await s.all<Record<string, unknown>>(dnsSql, [id])).map(strip),
      };
    };
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(hostileText(), { minLength: 1, maxLength: 25 }), async (texts) => {
          const pick = (i: number) => texts[i % texts.length];
          const analyze: AnalyzeFn = async (file, handlers) => {
            const n = texts.length;
            for (let i = 0; i < n; i++) {
              const d = buildDns(i, pick(i + 1));
              d.answers = [{ name: pick(i + 2), type: 'CNAME', data: pick(i + 3), ttl: 60 }];
              handlers.dns?.(d);
              handlers.flow?.(
                buildFlow(i, { sni: pick(i), hostname: pick(i), http_host: pick(i + 1), dns_qname: pick(i + 2), cname_chain: [pick(i + 3), pick(i + 4)], app: pick(i + 5), first_seen: 1700000000.000001 * (1 + i / 7) }),
              );
            }
            const sum: CaptureSummary = {
              file, size_bytes: 0, format: 'pcap', gzip: false, link_types: [1], packets: n, bytes_captured: n, first_ts: 1700000000,
              last_ts: 1700000000 + n, flows: n, dns_messages: n, counters: {}, anomalies: {}, warnings: [], truncated: false,
            };
            return sum;
          };
          const file = captureFile();
          const a = await ingestCapture(lite, file, { analyze });
          const b = await ingestCapture(pgs, file, { analyze });
          const want = await rowsOf(lite, a.captureId);
          expect(want.flows).toHaveLength(texts.length);
          expect(await rowsOf(pgs, b.captureId)).toEqual(want);
        }),
        { numRuns: 25 },
      );
    } finally {
      await lite.close();
      await pgs.close();
    }
  });

  it('a row that cannot be stored fails the COPY and the whole transaction, leaving nothing', async () => {
    const s = await openCaseStore(url);
    try {
      const file = captureFile();
      // Flow 3 comes twice: the flows key refuses it inside the COPY of the first batch.
      const err = await ingestCapture(s, file, { analyze: fakeAnalyze(5, { flows: (i) => buildFlow(i === 4 ? 3 : i, { sni: 'a\tb\\c\n' }) }) }).catch((e: unknown) => e);
      expect(String((err as Error).message)).toMatch(/duplicate key/);
      expect(await s.get('SELECT COUNT(*) AS n FROM captures WHERE path = ?', [path.resolve(file)])).toEqual({ n: 0 });
      // The pooled connection is usable again.
      expect(await s.get('SELECT 1 AS one')).toEqual({ one: 1 });
    } finally {
      await s.close();
    }
  });

  it('binds numbers as numbers where nothing else gives them a type (SELECT list, INSERT ... SELECT)', async () => {
    const s = await openCaseStore(url);
    try {
      expect(await s.get('SELECT ? AS i, ? AS f, ? AS t, ? + 1 AS j', [7, 2.5, 'x', 3_000_000_000])).toEqual({ i: 7, f: 2.5, t: 'x', j: 3_000_000_001 });
      await s.session(async (q) => {
        await q.run('CREATE TEMP TABLE typed (k INTEGER NOT NULL, v INTEGER NOT NULL, r REAL)');
        await q.run('INSERT INTO typed (k, v, r) SELECT ?, ? + 1, ? FROM (SELECT 1 AS one) x', [1, 41, 1700000000]);
        expect(await q.get('SELECT k, v, r FROM typed')).toEqual({ k: 1, v: 42, r: 1700000000 });
      });
    } finally {
      await s.close();
    }
  });

  it('stores epoch seconds and byte counts at full precision (DOUBLE PRECISION, BIGINT)', async () => {
    const s = await openCaseStore(url);
    try {
      const file = captureFile();
      const r = await ingestCapture(s, file, { analyze: fakeAnalyze(3) });
      const row = await s.get<{ first_seen: number; bytes: number }>('SELECT first_seen, bytes_up + 4000000000 AS bytes FROM flows WHERE capture_id = ? AND flow_id = 1', [r.captureId]);
      const all = await s.get<{ first_seen: number; bytes_up: number }>('SELECT first_seen, bytes_up FROM flows WHERE capture_id = ? AND flow_id = 1', [r.captureId]);
      expect(row?.bytes).toBe((all?.bytes_up ?? 0) + 4_000_000_000);
      await s.run('UPDATE flows SET first_seen = ? WHERE capture_id = ? AND flow_id = 1', [1700000000.123456, r.captureId]);
      expect(await s.get('SELECT first_seen FROM flows WHERE capture_id = ? AND flow_id = 1', [r.captureId])).toEqual({ first_seen: 1700000000.123456 });
    } finally {
      await s.close();
    }
  });

  it('stores a capture ingested by two processes at once exactly once', async () => {
    const a = await openCaseStore(url);
    const b = await openCaseStore(url);
    try {
      const file = captureFile();
      // The first holds its transaction open while the second starts: the second waits on the sha256 key, then skips.
      const slow = fakeAnalyze(3000, { onEmitted: () => undefined });
      const [ra, rb] = await Promise.all([ingestCapture(a, file, { analyze: slow }), ingestCapture(b, file, { analyze: fakeAnalyze(3000) })]);
      expect([ra.skipped, rb.skipped].sort()).toEqual([false, true]);
      expect(ra.captureId).toBe(rb.captureId);
      expect(await a.get('SELECT COUNT(*) AS n FROM captures WHERE sha256 = ?', [ra.sha256])).toEqual({ n: 1 });
      expect(await a.get('SELECT COUNT(*) AS n FROM flows WHERE capture_id = ?', [ra.captureId])).toEqual({ n: 3000 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('names an unreachable server or a missing database with a typed error, without the password', async () => {
    const u = new URL(url);
    u.password = 'secret-pw';
    u.pathname = '/no_such_database_here';
    const err = await PostgresStore.open(u.toString()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'StoreError', code: 'store_unopenable' });
    expect(String((err as Error).message)).not.toContain('secret-pw');
    const closed = new URL(url);
    closed.port = '1';
    await expect(PostgresStore.open(closed.toString())).rejects.toMatchObject({ code: 'store_unopenable' });
  });

  it('refuses a store migrated by a newer residency', async () => {
    const other = await freshDatabase(PG as string, 'newer');
    try {
      const s = await openCaseStore(other.url);
      await s.run('UPDATE residency_schema SET version = version + 1');
      await s.close();
      await expect(openCaseStore(other.url)).rejects.toMatchObject({ code: 'store_too_new' });
    } finally {
      await other.drop();
    }
  });
});
