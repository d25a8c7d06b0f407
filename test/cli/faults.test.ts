// Faults end cleanly, as a user meets them: a child process per case (src/cli/main.ts through tsx: the same
// program.ts and io.ts the installed binary runs; test/cli/bundle.test.ts repeats the EPIPE case on the bundle).
// The reader of our output going away (EPIPE), a batch with a bad capture in it, a gzip capture damaged in the
// middle, file names with control characters.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../conformance/shared-corpus.js';
import { gzipWithInvalidBlockAfter } from '../../src/synth/gzip.js';
import { buildHandsetCapture } from '../pipeline/handset-capture.js';
import { flowRecords, manyFlowsCapture, PCAP_HEADER } from './fault-capture.js';

const CLI = ['--import', 'tsx', join(__dirname, '../../src/cli/main.ts')];
const REPRO = join(SHARED, 'repro');
const HAVE_REPRO = existsSync(join(REPRO, 'README.md'));
/** A test title that says why it is skipped when ../shared/repro is absent. */
const reproTitle = (t: string): string => (HAVE_REPRO ? t : `${t} (skipped: ../shared/repro not found at ${REPRO})`);

function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Runs the command with its stdout on a pipe that we close after `keepBytes` bytes (0: at once, like `| true`),
 * feeding `input` (a generator, possibly endless) to its stdin. Resolves with the exit code and stderr.
 */
