// The flow table: bidirectional 5-tuple lookup (chained hash over a power-of-two bucket array, symmetric hash so
// both directions land in one bucket), per-direction counters, client/server orientation, TCP handshake RTT,
// and eviction (idle, FIN/RST linger, port reuse, table full) in O(1) per packet via activity-ordered queues.

import {
  memoryLimits,
  TCP_CLOSE_LINGER_S,
  TCP_IDLE_TIMEOUT_S,
  UDP_IDLE_TIMEOUT_S,
} from '../limits.js';
import { PacketView, PROTO_TCP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/packet-view.js';
import { DIR_AB, DIR_BA, F_DIR_FROM_SYN, F_FIN_A, F_FIN_B, F_RST, Flow } from './flow.js';
import { isWellKnownServerPort } from './server-ports.js';
import { ipText } from '../decode/ip-format.js';
import { ZERO_D } from '../number-fields.js';

export type EndReason = 'fin' | 'rst' | 'idle' | 'end' | 'reuse';

export interface FlowTableOptions {
  tcpIdleTimeout?: number;
  udpIdleTimeout?: number;
  closeLinger?: number;
  /** Live flows before the least recently active is ended early (default: memoryLimits().maxLiveFlows). */
  maxFlows?: number;
}

const Q_TCP = 0;
const Q_UDP = 1;
const Q_CLOSING = 2;

class Queue {
  head: Flow | null = null;
  tail: Flow | null = null;
  size = 0;
}

export class FlowTable {
  private buckets: (Flow | null)[];
  private mask: number;
  private readonly queues = [new Queue(), new Queue(), new Queue()];
  private readonly timeouts: number[];
  private readonly maxFlows: number;
  private nextId = 1;
  size = 0;
  created = 0;
  /** Direction of the last packet tracked: DIR_AB or DIR_BA. */
  dir = DIR_AB;
  /** Latest timestamp seen (captures may go backwards; eviction uses the maximum). */
  now = ZERO_D;
  /** Frame of the record being processed (set by the pipeline): a flow remembers the last one that touched it. */
  frame = 0;
  /** The eviction queue the flow being ended was in (-1: none), for the end callback. */
  endQueue = -1;
  /** Gives a new flow its id instead of the running count (a split run's workers: src/jobs/split-worker.ts). */
  idFor: (() => number) | null = null;
  /** Scratch: source words 0-3, destination words 4-7 of the packet being tracked (also read by create()). */
  private readonly words = new Int32Array(8);

  constructor(
    private readonly onEnd: (f: Flow, reason: EndReason) => void,
    opts: FlowTableOptions = {},
  ) {
    this.buckets = new Array<Flow | null>(1 << 16).fill(null);
    this.mask = (1 << 16) - 1;
    this.timeouts = [
      opts.tcpIdleTimeout ?? TCP_IDLE_TIMEOUT_S,
      opts.udpIdleTimeout ?? UDP_IDLE_TIMEOUT_S,
      opts.closeLinger ?? TCP_CLOSE_LINGER_S,
    ];
    this.maxFlows = Math.max(1, opts.maxFlows ?? memoryLimits().maxLiveFlows);
  }

  /** Finds or creates the flow of a decoded TCP/UDP packet, updates its counters; sets `this.dir`. */
  track(v: PacketView): Flow {
    const ts = v.ts;
    if (ts > this.now) this.now = ts;
    // Addresses as 32-bit words: one hash step and one compare per word instead of per byte (npm run bench).
    const w = this.words;
    const buf = v.buf;
    // Words assembled inline, not through a helper: track() is big enough that V8's inlining budget ran out and
    // the last helper calls stayed real calls (a DataView instead needed a branch per read chunk, which the
    // optimized code had never seen taken: a deopt and a recompile). Bytes past the end read as 0.
    if (v.addrLen === 4) {
      const s = v.srcOff;
      const d = v.dstOff;
      w[0] = (buf[s] << 24) | (buf[s + 1] << 16) | (buf[s + 2] << 8) | buf[s + 3];
      w[4] = (buf[d] << 24) | (buf[d + 1] << 16) | (buf[d + 2] << 8) | buf[d + 3];
      w[1] = w[2] = w[3] = w[5] = w[6] = w[7] = 0;
    } else {
      for (let i = 0; i < 4; i++) {
        const s = v.srcOff + 4 * i;
        const d = v.dstOff + 4 * i;
        w[i] = (buf[s] << 24) | (buf[s + 1] << 16) | (buf[s + 2] << 8) | buf[s + 3];
        w[4 + i] = (buf[d] << 24) | (buf[d + 1] << 16) | (buf[d + 2] << 8) | buf[d + 3];
      }
    }
    const s0 = w[0], s1 = w[1], s2 = w[2], s3 = w[3], d0 = w[4], d1 = w[5], d2 = w[6], d3 = w[7];
    const sp = v.srcPort;
    const dp = v.dstPort;
    const proto = v.proto;
    const h = mixHash(hashEnd(s0, s1, s2, s3, sp) ^ hashEnd(d0, d1, d2, d3, dp), proto);
    let f = this.buckets[h & this.mask];
    let dir = DIR_AB;
    while (f !== null) {
      if (f.hash === h && f.proto === proto) {
        if (f.portA === sp && f.portB === dp && f.a0 === s0 && f.b0 === d0 && f.a1 === s1 && f.a2 === s2 && f.a3 === s3 && f.b1 === d1 && f.b2 === d2 && f.b3 === d3) {
          dir = DIR_AB;
          break;
        }
        if (f.portA === dp && f.portB === sp && f.a0 === d0 && f.b0 === s0 && f.a1 === d1 && f.a2 === d2 && f.a3 === d3 && f.b1 === s1 && f.b2 === s2 && f.b3 === s3) {
          dir = DIR_BA;
          break;
        }
      }
      f = f.nextInBucket;
    }
    const flags = v.proto === PROTO_TCP ? v.tcpFlags : 0;
    if (f !== null && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && f.queue === Q_CLOSING && f.synSeq !== v.seq) {
      // A new SYN on a closed connection: the port was reused.
      this.end(f, 'reuse');
      f = null;
    }
    if (f !== null && ts - f.lastTs > this.timeouts[f.queue >= 0 ? f.queue : Q_UDP]) {
      // Idle longer than its timeout (the periodic sweep had not reached it yet): that flow is over.
      this.end(f, f.queue === Q_CLOSING ? ((f.state & F_RST) !== 0 ? 'rst' : 'fin') : 'idle');
      f = null;
    }
    if (f === null) {
      f = this.create(v, h, ts);
      dir = DIR_AB;
    }
    this.dir = dir;
    if (dir === DIR_AB) {
      f.packets0++;
      f.bytes0 += v.ipPayloadLen;
      f.payload0 += v.payloadWireLen;
    } else {
      f.packets1++;
      f.bytes1 += v.ipPayloadLen;
      f.payload1 += v.payloadWireLen;
    }
    if (ts > f.lastTs) f.lastTs = ts;
    if (v.appUid >= 0 && f.appUid < 0) f.appUid = v.appUid;
    if (flags !== 0) {
      f.tcpFlags |= flags;
      // Only SYN, FIN and RST change state; the common ACK/PSH packet skips the call (and boxing `ts` for it:
      // ~260 instructions a packet, counted with callgrind).
      if ((flags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0) this.tcpState(f, flags, dir, ts, v.seq);
    }
    this.touch(f);
    return f;
  }

  /** Evicts flows idle for longer than their timeout at the current time. Cheap: looks at queue heads only. */
  expire(): void {
    const now = this.now;
    for (let q = 0; q < 3; q++) {
      const queue = this.queues[q];
      const limit = this.timeouts[q];
      while (queue.head !== null && queue.head.lastTs + limit < now) {
        const f = queue.head;
        this.end(f, q === Q_CLOSING ? ((f.state & F_RST) !== 0 ? 'rst' : 'fin') : 'idle');
      }
    }
  }

  /** Ends every live flow (end of capture), oldest activity first. */
  flushAll(): void {
    for (let q = 0; q < 3; q++) {
      const queue = this.queues[q];
      while (queue.head !== null) {
        const f = queue.head;
        this.end(f, q === Q_CLOSING ? ((f.state & F_RST) !== 0 ? 'rst' : 'fin') : 'end');
      }
    }
  }

  // ------------------------------------------------------------------ internals

  private create(v: PacketView, h: number, ts: number): Flow {
    if (this.size >= this.maxFlows) this.evictOldest();
    const n = v.addrLen as 4 | 16;
    const f = new Flow(this.idFor === null ? this.nextId++ : this.idFor(), v.proto, v.ipVersion, this.words, v.srcPort, v.dstPort, h, ts, v.frame, v.vlan);
    f.ipA = ipText(v.buf, v.srcOff, n);
    f.ipB = ipText(v.buf, v.dstOff, n);
    f.clientIsA = orientByPorts(v);
    if (v.proto === PROTO_TCP) {
      const fl = v.tcpFlags & (TCP_SYN | TCP_ACK);
      if (fl === TCP_SYN) {
        f.clientIsA = true;
        f.state |= F_DIR_FROM_SYN;
      } else if (fl === (TCP_SYN | TCP_ACK)) {
        f.clientIsA = false;
        f.state |= F_DIR_FROM_SYN;
      }
    }
    if (v.macSrcOff >= 0) {
      f.macA = macAt(v.frameBuf, v.macSrcOff);
      f.macB = macAt(v.frameBuf, v.macDstOff);
    }
    const slot = h & this.mask;
    f.nextInBucket = this.buckets[slot];
    this.buckets[slot] = f;
    this.size++;
    this.created++;
    if (this.size > this.buckets.length) this.grow();
    return f;
  }

  private tcpState(f: Flow, flags: number, dir: number, ts: number, seq: number): void {
    f.tcpFlags |= flags;
    const fromA = dir === DIR_AB;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      if (f.synAckTs < 0) f.synTs = ts;
      f.synSeq = seq;
      if ((f.state & F_DIR_FROM_SYN) === 0) {
        f.clientIsA = fromA;
        f.state |= F_DIR_FROM_SYN;
      }
    } else if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
      if (f.synAckTs < 0) f.synAckTs = ts;
      if ((f.state & F_DIR_FROM_SYN) === 0) {
        f.clientIsA = !fromA;
        f.state |= F_DIR_FROM_SYN;
      }
    }
    if ((flags & TCP_RST) !== 0) f.state |= F_RST;
    if ((flags & TCP_FIN) !== 0) f.state |= fromA ? F_FIN_A : F_FIN_B;
  }

  /** Moves a flow to the tail of the queue it belongs in now. */
  private touch(f: Flow): void {
    f.touchFrame = this.frame;
    const closing = (f.state & F_RST) !== 0 || (f.state & (F_FIN_A | F_FIN_B)) === (F_FIN_A | F_FIN_B);
    const q = closing ? Q_CLOSING : f.proto === PROTO_TCP ? Q_TCP : Q_UDP;
    const queue = this.queues[q];
    if (f.queue === q && queue.tail === f) return;
    if (f.queue >= 0) this.unlink(f);
    f.queue = q;
    f.prevLru = queue.tail;
    f.nextLru = null;
    if (queue.tail !== null) queue.tail.nextLru = f;
    else queue.head = f;
    queue.tail = f;
    queue.size++;
  }

  private unlink(f: Flow): void {
    const queue = this.queues[f.queue];
    if (f.prevLru !== null) f.prevLru.nextLru = f.nextLru;
    else queue.head = f.nextLru;
    if (f.nextLru !== null) f.nextLru.prevLru = f.prevLru;
    else queue.tail = f.prevLru;
    f.prevLru = null;
    f.nextLru = null;
    f.queue = -1;
    queue.size--;
  }

  private end(f: Flow, reason: EndReason): void {
    this.endQueue = f.queue;
    if (f.queue >= 0) this.unlink(f);
    const slot = f.hash & this.mask;
    let p = this.buckets[slot];
    if (p === f) this.buckets[slot] = f.nextInBucket;
    else {
      while (p !== null && p.nextInBucket !== f) p = p.nextInBucket;
      if (p !== null) p.nextInBucket = f.nextInBucket;
    }
    f.nextInBucket = null;
    this.size--;
    this.onEnd(f, reason);
  }

  private evictOldest(): void {
    // The least recently active flow of the fullest queue goes first.
    let best: Flow | null = null;
    for (const q of this.queues) if (q.head !== null && (best === null || q.head.lastTs < best.lastTs)) best = q.head;
    if (best !== null) {
      best.addAnomaly('flow_table_full');
      this.end(best, 'idle');
    }
  }

  private grow(): void {
    const nb = new Array<Flow | null>(this.buckets.length * 2).fill(null);
    const mask = nb.length - 1;
    for (let f of this.buckets) {
      while (f !== null) {
        const next = f.nextInBucket;
        const slot = f.hash & mask;
        f.nextInBucket = nb[slot];
        nb[slot] = f;
        f = next;
      }
    }
    this.buckets = nb;
    this.mask = mask;
  }
}

