// The behaviour every CaseStore implementation owes the program (store.ts, src/store/README.md), as a test suite
// a second implementation runs too: `storeContract('postgres', () => openCaseStore(url))`. Not a test file itself.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestCapture } from '../../src/store/ingest.js';
import type { CaseStore } from '../../src/store/store.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { fakeAnalyze, hostileText } from './fake-capture.js';

export function storeContract(name: string, open: () => Promise<CaseStore>, captureFile: () => string): void {
  describe(`case store contract: ${name}`, () => {
    it('is migrated to the current schema version', async () => {
      const s = await open();
      try {
        expect(await s.schemaVersion()).toBe(SCHEMA_VERSION);
      } finally {
        await s.close();
      }
    });

    it('binds ? placeholders, returns numbers for counts and sums, and iterates rows in order', async () => {
      const s = await open();
      try {
        await s.session(async (q) => {
          await q.run('CREATE TEMP TABLE contract_t (k INTEGER PRIMARY KEY, name TEXT NOT NULL, bytes INTEGER NOT NULL)');
          await q.insertRows('contract_t', ['k', 'name', 'bytes'], [
            [1, "it's ? a name", 3_000_000_000],
            [2, 'b', 5],
            [3, 'c', 7],
          ]);
          await q.insertRows('contract_t', ['k', 'name', 'bytes'], [[2, 'dup', 0]], { ignoreConflicts: true });
          const agg = await q.get<{ n: number; total: number; least: number }>('SELECT COUNT(*) AS n, SUM(bytes) AS total, MIN(bytes) AS least FROM contract_t WHERE k >= ?', [1]);
          expect(agg).toEqual({ n: 3, total: 3_000_000_012, least: 5 });
          expect(await q.get('SELECT name FROM contract_t WHERE name = ?', ["it's ? a name"])).toEqual({ name: "it's ? a name" });
          expect(await q.get('SELECT name FROM contract_t WHERE k = ?', [99])).toBeUndefined();
          const seen: number[] = [];
          for await (const r of q.iterate<{ k: number }>('SELECT k FROM contract_t ORDER BY k DESC')) seen.push(r.k);
          expect(seen).toEqual([3, 2, 1]);
          // leaving an iteration early frees the session
          for await (const r of q.iterate<{ k: number }>('SELECT k FROM contract_t ORDER BY k')) if (r.k === 1) break;
          expect(await q.run('UPDATE contract_t SET bytes = bytes + ? WHERE k > ?', [1, 1])).toBe(2);
          await q.run('DROP TABLE contract_t');
        });
      } finally {
        await s.close();
      }
    });

    it('bulk-inserts hostile text (tabs, newlines, backslashes, NUL, quotes, \\N, any unicode), doubles and big integers exactly as given', async () => {
      const s = await open();
      try {
        await s.session(async (q) => {
          await q.run('CREATE TEMP TABLE contract_h (k INTEGER PRIMARY KEY, name TEXT, other TEXT NOT NULL, n INTEGER, r REAL)');
          let base = 0;
          await fc.assert(
            fc.asyncProperty(
              fc.array(fc.tuple(fc.option(hostileText(), { nil: null }), hostileText(), fc.option(fc.maxSafeInteger(), { nil: null }), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 30 }),
              async (rows) => {
                const given = rows.map(([name, other, n, r], i) => [base + i, name, other, n, Object.is(r, -0) ? 0 : r] as [number, string | null, string, number | null, number]);
                base += rows.length;
                await q.insertRows('contract_h', ['k', 'name', 'other', 'n', 'r'], given);
                const back = await q.all<{ k: number; name: string | null; other: string; n: number | null; r: number }>(
                  'SELECT k, name, other, n, r FROM contract_h WHERE k >= ? ORDER BY k',
                  [base - rows.length],
                );
                expect(back.map((b) => [b.k, b.name, b.other, b.n, b.r])).toEqual(given);
              },
            ),
            { numRuns: 40 },
          );
          await q.run('DROP TABLE contract_h');
        });
      } finally {
        await s.close();
      }
    });

    it('commits a transaction, rolls one back when it throws, and returns ids with RETURNING', async () => {
      const s = await open();
      try {
        const id = await s.transaction(async (tx) => {
          const r = await tx.get<{ id: number }>(
            `INSERT INTO audits (claims_path, claims_sha256, tool_version, options, generated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
            ['c.yaml', 'abc', 'v', '{}', 't'],
          );
          return r?.id;
        });
        expect(typeof id).toBe('number');
        await expect(
          s.transaction(async (tx) => {
            await tx.run(`INSERT INTO audits (claims_path, claims_sha256, tool_version, options, generated_at) VALUES (?, ?, ?, ?, ?)`, ['d.yaml', 'x', 'v', '{}', 't']);
            throw new Error('stop');
          }),
        ).rejects.toThrow('stop');
        expect(await s.all("SELECT claims_path FROM audits WHERE claims_path IN ('c.yaml', 'd.yaml') ORDER BY id")).toEqual([{ claims_path: 'c.yaml' }]);
      } finally {
        await s.close();
      }
    });

    it('ingests a capture once (idempotent by SHA-256) in one transaction', async () => {
      const s = await open();
      try {
        const file = captureFile();
        const a = await ingestCapture(s, file, { vendor: 'V', analyze: fakeAnalyze(40) });
        const b = await ingestCapture(s, file, { vendor: 'V', analyze: fakeAnalyze(40) });
        expect(b).toEqual({ ...a, skipped: true });
        expect(await s.get('SELECT COUNT(*) AS n FROM flows WHERE capture_id = ?', [a.captureId])).toEqual({ n: 40 });
        expect(await s.get('SELECT COUNT(*) AS n FROM names WHERE capture_id = ?', [a.captureId])).toEqual({ n: 80 });
      } finally {
        await s.close();
      }
    });
  });
}
