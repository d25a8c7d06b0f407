// Owns decoding records of a MaxMind DB data section (MaxMind DB File Format Spec 2.0, "Data Section Format"),
// selectively: a FieldSpec names the map keys wanted (nested for maps); only those values are decoded, everything
// else is skipped without building strings or objects. Keys are looked up by name (a key reached through a
// pointer is decoded once per file and remembered by its offset); pointers are followed for wanted values and
// keys. Values decode as the `maxmind` package decodes them (uint64/uint128 as bigint, int32 of fewer than 4
// bytes unsigned); a wanted key holding an array or bytes reads as null, and a wanted key holding a map the spec
// does not descend into reads as {}. Malformed data throws.

/** A decoded value: scalars as the `maxmind` package returns them, maps restricted to the wanted keys. */
export type MmdbValue = string | number | boolean | bigint | null | MmdbMap;
export interface MmdbMap {
  [key: string]: MmdbValue;
}

/** Which keys to decode: `true` for a value taken whole (scalar), a nested tree to descend into a map. A key
 *  may hold a scalar in one schema and a map in another (`city`): a nested tree accepts both. */
export interface FieldTree {
  [key: string]: true | FieldTree;
}

interface SpecKey {
  name: string;
  child: FieldSpec;
}

/** A FieldTree compiled for lookup by name. */
export class FieldSpec {
  readonly keys: SpecKey[];
  readonly byName: Map<string, SpecKey>;
  constructor(tree: FieldTree) {
    this.keys = Object.entries(tree).map(([name, sub]) => ({ name, child: new FieldSpec(sub === true ? {} : sub) }));
    this.byName = new Map(this.keys.map((k) => [k.name, k]));
  }
}

const MAX_DEPTH = 32;
/** Key strings remembered per file by the offset pointers lead to (writers store each key once and point to it). */
const MAX_KEY_NAMES = 4096;
const POINTER_BASE = [0, 2048, 526336, 0];
const MAP = 7;
const ARRAY = 11;

export class MmdbDecoder {
  private pos = 0;
  private readonly keyNames = new Map<number, string>();
  /** Size of the value whose header was read last (see header()). */
  private size = 0;

  /** `dataStart`: file offset of the data section (pointers are relative to it). */
  constructor(
    private readonly buf: Buffer,
    private readonly dataStart: number,
  ) {}

  /** The wanted fields of the record at file offset `off`; null when the record is not a map. */
  record(off: number, spec: FieldSpec): MmdbMap | null {
    this.pos = off;
    const v = this.value(spec, 0);
    return v !== null && typeof v === 'object' ? v : null;
  }

  /** Reads a control byte (and its extended-type and size bytes) at this.pos, moves past them and returns the
   *  type; the size (for a pointer: the file offset it points to) is left in this.size. */
  private header(): number {
    const b = this.buf;
    let p = this.pos;
    if (p >= b.length) throw new Error('mmdb data past the end of the file');
    const ctrl = b[p++];
    let type = ctrl >> 5;
    if (type === 1) {
      // pointer 001SSVVV followed by SS + 1 bytes
      const ss = (ctrl >> 3) & 3;
      let v: number;
      if (ss === 0) v = ((ctrl & 7) << 8) | b[p];
      else if (ss === 1) v = ((ctrl & 7) << 16) | (b[p] << 8) | b[p + 1];
      else if (ss === 2) v = (((ctrl & 7) << 24) | (b[p] << 16) | (b[p + 1] << 8) | b[p + 2]) >>> 0;
      else v = b.readUInt32BE(p);
      this.pos = p + ss + 1;
      this.size = this.dataStart + POINTER_BASE[ss] + v;
      return 1;
    }
    if (type === 0) {
      type = 7 + b[p++];
      if (!(type >= 8)) throw new Error('invalid mmdb extended type');
    }
    let size = ctrl & 0x1f;
    if (size === 29) size = 29 + b[p++];
    else if (size === 30) {
      size = 285 + ((b[p] << 8) | b[p + 1]);
      p += 2;
    } else if (size === 31) {
      size = 65821 + ((b[p] << 16) | (b[p + 1] << 8) | b[p + 2]);
      p += 3;
    }
    this.pos = p;
    this.size = size;
    return type;
  }

