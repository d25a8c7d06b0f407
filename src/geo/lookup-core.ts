// Owns the WebAssembly side of a lookup (wasm/lookup-core.wat, embedded as bytes): compiling the module once per
// process, and its instances: one per locator for parsing, the private ranges and the record-combination ids
// (LookupCore), one per mmdb file holding that file (loadMmdbInto), one per ASN table holding it (asnInWasm).
// Why: the per-address work (parse, three tree walks, the ASN search, the combination key) ran as a dozen small
// JavaScript functions that V8's TurboFan compiled in every capture, ~25 ms of the ~90 ms the 1 GB benchmark
// capture's geolocation took; Liftoff compiles the module in about a millisecond. No instance's memory ever grows:
// growing a memory detaches its old ArrayBuffer, and the first detach anywhere in the process makes V8 give up an
// assumption (the ArrayBufferDetaching protector) and check for detachment at every typed-array and Buffer access
// in optimised code from then on: the whole packet pipeline ran ~5 % more instructions (see LookupCore).

import fs from 'node:fs';
import { GEO_MAX_CACHED_IPS } from '../limits.js';
import { V4 as PRIVATE_V4, V6 as PRIVATE_V6 } from './private-ranges.js';
import { LOOKUP_CORE_WASM } from './wasm/lookup-core-bytes.js';

// The WebAssembly JS API as far as it is used here (lib ES2022 without DOM does not declare it; Node has it).
declare global {
  namespace WebAssembly {
    class Module {
      constructor(bytes: Uint8Array);
    }
    class Memory {
      constructor(desc: { initial: number; maximum?: number });
      readonly buffer: ArrayBuffer;
    }
    class Instance {
      constructor(module: Module, imports: Record<string, Record<string, unknown>>);
      readonly exports: Record<string, unknown>;
    }
  }
}

interface CoreExports {
  parse(len: number): number;
  walk(family: number, v4: number, w0: number, w1: number, w2: number, w3: number): number;
  asn4(ip: number): number;
  asn6(w0: number, w1: number, w2: number, w3: number): number;
  initTree(base: number, nodeCount: number, recordSize: number, v4Start: number, treeSize: number, len: number): void;
  initAsn(starts: number, ends: number, index: number, n: number): void;
  initCombos(tab: number, cap: number, width: number): void;
  combo(): number;
}

/** A tree walk over one file: family 4 (v4) or 6 (w0..w3) -> file offset of the record's data, or -1. */
export type WalkFn = (family: number, v4: number, w0: number, w1: number, w2: number, w3: number) => number;

const PAGE = 65536;
/** Where file, table and hash-table bytes start in an instance's memory (below: input, io, private tables). */
const HEAP = 4096;
const IO = 64 / 4;
/** io slot of the combination tuple; at most MAX_TUPLE slots. */
const TUPLE = 8;
export const MAX_TUPLE = 24;
const INITIAL_SLOTS = 8192;

let compiled: WebAssembly.Module | null = null;

function instantiate(bytes: number): { ex: CoreExports; memory: WebAssembly.Memory } {
  compiled ??= new WebAssembly.Module(Buffer.from(LOOKUP_CORE_WASM, 'base64'));
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((HEAP + bytes) / PAGE)) });
  const inst = new WebAssembly.Instance(compiled, { env: { memory } });
  return { ex: inst.exports as unknown as CoreExports, memory };
}

/**
 * Reads a whole file into the memory of a new instance: its bytes (a Buffer over that memory, valid for the
 * instance's life) and a function that walks it once initTree has been given the tree's shape (see attachTree).
 */
export function loadMmdbInto(file: string): { buf: Buffer; attachTree: (nodeCount: number, recordSize: number, v4Start: number, treeSize: number) => WalkFn } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size > 0x7fff0000 - HEAP) throw new Error(`${file}: too large for a WebAssembly memory`);
    const { ex, memory } = instantiate(size);
    const buf = Buffer.from(memory.buffer, HEAP, size);
    let got = 0;
    while (got < size) {
      const n = fs.readSync(fd, buf, got, size - got, got);
      if (n <= 0) throw new Error(`${file}: short read at offset ${got}`);
      got += n;
    }
    return {
      buf,
      attachTree: (nodeCount, recordSize, v4Start, treeSize) => {
        ex.initTree(HEAP, nodeCount, recordSize, v4Start, treeSize, size);
        return ex.walk;
      },
    };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Copies an ASN range table (starts, ends: one word per IPv4 bound, four per IPv6 one; index: one entry per
 * range) into a new instance. Returns views over the copies (the caller drops its own arrays) and the searches.
 */
export function asnInWasm(
  starts: Uint32Array,
  ends: Uint32Array,
  index: Uint32Array,
): { starts: Uint32Array; ends: Uint32Array; index: Uint32Array; find4: (ip: number) => number; find6: (w0: number, w1: number, w2: number, w3: number) => number } {
  const bytes = (starts.length + ends.length + index.length) * 4;
  const { ex, memory } = instantiate(bytes);
  const s = new Uint32Array(memory.buffer, HEAP, starts.length);
  const e = new Uint32Array(memory.buffer, HEAP + starts.byteLength, ends.length);
  const x = new Uint32Array(memory.buffer, HEAP + starts.byteLength + ends.byteLength, index.length);
  s.set(starts);
  e.set(ends);
  x.set(index);
  ex.initAsn(s.byteOffset, e.byteOffset, x.byteOffset, index.length);
  return { starts: s, ends: e, index: x, find4: ex.asn4, find6: ex.asn6 };
}

const encoder = new TextEncoder();

