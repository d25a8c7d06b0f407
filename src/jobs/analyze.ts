// analyzeInput with --jobs: a plain capture file of SPLIT_MIN_BYTES or more is split across `jobs` workers
// (split.ts); anything else (standard input, gzip, logs, small files, --jobs 1) is read as usual.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { analyzeInput } from '../input.js';
import { SPLIT_MIN_BYTES } from '../limits.js';
import type { AnalyzeHandlers, AnalyzeOptions } from '../pipeline.js';
import type { CaptureSummary } from '../types.js';
import { analyzeSplit } from './split.js';

/** Whether `path` is a plain pcap or pcapng file of at least `minBytes`. */
export function splittable(path: string, minBytes: number): boolean {
  if (path === '-') return false;
  let fd: number | undefined;
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size < Math.max(minBytes, 24)) return false;
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    if (readSync(fd, head, 0, 4, 0) !== 4) return false;
    const m = head.readUInt32BE(0);
    return m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1 || m === 0x0a0d0d0a;
  } catch {
    return false; // analyzeInput names the problem
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Analyses `path` on `jobs` cores when it is worth it; the handlers get what --jobs 1 gives them. */
export function analyzeWithJobs(path: string, handlers: AnalyzeHandlers, opts: AnalyzeOptions, jobs: number, minBytes = SPLIT_MIN_BYTES): Promise<CaptureSummary> {
  if (jobs > 1 && opts.source === undefined && splittable(path, minBytes)) return analyzeSplit(path, handlers, opts, jobs);
  return analyzeInput(path, handlers, opts);
}
