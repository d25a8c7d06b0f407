// Owns plain `ping` output taken from a named place (a lab of the claims file): iputils (Linux: `64 bytes from
// 192.0.2.1: icmp_seq=1 ttl=57 time=12.3 ms`, `rtt min/avg/max/mdev = ...`, `-D` timestamps `[1700000000.1]`),
// BSD/macOS (`round-trip min/avg/max/stddev = ...`, ping6's `PING6(...) src --> dst`), busybox, and Windows
// (`Reply from 192.0.2.1: bytes=32 time=12ms`, `time<1ms` taken as 1 ms, an upper bound). Several runs may follow
// each other in one file: each `PING`/`Pinging` header starts one. Replies marked DUP! and replies from another
// address than the one pinged are not replies; a run with only the summary (`ping -q`) uses its min. Pure; never
// throws.

import { canonicalIp, MeasurementCollector, textLines, type ParseResult, type VantagePoint } from './measurement.js';

const TIME_RE = /\btime\s*([=<])\s*([0-9]+(?:\.[0-9]+)?)\s*ms\b/i;
const SUMMARY_RE = /^(?:rtt|round-trip)\s+min\/avg\/max(?:\/[a-z-]+)?\s*=\s*([0-9]+(?:\.[0-9]+)?)\//i;
const WINDOWS_SUMMARY_RE = /^Minimum\s*=\s*([0-9]+)\s*ms\s*,/i;
const RECEIVED_RE = /\b([0-9]+)\s+(?:packets\s+)?received\b|\bReceived\s*=\s*([0-9]+)/i;
const DASH_TS_RE = /^\[([0-9]{9,11}(?:\.[0-9]+)?)\]\s*/;

/** The first IP address among the line's words (brackets, parentheses and a trailing `:`/`,` removed). */
function firstIp(text: string): string | undefined {
  for (const raw of text.split(/[\s()[\]]+/)) {
    const w = raw.replace(/[:,]$/, '');
    const ip = canonicalIp(w) ?? canonicalIp(raw);
    if (ip !== undefined) return ip;
  }
  return undefined;
}

/** The address a header line names, or undefined for a line that is not a header. `null`: a header without one. */
function headerTarget(line: string): string | undefined | null {
  if (/^PING6?\b/.test(line)) {
    const arrow = line.indexOf('-->');
    return firstIp(arrow >= 0 ? line.slice(arrow + 3) : line.slice(4)) ?? null;
  }
  if (/^Pinging\s/.test(line)) return firstIp(line.slice(8)) ?? null;
  return undefined;
}

interface Run {
  /** Line of the header (undefined for replies before any header). */
  header?: number;
  target?: string | null;
  minRtt: number;
  minLine: number;
  minTs?: number;
  replies: number;
  summaryMin?: number;
  summaryLine: number;
  received?: number;
  /** The address replies came from, when neither a header nor the claims file names the target. */
  inferred?: string;
  otherSource?: { addr: string; line: number };
}

function newRun(header?: number, target?: string | null): Run {
  return { header, target, minRtt: Infinity, minLine: 0, replies: 0, summaryLine: 0 };
}

/** The responding address of a reply line (`bytes from X:`, `Reply from X:`), when it names one. */
function replySource(line: string): string | undefined {
  const m = /\bfrom\s+(.*?)(?::\s|,\s|\s+icmp_seq|\s+bytes=|$)/i.exec(line);
  return m ? firstIp(m[1]) : undefined;
}

/**
 * Parses ping output measured at `vantage`. `dst` (from the claims file) is the address pinged when the output
 * does not name it; when the output names another, that run is refused.
 */
export function parsePingText(text: string, file: string, vantage: VantagePoint, dst?: string): ParseResult {
  const c = new MeasurementCollector(file);
  const want = dst === undefined ? undefined : canonicalIp(dst);
  const runs: Run[] = [];
  let run = newRun();
  const lines = textLines(text);
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let line = lines[i].trim();
    let ts: number | undefined;
    const d = DASH_TS_RE.exec(line);
    if (d) {
      ts = Number(d[1]);
      line = line.slice(d[0].length);
    }
    const target = headerTarget(line);
    if (target !== undefined) {
      runs.push(run);
      run = newRun(n, target);
      continue;
    }
    const t = TIME_RE.exec(line);
    if (t && /\bfrom\b/i.test(line)) {
      if (/\(DUP!\)|\bDUP!/.test(line)) continue;
      const src = replySource(line);
      const expected = run.target ?? want ?? run.inferred;
      if (expected === undefined && src !== undefined) run.inferred = src;
      if (src !== undefined && expected !== undefined && src !== expected) {
        run.otherSource ??= { addr: src, line: n };
        continue;
      }
      const rtt = Number(t[2]);
      if (!Number.isFinite(rtt)) continue;
      run.replies++;
      if (rtt < run.minRtt) {
        run.minRtt = rtt;
        run.minLine = n;
        run.minTs = ts;
      }
      continue;
    }
    const s = SUMMARY_RE.exec(line) ?? WINDOWS_SUMMARY_RE.exec(line);
    if (s) {
      const v = Number(s[1]);
      if (Number.isFinite(v)) {
        run.summaryMin = v;
        run.summaryLine = n;
      }
      continue;
    }
    const r = RECEIVED_RE.exec(line);
    if (r && /transmitted|Sent\s*=/i.test(line)) run.received = Number(r[1] ?? r[2]);
  }
  runs.push(run);
  let usable = 0;
  for (const r of runs) {
    const empty = r.header === undefined && r.replies === 0 && r.summaryMin === undefined;
    if (empty) continue;
    usable++;
    const at = { line: r.header ?? (r.minLine || r.summaryLine || 1) };
    if (r.target === null) {
      c.issue('ping_header_unreadable', 'error', 'the PING line names no IP address', at);
      continue;
    }
    const target = r.target ?? want ?? r.inferred;
    if (target === undefined) {
      c.issue('ping_no_destination', 'error', 'the output does not say which address was pinged: give dst in the claims file', at);
      continue;
    }
    if (want !== undefined && target !== want) {
      c.issue('ping_dst_mismatch', 'error', `this run pinged ${target}, but the claims file says dst ${want}`, at);
      continue;
    }
    if (r.otherSource !== undefined) {
      c.issue('ping_reply_from_other', 'skipped', `replies from ${r.otherSource.addr} are not from ${target}; not counted`, { line: r.otherSource.line });
    }
    if (r.replies > 0) {
      c.add({
        vantage,
        dst_addr: target,
        min_rtt_ms: r.minRtt,
        samples: r.replies,
        ...(r.minTs !== undefined ? { timestamp: r.minTs } : {}),
        source: { file, line: r.minLine },
      });
    } else if (r.summaryMin !== undefined && (r.received === undefined || r.received > 0)) {
      c.add({ vantage, dst_addr: target, min_rtt_ms: r.summaryMin, samples: r.received ?? 1, source: { file, line: r.summaryLine } });
    } else {
      c.issue('ping_no_reply', 'skipped', `no reply from ${target}`, at);
    }
  }
  if (usable === 0) c.issue('ping_no_output', 'error', 'no ping output found (no PING line, reply or summary)', { line: 1 });
  return c.result();
}
