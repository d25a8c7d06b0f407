// How a run starts more of itself: the argv of a child `residency` process and the script of a worker thread, in
// each of the three shapes the code runs in. The installed binary runs from one CommonJS bundle per command
// (dist/bin/<command>.cjs, scripts/bundle.ts): a child goes through the launcher beside it, a worker requires the
// bundle and calls its exported residencyJobWorker. The compiled modules (dist/src) start src/cli/main.js and
// src/jobs/worker.js. The TypeScript sources (tests, tsx) do the same with tsx registered.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const HERE = import.meta.url;
const BUNDLED = HERE.endsWith('.cjs');
const FROM_TS = HERE.endsWith('.ts');

/** argv (after the node binary) that runs `residency` again. */
export function selfArgv(): string[] {
  const file = fileURLToPath(HERE);
  if (BUNDLED) return [join(dirname(file), 'residency.cjs')];
  const main = fileURLToPath(new URL(`../cli/main.${FROM_TS ? 'ts' : 'js'}`, HERE));
  return FROM_TS ? ['--import', tsxEsm(), main] : [main];
}

/** A worker thread running src/jobs/worker.ts's residencyJobWorker with `workerData` and the commands at hand (the
 *  bundle's, or every command from the registry). */
export function startWorker(workerData: unknown, opts: Omit<WorkerOptions, 'workerData' | 'eval'> = {}): Worker {
  if (BUNDLED) return new Worker(bundleWorkerCode(fileURLToPath(HERE)), { ...opts, eval: true, workerData });
  const ext = FROM_TS ? 'ts' : 'js';
  const entry = JSON.stringify(new URL(`./worker.${ext}`, HERE).href);
  const registry = JSON.stringify(new URL(`../cli/registry.${ext}`, HERE).href);
  const load = `Promise.all([import(${entry}), import(${registry})]).then(([w, r]) => w.residencyJobWorker(r.COMMANDS))`;
  const code = FROM_TS ? `import(${JSON.stringify(pathToUrl(tsxApi()))}).then((m) => { m.register(); return ${load}; });` : `${load};`;
  return new Worker(code, { ...opts, eval: true, workerData });
}

/**
 * A worker loads the bundle it was started from as the launcher does (src/cli/launcher-load.ts), with the bundle's
 * V8 code cache: a plain require compiled the bundle again in every worker (~60 ms of CPU each, measured with
 * 2 workers: 220 ms without the cache).
 */
function bundleWorkerCode(file: string): string {
  return `const fs = require('node:fs'), vm = require('node:vm'), path = require('node:path'), { createRequire } = require('node:module');
const file = ${JSON.stringify(file)};
let cachedData;
try { cachedData = fs.readFileSync(file + '.cache'); } catch { cachedData = undefined; }
const script = new vm.Script('(function (exports, require, module, __filename, __dirname) { ' + fs.readFileSync(file, 'utf8') + '\\n})',
  { filename: file, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
const mod = { exports: {} };
script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
mod.exports.residencyJobWorker();`;
}

/** tsx's ESM register API (what `import('tsx/esm/api')` gives an ES module). */
function tsxApi(): string {
  return join(dirname(createRequire(HERE).resolve('tsx/package.json')), 'dist/esm/api/index.mjs');
}

/** tsx's loader, as `node --import tsx` finds it from the repository. */
function tsxEsm(): string {
  return pathToUrl(join(dirname(createRequire(HERE).resolve('tsx/package.json')), 'dist/loader.mjs'));
}

function pathToUrl(p: string): string {
  return new URL(`file://${p}`).href;
}
