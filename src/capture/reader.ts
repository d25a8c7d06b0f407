// Streaming capture reader: file / stdin / any AsyncIterable<Buffer> -> (gunzip) -> pcap or pcapng parser ->
// handler.packet(RawPacket). Bounded memory: one carry buffer for records straddling chunks (grown only for big
// pcapng metadata blocks), no copy when a record lies inside a chunk.
import type { Hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { CaptureError } from '../errors.js';
import { GZIP_REPLAY_KEEP_BYTES, MAX_PCAPNG_META_BLOCK_BYTES, MAX_RECORD_BYTES, READ_CHUNK_BYTES } from '../limits.js';
import { GzipDamage, gunzipChunks } from './gunzip.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import { ReadContext, type CaptureHandler, type CaptureReadSummary, type FormatParser, type ReadOptions } from './read-context.js';

export type { CaptureHandler, CaptureReadSummary, ReadOptions } from './read-context.js';

/** Reads a capture file (`-` = stdin). Throws only CaptureError (not a capture, unreadable). */
export async function readCapture(path: string, handler: CaptureHandler, opts: ReadOptions = {}): Promise<CaptureReadSummary> {
  const chunk = opts.chunkSize ?? READ_CHUNK_BYTES;
  if (path === '-') return readCaptureStream(process.stdin as AsyncIterable<Buffer>, '-', handler, opts);
  // Synchronous open/stat/read (see reusedChunks): node:fs/promises alone costs ~10 ms of startup here.
  let fd: number;
  try {
    // stat before open: opening a FIFO would block until a writer comes.
    if (!statSync(path).isFile()) throw new CaptureError('capture_not_a_file', path, 0, 'not a regular file');
    fd = openSync(path, 'r');
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    throw new CaptureError('capture_open_failed', path, 0, (e as Error).message);
  }
  try {
    let gzip: boolean;
    try {
      const head = Buffer.alloc(2);
      gzip = readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } catch (e) {
      throw new CaptureError('capture_open_failed', path, 0, (e as Error).message);
    }
    // gzip goes through zlib, which may hold chunks after the call: give it fresh buffers. The file can be read
    // again to recover the last good bytes before damage in the compressed stream (src/capture/gunzip.ts).
    if (gzip) {
      const replay = (): AsyncIterable<Buffer> => createReadStream(path, { highWaterMark: chunk });
      return await readCaptureStream(createReadStream(path, { highWaterMark: chunk }), path, handler, opts, replay);
    }
    return await readCaptureStream(reusedChunks(fd, chunk), path, handler, opts);
  } finally {
    closeSync(fd);
  }
}

/**
 * Plain files are read with readSync into ONE reused buffer: the parser consumes each chunk synchronously and
 * copies only a straddling record's head into its carry, so nothing refers to the chunk once the next read
 * starts. Measured with npm run bench (and .scratch layer timings): fresh 1 MiB buffers per chunk
 * (createReadStream) cost ~2x in page faults, and asynchronous reads left the main thread idle waiting for the
 * thread pool (~1 ms a chunk on a loaded machine, worse when pinned to one core) - a synchronous read of a cached
 * file is a plain memory copy.
 */
async function* reusedChunks(fd: number, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.allocUnsafe(size + READ_DEST_SKEW);
  for (;;) {
    const n = readSync(fd, buf, READ_DEST_SKEW, size, null);
    if (n === 0) return;
    yield buf.subarray(READ_DEST_SKEW, READ_DEST_SKEW + n);
  }
}

/**
 * Where in the read buffer the kernel copies to: half a page past a page boundary. Copying a cached file into a
 * page-aligned destination ran 4x slower here (0.60 s vs 0.14 s per GB, one core; offsets 0, 1, 7 and 4096 slow,
 * 64 to 3072 fast - the copy loop's 4 KiB aliasing between source and destination): .scratch/rb5 in the bench notes.
 */
const READ_DEST_SKEW = 2048;

/** Counts (and optionally hashes) the stored bytes as they pass. */
async function* tap(src: AsyncIterable<Buffer>, state: { size: number; hash: Hash | null }, file: string, opts: ReadOptions): AsyncGenerator<Buffer> {
  try {
    for await (const c of src) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
      state.size += b.length;
      state.hash?.update(b);
      opts.onProgress?.(state.size);
      yield b;
    }
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    throw new CaptureError('capture_read_failed', file, state.size, (e as Error).message);
  }
}

