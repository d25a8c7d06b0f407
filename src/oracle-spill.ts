// Frame-ordered lists of JSON lines in bounded memory, for `residency extract`'s document (oracle-doc.ts): every
// list is printed sorted by frame, stably (entries of one frame keep their arrival order), as Array.prototype.sort
// on the whole list would. Entries arrive nearly in frame order: UDP messages carry the frame that brought them; TCP
// ones carry the frame of the segment that completed them, which is earlier than the current one when the segment
// waited in reassembly behind a hole (delivered when the hole filled, when a cap skipped it or when the flow ended,
// possibly minutes later). So each list keeps a main run, entries at or after the last frame seen (in order as they
// come), and late entries apart. The main run is kept as UTF-8 lines in Buffer chunks, not as strings: off the V8
// heap, it costs no garbage-collector work (holding millions of short strings until the end made the old space
// grow to ~4x what was live: 386 MB peak RSS for a 40 MB DNS stream). Past the memory bound
// (memoryLimits().extractBytes across all lists), the main run's chunks are appended to a temporary file and the
// late entries are sorted and written there as a run; the document is then merged from the runs. Ties go to the older run: the main run holds, for any frame, the entries that came before any
// late entry of that frame. Late runs are merged MERGE_FAN_IN at a time (a run of level L+1 replaces MERGE_FAN_IN runs
// of level L), so no entry is rewritten more than log_16(runs) times.
// The temporary file is unlinked as soon as it is opened: the system reclaims it however the process ends (error,
// EPIPE, signal); only its descriptor is closed by close().

import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** Heap bytes per late line held besides its characters (string header, array slot, late-entry object). */
export const SPILL_LINE_OVERHEAD_BYTES = 64;
/** Bytes of one in-memory chunk of a main run. */
const CHUNK_BYTES = 256 * 1024;
/** Spilled chunks kept for reuse (4 MiB). */
const MAX_FREE_CHUNKS = 16;
/** Runs of one level merged into one run of the next level. */
export const MERGE_FAN_IN = 16;
/** Bytes read at a time from each run while merging. */
const READ_CHUNK_BYTES = 64 * 1024;
/** Characters of text gathered before one write. */
const WRITE_CHUNK_CHARS = 1 << 20;

/** Part of a run: `len` bytes at `off` in the temporary file, or the first `len` bytes of `buf` in memory. */
interface Extent {
  off: number;
  len: number;
  buf: Buffer | null;
}

class Run {
  readonly extents: Extent[] = [];
  constructor(readonly level: number) {}
}

class LateEntry {
  constructor(
    readonly frame: number,
    readonly json: string,
  ) {}
}

/** The temporary file, opened at the first spill and unlinked at once. */
class SpillFile {
  /** Main-run chunks already written out, for reuse: a dead Buffer is external memory V8 frees only at its next
   *  collection, which it triggers late (tens of MB of spilled chunks piled up before it did). */
  readonly freeChunks: Buffer[] = [];
  private fd = -1;
  /** Set when the file could not be unlinked while open (Windows): removed by close(). */
  private dir: string | null = null;
  size = 0;
  bytesWritten = 0;

  /** Appends `text` (UTF-8) and returns where it went. */
  append(text: string): Extent {
    if (this.fd < 0) this.open();
    const b = Buffer.from(text, 'utf8');
    const off = this.size;
    let done = 0;
    while (done < b.length) done += writeSync(this.fd, b, done, b.length - done, off + done);
    this.size += b.length;
    this.bytesWritten += b.length;
    return { off, len: b.length, buf: null };
  }

  /** Appends bytes and returns where they went. */
  appendBytes(b: Buffer, len: number): Extent {
    if (this.fd < 0) this.open();
    const off = this.size;
    let done = 0;
    while (done < len) done += writeSync(this.fd, b, done, len - done, off + done);
    this.size += len;
    this.bytesWritten += len;
    return { off, len, buf: null };
  }

