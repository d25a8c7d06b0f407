// Store faults end cleanly, with real processes: two ingests of one capture into one store at once (one stores
// it, the other finds it stored), a second writer during a long ingest (it waits and says so), a full disk (a
// 2 MB tmpfs), a read-only store; each an exit code and a message naming the cause, no internal error, no -wal,
// -shm or -journal file left behind.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { manyFlowsCapture } from '../cli/fault-capture.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const CLI = ['--import', 'tsx', path.join(repo, 'src/cli/main.ts')];
const dir = mkdtempSync(path.join(tmpdir(), 'store-faults-'));

interface Ran {
  code: number | null;
  out: string;
  err: string;
}

function cli(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

function capturesIn(db: string): { n: number; flows: number } {
  const s = openStore(db);
  try {
    const n = (s.db.prepare('SELECT count(*) AS n FROM captures').get() as { n: number }).n;
    const flows = (s.db.prepare('SELECT count(*) AS n FROM flows').get() as { n: number }).n;
    return { n, flows };
  } finally {
    s.close();
  }
}

/** SQLite's side files: none may stay once every process is done. */
function sideFiles(folder: string): string[] {
  return readdirSync(folder).filter((f) => /-(wal|shm|journal)$/.test(f));
}

const big = path.join(dir, 'big.pcap');
writeFileSync(big, manyFlowsCapture(6000));
const other = path.join(dir, 'other.pcap');
writeFileSync(other, manyFlowsCapture(500, 10_000));

describe('concurrent writers to one store', () => {
  it('two ingests of the same capture into a new store at once: one stores it, the other finds it stored', async () => {
    const db = path.join(dir, 'same.db');
    const [a, b] = await Promise.all([cli(['ingest', big, '--db', db]), cli(['ingest', big, '--db', db])]);
    expect(a.err + b.err).not.toMatch(/internal error|UNIQUE|locked/);
    expect([a.code, b.code]).toEqual([0, 0]);
    const firsts = [a.out, b.out].map((o) => o.split('\t')[0]).sort();
    expect(firsts).toEqual(['already stored', 'ingested']);
    expect(capturesIn(db)).toEqual({ n: 1, flows: 6000 });
    expect(sideFiles(dir).filter((f) => f.startsWith('same.db'))).toEqual([]);
  }, 120_000);

  it('a second writer during a long ingest waits for it, says so, and both captures are stored', async () => {
    const db = path.join(dir, 'long.db');
    openStore(db).close();
    const slow = path.join(dir, 'slow.pcap');
    writeFileSync(slow, 'bytes of the slow capture (the fake analyzer does not read them)');
    const release = path.join(dir, 'release');
    const child = spawn('npx', ['tsx', path.join(here, 'slow-ingest-child.ts'), db, slow, '3000', release], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('WRITING')) resolve();
      });
      child.on('exit', () => (out.includes('WRITING') ? resolve() : reject(new Error(`child ended early: ${out}`))));
    });
    // The second writer starts while the first holds the write lock; the first is released once the second waits.
    const second = new Promise<Ran>((resolve) => {
      const c = spawn(process.execPath, [...CLI, 'ingest', other, '--db', db], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
      let o = '';
      let e = '';
      c.stdout.setEncoding('utf8').on('data', (t: string) => (o += t));
      c.stderr.setEncoding('utf8').on('data', (t: string) => {
        e += t;
        if (e.includes('waiting')) writeFileSync(release, '');
      });
      c.on('exit', (code) => resolve({ code, out: o, err: e }));
    });
    // Should the second writer never wait (the assertions below then fail), the first still ends.
    setTimeout(() => writeFileSync(release, ''), 30_000).unref();
    const secondDone = await second;
    expect(await done).toBe(0);
    expect(secondDone.code).toBe(0);
    expect(secondDone.err).toContain('another process is writing the store; waiting');
    expect(secondDone.out).toMatch(/^ingested\t/);
    expect(capturesIn(db)).toEqual({ n: 2, flows: 3000 + 500 });
  }, 120_000);
});

