// One capture on several cores: this thread reads the capture (the usual reader, src/capture/reader.ts) straight
// into shared chunks and hands each record to the shard that owns its address pair (shard.ts): shard 0 is analysed
// here, at once; the others are worker threads, each given an entry in its ring (split-layout.ts): no copy of the
// packet, no message per packet. DNS packets, fragments and tunnels
// also reach every other worker's shadow analyser, so every naming cache sees every answer in capture order. The
// reader schedules the sweeps (SweepSchedule) and sends them to every worker, with the time they run at.
// What the workers emit comes back in batches and is merged here by its key (split-worker.ts), with the flow ids
// turned into the running count a single analyser gives and the uids rebuilt from them: the records, their order
// and their ids are those of --jobs 1 (what can differ, and why, is in docs/architecture.md).

import { closeSync, openSync, readSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { readCaptureStream, type CaptureReadSummary } from '../capture/reader.js';
import type { RawPacket } from '../capture/raw-packet.js';
import { CaptureError, InternalError } from '../errors.js';
import { uidFromParts } from '../flow/uid.js';
import { SPLIT_BATCH_PACKETS, SPLIT_CHUNK_BYTES, SPLIT_CHUNKS } from '../limits.js';
import { resolveMemoryBudget } from '../memory-budget.js';
import { budgetWarning, summarize, SweepSchedule, type Analyzer, type AnalyzeHandlers, type AnalyzeOptions } from '../pipeline.js';
import type { Anomaly, CaptureSummary, DnsRecord, FlowRecord, OracleDnsEntry, OracleHostEntry, OracleSniEntry } from '../types.js';
import { startWorker } from './self.js';
import { Shard } from './split-worker.js';
import { Sharder } from './shard.js';
import {
  C_READ, C_WRITE, CHUNK_BYTES, CHUNK_SKEW, E, E_APP, E_CAP, E_FRAME, E_IF, E_LT, E_NSEC, E_OFF, E_ORIG, E_SEC, E_SLOT, E_TYPE, F,
  K_DNS, K_FLOW, K_LINK, K_ORACLE_DNS, K_ORACLE_HTTP, K_ORACLE_QUIC, K_ORACLE_TLS, RING_ENTRIES, T_END, T_OWN, T_SHADOW, T_SWEEP,
  type SplitBatch, type SplitWorkerData,
} from './split-layout.js';

interface Ring {
  ctl: Int32Array;
  ents: Int32Array;
  f64: Float64Array;
  /** Entries written (published or not). */
  written: number;
  published: number;
}

/** Analyses one plain (not compressed) capture file with `jobs` workers; handlers get what --jobs 1 gives them. */
export async function analyzeSplit(path: string, handlers: AnalyzeHandlers, opts: AnalyzeOptions, jobs: number): Promise<CaptureSummary> {
  const n = jobs;
  const slots = Array.from({ length: SPLIT_CHUNKS }, () => new SharedArrayBuffer(CHUNK_BYTES));
  const slotBufs = slots.map((s) => Buffer.from(s));
  const rings: Ring[] = [];
  const workers: Worker[] = [];
  const want = { flow: handlers.flow !== undefined, linkType: handlers.linkType !== undefined, dns: handlers.dns !== undefined, oracle: handlers.oracle !== undefined };
  // Ring and worker w - 1 serve shard w (shard 0 is this thread's).
  // The memory budget is split: each shard holds 1/n of its parts (live flows, reassembly, naming cache, waiting
  // queries), resolved here once so that every worker sizes its share of the same budget.
  const budgetMb = resolveMemoryBudget(opts.memoryBudgetMb);
  const merge = new Merge(n, handlers, budgetMb);
  const table = {
    tcpIdleTimeout: opts.tcpIdleTimeout,
    udpIdleTimeout: opts.udpIdleTimeout,
    closeLinger: opts.closeLinger,
    maxFlows: opts.maxFlows === undefined ? undefined : Math.ceil(opts.maxFlows / n),
    memoryBudgetMb: budgetMb,
    memoryShards: n,
  };
  let failure: unknown;
  let closing = false;
  const allDone = new Promise<void>((resolve, reject) => {
    let done = 0;
    for (let i = 1; i < n; i++) {
      const ctl = new SharedArrayBuffer(8);
      const ents = new SharedArrayBuffer(RING_ENTRIES * E * 4);
      const f64 = new SharedArrayBuffer(RING_ENTRIES * F * 8);
      rings.push({ ctl: new Int32Array(ctl), ents: new Int32Array(ents), f64: new Float64Array(f64), written: 0, published: 0 });
      const data: SplitWorkerData = { kind: 'split', index: i, workers: n, chunks: slots, ctl, ents, f64, want, table };
      const w = startWorker(data);
      workers.push(w);
      w.on('message', (b: SplitBatch) => {
        try {
          merge.add(b);
          if (b.done !== undefined && ++done === n - 1) resolve();
        } catch (e) {
          failure ??= e;
          reject(e);
        }
      });
      w.on('error', (e) => {
        failure ??= e;
        reject(e);
      });
      w.on('exit', (code) => {
        if (code !== 0 && !closing) {
          failure ??= new InternalError(`split worker ${i} stopped (exit ${code})`);
          reject(failure);
        }
      });
    }
  });
  allDone.catch(() => undefined);

  const local = new Shard(0, n, want, table, (b) => merge.add(b));
  const publish = (w: number): void => {
    const r = rings[w];
    if (r.published === r.written) return;
    r.published = r.written;
    Atomics.store(r.ctl, C_WRITE, r.written);
    Atomics.notify(r.ctl, C_WRITE);
  };
  const sharder = new Sharder(n);
  const schedule = new SweepSchedule();
  let cur = -1;
  let curView: Buffer | null = null;
  let spill = 0;
  /** Per slot and worker: the ring count a worker must have read past before the slot is read into again. */
  const need = slots.map(() => new Array<number>(n - 1).fill(0));
  const m = n - 1;

  const push = (w: number, type: number, p: RawPacket | null, off: number, now: number, frame: number): void => {
    const r = rings[w];
    if (r.written - Atomics.load(r.ctl, C_READ) >= RING_ENTRIES) {
      // Every worker gets what is waiting for it first: none may sit idle while this one catches up.
      for (let v = 0; v < m; v++) publish(v);
      // The worker is a ring behind: wait for it (this thread has nothing else to do that would help).
      for (let seen = Atomics.load(r.ctl, C_READ); r.written - seen >= RING_ENTRIES; seen = Atomics.load(r.ctl, C_READ)) {
        if (failure !== undefined) throw failure;
        Atomics.wait(r.ctl, C_READ, seen, 100);
      }
    }
    const k = r.written % RING_ENTRIES;
    const i = k * E;
    const ents = r.ents;
    ents[i + E_TYPE] = type;
    ents[i + E_FRAME] = frame;
    if (p !== null) {
      ents[i + E_SLOT] = cur;
      ents[i + E_OFF] = off;
      ents[i + E_CAP] = p.caplen;
      ents[i + E_ORIG] = p.origlen;
      ents[i + E_SEC] = p.tsSec;
      ents[i + E_NSEC] = p.tsNsec;
      ents[i + E_LT] = p.linkType;
      ents[i + E_IF] = p.interfaceId;
      ents[i + E_APP] = p.appUid;
      r.f64[k * F] = p.fileOffset;
    }
    r.f64[k * F + 1] = now;
    r.written++;
    if (r.written - r.published >= SPLIT_BATCH_PACKETS) publish(w);
  };

  const handler = {
    packet: (p: RawPacket): void => {
      const due = schedule.see(p.tsSec + p.tsNsec / 1e9);
      const now = schedule.now;
      const owner = sharder.route(p.buf, p.off, p.caplen, p.linkType);
      const all = sharder.broadcast;
      if (owner !== 0 || all) {
        let off: number;
        if (p.buf === curView) off = CHUNK_SKEW + p.off;
        else {
          // A record the reader put together from two reads: copied after this chunk's bytes.
          if (spill + p.caplen > CHUNK_BYTES - CHUNK_SKEW - SPLIT_CHUNK_BYTES) throw new InternalError('split: no room for a record straddling two reads');
          off = CHUNK_SKEW + SPLIT_CHUNK_BYTES + spill;
          p.buf.copy(slotBufs[cur], off, p.off, p.off + p.caplen);
          spill += p.caplen;
        }
        if (owner !== 0) push(owner - 1, T_OWN, p, off, now, p.frame);
        if (all) for (let w = 1; w < n; w++) if (w !== owner) push(w - 1, T_SHADOW, p, off, now, p.frame);
      }
      if (owner === 0 || all) local.packet(p, now, owner !== 0);
      if (due) {
        for (let w = 0; w < m; w++) push(w, T_SWEEP, null, 0, now, p.frame);
        local.sweep(p.frame, now);
      }
    },
    warning: (a: Anomaly) => handlers.warning?.(a),
    metadata: (k: string, v: string) => merge.metadata(k, v),
  };

  async function* chunks(fd: number): AsyncGenerator<Buffer> {
    for (let k = 0; ; k++) {
      const s = k % SPLIT_CHUNKS;
      // The slot is free once every worker has read past its entries.
      for (let w = 0; w < m; w++) {
        const r = rings[w];
        for (let seen = Atomics.load(r.ctl, C_READ); seen < need[s][w]; seen = Atomics.load(r.ctl, C_READ)) {
          if (failure !== undefined) throw failure;
          const wait = waitAsync(r.ctl, C_READ, seen, 100);
          if (wait.async) await wait.value;
        }
      }
      const got = readSync(fd, slotBufs[s], CHUNK_SKEW, SPLIT_CHUNK_BYTES, null);
      if (got === 0) return;
      cur = s;
      spill = 0;
      curView = slotBufs[s].subarray(CHUNK_SKEW, CHUNK_SKEW + got);
      yield curView;
      for (let w = 0; w < m; w++) {
        need[s][w] = rings[w].written;
        publish(w);
      }
      local.idle();
      // Let the workers' batches in (merged and written out) before the next read.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (failure !== undefined) throw failure;
    }
  }

  let rs: CaptureReadSummary;
  const fd = openCapture(path);
  try {
    rs = await readCaptureStream(chunks(fd), path, handler, { chunkSize: SPLIT_CHUNK_BYTES, onProgress: opts.onProgress, pace: opts.pace, hash: opts.hash });
    for (let w = 0; w < m; w++) {
      push(w, T_END, null, 0, schedule.now, 0);
      publish(w);
    }
    local.end();
    await allDone;
  } finally {
    closeSync(fd);
    closing = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure !== undefined) throw failure;
  merge.drain();
  return summarize(rs, merge.totals());
}

/** Atomics.waitAsync (Node 16+; the ES2022 lib this project compiles against does not declare it). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

function openCapture(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new CaptureError('capture_open_failed', path, 0, (e as Error).message);
  }
}

/** A growable sorted list of one worker's provisional flow ids. */
class Ids {
  a = new Float64Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  /** How many ids are below x (or at most x when `orEqual`). */
  count(x: number, orEqual: boolean): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      const v = this.a[m];
      if (v < x || (orEqual && v === x)) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
}

/** One shard's batches not yet merged, read from the head. */
interface Queue {
  batches: SplitBatch[];
  /** Index of the head batch in `batches` and of its next item. */
  b: number;
  i: number;
}

/** Puts the shards' items back in the order of a single analyser, with its ids (see module comment). */
class Merge {
  private readonly q: Queue[];
  private readonly marks: number[];
  private readonly ids: Ids[];
  private readonly dnsParts = new Map<number, [number, number, number, number]>();
  private readonly linkTypes: number[] = [];
  private readonly apps = new Map<number, string>();
  private readonly stats: NonNullable<SplitBatch['done']>[] = [];

  constructor(
    private readonly n: number,
    private readonly h: AnalyzeHandlers,
    private readonly budgetMb: number,
  ) {
    this.q = Array.from({ length: n }, () => ({ batches: [], b: 0, i: 0 }));
    this.marks = new Array<number>(n).fill(-1);
    this.ids = Array.from({ length: n }, () => new Ids());
  }

  add(batch: SplitBatch): void {
    const q = this.q[batch.w];
    if (batch.kinds.length > 0) q.batches.push(batch);
    const ids = this.ids[batch.w];
    for (const c of batch.creations) ids.push(c);
    const dp = batch.dnsParts;
    for (let i = 0; i < dp.length; i += 4) this.dnsParts.set(dp[i], [batch.w, dp[i + 1], dp[i + 2], dp[i + 3]]);
    this.marks[batch.w] = batch.watermark;
    if (batch.done !== undefined) this.stats.push(batch.done);
    this.drain();
  }

  metadata(key: string, value: string): void {
    const pkg = key.startsWith('pcapdroid.package.');
    if (!pkg && !key.startsWith('pcapdroid.app.')) return;
    const uid = Number(key.slice(key.lastIndexOf('.') + 1));
    if (!Number.isInteger(uid) || value === '') return;
    if (pkg || !this.apps.has(uid)) this.apps.set(uid, value);
  }

  /** Emits every item no shard can still precede. */
  drain(): void {
    let mark = Infinity;
    for (const m of this.marks) if (m < mark) mark = m;
    const q = this.q;
    for (;;) {
      let best = -1;
      let bk: number[] = [];
      let bi = 0;
      for (let w = 0; w < this.n; w++) {
        const x = q[w];
        if (x.b >= x.batches.length) continue;
        const keys = x.batches[x.b].keys;
        const k = x.i * 4;
        if (keys[k] > mark) continue;
        if (best < 0 || before(keys, k, bk, bi)) {
          best = w;
          bk = keys;
          bi = k;
        }
      }
      if (best < 0) return;
      const x = q[best];
      const batch = x.batches[x.b];
      const i = x.i++;
      this.emit(best, batch.kinds[i], batch.recs[i], batch.parts, i * 3);
      if (x.i >= batch.kinds.length) {
        x.batches[x.b++] = EMPTY_BATCH;
        x.i = 0;
        if (x.b > 64 && x.b * 2 > x.batches.length) {
          x.batches = x.batches.slice(x.b);
          x.b = 0;
        }
      }
    }
  }

  /** The running count a single analyser would have given the flow worker w created with provisional id `id`. */
  private rank(w: number, id: number): number {
    let r = 1;
    for (let v = 0; v < this.n; v++) r += this.ids[v].count(id, v < w);
    return r;
  }

  /** A uid placeholder (`\0` + provisional id of a DNS flow) as the uid a single analyser gives that flow. */
  private uid(u: string | undefined): string | undefined {
    if (u === undefined || u.charCodeAt(0) !== 0) return u;
    const id = Number(u.slice(1));
    const p = this.dnsParts.get(id);
    if (p === undefined) return u;
    return uidFromParts(p[1], p[2], p[3], this.rank(p[0], id));
  }

  private emit(w: number, kind: number, rec: unknown, parts: number[], at: number): void {
    const h = this.h;
    switch (kind) {
      case K_FLOW: {
        const r = rec as FlowRecord;
        const id = this.rank(w, r.flow_id);
        r.flow_id = id;
        r.uid = uidFromParts(parts[at], parts[at + 1], parts[at + 2], id);
        if (r.dns_uid !== undefined) r.dns_uid = this.uid(r.dns_uid);
        if (r.app_uid !== undefined) {
          const app = this.apps.get(r.app_uid);
          if (app !== undefined) r.app = app;
        }
        h.flow?.(r);
        return;
      }
      case K_LINK: {
        // Each shard says which link types it met first; the handler hears each once, at its first record.
        const t = rec as number;
        if (this.linkTypes.includes(t)) return;
        this.linkTypes.push(t);
        h.linkType?.(t);
        return;
      }
      case K_DNS: {
        const r = rec as DnsRecord;
        r.uid = this.uid(r.uid);
        h.dns?.(r);
        return;
      }
      case K_ORACLE_DNS:
        h.oracle?.dns(rec as OracleDnsEntry);
        return;
      case K_ORACLE_TLS:
        h.oracle?.tls(rec as OracleSniEntry);
        return;
      case K_ORACLE_QUIC:
        h.oracle?.quic(rec as OracleSniEntry);
        return;
      case K_ORACLE_HTTP:
        h.oracle?.http(rec as OracleHostEntry);
        return;
    }
  }

  /** The workers' counts, added up, and the budget warning they make. */
  totals(): Pick<Analyzer, 'flows' | 'dnsMessages' | 'counters' | 'anomalies' | 'budgetWarning'> {
    const counters: Record<string, number> = {};
    const anomalies: Record<string, number> = {};
    let flows = 0;
    let dnsMessages = 0;
    for (const s of this.stats) {
      flows += s.flows;
      dnsMessages += s.dnsMessages;
      for (const [k, v] of Object.entries(s.counters)) counters[k] = (counters[k] ?? 0) + v;
      for (const [k, v] of Object.entries(s.anomalies)) {
        // Every shard's naming cache sees every answer: the sum would count one eviction once per shard.
        anomalies[k] = k === 'dns_cache_evicted' ? Math.max(anomalies[k] ?? 0, v) : (anomalies[k] ?? 0) + v;
      }
    }
    const budgetMb = this.budgetMb;
    return { flows, dnsMessages, counters, anomalies, budgetWarning: () => budgetWarning(budgetMb, anomalies, counters) };
  }
}

const EMPTY_BATCH: SplitBatch = { w: -1, kinds: [], keys: [], recs: [], parts: [], creations: [], dnsParts: [], watermark: 0 };

/** Key order: position, step, place in the step, then emission order (a worker's own items never swap). */
function before(a: number[], i: number, b: number[], j: number): boolean {
  for (let k = 0; k < 3; k++) if (a[i + k] !== b[j + k]) return a[i + k] < b[j + k];
  return false;
}
