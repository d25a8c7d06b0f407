#!/usr/bin/env node
// The `residency` command: registers the command modules and is the only place that turns errors into exit
// codes (src/errors.ts EXIT). Commands set process.exitCode for their own outcomes (audit verdicts, drift).

import { Command } from 'commander';
import { CaptureError, EXIT, InternalError, UsageError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';

/** Command modules, loaded only when used: `flows` must not pay for SQLite, the report renderers and the
 *  geolocation readers (startup on an empty capture is measured by npm run bench). */
const COMMANDS: Record<string, () => Promise<Command>> = {
  extract: async () => (await import('./commands/extract.js')).extractCommand(),
  flows: async () => (await import('./commands/flows.js')).flowsCommand(),
  dns: async () => (await import('./commands/dns.js')).dnsCommand(),
  geo: async () => (await import('./commands/geo.js')).geoCommand(),
  ingest: async () => (await import('./commands/ingest.js')).ingestCommand(),
  audit: async () => (await import('./commands/audit.js')).auditCommand(),
  report: async () => (await import('./commands/report.js')).reportCommand(),
  regress: async () => (await import('./commands/regress.js')).regressCommand(),
};

/** The program with the command named in argv (or every command, for help and unknown names). */
export async function buildProgram(argv: string[] = process.argv): Promise<Command> {
  const program = new Command('residency')
    .description('Where does user data go? Flows, names, geolocation and vendor-claim verdicts from packet captures.')
    .version(TOOL_VERSION)
    .showHelpAfterError()
    .exitOverride();
  const named = argv[2];
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  for (const n of names) program.addCommand((await COMMANDS[n]()).exitOverride());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    return exitCodeFor(e);
  }
}

function exitCodeFor(e: unknown): number {
  const err = e as { code?: string; exitCode?: number; message?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('commander.')) {
    // Help and version exit 0; usage mistakes were already printed by commander.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
    return EXIT.BAD_INPUT;
  }
  if (e instanceof CaptureError || e instanceof UsageError) {
    process.stderr.write(`residency: error: ${e.message} [${e.code}]\n`);
    return EXIT.BAD_INPUT;
  }
  const sys = e as NodeJS.ErrnoException;
  if (sys?.code === 'ENOENT' || sys?.code === 'EACCES' || sys?.code === 'EISDIR') {
    process.stderr.write(`residency: error: ${sys.message}\n`);
    return EXIT.BAD_INPUT;
  }
  const what = e instanceof InternalError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`residency: internal error (please report): ${what}\n`);
  return EXIT.INTERNAL;
}

// Run when executed directly (not when imported by tests).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === self) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`residency: internal error (please report): ${String(e)}\n`);
      process.exitCode = EXIT.INTERNAL;
    },
  );
}
