// Locates the shared capture corpus (../shared/captures beside the repository) and lists its captures.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SHARED = resolve(REPO_ROOT, '../shared');
export const CORPUS = join(SHARED, 'captures');
export const HAVE_CORPUS = existsSync(join(CORPUS, 'MANIFEST.md'));
export const SKIP_MESSAGE = `shared capture corpus not found at ${CORPUS}: conformance tests skipped`;

/** Capture paths relative to the corpus folder, sorted (expected/ and MANIFEST.md excluded). */
export function corpusFiles(): string[] {
  if (!HAVE_CORPUS) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) {
        if (e !== 'expected') walk(p);
      } else if (e !== 'MANIFEST.md') out.push(relative(CORPUS, p));
    }
  };
  walk(CORPUS);
  return out;
}