/**
 * Reads a capture from any chunked byte source (tests use it to force arbitrary chunk boundaries). `replay` gives
 * the same bytes again (files only): a damaged gzip stream is then decoded up to its last good byte.
 * Errors the handler throws (OutputClosedError when our output's reader went away) end the read and propagate.
 */
export async function readCaptureStream(
  source: AsyncIterable<Buffer>,
  name: string,
  handler: CaptureHandler,
  opts: ReadOptions = {},
  replay?: () => AsyncIterable<Buffer>,
): Promise<CaptureReadSummary> {
  const state = { size: 0, hash: opts.hash ? process.getBuiltinModule('node:crypto').createHash('sha256') : null };
  const raw = tap(source, state, name, opts)[Symbol.asyncIterator]();
  let first = await raw.next();
  while (!first.done && first.value.length === 0) first = await raw.next();
  if (first.done) throw new CaptureError('capture_empty', name, 0, 'empty file');
  // The gzip magic is two bytes: a stream may hand out one byte first.
  let head = first.value;
  while (head.length < 2) {
    const more = await raw.next();
    if (more.done) break;
    head = Buffer.concat([head, more.value]);
  }
  const ctx = new ReadContext(name, handler);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  let chunks: AsyncIterator<Buffer>;
  if (gzip) {
    chunks = replay !== undefined ? gunzipChunks(head, raw, replay) : keptForReplay(head, raw);
  } else {
    let sent = false;
    chunks = {
      next: async () => {
        if (!sent) {
          sent = true;
          return { done: false, value: head };
        }
        return raw.next();
      },
    };
  }
  const driver = new Driver(ctx);
  try {
    for (;;) {
      let r: IteratorResult<Buffer>;
      try {
        r = await chunks.next();
      } catch (e) {
        // Reading or decompressing failed: keep what was delivered, unless the file header was not even complete
        // (then, as for a plain file cut there, it is no readable capture).
        if (e instanceof CaptureError && e.code !== 'capture_read_failed') throw e;
        const code = e instanceof GzipDamage ? 'gzip_corrupt' : 'capture_read_failed';
        if (driver.parser === null || driver.abs === 0) throw new CaptureError(code, name, driver.abs + driver.carryLen, (e as Error).message);
        ctx.damage(code, driver.abs + driver.carryLen, e instanceof GzipDamage ? e.describe() : (e as Error).message);
        break;
      }
      if (r.done) break;
      driver.feed(r.value);
      if (ctx.stopped) break;
      const wait = opts.pace?.();
      if (wait !== undefined) await wait;
    }
  } catch (e) {
    // The handler or pace() stopped the read (OutputClosedError), or the file is not a capture.
    await chunks.return?.(undefined).catch(() => undefined);
    await raw.return?.(undefined).catch(() => undefined);
    throw e;
  }
  if (!ctx.stopped) driver.finish();
  if (ctx.stopped) await chunks.return?.(undefined).catch(() => undefined);
  // Drain the remaining stored bytes so size/hash cover the whole file even after damage.
  if (opts.hash || ctx.stopped) {
    try {
      for (;;) if ((await raw.next()).done) break;
    } catch {
      /* the warning already says why reading stopped */
    }
  }
  const p = driver.parser;
  const summary: CaptureReadSummary = {
    file: name,
    format: p instanceof PcapngParser ? 'pcapng' : 'pcap',
    gzip,
    byteOrder: p instanceof PcapngParser ? (p.firstLe ? 'le' : 'be') : p instanceof PcapParser && !p.le ? 'be' : 'le',
    tsResolution: ctx.resolutions.join(','),
    linkTypes: ctx.linkTypes,
    packets: ctx.packets,
    bytesCaptured: ctx.bytesCaptured,
    sizeBytes: state.size,
    truncated: ctx.truncated,
    warnings: ctx.warnings,
    metadata: ctx.metadata,
  };
  if (ctx.firstTs >= 0) {
    summary.firstTs = ctx.firstTs;
    summary.lastTs = ctx.lastTs;
  }
  if (state.hash) summary.sha256 = state.hash.digest('hex');
  return summary;
}

/** Gunzips a stream that cannot be read twice, keeping its first GZIP_REPLAY_KEEP_BYTES to recover from damage. */
function keptForReplay(head: Buffer, raw: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  let kept: Buffer[] | undefined = [Buffer.from(head)];
  let keptBytes = head.length;
  const rest: AsyncIterator<Buffer> = {
    next: async () => {
      const r = await raw.next();
      if (!r.done && kept !== undefined) {
        keptBytes += r.value.length;
        // The source may reuse its buffer: keep copies. Past the bound nothing is kept (and replay is off).
        if (keptBytes <= GZIP_REPLAY_KEEP_BYTES) kept.push(Buffer.from(r.value));
        else kept = undefined;
      }
      return r;
    },
  };
  return gunzipChunks(head, rest, () => kept);
}

