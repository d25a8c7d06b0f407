// Test helper: writes small MaxMind DB files (format spec 2.0) so the reader can be checked on schemas and tree
// shapes the bundled data lacks: MaxMind's nested GeoIP2 City/Country/ASN records, 24/28/32-bit records, IPv4 and
// IPv6 trees (IPv4 networks at ::a.b.c.d/96+n), pointers to shared records and keys of every size class.

export type WValue = string | number | boolean | bigint | WValue[] | { [k: string]: WValue } | Double | Float | Uint16 | Int32 | Uint64;
export class Double { constructor(readonly v: number) {} }
export class Float { constructor(readonly v: number) {} }
export class Uint16 { constructor(readonly v: number) {} }
export class Int32 { constructor(readonly v: number) {} }
export class Uint64 { constructor(readonly v: bigint) {} }

export interface WriterOptions {
  ipVersion: 4 | 6;
  recordSize: 24 | 28 | 32;
  databaseType: string;
  /** Bytes of filler put before the records, so pointers need 2, 3 or 4 bytes. */
  padding?: number;
}

/** A network: address bytes (4 or 16) and prefix length, with its record. */
export interface WNetwork {
  addr: number[];
  bits: number;
  data: WValue;
}

interface Node {
  kids: [Node | number | null, Node | number | null]; // child node, data index, or empty
}

class DataWriter {
  readonly chunks: Buffer[] = [];
  size = 0;
  private readonly seen = new Map<string, number>();
  /** `dedup`: reuse identical strings and maps through pointers (the metadata map must not use pointers). */
  constructor(private readonly dedup = true) {}

  put(b: Buffer): number {
    const at = this.size;
    this.chunks.push(b);
    this.size += b.length;
    return at;
  }

  /** Writes `v` (reusing an identical earlier string or map through a pointer) and returns its offset. */
  write(v: WValue): number {
    const key = !this.dedup ? null : typeof v === 'string' || (typeof v === 'object' && !Array.isArray(v) && v.constructor === Object) ? JSON.stringify(v) : null;
    if (key !== null) {
      const at = this.seen.get(key);
      if (at !== undefined) return this.put(pointer(at));
    }
    let out: number;
    if (typeof v === 'object' && !Array.isArray(v) && v.constructor === Object) {
      const m = v as { [k: string]: WValue };
      const entries = Object.entries(m);
      out = this.put(header(7, entries.length));
      for (const [k, val] of entries) {
        this.write(k);
        this.write(val);
      }
    } else if (Array.isArray(v)) {
      out = this.put(header(11, v.length));
      for (const x of v) this.write(x);
    } else {
      out = this.put(scalar(v));
    }
    if (key !== null) this.seen.set(key, out);
    return out;
  }
}

function header(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let sizeBits: number;
  const extra: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 285) {
    sizeBits = 29;
    extra.push(size - 29);
  } else if (size < 65821) {
    sizeBits = 30;
    const s = size - 285;
    extra.push(s >> 8, s & 255);
  } else {
    sizeBits = 31;
    const s = size - 65821;
    extra.push((s >> 16) & 255, (s >> 8) & 255, s & 255);
  }
  if (type <= 7) bytes.push((type << 5) | sizeBits);
  else bytes.push(sizeBits, type - 7);
  return Buffer.from([...bytes, ...extra]);
}

function pointer(off: number): Buffer {
  if (off < 2048) return Buffer.from([0x20 | (off >> 8), off & 255]);
  if (off < 2048 + (1 << 19)) {
    const v = off - 2048;
    return Buffer.from([0x28 | (v >> 16), (v >> 8) & 255, v & 255]);
  }
  if (off < 526336 + 2 ** 27) {
    const v = off - 526336;
    return Buffer.from([0x30 | (v >>> 24), (v >> 16) & 255, (v >> 8) & 255, v & 255]);
  }
  const b = Buffer.alloc(5);
  b[0] = 0x38;
  b.writeUInt32BE(off, 1);
  return b;
}

function uintBytes(v: number | bigint): number[] {
  const out: number[] = [];
  let x = BigInt(v);
  while (x > 0n) {
    out.unshift(Number(x & 255n));
    x >>= 8n;
  }
  return out;
}

