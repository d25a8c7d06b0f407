// What `--jobs N` does for a capture command, decided in one place: several captures are shared between this
// process and long-lived helper threads (batch.ts); one capture is split across worker threads by flow (split.ts,
// through analyzeWithJobs); standard input, logs and the text table are read as with --jobs 1.

import type { Command } from 'commander';
import type { CommandRegistry } from '../cli/program.js';
import type { CliIo } from '../cli/io.js';
import { givenOptionArgv } from './argv.js';
import { runBatch } from './batch.js';
import { parseJobs } from './options.js';

export { jobsOption, parseJobs, JOBS_HELP } from './options.js';
export { analyzeWithJobs } from './analyze.js';
export { sharedInBatch } from './batch-shared.js';

import { analyzeWithJobs } from './analyze.js';
import type { AnalyzeHandlers, AnalyzeOptions } from '../pipeline.js';
import type { CaptureSummary } from '../types.js';

/** analyzeInput for a command given `--jobs` (its text, or undefined for the default). */
export function analyzerFor(jobsText: string | undefined): (path: string, h: AnalyzeHandlers, o?: AnalyzeOptions) => Promise<CaptureSummary> {
  const jobs = parseJobs(jobsText);
  return (path, h, o = {}) => analyzeWithJobs(path, h, o, jobs);
}

export interface CaptureCommandRun {
  command: 'flows' | 'dns' | 'extract';
  /** The command's definition: each capture of a batch is its own `--jobs 1` run of it (batch.ts). */
  define: (io: CliIo) => Command;
  captures: readonly string[];
  cmd: Command;
  io: CliIo;
  /** The text each capture's output starts with when several are written one after the other (a CSV header). */
  header?: string;
  /** False when the output cannot be put together from per-capture pieces (the aligned table). */
  concatenable?: boolean;
}

/** Runs a batch of captures on several cores when --jobs and the inputs allow it; false: run them as usual. */
export async function runCapturesInParallel(run: CaptureCommandRun): Promise<boolean> {
  const opts = run.cmd.opts<{ jobs?: string; strict?: boolean }>();
  const jobs = parseJobs(opts.jobs);
  if (jobs <= 1 || run.captures.length < 2 || run.concatenable === false || run.captures.includes('-')) return false;
  await runBatch(
    {
      command: run.command,
      commands: { [run.command]: async (io: CliIo) => run.define(io) },
      options: givenOptionArgv(run.cmd, ['jobs']),
      captures: run.captures,
      jobs: Math.min(jobs, run.captures.length),
      strict: opts.strict === true,
      header: run.header,
    },
    run.io,
  );
  return true;
}
