// `residency ingest CAPTURE... --db FILE [--vendor V] [--device D]`: stores captures in the case store, one
// transaction each, skipping any whose SHA-256 is already there (also when another process stored it meanwhile:
// concurrent ingests into one store wait for each other). Store faults end with exit 2 naming the cause.

import { Command } from 'commander';
import { STORE_BUSY_TIMEOUT_MS } from '../../limits.js';
import { openCaseStore } from '../../store/open.js';
import { ingestGeo, ingestInput, openIngestLocator } from '../../pipeline/back-half.js';
import { progressFor } from '../progress.js';
import type { CliIo } from '../io.js';
import { analyzerFor, jobsOption } from '../../jobs/index.js';
import { terminalText } from '../terminal-text.js';

interface IngestOptions {
  db: string;
  geo: boolean;
  geoDir?: string;
  vendor?: string;
  device?: string;
  jobs?: string;
}

export function ingestCommand(io: CliIo): Command {
  return new Command('ingest')
    .description('store captures (flows, DNS, names, geolocation) in a SQLite case store; the same capture twice is stored once')
    .argument('<captures...>', 'capture files (or Zeek log folders, conn logs, eve.json)')
    .requiredOption('--db <file>', 'case store (created if missing)')
    .option('--vendor <name>', 'vendor the captures belong to')
    .option('--device <name>', 'handset the captures were taken on')
    .option('--no-geo', 'store without geolocation (the first audit geolocates, once)')
    .option('--geo-dir <dir>', 'also read MaxMind mmdb files and provider range files from this folder')
    .addOption(jobsOption())
    .action(async (captures: string[], opts: IngestOptions) => {
      const analyze = analyzerFor(opts.jobs);
      const db = await openCaseStore(opts.db);
      try {
        // Geolocated once, as stored: audits and reports read it back (pipeline/back-half.ts).
        const geo = opts.geo ? ingestGeo(await openIngestLocator(opts.geoDir)) : undefined;
        for (const c of captures) {
          const progress = progressFor(c, io);
          const onWait = (): void =>
            void io.stderr.write(`residency: ${terminalText(opts.db)}: another process is writing the store; waiting (up to ${STORE_BUSY_TIMEOUT_MS / 1000} s)\n`);
          const r = await ingestInput(db, c, geo, { vendor: opts.vendor, device: opts.device, onProgress: (b) => progress.update(b), onWait, analyze });
          progress.done();
          io.stdout.write(`${r.skipped ? 'already stored' : 'ingested'}\t${r.sha256}\t${terminalText(c)}\n`);
        }
      } finally {
        await db.close();
      }
    });
}
