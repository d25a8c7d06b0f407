// Vitest global setup: when no PostgreSQL is given (RESIDENCY_TEST_PG unset) outside CI and this machine has
// Debian's PostgreSQL, starts a throwaway server for the run (scripts/pg-throwaway.sh) in the background and
// stops it at the end. Test files wait for it through test/pg/server.ts (the URL is written to a file in its
// folder), so runs that never touch PostgreSQL do not wait for initdb. In CI (.ci/run) the server is started by
// .ci/run itself and RESIDENCY_TEST_PG is set.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder where the throwaway server's URL (`url`) or failure (`failed`) appears; '' when none is started. */
    residencyPgDir: string;
  }
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(repo, 'scripts/pg-throwaway.sh');

function havePostgres(): boolean {
  try {
    if (readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))) return true;
  } catch {
    // no Debian PostgreSQL folder
  }
  return spawnSync('sh', ['-c', 'command -v initdb'], { stdio: 'ignore' }).status === 0;
}

export default function setup(project: TestProject): (() => Promise<void>) | undefined {
  project.provide('residencyPgDir', '');
  if (process.env.RESIDENCY_TEST_PG || process.env.CI || !havePostgres()) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'residency-pg-'));
  project.provide('residencyPgDir', dir);
  // Its own folder straight under tmpdir: as root, the script hands it to the postgres user, which must reach it.
  const serverDir = mkdtempSync(path.join(tmpdir(), 'residency-pg-server-'));
  const child = spawn(script, ['start', serverDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const started = new Promise<void>((resolve) => {
    child.on('close', (code) => {
      if (code === 0) writeFileSync(path.join(dir, 'url'), out.trim());
      else writeFileSync(path.join(dir, 'failed'), `pg-throwaway.sh exited ${code}: ${err.trim()}`);
      resolve();
    });
  });
  return async () => {
    await started;
    spawnSync(script, ['stop', serverDir], { stdio: 'ignore' });
    spawnSync('rm', ['-rf', dir]);
  };
}