  /** Decodes the value at this.pos as `spec` asks and moves past it. */
  private value(spec: FieldSpec, depth: number): MmdbValue {
    if (depth > MAX_DEPTH) throw new Error('mmdb data nested too deep');
    const type = this.header();
    const p = this.pos;
    const b = this.buf;
    const size = this.size;
    switch (type) {
      case 1: {
        this.pos = size;
        const v = this.value(spec, depth + 1);
        this.pos = p;
        return v;
      }
      case 2:
        this.pos = p + size;
        return b.toString('utf8', p, p + size);
      case 3:
        this.pos = p + size;
        return b.readDoubleBE(p);
      case 15:
        this.pos = p + size;
        return b.readFloatBE(p);
      case 5:
      case 6:
        if (size > 4) throw new Error('invalid mmdb unsigned integer size');
        this.pos = p + size;
        return size === 0 ? 0 : b.readUIntBE(p, size);
      case 8:
        this.pos = p + size;
        return size === 0 ? 0 : size < 4 ? b.readUIntBE(p, size) : b.readInt32BE(p);
      case 9:
      case 10: {
        if (size > 16) throw new Error('invalid mmdb big integer size');
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(b[p + i]);
        this.pos = p + size;
        return v;
      }
      case 14:
        return size !== 0;
      case MAP:
        return this.map(size, spec, depth);
      case ARRAY:
        this.skipN(size);
        return null;
      case 4:
        this.pos = p + size;
        return null;
      default:
        throw new Error(`unknown mmdb data type ${type}`);
    }
  }

  private map(count: number, spec: FieldSpec, depth: number): MmdbMap {
    const out: MmdbMap = {};
    const keys = spec.keys;
    for (let i = 0; i < count; i++) {
      if (keys.length === 0) {
        this.skipN(2);
        continue;
      }
      const k = this.matchKey(spec);
      if (k === null) this.skipN(1);
      else out[k.name] = this.value(k.child, depth + 1);
    }
    return out;
  }

  /** Reads the key at this.pos (following a pointer), moves past it and returns the wanted key it names, or null. */
  private matchKey(spec: FieldSpec): SpecKey | null {
    const keyAt = this.pos;
    const type = this.header();
    if (type === 1) {
      const target = this.size;
      let name = this.keyNames.get(target);
      if (name === undefined) {
        const after = this.pos;
        this.pos = target;
        const t = this.header();
        if (t !== 2) {
          this.pos = after;
          return null; // a key that is not a string (never written in practice) names nothing
        }
        name = this.buf.toString('utf8', this.pos, this.pos + this.size);
        this.pos = after;
        if (this.keyNames.size < MAX_KEY_NAMES) this.keyNames.set(target, name);
      }
      return spec.byName.get(name) ?? null;
    }
    if (type === 2) {
      const start = this.pos;
      this.pos = start + this.size;
      return spec.byName.get(this.buf.toString('utf8', start, start + this.size)) ?? null;
    }
    this.pos = keyAt;
    this.skipN(1);
    return null;
  }

  /** Skips `n` values at this.pos (maps and arrays with their contents; pointers without following them). */
  private skipN(n: number): void {
    let left = n;
    while (left > 0) {
      left--;
      const type = this.header();
      if (type === MAP) left += 2 * this.size;
      else if (type === ARRAY) left += this.size;
      else this.skipBody(type, this.size);
    }
  }

  /** Moves past the payload of a scalar whose header was just read. */
  private skipBody(type: number, size: number): void {
    switch (type) {
      case 1:
      case 14:
        return; // pointer bytes already consumed; boolean has no payload
      case 5:
      case 6:
        if (size > 4) throw new Error('invalid mmdb unsigned integer size');
        break;
      case 9:
      case 10:
        if (size > 16) throw new Error('invalid mmdb big integer size');
        break;
      case 2:
      case 3:
      case 4:
      case 8:
      case 15:
        break;
      default:
        throw new Error(`unknown mmdb data type ${type}`);
    }
    this.pos += size;
  }
}
