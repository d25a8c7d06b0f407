// Several captures on several cores (--jobs N: one child process per capture, src/jobs/batch.ts) print what
// --jobs 1 prints: the same output in the order the captures were given, the same warnings and errors, the same
// exit code, one CSV header.

import { spawnSync } from 'node:child_process';
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

  it('refuses a --jobs that is not a whole number from 1 to 64', () => {
    for (const bad of ['0', '-1', '1.5', 'many', '65']) {
      const r = run(['flows', '--no-geo', '--jobs', bad, CAPTURES[0]]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('bad_jobs');
    }
  });
});
