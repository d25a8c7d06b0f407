// Capture writers for tests and generated sample captures: classic pcap (µs or ns, either byte order, any link
// type) and pcapng (SHB, IDB with if_tsresol / if_name, EPB with an optional comment, SPB, custom blocks,
// several sections). Both build in memory: `toBuffer()` or `writeFile(path)`.
//
//   const w = new PcapWriter({ linkType: 1, nanos: false });
//   w.add(frame, 1_700_000_000.123456);            // ts as float seconds, or add(frame, sec, nsec)
//   const ng = new PcapngWriter();  const i = ng.addInterface(101, { tsresol: 9, name: 'tun0' });
//   ng.add(i, ipPacket, 1_700_000_000, 5, { comment: 'u-10123' });  ng.addCustom(62652, data);
import { writeFile } from 'node:fs/promises';

/** Splits float seconds (µs precision) or (sec, nsec) into integers. */
function splitTs(ts: number, nsec?: number): [number, number] {
  if (nsec !== undefined) return [Math.trunc(ts), nsec];
  const us = Math.round(ts * 1e6);
  return [Math.floor(us / 1e6), (us % 1e6) * 1000];
}

export class PcapWriter {
  private readonly parts: Buffer[] = [];
  private readonly be: boolean;
  private readonly nanos: boolean;

  constructor(o: { linkType?: number; nanos?: boolean; bigEndian?: boolean; snaplen?: number } = {}) {
    this.be = o.bigEndian ?? false;
    this.nanos = o.nanos ?? false;
    const h = Buffer.alloc(24);
    this.u32(h, this.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
    this.u16(h, 2, 4);
    this.u16(h, 4, 6);
    this.u32(h, o.snaplen ?? 262144, 16);
    this.u32(h, o.linkType ?? 1, 20);
    this.parts.push(h);
  }

  private u32(b: Buffer, v: number, o: number): void {
    if (this.be) b.writeUInt32BE(v >>> 0, o);
    else b.writeUInt32LE(v >>> 0, o);
  }

  private u16(b: Buffer, v: number, o: number): void {
    if (this.be) b.writeUInt16BE(v, o);
    else b.writeUInt16LE(v, o);
  }

  /** Appends a record. `ts` float seconds, or whole seconds with `nsec`. `origLen` defaults to the data length. */
  add(data: Buffer, ts: number, nsec?: number, origLen?: number): this {
    const [sec, ns] = splitTs(ts, nsec);
    const h = Buffer.alloc(16);
    this.u32(h, sec, 0);
    this.u32(h, this.nanos ? ns : Math.floor(ns / 1000), 4);
    this.u32(h, data.length, 8);
    this.u32(h, origLen ?? data.length, 12);
    this.parts.push(h, data);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }

  async writeFile(path: string): Promise<void> {
    await writeFile(path, this.toBuffer());
  }
}

function optionBytes(code: number, value: Buffer, be: boolean): Buffer {
  const b = Buffer.alloc(4 + ((value.length + 3) & ~3));
  if (be) {
    b.writeUInt16BE(code, 0);
    b.writeUInt16BE(value.length, 2);
  } else {
    b.writeUInt16LE(code, 0);
    b.writeUInt16LE(value.length, 2);
  }
  value.copy(b, 4);
  return b;
}

export class PcapngWriter {
  private readonly parts: Buffer[] = [];
  private be: boolean;
  /** Per-interface (current section) timestamp units per second as BigInt. */
  private units: bigint[] = [];

  constructor(o: { bigEndian?: boolean; comment?: string; hardware?: string; os?: string; userappl?: string } = {}) {
    this.be = o.bigEndian ?? false;
    this.addSection(o);
  }

  private block(type: number, body: Buffer): void {
    const len = 12 + body.length;
    const b = Buffer.alloc(len);
    const w = (v: number, off: number): void => {
      if (this.be) b.writeUInt32BE(v >>> 0, off);
      else b.writeUInt32LE(v >>> 0, off);
    };
    w(type, 0);
    w(len, 4);
    body.copy(b, 8);
    w(len, len - 4);
    this.parts.push(b);
  }

  private opts(list: Array<[number, string | Buffer | undefined]>): Buffer {
    const parts: Buffer[] = [];
    for (const [code, v] of list) {
      if (v === undefined) continue;
      parts.push(optionBytes(code, typeof v === 'string' ? Buffer.from(v, 'utf8') : v, this.be));
    }
    if (parts.length > 0) parts.push(Buffer.alloc(4)); // opt_endofopt
    return Buffer.concat(parts);
  }

