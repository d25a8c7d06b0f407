// Builds the installed `residency` binary (dist/bin/): one CommonJS bundle per command (esbuild) plus one with
// every command (help, version, unknown names), each with a V8 code cache, and the launcher residency.cjs that
// picks the bundle for argv[2]. Why: on Node 20, loading the ~60 ES modules of `flows` one by one costs ~100 ms
// before the first packet (module resolution, one compile per file, internal loaders), twice what Node itself
// needs to start here; one pre-compiled bundle per command loads in a fraction of that (numbers in the README,
// from `npm run bench`). Run after tsc by `npm run build`; test/cli/bundle.test.ts builds into a scratch folder.

import { build, type Plugin } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../src/cli/registry.js';

/** The repository root: the nearest folder up with a package.json (dist/scripts/ when built, scripts/ under tsx). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const ROOT = findRoot();

/** The name of the bundle with every command. */
export const ALL = 'all';

/**
 * commander loads node:child_process (and with it net, streams and dgram: ~15 ms of startup here) only to run
 * git-style executable subcommands, which residency does not have. In the bundle, commander gets a stand-in
 * whose functions throw, so a future executable subcommand fails loudly instead of silently.
 */
const noChildProcessForCommander: Plugin = {
  name: 'no-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'residency-stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'residency-stub' }, () => ({
      contents: `const no = (name) => () => { throw new Error('child_process.' + name + ' is not in the residency bundle'); };
module.exports = { spawn: no('spawn'), spawnSync: no('spawnSync'), execFile: no('execFile'), execFileSync: no('execFileSync') };`,
      loader: 'js',
    }));
  },
};

/** The commands that take --jobs: their bundles also hold the worker threads' code (src/jobs/worker.ts), which a
 *  worker runs by requiring the bundle it was started from (src/jobs/self.ts), with the bundle's commands (a batch
 *  helper runs captures through them, src/jobs/batch-helper.ts). */
const JOB_COMMANDS = new Set(['flows', 'dns', 'extract', 'ingest', 'audit']);
const WORKER_EXPORT = `import { residencyJobWorker as jobWorker } from './src/jobs/worker.ts';
export function residencyJobWorker() { jobWorker(COMMANDS); }`;

function entryFor(name: string): string {
  if (name === ALL) {
    return `import { runAsProcess } from './src/cli/program.ts';
import { COMMANDS } from './src/cli/registry.ts';
${WORKER_EXPORT}
export function run(argv) { runAsProcess(argv, COMMANDS); }`;
  }
  return `import { runAsProcess } from './src/cli/program.ts';
import { ${name}Command } from './src/cli/commands/${name}.ts';
const COMMANDS = { ${JSON.stringify(name)}: async (io) => ${name}Command(io) };
${JOB_COMMANDS.has(name) ? WORKER_EXPORT : ''}
export function run(argv) { runAsProcess(argv, COMMANDS); }`;
}

/** Builds every bundle, its code cache and the launcher into outDir (default dist/bin). Returns the bundle names. */
export async function bundle(outDir = join(ROOT, 'dist/bin')): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const names = [...Object.keys(COMMANDS), ALL];
  for (const name of names) {
    const outfile = join(outDir, `${name}.cjs`);
    await build({
      stdin: { contents: entryFor(name), resolveDir: ROOT, sourcefile: `residency-${name}.ts`, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      // better-sqlite3 is a native addon: it stays a package, loaded from node_modules when a command needs it.
      // pg-native: pg's optional native binding, required only when asked for (never by residency).
      external: ['better-sqlite3', 'pg-native'],
      // The sources find the tool root and the geo packages from import.meta.url; a CommonJS bundle has none.
      define: { 'import.meta.url': '__residencyModuleUrl' },
      banner: { js: `const __residencyModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
      plugins: [noChildProcessForCommander],
      logLevel: 'error',
      legalComments: 'none',
    });
  }
  const launcher = join(outDir, 'residency.cjs');
  await build({
    entryPoints: [join(ROOT, 'src/cli/launcher.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: launcher,
    define: { RESIDENCY_BUNDLES: JSON.stringify(names), 'import.meta.url': '__residencyModuleUrl' },
    banner: { js: `#!/usr/bin/env node\nconst __residencyModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
    logLevel: 'error',
  });
  chmodSync(launcher, 0o755);
  writeCodeCaches(outDir, names);
  return names;
}

/**
 * The code caches: V8's compiled form of what a run of each bundle compiles (its top level, commander's parsing,
 * the command's set-up and, for the capture commands, reading a capture), so a run skips that work. Made by
 * running each command once through the launcher: on an empty capture for the capture commands, with --help for
 * the others. A cache is only valid for the Node/V8 build and flags that made it; the launcher compiles as usual
 * when V8 rejects it.
 */
function writeCodeCaches(outDir: string, names: string[]): void {
  const tmp = mkdtempSync(join(tmpdir(), 'residency-bundle-'));
  try {
    const empty = join(tmp, 'empty.pcap');
    writeFileSync(empty, EMPTY_PCAP);
    for (const name of names) {
      const cache = join(outDir, `${name}.cjs.cache`);
      rmSync(cache, { force: true });
      const args = name === ALL ? ['--help'] : CAPTURE_COMMANDS.has(name) ? [name, '--no-geo', empty] : [name, '--help'];
      if (name === 'extract' || name === 'dns') args.splice(1, 1); // they have no --no-geo
      const r = spawnSync(process.execPath, [join(outDir, 'residency.cjs'), ...args], {
        env: { ...process.env, RESIDENCY_CODE_CACHE_OUT: cache },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`warming ${name}: exit ${r.status}: ${r.stderr}`);
      if (!existsSync(cache)) throw new Error(`warming ${name}: no code cache written`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The commands that read a capture; their caches are made on an empty one. */
const CAPTURE_COMMANDS = new Set(['flows', 'extract', 'dns']);

/** A classic pcap header (Ethernet, no packets). */
const EMPTY_PCAP = Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex');

const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== undefined && resolve(process.argv[1]) === self) {
  bundle(process.argv[2]).then(
    (names) => process.stderr.write(`bundled ${names.length} commands into dist/bin\n`),
    (e: unknown) => {
      process.stderr.write(`bundle failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
