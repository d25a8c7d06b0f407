// Owns where the geo stage finds its data at run time, from source (src/geo) or from the build (dist/): the data
// folder geo/ at the package root, and listing a data folder.

import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../version.js';

/** Top-level geo data folder (providers.json, regions.json, ranges/). */
export function geoDataDir(): string {
  return path.join(PACKAGE_ROOT, 'geo');
}

/** The files of a folder whose names end in `ext` (any case), sorted by name; none when it is missing or unreadable. */
export function filesIn(dir: string, ext: string): string[] {
  try {
    return fs.readdirSync(dir).filter((n) => n.toLowerCase().endsWith(ext)).sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}
