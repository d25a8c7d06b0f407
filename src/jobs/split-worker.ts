// One shard of a split run (split.ts): the pipeline's Analyzer on the records a shard owns, and a shadow Analyzer
// on the DNS packets, fragments and tunnels other shards own, so that its naming cache sees every answer in capture
// order. It runs the sweeps the reader schedules, at the times it gives, and hands on what it emits with the key
// that puts it where a single analyser would have emitted it: (position of the record or sweep, step of the sweep,
// place of the flow in its eviction queue, emission order). Flow ids are provisional (the frame that created the
// flow, in a sweep or not, rank within it): the merge turns them into the running count a single analyser gives
// (ranks over every shard's creations) and rebuilds the uids that depend on them.
// Shard 0 runs in the reader's thread (split.ts calls it per record); the others are worker threads reading their
// ring of entries (runSplitWorker).

import { parentPort } from 'node:worker_threads';
import { RawPacket } from '../capture/raw-packet.js';
import type { DnsMessage } from '../extract/dns/message.js';
import { dnsFlavourForPorts } from '../extract/dns/detect.js';
import type { Flow } from '../flow/flow.js';
import { writeTuple } from '../flow/community-id.js';
import { sha1Block } from '../flow/sha1-block.js';
import { uidParts } from '../flow/uid.js';
import { Analyzer, STEP_DNS, STEP_QUEUES, type AnalyzeHandlers, type AnalyzerHooks } from '../pipeline.js';
import {
  C_READ, C_WRITE, E, E_APP, E_CAP, E_FRAME, E_IF, E_LT, E_NSEC, E_OFF, E_ORIG, E_SEC, E_SLOT, E_TYPE, F, ID_FRAME_MUL, ID_SWEEP,
  K_DNS, K_FLOW, K_LINK, K_ORACLE_DNS, K_ORACLE_HTTP, K_ORACLE_QUIC, K_ORACLE_TLS, POS_END, posOf, RING_ENTRIES, T_END, T_OWN, T_SHADOW, T_SWEEP,
  type SplitBatch, type SplitWorkerData,
} from './split-layout.js';

/** Items handed on at once at most (a batch also goes at the end of a sweep now and then, and when idle). */
const POST_ITEMS = 2048;
/** Records read between two batches at most when there are sweeps to send one at. */
const POST_ENTRIES = 16384;

export class Shard {
  private out: SplitBatch;
  private pos = 0;
  private sub = 0;
  private order = 0;
  private seq = 0;
  private inQueues = false;
  private inSweep = false;
  private ending: Flow | null = null;
  private posted = -1;
  private sincePost = 0;
  private readonly real: Analyzer;
  private readonly shadow: Analyzer;

  constructor(
    private readonly me: number,
    private readonly workers: number,
    want: SplitWorkerData['want'],
    table: SplitWorkerData['table'],
    private readonly send: (b: SplitBatch) => void,
  ) {
    this.out = this.fresh();
    const handlers: AnalyzeHandlers = {};
    if (want.flow) {
      handlers.flow = (r) => {
        this.item(K_FLOW, r, this.order);
        // The record's Community ID left its tuple's digest in SHA1_OUT (flow/record.ts identify).
        const [a, b, x] = uidParts(Math.round((this.ending as Flow).firstTs * 1e6));
        this.out.parts.push(a, b, x);
      };
    }
    if (want.linkType) {
      handlers.linkType = (t) => {
        this.item(K_LINK, t, this.order);
        this.out.parts.push(0, 0, 0);
      };
    }
    if (want.dns) {
      handlers.dns = (r) => {
        this.item(K_DNS, r, this.sub === STEP_DNS ? (r.frame ?? 0) : this.order);
        this.out.parts.push(0, 0, 0);
      };
    }
    if (want.oracle) {
      const o = (kind: number) => (e: unknown) => {
        this.item(kind, e, this.order);
        this.out.parts.push(0, 0, 0);
      };
      handlers.oracle = { dns: o(K_ORACLE_DNS), tls: o(K_ORACLE_TLS), quic: o(K_ORACLE_QUIC), http: o(K_ORACLE_HTTP) };
    }
    this.real = new Analyzer(handlers, table);
    this.shadow = new Analyzer({}, table, this.real);
    this.real.table.idFor = this.ids(this.real, true);
    this.shadow.table.idFor = this.ids(this.shadow, false);
    const ownsTransaction = (msg: DnsMessage, srcIp: string, dstIp: string, srcPort: number, dstPort: number, owner: boolean): boolean => {
      // LLMNR answers come from whichever host answers the multicast question: matched by the client's shard.
      if (dnsFlavourForPorts(srcPort, dstPort) !== 'llmnr') return owner;
      return textHash(msg.isResponse ? dstIp : srcIp) % this.workers === this.me;
    };
    const hooks: AnalyzerHooks = {
      uidOf: (f) => this.uidOf(f, true),
      ending: (f, queue) => {
        this.ending = f;
        if (this.inQueues) {
          this.sub = STEP_QUEUES + Math.max(0, queue);
          this.order = f.touchFrame;
        }
      },
      step: (s) => {
        this.inQueues = s === STEP_QUEUES;
        this.sub = s;
        this.order = 0;
      },
      ownsTransaction,
    };
    this.real.hooks = hooks;
    this.shadow.hooks = { uidOf: (f) => this.uidOf(f, false), ending: () => undefined, step: () => undefined, ownsTransaction };
  }

  /** A record this shard owns (`shadow` false) or only reads DNS from (true). */
  packet(p: RawPacket, now: number, shadow: boolean): void {
    this.pos = posOf(p.frame, false);
    this.sub = 0;
    this.order = 0;
    (shadow ? this.shadow : this.real).packetAt(p, now);
    this.sincePost++;
    if (this.out.kinds.length >= POST_ITEMS) this.post(this.pos);
  }