// ------------------------------------------------------------------ full disk, read-only store

const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];

/** A fresh tmpfs of `size` at a new folder, or undefined when this process may not mount (then the test says so). */
function tmpfs(size: string): string | undefined {
  const at = mkdtempSync(path.join(tmpdir(), 'store-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  mounts.push(at);
  return at;
}

afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
});

const canMount = ((): boolean => {
  const probe = tmpfs('64k');
  return probe !== undefined;
})();
const NO_MOUNT = 'mount is not permitted here (needs root): the full-disk test needs a 2 MB tmpfs';

describe('a full disk', () => {
  it.skipIf(!canMount)(canMount ? 'an ingest that fills a 2 MB tmpfs: exit 2 store_full, the store unchanged, no side files' : NO_MOUNT, async () => {
    const at = tmpfs('2m') as string;
    const db = path.join(at, 'case.db');
    const many = path.join(dir, 'many.pcap');
    writeFileSync(many, manyFlowsCapture(30_000));
    const r = await cli(['ingest', many, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/case\.db: the disk is full .*\[store_full\]/);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    expect(sideFiles(at)).toEqual([]);
    expect(capturesIn(db)).toEqual({ n: 0, flows: 0 });
  }, 120_000);

  it.skipIf(!canMount)(canMount ? 'less than 1 MiB free: refused before any file is made' : NO_MOUNT, async () => {
    const at = tmpfs('2m') as string;
    writeFileSync(path.join(at, 'filler'), Buffer.alloc(1_600_000));
    const r = await cli(['ingest', other, '--db', path.join(at, 'case.db')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the disk is full \(\d+ bytes free in its folder.*\[store_full\]/);
    expect(readdirSync(at)).toEqual(['filler']);
  }, 60_000);
});

describe('a read-only store', () => {
  // Root ignores file modes: as root the store sits on a tmpfs remounted read-only, else on chmod'ed files.
  const title = (t: string): string => (isRoot && !canMount ? `${t} (skipped: root ignores file modes and ${NO_MOUNT})` : t);

  it.skipIf(isRoot && !canMount)(title('ingest, audit and report name the read-only store, exit 2'), async () => {
    let folder: string;
    if (isRoot) {
      folder = tmpfs('8m') as string;
    } else {
      folder = path.join(dir, 'ro');
      mkdirSync(folder);
    }
    const db = path.join(folder, 'case.db');
    expect((await cli(['ingest', other, '--db', db])).code).toBe(0);
    if (isRoot) expect(spawnSync('mount', ['-o', 'remount,ro', folder]).status).toBe(0);
    else {
      chmodSync(db, 0o444);
      chmodSync(folder, 0o555);
    }
    try {
      const ing = await cli(['ingest', big, '--db', db]);
      expect(ing.code).toBe(2);
      expect(ing.err).toMatch(/case\.db: the store or its folder is read-only.*\[store_readonly\]/);
      const fresh = await cli(['ingest', big, '--db', path.join(folder, 'new.db')]);
      expect(fresh.code).toBe(2);
      expect(fresh.err).toContain('[store_readonly]');
      const claims = path.join(dir, 'ro-claims.yaml');
      writeFileSync(claims, `vendors:\n  - name: V\n    captures: ["other.pcap"]\n    first_party: [example.com]\n    claims:\n      - { id: c, text: t, country: SG }\n`);
      const rep = await cli(['report', '--db', db, '--claims', claims, '--out', path.join(dir, 'ro-out')]);
      expect(rep.code).toBe(2);
      expect(rep.err).toContain('[store_readonly]');
      for (const r of [ing, fresh, rep]) expect(r.err).not.toMatch(/internal error|\n\s+at /);
      expect(existsSync(path.join(folder, 'new.db'))).toBe(false);
    } finally {
      if (!isRoot) chmodSync(folder, 0o755);
    }
  }, 120_000);
});
