// One worker of a split run (split.ts): reads its ring of record entries (split-layout.ts) and runs the pipeline's
// Analyzer on the records it owns, and a shadow Analyzer on the DNS packets, fragments and tunnels others own, so
// that its naming cache sees every answer in capture order. It runs the sweeps the reader schedules, at the times
// it gives, and posts what it emits with the key that puts it where a single analyser would have emitted it:
// (position of the record or sweep, step of the sweep, place of the flow in its eviction queue, emission order).
// Flow ids are provisional (frame that created the flow, in or after it, rank within it): the reader's side turns
// them into the running count (ranks over every worker's creations) and rebuilds the uids that depend on them.

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
  K_DNS, K_FLOW, K_ORACLE_DNS, K_ORACLE_HTTP, K_ORACLE_QUIC, K_ORACLE_TLS, POS_END, posOf, RING_ENTRIES, T_END, T_OWN, T_SHADOW, T_SWEEP,
  type SplitBatch, type SplitWorkerData,
} from './split-layout.js';

/** Items posted at once at most (a batch is also posted at every sweep and whenever the ring is empty). */
const POST_ITEMS = 2048;
/** Entries read between two posts at most when there are sweeps to post at. */
const POST_ENTRIES = 16384;

export function runSplitWorker(d: SplitWorkerData): void {
  const port = parentPort;
  if (port === null) throw new Error('a split worker runs in a worker thread');
  const ctl = new Int32Array(d.ctl);
  const ents = new Int32Array(d.ents);
  const f64 = new Float64Array(d.f64);
  const chunks = d.chunks.map((c) => Buffer.from(c));
  const me = d.index;

  let out = fresh();
  let pos = 0;
  let sub = 0;
  let order = 0;
  let seq = 0;
  let inQueues = false;
  let ending: Flow | null = null;
  let inSweep = false;

  function fresh(): SplitBatch {
    return { w: me, kinds: [], keys: [], recs: [], parts: [], creations: [], dnsParts: [], watermark: 0 };
  }
  function item(kind: number, rec: unknown, o = order): void {
    out.kinds.push(kind);
    out.keys.push(pos, sub, o, seq++);
    out.recs.push(rec);
  }
  let posted = -1;
  let sincePost = 0;
  function post(watermark: number, done?: SplitBatch['done']): void {
    posted = watermark;
    sincePost = 0;
    out.watermark = watermark;
    if (done !== undefined) out.done = done;
    port?.postMessage(out);
    out = fresh();
  }

  const handlers: AnalyzeHandlers = {};
  if (d.want.flow) {
    handlers.flow = (r) => {
      item(K_FLOW, r);
      // The record's Community ID left its tuple's digest in SHA1_OUT (flow/record.ts identify).
      const f = ending as Flow;
      const [a, b, x] = uidParts(Math.round(f.firstTs * 1e6));
      out.parts.push(a, b, x);
    };
  }
  if (d.want.dns) {
    handlers.dns = (r) => {
      item(K_DNS, r, sub === STEP_DNS ? r.frame ?? 0 : order);
      out.parts.push(0, 0, 0);
    };
  }
  if (d.want.oracle) {
    const o = (kind: number) => (e: unknown) => {
      item(kind, e);
      out.parts.push(0, 0, 0);
    };
    handlers.oracle = { dns: o(K_ORACLE_DNS), tls: o(K_ORACLE_TLS), quic: o(K_ORACLE_QUIC), http: o(K_ORACLE_HTTP) };
  }

  const real = new Analyzer(handlers, d.table);
  const shadow = new Analyzer({}, d.table, real);
  const ids = (an: Analyzer, logged: boolean): (() => number) => {
    let frame = -1;
    let sweep = false;
    let n = 0;
    return () => {
      const fr = an.table.frame;
      if (fr !== frame || sweep !== inSweep) {
        frame = fr;
        sweep = inSweep;
        n = 0;
      }
      const id = fr * ID_FRAME_MUL + (inSweep ? ID_SWEEP : 0) + Math.min(n++, ID_SWEEP - 1);
      if (logged) out.creations.push(id);
      return id;
    };
  };
  real.table.idFor = ids(real, true);
  shadow.table.idFor = ids(shadow, false);

  const tuple = new Int32Array(8);
  const uidOf = (f: Flow, owner: boolean): string => {
    let u = f.uid;
    if (u === undefined) {
      u = `\u0000${f.id}`;
      f.uid = u;
      if (owner) {
        tuple[0] = f.a0; tuple[1] = f.a1; tuple[2] = f.a2; tuple[3] = f.a3;
        tuple[4] = f.b0; tuple[5] = f.b1; tuple[6] = f.b2; tuple[7] = f.b3;
        sha1Block(writeTuple(f.proto, f.ipVersion === 6 ? 6 : 4, tuple, f.portA, f.portB, 0));
        const [a, b, x] = uidParts(Math.round(f.firstTs * 1e6));
        out.dnsParts.push(f.id, a, b, x);
      }
    }
    return u;
  };
  const ownsTransaction = (msg: DnsMessage, srcIp: string, dstIp: string, srcPort: number, dstPort: number, owner: boolean): boolean => {
    // LLMNR answers come from whichever host answers the multicast question: matched by the client's worker.
    if (dnsFlavourForPorts(srcPort, dstPort) !== 'llmnr') return owner;
    return textHash(msg.isResponse ? dstIp : srcIp) % d.workers === me;
  };
  const realHooks: AnalyzerHooks = {
    uidOf: (f) => uidOf(f, true),
    ending: (f, queue) => {
      ending = f;
      if (inQueues) {
        sub = STEP_QUEUES + Math.max(0, queue);
        order = f.touchFrame;
      }
    },
    step: (s) => {
      inQueues = s === STEP_QUEUES;
      sub = s;
      order = 0;
    },
    ownsTransaction,
  };
  real.hooks = realHooks;
  shadow.hooks = { uidOf: (f) => uidOf(f, false), ending: () => undefined, step: () => undefined, ownsTransaction };

  const p = new RawPacket();
  let r = 0;
  let lastPos = 0;
  for (;;) {
    const w = Atomics.load(ctl, C_WRITE);
    if (w === r) {
      if (out.kinds.length > 0 || out.creations.length > 0 || out.dnsParts.length > 0 || lastPos > posted) post(lastPos);
      Atomics.wait(ctl, C_WRITE, w, 1000);
      continue;
    }
    let ended = false;
    while (r < w && !ended) {
      const i = (r % RING_ENTRIES) * E;
      const t = ents[i + E_TYPE];
      const frame = ents[i + E_FRAME] >>> 0;
      const now = f64[(r % RING_ENTRIES) * F + 1];
      r++;
      sincePost++;
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
        p.fileOffset = f64[(r - 1) % RING_ENTRIES * F];
        p.appUid = ents[i + E_APP];
        pos = lastPos = posOf(frame, false);
        sub = 0;
        order = 0;
        (t === T_OWN ? real : shadow).packetAt(p, now);
      } else if (t === T_SWEEP) {
        pos = lastPos = posOf(frame, true);
        inSweep = true;
        real.table.frame = frame;
        shadow.table.frame = frame;
        real.expire(now);
        shadow.expire(now);
        inSweep = false;
        inQueues = false;
        sub = 0;
        order = 0;
        // The merge waits for the slowest worker's position: say it now and then, not at every sweep.
        if (out.kinds.length >= POST_ITEMS / 8 || sincePost >= POST_ENTRIES) post(lastPos);
      } else if (t === T_END) {
        pos = POS_END;
        inSweep = true;
        real.finish();
        shadow.finish();
        ended = true;
      }
      if (out.kinds.length >= POST_ITEMS) post(lastPos);
      if ((r & 1023) === 0) Atomics.store(ctl, C_READ, r);
    }
    Atomics.store(ctl, C_READ, r);
    Atomics.notify(ctl, C_READ);
    if (ended) {
      post(POS_END, { flows: real.flows, dnsMessages: real.dnsMessages, counters: real.counters, anomalies: real.anomalies });
      return;
    }
  }
}

/** A small text hash (the LLMNR client's address), the same in every worker. */
function textHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

