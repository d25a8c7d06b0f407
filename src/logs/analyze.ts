// Reads a log input (detect.ts) and emits the FlowRecord and DnsRecord streams a capture gives, through the same
// handlers as analyzeCapture. Zeek: the side logs (ssl, quic, http) are read first and held by uid, dns.log is
// read into the naming timeline (its transactions emitted as it goes), then every conn log is streamed, each
// flow joined to its side rows and named as of its start. Suricata: one pass over eve.json in order; tls/quic/
// http events wait for their flow event by flow_id, DNS events are paired into transactions and feed the
// timeline. Memory: the join maps and the timeline are bounded (limits.ts); conn.log and eve.json stream.
// Bad lines are counted (`log_line_malformed`) and the first MAX_LOG_WARNINGS reported with file and line.

import { statSync } from 'node:fs';
import path from 'node:path';
import type { AnalyzeHandlers } from '../pipeline.js';
import { DnsTransactions } from '../extract/dns/transactions.js';
import { dnsFlavourForPorts } from '../extract/dns/detect.js';
import { flowUid } from '../flow/uid.js';
import { MAX_LOG_WARNINGS, memoryLimits, type MemoryLimits } from '../limits.js';
import { budgetWarning, resolveMemoryBudget } from '../memory-budget.js';
import type { DnsMessage } from '../extract/dns/message.js';
import type { Anomaly, CaptureSummary, DnsRecord } from '../types.js';
import { buildFlowRecord, mergeApp, type AppInfo, type LogFlow } from './flow-build.js';
import { logInputFiles, type LogFile, type LogInput } from './detect.js';
import { DnsTimeline } from './dns-timeline.js';
import { isGzipFile, readLines } from './lines.js';
import { parseEveLine } from './suricata-eve.js';
import { zeekAppInfo, zeekConnFlow, zeekDns } from './zeek-records.js';
import { parseZeekJsonLine } from './zeek-json.js';
import { isLogLineError, ZeekTsvParser } from './zeek-tsv.js';
import type { ZeekRow } from './zeek-row.js';
import type { AnomalyCounts, CounterName, SummaryAnomaly, WarningCode } from '../anomalies.js';

export interface AnalyzeLogsOptions {
  onProgress?(bytesRead: number): void;
  /** The memory budget in MiB (resolveMemoryBudget: option, environment, default): it bounds the join rows and DNS
   *  answers held (memoryLimits). */
  memoryBudgetMb?: number;
}

/** Seconds of log time between expiry sweeps of waiting DNS queries (as the capture path sweeps every second). */
const DNS_EXPIRE_INTERVAL_S = 1;

/** A bounded map that forgets its oldest entries first (Map order is insertion order). */
export class JoinMap<K> {
  readonly map = new Map<K, AppInfo>();
  dropped = 0;
  constructor(private readonly cap: number) {}
  add(key: K, app: AppInfo): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      mergeApp(old, app);
      return;
    }
    if (this.map.size >= this.cap) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
      this.dropped++;
    }
    this.map.set(key, { ...app });
  }
  take(key: K): AppInfo | undefined {
    const v = this.map.get(key);
    if (v !== undefined) this.map.delete(key);
    return v;
  }
}

class LogRun {
  readonly counters: { [K in CounterName]?: number } = {};
  readonly anomalies: AnomalyCounts = {};
  readonly warnings: Anomaly[] = [];
  readonly limits: MemoryLimits;
  readonly timeline: DnsTimeline;
  flows = 0;
  dnsMessages = 0;
  lines = 0;
  packets = 0;
  firstTs = Infinity;
  lastTs = -Infinity;
  truncated = false;
  private bytesDone = 0;

  constructor(readonly h: AnalyzeHandlers, readonly opts: AnalyzeLogsOptions) {
    this.limits = memoryLimits(resolveMemoryBudget(opts.memoryBudgetMb));
    this.timeline = new DnsTimeline(this.limits);
  }

  count(key: SummaryAnomaly): void {
    this.anomalies[key] = (this.anomalies[key] ?? 0) + 1;
  }

  countSkipped(key: CounterName): void {
    this.counters[key] = (this.counters[key] ?? 0) + 1;
  }

  bad(file: string, line: number | undefined, offset: number, code: WarningCode & SummaryAnomaly, message: string): void {
    this.count(code);
    if (this.warnings.length >= MAX_LOG_WARNINGS) return;
    const where = line === undefined ? `at byte ${offset}` : `line ${line}`;
    const w: Anomaly = { code, message: `${path.basename(file)}: ${where}: ${message}`, offset };
    if (line !== undefined) w.line = line;
    this.warnings.push(w);
    this.h.warning?.(w);
  }