function runClosingStdout(args: string[], keepBytes: number, input?: () => Generator<Buffer>): Promise<{ code: number | null; signal: string | null; err: string; got: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    let got = 0;
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    if (keepBytes === 0) child.stdout.destroy();
    else
      child.stdout.on('data', (b: Buffer) => {
        got += b.length;
        if (got >= keepBytes) child.stdout.destroy();
      });
    child.stdin.on('error', () => undefined); // the child stops reading: EPIPE on our side is expected
    if (input === undefined) child.stdin.end();
    else {
      const gen = input();
      const pump = (): void => {
        for (;;) {
          if (child.stdin.destroyed || child.exitCode !== null) return;
          const next = gen.next();
          if (next.done) return void child.stdin.end();
          if (!child.stdin.write(next.value)) return void child.stdin.once('drain', pump);
        }
      };
      pump();
    }
    child.on('exit', (code, signal) => resolve({ code, signal, err, got }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'residency-faults-'));
const many = join(dir, 'many.pcap');
writeFileSync(many, manyFlowsCapture(3000));
const handset = join(dir, 'handset.pcap');
writeFileSync(handset, buildHandsetCapture().pcap);

describe('the reader of our output goes away (EPIPE)', () => {
  const commands = [
    ['flows', '--no-geo'],
    ['flows', '--no-geo', '--format', 'csv'],
    ['flows', '--no-geo', '--format', 'table'],
    ['dns'],
    ['extract'],
  ];
  it.each(commands.map((c) => [c.join(' ')]))('%s | true: exit 0, nothing on stderr', async (cmd) => {
    const r = await runClosingStdout([...cmd.split(' '), many], 0);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('flows | head -c 100 (closed after the first batch): exit 0, nothing on stderr', async () => {
    const r = await runClosingStdout(['flows', '--no-geo', many], 100);
    expect(r.got).toBeGreaterThanOrEqual(100);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('an endless capture on stdin stops being read once the output is closed', async () => {
    // Without the stop this never ends (the test times out): nothing else would end the child.
    const endless = function* (): Generator<Buffer> {
      yield PCAP_HEADER;
      for (let from = 0; ; from += 500) yield flowRecords(from, 500);
    };
    const r = await runClosingStdout(['flows', '--no-geo', '-'], 1000, endless);
    expect(r.got).toBeGreaterThanOrEqual(1000);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);
});

describe('one bad capture does not stop a batch', () => {
  const bad = join(dir, 'notes.txt');
  writeFileSync(bad, 'this is not a capture at all\n');
  const missing = join(dir, 'missing.pcap');

  it('flows reads the others, names the bad ones on stderr, exits 2', () => {
    const r = run(['flows', '--no-geo', handset, bad, missing, many]);
    expect(r.code).toBe(2);
    const caps = r.out.trim().split('\n').map((l) => (JSON.parse(l) as { capture: string }).capture);
    expect(caps.filter((c) => c === 'handset.pcap')).toHaveLength(6);
    expect(caps.filter((c) => c === 'many.pcap')).toHaveLength(3000);
    expect(r.err).toMatch(/error: .*notes\.txt: at byte 0: .*\[capture_unknown_format\]/);
    expect(r.err).toMatch(/error: .*missing\.pcap.*\[capture_open_failed\]/);
    expect(r.err).toContain(`2 of 4 captures could not be read: ${bad}, ${missing}`);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('--strict stops at the first bad capture', () => {
    const r = run(['flows', '--no-geo', '--strict', handset, bad, many]);
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n')).toHaveLength(6);
    expect(r.err).toContain('notes.txt');
    expect(r.err).not.toContain('could not be read');
  });

  it('dns goes on past a bad capture', () => {
    const r = run(['dns', bad, handset]);
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('1 of 2 captures could not be read');
  });

  it('extract: one document per readable capture, in order; the bad one named', () => {
    const r = run(['extract', handset, bad, many]);
    expect(r.code).toBe(2);
    // Documents one after the other: each starts with "{" on its own line.
    const docs = r.out.split(/\n(?=\{\n)/).map((t) => JSON.parse(t) as { capture: string });
    expect(docs.map((d) => d.capture)).toEqual(['handset.pcap', 'many.pcap']);
    expect(r.err).toContain('notes.txt');
  });

  it('a single capture that is not one: exit 2 and no batch summary line', () => {
    const r = run(['extract', bad]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('gzip damaged in the middle', () => {
  it.skipIf(!HAVE_REPRO)(reproTitle('the repro file: the flows before the damage, a located warning'), () => {
    const f = join(REPRO, 'gzip-midstream-corrupt-zraw95_01.gz');
    for (const [args, input] of [[[f], undefined], [['-'], readFileSync(f)]] as const) {
      const r = run(['flows', '--no-geo', ...args], input);
      expect(r.code).toBe(0);
      expect(r.out.trim().split('\n')).toHaveLength(5);
      expect(r.err).toMatch(/warning: .*: at byte 3521: gzip stream damaged: zlib stopped at compressed byte 829: invalid distance too far back.*\[gzip_corrupt\]/);
    }
  });

  it('a synthesized member (an invalid block after 300 flows): those 300 flows, from a file and from stdin', () => {
    const all = manyFlowsCapture(400);
    const cut = 24 + (300 * (all.length - 24)) / 400;
    const { gz, damagedAt } = gzipWithInvalidBlockAfter(all.subarray(0, cut), all.subarray(cut));
    const f = join(dir, 'damaged.pcap.gz');
    writeFileSync(f, gz);
    const fromFile = run(['flows', '--no-geo', f]);
    const fromStdin = run(['flows', '--no-geo', '-'], gz);
    expect(fromFile.code).toBe(0);
    expect(fromFile.out.trim().split('\n')).toHaveLength(300);
    expect(fromStdin.out.replaceAll('"capture":"-"', '"capture":"damaged.pcap.gz"')).toBe(fromFile.out);
    expect(fromFile.err).toContain(`damaged.pcap.gz: at byte ${cut}: gzip stream damaged: zlib stopped at compressed byte ${damagedAt}: invalid block type`);
    expect(fromStdin.err).toContain(`-: at byte ${cut}: gzip stream damaged: zlib stopped at compressed byte ${damagedAt}`);
  });
});

describe('file names with control characters reach the terminal escaped', () => {
  it('warnings, errors and the batch summary escape ESC', () => {
    const evil = join(dir, 'a\x1b[31mb.pcap');
    const full = readFileSync(handset);
    writeFileSync(evil, full.subarray(0, full.length - 30));
    const evilBad = join(dir, 'c\x1b]0;title\x07d.pcap');
    writeFileSync(evilBad, 'not a capture');
    copyFileSync(handset, join(dir, 'plain.pcap'));
    const r = run(['flows', '--no-geo', '--format', 'table', evil, evilBad, join(dir, 'plain.pcap')]);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('\x1b');
    expect(r.err).not.toContain('\x07');
    expect(r.err).toContain('a\\u001b[31mb.pcap');
    expect(r.err).toContain('c\\u001b]0;title\\u0007d.pcap');
    expect(r.out).not.toContain('\x1b');
  });

  it('the audit summary escapes a vendor name and claim text holding an escape sequence', () => {
    const claims = join(dir, 'evil-claims.yaml');
    writeFileSync(claims, 'vendors:\n  - name: "V\\e[2J\\e[31m"\n    captures: ["handset.pcap"]\n    first_party: [alder-sync.com]\n    claims:\n      - { id: c, text: "t\\e]0;x\\a", country: SG }\n');
    const r = run(['audit', claims, '--no-reports']);
    expect(r.code).not.toBe(1);
    expect(r.out + r.err).not.toContain('\x1b');
    expect(r.out).toMatch(/V\\(x1b|u001b)\[2J/);
  });
});
