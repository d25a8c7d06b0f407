// Child process for the crash-safety test: ingests a capture slowly with a fake analyzer and prints
// "FLUSHED <k>" once rows are being written inside the open transaction, so the parent can SIGKILL it.
import { openStore } from '../../src/store/db.js';
import { ingestCapture } from '../../src/store/ingest.js';
import { fakeAnalyze } from './fake-capture.js';

const [dbPath, capture, n] = process.argv.slice(2);
const db = openStore(dbPath);
let told = false;
await ingestCapture(db, capture, {
  vendor: 'Vendor A',
  analyze: fakeAnalyze(Number(n), {
    yieldEvery: 100,
    onEmitted: (k) => {
      if (!told && k >= 2500) {
        told = true;
        process.stdout.write(`FLUSHED ${k}\n`);
      }
    },
  }),
});
process.stdout.write('DONE\n');
