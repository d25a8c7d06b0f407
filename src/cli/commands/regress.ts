// `residency regress [CLAIMS] [--expected DIR] [--update] [--save-report FILE]`: re-runs the audit of the
// sample case and fails (exit 3) when its JSON report drifted from the expected one. Parses options, makes
// one runRegress call, prints the diff and sets the exit code; no logic of its own.

import { Command } from 'commander';
import { runRegress } from '../../regress/run.js';
import type { CliIo } from '../io.js';

export function regressCommand(io: CliIo): Command {
  return new Command('regress')
    .description(
      'audit CLAIMS (default captures/claims.yaml) and compare the JSON report with the expected one; ' +
        'exit 0 no drift, 3 drift, 2 bad input',
    )
    .argument('[claims]', 'claims file (YAML or JSON)', 'captures/claims.yaml')
    .option('--expected <dir>', 'folder holding the expected report.json', 'captures/expected')
    .option('--update', 'rewrite the expected report with the fresh one after printing the diff', false)
    .option('--save-report <file>', 'also keep the fresh JSON report at this path')
    .option('--db <store>', 'case store the audit uses: a SQLite file or postgres://user@host:port/database (default: a scratch SQLite file)')
    .action(async (claims: string, opts: { expected: string; update: boolean; saveReport?: string; db?: string }) => {
      const result = await runRegress(claims, {
        expectedDir: opts.expected,
        update: opts.update,
        ...(opts.db !== undefined ? { db: opts.db } : {}),
        ...(opts.saveReport !== undefined ? { saveReport: opts.saveReport } : {}),
      });
      (result.ok ? io.stdout : io.stderr).write(result.diffText);
      io.exitCode = result.exitCode;
    });
}
