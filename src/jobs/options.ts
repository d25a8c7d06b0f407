// The `--jobs N` option of the capture commands (flows, dns, extract, ingest, audit): how many cores a run may use.
// Default: every core the process may run on (os.availableParallelism). `--jobs 1` is the single-threaded pipeline.

import { availableParallelism } from 'node:os';
import { Option } from 'commander';
import { UsageError } from '../errors.js';
import { MAX_JOBS } from '../limits.js';

export const JOBS_HELP =
  'cores to use: several captures are read in parallel, one large capture is split by flow across workers; output is the same as with --jobs 1';

/** The option, added to each capture command. */
export function jobsOption(): Option {
  return new Option('--jobs <n>', `${JOBS_HELP} (default: the number of cores, ${availableParallelism()} here)`);
}

/** `--jobs` text (or undefined: the default) to a number of jobs in [1, MAX_JOBS]. */
export function parseJobs(text: string | undefined): number {
  if (text === undefined) return Math.max(1, Math.min(MAX_JOBS, availableParallelism()));
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_JOBS) throw new UsageError('bad_jobs', `--jobs "${text}": expected a whole number from 1 to ${MAX_JOBS}`);
  return n;
}
