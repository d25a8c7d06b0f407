// pcapng: Section Header Blocks (several sections, either byte order), Interface Description Blocks (link type,
// snaplen, if_tsresol in both the power-of-10 and power-of-2 forms, if_tsoffset, names kept as metadata),
// Enhanced / Simple / obsolete Packet Blocks, Custom Blocks; every other block is skipped unread.
// Spec: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html (section numbers below refer to it).
import type { WarningCode } from '../anomalies.js';
import { CaptureError } from '../errors.js';
import { CAPTURE_TS_LIMIT_S, MAX_PCAPNG_BLOCK_BYTES, MAX_PCAPNG_META_BLOCK_BYTES, MAX_RECORD_BYTES } from '../limits.js';
import type { FormatParser, ReadContext } from './read-context.js';
import { PCAPDROID_PEN, parseUidComment, readPcapdroidCustom } from './pcapdroid.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1;
const PB = 2; // obsolete Packet Block (Appendix A)
const SPB = 3;
const EPB = 6;
const CB_COPY = 0x00000bad;
const CB_NOCOPY = 0x40000bad;
/** Packet blocks carry at most MAX_RECORD_BYTES of data plus their fixed fields and some options. */
const MAX_PACKET_BLOCK = MAX_RECORD_BYTES + 4096;
const TWO32 = 4294967296;

const SHB_OPTS: Record<number, string> = { 1: 'comment', 2: 'hardware', 3: 'os', 4: 'userappl' };
const IDB_OPTS: Record<number, string> = { 1: 'comment', 2: 'name', 3: 'description', 12: 'os', 11: 'filter', 15: 'hardware' };

export class PcapngParser implements FormatParser {
  needed = 12;
  le = true;
  /** Byte order of the first section (for the summary). */
  firstLe = true;
  private sections = 0;
  private skip = 0;
  /** The block being skipped: its stream offset, length and type (where a file ending inside it is located). */
  skipFrom = -1;
  private skipLen = 0;
  private skipType = 0;
  private ifCount = 0;
  /** Interfaces described so far in the whole file (metadata keys `if<N>.name` use this running index). */
  private ifTotal = 0;
  private ifLink: number[] = [];
  private ifSnap: number[] = [];
  /** Timestamp units per second and nanoseconds per unit (0 when units are finer than 1 ns). */
  private ifDiv: number[] = [];
  private ifNsPerUnit: number[] = [];
  private ifTsOffset: number[] = [];

  constructor(private readonly ctx: ReadContext) {}

  atBoundary(): boolean {
    return this.skip === 0 && this.sections > 0;
  }

