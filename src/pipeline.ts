// Wires the stages in their order, the only file that knows it: capture reader -> link/IP/transport decoder
// -> flow table -> extractors -> DNS transactions and per-client name cache -> flow records. One streaming pass;
// memory is bounded by one budget (src/limits.ts, memoryLimits()) shared by the flow table, TCP reassembly, the
// fragment buffers, the DNS naming cache and the DNS queries awaiting their response; when a part is full its oldest
// or least useful state goes, an anomaly is counted and the summary carries a `memory_budget_reached` warning.

import { readCapture, readCaptureStream, type CaptureReadSummary } from './capture/reader.js';
import type { RawPacket } from './capture/raw-packet.js';
import { Decoder } from './decode/decoder.js';
import { DECODE_OK } from './decode/decode-result.js';
import { PacketView, V_FRAG_FIRST_MISSING, V_FRAG_INCOMPLETE, V_IPV6_EXT_EXCESSIVE, V_REASSEMBLED } from './decode/packet-view.js';
import { Dispatcher, type ExtractSink } from './extract/dispatch.js';
import type { DnsMessage } from './extract/dns/message.js';
import { dnsFlavourForPorts } from './extract/dns/detect.js';
import { rcodeName as rcodeLabel, rrTypeName as rrTypeLabel } from './extract/dns/rr-types.js';
import { DnsTransactions } from './extract/dns/transactions.js';
import type { QuicFlowState } from './extract/quic/state.js';
import type { ClientHelloInfo } from './extract/tls/client-hello.js';
import { F_DIR_FROM_CONTENT, type Flow } from './flow/flow.js';
import { flowRecord, uidOf } from './flow/record.js';
import { FlowTable, type EndReason, type FlowTableOptions } from './flow/table.js';
import { orientPortless } from './flow/portless.js';
import { DnsNameCache } from './naming/dns-cache.js';
import { memoryLimits, type MemoryLimits } from './limits.js';
import { budgetWarning, resolveMemoryBudget } from './memory-budget.js';

export { budgetWarning };
import type { Anomaly, CaptureSummary, DnsRecord, FlowRecord, OracleDnsEntry, OracleHostEntry, OracleSniEntry } from './types.js';
import { ZERO_D } from './number-fields.js';
import type { AnomalyCounts } from './anomalies.js';

/** Receives the oracle-shaped events `residency extract` prints. */
export interface OracleSink {
  dns(e: OracleDnsEntry): void;
  tls(e: OracleSniEntry): void;
  quic(e: OracleSniEntry): void;
  http(e: OracleHostEntry): void;
}

export interface AnalyzeHandlers {
  flow?(r: FlowRecord): void;
  /** A link type met for the first time in the capture's packets (before the records of its flows). */
  linkType?(t: number): void;
  dns?(r: DnsRecord): void;
  oracle?: OracleSink;
  warning?(a: Anomaly): void;
}

export interface AnalyzeOptions extends FlowTableOptions {
  /** SHA-256 of the capture file (needed by the case store; costs a little throughput). */
  hash?: boolean;
  chunkSize?: number;
  onProgress?(bytesRead: number): void;
  /** Between read chunks: a promise to wait for (output backpressure), or a throw to stop (src/cli/io.ts pace). */
  pace?(): Promise<void> | undefined;
  /** Read from this stream instead of the path (tests: arbitrary chunk boundaries). */
  source?: AsyncIterable<Buffer>;
  /** Memory budget in MiB (default: RESIDENCY_MEMORY_BUDGET_MB, else MEMORY_BUDGET_DEFAULT_MB). */
  memoryBudgetMb?: number;
  /** Analysers sharing the budget (a split run's shards, src/jobs/split.ts): each holds 1/memoryShards of it. */
  memoryShards?: number;
}

/** Expiry sweeps run at most this often (seconds of capture time) or every EXPIRE_EVERY records. */
const EXPIRE_INTERVAL_S = 1;
const EXPIRE_EVERY = 8192;

/**
 * When expiry sweeps run and what "now" is: decided from the records alone (every record counts, decoded or not,
 * and now is the latest record time), so that a reader that only walks record headers (the split run of
 * src/jobs/split.ts) schedules the very sweeps, at the very times, that one analyser reading everything runs.
 */
