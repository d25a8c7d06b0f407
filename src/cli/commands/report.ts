// `residency report --db FILE --claims CLAIMS.yaml [--out DIR] [--format ...]`: re-decides the claims from what
// the case store already holds (no ingest) and writes the reports. Same exit codes as `audit`.

import { Command } from 'commander';
import { runAudit } from '../../pipeline/back-half.js';
import { problemLines, summaryText } from '../../report/summary-text.js';
import { storeError } from '../../store/db.js';
import type { CliIo } from '../io.js';
import { terminalLines } from '../terminal-text.js';

interface ReportCliOptions {
  db: string;
  claims: string;
  out: string;
  format?: string;
  geoDir?: string;
  allowOutside?: boolean;
}

export function reportCommand(io: CliIo): Command {
  return new Command('report')
    .description('write the reports (JSON, HTML, Markdown, CSV) for a claims file from an existing case store')
    .requiredOption('--db <file>', 'case store written by `ingest` or `audit --db` (SQLite file or postgres:// URL)')
    .requiredOption('--claims <file>', 'claims file (YAML or JSON)')
    .option('--out <dir>', 'report directory', 'residency-report')
    .option('--format <list>', 'report formats: json,html,md,csv', 'json,html,md,csv')
    .option('--geo-dir <dir>', 'also read MaxMind mmdb files and provider range files from this folder')
    .option('--allow-outside', "match captures the claims file names outside its own folder (default: refused)")
    .action(async (opts: ReportCliOptions) => {
      const r = await runAudit(opts.claims, { db: opts.db, noIngest: true, outDir: opts.out, formats: opts.format?.split(','), geoDir: opts.geoDir, allowOutside: opts.allowOutside === true }).catch(
        (e: unknown) => {
          throw storeError(e, opts.db);
        },
      );
      // Problems inside the measurement files (audit prints them as it goes).
      for (const w of r.warnings) io.stderr.write(`${terminalLines(`warning: ${w}`)}\n`);
      for (const line of problemLines(r.model)) io.stderr.write(`${terminalLines(line)}\n`);
      // Vendor names, claim texts and capture labels are someone else's text: control characters escaped.
      io.stdout.write(terminalLines(summaryText(r.model, r.files)) + '\n');
      io.exitCode = r.exitCode;
    });
}
