// The entry of every worker thread a run starts (self.ts startWorker): what it does is in its workerData. `commands`
// are the commands of the bundle (or the registry) it was started from: a batch helper runs captures through them.

import { parentPort, workerData } from 'node:worker_threads';
import type { CommandRegistry } from '../cli/program.js';
import type { BatchWorkerData } from './batch-helper.js';
import type { SplitWorkerData } from './split-layout.js';
import { runSplitWorker } from './split-worker.js';

export function residencyJobWorker(commands?: CommandRegistry): void {
  const d = workerData as SplitWorkerData | BatchWorkerData;
  if (d?.kind === 'split') runSplitWorker(d);
  else if (d?.kind === 'batch' && commands !== undefined && parentPort !== null) {
    const port = parentPort;
    void import('./batch-helper.js').then((m) => m.serveBatchInThread(commands, port));
  } else throw new Error(`unknown residency worker job: ${String((d as { kind?: unknown })?.kind)}`);
}
