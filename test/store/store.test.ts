import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore, schemaVersion } from '../../src/store/db.js';
import { ingestCapture } from '../../src/store/ingest.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { buildFlow, fakeAnalyze, HOSTILE_NAMES } from './fake-capture.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

function tmpCapture(content: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'store-'));
  const file = path.join(dir, 'a.pcap');
  writeFileSync(file, content);
  return { dir, file };
}

function counts(db: ReturnType<typeof openStore>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['captures', 'flows', 'dns', 'names']) out[t] = (db.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  return out;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('case store', () => {
  it('creates the schema at the current version with WAL and foreign keys', () => {
    const { dir } = tmpCapture('x');
    const db = openStore(path.join(dir, 'case.db'));
    expect(schemaVersion(db.db)).toBe(SCHEMA_VERSION);
    expect(db.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    const again = openStore(path.join(dir, 'case.db'));
    expect(schemaVersion(again.db)).toBe(SCHEMA_VERSION);
    again.close();
  });

  it('refuses a store from a newer schema', () => {
    const { dir } = tmpCapture('x');
    const db = openStore(path.join(dir, 'case.db'));
    db.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openStore(path.join(dir, 'case.db'))).toThrow(expect.objectContaining({ code: 'store_too_new' }));
  });

  it('ingests once: the same capture twice is skipped, not duplicated', async () => {
    const { file } = tmpCapture('capture bytes 1');
    const db = openStore(':memory:');
    const a = await ingestCapture(db, file, { vendor: 'V', analyze: fakeAnalyze(50) });
    expect(a.skipped).toBe(false);
    const first = counts(db);
    expect(first).toEqual({ captures: 1, flows: 50, dns: 50, names: 100 });
    const b = await ingestCapture(db, file, { vendor: 'Other', analyze: fakeAnalyze(50) });
    expect(b).toEqual({ captureId: a.captureId, sha256: a.sha256, skipped: true });
    expect(counts(db)).toEqual(first);
    const cap = db.db.prepare('SELECT vendor, packets, link_types, flow_count, sha256, path FROM captures').get();
    expect(cap).toEqual({ vendor: 'V', packets: 250, link_types: '[1]', flow_count: 50, sha256: a.sha256, path: file });
  });

  it('rolls back a capture whose analysis fails part-way', async () => {
    const { file } = tmpCapture('capture bytes 2');
    const db = openStore(':memory:');
    const failing = fakeAnalyze(3000, { onEmitted: (k) => { if (k === 2500) throw new Error('boom'); } });
    await expect(ingestCapture(db, file, { analyze: failing })).rejects.toThrow('boom');
    expect(counts(db)).toEqual({ captures: 0, flows: 0, dns: 0, names: 0 });
    expect(db.db.inTransaction).toBe(false);
  });

  it('rolls back when a row cannot be stored, even if the analysis would carry on', async () => {
    const { file } = tmpCapture('capture bytes 4');
    const db = openStore(':memory:');
    const dup = fakeAnalyze(1500, { flows: (i) => buildFlow(i === 1200 ? 3 : i) });
    await expect(ingestCapture(db, file, { analyze: dup })).rejects.toThrow(/UNIQUE|PRIMARY/);
    expect(counts(db)).toEqual({ captures: 0, flows: 0, dns: 0, names: 0 });
  });

  it('stores attacker-controlled names verbatim (bound parameters, no SQL injection)', async () => {
    const { file } = tmpCapture('capture bytes 3');
    const db = openStore(':memory:');
    const analyze = fakeAnalyze(HOSTILE_NAMES.length, {
      flows: (i) => buildFlow(i, { sni: HOSTILE_NAMES[i], hostname: HOSTILE_NAMES[i], cname_chain: [HOSTILE_NAMES[i], 'x.example'], app: HOSTILE_NAMES[i] }),
    });
    await ingestCapture(db, file, { vendor: "Vendor'; DROP TABLE captures;--", analyze });
    const rows = db.db.prepare('SELECT sni, hostname, cname_chain, app FROM flows ORDER BY flow_id').all() as { sni: string; hostname: string; cname_chain: string; app: string }[];
    expect(rows.map((r) => r.sni)).toEqual(HOSTILE_NAMES);
    expect(rows.map((r) => r.app)).toEqual(HOSTILE_NAMES);
    expect(rows.map((r) => JSON.parse(r.cname_chain)[0])).toEqual(HOSTILE_NAMES);
    expect((db.db.prepare('SELECT vendor FROM captures').get() as { vendor: string }).vendor).toBe("Vendor'; DROP TABLE captures;--");
    const names = db.db.prepare("SELECT name FROM names WHERE source = 'sni' ORDER BY flow_id").all() as { name: string }[];
    expect(names.map((n) => n.name)).toEqual(HOSTILE_NAMES);
    expect(counts(db).captures).toBe(1);
  });

  it('leaves no half capture when the ingesting process is SIGKILLed, and a re-run gives the clean result', async () => {
    const { dir, file } = tmpCapture('capture bytes for the crash test');
    const dbPath = path.join(dir, 'case.db');
    openStore(dbPath).close();
    const child = spawn('npx', ['tsx', path.join(here, 'crash-child.ts'), dbPath, file, '100000'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? -9 : _code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('FLUSHED')) {
          // npx -> tsx -> node: SIGKILL the whole process group we created (detached), so the node process that
          // holds the open transaction dies without any chance to clean up.
          process.kill(-(child.pid as number), 'SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => (out.includes('FLUSHED') ? resolve() : reject(new Error(`child exited early: ${out} ${err}`))));
    });
    await exit;
    expect(out).not.toContain('DONE');
    // the group leader's exit does not wait for the grandchild: wait until the lock is free (no timing asserted)
    for (let i = 0; i < 200 && groupAlive(child.pid as number); i++) await new Promise((r) => setTimeout(r, 50));
    expect(groupAlive(child.pid as number)).toBe(false);

    const db = openStore(dbPath);
    expect(counts(db)).toEqual({ captures: 0, flows: 0, dns: 0, names: 0 });
    const r = await ingestCapture(db, file, { vendor: 'Vendor A', analyze: fakeAnalyze(3000) });
    expect(r.skipped).toBe(false);
    const after = counts(db);
    db.close();

    const clean = openStore(':memory:');
    await ingestCapture(clean, file, { vendor: 'Vendor A', analyze: fakeAnalyze(3000) });
    expect(after).toEqual(counts(clean));
    expect(after.captures).toBe(1);
  }, 60_000);
});
