// The `residency` program around a set of command modules: builds the commander program and is the only place
// that turns errors into exit codes (src/errors.ts EXIT). Commands set io.exitCode (src/cli/io.ts) for their own outcomes
// (audit verdicts, drift). Which commands exist is the caller's choice: src/cli/registry.ts lists all of them
// (loaded lazily); the per-command bundles that `residency` runs from (scripts/bundle.ts) pass just one.

import { Command } from 'commander';
import { CaptureError, EXIT, InternalError, OutputClosedError, StoreError, UsageError, WriteError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { processIo, type CliIo } from './io.js';
import { terminalLines, terminalText } from './terminal-text.js';

/** Command name → a loader of its commander definition. */
export type CommandRegistry = Record<string, (io: CliIo) => Promise<Command>>;

/** The program with the command named in argv (or every command, for help and unknown names). */
export async function buildProgram(argv: string[], commands: CommandRegistry, io: CliIo = processIo()): Promise<Command> {
  const program = new Command('residency')
    .description('Where does user data go? Flows, names, geolocation and vendor-claim verdicts from packet captures.')
    .version(TOOL_VERSION)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (t) => void io.stdout.write(t), writeErr: (t) => void io.stderr.write(t) });
  const named = argv[2];
  // --version needs no command; help and unknown names need every command's summary.
  const names =
    named === '--version' || named === '-V' ? [] : named !== undefined && Object.hasOwn(commands, named) ? [named] : Object.keys(commands);
  for (const n of names) {
    const cmd = await commands[n](io);
    program.addCommand(cmd.exitOverride().configureOutput({ writeOut: (t) => void io.stdout.write(t), writeErr: (t) => void io.stderr.write(t) }));
  }
  return program;
}

/** Runs the program on argv and returns the exit code (never throws). Standard output is flushed before an error
 *  is printed, so the error comes after the output it interrupted. */
export async function runProgram(argv: string[], commands: CommandRegistry, io: CliIo = processIo()): Promise<number> {
  let failure: unknown;
  try {
    await (await buildProgram(argv, commands, io)).parseAsync(argv);
  } catch (e) {
    failure = e;
  }
  try {
    await io.flush();
  } catch (e) {
    failure ??= e;
  }
  return failure === undefined ? (io.exitCode ?? EXIT.OK) : exitCodeFor(failure, io);
}

/** System errors that name a cause the user can act on (a missing file, a full disk, a read-only folder). */
const SYSTEM_CAUSES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'ELOOP', 'ENAMETOOLONG', 'EMFILE']);

function exitCodeFor(e: unknown, io: CliIo): number {
  const err = e as { code?: string; exitCode?: number; message?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('commander.')) {
    // Help and version exit 0; usage mistakes were already printed by commander.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
    return EXIT.BAD_INPUT;
  }
  // The reader of our output went away: stop quietly, as `cat` does, with the outcome decided so far.
  if (e instanceof OutputClosedError || err?.code === 'EPIPE') return io.exitCode ?? EXIT.OK;
  if (e instanceof CaptureError || e instanceof WriteError || e instanceof StoreError) {
    io.stderr.write(`residency: error: ${terminalText(e.message)} [${e.code}]\n`);
    return EXIT.BAD_INPUT;
  }
  if (e instanceof UsageError) {
    io.stderr.write(`residency: error: ${terminalLines(e.message)} [${e.code}]\n`);
    return EXIT.BAD_INPUT;
  }
  const sys = e as NodeJS.ErrnoException;
  if (typeof sys?.code === 'string' && SYSTEM_CAUSES.has(sys.code)) {
    io.stderr.write(`residency: error: ${terminalText(sys.message)} [${sys.code}]\n`);
    return EXIT.BAD_INPUT;
  }
  const what = e instanceof InternalError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  io.stderr.write(`residency: internal error (please report): ${what}\n`);
  return EXIT.INTERNAL;
}

/** Runs the program as the process: sets process.exitCode when done. */
export function runAsProcess(argv: string[], commands: CommandRegistry): void {
  runProgram(argv, commands).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`residency: internal error (please report): ${String(e)}\n`);
      process.exitCode = EXIT.INTERNAL;
    },
  );
}
