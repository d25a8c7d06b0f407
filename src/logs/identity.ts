// Owns the identity of a log input in the case store (ingest is idempotent by SHA-256, as for captures): one file
// is the SHA-256 of its bytes (what `sha256sum` prints); several files (a Zeek log set) the SHA-256 of the lines
// `<sha256>  <file name>\n`, one per file sorted by name (byte order): what `sha256sum FILES | LC_ALL=C sort -k2`
// prints in their folder. The same logs always give the same identity.

import { statSync } from 'node:fs';
import path from 'node:path';
import { CaptureError } from '../errors.js';
import { fileSha256 } from '../file-sha256.js';
import { logInputFiles, type LogInput } from './detect.js';

/** SHA-256 of one log file (never remembered: a log can be appended to within the same second). */
function sha256Of(file: string): string {
  try {
    return fileSha256(file, null);
  } catch (e) {
    throw new CaptureError('log_unreadable', file, 0, (e as Error).message);
  }
}

export async function logInputIdentity(input: LogInput): Promise<{ sha256: string; sizeBytes: number }> {
  const files = logInputFiles(input).map((f) => f.file);
  let size = 0;
  for (const f of files) {
    try {
      size += statSync(f).size;
    } catch (e) {
      throw new CaptureError('log_unreadable', f, 0, (e as Error).message);
    }
  }
  if (files.length === 1) return { sha256: sha256Of(files[0]), sizeBytes: size };
  const lines: string[] = [];
  for (const f of [...files].sort((a, b) => (path.basename(a) < path.basename(b) ? -1 : path.basename(a) > path.basename(b) ? 1 : 0))) {
    lines.push(`${sha256Of(f)}  ${path.basename(f)}\n`);
  }
  return { sha256: process.getBuiltinModule('node:crypto').createHash('sha256').update(lines.join('')).digest('hex'), sizeBytes: size };
}
