// Several captures on several cores (`--jobs N`, N > 1, with more than one capture). This process is one of the N
// workers: it runs captures itself, in-process, as `--jobs 1` does, while at most N-1 helpers (batch-helper.ts:
// worker threads, started only when there is a capture for them) run others. Each helper stays up for the whole
// batch, so it pays its start (Node's, the bundle's load, the warm-up of the pipeline's code) once, not once per
// capture; the helpers start before this process reads its own first capture, so their start overlaps useful work.
// Scheduling is dynamic: whoever is free takes the next capture in the order given.
//
// Each capture is its own `--jobs 1` run of the command (batch-task.ts), so its output, warnings and exit code are
// those of `residency <command> --jobs 1 <capture>`. The capture whose turn it is to be printed, when this process
// runs it, writes straight to our output; any other writes into its own temporary file (no copy through this
// process's heap while it runs) and keeps its warnings as text. Outputs are handed on in the order the captures were
// given, each capture's whole output at once (a CSV header only once), so the output is the one `--jobs 1` gives.
// Why threads and why this design: docs/performance.md ("Several captures: long-lived helpers") and
// docs/architecture.md.
//
// Failures keep the batch's contract (cli/commands/batch.ts): a capture that cannot be read is named (exit 2), the
// others go on, and the run ends with exit 2 naming every such capture; `--strict` stops at the first one in the
// order given (running captures are stopped). The output's reader going away (EPIPE) stops everything.

import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Worker } from 'node:worker_threads';
import { EXIT } from '../errors.js';
import type { CliIo } from '../cli/io.js';
import type { CommandRegistry } from '../cli/program.js';
import { terminalText } from '../cli/terminal-text.js';
import type { BatchResultMessage, BatchTaskMessage, BatchWorkerData } from './batch-helper.js';
import { enterBatch } from './batch-shared.js';
import { runTaskDirect, runTaskToFile, type BatchResult, type BatchTask } from './batch-task.js';
import { startWorker } from './self.js';

export interface BatchPlan {
  /** The command name (`flows`, `dns`, `extract`). */
  command: string;
  /** The command's definition (this process runs its share of the captures through it). */
  commands: CommandRegistry;
  /** The options to give every capture's run (givenOptionArgv, without --jobs). */
  options: string[];
  captures: readonly string[];
  jobs: number;
  strict: boolean;
  /** Text every capture's output but the first starts with, left out when passed on (a CSV header). */
  header?: string;
}

interface Job {
  task: BatchTask;
  capture: string;
  result?: BatchResult;
  /** Written straight to the output (no file to hand on). */
  direct: boolean;
  done: Promise<void>;
  /** Records the result (the first one given) and settles `done`. */
  finish: (r: BatchResult) => void;
}

/** A helper as the parent sees it. */
interface Helper {
  run(task: BatchTask): void;
  /** Ends the helper, stopping the capture it runs, if any. */
  end(): void;
  /** Settles once the helper is gone, with what ended it when that was a failure. */
  ended: Promise<string | undefined>;
}

function newJob(plan: BatchPlan, dir: string, capture: string, index: number): Job {
  let settle: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const argv = [process.argv[0] ?? 'node', 'residency', plan.command, ...plan.options, '--jobs', '1', '--', capture];
  const job: Job = {
    task: { index, argv, outFile: join(dir, `${index}.out`) },
    capture,
    direct: false,
    done,
    finish: (r) => {
      if (job.result !== undefined) return;
      job.result = r;
      settle();
    },
  };
  return job;
}

