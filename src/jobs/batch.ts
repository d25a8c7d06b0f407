// Several captures on several cores (`--jobs N`, N > 1, with more than one capture): each capture is read by its own
// child process running the same command with `--jobs 1` on that capture alone, at most N at a time. A child writes
// its standard output into its own temporary file (no copy through this process while it runs) and its warnings
// into a pipe; the parent hands both on in the order the captures were given, each capture's whole output at once,
// so the output is the one `--jobs 1` gives. Why child processes and not worker threads (piscina): measured in
// docs/performance.md ("Several captures: processes or threads").
//
// Failures keep the batch's contract (cli/commands/batch.ts): a capture that cannot be read is named by its child
// (exit 2), the others go on, and the run ends with exit 2 naming every such capture; `--strict` stops at the first
// one in the order given (later children are stopped). The output's reader going away (EPIPE) stops every child.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { EXIT } from '../errors.js';
import type { CliIo } from '../cli/io.js';
import { terminalText } from '../cli/terminal-text.js';
import { selfArgv } from './self.js';

export interface BatchPlan {
  /** The command name (`flows`, `dns`, `extract`). */
  command: string;
  /** The options to give every child (givenOptionArgv, without --jobs). */
  options: string[];
  captures: readonly string[];
  jobs: number;
  strict: boolean;
  /** Text every child but the first starts its output with, left out when passed on (a CSV header). */
  header?: string;
}

interface Job {
  capture: string;
  outFile: string;
  err: string[];
  child?: ChildProcess;
  /** Exit code once the child ended. */
  code?: number;
  done: Promise<void>;
  finish: () => void;
}

/** Runs the plan (see module comment); resolves when every output was handed on. Sets io.exitCode on failures. */
export async function runBatchInProcesses(plan: BatchPlan, io: CliIo): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'residency-jobs-'));
  const jobs: Job[] = plan.captures.map((capture, i) => {
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    return { capture, outFile: join(dir, `${i}.out`), err: [], done, finish };
  });
  let next = 0;
  let stopping = false;
  const running = new Set<Job>();
  const start = (): void => {
    while (!stopping && running.size < plan.jobs && next < jobs.length) {
      const job = jobs[next++];
      running.add(job);
      const out = openSync(job.outFile, 'w');
      const child = spawn(process.execPath, [...selfArgv(), plan.command, ...plan.options, '--jobs', '1', '--', job.capture], {
        stdio: ['ignore', out, 'pipe'],
      });
      closeSync(out);
      job.child = child;
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (t: string) => job.err.push(t));
      const end = (code: number): void => {
        if (job.code !== undefined) return;
        job.code = code;
        running.delete(job);
        job.finish();
        start();
      };
      child.on('error', (e) => {
        job.err.push(`residency: error: ${terminalText(job.capture)}: cannot start a job: ${e.message}\n`);
        end(EXIT.INTERNAL);
      });
      child.on('close', (code, signal) => end(code ?? (signal !== null ? EXIT.INTERNAL : EXIT.OK)));
    }
  };
  const stopAll = (): void => {
    stopping = true;
    for (const j of running) j.child?.kill('SIGTERM');
  };
  const failed: string[] = [];
  let other: number | undefined;
  try {
    start();
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i];
      await job.done;
      await passOn(job.outFile, i === 0 ? undefined : plan.header, io);
      for (const t of job.err) io.stderr.write(t);
      rmSync(job.outFile, { force: true });
      if (job.code === EXIT.BAD_INPUT) {
        failed.push(job.capture);
        if (plan.strict) {
          stopAll();
          break;
        }
      } else if (job.code !== EXIT.OK) other ??= job.code;
    }
  } finally {
    stopAll();
    await Promise.all([...running].map((j) => j.done));
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed.length > 0 && !plan.strict && plan.captures.length > 1) {
    const names = failed.map((f) => terminalText(f)).join(', ');
    io.stderr.write(`residency: ${failed.length} of ${plan.captures.length} captures could not be read: ${names}\n`);
  }
  if (failed.length > 0) io.exitCode = EXIT.BAD_INPUT;
  else if (other !== undefined) io.exitCode = other;
}

/** Copies a finished child's output file to our stdout (paced), leaving out `header` at its start. */
async function passOn(file: string, header: string | undefined, io: CliIo): Promise<void> {
  const fd = openSync(file, 'r');
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