  read(buf: Buffer, len: number, pos: number): number {
    return readSync(this.fd, buf, 0, len, pos);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private open(): void {
    const dir = mkdtempSync(join(tmpdir(), 'residency-extract-'));
    const path = join(dir, 'spill');
    this.fd = openSync(path, 'w+', 0o600);
    try {
      unlinkSync(path);
      rmdirSync(dir);
    } catch {
      this.dir = dir;
    }
  }
}

/** Reads one run's lines (`frame<TAB>json`) in order. */
class RunReader {
  private readonly buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  private readonly decoder = new StringDecoder('utf8');
  private extent = 0;
  private pos = 0;
  private text = '';
  private at = 0;
  frame = Infinity;
  json = '';

  constructor(
    private readonly file: SpillFile,
    private readonly run: Run,
  ) {
    this.advance();
  }

  /** Moves to the next line (frame = Infinity at the end). */
  advance(): void {
    for (;;) {
      const nl = this.text.indexOf('\n', this.at);
      if (nl >= 0) {
        const tab = this.text.indexOf('\t', this.at);
        this.frame = Number(this.text.slice(this.at, tab));
        this.json = this.text.slice(tab + 1, nl);
        this.at = nl + 1;
        return;
      }
      if (!this.fill()) {
        this.frame = Infinity;
        this.json = '';
        return;
      }
    }
  }

  private fill(): boolean {
    const ex = this.run.extents;
    while (this.extent < ex.length && this.pos >= ex[this.extent].len) {
      this.extent++;
      this.pos = 0;
    }
    if (this.extent >= ex.length) return false;
    const e = ex[this.extent];
    let bytes: Buffer;
    if (e.buf !== null) {
      bytes = e.buf.subarray(this.pos, Math.min(e.len, this.pos + READ_CHUNK_BYTES));
    } else {
      const n = this.file.read(this.buf, Math.min(READ_CHUNK_BYTES, e.len - this.pos), e.off + this.pos);
      if (n <= 0) return false;
      bytes = this.buf.subarray(0, n);
    }
    this.pos += bytes.length;
    this.text = this.text.slice(this.at) + this.decoder.write(bytes);
    this.at = 0;
    return true;
  }
}

/** A source of (frame, json) in frame order: a run on disk, or lines in memory. */
interface Source {
  frame: number;
  json: string;
  advance(): void;
}

class MemorySource implements Source {
  private i = -1;
  frame = Infinity;
  json = '';
  constructor(
    private readonly frames: readonly number[],
    private readonly lines: readonly string[],
  ) {
    this.advance();
  }
  advance(): void {
    this.i++;
    if (this.i < this.lines.length) {
      this.frame = this.frames[this.i];
      this.json = this.lines[this.i];
    } else {
      this.frame = Infinity;
      this.json = '';
    }
  }
}

/** Every line of `sources` in frame order; ties go to the earlier source. */
function* merge(sources: Source[]): Generator<Source> {
  for (;;) {
    let best = -1;
    let bf = Infinity;
    for (let i = 0; i < sources.length; i++) {
      if (sources[i].frame < bf) {
        bf = sources[i].frame;
        best = i;
      }
    }
    if (best < 0) return;
    const s = sources[best];
    yield s;
    s.advance();
  }
}

/** Gathers `frame<TAB>json` lines into bounded writes of one run. */
class RunWriter {
  private text = '';
  constructor(
    private readonly file: SpillFile,
    readonly run: Run,
  ) {}
  line(frame: number, json: string): void {
    this.text += `${frame}\t${json}\n`;
    if (this.text.length >= WRITE_CHUNK_CHARS) this.flush();
  }
  flush(): void {
    if (this.text.length === 0) return;
    this.run.extents.push(this.file.append(this.text));
    this.text = '';
  }
}

/** One frame-ordered list of the document. */
export class SpillList {
  /** The main run: file extents, then in-memory chunks (the last one being filled). */
  private readonly main = new Run(0);
  private chunk: Buffer | null = null;
  private chunkLen = 0;
  private lastFrame = -Infinity;
  private late: LateEntry[] = [];
  /** Late runs, oldest first; levels never increase along the stack. */
  private readonly lateRuns: Run[] = [];
  /** Bytes held in memory (main chunks, late lines). */
  bytes = 0;
  count = 0;

  constructor(private readonly file: SpillFile) {}

