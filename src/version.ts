// The tool's version, read once from package.json (reports record it so that an auditor can reproduce them).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

function findPackageJson(): string {
  // src/version.ts and dist/src/version.js both sit below the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const p = join(dir, 'package.json');
    try {
      readFileSync(p);
      return p;
    } catch {
      dir = dirname(dir);
    }
  }
  // Invariant: package.json ships with every install (npm puts it there); without it the install is broken.
  throw new Error('package.json not found');
}

export const PACKAGE_ROOT = dirname(findPackageJson());
export const TOOL_VERSION: string = (JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { version: string }).version;
