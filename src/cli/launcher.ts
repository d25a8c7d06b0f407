// The installed `residency` binary (bundled into dist/bin/residency.cjs by scripts/bundle.ts): runs argv[2]'s
// command bundle, or the bundle with every command for help, --version and unknown names, with its code cache.
// Set RESIDENCY_DEBUG_CODE_CACHE=1 to have it say on stderr whether V8 accepted the cache.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './launcher-load.js';

/** The bundle names, put in by the build. */
declare const RESIDENCY_BUNDLES: string[];

const named = process.argv[2];
const name = named !== undefined && named !== 'all' && RESIDENCY_BUNDLES.includes(named) ? named : 'all';
const file = join(dirname(fileURLToPath(import.meta.url)), `${name}.cjs`);
let cache: Buffer | undefined;
try {
  cache = readFileSync(`${file}.cache`);
} catch {
  cache = undefined; // no cache: V8 compiles the bundle as usual
}
const loaded = loadBundle(file, cache);
if (process.env.RESIDENCY_DEBUG_CODE_CACHE === '1') {
  const state = loaded.cacheRejected === undefined ? 'missing' : loaded.cacheRejected ? 'rejected' : 'accepted';
  process.stderr.write(`residency: ${name} bundle, code cache ${state}\n`);
}
// The build (scripts/bundle.ts) runs each command once with this set, so the cache holds what a run compiles.
const cacheOut = process.env.RESIDENCY_CODE_CACHE_OUT;
if (cacheOut !== undefined && cacheOut !== '') {
  process.once('exit', () => writeFileSync(cacheOut, loaded.script.createCachedData()));
}
// Invariant: the build writes every bundle with a run export; a bundle without one is a broken install, not user input.
if (typeof loaded.exports.run !== 'function') throw new Error(`${file}: not a residency command bundle`);
loaded.exports.run(process.argv);