  /** The sweep the reader scheduled after record `frame`, at `now`. */
  sweep(frame: number, now: number): void {
    this.pos = posOf(frame, true);
    this.inSweep = true;
    this.real.table.frame = frame;
    this.shadow.table.frame = frame;
    this.real.expire(now);
    this.shadow.expire(now);
    this.inSweep = false;
    this.inQueues = false;
    this.sub = 0;
    this.order = 0;
    // The merge waits for the slowest shard's position: say it now and then, not at every sweep.
    if (this.out.kinds.length >= POST_ITEMS / 8 || this.sincePost >= POST_ENTRIES) this.post(this.pos);
  }

  /** The end of the capture: everything still live ends; the last batch carries the shard's counts. */
  end(): void {
    this.pos = POS_END;
    this.inSweep = true;
    this.real.finish();
    this.shadow.finish();
    const r = this.real;
    this.post(POS_END, { flows: r.flows, dnsMessages: r.dnsMessages, counters: r.counters, anomalies: r.anomalies });
  }

  /** Hands on what is waiting, if anything moved since the last batch. */
  idle(): void {
    const o = this.out;
    if (o.kinds.length > 0 || o.creations.length > 0 || o.dnsParts.length > 0 || this.pos > this.posted) this.post(this.pos);
  }

  private fresh(): SplitBatch {
    return { w: this.me, kinds: [], keys: [], recs: [], parts: [], creations: [], dnsParts: [], watermark: 0 };
  }

  private item(kind: number, rec: unknown, order: number): void {
    const o = this.out;
    o.kinds.push(kind);
    o.keys.push(this.pos, this.sub, order, this.seq++);
    o.recs.push(rec);
  }

  private post(watermark: number, done?: SplitBatch['done']): void {
    this.posted = watermark;
    this.sincePost = 0;
    const o = this.out;
    o.watermark = watermark;
    if (done !== undefined) o.done = done;
    this.out = this.fresh();
    this.send(o);
  }

  private ids(an: Analyzer, logged: boolean): () => number {
    let frame = -1;
    let sweep = false;
    let n = 0;
    return () => {
      const fr = an.table.frame;
      if (fr !== frame || sweep !== this.inSweep) {
        frame = fr;
        sweep = this.inSweep;
        n = 0;
      }
      const id = fr * ID_FRAME_MUL + (this.inSweep ? ID_SWEEP : 0) + Math.min(n++, ID_SWEEP - 1);
      if (logged) this.out.creations.push(id);
      return id;
    };
  }

  private readonly tuple = new Int32Array(8);

  /** A DNS flow's uid before its flow_id is known: `\0` and its provisional id; its owner sends the uid's parts. */
  private uidOf(f: Flow, owner: boolean): string {
    let u = f.uid;
    if (u === undefined) {
      u = `\u0000${f.id}`;
      f.uid = u;
      if (owner) {
        const t = this.tuple;
        t[0] = f.a0; t[1] = f.a1; t[2] = f.a2; t[3] = f.a3;
        t[4] = f.b0; t[5] = f.b1; t[6] = f.b2; t[7] = f.b3;
        sha1Block(writeTuple(f.proto, f.ipVersion === 6 ? 6 : 4, t, f.portA, f.portB, 0));
        const [a, b, x] = uidParts(Math.round(f.firstTs * 1e6));
        this.out.dnsParts.push(f.id, a, b, x);
      }
    }
    return u;
  }
}

/** A worker thread's shard: reads its ring until the end entry. */
export function runSplitWorker(d: SplitWorkerData): void {
  const port = parentPort;
  if (port === null) throw new Error('a split worker runs in a worker thread');
  const ctl = new Int32Array(d.ctl);
  const ents = new Int32Array(d.ents);
  const f64 = new Float64Array(d.f64);
  const chunks = d.chunks.map((c) => Buffer.from(c));
  const shard = new Shard(d.index, d.workers, d.want, d.table, (b) => port.postMessage(b));
  const p = new RawPacket();
  let r = 0;
  for (;;) {
    const w = Atomics.load(ctl, C_WRITE);
    if (w === r) {
      shard.idle();
      Atomics.wait(ctl, C_WRITE, w, 1000);
      continue;
    }
    for (; r < w; r++) {
      const k = r % RING_ENTRIES;
      const i = k * E;
      const t = ents[i + E_TYPE];
      const frame = ents[i + E_FRAME] >>> 0;
      const now = f64[k * F + 1];
      if (t === T_OWN || t === T_SHADOW) {
        p.buf = chunks[ents[i + E_SLOT]];
        p.off = ents[i + E_OFF];
        p.caplen = ents[i + E_CAP];
        p.origlen = ents[i + E_ORIG] >>> 0;
        p.tsSec = ents[i + E_SEC] >>> 0;
        p.tsNsec = ents[i + E_NSEC];
        p.linkType = ents[i + E_LT];
        p.interfaceId = ents[i + E_IF];
        p.frame = frame;
        p.fileOffset = f64[k * F];
        p.appUid = ents[i + E_APP];
        shard.packet(p, now, t === T_SHADOW);
      } else if (t === T_SWEEP) {
        shard.sweep(frame, now);
      } else if (t === T_END) {
        shard.end();
        Atomics.store(ctl, C_READ, r + 1);
        Atomics.notify(ctl, C_READ);
        return;
      }
      if ((r & 1023) === 1023) Atomics.store(ctl, C_READ, r + 1);
    }
    Atomics.store(ctl, C_READ, r);
    Atomics.notify(ctl, C_READ);
  }
}

/** A small text hash (the LLMNR client's address), the same in every shard. */
function textHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
