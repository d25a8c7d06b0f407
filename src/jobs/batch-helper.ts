// A helper of a batch (batch.ts): a worker thread that stays up for the whole batch and runs
// the captures the parent hands it, one at a time, each as its own `--jobs 1` run (batch-task.ts), answering with
// the run's exit code and warnings. It loads the command's code and warms it up once, for every capture it runs.

import type { MessagePort } from 'node:worker_threads';
import type { CommandRegistry } from '../cli/program.js';
import { enterBatch } from './batch-shared.js';
import { runTaskToFile, type BatchResult, type BatchTask } from './batch-task.js';

/** What a worker thread helper is started with (self.ts startWorker; worker.ts dispatches on `kind`). */
export interface BatchWorkerData {
  kind: 'batch';
}

/** Parent to helper: a capture to run. Helper to parent: what it gave. */
export interface BatchTaskMessage {
  task: BatchTask;
}
export interface BatchResultMessage {
  result: BatchResult;
}

/** Runs the tasks that arrive, in order, one at a time. The parent ends the helper when it has no more for it. */
export function serveBatchInThread(commands: CommandRegistry, port: MessagePort): void {
  enterBatch(); // for the helper's whole life: its runs share what they open (batch-shared.ts)
  const queue: BatchTask[] = [];
  let busy = false;
  const drain = async (): Promise<void> => {
    busy = true;
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) port.postMessage({ result: await runTaskToFile(t, commands) } satisfies BatchResultMessage);
    busy = false;
  };
  port.on('message', (m: BatchTaskMessage) => {
    queue.push(m.task);
    if (!busy) void drain();
  });
}
