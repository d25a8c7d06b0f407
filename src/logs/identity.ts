// Owns the identity of a log input in the case store (ingest is idempotent by SHA-256, as for captures): one file
// is the SHA-256 of its bytes (what `sha256sum` prints); several files (a Zeek log set) the SHA-256 of the lines
// `<sha256>  <file name>\n`, one per file sorted by name (byte order): what `sha256sum FILES | LC_ALL=C sort -k2`
// prints in their folder. The same logs always give the same identity.

import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { CaptureError } from '../errors.js';
import { logInputFiles, type LogInput } from './detect.js';

async function fileSha256(file: string): Promise<string> {
  const h = process.getBuiltinModule('node:crypto').createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  } catch (e) {
    throw new CaptureError('log_unreadable', file, 0, (e as Error).message);
  }
  return h.digest('hex');
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
  if (files.length === 1) return { sha256: await fileSha256(files[0]), sizeBytes: size };
  const lines: string[] = [];
  for (const f of [...files].sort((a, b) => (path.basename(a) < path.basename(b) ? -1 : path.basename(a) > path.basename(b) ? 1 : 0))) {
    lines.push(`${await fileSha256(f)}  ${path.basename(f)}\n`);
  }
  return { sha256: process.getBuiltinModule('node:crypto').createHash('sha256').update(lines.join('')).digest('hex'), sizeBytes: size };
}
