// One capture of a batch (batch.ts) run as its own `--jobs 1` run of the command, inside a thread that stays up
// for several captures: the run's standard output goes to a file (or, for the capture whose turn it is, straight
// to the parent's output), its warnings and errors are kept as text, its exit code is returned. What a capture
// prints, warns and exits with is therefore exactly what `residency <command> --jobs 1 <capture>` gives; only the
// thread's start, the loaded code, its warm-up and what batch-shared.ts keeps are shared between captures.
//
// The same runner serves the parent (its own share of the captures) and each helper (batch-helper.ts).

import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EXIT, OutputClosedError, WriteError } from '../errors.js';
import type { CliIo, TextSink } from '../cli/io.js';
import { runProgram, type CommandRegistry } from '../cli/program.js';
import { OUTPUT_BATCH_CHARS } from '../limits.js';

/** A capture handed to a helper: the argv of its `--jobs 1` run and the file its output goes to. */
export interface BatchTask {
  index: number;
  argv: string[];
  outFile: string;
}

/** What a capture's run gave: its exit code and everything it wrote to stderr. */
export interface BatchResult {
  index: number;
  code: number;
  err: string;
}

/**
 * How often at most a capture's run lets the event loop turn (pace): a run reads its capture synchronously between
 * awaits that only settle promises, and the parent must answer its helpers (hand them the next capture) and hand
 * finished outputs on while it reads its own. A turn costs microseconds; one per read chunk (4 MiB) would do, but
 * `extract` paces once per document entry.
 */
const TURN_EVERY_MS = 2;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Text to a file, in batches of OUTPUT_BATCH_CHARS (one write system call per batch). */
class FileSink implements TextSink {
  private buf = '';
  constructor(
    private readonly fd: number,
    private readonly name: string,
  ) {}

  write(text: string): void {
    this.buf += text;
    if (this.buf.length >= OUTPUT_BATCH_CHARS) this.flush();
  }

  flush(): void {
    if (this.buf === '') return;
    const text = this.buf;
    this.buf = '';
    try {
      writeSync(this.fd, text);
    } catch (e) {
      throw new WriteError('output_write_failed', this.name, `cannot write: ${(e as Error).message}`);
    }
  }
}

/** Passes text on, leaving out `header` when the text starts with it (a CSV header every capture's run writes). */
export class HeaderlessSink implements TextSink {
  private pending = '';
  constructor(
    private readonly out: TextSink,
    private header: string | undefined,
  ) {}

  write(text: string): void {
    const h = this.header;
    if (h === undefined) {
      this.out.write(text);
      return;
    }
    this.pending += text;
    if (this.pending.length < h.length && h.startsWith(this.pending)) return;
    this.end();
  }

  /** Passes on what was held back while it could still have been the header. */
  end(): void {
    const h = this.header;
    if (h === undefined) return;
    this.header = undefined;
    const p = this.pending;
    this.pending = '';
    const rest = p.startsWith(h) ? p.slice(h.length) : p;
    if (rest !== '') this.out.write(rest);
  }
}

export interface RunTaskOptions {
  /** Stop the run at its next pace (the batch stops: --strict, or its output went away). */
  stopped?: () => boolean;
}

/** Runs one capture with its output in `task.outFile`. Never throws: a failure is the result's code and text. */
export async function runTaskToFile(task: BatchTask, commands: CommandRegistry, opts: RunTaskOptions = {}): Promise<BatchResult> {
  const err: string[] = [];
  let fd: number;
  try {
    fd = openSync(task.outFile, 'w');
  } catch (e) {
    return { index: task.index, code: EXIT.INTERNAL, err: `residency: error: cannot write a job's output: ${(e as Error).message}\n` };
  }
  try {
    const out = new FileSink(fd, task.outFile);
    const io = taskIo(out, { write: (t: string) => err.push(t) }, () => undefined, opts);
    const code = await runProgram(task.argv, commands, { ...io, flush: async () => out.flush() });
    return { index: task.index, code, err: err.join('') };
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs one capture writing straight to `io` (the parent's output: the capture whose turn it is), leaving out
 * `header`. Throws OutputClosedError when io's reader went away (the run itself ends quietly then).
 */
export async function runTaskDirect(task: BatchTask, commands: CommandRegistry, io: CliIo, header: string | undefined, opts: RunTaskOptions = {}): Promise<BatchResult> {
  const out = new HeaderlessSink(io.stdout, header);
  const inner = taskIo(out, io.stderr, () => io.pace(), opts);
  const code = await runProgram(task.argv, commands, {
    ...inner,
    flush: async () => {
      out.end();
      const wait = io.pace();
      if (wait !== undefined) await wait;
    },
  });
  const wait = io.pace(); // throws once the output went away, which the run above took as a quiet end
  if (wait !== undefined) await wait;
  return { index: task.index, code, err: '' };
}

function taskIo(stdout: TextSink, stderr: TextSink, outerPace: () => Promise<void> | undefined, opts: RunTaskOptions): CliIo {
  let lastTurn = performance.now();
  return {
    stdout,
    stderr,
    // Progress bars are drawn by nobody in a batch: several captures run at once.
    stderrIsTTY: false,
    pace: () => {
      if (opts.stopped?.() === true) throw new OutputClosedError();
      const wait = outerPace();
      if (wait !== undefined) {
        lastTurn = performance.now();
        return wait;
      }
      const now = performance.now();
      if (now - lastTurn < TURN_EVERY_MS) return undefined;
      lastTurn = now;
      return nextTurn();
    },
    flush: async () => undefined,
  };
}