  async readFile(file: string, each: (text: string, line: number, offset: number) => void): Promise<void> {
    const base = this.bytesDone;
    const n = await readLines(file, {
      line: each,
      tooLong: (line, offset) => this.bad(file, line, offset, 'log_line_too_long', 'line longer than MAX_LOG_LINE_BYTES, skipped'),
      damaged: (message, offset) => {
        this.truncated = true;
        this.bad(file, undefined, offset, 'log_gzip_damaged', `${message}; the lines before it were read`);
      },
    }, { onProgress: (b) => this.opts.onProgress?.(base + b) });
    this.lines += n;
    this.bytesDone += fileSize(file);
  }

  emitFlow(f: LogFlow, app: AppInfo | undefined): void {
    if (app !== undefined) {
      f.sni ??= app.sni;
      f.quic ??= app.quic;
      f.quicVersion ??= app.quicVersion;
      f.httpHost ??= app.httpHost;
    }
    this.flows++;
    this.packets += f.packetsUp + f.packetsDown;
    if (f.firstSeen < this.firstTs) this.firstTs = f.firstSeen;
    if (f.lastSeen > this.lastTs) this.lastTs = f.lastSeen;
    if (this.h.flow === undefined) return;
    // Like the capture path, DNS flows are not named by DNS answers.
    const naming = dnsFlavourForPorts(f.clientPort, f.serverPort) === null ? this.timeline.lookup(f.clientIp, f.serverIp, f.firstSeen) : undefined;
    this.h.flow(buildFlowRecord(this.flows, f, naming));
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Zeek row parser for one file, whichever its syntax. */
function zeekRows(lf: LogFile): (text: string) => ZeekRow | { error: string } | null {
  if (lf.format === 'zeek-json') return parseZeekJsonLine;
  const p = new ZeekTsvParser();
  return (text) => p.line(text);
}

async function analyzeZeek(run: LogRun, input: Extract<LogInput, { kind: 'zeek' }>): Promise<void> {
  const join = new JoinMap<string>(run.limits.logJoinRows);
  const responses: { client: string; msg: DnsMessage; ts: number; uid: string | undefined }[] = [];
  let responsesDropped = 0;
  for (const lf of input.side) {
    const rows = zeekRows(lf);
    await run.readFile(lf.file, (text, line, offset) => {
      const row = rows(text);
      if (row === null) return;
      if (isLogLineError(row)) return run.bad(lf.file, line, offset, 'log_line_malformed', row.error);
      if (lf.kind === 'dns') {
        const d = zeekDns(row);
        if (isLogLineError(d)) return run.bad(lf.file, line, offset, 'log_line_malformed', d.error);
        run.dnsMessages += (d.record.query_seen ? 1 : 0) + (d.record.response_seen ? 1 : 0);
        run.h.dns?.(d.record);
        if (d.response !== undefined && d.response.msg.answers.length > 0) {
          if (responses.length < run.limits.logDnsAnswers) responses.push({ ...d.response, uid: d.record.uid });
          else responsesDropped++;
        }
        return;
      }
      const a = zeekAppInfo(lf.kind, row);
      if (a !== undefined) join.add(a.uid, a.app);
    });
  }
  // Answers in the order they arrived (dns.log is written in query order, which responses need not follow).
  responses.sort((a, b) => a.ts - b.ts);
  for (const r of responses) run.timeline.addResponse(r.client, r.msg, r.ts, r.uid, -1);
  responses.length = 0;
  for (const lf of input.conn) {
    const rows = zeekRows(lf);
    await run.readFile(lf.file, (text, line, offset) => {
      const row = rows(text);
      if (row === null) return;
      if (isLogLineError(row)) return run.bad(lf.file, line, offset, 'log_line_malformed', row.error);
      const f = zeekConnFlow(row);
      if (isLogLineError(f)) return run.bad(lf.file, line, offset, 'log_line_malformed', f.error);
      if ('skip' in f) return run.countSkipped(f.skip);
      run.emitFlow(f, join.take(f.uid));
    });
  }
  if (join.dropped > 0) run.anomalies.log_join_cap_reached = join.dropped;
  if (responsesDropped + run.timeline.dropped > 0) run.anomalies.log_dns_timeline_cap_reached = responsesDropped + run.timeline.dropped;
}

async function analyzeEve(run: LogRun, input: Extract<LogInput, { kind: 'eve' }>): Promise<void> {
  const join = new JoinMap<number>(run.limits.logJoinRows);
  const emitDns = (r: DnsRecord): void => {
    // Events without pcap_cnt (live capture) number no frames: those fields stay absent.
    if (r.frame !== undefined && r.frame < 0) delete r.frame;
    if (r.response_frame !== undefined && r.response_frame < 0) delete r.response_frame;
    run.h.dns?.(r);
  };
  const tx = new DnsTransactions(emitDns, run.limits.dnsPendingQueries, run.limits.dnsPendingBytes);
  let lastExpire = -Infinity;
  let flowEvents = 0;
  for (const lf of input.files) {
    await run.readFile(lf.file, (text, line, offset) => {
      const ev = parseEveLine(text);
      if (ev === null) return;
      if (isLogLineError(ev)) return run.bad(lf.file, line, offset, 'log_line_malformed', ev.error);
      if (ev.type === 'skip') return;
      const c = ev.common;
      if (ev.type === 'app') {
        if (c.flowId !== undefined) join.add(c.flowId, ev.app);
        return;
      }
      const t = c.tuple;
      if (t === undefined || c.srcPort === undefined || c.destPort === undefined) {
        return run.bad(lf.file, line, offset, 'log_line_malformed', `${ev.type} event without endpoints`);
      }
      const proto = c.transport === 'tcp' ? 6 : 17;
      const uid = flowUid(proto, t.ipVersion, t.words, c.srcPort, c.destPort, c.flowId ?? 0);
      if (ev.type === 'dns') {
        if (c.ts - lastExpire >= DNS_EXPIRE_INTERVAL_S) {
          tx.expire(c.ts);
          lastExpire = c.ts;
        }
        const frame = c.pcapCnt ?? -1;
        for (const msg of ev.messages) {
          run.dnsMessages++;
          if (msg.isResponse) run.timeline.addResponse(t.serverIp, msg, c.ts, uid, frame);
          if (run.h.dns !== undefined) {
            tx.onMessage(msg, {
              ts: c.ts, frame, transport: c.transport ?? 'udp', srcIp: t.clientIp, dstIp: t.serverIp, srcPort: c.srcPort, dstPort: c.destPort, uid,
            });
          }
        }
        return;
      }
      flowEvents++;
      const f: LogFlow = {
        transport: c.transport ?? 'udp', ipVersion: t.ipVersion, words: t.words, clientIp: t.clientIp, clientPort: c.srcPort,
        serverIp: t.serverIp, serverPort: c.destPort, uid, ...ev.flow,
      };
      run.emitFlow(f, c.flowId === undefined ? undefined : join.take(c.flowId));
    });
  }
  tx.flush();
  if (flowEvents === 0 && run.lines > 0) {
    const w: Anomaly = {
      code: 'eve_no_flow_events',
      message: `${path.basename(input.path)}: no flow events: enable the "flow" type of Suricata's eve-log output to get flows`,
    };
    run.warnings.push(w);
    run.h.warning?.(w);
    run.count('eve_no_flow_events');
  }
  if (join.dropped > 0) run.anomalies.log_join_cap_reached = join.dropped;
  if (run.timeline.dropped > 0) run.anomalies.log_dns_timeline_cap_reached = run.timeline.dropped;
  if (tx.evictedByCap > 0) run.anomalies.dns_pending_cap_reached = tx.evictedByCap;
}

/** Analyses a log input (see module comment). Throws CaptureError only when a file cannot be read at all. */
export async function analyzeLogs(input: LogInput, handlers: AnalyzeHandlers, opts: AnalyzeLogsOptions = {}): Promise<CaptureSummary> {
  const run = new LogRun(handlers, opts);
  if (input.kind === 'zeek') await analyzeZeek(run, input);
  else await analyzeEve(run, input);
  const files = logInputFiles(input);
  const s: CaptureSummary = {
    file: input.path,
    size_bytes: files.reduce((n, f) => n + fileSize(f.file), 0),
    format: input.kind === 'eve' ? 'suricata-eve' : input.conn[0].format,
    gzip: files.some((f) => isGzipFile(f.file)),
    link_types: [],
    packets: run.packets,
    bytes_captured: 0,
    flows: run.flows,
    dns_messages: run.dnsMessages,
    counters: sortKeys(run.counters),
    anomalies: sortKeys(run.anomalies),
    warnings: run.warnings,
    truncated: run.truncated,
    log_files: files.map((f) => path.basename(f.file)),
    log_lines: run.lines,
  };
  const budget = budgetWarning(run.limits.budgetMb, run.anomalies, run.counters);
  if (budget !== undefined) s.warnings = [...s.warnings, budget];
  if (run.flows > 0) {
    s.first_ts = run.firstTs;
    s.last_ts = run.lastTs;
  }
  return s;
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}
