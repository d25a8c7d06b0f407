#!/usr/bin/env node
// The `residency` program from the compiled modules (dist/src/cli/main.js) or the sources (tsx): every command,
// loaded lazily. The installed binary runs from per-command bundles instead (scripts/bundle.ts, dist/bin/), which
// start faster; both go through src/cli/program.ts.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runAsProcess, runProgram } from './program.js';
import { COMMANDS } from './registry.js';

export { COMMANDS };

/** Runs the whole program on argv; resolves to the exit code. */
export function main(argv: string[]): Promise<number> {
  return runProgram(argv, COMMANDS);
}

// Run when executed directly (not when imported by tests).
const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === self) runAsProcess(process.argv, COMMANDS);
