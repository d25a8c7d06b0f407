// `residency ingest CAPTURE... --db FILE [--vendor V] [--device D]`: stores captures in the case store, one
// transaction each, skipping any whose SHA-256 is already there (also when another process stored it meanwhile:
// concurrent ingests into one store wait for each other). Store faults end with exit 2 naming the cause.
// `--distributed` (PostgreSQL store): the captures are queued for `residency worker` processes instead, and the
// command waits for them with a progress display; the output lines are the same.

import path from 'node:path';
import { Command } from 'commander';
import { distributedIngest, throwIfFailed } from '../../distributed/coordinator.js';
import { EXIT, UsageError } from '../../errors.js';
import { STORE_BUSY_TIMEOUT_MS } from '../../limits.js';
import { openCaseStore } from '../../store/open.js';
import { ingestGeo, ingestInput, openIngestLocator } from '../../pipeline/back-half.js';
import { isPostgresLocation } from '../../store/store.js';
import { distributedProgressFor, refuseJobsWithDistributed } from '../distributed-progress.js';
import { progressFor } from '../progress.js';
import type { CliIo } from '../io.js';
import { analyzerFor, jobsOption } from '../../jobs/index.js';
import { memoryBudgetOption } from './memory-budget.js';
import { terminalText } from '../terminal-text.js';
import { reportGeoWarnings } from './warnings.js';

interface IngestOptions {
  db: string;
  geo: boolean;
  geoDir?: string;
  vendor?: string;
  device?: string;
  distributed?: boolean;
  jobs?: string;
  memoryBudget?: number;
}

/** `--distributed`: every capture through the workers; the same lines as a local ingest, skipped ones on stderr. */
async function ingestDistributed(captures: string[], opts: IngestOptions, io: CliIo): Promise<void> {
  if (!isPostgresLocation(opts.db)) throw new UsageError('distributed_needs_postgres', '--distributed needs a PostgreSQL case store: --db postgres://…');
  refuseJobsWithDistributed(opts.jobs);
  if (captures.includes('-')) throw new UsageError('distributed_stdin', '--distributed reads captures from shared storage: standard input (-) cannot be sent to workers');
  const progress = distributedProgressFor(io);
  const outcomes = await distributedIngest(
    opts.db,
    captures.map((c) => ({ path: path.resolve(c), label: c, vendor: opts.vendor, device: opts.device })),
    { geoDir: opts.geoDir, progress: (p) => progress.update(p), log: (line) => io.stderr.write(`residency: ${terminalText(line)}\n`) },
  );
  progress.done();
  for (const o of outcomes) {
    if (o.status === 'ingested' || o.status === 'already_stored') {
      io.stdout.write(`${o.status === 'ingested' ? 'ingested' : 'already stored'}\t${o.sha256}\t${terminalText(o.label)}\n`);
    } else if (o.status === 'skipped') {
      io.stderr.write(`residency: ${terminalText(o.label)}: ${terminalText(o.reason ?? 'not read')}\n`);
      io.exitCode = EXIT.BAD_INPUT;
    }
  }
  throwIfFailed(opts.db, outcomes);
}

export function ingestCommand(io: CliIo): Command {
  return new Command('ingest')
    .description('store captures (flows, DNS, names, geolocation) in a case store (SQLite file or PostgreSQL URL); the same capture twice is stored once')
    .argument('<captures...>', 'capture files (or Zeek log folders, conn logs, eve.json)')
    .requiredOption('--db <file>', 'case store: a SQLite file (created if missing) or postgres://user@host:port/database')
    .option('--vendor <name>', 'vendor the captures belong to')
    .option('--device <name>', 'handset the captures were taken on')
    .option('--no-geo', 'store without geolocation (the first audit geolocates, once)')
    .option('--geo-dir <dir>', 'also read MaxMind mmdb files and provider range files from this folder (with --distributed: the workers must have the same)')
    .option('--distributed', 'queue the captures for `residency worker` processes (PostgreSQL store) and wait for them')
    .addOption(jobsOption())
    .addOption(memoryBudgetOption())
    .action(async (captures: string[], opts: IngestOptions) => {
      if (opts.distributed === true) return ingestDistributed(captures, opts, io);
      const analyze = analyzerFor(opts.jobs);
      const db = await openCaseStore(opts.db, opts.memoryBudget);
      try {
        // Geolocated once, as stored: audits and reports read it back (pipeline/back-half.ts).
        const locator = opts.geo ? await openIngestLocator(opts.geoDir) : undefined;
        const geo = locator !== undefined ? ingestGeo(locator) : undefined;
        for (const c of captures) {
          const progress = progressFor(c, io);
          const onWait = (): void =>
            void io.stderr.write(`residency: ${terminalText(opts.db)}: another process is writing the store; waiting (up to ${STORE_BUSY_TIMEOUT_MS / 1000} s)\n`);
          const r = await ingestInput(db, c, geo, { vendor: opts.vendor, device: opts.device, onProgress: (b) => progress.update(b), onWait, analyze, memoryBudgetMb: opts.memoryBudget });
          progress.done();
          io.stdout.write(`${r.skipped ? 'already stored' : 'ingested'}\t${r.sha256}\t${terminalText(c)}\n`);
        }
        reportGeoWarnings(locator?.warnings() ?? [], io);
      } finally {
        await db.close();
      }
    });
}
