// A progress bar on stderr for long reads, shown only when stderr is a terminal; silent otherwise.

import { statSync } from 'node:fs';
import type { CliIo } from './io.js';
import { terminalText } from './terminal-text.js';

export interface Progress {
  update(bytes: number): void;
  done(): void;
}

const QUIET: Progress = { update: () => undefined, done: () => undefined };

export function progressFor(path: string, io: CliIo): Progress {
  if (!io.stderrIsTTY || path === '-') return QUIET;
  let total = 0;
  try {
    total = statSync(path).size;
  } catch {
    return QUIET;
  }
  if (total < 32 << 20) return QUIET;
  const started = Date.now();
  let last = 0;
  const shown = terminalText(path);
  const name = shown.length > 40 ? '…' + shown.slice(-39) : shown;
  return {
    update(bytes: number) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const frac = Math.min(1, bytes / total);
      const width = 30;
      const full = Math.round(frac * width);
      const mbs = bytes / 1e6 / Math.max(0.001, (now - started) / 1000);
      io.stderr.write(`\r${name} [${'#'.repeat(full)}${' '.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mbs.toFixed(0)} MB/s`);
    },
    done() {
      io.stderr.write('\r\x1b[2K');
    },
  };
}
