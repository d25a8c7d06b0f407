// Gunzip for the capture reader: compressed chunks in, decompressed chunks out (an async iterator), keeping all
// that zlib decoded before damage in the compressed stream.
//
// Node's zlib binding drops the output of the one inflate call that meets the damage, and a stream destroyed by an
// error drops what it still buffers. So decompressed chunks are taken from 'data' events as zlib produces them
// (never left buffered in the stream), and compressed input goes in GZIP_SLICE_BYTES at a time, at most
// GZIP_SLICES_IN_FLIGHT ahead, so the slice that failed is known. `replay` gives the compressed bytes again (the
// file re-read, or the first GZIP_REPLAY_KEEP_BYTES of a stream, kept): they are decoded again, the failing slice
// in pieces small enough that no byte zlib can decode is lost (a deflate byte expands to at most DEFLATE_MAX_RATIO
// bytes). Past what a stream keeps, the failing call's output (at most one zlib output chunk) is lost, and the
// warning says so.
import type { Gunzip } from 'node:zlib';
import { GZIP_OUTPUT_CHUNK_BYTES, GZIP_QUEUE_BYTES, GZIP_SLICE_BYTES, GZIP_SLICES_IN_FLIGHT } from '../limits.js';

/** The most one deflate input byte can expand to (RFC 1951: a 258-byte match in as little as 2 bits). */
const DEFLATE_MAX_RATIO = 1032;

/** Damage in the compressed stream: zlib's message, where in the compressed bytes, and what was recovered. */
export class GzipDamage extends Error {
  constructor(
    readonly reason: string,
    /** Compressed byte at which zlib stopped (`exact`), else the start of the slice that failed. */
    readonly compressedOffset: number,
    readonly exact: boolean,
    /** The compressed stream ended before the gzip trailer (a cut file): nothing decodable was lost. */
    readonly cut = false,
  ) {
    super(reason);
    this.name = 'GzipDamage';
  }

  /** The warning text, naming the compressed offset (the warning's own offset is the decompressed one). */
  describe(): string {
    if (this.cut) return `gzip stream ends early, after ${this.compressedOffset} compressed bytes (${this.reason}); what came before was read`;
    const where = this.exact ? `at compressed byte ${this.compressedOffset}` : `in the compressed bytes from ${this.compressedOffset} (up to one zlib output chunk before it is lost)`;
    return `gzip stream damaged: zlib stopped ${where}: ${this.reason}; what came before was read`;
  }
}

type Zlib = typeof import('node:zlib');

function zlibModule(): Zlib {
  // Loaded only for gzip captures: zlib costs startup time on every run otherwise.
  return process.getBuiltinModule('node:zlib') as Zlib;
}

/** Writes `piece` and resolves once zlib has processed it (every output chunk delivered), or failed. */
function feed(gz: Gunzip, piece: Buffer): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (e?: Error | null): void => {
      if (settled) return;
      settled = true;
      gz.off('error', done);
      resolve(e ?? undefined);
    };
    gz.once('error', done);
    gz.write(piece, done);
  });
}

/**
 * Decompressed chunks of the gzip stream whose first compressed chunk is `head` and the rest `rest`. Throws
 * GzipDamage after the last good byte was yielded; `replay` (files only) gives the compressed bytes again.
 */
