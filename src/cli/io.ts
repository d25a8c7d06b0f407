// Where a command writes and the exit code it asks for: the process's own streams when it runs as `residency`,
// string buffers when a test runs it in-process (test/golden runs every capture command this way). Commands
// never touch process.stdout, process.stderr or process.exitCode: src/cli/program.ts turns this into the process.
//
// Standard output is batched (OUTPUT_BATCH_CHARS per write: one system call per batch, not per record) and paced:
// between read chunks the capture reader asks `pace()` (AnalyzeOptions.pace), which waits for 'drain' when the
// reader of our output is slower than we are, so a slow pipe holds back the capture read instead of piling the
// output up in memory. When the reader goes away (EPIPE: `| head -1`), the next write or pace throws
// OutputClosedError: the read stops at once and program.ts ends the run quietly, as `cat` does.

import type { Writable } from 'node:stream';
import { OutputClosedError, WriteError } from '../errors.js';
import { OUTPUT_BATCH_CHARS } from '../limits.js';

/** Anything a command can write text to. */
export interface TextSink {
  write(text: string): unknown;
}

export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Whether stderr is a terminal (progress bars are drawn only then). */
  readonly stderrIsTTY: boolean;
  /** The outcome a command asks for (audit verdicts, drift); program.ts reads it after the command returns. */
  exitCode?: number;
  /** Called between capture read chunks: undefined when stdout can take more now, else a promise that resolves
   *  once it can. Throws OutputClosedError (or WriteError) once stdout cannot be written any more. */
  pace(): Promise<void> | undefined;
  /** Writes out what stdout still holds; resolves when the stream took it. Throws like `pace`. */
  flush(): Promise<void>;
}

/** Batches text into a Writable, honouring its backpressure and noticing when it fails (see module comment). */
export class StreamOutput implements TextSink {
  private buf = '';
  private failure: Error | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly name: string,
    private readonly batchChars = OUTPUT_BATCH_CHARS,
  ) {
    // The stream reports a failed write as an 'error' event on the next tick; unheard, it would crash the process
    // with a stack trace. The failure itself is read synchronously from `errored` (see push()).
    stream.on('error', (e: Error) => {
      this.failure ??= e;
    });
  }

  write(text: string): void {
    if (this.failure !== undefined) throw this.error();
    this.buf += text;
    if (this.buf.length >= this.batchChars) this.push();
  }

  pace(): Promise<void> | undefined {
    this.push();
    if (this.failure !== undefined) throw this.error();
    return this.stream.writableNeedDrain ? this.drained() : undefined;
  }

  async flush(): Promise<void> {
    this.push();
    if (this.failure !== undefined) throw this.error();
    if (this.stream.writableNeedDrain) await this.drained();
  }

  private push(): void {
    if (this.buf === '' || this.failure !== undefined) return;
    const text = this.buf;
    this.buf = '';
    this.stream.write(text);
    // A synchronous write (files, pipes and terminals on Linux) that failed has already set `errored`.
    const e = this.stream.errored;
    if (e !== null && e !== undefined) this.failure ??= e;
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        if (this.failure !== undefined) reject(this.error());
        else resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  private error(): Error {
    const e = this.failure as NodeJS.ErrnoException;
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || e.code === 'ECONNRESET') return new OutputClosedError();
    return new WriteError('output_write_failed', this.name, `cannot write: ${e.message}`);
  }
}

/** One StreamOutput for the process's stdout (it listens on the stream: made once, however many runs). */
let processStdout: StreamOutput | undefined;

/** The running process's streams. */
export function processIo(): CliIo {
  if (processStdout === undefined) {
    processStdout = new StreamOutput(process.stdout, 'standard output');
    // Warnings go out at once (no batching); a closed stderr (`2>&1 | head`) must not crash the run either.
    process.stderr.on('error', () => undefined);
  }
  const stdout = processStdout;
  return {
    stdout,
    stderr: process.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    pace: () => stdout.pace(),
    flush: () => stdout.flush(),
  };
}

/** Buffers both streams as text (tests). */
export function bufferIo(): CliIo & { out(): string; err(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stderrIsTTY: false,
    pace: () => undefined,
    flush: async () => undefined,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
