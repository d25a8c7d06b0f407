// Progress of a distributed ingest on stderr: a bar redrawn in place on a terminal, else a line each time more
// captures have ended (at most one every LINE_MS), so logs of long runs stay short.

import type { DistributedProgress } from '../distributed/coordinator.js';
import { UsageError } from '../errors.js';
import type { CliIo } from './io.js';

const LINE_MS = 2000;

function text(p: DistributedProgress): string {
  const size = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);
  return (
    `distributed ingest: ${p.ended}/${p.total} captures done, ${p.running} running` +
    (p.failed > 0 ? `, ${p.failed} failed` : '') +
    (p.reclaimed > 0 ? `, ${p.reclaimed} retried after a worker died` : '') +
    ` (${size(p.bytesEnded)} of ${size(p.bytesTotal)})`
  );
}

export interface DistributedProgressView {
  update(p: DistributedProgress): void;
  /** Ends the bar (terminal) or writes the last line. */
  done(): void;
}

export function distributedProgressFor(io: CliIo): DistributedProgressView {
  let last: DistributedProgress | undefined;
  let shownEnded = -1;
  let shownAt = 0;
  return {
    update(p) {
      last = p;
      if (io.stderrIsTTY) {
        const width = 30;
        const full = p.total === 0 ? width : Math.round((p.ended / p.total) * width);
        io.stderr.write(`\r\x1b[2K[${'#'.repeat(full)}${' '.repeat(width - full)}] ${text(p)}`);
        return;
      }
      const now = Date.now();
      if (p.ended !== shownEnded && now - shownAt >= LINE_MS) {
        shownEnded = p.ended;
        shownAt = now;
        io.stderr.write(`${text(p)}\n`);
      }
    },
    done() {
      if (io.stderrIsTTY) io.stderr.write('\r\x1b[2K');
      if (last !== undefined && (io.stderrIsTTY || last.ended !== shownEnded)) io.stderr.write(`${text(last)}\n`);
    },
  };
}

/** `--jobs` sets the cores this machine's analysis uses; with `--distributed` the workers analyse, so a `--jobs`
 *  given here would do nothing: refused, naming the worker's own `--jobs`. */
export function refuseJobsWithDistributed(jobs: string | undefined): void {
  if (jobs === undefined) return;
  throw new UsageError(
    'distributed_jobs',
    '--jobs does not apply with --distributed: the workers analyse the captures; give each worker its processes with `residency worker --db URL --jobs N`',
  );
}