export class SweepSchedule {
  now = ZERO_D;
  private since = 0;
  private last = ZERO_D;

  /** Sees one record's time (seconds); true when a sweep is due once that record is processed. */
  see(ts: number): boolean {
    if (ts > this.now) this.now = ts;
    if (++this.since >= EXPIRE_EVERY || this.now - this.last >= EXPIRE_INTERVAL_S) {
      this.since = 0;
      this.last = this.now;
      return true;
    }
    return false;
  }
}

/** Steps of a sweep or of the end of a capture, in their order (see Analyzer.expire): what a split run sorts by. */
export const STEP_LATE = 0;
export const STEP_QUEUES = 1;
export const STEP_DNS = 5;

/** The hooks a split run's worker (src/jobs/split-worker.ts) sets; absent in a plain run. */
export interface AnalyzerHooks {
  /** The uid a flow is known by before the run knows its flow_id (the DNS flow a name came from). */
  uidOf(f: Flow): string;
  /** A flow is about to end: it was in eviction queue `queue` (-1: none). */
  ending(f: Flow, queue: number): void;
  /** A sweep or the end of the capture enters its next step (STEP_*). */
  step(step: number): void;
  /** Whether this analyser matches this DNS message into a transaction (LLMNR answers come from other hosts). */
  ownsTransaction(msg: DnsMessage, srcIp: string, dstIp: string, srcPort: number, dstPort: number, owner: boolean): boolean;
}

export class Analyzer implements ExtractSink {
  readonly view = new PacketView();
  /** The view of datagrams given up incomplete (decoded after the current packet is done with `view`). */
  private readonly lateView = new PacketView();
  readonly decoder = new Decoder();
  readonly table: FlowTable;
  readonly dispatcher: Dispatcher;
  readonly names: DnsNameCache;
  readonly dnsTx: DnsTransactions;
  readonly limits: MemoryLimits;
  private readonly schedule = new SweepSchedule();
  hooks: AnalyzerHooks | null = null;
  /** A shadow analyser reads, in a split run, the DNS packets and fragments another worker owns, for the naming
   *  cache (and the transactions) it shares with `owner`; it emits nothing else. */
  private readonly owner: Analyzer | null;
  readonly counters: Record<string, number> = {};
  readonly anomalies: AnomalyCounts = {};
  /** PCAPdroid uid -> package name (or app name when only that is known), from the capture's metadata. */
  readonly apps = new Map<number, string>();
  dnsMessages = 0;
  flows = 0;
  /** Earliest time of a DNS answer that reached the naming cache late (inside a datagram given up incomplete):
   *  flows that started after it and are still unnamed at their end look their name up again. */
  lateNamesFrom = Infinity;
  private inLate = false;

  constructor(private readonly h: AnalyzeHandlers, opts: AnalyzeOptions, owner?: Analyzer) {
    // A split run's shard holds its share of the budget (memoryShards); a shadow shares its owner's naming cache
    // and transactions, which its owner's share bounds.
    const lim = memoryLimits(resolveMemoryBudget(opts.memoryBudgetMb), opts.memoryShards);
    this.limits = lim;
    this.table = new FlowTable((f, reason) => this.onEnd(f, reason), { ...opts, maxFlows: opts.maxFlows ?? lim.maxLiveFlows });
    this.dispatcher = new Dispatcher(this, lim.reassemblyBytes);
    this.owner = owner ?? null;
    this.names = owner?.names ?? new DnsNameCache(lim.dnsCacheEntries, lim.dnsCacheBytes);
    this.dnsTx = owner?.dnsTx ?? new DnsTransactions((r) => this.h.dns?.(r), lim.dnsPendingQueries, lim.dnsPendingBytes);
    this.decoder.deliverIncomplete = true;
  }

  packet(p: RawPacket): void {
    const due = this.schedule.see(p.tsSec + p.tsNsec / 1e9);
    this.packetAt(p, this.schedule.now);
    if (due) this.expire();
  }

