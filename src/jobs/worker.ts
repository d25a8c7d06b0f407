// The entry of every worker thread a run starts (self.ts startWorker): what it does is in its workerData.

import { workerData } from 'node:worker_threads';
import type { SplitWorkerData } from './split-layout.js';
import { runSplitWorker } from './split-worker.js';

export function residencyJobWorker(): void {
  const d = workerData as SplitWorkerData;
  if (d?.kind === 'split') runSplitWorker(d);
  else throw new Error(`unknown residency worker job: ${String((d as { kind?: unknown })?.kind)}`);
}