/** One endpoint (address words + port); XOR of both endpoints makes the flow hash direction-free. */
function hashEnd(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ w2, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16) ^ w3, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15) ^ port, 0x27d4eb2f);
  return h ^ (h >>> 16);
}

/** Final mix with the protocol; 30 bits, so it stays a small integer (no heap number per packet in V8). */
function mixHash(h: number, proto: number): number {
  h = Math.imul(h ^ (h >>> 16) ^ proto, 0x45d9f3b);
  return (h ^ (h >>> 13)) & 0x3fffffff;
}

/** Client is A (the first sender) unless the ports say otherwise: a well-known server port, else the lower port. */
function orientByPorts(v: PacketView): boolean {
  const s = v.srcPort;
  const d = v.dstPort;
  const sw = isWellKnownServerPort(s);
  const dw = isWellKnownServerPort(d);
  if (dw && !sw) return true;
  if (sw && !dw) return false;
  if (s === d) return true;
  return s > d;
}

const HEX = '0123456789abcdef';
function formatMac(buf: Buffer, off: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    const b = buf[off + i];
    s += (i ? ':' : '') + HEX[b >> 4] + HEX[b & 15];
  }
  return s;
}

/** MAC text, cached like ipText() (decode/ip-format.ts): a capture has a handful of devices and gateways. */
const MAC_SLOTS = 1024;
const macHi = new Int32Array(MAC_SLOTS);
const macLo = new Int32Array(MAC_SLOTS);
const macText: (string | undefined)[] = new Array<string | undefined>(MAC_SLOTS).fill(undefined);
function macAt(buf: Buffer, off: number): string {
  const hi = (buf[off] << 8) | buf[off + 1];
  const lo = (buf[off + 2] << 24) | (buf[off + 3] << 16) | (buf[off + 4] << 8) | buf[off + 5];
  const slot = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 22;
  const t = macText[slot];
  if (t !== undefined && macHi[slot] === hi && macLo[slot] === lo) return t;
  const s = formatMac(buf, off);
  macHi[slot] = hi;
  macLo[slot] = lo;
  macText[slot] = s;
  return s;
}

export { DIR_AB, DIR_BA };