  /** One record, the latest record time of the capture so far being `now` (SweepSchedule). */
  packetAt(p: RawPacket, now: number): void {
    if (now > this.table.now) this.table.now = now;
    this.table.frame = p.frame;
    if (p.linkType !== this.lastLinkType) this.newLinkType(p.linkType);
    const v = this.view;
    const r = this.decoder.decode(p, v);
    if (r !== DECODE_OK) {
      // counted by the decoder (non_ip, icmp, truncated, ...); a fragment may have made the table give others up
      this.late();
      return;
    }
    const f = this.table.track(v);
    if (v.flags !== 0) this.flagged(f, v);
    if (f.packets0 + f.packets1 === 1) this.onNew(f);
    this.dispatcher.packet(f, v, this.table.dir);
    if (v.flags !== 0) this.late();
  }

  private lastLinkType = -1;
  private readonly linkTypes: number[] = [];

  private newLinkType(t: number): void {
    this.lastLinkType = t;
    if (this.linkTypes.includes(t)) return;
    this.linkTypes.push(t);
    this.h.linkType?.(t);
  }

  /** What the decoder flagged on this packet (rare: fragments, odd IPv6 headers) reaches its flow. */
  private flagged(f: Flow, v: PacketView): void {
    const fl = v.flags;
    if ((fl & V_IPV6_EXT_EXCESSIVE) !== 0) f.addAnomaly('ipv6_ext_headers_excessive');
    if ((fl & (V_REASSEMBLED | V_FRAG_INCOMPLETE)) !== 0) {
      // A datagram of several fragments: the flow began with its first fragment, and lasted until its last one.
      if (v.fragFirstFrame < f.firstFrame) {
        f.firstFrame = v.fragFirstFrame;
        f.firstTs = v.fragFirstTs;
      }
      if (v.fragLastTs > f.lastTs) f.lastTs = v.fragLastTs;
    }
    if ((fl & V_FRAG_INCOMPLETE) !== 0) f.addAnomaly('ip_fragment_incomplete');
    if ((fl & V_FRAG_FIRST_MISSING) !== 0) {
      f.addAnomaly('ip_fragment_first_missing');
      if (f.packets0 + f.packets1 === 1) orientPortless(f);
    }
  }

  /** Delivers the datagrams the fragment table gave up with fragments missing: each counts in its flow (made if
   *  need be) like the datagram it would have been, and what its payload holds is extracted. */
  private late(): void {
    if (this.decoder.incompleteWaiting === 0) return;
    const v = this.lateView;
    this.inLate = true;
    for (let r = this.decoder.nextIncomplete(v); r >= 0; r = this.decoder.nextIncomplete(v)) {
      if (r !== DECODE_OK) continue;
      const f = this.table.track(v);
      this.flagged(f, v);
      if (f.packets0 + f.packets1 === 1) this.onNew(f);
      // Bytes past the first hole never come: an extractor waiting for them reads what there is.
      this.dispatcher.truncated = true;
      this.dispatcher.packet(f, v, this.table.dir);
      this.dispatcher.truncated = false;
    }
    this.inLate = false;
  }

  /** A sweep at `now` (default: the latest record time): what has been idle too long ends. */
  expire(now = this.table.now): void {
    if (now > this.table.now) this.table.now = now;
    const hk = this.hooks;
    // Fragments first: a datagram given up now still finds its flow before that flow is ended for idleness.
    hk?.step(STEP_LATE);
    this.decoder.expireFragments(now);
    this.late();
    hk?.step(STEP_QUEUES);
    this.table.expire();
    hk?.step(STEP_DNS);
    if (this.owner === null) this.dnsTx.expire(now);
  }

  finish(): void {
    const hk = this.hooks;
    hk?.step(STEP_LATE);
    this.decoder.flushFragments();
    this.late();
    hk?.step(STEP_QUEUES);
    this.table.flushAll();
    hk?.step(STEP_DNS);
    if (this.owner === null) this.dnsTx.flush();
    for (const [k, n] of Object.entries(this.decoder.counters)) this.counters[k] = (this.counters[k] ?? 0) + n;
    // Budget bounds with no flow to carry them: counted per capture (by the owner of a shared cache).
    if (this.owner !== null) return;
    if (this.names.evicted > 0) this.anomalies.dns_cache_evicted = this.names.evicted;
    if (this.dnsTx.evictedByCap > 0) this.anomalies.dns_pending_cap_reached = this.dnsTx.evictedByCap;
  }

