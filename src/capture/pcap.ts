// Classic libpcap format: the 24-byte file header (both byte orders, µs magic a1b2c3d4 and ns magic a1b23c4d)
// and the 16-byte record headers. Fills the reused RawPacket with offsets into the caller's buffer, no copies.
// Format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-03.html
import { CaptureError } from '../errors.js';
import { MAX_RECORD_BYTES } from '../limits.js';
import type { FormatParser, ReadContext } from './read-context.js';
import { PCAPDROID_TRAILER_BYTES, readPcapdroidTrailer } from './pcapdroid.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** Frames inspected for a PCAPdroid trailer before concluding the capture has none. */
const TRAILER_PROBE_PACKETS = 64;

export class PcapParser implements FormatParser {
  private trailerProbe = TRAILER_PROBE_PACKETS;
  needed = FILE_HEADER;
  le = true;
  nanos = false;
  linkType = 1;
  private headerDone = false;

  constructor(private readonly ctx: ReadContext) {}

  atBoundary(): boolean {
    return this.headerDone;
  }

  private u32(b: Buffer, o: number): number {
    return this.le
      ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
      : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  private fileHeader(b: Buffer, o: number): void {
    const be = b.readUInt32BE(o);
    const le = b.readUInt32LE(o);
    if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
      this.le = false;
      this.nanos = be === PCAP_MAGIC_NS;
    } else if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
      this.le = true;
      this.nanos = le === PCAP_MAGIC_NS;
    } else {
      throw new CaptureError('capture_unknown_format', this.ctx.file, 0, 'not a pcap file (bad magic)');
    }
    const major = this.le ? b.readUInt16LE(o + 4) : b.readUInt16BE(o + 4);
    const minor = this.le ? b.readUInt16LE(o + 6) : b.readUInt16BE(o + 6);
    if (major !== 2) {
      throw new CaptureError('pcap_unsupported_version', this.ctx.file, 4, `pcap version ${major}.${minor} is not 2.x`);
    }
    // The link type is the low 16 bits; the upper bits hold the FCS length flags (draft-ietf-opsawg-pcap §4).
    this.linkType = this.u32(b, o + 20) & 0xffff;
    this.ctx.noteLinkType(this.linkType);
    this.ctx.noteResolution(this.nanos ? 'ns' : 'us');
    this.ctx.raw.linkType = this.linkType;
    this.ctx.raw.interfaceId = 0;
    this.headerDone = true;
  }

  /** A sub-second field of a second or more: the seconds are kept and the fraction is clamped to its largest value
   *  (carrying it into the seconds would move the packet by up to 71 minutes). */
  private badFraction(frac: number, at: number): void {
    const unit = this.nanos ? 'ns' : 'µs';
    const max = this.nanos ? 999_999_999 : 999_999;
    this.ctx.warn('pcap_timestamp_fraction_invalid', at, `sub-second field ${frac} ${unit} is a second or more; ${max} ${unit} used`);
    this.ctx.raw.tsNsec = this.nanos ? max : max * 1000;
  }

  parse(buf: Buffer, off: number, end: number, abs: number): number {
    const ctx = this.ctx;
    const start = off;
    if (!this.headerDone) {
      if (end - off < FILE_HEADER) {
        this.needed = FILE_HEADER;
        return off;
      }
      this.fileHeader(buf, off);
      off += FILE_HEADER;
    }
    const p = ctx.raw;
    const le = this.le;
    const nsMul = this.nanos ? 1 : 1000;
    const fracLimit = this.nanos ? 1_000_000_000 : 1_000_000;
    const trailerCheck = this.linkType === 1;
    // One DataView per chunk: getUint32 compiles to a single load, where assembling bytes took four (npm run bench).
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (end - off >= RECORD_HEADER) {
      const sec = dv.getUint32(off, le);
      const frac = dv.getUint32(off + 4, le);
      const cap = dv.getUint32(off + 8, le);
      const orig = dv.getUint32(off + 12, le);
      if (cap > MAX_RECORD_BYTES) {
        ctx.damage('pcap_record_too_long', abs + (off - start), `record claims ${cap} captured bytes (limit ${MAX_RECORD_BYTES})`);
        this.needed = 1;
        return off;
      }
      const total = RECORD_HEADER + cap;
      if (end - off < total) {
        this.needed = total;
        return off;
      }
      p.buf = buf;
      p.off = off + RECORD_HEADER;
      p.caplen = cap;
      p.origlen = orig;
      p.tsSec = sec;
      p.tsNsec = frac * nsMul;
      if (frac >= fracLimit) this.badFraction(frac, abs + (off - start));
      p.fileOffset = abs + (off - start);
      // PCAPdroid appends its trailer (magic 0x01072021) to every frame it dumps, so after TRAILER_PROBE_PACKETS
      // frames without one we stop looking: reading each frame's tail costs a cache miss per packet (npm run bench).
      if (trailerCheck && this.trailerProbe > 0 && cap >= 14 + PCAPDROID_TRAILER_BYTES) {
        const t = off + total - PCAPDROID_TRAILER_BYTES;
        if (buf[t] === 0x01 && buf[t + 1] === 0x07 && buf[t + 2] === 0x20 && buf[t + 3] === 0x21) {
          this.trailerProbe = Infinity;
          readPcapdroidTrailer(ctx, buf, t);
        } else this.trailerProbe--;
      }
      ctx.emit(true);
      off += total;
    }
    this.needed = RECORD_HEADER;
    return off;
  }
}
