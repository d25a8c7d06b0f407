// Prints a capture's read warnings (damage, truncation) to stderr, naming file and byte offset.

import type { CaptureSummary } from '../../types.js';
import type { CliIo } from '../io.js';

export function reportWarnings(s: CaptureSummary, io: CliIo): void {
  for (const w of s.warnings) {
    const at = w.offset !== undefined ? ` at byte ${w.offset}` : '';
    io.stderr.write(`residency: warning: ${s.file}${at}: ${w.message} [${w.code}]\n`);
  }
}
