// `residency audit CLAIMS.yaml [--db FILE] [--out DIR] [--format json,html,md,csv]`: ingests what the claims
// file lists, decides every claim, writes the reports and prints a one-screen summary. Exit code (errors.ts
// EXIT): 0 every claim confirmed, 3 any refuted, 4 otherwise inconclusive/unobservable, 2 bad input.

import { Command } from 'commander';
import { runAudit } from '../../pipeline/back-half.js';
import { ingestThroughWorkers } from '../../distributed/coordinator.js';
import { UsageError } from '../../errors.js';
import { isPostgresLocation } from '../../store/store.js';
import { distributedProgressFor, refuseJobsWithDistributed } from '../distributed-progress.js';
import { problemLines, summaryText } from '../../report/summary-text.js';
import { storeError } from '../../store/db.js';
import type { CliIo } from '../io.js';
import { analyzerFor, jobsOption } from '../../jobs/index.js';
import { memoryBudgetOption } from './memory-budget.js';
import { terminalLines, terminalText } from '../terminal-text.js';

export interface AuditCliOptions {
  db?: string;
  out: string;
  format?: string;
  geoDir?: string;
  reports: boolean;
  allowOutside?: boolean;
  distributed?: boolean;
  jobs?: string;
  memoryBudget?: number;
}

export function auditCommand(io: CliIo): Command {
  return new Command('audit')
    .description('hold vendor claims against captures: verdicts (confirmed/refuted/inconclusive/unobservable) and reports')
    .argument('<claims>', 'claims file (YAML or JSON)')
    .option('--db <file>', 'case store to use and keep: a SQLite file or postgres://user@host:port/database (default: in memory)')
    .option('--out <dir>', 'report directory', 'residency-report')
    .option('--format <list>', 'report formats: json,html,md,csv', 'json,html,md,csv')
    .option('--geo-dir <dir>', 'also read MaxMind mmdb files and provider range files from this folder')
    .option('--no-reports', 'decide and print the summary only')
    .option('--allow-outside', "read captures the claims file names outside its own folder (default: refused)")
    .option('--distributed', 'have `residency worker` processes ingest the captures (needs --db postgres://…), then decide here')
    .addOption(jobsOption())
    .addOption(memoryBudgetOption())
    .action(async (claims: string, opts: AuditCliOptions) => {
      if (opts.distributed === true && (opts.db === undefined || !isPostgresLocation(opts.db))) {
        throw new UsageError('distributed_needs_postgres', '--distributed needs a PostgreSQL case store: --db postgres://…');
      }
      if (opts.distributed === true) refuseJobsWithDistributed(opts.jobs);
      const analyze = analyzerFor(opts.jobs);
      const url = opts.db ?? '';
      const log = (line: string): void => void io.stderr.write(`${terminalText(line)}\n`);
      const r = await runAudit(claims, {
        analyze,
        ingestListed:
          opts.distributed === true
            ? async (listed) => {
                const progress = distributedProgressFor(io);
                try {
                  // Each capture is stored under the first vendor listing it, as a local audit does.
                  const items = listed.map((l) => ({ path: l.file, label: l.label, vendor: l.vendors[0] }));
                  return await ingestThroughWorkers(url, items, { geoDir: opts.geoDir, progress: (p) => progress.update(p), log });
                } finally {
                  progress.done();
                }
              }
            : undefined,
        db: opts.db,
        outDir: opts.reports ? opts.out : undefined,
        formats: opts.format?.split(','),
        geoDir: opts.geoDir,
        allowOutside: opts.allowOutside === true,
        memoryBudgetMb: opts.memoryBudget,
        log,
      }).catch((e: unknown) => {
        throw storeError(e, opts.db ?? '(in-memory store)');
      });
      for (const line of problemLines(r.model)) io.stderr.write(`${terminalLines(line)}\n`);
      // Vendor names, claim texts and capture labels are someone else's text: control characters escaped.
      io.stdout.write(terminalLines(summaryText(r.model, r.files)) + '\n');
      io.exitCode = r.exitCode;
    });
}
