// Where a command writes and the exit code it asks for: the process's own streams when it runs as `residency`,
// string buffers when a test runs it in-process (test/golden runs every capture command this way). Commands
// never touch process.stdout, process.stderr or process.exitCode: src/cli/program.ts turns this into the process.

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
}

/** The running process's streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stderrIsTTY: process.stderr.isTTY === true };
}

/** Buffers both streams as text (tests). */
export function bufferIo(): CliIo & { out(): string; err(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stderrIsTTY: false,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