  /** Starts a new section (the constructor starts the first). Interfaces restart at 0. */
  addSection(o: { bigEndian?: boolean; comment?: string; hardware?: string; os?: string; userappl?: string } = {}): this {
    if (o.bigEndian !== undefined) this.be = o.bigEndian;
    this.units = [];
    const fixed = Buffer.alloc(16);
    if (this.be) {
      fixed.writeUInt32BE(0x1a2b3c4d, 0);
      fixed.writeUInt16BE(1, 4);
      fixed.writeUInt16BE(0, 6);
    } else {
      fixed.writeUInt32LE(0x1a2b3c4d, 0);
      fixed.writeUInt16LE(1, 4);
      fixed.writeUInt16LE(0, 6);
    }
    fixed.writeInt32LE(-1, 8);
    fixed.writeInt32LE(-1, 12); // section length unknown
    this.block(0x0a0d0d0a, Buffer.concat([fixed, this.opts([[1, o.comment], [2, o.hardware], [3, o.os], [4, o.userappl]])]));
    return this;
  }

  /** Adds an IDB; `tsresol` is the raw if_tsresol byte (6 = µs default, 9 = ns, 0x80|n = 2^-n); `tsoffset` the
   *  if_tsoffset in seconds (a signed 64-bit value, written as given). Returns its id. */
  addInterface(linkType: number, o: { tsresol?: number; tsoffset?: bigint; name?: string; description?: string; snaplen?: number } = {}): number {
    const fixed = Buffer.alloc(8);
    if (this.be) {
      fixed.writeUInt16BE(linkType, 0);
      fixed.writeUInt32BE(o.snaplen ?? 0, 4);
    } else {
      fixed.writeUInt16LE(linkType, 0);
      fixed.writeUInt32LE(o.snaplen ?? 0, 4);
    }
    const r = o.tsresol ?? 6;
    this.units.push(r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r));
    const tsres = o.tsresol === undefined ? undefined : Buffer.from([o.tsresol]);
    let tsoff: Buffer | undefined;
    if (o.tsoffset !== undefined) {
      tsoff = Buffer.alloc(8);
      if (this.be) tsoff.writeBigInt64BE(o.tsoffset);
      else tsoff.writeBigInt64LE(o.tsoffset);
    }
    this.block(1, Buffer.concat([fixed, this.opts([[2, o.name], [3, o.description], [9, tsres], [14, tsoff]])]));
    return this.units.length - 1;
  }

  /** Appends an Enhanced Packet Block. `ts` float seconds, or whole seconds with `nsec`; `units` writes the raw
   *  64-bit timestamp (in the interface's units) instead. */
  add(ifid: number, data: Buffer, ts: number, nsec?: number, o: { comment?: string; origLen?: number; units?: bigint } = {}): this {
    const [sec, ns] = splitTs(ts, nsec);
    const per = this.units[ifid] ?? 1_000_000n;
    const t = o.units ?? BigInt(sec) * per + (BigInt(ns) * per) / 1_000_000_000n;
    const fixed = Buffer.alloc(20);
    const w = (v: number, off: number): void => {
      if (this.be) fixed.writeUInt32BE(v >>> 0, off);
      else fixed.writeUInt32LE(v >>> 0, off);
    };
    w(ifid, 0);
    w(Number(t >> 32n), 4);
    w(Number(t & 0xffffffffn), 8);
    w(data.length, 12);
    w(o.origLen ?? data.length, 16);
    const pad = Buffer.alloc((4 - (data.length & 3)) & 3);
    this.block(6, Buffer.concat([fixed, data, pad, this.opts([[1, o.comment]])]));
    return this;
  }

  /** Appends a Simple Packet Block (interface 0, no timestamp). */
  addSimple(data: Buffer, origLen?: number): this {
    const fixed = Buffer.alloc(4);
    if (this.be) fixed.writeUInt32BE(origLen ?? data.length, 0);
    else fixed.writeUInt32LE(origLen ?? data.length, 0);
    this.block(3, Buffer.concat([fixed, data, Buffer.alloc((4 - (data.length & 3)) & 3)]));
    return this;
  }

  /** Appends a Custom Block (0x00000BAD, or 0x40000BAD with `copy` false). Data is padded to 4 bytes. */
  addCustom(pen: number, data: Buffer, copy = true): this {
    const p = Buffer.alloc(4);
    if (this.be) p.writeUInt32BE(pen, 0);
    else p.writeUInt32LE(pen, 0);
    this.block(copy ? 0x00000bad : 0x40000bad, Buffer.concat([p, data, Buffer.alloc((4 - (data.length & 3)) & 3)]));
    return this;
  }

  /** Appends any block verbatim (body = everything between the length fields). */
  addRawBlock(type: number, body: Buffer): this {
    this.block(type, body);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }

  async writeFile(path: string): Promise<void> {
    await writeFile(path, this.toBuffer());
  }
}