  /** The `memory_budget_reached` warning when a part of the budget was full at some point, else undefined. */
  budgetWarning(): Anomaly | undefined {
    return budgetWarning(this.limits.budgetMb, this.anomalies, this.counters);
  }

  /** A new flow: look up the name its client resolved for the server address before the flow started. */
  private onNew(f: Flow): void {
    if (this.h.flow === undefined || dnsFlavourForPorts(f.portA, f.portB) !== null) return;
    this.lookupName(f, f.firstTs);
  }

  private lookupName(f: Flow, ts: number): void {
    const client = f.clientIsA ? f.ipA : f.ipB;
    const server = f.clientIsA ? f.ipB : f.ipA;
    const hit = this.names.lookup(client, server, ts);
    if (hit !== undefined) {
      f.dnsName = hit.hostname;
      f.dnsChain = hit.cnameChain;
      f.dnsSource = hit.source;
      f.dnsUid = hit.uid;
      f.dnsFrame = hit.frame;
    }
  }

  private onEnd(f: Flow, reason: EndReason): void {
    this.hooks?.ending(f, this.table.endQueue);
    this.dispatcher.finish(f);
    // Content turned the flow around after its DNS lookup (no SYN), or a DNS answer arrived late (in a datagram given
    // up incomplete) after the flow began: look again.
    if (this.h.flow !== undefined && f.dnsName === undefined && ((f.state & F_DIR_FROM_CONTENT) !== 0 || f.firstTs >= this.lateNamesFrom) &&
      dnsFlavourForPorts(f.portA, f.portB) === null) {
      this.lookupName(f, f.firstTs);
    }
    this.flows++;
    if (f.anomalies !== null) for (const a of f.anomalies) this.anomalies[a] = (this.anomalies[a] ?? 0) + 1;
    if (this.h.flow === undefined) return;
    const r = flowRecord(f, reason);
    if (r.app_uid !== undefined) {
      const app = this.apps.get(r.app_uid);
      if (app !== undefined) r.app = app;
    }
    this.h.flow(r);
  }

  /** Capture metadata: keeps PCAPdroid's uid -> app mapping (package names win over display names). */
  metadata(key: string, value: string): void {
    const pkg = key.startsWith('pcapdroid.package.');
    if (!pkg && !key.startsWith('pcapdroid.app.')) return;
    const uid = Number(key.slice(key.lastIndexOf('.') + 1));
    if (!Number.isInteger(uid) || value === '') return;
    if (pkg || !this.apps.has(uid)) this.apps.set(uid, value);
  }

  // ------------------------------------------------------------------ ExtractSink

  dnsMessage(f: Flow, msg: DnsMessage, fromA: boolean, ts: number, frame: number): void {
    // A shadow's messages are counted by the worker that owns their flow.
    if (this.owner === null) this.dnsMessages++;
    const srcIp = fromA ? f.ipA : f.ipB;
    const dstIp = fromA ? f.ipB : f.ipA;
    const srcPort = fromA ? f.portA : f.portB;
    const dstPort = fromA ? f.portB : f.portA;
    const transport = f.proto === 6 ? 'tcp' : 'udp';
    const hk = this.hooks;
    const uid = hk === null ? uidOf(f) : hk.uidOf(f);
    // The naming cache only serves flow records: `dns` and `extract` skip it (less work, nothing held). A shadow
    // has no handlers of its own: its owner's say.
    if (msg.isResponse && (this.owner ?? this).h.flow !== undefined) {
      this.names.addResponse(dstIp, msg, ts, uid, frame);
      const named = this.owner ?? this;
      if (this.inLate && msg.answers.length > 0 && ts < named.lateNamesFrom) named.lateNamesFrom = ts;
    }
    const matched = hk === null || hk.ownsTransaction(msg, srcIp, dstIp, srcPort, dstPort, this.owner === null);
    if ((this.owner ?? this).h.dns !== undefined && matched) this.dnsTx.onMessage(msg, { ts, frame, transport, srcIp, dstIp, srcPort, dstPort, uid });
    if (this.owner !== null) return;
    const o = this.h.oracle;
    if (o !== undefined) {
      o.dns({
        frame,
        ts,
        transport,
        client_ip: msg.isResponse ? dstIp : srcIp,
        server_ip: msg.isResponse ? srcIp : dstIp,
        id: msg.id,
        is_response: msg.isResponse,
        qname: msg.qname,
        qtype: msg.qtype === null ? null : rrTypeLabel(msg.qtype),
        rcode: rcodeLabel(msg.rcode),
        answers: msg.answers.map((a) => ({ name: a.name, type: a.type, data: a.data })),
      });
    }
  }

