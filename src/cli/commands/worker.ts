// `residency worker --db URL [--jobs N] [--geo-dir DIR] [--idle-exit S]`: takes ingest jobs from the queue in the
// PostgreSQL case store (put there by `audit --distributed` / `ingest --distributed`) and stores the captures, on
// as many machines as wanted. `--jobs N` runs N worker processes (the analysis is one CPU each). Stops after the
// job in hand on SIGINT/SIGTERM, or when the queue stayed empty for --idle-exit seconds.

import { spawn } from 'node:child_process';
import { Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../../errors.js';
import { runWorker } from '../../distributed/worker.js';
import { parseJobs } from '../../jobs/index.js';
import { MAX_JOBS } from '../../limits.js';
import { isPostgresLocation } from '../../store/store.js';
import type { CliIo } from '../io.js';
import { terminalText } from '../terminal-text.js';

interface WorkerCliOptions {
  db: string;
  jobs: string;
  geoDir?: string;
  idleExit?: number;
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected seconds (0 or more)');
  return n;
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Runs `n` copies of this command with --jobs 1, their output passed through; resolves with the worst exit code. */
async function runProcesses(n: number, opts: WorkerCliOptions, io: CliIo): Promise<number> {
  const script = process.argv[1];
  const args = ['worker', '--db', opts.db, '--jobs', '1'];
  if (opts.geoDir !== undefined) args.push('--geo-dir', opts.geoDir);
  if (opts.idleExit !== undefined) args.push('--idle-exit', String(opts.idleExit));
  const children = Array.from({ length: n }, () => spawn(process.execPath, [...process.execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const forward = (sig: NodeJS.Signals): void => {
    for (const c of children) c.kill(sig);
  };
  process.once('SIGINT', () => forward('SIGINT'));
  process.once('SIGTERM', () => forward('SIGTERM'));
  const codes = await Promise.all(
    children.map(
      (c) =>
        new Promise<number>((resolve) => {
          c.stdout.on('data', (b: Buffer) => io.stdout.write(b.toString()));
          c.stderr.on('data', (b: Buffer) => io.stderr.write(b.toString()));
          c.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 1)));
        }),
    ),
  );
  return Math.max(...codes);
}

export function workerCommand(io: CliIo): Command {
  return new Command('worker')
    .description('take capture ingest jobs from a PostgreSQL case store (audit/ingest --distributed) and store the captures')
    .requiredOption('--db <url>', 'PostgreSQL case store, postgres://user@host:port/database (its queue holds the jobs)')
    .option('--jobs <n>', `worker processes on this machine, one capture and one core each (1 to ${MAX_JOBS})`, '1')
    .option('--geo-dir <dir>', 'also read MaxMind mmdb files and provider range files from this folder (must match the coordinator)')
    .option('--idle-exit <seconds>', 'stop when the queue has had no job for this long (default: run until stopped)', seconds)
    .action(async (opts: WorkerCliOptions) => {
      if (!isPostgresLocation(opts.db)) throw new UsageError('worker_needs_postgres', `--db must be a PostgreSQL URL (postgres://…), not ${JSON.stringify(opts.db)}`);
      const jobs = parseJobs(opts.jobs);
      if (jobs > 1) {
        io.exitCode = await runProcesses(jobs, opts, io);
        return;
      }
      await runWorker({
        url: opts.db,
        geoDir: opts.geoDir,
        idleExitSeconds: opts.idleExit,
        stop: stopSignal(),
        log: (line) => io.stderr.write(`residency: ${terminalText(line)}\n`),
      });
    });
}
