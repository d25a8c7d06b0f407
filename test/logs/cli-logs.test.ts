// The commands over logs, as a user runs them (a child process): flows, dns and ingest accept a Zeek log folder,
// a conn log and an eve.json; a log that cannot be an input is a clear error (exit 2, the file named, no stack).

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../conformance/shared-corpus.js';

const CLI = ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts')];
const FIX = join(REPO_ROOT, 'test/logs/fixtures');

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('commands over logs', () => {
  it('flows over a Zeek folder and over eve.json, in NDJSON and CSV', () => {
    const zeek = run(['flows', '--no-geo', join(FIX, 'zeek-docs-tsv')]);
    expect(zeek.code).toBe(0);
    const flows = zeek.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(flows.map((f) => f.capture)).toEqual(['zeek-docs-tsv', 'zeek-docs-tsv']);
    expect(flows[1]).toMatchObject({ uid: 'CLqEx41jYPOdfHF586', hostname: 'testmyids.com', dns_uid: 'CazOhH2qDUiJTWMCY' });
    const csv = run(['flows', '--no-geo', '--format', 'csv', join(FIX, 'suricata-docs/eve.json')]);
    expect(csv.code).toBe(0);
    const lines = csv.out.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('calendar.google.com');
  });

  it('dns over a conn log finds the dns.log beside it', () => {
    const r = run(['dns', join(FIX, 'zeek-docs-json/conn.log')]);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(2);
    expect(r.out).toContain('"uid":"CMdzit1AMNsmfAIiQc"');
  });

  it('ingest stores a log input once', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'logs-cli-')), 'case.db');
    const a = run(['ingest', '--db', db, join(FIX, 'zeek-docs-tsv')]);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^ingested\t[0-9a-f]{64}\t/);
    const b = run(['ingest', '--db', db, join(FIX, 'zeek-docs-tsv')]);
    expect(b.out).toMatch(/^already stored\t/);
    expect(b.out.split('\t')[1]).toBe(a.out.split('\t')[1]);
  });

  it('a Zeek side log alone: exit 2 naming the file, no stack trace', () => {
    const r = run(['flows', '--no-geo', join(FIX, 'zeek-docs-tsv/dns.log')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('dns.log');
    expect(r.err).toContain('a Zeek dns log: give its conn log');
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
