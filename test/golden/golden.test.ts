// Golden files (Zeek btest baselines are the model): for every sample capture and every capture of the shared
// corpus, the exact output of `flows --no-geo`, `flows --vantage LAT,LON` (embedded geo data), `dns` and
// `extract`, run in-process through the same program the `residency` binary runs, compared byte for byte with
// test/golden/<group>/<capture>.<kind>. What the commands print on stderr (warnings) and a non-zero exit code are
// a golden file too (<capture>.stderr).
// `UPDATE=1 npm test` rewrites them; never edit them by hand. Read the diff before committing it.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { CORPUS, HAVE_CORPUS, REPO_ROOT, SKIP_MESSAGE, corpusFiles } from '../conformance/shared-corpus.js';
import { GOLDEN_KINDS, GOLDEN_VANTAGE, sampleCaptures } from './golden-kinds.js';

const UPDATE = process.env.UPDATE === '1';
const GOLDEN = join(REPO_ROOT, 'test/golden');

interface Case {
  /** Golden file stem, relative to test/golden. */
  stem: string;
  /** Capture path as given on the command line (relative to the repository root, where vitest runs). */
  arg: string;
}

function cases(): Case[] {
  const out: Case[] = sampleCaptures().map((rel) => ({ stem: join('samples', rel), arg: join('captures', rel) }));
  for (const rel of corpusFiles()) out.push({ stem: join('shared', rel), arg: relative(REPO_ROOT, join(CORPUS, rel)) });
  return out;
}

/** Compares (or, with UPDATE=1, writes) one golden file; absent golden file = expected empty output. */
function check(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (UPDATE) {
    if (actual === '') rmSync(path, { force: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, actual);
    }
    return;
  }
  const expected = existsSync(path) ? readFileSync(path, 'utf8') : '';
  // toBe on the whole text: vitest prints a line diff when they differ.
  expect(actual, `${file} differs from its golden file (UPDATE=1 npm test rewrites it after you read the diff)`).toBe(expected);
}

describe('golden files', () => {
  if (!HAVE_CORPUS) it.skip(`${SKIP_MESSAGE} (the sample captures still run)`, () => undefined);
  for (const c of cases()) {
    it(c.stem, async () => {
      let stderr = '';
      for (const k of GOLDEN_KINDS) {
        const io = bufferIo();
        const argv = ['node', 'residency', ...k.args(c.arg)];
        const code = await runProgram(argv, COMMANDS, io);
        check(`${c.stem}.${k.suffix}`, io.out());
        // stderr and a non-zero exit code of each command, under the command line.
        if (io.err() !== '' || code !== 0) stderr += `$ residency ${argv.slice(2).join(' ')}\n${io.err()}${code !== 0 ? `[exit ${code}]\n` : ''}`;
      }
      check(`${c.stem}.stderr`, stderr);
    });
  }
});

describe('golden file set', () => {
  it('holds no golden file whose capture is gone (UPDATE=1 removes them)', () => {
    const known = new Set<string>();
    for (const c of cases()) {
      for (const k of GOLDEN_KINDS) known.add(`${c.stem}.${k.suffix}`);
      known.add(`${c.stem}.stderr`);
    }
    const orphans: string[] = [];
    const walk = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (!known.has(relative(GOLDEN, p))) orphans.push(relative(GOLDEN, p));
      }
    };
    walk(join(GOLDEN, 'samples'));
    if (HAVE_CORPUS) walk(join(GOLDEN, 'shared'));
    if (UPDATE) for (const o of orphans) rmSync(join(GOLDEN, o));
    else expect(orphans).toEqual([]);
  });
});

describe('golden vantage', () => {
  it('is the sample case lab (captures/claims.yaml)', () => {
    const claims = readFileSync(join(REPO_ROOT, 'captures/claims.yaml'), 'utf8');
    expect(claims).toContain(`lat: ${GOLDEN_VANTAGE.lat}`);
    expect(claims).toContain(`lon: ${GOLDEN_VANTAGE.lon}`);
  });
});
