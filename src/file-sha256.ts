// Owns the SHA-256 of an input file, streamed in 1 MiB chunks (never held in memory): a log input's identity
// (logs/identity.ts, hashed every time) and the geolocation data files' provenance (geo/sources.ts, geo/locator.ts;
// hashing the embedded files takes ~0.3 s of CPU). Those are remembered in `<cache dir>/file-sha256.json` under the
// file's path with its size, mtime and inode, and trusted only while all three are unchanged (npm and the update
// script write new files); asked only when a provenance is written (ingest, audit): `flows` never hashes. An
// unwritable or damaged cache file is ignored: the file is hashed again.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './version.js';

/** What a cached hash was computed from. */
interface Stamp {
  size: number;
  mtime_ms: number;
  ino: number;
  sha256: string;
}

const CACHE_FILE = 'file-sha256.json';

/** Where hashes are remembered by default: $XDG_CACHE_HOME/residency, else <package root>/node_modules/.cache/residency
 *  (the convention babel and eslint use). */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return xdg && path.isAbsolute(xdg) ? path.join(xdg, 'residency') : path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'residency');
}

/** SHA-256 (hex) of `file`; `cacheDir` null: computed every time. Throws when the file cannot be read. */
export function fileSha256(file: string, cacheDir: string | null): string {
  const st = fs.statSync(file);
  const key = path.resolve(file);
  const cache = cacheDir === null ? {} : readCache(path.join(cacheDir, CACHE_FILE));
  const hit = cache[key];
  if (hit && hit.size === st.size && hit.mtime_ms === st.mtimeMs && hit.ino === st.ino && /^[0-9a-f]{64}$/.test(hit.sha256)) return hit.sha256;
  const sha256 = hashFile(file);
  if (cacheDir !== null) {
    cache[key] = { size: st.size, mtime_ms: st.mtimeMs, ino: st.ino, sha256 };
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const to = path.join(cacheDir, CACHE_FILE);
      const tmp = `${to}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(cache));
      fs.renameSync(tmp, to); // atomic: a concurrent reader sees the old file or the whole new one
    } catch {
      // an unwritable cache dir: hashed again next time
    }
  }
  return sha256;
}

function readCache(file: string): Record<string, Stamp | undefined> {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Stamp | undefined>) : {};
  } catch {
    return {};
  }
}

/** SHA-256 of a file, streamed in 1 MiB chunks (the file is never held in memory). */
function hashFile(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) h.update(chunk.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}
