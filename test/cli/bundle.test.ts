// The installed binary (scripts/bundle.ts → dist/bin/): per-command CommonJS bundles with V8 code caches behind a
// launcher. Built here into a scratch folder inside the repository (the bundles find the tool root and the geo
// packages by walking up from their own path), then run as a user would and compared with the module build
// (src/cli/main.ts through tsx) byte for byte.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, ALL } from '../../scripts/bundle.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { TOOL_VERSION } from '../../src/version.js';
import { buildHandsetCapture } from '../pipeline/handset-capture.js';
import { manyFlowsCapture } from './fault-capture.js';

const ROOT = resolve(__dirname, '../..');
const MODULES = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];

let out = '';
let names: string[] = [];
let pcap = '';

function run(argv: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const bin = (args: string[], env?: Record<string, string>) => run([join(out, 'residency.cjs'), ...args], env);
const modules = (args: string[]) => run([...MODULES, ...args]);

beforeAll(async () => {
  mkdirSync(join(ROOT, '.cache'), { recursive: true }); // absent in a fresh clone
  out = mkdtempSync(join(ROOT, '.cache', 'bundle-test-'));
  names = await bundle(out);
  pcap = join(out, 'handset.pcap');
  writeFileSync(pcap, buildHandsetCapture().pcap);
}, 120_000);

afterAll(() => {
  if (out !== '') rmSync(out, { recursive: true, force: true });
});

describe('bundled binary', () => {
  it('has one bundle per registered command plus the one with every command', () => {
    expect(names.sort()).toEqual([...Object.keys(COMMANDS), ALL].sort());
  });

  it.each(['flows --no-geo', 'flows --format csv', 'extract', 'dns --format table'])('%s prints exactly what the module build prints', (cmd) => {
    const args = cmd.split(' ');
    const a = bin([...args, pcap]);
    const b = modules([...args, pcap]);
    expect(a.code).toBe(0);
    expect(a.err).toBe(b.err);
    expect(a.out).toBe(b.out);
    expect(a.out.length).toBeGreaterThan(100);
  });

  it('several captures with --jobs 2 (a helper thread loads the command bundle): what --jobs 1 prints', () => {
    const caps = [pcap, join(out, 'missing.pcap'), pcap, pcap];
    for (const cmd of [['flows', '--format', 'csv'], ['extract']]) {
      const one = bin([...cmd, '--jobs', '1', ...caps]);
      const two = bin([...cmd, '--jobs', '2', ...caps]);
      expect(one.code).toBe(2);
      expect(one.out.length).toBeGreaterThan(100);
      expect(two).toEqual(one);
    }
  });

  it('reads gzip captures (zlib is loaded only then)', () => {
    const gz = join(out, 'handset.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(pcap)));
    const a = bin(['extract', gz]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out).tls_sni.map((e: { sni: string }) => e.sni)).toEqual(['api.alder-sync.com']);
  });

  it('geo answers from the bundled databases as the module build does', () => {
    const a = bin(['geo', '1.1.1.1', '--format', 'json']);
    const b = modules(['geo', '1.1.1.1', '--format', 'json']);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out).toContain('Cloudflare');
  });

  it('help lists every command; --version prints the tool version; an unknown command exits 2', () => {
    const help = bin(['--help']);
    expect(help.code).toBe(0);
    for (const n of Object.keys(COMMANDS)) expect(help.out).toMatch(new RegExp(`^\\s+${n}\\b`, 'm'));
    const v = bin(['--version']);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toBe(TOOL_VERSION);
    expect(bin(['no-such-command']).code).toBe(2);
  });

  it('the reader of the output going away (EPIPE, `| head -c 10`) ends the run quietly with exit 0', async () => {
    // 3,000 flows: several output batches, so the run is still writing when the reader leaves.
    const many = join(out, 'many.pcap');
    writeFileSync(many, manyFlowsCapture(3000));
    for (const args of [['flows', '--no-geo'], ['flows', '--no-geo', '--format', 'csv'], ['extract'], ['dns']]) {
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, [join(out, 'residency.cjs'), ...args, many], { stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
        child.stdout.once('data', () => child.stdout.destroy());
        child.on('exit', (code) => resolve({ code, err }));
      });
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it('a capture error keeps its exit code and message (errors cross the bundle intact)', () => {
    const bad = join(out, 'notes.txt');
    writeFileSync(bad, 'not a capture\n');
    const r = bin(['flows', '--no-geo', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('notes.txt');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('V8 accepts the code cache the build made; without it or with a damaged one the same output', () => {
    const debug = { RESIDENCY_DEBUG_CODE_CACHE: '1' };
    const good = bin(['flows', '--no-geo', pcap], debug);
    expect(good.err).toContain('flows bundle, code cache accepted');
    const cache = join(out, 'flows.cjs.cache');
    const bytes = readFileSync(cache);
    try {
      writeFileSync(cache, Buffer.alloc(bytes.length, 0x5a));
      const damaged = bin(['flows', '--no-geo', pcap], debug);
      expect(damaged.err).toContain('code cache rejected');
      expect(damaged.out).toBe(good.out);
      rmSync(cache);
      const missing = bin(['flows', '--no-geo', pcap], debug);
      expect(missing.err).toContain('code cache missing');
      expect(missing.out).toBe(good.out);
    } finally {
      writeFileSync(cache, bytes);
    }
  });
});