export async function* gunzipChunks(head: Buffer, rest: AsyncIterator<Buffer>, replay?: () => AsyncIterable<Buffer> | Iterable<Buffer> | undefined): AsyncGenerator<Buffer> {
  const gz = zlibModule().createGunzip({ chunkSize: GZIP_OUTPUT_CHUNK_BYTES });
  const queue: Buffer[] = [];
  let queued = 0;
  /** Decompressed bytes handed out so far. */
  let delivered = 0;
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  gz.on('data', (b: Buffer) => {
    queue.push(b);
    queued += b.length;
    notify();
  });
  gz.on('error', (e: Error) => {
    failure ??= e;
    notify();
  });
  gz.on('end', () => {
    ended = true;
    notify();
  });

  /** Compressed offsets: end of each slice written and not yet processed (oldest first); end of the processed ones. */
  const inFlight: number[] = [];
  let processed = 0;
  let written = 0;
  let pending: Buffer | undefined = head;
  let pendingOff = 0;
  let inputDone = false;
  let finishing = false;

  /** Writes compressed slices while few are in flight and the consumer keeps up. */
  const pump = async (): Promise<void> => {
    while (failure === undefined && !finishing && inFlight.length < GZIP_SLICES_IN_FLIGHT && queued < GZIP_QUEUE_BYTES) {
      if (pending === undefined || pendingOff >= pending.length) {
        if (inputDone) {
          if (inFlight.length === 0) {
            finishing = true;
            gz.end();
          }
          return;
        }
        const r = await rest.next();
        if (r.done) {
          inputDone = true;
          pending = undefined;
          continue;
        }
        pending = r.value;
        pendingOff = 0;
        continue;
      }
      const n = Math.min(GZIP_SLICE_BYTES, pending.length - pendingOff);
      const slice = pending.subarray(pendingOff, pendingOff + n);
      pendingOff += n;
      written += n;
      const end = written;
      inFlight.push(end);
      gz.write(slice, (e?: Error | null) => {
        if (e) return; // reported through 'error'
        if (inFlight[0] === end) inFlight.shift();
        processed = end;
        notify();
      });
    }
  };

  try {
    for (;;) {
      await pump();
      if (queue.length > 0) {
        const b = queue.shift() as Buffer;
        queued -= b.length;
        delivered += b.length;
        yield b;
        continue;
      }
      if (failure !== undefined) break;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (failure === undefined && !ended) gz.destroy();
  }
  const e = failure as NodeJS.ErrnoException;
  // The failure met at the end of the input (a cut stream) loses nothing: every write before it completed.
  const atEnd = finishing && inFlight.length === 0;
  if (atEnd) throw new GzipDamage(e.message, written, false, true);
  const again = replay?.();
  if (again === undefined) throw new GzipDamage(e.message, processed, false);
  const recovered = await recoverAfter(again, processed, delivered);
  if (recovered.bytes.length > 0) yield recovered.bytes;
  throw new GzipDamage(recovered.reason ?? e.message, recovered.at, recovered.exact);
}

/**
 * Decodes the compressed bytes again from the start, in bulk up to `sliceStart` (which the first pass decoded
 * without error), then in pieces so small that the call meeting the damage cannot hold any byte beyond what
 * came before. Returns the decompressed bytes past `skip` (those the first pass lost) and the damaged offset.
 */
async function recoverAfter(replay: AsyncIterable<Buffer> | Iterable<Buffer>, sliceStart: number, skip: number): Promise<{ bytes: Buffer; at: number; exact: boolean; reason?: string }> {
  const gz = zlibModule().createGunzip();
  const kept: Buffer[] = [];
  let produced = 0;
  gz.on('data', (b: Buffer) => {
    const from = Math.max(0, skip - produced);
    if (from < b.length) kept.push(b.subarray(from));
    produced += b.length;
  });
  gz.on('error', () => undefined); // each feed() reports its own failure
  let off = 0;
  let failed: { at: number; exact: boolean; reason: string } | undefined;
  try {
    outer: for await (const chunk of replay) {
      let i = 0;
      while (i < chunk.length) {
        let n: number;
        if (off + i < sliceStart) n = Math.min(chunk.length - i, sliceStart - off - i, GZIP_SLICE_BYTES);
        else n = Math.max(1, Math.min(chunk.length - i, GZIP_SLICE_BYTES, Math.floor((skip - produced) / DEFLATE_MAX_RATIO)));
        const e = await feed(gz, chunk.subarray(i, i + n));
        if (e !== undefined) {
          failed = { at: off + i, exact: n === 1, reason: e.message };
          break outer;
        }
        i += n;
      }
      off += chunk.length;
    }
  } catch {
    // The file cannot be read again: keep what the first pass had.
  } finally {
    gz.destroy();
  }
  return { bytes: Buffer.concat(kept), at: failed?.at ?? sliceStart, exact: failed?.exact ?? false, reason: failed?.reason };
}
