// User mistakes end as the user meets them: exit 2, `residency: error: ... [code]` on stderr with the stable code
// of the README's "Error codes" table, no stack trace. Files, options, environment variables, claims, measurement
// files, stores and regress's expected report, each through the whole program (src/cli/program.ts), and one in a
// child process (src/cli/main.ts through tsx), as the installed binary runs.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { EXIT } from '../../src/errors.js';
import { MEMORY_BUDGET_ENV } from '../../src/limits.js';
import { PCAP_HEADER } from './fault-capture.js';

const dir = mkdtempSync(join(tmpdir(), 'residency-typed-errors-'));
const at = (name: string): string => join(dir, name);

afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLAIM = 'claims: [{ id: c, text: t, country: FR }]';
writeFileSync(at('not-a-capture.pcap'), 'hello, this is text');
writeFileSync(at('ok.pcap'), PCAP_HEADER);
writeFileSync(at('bad.yaml'), 'vendors: [\n');
writeFileSync(at('wrong-field.yaml'), `vendors:\n  - { name: V, captures: [ok.pcap], first_party: [v.example], ${CLAIM}, colour: red }\n`);
writeFileSync(
  at('no-measurement.yaml'),
  'vantage: { name: L, lat: 1, lon: 2, country: FR }\nmeasurements:\n  - { file: nowhere.txt, kind: ping }\n' +
    `vendors:\n  - { name: V, captures: [ok.pcap], first_party: [v.example], ${CLAIM} }\n`,
);
writeFileSync(at('good.yaml'), `vendors:\n  - { name: V, captures: [ok.pcap], first_party: [v.example], ${CLAIM} }\n`);
mkdirSync(at('expected-empty'));

/** Runs the program in this process; returns the exit code and stderr. */
async function run(args: string[]): Promise<{ code: number; err: string }> {
  const io = bufferIo();
  const code = await runProgram(['node', 'residency', ...args], COMMANDS, io);
  return { code, err: io.err() };
}

/** The error the program prints last for a typed error (after any progress lines such as `ingested: ...`): its
 *  message and code, and no stack trace. */
function expectTypedError(r: { code: number; err: string }, code: string, says: RegExp): void {
  expect(r.code).toBe(EXIT.BAD_INPUT);
  const error = r.err.slice(r.err.indexOf('residency: error: '));
  expect(error, r.err).toMatch(/^residency: error: /);
  expect(error.endsWith(` [${code}]\n`), r.err).toBe(true);
  expect(error).toMatch(says);
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.err).not.toMatch(/internal error|please report/);
}

describe('user mistakes exit 2 with a stable code and no stack trace', () => {
  it.each([
    ['a file that is not a capture', ['flows', '--no-geo', at('not-a-capture.pcap')], 'capture_unknown_format', /not-a-capture\.pcap: at byte 0: not a pcap or pcapng file/],
    ['a capture that is not there', ['dns', at('missing.pcap')], 'capture_open_failed', /missing\.pcap: at byte 0: ENOENT/],
    ['an option out of range', ['flows', '--jobs', '0', at('ok.pcap')], 'bad_jobs', /--jobs "0"/],
    ['a claims file that is not YAML', ['audit', at('bad.yaml')], 'claims_invalid', /bad\.yaml:\d+:/],
    ['a claims file with an unknown key', ['audit', at('wrong-field.yaml')], 'claims_invalid', /vendors\[0\]\.colour: unknown field/],
    ['a measurement file that is not there', ['audit', at('no-measurement.yaml')], 'measurement_unreadable', /nowhere\.txt: cannot read measurement file/],
    ['report from a store that does not exist', ['report', '--db', at('none.db'), '--claims', at('good.yaml')], 'store_missing', /none\.db: no case store to report from/],
    ['regress without its expected report', ['regress', at('good.yaml'), '--expected', at('expected-empty')], 'regress_missing_report', /expected report not found: .*report\.json/],
    ['regress with a claims file that is not there', ['regress', at('absent.yaml'), '--expected', at('expected-empty')], 'claims_unreadable', /absent\.yaml: claims file not found/],
  ] as [string, string[], string, RegExp][])('%s', async (_what, args, code, says) => {
    expectTypedError(await run(args), code, says);
  });

  it('a bad memory budget in the environment (RESIDENCY_MEMORY_BUDGET_MB)', async () => {
    vi.stubEnv(MEMORY_BUDGET_ENV, 'lots');
    expectTypedError(await run(['flows', '--no-geo', at('ok.pcap')]), 'bad_memory_budget', new RegExp(`${MEMORY_BUDGET_ENV} "lots"`));
  });

  it('a store that is not a store', async () => {
    writeFileSync(at('text.db'), 'not a database, only text that is long enough to be read as a header by SQLite.');
    expectTypedError(await run(['ingest', '--db', at('text.db'), at('ok.pcap')]), 'store_damaged', /text\.db: not a case store, or damaged/);
  });

  it('as a process: exit status 2 and the one line on stderr (src/cli/main.ts)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/cli/main.ts'), 'regress', at('absent.yaml')], { encoding: 'utf8' });
    expect(r.status).toBe(EXIT.BAD_INPUT);
    expect(r.stderr).toBe(`residency: error: ${at('absent.yaml')}: claims file not found [claims_unreadable]\n`);
  }, 30_000);
});
