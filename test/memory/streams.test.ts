// Peak memory of the installed binary on endless hostile streams (../shared/repro/gen-stream.py, cut at a byte
// count so each run ends on its own in seconds): the high-water RSS the child reports on exit
// (process.resourceUsage().maxRSS, through a --require'd hook) must stay under the no-geolocation target of 200 MB,
// where the code before the memory budget grew without bound (docs/memory.md has the 10-minute runs).

import { spawn } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../scripts/bundle.js';
import { REPO_ROOT, SHARED } from '../conformance/shared-corpus.js';

const GEN = join(SHARED, 'repro', 'gen-stream.py');
const HAVE_GEN = existsSync(GEN);
if (!HAVE_GEN) console.warn(`stream generator not found at ${GEN}: memory tests skipped`);

/** Peak RSS target without geolocation (issue 14), in MB. */
const TARGET_MB = 200;

let out = '';
let hook = '';

interface StreamRun {
  code: number | null;
  peakMb: number;
  stderr: string;
  /** Lines and bytes the command wrote on stdout. */
  lines: number;
  bytes: number;
  tail: string;
}

/** Pipes `gen-stream.py mode maxBytes` into `residency args...` and waits for it to end. Its stdout goes to a file
 *  (written synchronously, as to a terminal or a file), so a slow reader's pipe buffer is not what is measured. */
async function runStream(mode: string, maxBytes: number, args: string[], env: Record<string, string> = {}): Promise<StreamRun> {
  const outFile = join(out, `${mode}-${args[0]}.out`);
  const fd = openSync(outFile, 'w');
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolvePromise, reject) => {
      const gen = spawn('python3', [GEN, mode, String(maxBytes)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
      const child = spawn(process.execPath, ['--require', hook, join(out, 'residency.cjs'), ...args], {
        stdio: [gen.stdout, fd, 'pipe'],
        env: { ...process.env, ...env },
      });
      let err = '';
      child.stderr?.on('data', (b: Buffer) => (err += b.toString('utf8')));
      child.on('error', reject);
      child.on('close', (c) => resolvePromise({ code: c, stderr: err }));
    });
    let lines = 0;
    for await (const b of createReadStream(outFile) as AsyncIterable<Buffer>) {
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
    }
    const bytes = statSync(outFile).size;
    const tailFd = openSync(outFile, 'r');
    const tailBuf = Buffer.alloc(Math.min(200, bytes));
    readSyncAt(tailFd, tailBuf, Math.max(0, bytes - tailBuf.length));
    closeSync(tailFd);
    const m = /MAXRSS_KB (\d+)/.exec(stderr);
    return { code, peakMb: m ? Number(m[1]) / 1024 : Infinity, stderr, lines, bytes, tail: tailBuf.toString('utf8') };
  } finally {
    closeSync(fd);
    rmSync(outFile, { force: true });
  }
}

function readSyncAt(fd: number, buf: Buffer, pos: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, pos + done);
    if (n <= 0) break;
    done += n;
  }
}

beforeAll(async () => {
  if (!HAVE_GEN) return;
  mkdirSync(join(REPO_ROOT, '.cache'), { recursive: true });
  out = mkdtempSync(join(REPO_ROOT, '.cache', 'memory-test-'));
  await bundle(out);
  hook = join(out, 'maxrss.cjs');
  writeFileSync(hook, `process.on('exit', () => require('node:fs').writeSync(2, 'MAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n`);
}, 180_000);

afterAll(() => {
  if (out !== '') rmSync(out, { recursive: true, force: true });
});

describe.skipIf(!HAVE_GEN)('memory on hostile streams (gen-stream.py)', () => {
  it('longlived: 5,000 flows with data behind holes stay within the reassembly budget', async () => {
    const r = await runStream('longlived', 8e8, ['flows', '-', '--no-geo'], { NF: '5000' });
    expect(r.code).toBe(0);
    expect(r.lines).toBe(5000);
    expect(r.stderr).toMatch(/tcp_reassembly_budget_exceeded/);
    expect(r.peakMb, `peak RSS ${r.peakMb.toFixed(0)} MB`).toBeLessThan(TARGET_MB);
  }, 180_000);

  it('dns: 4,096 clients resolving ever-new names stay within the naming cache budget', async () => {
    const r = await runStream('dns', 4e7, ['flows', '-', '--no-geo']);
    expect(r.code).toBe(0);
    expect(r.lines).toBeGreaterThan(150_000);
    expect(r.stderr).toMatch(/dns_cache_evicted/);
    expect(r.peakMb, `peak RSS ${r.peakMb.toFixed(0)} MB`).toBeLessThan(TARGET_MB);
  }, 180_000);

  it('newflows: ever-new flows stay within the flow table budget, every flow reported', async () => {
    const r = await runStream('newflows', 4e7, ['flows', '-', '--no-geo']);
    expect(r.code).toBe(0);
    expect(r.lines).toBeGreaterThan(150_000);
    expect(r.stderr).toMatch(/flow_table_full/);
    expect(r.peakMb, `peak RSS ${r.peakMb.toFixed(0)} MB`).toBeLessThan(TARGET_MB);
  }, 180_000);

  it('extract on a DNS-heavy stream streams its document through a temporary file', async () => {
    const r = await runStream('dns', 4e7, ['extract', '-']);
    expect(r.code).toBe(0);
    // Two messages per exchange (~200 bytes of capture each), one line per message, and the closing brace.
    expect(r.lines).toBeGreaterThan(300_000);
    expect(r.tail.endsWith(' "http_host": []\n}\n')).toBe(true);
    expect(r.peakMb, `peak RSS ${r.peakMb.toFixed(0)} MB`).toBeLessThan(TARGET_MB);
  }, 180_000);
});