  add(frame: number, json: string): void {
    this.count++;
    if (frame < this.lastFrame) {
      this.late.push(new LateEntry(frame, json));
      this.bytes += json.length + SPILL_LINE_OVERHEAD_BYTES;
      return;
    }
    this.lastFrame = frame;
    const line = `${frame}\t${json}\n`;
    // At most 3 UTF-8 bytes per UTF-16 unit: the line fits whole, or goes to a new chunk.
    if (this.chunk === null || this.chunkLen + line.length * 3 > this.chunk.length) this.newChunk(line.length * 3);
    const c = this.chunk as Buffer;
    this.chunkLen += c.write(line, this.chunkLen, 'utf8');
    this.main.extents[this.main.extents.length - 1].len = this.chunkLen;
  }

  /** Moves everything held in memory to the temporary file. */
  spill(): void {
    const ex = this.main.extents;
    for (let i = 0; i < ex.length; i++) {
      const e = ex[i];
      if (e.buf === null) continue;
      ex[i] = this.file.appendBytes(e.buf, e.len);
      if (e.buf.length === CHUNK_BYTES && this.file.freeChunks.length < MAX_FREE_CHUNKS) this.file.freeChunks.push(e.buf);
    }
    this.chunk = null;
    this.chunkLen = 0;
    if (this.late.length > 0) {
      const late = this.sortedLate();
      const w = new RunWriter(this.file, new Run(0));
      for (const e of late) w.line(e.frame, e.json);
      w.flush();
      this.late = [];
      this.pushRun(w.run);
    }
    this.bytes = 0;
  }

  /** Every entry's JSON, in frame order. */
  *entries(): Generator<string> {
    const sources: Source[] = [new RunReader(this.file, this.main)];
    for (const r of this.lateRuns) sources.push(new RunReader(this.file, r));
    const late = this.sortedLate();
    sources.push(new MemorySource(late.map((e) => e.frame), late.map((e) => e.json)));
    for (const s of merge(sources)) yield s.json;
  }

  get lateRunCount(): number {
    return this.lateRuns.length;
  }

  private newChunk(need: number): void {
    const size = Math.max(CHUNK_BYTES, need);
    // Not from Buffer's shared pool (chunks live until the document is printed).
    const free = size === CHUNK_BYTES ? this.file.freeChunks.pop() : undefined;
    this.chunk = free ?? Buffer.allocUnsafeSlow(size);
    this.chunkLen = 0;
    this.main.extents.push({ off: 0, len: 0, buf: this.chunk });
    this.bytes += size;
  }

  private sortedLate(): LateEntry[] {
    // Array.prototype.sort is stable: entries of one frame keep their arrival order.
    return this.late.sort((a, b) => a.frame - b.frame);
  }

  /** Adds a level-0 run; MERGE_FAN_IN runs of one level at the top of the stack become one run of the next. */
  private pushRun(run: Run): void {
    this.lateRuns.push(run);
    for (;;) {
      const top = this.lateRuns.length;
      const level = this.lateRuns[top - 1].level;
      let same = 0;
      while (same < top && this.lateRuns[top - 1 - same].level === level) same++;
      if (same < MERGE_FAN_IN) return;
      const group = this.lateRuns.splice(top - same, same);
      const w = new RunWriter(this.file, new Run(level + 1));
      for (const src of merge(group.map((r) => new RunReader(this.file, r)))) w.line(src.frame, src.json);
      w.flush();
      this.lateRuns.push(w.run);
    }
  }
}

/** The lists of one document, sharing a memory bound and one temporary file. */
export class SpillLists {
  private readonly file = new SpillFile();
  readonly lists: SpillList[];

  constructor(
    count: number,
    private readonly maxBytes: number,
  ) {
    this.lists = [];
    for (let i = 0; i < count; i++) this.lists.push(new SpillList(this.file));
  }

  add(list: number, frame: number, json: string): void {
    this.lists[list].add(frame, json);
    if (this.heldBytes() > this.maxBytes) for (const l of this.lists) l.spill();
  }

  heldBytes(): number {
    let n = 0;
    for (const l of this.lists) n += l.bytes;
    return n;
  }

  /** Bytes written to the temporary file so far (0 when nothing spilled). */
  get spilledBytes(): number {
    return this.file.bytesWritten;
  }

  close(): void {
    this.file.close();
  }
}