  clientHello(f: Flow, info: ClientHelloInfo, frame: number): void {
    // Every server_name entry, as tshark lists them (an empty one, a second one, another name type).
    if (this.h.oracle !== undefined) for (const n of info.serverNames) this.h.oracle.tls(this.sniEntry(f, n, frame));
  }

  quicHello(f: Flow, state: QuicFlowState, frame: number): void {
    const sni = state.result?.sni;
    if (this.h.oracle !== undefined && sni !== undefined) this.h.oracle.quic(this.sniEntry(f, sni, frame));
  }

  httpHost(f: Flow, host: string, frame: number): void {
    if (this.h.oracle === undefined) return;
    const e = this.sniEntry(f, host, frame);
    this.h.oracle.http({
      frame,
      client_ip: e.client_ip,
      client_port: e.client_port,
      server_ip: e.server_ip,
      server_port: e.server_port,
      host,
    });
  }

  private sniEntry(f: Flow, sni: string, frame: number): OracleSniEntry {
    const a = f.clientIsA;
    return {
      frame,
      client_ip: a ? f.ipA : f.ipB,
      client_port: a ? f.portA : f.portB,
      server_ip: a ? f.ipB : f.ipA,
      server_port: a ? f.portB : f.portA,
      sni,
    };
  }
}

/** Analyses one capture in a single streaming pass. Throws CaptureError only when nothing can be read. */
export async function analyzeCapture(path: string, handlers: AnalyzeHandlers, opts: AnalyzeOptions = {}): Promise<CaptureSummary> {
  const an = new Analyzer(handlers, opts);
  const handler = {
    packet: (p: RawPacket) => an.packet(p),
    warning: (a: Anomaly) => handlers.warning?.(a),
    metadata: (k: string, v: string) => an.metadata(k, v),
  };
  const ro = { hash: opts.hash, chunkSize: opts.chunkSize, onProgress: opts.onProgress, pace: opts.pace };
  const rs: CaptureReadSummary =
    opts.source !== undefined ? await readCaptureStream(opts.source, path, handler, ro) : await readCapture(path, handler, ro);
  an.finish();
  return summarize(rs, an);
}

/** The capture's summary from what its reader and its analyser(s) counted (a split run adds its workers' counts). */
export function summarize(rs: CaptureReadSummary, an: Pick<Analyzer, 'flows' | 'dnsMessages' | 'counters' | 'anomalies' | 'budgetWarning'>): CaptureSummary {
  const s: CaptureSummary = {
    file: rs.file,
    size_bytes: rs.sizeBytes,
    format: rs.format,
    gzip: rs.gzip,
    ts_resolution: rs.tsResolution,
    byte_order: rs.byteOrder,
    link_types: rs.linkTypes,
    packets: rs.packets,
    bytes_captured: rs.bytesCaptured,
    flows: an.flows,
    dns_messages: an.dnsMessages,
    counters: sortKeys(an.counters),
    anomalies: sortKeys(an.anomalies),
    warnings: rs.warnings,
    truncated: rs.truncated,
  };
  const budget = an.budgetWarning();
  if (budget !== undefined) s.warnings = [...rs.warnings, budget];
  if (rs.sha256 !== undefined) s.sha256 = rs.sha256;
  if (rs.firstTs !== undefined) s.first_ts = rs.firstTs;
  if (rs.lastTs !== undefined) s.last_ts = rs.lastTs;
  if (Object.keys(rs.metadata).length > 0) s.metadata = rs.metadata;
  return s;
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}
