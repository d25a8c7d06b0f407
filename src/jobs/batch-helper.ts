// A helper of a batch (batch.ts): a worker thread or a child process that stays up for the whole batch and runs
// the captures the parent hands it, one at a time, each as its own `--jobs 1` run (batch-task.ts), answering with
// the run's exit code and warnings. It loads the command's code and warms it up once, for every capture it runs.

import type { MessagePort } from 'node:worker_threads';
import type { CommandRegistry } from '../cli/program.js';
import { enterBatch } from './batch-shared.js';
import { runTaskToFile, type BatchResult, type BatchTask } from './batch-task.js';

/** The environment variable that makes a `residency` process a batch helper (with an IPC channel to its parent). */
export const BATCH_HELPER_ENV = 'RESIDENCY_BATCH_HELPER';

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

interface Channel {
  post(m: BatchResultMessage): void;
  listen(on: (m: BatchTaskMessage) => void): void;
}

/** Runs the tasks that arrive, in order, one at a time. The parent ends the helper when it has no more for it. */
function serve(commands: CommandRegistry, channel: Channel): void {
  enterBatch(); // for the helper's whole life: its runs share what they open (batch-shared.ts)
  const queue: BatchTask[] = [];
  let busy = false;
  const drain = async (): Promise<void> => {
    busy = true;
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) channel.post({ result: await runTaskToFile(t, commands) });
    busy = false;
  };
  channel.listen((m) => {
    queue.push(m.task);
    if (!busy) void drain();
  });
}

/** A worker thread's side (worker.ts). */
export function serveBatchInThread(commands: CommandRegistry, port: MessagePort): void {
  serve(commands, { post: (m) => port.postMessage(m), listen: (on) => port.on('message', on) });
}

/** A child process's side (program.ts runAsProcess, when BATCH_HELPER_ENV is set and an IPC channel is open). The
 *  process ends when the parent disconnects. */
export function serveBatchInProcess(commands: CommandRegistry): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error(`${BATCH_HELPER_ENV} is set but this process has no IPC channel`);
  serve(commands, { post: (m) => void send(m), listen: (on) => process.on('message', (m) => on(m as BatchTaskMessage)) });
}
