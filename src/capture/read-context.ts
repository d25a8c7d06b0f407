// The state a capture read shares between the format parsers (pcap.ts, pcapng.ts) and the driver (reader.ts):
// the handler, the one reused RawPacket, the summary being built, and the warning/metadata sinks.
import type { WarningCode } from '../anomalies.js';
import type { Anomaly } from '../types.js';
import { CAPTURE_TS_JUMP_S, CAPTURE_TS_LIMIT_S, MAX_CAPTURE_WARNINGS } from '../limits.js';
import { RawPacket } from './raw-packet.js';
import { UNSET_D } from '../number-fields.js';

/** Receives what a capture holds. `packet()` gets ONE reused RawPacket whose `buf` is valid only during the call. */
export interface CaptureHandler {
  packet(p: RawPacket): void;
  warning?(a: Anomaly): void;
  metadata?(key: string, value: string): void;
  /** pcapng Custom Block (0x00000BAD / 0x40000BAD): Private Enterprise Number and a copy of the custom data. */
  customBlock?(pen: number, data: Buffer): void;
}

export interface ReadOptions {
  /** SHA-256 of the stored file bytes (before gunzip). Default false. */
  hash?: boolean;
  /** Read chunk size in bytes (default READ_CHUNK_BYTES). */
  chunkSize?: number;
  /** Called after each chunk of stored bytes with the running total. */
  onProgress?(bytesRead: number): void;
  /** Called after each chunk is parsed: undefined to go on, or a promise to wait for first (the CLI's output
   *  backpressure, src/cli/io.ts). What it throws ends the read and propagates (OutputClosedError). */
  pace?(): Promise<void> | undefined;
}

export interface CaptureReadSummary {
  file: string;
  format: 'pcap' | 'pcapng';
  gzip: boolean;
  /** Byte order of the (first) pcap header / pcapng section. */
  byteOrder: 'le' | 'be';
  /** pcap: `us` or `ns`; pcapng: distinct interface resolutions joined by `,` (e.g. `us,ns`). */
  tsResolution: string;
  /** Distinct LINKTYPE_* values met, in order of first appearance. */
  linkTypes: number[];
  packets: number;
  bytesCaptured: number;
  /** Epoch seconds (float) of the first and last timestamped packet; absent when none. */
  firstTs?: number;
  lastTs?: number;
  /** Stored bytes read (the compressed size for gzip files). */
  sizeBytes: number;
  sha256?: string;
  truncated: boolean;
  warnings: Anomaly[];
  metadata: Record<string, string>;
}

export class ReadContext {
  readonly raw = new RawPacket();
  readonly linkTypes: number[] = [];
  readonly resolutions: string[] = [];
  readonly warnings: Anomaly[] = [];
  readonly metadata: Record<string, string> = {};
  packets = 0;
  bytesCaptured = 0;
  firstTs = UNSET_D;
  lastTs = UNSET_D;
  /** The last in-range packet time, whole seconds and nanoseconds (what an out-of-range time is replaced by). */
  private lastSec = 0;
  private lastNsec = 0;
  truncated = false;
  /** Set by a parser when damage means nothing further can be read. */
  stopped = false;
  warningsDropped = 0;
  /** PCAPdroid uids whose app name was already reported as metadata. */
  readonly pcapdroidUids = new Set<number>();

  constructor(
    readonly file: string,
    readonly handler: CaptureHandler,
  ) {}

  /** Hands `raw` (filled by the parser) to the handler. `timed` is false for pcapng Simple Packet Blocks. */
  emit(timed: boolean): void {
    const p = this.raw;
    p.frame = ++this.packets;
    this.bytesCaptured += p.caplen;
    if (timed) {
      let ts = p.tsSec + p.tsNsec / 1e9;
      if (!(ts >= 0 && ts < CAPTURE_TS_LIMIT_S)) ts = this.outOfRange(p, ts);
      else if (this.lastTs >= 0 && (ts - this.lastTs > CAPTURE_TS_JUMP_S || this.lastTs - ts > CAPTURE_TS_JUMP_S)) this.jump(p, ts);
      this.lastSec = p.tsSec;
      this.lastNsec = p.tsNsec;
      if (this.firstTs < 0) this.firstTs = ts;
      this.lastTs = ts;
    }
    this.handler.packet(p);
    p.appUid = -1;
  }

  /** A time outside [0, CAPTURE_TS_LIMIT_S): the previous packet's time is used instead (0 for the first). */
  private outOfRange(p: RawPacket, ts: number): number {
    this.warn('capture_timestamp_out_of_range', p.fileOffset, `packet time ${ts} s is outside 1970-2106; the previous packet's time is used`);
    p.tsSec = this.lastSec;
    p.tsNsec = this.lastNsec;
    return p.tsSec + p.tsNsec / 1e9;
  }

  private jump(p: RawPacket, ts: number): void {
    const days = (Math.abs(ts - this.lastTs) / 86_400).toFixed(0);
    const way = ts > this.lastTs ? 'after' : 'before';
    this.warn('capture_timestamp_jump', p.fileOffset, `packet time ${ts} s is ${days} days ${way} the previous packet's (${this.lastTs} s); kept`);
  }

  noteLinkType(lt: number): void {
    if (this.linkTypes.indexOf(lt) < 0) this.linkTypes.push(lt);
  }

  noteResolution(r: string): void {
    if (this.resolutions.indexOf(r) < 0) this.resolutions.push(r);
  }

  warn(code: WarningCode, offset: number, message: string): void {
    // No `frame`: a damaged or skipped record has no frame number of its own; the offset locates it.
    const a: Anomaly = { code, message: `${this.file}: at byte ${offset}: ${message}`, offset };
    if (this.warnings.length < MAX_CAPTURE_WARNINGS) this.warnings.push(a);
    else this.warningsDropped++;
    this.handler.warning?.(a);
  }

  /** Damage that stops the read: warn, mark truncated, stop. */
  damage(code: WarningCode, offset: number, message: string): void {
    this.warn(code, offset, message);
    this.truncated = true;
    this.stopped = true;
  }

  meta(key: string, value: string): void {
    this.metadata[key] = value;
    this.handler.metadata?.(key, value);
  }
}

/** A format parser fed by the driver: consumes complete units only. */
export interface FormatParser {
  /** Bytes needed from `parse`'s returned offset to make progress (header size, or the whole record). */
  needed: number;
  /** Parses complete units in buf[off, end); `abs` is the stream offset of buf[off]. Returns the offset reached. */
  parse(buf: Buffer, off: number, end: number, abs: number): number;
  /** True when the parser stands between units (EOF here is clean). */
  atBoundary(): boolean;
}
