// The shared memory of a split run (split.ts: the reader; split-worker.ts: the workers): the chunks the reader reads
// the capture into, and one ring of record entries per worker. An entry locates a record inside a chunk (no copy of
// its bytes) and carries its header fields; the reader publishes a ring's write count every SPLIT_BATCH_PACKETS
// entries, a worker its read count after each batch it processed. A chunk is read into again once every worker has
// read past the last entry that refers to it.

import { MAX_RECORD_BYTES, SPLIT_CHUNK_BYTES } from '../limits.js';

/** Where in a chunk the file bytes start (reader.ts READ_DEST_SKEW: a page-aligned destination copies slower). */
export const CHUNK_SKEW = 2048;
/** After the file bytes: room for the records that straddled two reads (the reader's carry), copied here. */
export const CHUNK_SPILL = 2 * (MAX_RECORD_BYTES + 64);
export const CHUNK_BYTES = CHUNK_SKEW + SPLIT_CHUNK_BYTES + CHUNK_SPILL;

/** Entries per worker ring. */
export const RING_ENTRIES = 1 << 15;
/** Int32 fields per entry. */
export const E = 12;
export const E_TYPE = 0;
export const E_SLOT = 1;
export const E_OFF = 2;
export const E_CAP = 3;
export const E_ORIG = 4;
export const E_SEC = 5;
export const E_NSEC = 6;
export const E_LT = 7;
export const E_IF = 8;
export const E_FRAME = 9;
export const E_APP = 10;
/** Float64 fields per entry: the record's file offset and the capture's latest record time (SweepSchedule.now). */
export const F = 2;

/** Entry types. */
export const T_OWN = 1;
export const T_SHADOW = 2;
export const T_SWEEP = 3;
export const T_END = 4;

/** Control words of a ring. */
export const C_WRITE = 0;
export const C_READ = 1;

/** Merge position of an entry: records and the sweeps after them in capture order; the end after everything. */
export const posOf = (frame: number, sweep: boolean): number => frame * 2 + (sweep ? 1 : 0);
export const POS_END = 2 ** 52;

/** What a worker was started with. */
export interface SplitWorkerData {
  kind: 'split';
  index: number;
  workers: number;
  chunks: SharedArrayBuffer[];
  ctl: SharedArrayBuffer;
  ents: SharedArrayBuffer;
  f64: SharedArrayBuffer;
  want: { flow: boolean; linkType: boolean; dns: boolean; oracle: boolean };
  table: { tcpIdleTimeout?: number; udpIdleTimeout?: number; closeLinger?: number; maxFlows?: number; memoryBudgetMb?: number; memoryShards?: number };
}

/** Item kinds a worker posts. */
export const K_FLOW = 0;
export const K_DNS = 1;
export const K_ORACLE_DNS = 2;
export const K_ORACLE_TLS = 3;
export const K_ORACLE_QUIC = 4;
export const K_ORACLE_HTTP = 5;
/** A link type a shard met for the first time (AnalyzeHandlers.linkType). */
export const K_LINK = 6;

/** What a worker posts: items in its emission order, each with its merge key (pos, sub, order, seq), the ids of
 *  the flows it created since (creation order), the uid parts of the DNS flows it named, and how far it has read. */
export interface SplitBatch {
  w: number;
  kinds: number[];
  keys: number[];
  recs: unknown[];
  /** Per flow item: uid parts (a, b, x); 0s for other items. */
  parts: number[];
  creations: number[];
  /** Flat [id, a, b, x] per DNS flow whose uid another record may refer to. */
  dnsParts: number[];
  /** Every later item of this worker sorts after this position. */
  watermark: number;
  done?: { flows: number; dnsMessages: number; counters: Record<string, number>; anomalies: Record<string, number> };
}

/** A flow's id in a worker: the frame that created it, whether inside a sweep, and its rank among that frame's. */
export const ID_FRAME_MUL = 4096;
export const ID_SWEEP = 2048;