function scalar(v: WValue): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([header(2, b.length), b]);
  }
  if (typeof v === 'boolean') return header(14, v ? 1 : 0);
  if (v instanceof Double || (typeof v === 'number' && !Number.isInteger(v))) {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v instanceof Double ? v.v : (v as number));
    return Buffer.concat([header(3, 8), b]);
  }
  if (v instanceof Float) {
    const b = Buffer.alloc(4);
    b.writeFloatBE(v.v);
    return Buffer.concat([header(15, 4), b]);
  }
  if (v instanceof Uint16) {
    const b = uintBytes(v.v);
    return Buffer.concat([header(5, b.length), Buffer.from(b)]);
  }
  if (v instanceof Int32) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v.v);
    return Buffer.concat([header(8, 4), b]);
  }
  if (v instanceof Uint64 || typeof v === 'bigint') {
    const b = uintBytes(v instanceof Uint64 ? v.v : (v as bigint));
    return Buffer.concat([header(9, b.length), Buffer.from(b)]);
  }
  if (typeof v === 'number') {
    const b = uintBytes(v);
    return Buffer.concat([header(6, b.length), Buffer.from(b)]);
  }
  throw new Error(`cannot encode ${String(v)}`);
}

function bitOf(addr: number[], i: number): 0 | 1 {
  return ((addr[i >> 3] >> (7 - (i & 7))) & 1) as 0 | 1;
}

/** Builds the file. Later networks overwrite earlier ones where they overlap (a data leaf is split as needed). */
export function writeMmdb(networks: WNetwork[], opts: WriterOptions): Buffer {
  const root: Node = { kids: [null, null] };
  const records: WValue[] = [];
  for (const n of networks) {
    const addr = opts.ipVersion === 6 && n.addr.length === 4 ? [...new Array<number>(12).fill(0), ...n.addr] : n.addr;
    const bits = opts.ipVersion === 6 && n.addr.length === 4 ? n.bits + 96 : n.bits;
    if (bits === 0) throw new Error('a /0 network is not supported');
    records.push(n.data);
    const idx = records.length - 1;
    let node = root;
    for (let i = 0; i < bits - 1; i++) {
      const b = bitOf(addr, i);
      const k = node.kids[b];
      if (k === null || typeof k === 'number') {
        const child: Node = { kids: [k, k] }; // split a data leaf (or empty) into two halves
        node.kids[b] = child;
        node = child;
      } else node = k;
    }
    node.kids[bitOf(addr, bits - 1)] = idx;
  }
  // Number nodes breadth-first.
  const order: Node[] = [];
  const ids = new Map<Node, number>();
  const queue: Node[] = [root];
  while (queue.length > 0) {
    const n = queue.shift() as Node;
    ids.set(n, order.length);
    order.push(n);
    for (const k of n.kids) if (k !== null && typeof k !== 'number') queue.push(k);
  }
  const nodeCount = order.length;
  const data = new DataWriter();
  if (opts.padding) data.put(Buffer.alloc(opts.padding));
  const dataOff = records.map((r) => data.write(r));
  const rec = (k: Node | number | null): number => (k === null ? nodeCount : typeof k === 'number' ? nodeCount + 16 + dataOff[k] : (ids.get(k) as number));
  const rs = opts.recordSize;
  const tree = Buffer.alloc((rs / 4) * nodeCount);
  order.forEach((n, i) => {
    const l = rec(n.kids[0]);
    const r = rec(n.kids[1]);
    const o = i * (rs / 4);
    if (rs === 24) {
      tree.writeUIntBE(l, o, 3);
      tree.writeUIntBE(r, o + 3, 3);
    } else if (rs === 28) {
      tree.writeUIntBE(l & 0xffffff, o, 3);
      tree[o + 3] = ((l >>> 24) << 4) | (r >>> 24);
      tree.writeUIntBE(r & 0xffffff, o + 4, 3);
    } else {
      tree.writeUInt32BE(l, o);
      tree.writeUInt32BE(r, o + 4);
    }
  });
  const meta = new DataWriter(false);
  meta.write({
    node_count: nodeCount,
    record_size: new Uint16(rs),
    ip_version: new Uint16(opts.ipVersion),
    database_type: opts.databaseType,
    languages: ['en', 'de'],
    binary_format_major_version: new Uint16(2),
    binary_format_minor_version: new Uint16(0),
    build_epoch: new Uint64(1_750_000_000n),
    description: { en: 'residency test database' },
  });
  const marker = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'latin1')]);
  return Buffer.concat([tree, Buffer.alloc(16), ...data.chunks, marker, ...meta.chunks]);
}