  private u32(b: Buffer, o: number): number {
    return this.le
      ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
      : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  private u16(b: Buffer, o: number): number {
    return this.le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
  }

  parse(buf: Buffer, off: number, end: number, abs: number): number {
    const ctx = this.ctx;
    const base = abs - off;
    while (!ctx.stopped) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - off);
        off += n;
        this.skip -= n;
        if (this.skip > 0) {
          this.needed = 1;
          return off;
        }
        this.skipFrom = -1;
      }
      if (end - off < 12) {
        this.needed = 12;
        return off;
      }
      const type = this.u32(buf, off);
      if (type === PCAPNG_SHB) {
        const bom = buf.readUInt32LE(off + 8);
        if (bom === BOM) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          this.fail('pcapng_bad_byte_order_magic', base + off + 8, 'section header byte-order magic is wrong');
          break;
        }
      } else if (this.sections === 0) {
        throw new CaptureError('capture_unknown_format', ctx.file, base + off, 'pcapng file does not start with a section header');
      }
      const len = this.u32(buf, off + 4);
      if (len < 12 || (len & 3) !== 0) {
        this.fail('pcapng_bad_block_length', base + off + 4, `block type 0x${type.toString(16)} has length ${len}`);
        break;
      }
      if (len > MAX_PCAPNG_BLOCK_BYTES) {
        this.fail('pcapng_bad_block_length', base + off + 4, `block type 0x${type.toString(16)} claims ${len} bytes (limit ${MAX_PCAPNG_BLOCK_BYTES})`);
        break;
      }
      const isPacket = type === EPB || type === SPB || type === PB;
      const isMeta = type === PCAPNG_SHB || type === IDB || type === CB_COPY || type === CB_NOCOPY;
      if (isPacket && len > MAX_PACKET_BLOCK) {
        this.fail('pcapng_bad_block_length', base + off + 4, `packet block length ${len} exceeds ${MAX_PACKET_BLOCK}`);
        break;
      }
      if (!isPacket && (!isMeta || len > MAX_PCAPNG_META_BLOCK_BYTES)) {
        if (type === PCAPNG_SHB) {
          this.fail('pcapng_bad_block_length', base + off + 4, `section header length ${len} is too large`);
          break;
        }
        if (isMeta) ctx.warn('pcapng_block_skipped', base + off, `block type 0x${type.toString(16)} of ${len} bytes skipped`);
        this.skip = len;
        this.skipFrom = base + off;
        this.skipLen = len;
        this.skipType = type;
        continue;
      }
      if (end - off < len) {
        this.needed = len;
        return off;
      }
      const trailer = this.u32(buf, off + len - 4);
      if (trailer !== len) {
        // Located at the block (its length field), not where the claimed length happened to end.
        this.fail('pcapng_bad_block_length', base + off + 4, `block type 0x${type.toString(16)} claims ${len} bytes but the length at its end is ${trailer}`);
        break;
      }
      if (type === EPB || type === PB) this.packet(buf, off, len, base + off, type === PB);
      else if (type === SPB) this.simplePacket(buf, off, len, base + off);
      else if (type === PCAPNG_SHB) this.section(buf, off, len, base + off);
      else if (type === IDB) this.iface(buf, off, len, base + off);
      else this.custom(buf, off, len);
      off += len;
    }
    this.needed = 1;
    return off;
  }

  /** Where a file that ends at stream offset `end` was cut, when that is inside a block being skipped. */
  cutInSkipped(end: number): { offset: number; message: string } | undefined {
    if (this.skip === 0 || this.skipFrom < 0) return undefined;
    const into = end - this.skipFrom;
    return { offset: this.skipFrom, message: `file ends ${into} bytes into a block of type 0x${this.skipType.toString(16)} that claims ${this.skipLen}` };
  }

  /** Damage: in the first section header it means "not a readable capture" (tshark refuses it too). */
  private fail(code: WarningCode, offset: number, message: string): void {
    if (this.sections === 0) throw new CaptureError(code, this.ctx.file, offset, message);
    this.ctx.damage(code, offset, message);
  }

  private section(buf: Buffer, off: number, len: number, abs: number): void {
    if (len < 28) return this.fail('pcapng_bad_block_length', abs + 4, `section header length ${len} < 28`);
    const major = this.u16(buf, off + 12);
    if (major !== 1) return this.fail('pcapng_unsupported_version', abs + 12, `pcapng major version ${major} is not 1`);
    if (this.sections === 0) this.firstLe = this.le;
    const prefix = this.sections === 0 ? 'shb.' : `shb${this.sections}.`;
    if (!this.options(buf, off + 24, off + len - 4, off, abs, prefix, SHB_OPTS, -1)) return;
    this.sections++;
    this.ifCount = 0;
    this.ifLink.length = this.ifSnap.length = this.ifDiv.length = this.ifNsPerUnit.length = this.ifTsOffset.length = 0;
  }

  private iface(buf: Buffer, off: number, len: number, abs: number): void {
    if (len < 20) return this.fail('pcapng_bad_block_length', abs + 4, `interface block length ${len} < 20`);
    const i = this.ifCount++;
    const link = this.u16(buf, off + 8);
    this.ifLink[i] = link;
    this.ifSnap[i] = this.u32(buf, off + 12);
    this.ifDiv[i] = 1e6;
    this.ifNsPerUnit[i] = 1000;
    this.ifTsOffset[i] = 0;
    this.ctx.noteLinkType(link);
    this.options(buf, off + 16, off + len - 4, off, abs, `if${this.ifTotal++}.`, IDB_OPTS, i);
    this.ctx.noteResolution(resolutionName(this.ifDiv[i]));
  }

  /** Walks options (§3.5). Returns false when they overflow the block (damage reported). */
  private options(buf: Buffer, o: number, end: number, blockOff: number, abs: number, prefix: string, names: Record<number, string>, ifc: number): boolean {
    while (end - o >= 4) {
      const code = this.u16(buf, o);
      const olen = this.u16(buf, o + 2);
      if (code === 0) break;
      if (o + 4 + olen > end) {
        if (ifc < 0) {
          this.fail('pcapng_bad_option', abs + (o - blockOff), `option ${code} of ${olen} bytes overflows its block`);
          return false;
        }
        this.ctx.warn('pcapng_bad_option', abs + (o - blockOff), `interface option ${code} of ${olen} bytes overflows its block`);
        return true;
      }
      const v = o + 4;
      if (ifc >= 0 && code === 9 && olen >= 1) {
        const r = buf[v];
        const n = r & 0x7f;
        const div = r & 0x80 ? Math.pow(2, n) : Math.pow(10, n);
        this.ifDiv[ifc] = div;
        this.ifNsPerUnit[ifc] = (r & 0x80) === 0 && n <= 9 ? Math.pow(10, 9 - n) : 0;
      } else if (ifc >= 0 && code === 14 && olen >= 8) {
        const hi = this.le ? buf.readInt32LE(v + 4) : buf.readInt32BE(v);
        const lo = this.le ? buf.readUInt32LE(v) : buf.readUInt32BE(v + 4);
        const tsOffset = hi * TWO32 + lo;
        // An offset moving every time out of 1970-2106 is a damaged option, not a clock: ignored.
        if (Math.abs(tsOffset) >= CAPTURE_TS_LIMIT_S) {
          this.ctx.warn('pcapng_bad_tsoffset', abs + (o - blockOff), `if_tsoffset of ${tsOffset} s ignored (beyond +-${CAPTURE_TS_LIMIT_S} s)`);
        } else this.ifTsOffset[ifc] = tsOffset;
      } else {
        const name = names[code];
        if (name !== undefined) this.ctx.meta(prefix + name, buf.toString('utf8', v, v + olen));
      }
      o = v + ((olen + 3) & ~3);
    }
    return true;
  }

  private packet(buf: Buffer, off: number, len: number, abs: number, obsolete: boolean): void {
    const ctx = this.ctx;
    if (len < 32) return this.fail('pcapng_bad_block_length', abs + 4, `packet block length ${len} < 32`);
    const ifid = obsolete ? this.u16(buf, off + 8) : this.u32(buf, off + 8);
    const cap = this.u32(buf, off + 20);
    if (28 + cap > len - 4) return this.fail('pcapng_bad_caplen', abs + 20, `captured length ${cap} overflows its ${len}-byte block`);
    if (ifid >= this.ifCount) {
      ctx.warn('pcapng_unknown_interface', abs + 8, `packet for undeclared interface ${ifid} skipped`);
      return;
    }
    const p = ctx.raw;
    p.buf = buf;
    p.off = off + 28;
    p.caplen = cap;
    p.origlen = this.u32(buf, off + 24);
    p.linkType = this.ifLink[ifid];
    p.interfaceId = ifid;
    p.fileOffset = abs;
    this.timestamp(ifid, this.u32(buf, off + 12), this.u32(buf, off + 16));
    const optOff = off + 28 + ((cap + 3) & ~3);
    if (optOff + 4 < off + len - 4) this.packetOptions(buf, optOff, off + len - 4);
    ctx.emit(true);
  }

  /** EPB options: only a PCAPdroid `u-<uid>` comment matters to us. */
  private packetOptions(buf: Buffer, o: number, end: number): void {
    while (end - o >= 4) {
      const code = this.u16(buf, o);
      const olen = this.u16(buf, o + 2);
      if (code === 0 || o + 4 + olen > end) return;
      if (code === 1) {
        const uid = parseUidComment(buf, o + 4, o + 4 + olen);
        if (uid !== -1) this.ctx.raw.appUid = uid;
      }
      o += 4 + ((olen + 3) & ~3);
    }
  }

  private simplePacket(buf: Buffer, off: number, len: number, abs: number): void {
    const ctx = this.ctx;
    if (len < 16) return this.fail('pcapng_bad_block_length', abs + 4, `simple packet block length ${len} < 16`);
    if (this.ifCount === 0) {
      ctx.warn('pcapng_unknown_interface', abs, 'simple packet block before any interface skipped');
      return;
    }
    // §4.4: captured length = min(original length, snaplen of interface 0, room in the block).
    const orig = this.u32(buf, off + 8);
    let cap = Math.min(orig, len - 16);
    const snap = this.ifSnap[0];
    if (snap > 0 && snap < cap) cap = snap;
    const p = ctx.raw;
    p.buf = buf;
    p.off = off + 12;
    p.caplen = cap;
    p.origlen = orig;
    p.linkType = this.ifLink[0];
    p.interfaceId = 0;
    p.fileOffset = abs;
    p.tsSec = 0;
    p.tsNsec = 0;
    ctx.emit(false);
  }

  private custom(buf: Buffer, off: number, len: number): void {
    if (len < 16) return;
    const pen = this.u32(buf, off + 8);
    const data = Buffer.from(buf.subarray(off + 12, off + len - 4));
    if (pen === PCAPDROID_PEN) readPcapdroidCustom(this.ctx, data, this.le);
    this.ctx.handler.customBlock?.(pen, data);
  }

  /** 64-bit timestamp in interface units -> tsSec/tsNsec exactly, by long division in 16-bit steps. */
  private timestamp(ifid: number, hi: number, lo: number): void {
    const p = this.ctx.raw;
    const div = this.ifDiv[ifid];
    const nsPer = this.ifNsPerUnit[ifid];
    let sec: number, rem: number;
    if (div <= 137438953472 /* 2^37: keeps r*65536 below 2^53 */) {
      const q1 = Math.floor(hi / div);
      let r = hi - q1 * div;
      let t = r * 65536 + (lo >>> 16);
      const q2 = Math.floor(t / div);
      r = t - q2 * div;
      t = r * 65536 + (lo & 0xffff);
      const q3 = Math.floor(t / div);
      rem = t - q3 * div;
      sec = q1 * TWO32 + q2 * 65536 + q3;
    } else {
      const v = hi * TWO32 + lo;
      sec = Math.floor(v / div);
      rem = v - sec * div;
      if (rem < 0) rem = 0;
    }
    p.tsSec = sec + this.ifTsOffset[ifid];
    p.tsNsec = nsPer > 0 ? rem * nsPer : Math.min(999_999_999, Math.floor((rem * 1e9) / div));
  }
}

function resolutionName(div: number): string {
  if (div === 1e6) return 'us';
  if (div === 1e9) return 'ns';
  if (div === 1e3) return 'ms';
  if (div === 1) return 's';
  const p10 = Math.log10(div);
  if (Number.isInteger(p10)) return `1e-${p10}`;
  return `2^-${Math.round(Math.log2(div))}`;
}
