// Prints a capture's read warnings (damage, truncation) to stderr, naming file and byte offset, with control
// characters of file names and messages escaped for the terminal.

import type { CaptureSummary } from '../../types.js';
import type { CliIo } from '../io.js';
import { terminalText } from '../terminal-text.js';

/** Prints GeoLocator.warnings(): the geolocation data files that answered nothing or less than asked. */
export function reportGeoWarnings(warnings: readonly string[], io: CliIo): void {
  for (const w of warnings) io.stderr.write(`residency: warning: geo data ${terminalText(w)}\n`);
}

export function reportWarnings(s: CaptureSummary, io: CliIo): void {
  for (const w of s.warnings) {
    // The reader's warnings already start with "<file>: at byte <offset>: " (src/capture/read-context.ts).
    const located = w.message.startsWith(`${s.file}: `);
    const at = located ? '' : `${s.file}${w.offset !== undefined ? `: at byte ${w.offset}` : ''}: `;
    io.stderr.write(`residency: warning: ${terminalText(at + w.message)} [${w.code}]\n`);
  }
}
