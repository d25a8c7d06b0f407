// The `--jobs N` option of the capture commands (flows, dns, extract, ingest, audit): how many cores a run may use.
// Default: 1, the single-threaded pipeline. On the 2-core machine the bench runs on, --jobs 2 was slower than --jobs 1
// for every case timed as users run it (one capture of 300 MB: 0.74x, of 1 GB: 0.7x; four of 75 MB: 0.52x;
// docs/performance.md): each process or thread pays Node's start and its own warm-up of the pipeline's code, which
// costs more than the second core gives at these sizes. N > 1 is for machines and cases where it is measured to pay.

import { availableParallelism } from 'node:os';
import { Option } from 'commander';
import { UsageError } from '../errors.js';
import { MAX_JOBS } from '../limits.js';

export const JOBS_HELP =
  'cores to use: several captures are read in parallel, one large capture is split by flow across workers; output is the same as with --jobs 1';

/** The option, added to each capture command. */
export function jobsOption(): Option {
  return new Option('--jobs <n>', `${JOBS_HELP} (default: 1; this machine has ${availableParallelism()} cores)`);
}

/** `--jobs` text (or undefined: the default) to a number of jobs in [1, MAX_JOBS]. */
export function parseJobs(text: string | undefined): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_JOBS) throw new UsageError('bad_jobs', `--jobs "${text}": expected a whole number from 1 to ${MAX_JOBS}`);
  return n;
}
