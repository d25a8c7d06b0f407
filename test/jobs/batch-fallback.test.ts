// A batch whose helper threads cannot be had or die (src/jobs/batch.ts), run in-process with the thread start
// replaced: without threads this process runs every capture itself and prints what --jobs 1 prints; a helper that
// dies names the capture it had, the others are printed as usual and the run exits 1.

import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { runBatch } from '../../src/jobs/batch.js';

const threads = vi.hoisted(() => ({ mode: 'none' as 'none' | 'dying' }));

vi.mock('../../src/jobs/self.js', () => ({
  selfArgv: () => [],
  startWorker: () => {
    if (threads.mode === 'none') throw new Error('ERR_WORKER_INIT_FAILED');
    const w = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void; terminate(): Promise<number> };
    w.postMessage = () => {
      setImmediate(() => {
        w.emit('error', new Error('out of memory'));
        w.emit('exit', 1);
      });
    };
    w.terminate = async () => 0;
    return w;
  },
}));

const ROOT = join(__dirname, '../..');
const CAPTURES = ['alder-phone.pcap', 'birch-two-phones.pcapng', 'cedar-phone.pcapng'];
const PATHS = [
  join(ROOT, 'captures/vendor-alder/alder-phone.pcap'),
  join(ROOT, 'captures/vendor-birch/birch-two-phones.pcapng'),
  join(ROOT, 'captures/vendor-cedar/cedar-phone.pcapng'),
];

async function jobsOne(): Promise<{ out: string; err: string; code: number }> {
  const io = bufferIo();
  const code = await runProgram(['node', 'residency', 'dns', '--jobs', '1', ...PATHS], COMMANDS, io);
  return { out: io.out(), err: io.err(), code };
}

async function batch(): Promise<{ out: string; err: string; code: number | undefined }> {
  const io = bufferIo();
  await runBatch({ command: 'dns', commands: COMMANDS, options: [], captures: PATHS, jobs: 3, strict: false }, io);
  return { out: io.out(), err: io.err(), code: io.exitCode };
}

describe('a batch without its helper threads', () => {
  beforeEach(() => {
    threads.mode = 'none';
  });

  it('runs every capture here when no thread can be started: what --jobs 1 prints', async () => {
    const one = await jobsOne();
    const b = await batch();
    expect(one.code).toBe(0);
    for (const c of CAPTURES) expect(one.out).toContain(`"capture":"${c}"`);
    expect(b.out).toBe(one.out);
    expect(b.err).toBe(one.err);
    expect(b.code).toBeUndefined();
  });

  it('a helper that dies names its capture (exit 1); the other captures are printed in order', async () => {
    threads.mode = 'dying';
    const one = await jobsOne();
    const b = await batch();
    // This process ran the first capture; the two helpers died with the second and third.
    const firstOnly = one.out.split('\n').filter((l) => l.includes('"capture":"alder-phone.pcap"'));
    expect(b.out).toBe(`${firstOnly.join('\n')}\n`);
    expect(b.err).toContain(`${PATHS[1]}: its job failed: out of memory`);
    expect(b.err).toContain(`${PATHS[2]}: its job failed: out of memory`);
    expect(b.code).toBe(1);
  });
});
