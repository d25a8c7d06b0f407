// `residency ingest CAPTURE... --db FILE [--vendor V] [--device D]`: stores captures in the case store, one
// transaction each, skipping any whose SHA-256 is already there (also when another process stored it meanwhile:
// concurrent ingests into one store wait for each other). Store faults end with exit 2 naming the cause.

import { Command } from 'commander';
import { STORE_BUSY_TIMEOUT_MS } from '../../limits.js';
import { openCaseStore } from '../../store/open.js';
import { ingestCapture } from '../../store/ingest.js';
import { progressFor } from '../progress.js';
import type { CliIo } from '../io.js';
import { terminalText } from '../terminal-text.js';

interface IngestOptions {
  db: string;
  vendor?: string;
  device?: string;
}

export function ingestCommand(io: CliIo): Command {
  return new Command('ingest')
    .description('store captures (flows, DNS, names) in a SQLite case store; the same capture twice is stored once')
    .argument('<captures...>', 'capture files (or Zeek log folders, conn logs, eve.json)')
    .requiredOption('--db <file>', 'case store (created if missing)')
    .option('--vendor <name>', 'vendor the captures belong to')
    .option('--device <name>', 'handset the captures were taken on')
    .action(async (captures: string[], opts: IngestOptions) => {
      const db = await openCaseStore(opts.db);
      try {
        for (const c of captures) {
          const progress = progressFor(c, io);
          const onWait = (): void =>
            void io.stderr.write(`residency: ${terminalText(opts.db)}: another process is writing the store; waiting (up to ${STORE_BUSY_TIMEOUT_MS / 1000} s)\n`);
          const r = await ingestCapture(db, c, { vendor: opts.vendor, device: opts.device, onProgress: (b) => progress.update(b), onWait });
          progress.done();
          io.stdout.write(`${r.skipped ? 'already stored' : 'ingested'}\t${r.sha256}\t${terminalText(c)}\n`);
        }
      } finally {
        await db.close();
      }
    });
}
