// `residency ingest CAPTURE... --db FILE [--vendor V] [--device D]`: stores captures in the case store, one
// transaction each, skipping any whose SHA-256 is already there.

import { Command } from 'commander';
import { openStore } from '../../store/db.js';
import { ingestCapture } from '../../store/ingest.js';
import { progressFor } from '../progress.js';
import type { CliIo } from '../io.js';

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
      const db = openStore(opts.db);
      try {
        for (const c of captures) {
          const progress = progressFor(c, io);
          const r = await ingestCapture(db, c, { vendor: opts.vendor, device: opts.device, onProgress: (b) => progress.update(b) });
          progress.done();
          io.stdout.write(`${r.skipped ? 'already stored' : 'ingested'}\t${r.sha256}\t${c}\n`);
        }
      } finally {
        db.close();
      }
    });
}
