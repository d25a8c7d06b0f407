// The capture commands end to end as a user runs them: a child process, stdin, output formats, exit codes.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildHandsetCapture } from '../pipeline/handset-capture.js';
import { CORPUS, HAVE_CORPUS } from '../conformance/shared-corpus.js';

const CLI = ['--import', 'tsx', join(__dirname, '../../src/cli/main.ts')];

function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('capture commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'residency-cli-'));
  const pcap = join(dir, 'handset.pcap');
  writeFileSync(pcap, buildHandsetCapture().pcap);

  it('extract reads a capture from standard input (-) and prints the oracle shape', () => {
    const r = run(['extract', '-'], readFileSync(pcap));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { capture: string; tls_sni: { sni: string }[]; quic_sni: { sni: string }[]; http_host: { host: string }[]; dns: unknown[] };
    expect(doc.capture).toBe('-');
    expect(doc.tls_sni.map((e) => e.sni)).toEqual(['api.alder-sync.com']);
    expect(doc.quic_sni.map((e) => e.sni)).toEqual(['media.birch-cloud.net']);
    expect(doc.http_host.map((e) => e.host)).toEqual(['upload.cedar-data.com']);
    expect(doc.dns).toHaveLength(2);
  });

  it('flows --no-geo --format csv: header row, one row per flow, names quoted', () => {
    const r = run(['flows', '--no-geo', '--format', 'csv', pcap]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\r\n');
    expect(lines[0].startsWith('capture,flow_id,uid,community_id,transport,ip_version,client_ip')).toBe(true);
    expect(lines).toHaveLength(1 + 6);
    expect(r.out).toContain('api.alder-sync.com');
  });

  it('dns --format table prints one transaction', () => {
    const r = run(['dns', '--format', 'table', pcap]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^capture\s+ts\s+frame/);
    expect(r.out).toContain('api.alder-sync.com');
  });

  it('a file that is not a capture: exit 2, the file and offset named, no stack trace', () => {
    const bad = join(dir, 'notes.txt');
    writeFileSync(bad, 'this is not a capture at all\n');
    const r = run(['flows', '--no-geo', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('notes.txt');
    expect(r.err).toMatch(/at byte \d+/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('a truncated capture: what came before the damage, a warning naming file and offset, exit 0', () => {
    const full = readFileSync(pcap);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, full.subarray(0, full.length - 30));
    const r = run(['flows', '--no-geo', cut]);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').length).toBeGreaterThanOrEqual(6);
    expect(r.err).toMatch(/warning: .*cut\.pcap.* at byte \d+/);
  });

  it.skipIf(!HAVE_CORPUS)('a file refused by version: exit 2 naming the file', () => {
    const r = run(['extract', join(CORPUS, 'libpcap/pcap-invalid-version-1.pcap')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('pcap-invalid-version-1.pcap');
  });
});
