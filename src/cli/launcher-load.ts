// Loads one CommonJS bundle of the installed `residency` binary (dist/bin/, scripts/bundle.ts) through V8 with
// its code cache, as Node's own loader would load it but without compiling what the cache already holds (Node 20
// has no compile cache for CommonJS files). Used by the launcher at run time and by the build to make the cache.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { constants, Script } from 'node:vm';

/** What a command bundle exports. */
export interface BundleExports {
  run?: (argv: string[]) => void;
}

export interface LoadedBundle {
  exports: BundleExports;
  script: Script;
  /** undefined without a cache; true when V8 refused it (another Node build or flags), so it compiled instead. */
  cacheRejected: boolean | undefined;
}

/** Evaluates the bundle at `file` as a CommonJS module, with `cache` (V8 code cache bytes) when given. */
export function loadBundle(file: string, cache: Buffer | undefined): LoadedBundle {
  const source = readFileSync(file, 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  // import() of a package or built-in inside a bundle resolves as it would in any CommonJS file.
  const script = new Script(wrapped, {
    filename: file,
    cachedData: cache,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const fn = script.runInThisContext() as (
    exports: BundleExports,
    require: NodeJS.Require,
    module: { exports: BundleExports },
    filename: string,
    dir: string,
  ) => void;
  const mod = { exports: {} as BundleExports };
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  return { exports: mod.exports, script, cacheRejected: cache === undefined ? undefined : script.cachedDataRejected === true };
}
