// Owns where the geo stage finds its data at run time, from source (src/geo) or from the build (dist/src/geo):
// the package root is the nearest ancestor holding geo/providers.json; the ASN cache defaults to
// $XDG_CACHE_HOME/residency, else <package root>/node_modules/.cache/residency (the convention babel/eslint use).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** The residency package root (falls back to the current directory when the data folder is missing). */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'geo', 'providers.json'))) return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return (root = process.cwd());
}

/** Top-level geo data folder (providers.json, regions.json, ranges/). */
export function geoDataDir(): string {
  return path.join(packageRoot(), 'geo');
}

export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'residency');
  return path.join(packageRoot(), 'node_modules', '.cache', 'residency');
}
