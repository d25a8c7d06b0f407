// Child process for the concurrent-writer test: ingests a capture with a fake analyzer that, once it holds the
// store's write transaction, prints "WRITING" and stalls until the file named by argv[4] exists, then finishes
// (prints "DONE"). The parent starts a second writer meanwhile and releases this one once that writer waits.
import { existsSync } from 'node:fs';
import { openStore } from '../../src/store/db.js';
import { ingestCapture, type AnalyzeFn } from '../../src/store/ingest.js';
import { fakeAnalyze } from './fake-capture.js';

const [dbPath, capture, n, release] = process.argv.slice(2);
const db = openStore(dbPath);
const inner = fakeAnalyze(Number(n));
const analyze: AnalyzeFn = async (file, handlers, opts) => {
  process.stdout.write('WRITING\n');
  while (!existsSync(release)) await new Promise((r) => setTimeout(r, 50));
  return inner(file, handlers, opts);
};
await ingestCapture(db, capture, { vendor: 'Vendor A', analyze });
db.close();
process.stdout.write('DONE\n');