/** Runs the plan (see module comment); resolves when every output was handed on. Sets io.exitCode on failures. */
export async function runBatch(plan: BatchPlan, io: CliIo): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'residency-jobs-'));
  const leaveBatch = enterBatch();
  const jobs = plan.captures.map((capture, index) => newJob(plan, dir, capture, index));
  let next = 0;
  let handedOn = 0;
  let stopping = false;
  /** Captures taken for a helper that could not be started: this process runs them. */
  const returned: Job[] = [];
  const take = (): Job | undefined => (stopping ? undefined : (returned.shift() ?? (next < jobs.length ? jobs[next++] : undefined)));
  const stopped = (): boolean => stopping;
  // A warning about the geolocation data, not about a capture, is given once per batch as `--jobs 1` gives it
  // (each helper thread has its own locator, which would repeat it).
  const geoWarned = new Set<string>();
  const once = (text: string): string =>
    text.replace(/^residency: warning: geo data .*\n/gm, (line) => (geoWarned.has(line) ? '' : (geoWarned.add(line), line)));
  const onceIo: CliIo = { ...io, stderr: { write: (t: string) => io.stderr.write(once(t)) } };

  // Helpers first (each with its first capture), so their start overlaps this process's own first capture.
  const first = take();
  const helpers: Helper[] = [];
  for (let h = 1; h < plan.jobs; h++) {
    let job = take();
    if (job === undefined) break;
    let helper: Helper;
    try {
      helper = startHelper((r) => {
        jobs[r.index]?.finish(r);
        job = take();
        if (job !== undefined) helper.run(job.task);
        else helper.end();
      });
    } catch {
      // No thread to be had (a resource limit): the captures are run here, as with fewer jobs.
      returned.push(job);
      break;
    }
    // A helper that ended with a capture in hand: that capture's run failed (named, as a crash of `--jobs 1` is).
    void helper.ended.then((why) => job?.finish(helperGone(job, why)));
    helpers.push(helper);
    helper.run(job.task);
  }

  // This process's own share: the capture whose turn it is goes straight to the output.
  const own = (async () => {
    for (let job = first; job !== undefined; job = take()) {
      if (handedOn === job.task.index) {
        job.direct = true;
        job.finish(await runTaskDirect(job.task, plan.commands, onceIo, job.task.index === 0 ? undefined : plan.header, { stopped }));
      } else {
        job.finish(await runTaskToFile(job.task, plan.commands, { stopped }));
      }
    }
  })();
  let ownFailure: unknown;
  const ownDone = own.catch((e: unknown) => {
    ownFailure = e;
    stopping = true;
    for (const j of jobs) j.finish({ index: j.task.index, code: EXIT.INTERNAL, err: '' });
  });

  const failed: string[] = [];
  let other: number | undefined;
  try {
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i];
      await job.done;
      if (ownFailure !== undefined) throw ownFailure;
      const r = job.result as BatchResult;
      if (!job.direct) await passOn(job.task.outFile, i === 0 ? undefined : plan.header, io);
      if (r.err !== '') io.stderr.write(once(r.err));
      rmSync(job.task.outFile, { force: true });
      handedOn = i + 1;
      if (r.code === EXIT.BAD_INPUT) {
        failed.push(job.capture);
        if (plan.strict) break;
      } else if (r.code !== EXIT.OK) other ??= r.code;
    }
  } finally {
    stopping = true;
    for (const h of helpers) h.end();
    await Promise.all([ownDone, ...helpers.map((h) => h.ended)]);
    rmSync(dir, { recursive: true, force: true });
    leaveBatch();
  }
  if (ownFailure !== undefined) throw ownFailure;
  if (failed.length > 0 && !plan.strict && plan.captures.length > 1) {
    const names = failed.map((f) => terminalText(f)).join(', ');
    io.stderr.write(`residency: ${failed.length} of ${plan.captures.length} captures could not be read: ${names}\n`);
  }
  if (failed.length > 0) io.exitCode = EXIT.BAD_INPUT;
  else if (other !== undefined) io.exitCode = other;
}

function helperGone(job: Job, why: string | undefined): BatchResult {
  const what = why === undefined ? 'its job ended without an answer' : `its job failed: ${why}`;
  return { index: job.task.index, code: EXIT.INTERNAL, err: `residency: error: ${terminalText(job.capture)}: ${terminalText(what)}\n` };
}

/** A helper thread (self.ts startWorker, worker.ts, batch-helper.ts). */
function startHelper(onResult: (r: BatchResult) => void): Helper {
  const data: BatchWorkerData = { kind: 'batch' };
  const worker: Worker = startWorker(data);
  let failure: string | undefined;
  const ended = new Promise<string | undefined>((resolve) => worker.on('exit', () => resolve(failure)));
  worker.on('message', (m: BatchResultMessage) => onResult(m.result));
  worker.on('error', (e) => {
    failure ??= e.message;
  });
  return {
    run: (task) => worker.postMessage({ task } satisfies BatchTaskMessage),
    end: () => void worker.terminate(),
    ended,
  };
}

/** Copies a finished capture's output file to our stdout (paced), leaving out `header` at its start. A helper that
 *  died before its run opened the file left none: nothing to pass on. */
async function passOn(file: string, header: string | undefined, io: CliIo): Promise<void> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const buf = Buffer.allocUnsafe(1 << 20);
  const dec = new StringDecoder('utf8');
  let first = header !== undefined;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      let text = dec.write(buf.subarray(0, n));
      if (first && header !== undefined) {
        first = false;
        if (text.startsWith(header)) text = text.slice(header.length);
      }
      if (text !== '') io.stdout.write(text);
      const wait = io.pace();
      if (wait !== undefined) await wait;
    }
    const rest = dec.end();
    if (rest !== '') io.stdout.write(rest);
  } finally {
    closeSync(fd);
  }
}
