// src/cli/io.ts in-process: stdout batched and paced by the reader of the output (drain), a closed output
// (EPIPE) ending the run quietly with the outcome decided so far, a failing output (ENOSPC) an error naming it;
// and the capture reader handing what pace() and the handler throw on, never turning it into "damage".

import { Command } from 'commander';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCaptureStream } from '../../src/capture/reader.js';
import { OutputClosedError } from '../../src/errors.js';
import { StreamOutput, type CliIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { OUTPUT_BATCH_CHARS } from '../../src/limits.js';
import { manyFlowsCapture } from './fault-capture.js';

/** A slow reader: takes each write a macrotask later; records the most it ever held. */
class SlowSink extends Writable {
  received = 0;
  peakBuffered = 0;
  constructor() {
    super({ highWaterMark: 16 << 10, decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.peakBuffered = Math.max(this.peakBuffered, this.writableLength);
    setImmediate(() => {
      this.received += chunk.length;
      cb();
    });
  }
}

/** A sink whose writes fail with a system error code (EPIPE: the reader went away; ENOSPC: disk full). */
class FailingSink extends Writable {
  constructor(private readonly code: string) {
    super({ decodeStrings: false });
  }
  override _write(_c: unknown, _e: BufferEncoding, cb: (e?: Error | null) => void): void {
    cb(Object.assign(new Error(`write ${this.code}`), { code: this.code }));
  }
}

function ioOn(stream: Writable): CliIo & { err(): string } {
  const out = new StreamOutput(stream, 'standard output');
  const err: string[] = [];
  return {
    stdout: out,
    stderr: { write: (t: string) => err.push(t) },
    stderrIsTTY: false,
    pace: () => out.pace(),
    flush: () => out.flush(),
    err: () => err.join(''),
  };
}

/** A one-command program: writes `lines` lines of 100 characters, pacing every `every` lines. */
function writer(lines: number, every: number, exitCode?: number) {
  return {
    emit: async (io: CliIo) =>
      new Command('emit').action(async () => {
        if (exitCode !== undefined) io.exitCode = exitCode;
        for (let i = 0; i < lines; i++) {
          io.stdout.write(`${String(i).padStart(99, '.')}\n`);
          if (i % every === every - 1) {
            const w = io.pace();
            if (w !== undefined) await w;
          }
        }
      }),
  };
}

describe('stdout batched and paced', () => {
  it('a slow reader holds the writer back: the stream never buffers much more than one batch', async () => {
    const sink = new SlowSink();
    const io = ioOn(sink);
    const code = await runProgram(['node', 'residency', 'emit'], writer(20_000, 100), io);
    expect(code).toBe(0);
    expect(sink.received).toBe(20_000 * 100);
    // 2 MB went through a 16 KiB reader: without pacing all of it would have waited in the stream.
    expect(sink.peakBuffered).toBeLessThanOrEqual(16 * 1024 + OUTPUT_BATCH_CHARS + 100 * 100);
  });

  it('writes in batches, not one system call per record', async () => {
    const sink = new SlowSink();
    let writes = 0;
    const write = sink.write.bind(sink);
    sink.write = ((chunk: string, cb?: () => void) => {
      writes++;
      return write(chunk, cb);
    }) as typeof sink.write;
    await runProgram(['node', 'residency', 'emit'], writer(10_000, 1_000_000), ioOn(sink));
    expect(sink.received).toBe(10_000 * 100);
    expect(writes).toBeLessThanOrEqual(Math.ceil((10_000 * 100) / OUTPUT_BATCH_CHARS) + 1);
  });
});

describe('stdout fails', () => {
  it('EPIPE: exit 0 and nothing said; the command stops at its next write', async () => {
    let written = 0;
    const io = ioOn(new FailingSink('EPIPE'));
    const cmds = {
      emit: async (cio: CliIo) =>
        new Command('emit').action(async () => {
          for (let i = 0; i < 1_000_000; i++) {
            cio.stdout.write('x'.repeat(1000));
            written++;
          }
        }),
    };
    expect(await runProgram(['node', 'residency', 'emit'], cmds, io)).toBe(0);
    expect(io.err()).toBe('');
    // The first batch failed; the write after it threw.
    expect(written).toBeLessThanOrEqual(2 * Math.ceil(OUTPUT_BATCH_CHARS / 1000));
  });

  it('EPIPE keeps the outcome a command had decided (a bad capture earlier in the batch: 2)', async () => {
    const io = ioOn(new FailingSink('EPIPE'));
    expect(await runProgram(['node', 'residency', 'emit'], writer(5000, 10, 2), io)).toBe(2);
    expect(io.err()).toBe('');
  });

  it('ENOSPC: exit 2 naming standard output and the cause', async () => {
    const io = ioOn(new FailingSink('ENOSPC'));
    expect(await runProgram(['node', 'residency', 'emit'], writer(5000, 10), io)).toBe(2);
    expect(io.err()).toBe('residency: error: standard output: cannot write: write ENOSPC [output_write_failed]\n');
  });
});

describe('the capture reader passes on what pace() and the handler throw', () => {
  const cap = manyFlowsCapture(200);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let o = 0; o < cap.length; o += 1000) yield cap.subarray(o, o + 1000);
  }

  it('pace() throwing OutputClosedError stops the read after that chunk', async () => {
    let packets = 0;
    let paced = 0;
    const read = readCaptureStream(chunks(), 'c', { packet: () => void packets++ }, {
      pace: () => {
        if (++paced === 3) throw new OutputClosedError();
        return undefined;
      },
    });
    await expect(read).rejects.toBeInstanceOf(OutputClosedError);
    expect(paced).toBe(3);
    expect(packets).toBeLessThan(400);
  });

  it('a handler error is not mistaken for damage in the file', async () => {
    const read = readCaptureStream(chunks(), 'c', {
      packet: (p) => {
        if (p.frame === 50) throw new RangeError('a bug');
      },
    });
    await expect(read).rejects.toBeInstanceOf(RangeError);
  });

  it('pace() returning a promise is waited for before the next chunk', async () => {
    const order: string[] = [];
    await readCaptureStream(chunks(), 'c', { packet: (p) => void (p.frame % 40 === 1 && order.push(`p${p.frame}`)) }, {
      pace: () => new Promise((resolve) => setTimeout(() => (order.push('drained'), resolve()), 1)),
    });
    // Every chunk's packets come after the previous chunk's wait.
    expect(order.filter((x) => x === 'drained').length).toBeGreaterThan(10);
    expect(order.indexOf('drained')).toBeLessThan(order.indexOf('p41'));
  });
});
