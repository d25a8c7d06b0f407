// Owns reading a log file line by line: plain or gzip (recognised by its magic bytes, as Zeek's rotated logs
// are), a bounded line length (MAX_LOG_LINE_BYTES: a longer line is skipped whole and reported), line numbers
// and byte offsets for messages, and CR LF tolerated. Never throws on content; an unreadable file is a
// CaptureError naming it.

import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { CaptureError } from '../errors.js';
import { MAX_LOG_LINE_BYTES } from '../limits.js';

export interface LineSink {
  /** One line without its end-of-line bytes; `line` is 1-based, `offset` the byte offset of its start. */
  line(text: string, line: number, offset: number): void;
  /** A line longer than the bound, skipped. */
  tooLong(line: number, offset: number): void;
  /** The compressed stream is damaged at `offset` (compressed bytes): the lines before it were delivered. */
  damaged(message: string, offset: number): void;
}

export interface ReadLinesOptions {
  onProgress?(bytesRead: number): void;
  maxLineBytes?: number;
}

/** True when the file starts with the gzip magic bytes (1f 8b). */
export function isGzipFile(file: string): boolean {
  let fd = -1;
  try {
    fd = openSync(file, 'r');
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Feeds every line of `file` to `sink`; resolves with the number of lines. */
export async function readLines(file: string, sink: LineSink, opts: ReadLinesOptions = {}): Promise<number> {
  const splitter = new LineSplitter(sink, opts.maxLineBytes ?? MAX_LOG_LINE_BYTES);
  const gz = isGzipFile(file);
  let raw = 0;
  const stream = createReadStream(file);
  stream.on('data', (c: Buffer | string) => {
    raw += c.length;
    opts.onProgress?.(raw);
  });
  // zlib is loaded only for compressed logs (startup cost on every run otherwise, as for captures).
  const src = gz ? stream.pipe(process.getBuiltinModule('node:zlib').createGunzip()) : stream;
  if (gz) stream.on('error', (e) => src.destroy(e));
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) splitter.push(chunk);
  } catch (e) {
    stream.destroy();
    const err = e as NodeJS.ErrnoException;
    if (gz && err.code !== undefined && err.code.startsWith('Z_')) {
      // Damage in a compressed log: what came before is kept, as for a truncated capture.
      splitter.end();
      sink.damaged(`gzip data damaged: ${err.message}`, raw);
      return splitter.lines;
    }
    throw new CaptureError('log_unreadable', file, raw, err.message);
  }
  splitter.end();
  return splitter.lines;
}

/** Splits a byte stream into lines (LF, with an optional CR before it), whatever the chunk boundaries. */
export class LineSplitter {
  lines = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  /** The current line is over the bound: its bytes are dropped up to its end. */
  private skipping = false;
  private offset = 0;
  private lineStart = 0;

  constructor(private readonly sink: LineSink, private readonly max: number) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) {
        this.hold(chunk, start, chunk.length);
        this.offset += chunk.length - start;
        return;
      }
      this.hold(chunk, start, nl);
      this.offset += nl + 1 - start;
      this.emit();
      start = nl + 1;
    }
  }

  end(): void {
    if (this.carryLen > 0 || this.skipping) this.emit();
  }

  private hold(chunk: Buffer, from: number, to: number): void {
    if (to <= from || this.skipping) return;
    if (this.carryLen + (to - from) > this.max) {
      this.skipping = true;
      this.carry = [];
      this.carryLen = 0;
      return;
    }
    this.carry.push(chunk.subarray(from, to));
    this.carryLen += to - from;
  }

  private emit(): void {
    this.lines++;
    const start = this.lineStart;
    this.lineStart = this.offset;
    if (this.skipping) {
      this.skipping = false;
      this.sink.tooLong(this.lines, start);
      return;
    }
    const buf = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry, this.carryLen);
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 0x0d) end--;
    this.carry = [];
    this.carryLen = 0;
    this.sink.line(buf.toString('utf8', 0, end), this.lines, start);
  }
}
