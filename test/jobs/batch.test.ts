// Several captures on several cores (--jobs N: this process and N-1 long-lived helper threads share the captures,
// src/jobs/batch.ts) print what --jobs 1 prints: the same output in the order the captures were given, the same
// warnings and errors, the same exit code, one CSV header; with --jobs 2 one helper runs several captures.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = ['--import', 'tsx', join(__dirname, '../../src/cli/main.ts')];
const ROOT = join(__dirname, '../..');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const CAPTURES = [
  'captures/vendor-alder/alder-phone.pcap',
  'captures/vendor-birch/birch-two-phones.pcapng',
  'does-not-exist.pcap',
  'captures/vendor-cedar/cedar-phone.pcapng',
  'captures/vendor-dogwood/dogwood-tablet-rawip.pcap',
];

describe('--jobs over several captures', () => {
  for (const cmd of [['flows', '--no-geo'], ['flows', '--no-geo', '--format', 'csv'], ['dns'], ['extract']]) {
    it(`${cmd.join(' ')}: --jobs 3 prints what --jobs 1 prints, a capture that cannot be read included`, () => {
      const one = run([...cmd, '--jobs', '1', ...CAPTURES]);
      const three = run([...cmd, '--jobs', '3', ...CAPTURES]);
      expect(one.code).toBe(2);
      expect(one.out.length).toBeGreaterThan(1000);
      expect(three).toEqual(one);
      if (cmd.includes('csv')) expect(three.out.split('\n').filter((l) => l.startsWith('capture,flow_id')).length).toBe(1);
    });
  }

  it('--strict stops at the first capture that cannot be read, in the order given', () => {
    const one = run(['dns', '--strict', '--jobs', '1', ...CAPTURES]);
    const two = run(['dns', '--strict', '--jobs', '2', ...CAPTURES]);
    expect(one.code).toBe(2);
    expect(two).toEqual(one);
    expect(two.out).not.toContain('cedar-phone');
  });

  it('flows with geolocation (the default): --jobs 2 prints what --jobs 1 prints, one helper running several captures', () => {
    const one = run(['flows', '--jobs', '1', ...CAPTURES]);
    const two = run(['flows', '--jobs', '2', ...CAPTURES]);
    expect(one.code).toBe(2);
    expect(one.out).toContain('"country"');
    expect(two).toEqual(one);
  });

  it('a geo dir file no lookup can use: --jobs 3 warns once, as --jobs 1 does (each helper has its own locator)', () => {
    const geoDir = mkdtempSync(join(tmpdir(), 'residency-batch-geo-'));
    try {
      writeFileSync(join(geoDir, 'notes.mmdb'), 'not an mmdb');
      const args = ['flows', '--geo-dir', geoDir, CAPTURES[0], CAPTURES[1], CAPTURES[3], CAPTURES[4]];
      const one = run([...args, '--jobs', '1']);
      const three = run([...args, '--jobs', '3']);
      expect(one.code).toBe(0);
      expect(one.err.split('\n').filter((l) => l.startsWith('residency: warning: geo data '))).toEqual([
        `residency: warning: geo data ${join(geoDir, 'notes.mmdb')}: not used: no MaxMind DB metadata`,
      ]);
      expect(three).toEqual(one);
    } finally {
      rmSync(geoDir, { recursive: true, force: true });
    }
  });

  it('two captures with --jobs 2 (one helper), and a CSV whose first capture cannot be read: one header, as --jobs 1', () => {
    const pair = [CAPTURES[0], CAPTURES[3]];
    expect(run(['dns', '--jobs', '2', ...pair])).toEqual(run(['dns', '--jobs', '1', ...pair]));
    const failingFirst = ['flows', '--no-geo', '--format', 'csv', CAPTURES[2], CAPTURES[1], CAPTURES[4]];
    const one = run([...failingFirst, '--jobs', '1']);
    const two = run([...failingFirst, '--jobs', '2']);
    expect(one.code).toBe(2);
    expect(two).toEqual(one);
    expect(two.out.split('\n').filter((l) => l.startsWith('capture,flow_id')).length).toBe(1);
  });

  it('--strict with more jobs than captures before the failing one: what --jobs 1 prints', () => {
    const order = [CAPTURES[0], CAPTURES[2], CAPTURES[1], CAPTURES[3]];
    const one = run(['extract', '--strict', '--jobs', '1', ...order]);
    const four = run(['extract', '--strict', '--jobs', '4', ...order]);
    expect(one.code).toBe(2);
    expect(one.err).toContain('does-not-exist.pcap');
    expect(four).toEqual(one);
  });

  it('the output reader going away ends the run quietly, helpers included', () => {
    // 32 captures: ~100 KB of output, more than a pipe holds, so writes fail once head has gone.
    const readable = CAPTURES.filter((c) => !c.startsWith('does-not'));
    const many = Array.from({ length: 8 }, () => readable).flat();
    const cli = [...CLI, 'flows', '--no-geo', '--jobs', '3', ...many].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('bash', ['-c', `set -o pipefail; '${process.execPath}' ${cli} | head -c 100 >/dev/null`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses a --jobs that is not a whole number from 1 to 64', () => {
    for (const bad of ['0', '-1', '1.5', 'many', '65']) {
      const r = run(['flows', '--no-geo', '--jobs', bad, CAPTURES[0]]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('bad_jobs');
    }
  });
});