/** Feeds decompressed chunks to the format parser, carrying partial records across chunk boundaries. */
class Driver {
  parser: FormatParser | null = null;
  /** Stream offset of the next byte not yet consumed by the parser. */
  abs = 0;
  carry = Buffer.allocUnsafe(MAX_RECORD_BYTES + 64);
  carryLen = 0;

  constructor(private readonly ctx: ReadContext) {}

  feed(chunk: Buffer): void {
    let pos = 0;
    const end = chunk.length;
    if (this.parser === null) {
      // Need 4 bytes to know the format.
      const take = Math.min(4 - this.carryLen, end);
      if (this.carryLen + end < 4) {
        chunk.copy(this.carry, this.carryLen, 0, end);
        this.carryLen += end;
        return;
      }
      chunk.copy(this.carry, this.carryLen, 0, take);
      this.parser = this.detect(this.carry.readUInt32BE(0));
      // Re-parse from the carry: keep the magic bytes there and continue with the normal carry logic.
      this.carryLen += take;
      pos = take;
    }
    const parser = this.parser;
    // Complete the carried record from the head of this chunk.
    while (this.carryLen > 0 && !this.ctx.stopped) {
      const before = this.carryLen;
      const consumed = parser.parse(this.carry, 0, this.carryLen, this.abs);
      if (consumed > 0) {
        this.abs += consumed;
        this.carry.copy(this.carry, 0, consumed, this.carryLen);
        this.carryLen -= consumed;
        continue;
      }
      if (pos >= end) return;
      const need = parser.needed;
      if (need > this.carry.length) {
        if (need > MAX_PCAPNG_META_BLOCK_BYTES + 64) {
          this.ctx.damage('capture_record_too_long', this.abs, `record of ${need} bytes exceeds the reader's limit`);
          return;
        }
        const bigger = Buffer.allocUnsafe(need);
        this.carry.copy(bigger, 0, 0, this.carryLen);
        this.carry = bigger;
      }
      const take = Math.min(Math.max(need - before, 1), end - pos);
      chunk.copy(this.carry, before, pos, pos + take);
      this.carryLen += take;
      pos += take;
    }
    if (this.ctx.stopped || pos >= end) return;
    const stop = parser.parse(chunk, pos, end, this.abs);
    this.abs += stop - pos;
    if (this.ctx.stopped) return;
    const rest = end - stop;
    if (rest > this.carry.length) {
      this.carry = Buffer.allocUnsafe(rest);
    }
    chunk.copy(this.carry, 0, stop, end);
    this.carryLen = rest;
  }

  private detect(magic: number): FormatParser {
    if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1 || magic === 0xa1b23c4d || magic === 0x4d3cb2a1) return new PcapParser(this.ctx);
    if (magic === 0x0a0d0d0a) return new PcapngParser(this.ctx);
    throw new CaptureError('capture_unknown_format', this.ctx.file, 0, `not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, '0')})`);
  }

  /** End of stream: leftover bytes mean the last record was cut. */
  finish(): void {
    const ctx = this.ctx;
    if (this.parser === null) {
      throw new CaptureError('capture_unknown_format', ctx.file, 0, `file too short to be a capture (${this.carryLen} bytes)`);
    }
    if (this.carryLen > 0 || !this.parser.atBoundary()) {
      const pcap = this.parser instanceof PcapParser;
      if (!this.parser.atBoundary() && pcap) {
        throw new CaptureError('capture_unknown_format', ctx.file, 0, 'file ends inside the pcap file header');
      }
      if (!this.parser.atBoundary() && this.parser instanceof PcapngParser && this.abs === 0) {
        throw new CaptureError('pcapng_bad_block_length', ctx.file, 0, 'file ends inside the first section header');
      }
      // Inside a pcapng block being skipped the record started before this.abs: locate the cut at that block.
      const skipped = this.parser instanceof PcapngParser ? this.parser.cutInSkipped(this.abs + this.carryLen) : undefined;
      if (skipped !== undefined) ctx.damage('pcapng_truncated_block', skipped.offset, skipped.message);
      else ctx.damage(pcap ? 'pcap_truncated_record' : 'pcapng_truncated_block', this.abs, `file ends ${this.carryLen} bytes into a record that needs ${this.parser.needed}`);
    }
  }
}
