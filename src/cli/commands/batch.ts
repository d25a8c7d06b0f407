// Runs a capture command over many captures: a capture that cannot be read (not a capture, missing, unreadable)
// is named on stderr and the others are still read; the run then ends with exit 2 naming every such capture.
// `--strict` stops at the first one instead (the error ends the run, as it did for a single capture).

import { CaptureError, EXIT } from '../../errors.js';
import type { CliIo } from '../io.js';
import { terminalText } from '../terminal-text.js';

export const STRICT_HELP = 'stop at the first capture that cannot be read (default: report it, read the others, exit 2 at the end)';

export async function forEachCapture(captures: readonly string[], io: CliIo, strict: boolean, each: (capture: string) => Promise<void>): Promise<void> {
  const failed: string[] = [];
  for (const c of captures) {
    try {
      await each(c);
    } catch (e) {
      if (strict || !(e instanceof CaptureError)) throw e;
      io.stderr.write(`residency: error: ${terminalText(e.message)} [${e.code}]\n`);
      failed.push(c);
    }
  }
  if (failed.length === 0) return;
  if (captures.length > 1) {
    const names = failed.map((f) => terminalText(f)).join(', ');
    io.stderr.write(`residency: ${failed.length} of ${captures.length} captures could not be read: ${names}\n`);
  }
  io.exitCode = EXIT.BAD_INPUT;
}