/**
 * Per locator: address text -> family, IPv4 uint32 or IPv6 words (in `io`), or why it is not public; and the id of
 * each distinct tuple of record offsets (`io[TUPLE..]`), counted from 0, until reset().
 */
export class LookupCore {
  private readonly ex: CoreExports;
  private readonly memory: WebAssembly.Memory;
  private readonly input: Uint8Array;
  /** io[0] family, io[1] IPv4 (int32 bits), io[2..5] IPv6 words (int32 bits), io[TUPLE..] the tuple to name. */
  readonly io: Int32Array;
  private width = 0;
  /** Slots of the combination table, which starts at HEAP. */
  private cap = 0;
  /** The most slots the table may reach: the memory is sized for it once (see the constructor). */
  private readonly maxSlots: number;
  /** Private range reasons: IPv4 table order, then IPv6 (parse returns -k or -(1000 + k)). */
  private readonly reasons4 = PRIVATE_V4.map((r) => r.reason);
  private readonly reasons6 = PRIVATE_V6.map((r) => r.reason);

  /**
   * `maxWidth`: the widest tuple reset() will be given; `maxIds`: the most ids handed out before a reset (the
   * locator resets when its caches reach GEO_MAX_CACHED_IPS entries). The memory is sized for the largest table
   * those allow and never grows (see the module header: a grow would slow every typed-array access in the
   * process). The pages past what the table has used are never touched, so they cost address space, not memory.
   */
  constructor(maxWidth: number = MAX_TUPLE, maxIds: number = GEO_MAX_CACHED_IPS) {
    if (maxWidth < 1 || maxWidth > MAX_TUPLE) throw new Error(`combination tuple of ${maxWidth} slots (1..${MAX_TUPLE})`);
    // The table doubles when half full (combo), from INITIAL_SLOTS.
    let slots = INITIAL_SLOTS;
    while (slots < 2 * (maxIds + 1)) slots *= 2;
    this.maxSlots = slots;
    const { ex, memory } = instantiate(slots * (maxWidth + 1) * 4);
    this.ex = ex;
    this.memory = memory;
    this.input = new Uint8Array(memory.buffer, 0, 64);
    this.io = new Int32Array(memory.buffer, IO * 4, 48);
    const w = new Int32Array(memory.buffer);
    w[256 / 4] = PRIVATE_V4.length;
    PRIVATE_V4.forEach((r, i) => {
      w[260 / 4 + 2 * i] = r.net | 0;
      w[260 / 4 + 2 * i + 1] = r.mask | 0;
    });
    w[768 / 4] = PRIVATE_V6.length;
    PRIVATE_V6.forEach((r, i) => {
      for (let k = 0; k < 4; k++) {
        w[772 / 4 + 8 * i + k] = r.net[k] | 0;
        w[772 / 4 + 8 * i + 4 + k] = r.mask[k] | 0;
      }
    });
  }

  /**
   * Parses `ip`: 4 or 6 (public; io holds the address: an IPv4-mapped or NAT64 address as the IPv4 it carries),
   * 0 (not an address), or a negative code for a private range (reason()).
   */
  parse(ip: string): number {
    // At most 64 bytes: longer text is no address either way (an IPv6 address is 45 characters before any `%zone`).
    return this.ex.parse(encoder.encodeInto(ip, this.input).written);
  }

  /** The private-range reason of a negative parse() code. */
  reason(code: number): string {
    return code <= -1000 ? this.reasons6[-code - 1001] : this.reasons4[-code - 1];
  }

  /** Sets the tuple width (slots io[TUPLE..TUPLE+width)) and forgets every id. */
  reset(width: number): void {
    if (width < 1 || HEAP + this.maxSlots * (width + 1) * 4 > this.memory.buffer.byteLength) {
      throw new Error(`combination tuple of ${width} slots: wider than this core was made for`);
    }
    this.width = width;
    // 8,192 slots (a few hundred KB): the 1 GB benchmark capture has 470 combinations, its small-packet one ~1,000;
    // a table that grows while a capture is read makes V8 drop and recompile the optimised compute() once.
    this.allocate(this.cap === 0 ? INITIAL_SLOTS : this.cap);
  }

  /** The id of the tuple in io[TUPLE..TUPLE+width): an earlier tuple's, or the next number. */
  combo(): number {
    const id = this.ex.combo();
    // Ids are handed out in order, so id + 1 tuples are known once a new one gets `id`.
    if ((id + 1) * 2 > this.cap) {
      if (this.cap >= this.maxSlots) throw new Error(`more than ${this.maxSlots / 2 - 1} record combinations: reset() first`);
      this.grow();
    }
    return id;
  }

  /** io slot where the tuple starts. */
  static readonly TUPLE = TUPLE;

  private allocate(cap: number): void {
    const bytes = cap * (this.width + 1) * 4;
    // The constructor sized the memory for maxSlots (combo stops before more are needed).
    new Uint8Array(this.memory.buffer, HEAP, bytes).fill(0);
    this.cap = cap;
    this.ex.initCombos(HEAP, cap, this.width);
  }

  /** Doubles the table, entering the tuples again in id order (so each keeps its id). */
  private grow(): void {
    const slot = this.width + 1;
    const old = new Int32Array(this.memory.buffer, HEAP, this.cap * slot).slice();
    const byId: number[] = [];
    for (let s = 0; s < this.cap; s++) {
      const id = old[s * slot + this.width];
      if (id !== 0) byId[id - 1] = s;
    }
    this.allocate(this.cap * 2);
    const io = this.io;
    for (const s of byId) {
      for (let k = 0; k < this.width; k++) io[TUPLE + k] = old[s * slot + k];
      this.ex.combo();
    }
  }
}
