// Owns `mtr` output taken from a named place (a lab of the claims file): `mtr --report`/`--report-wide` text
// (`Start:` line, a `HOST: <name>  Loss%  Snt  Last  Avg  Best  Wrst StDev` header whose titles say which column is
// which, whatever `-o` chose, and one `N.|-- host` line per hop; several reports may follow each other) and
// `mtr --json` (`report.mtr.dst`, `report.hubs[]` with `host`, `Loss%`, `Snt`, `Best`; numbers or quoted numbers, as
// mtr versions differ). The destination is the claims file's `dst`, else the target mtr names (JSON) when it is an
// address, else the last hop that answered; its `Best` is the minimum RTT. Every hop's RTT is a true round trip to
// that hop's own address, so a trace that stopped short still says nothing false. Hops shown only by name (mtr
// without -n or -b) cannot be matched. Pure; never throws. Format: traviscross/mtr ui/report.c.

import { canonicalIp, MeasurementCollector, rttValue, textLines, type ParseResult, type VantagePoint } from './measurement.js';

/** Column titles mtr prints (ui/mtr.c data_fields). */
const TITLES = new Set(['Loss%', 'Drop', 'Rcv', 'Snt', 'Last', 'Best', 'Avg', 'Wrst', 'StDev', 'Gmean', 'Jttr', 'Javg', 'Jmax', 'Jint']);
const ISO_START_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:?\d{2})$/;

/** One hop as both forms give it. */
interface Hop {
  ip?: string;
  host: string;
  best?: number;
  /** Replies (from `Rcv`, else `Snt` x (1 - loss)). */
  replies: number;
  at: { line?: number; index?: number };
}

interface Report {
  hops: Hop[];
  /** Where the report starts (for problems that concern the whole report). */
  at: { line?: number; index?: number };
  /** The target as mtr names it (JSON only), when it is an address. */
  target?: string;
  timestamp?: number;
}

/** The address a hop's host text shows: the host itself, or `name (address)` (`-b`). */
function hostIp(host: string): string | undefined {
  const direct = canonicalIp(host);
  if (direct !== undefined) return direct;
  const m = /\(([^()\s]+)\)\s*$/.exec(host);
  return m ? canonicalIp(m[1]) : undefined;
}

function replyCount(rcv: number | undefined, snt: number | undefined, lossPct: number | undefined): number {
  if (rcv !== undefined) return Math.round(rcv);
  if (snt === undefined) return lossPct !== undefined && lossPct < 100 ? 1 : 0;
  return Math.round(snt * (1 - Math.min(100, lossPct ?? 0) / 100));
}

function parseReportText(text: string, c: MeasurementCollector): Report[] {
  const reports: Report[] = [];
  let titles: string[] | undefined;
  let cur: Report | undefined;
  let start: number | undefined;
  const lines = textLines(text);
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i];
    const s = /^\s*Start:\s*(.*?)\s*$/.exec(line);
    if (s) {
      const t = ISO_START_RE.test(s[1]) ? Date.parse(s[1].replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : NaN;
      start = Number.isFinite(t) ? t / 1000 : undefined;
      continue;
    }
    if (/^\s*HOST:/.test(line)) {
      const words = line.trim().split(/\s+/);
      const first = words.findIndex((w) => TITLES.has(w));
      titles = first >= 0 ? words.slice(first) : [];
      cur = { hops: [], at: { line: n }, ...(start !== undefined ? { timestamp: start } : {}) };
      start = undefined;
      reports.push(cur);
      if (!titles.includes('Best')) c.issue('mtr_no_best_column', 'error', 'the report has no Best column (mtr -o without B)', { line: n });
      continue;
    }
    const h = /^\s*(\d+)\.(?:\|--)?\s+(.*?)\s*$/.exec(line);
    if (!h || cur === undefined || titles === undefined) continue;
    const words = h[2].split(/\s+/);
    if (words.length <= titles.length) {
      c.issue('mtr_hop_unreadable', 'error', `hop ${h[1]}: expected a host and ${titles.length} values`, { line: n });
      continue;
    }
    const values = words.slice(words.length - titles.length);
    const host = words.slice(0, words.length - titles.length).join(' ');
    const col = (t: string): number | undefined => {
      const k = titles?.indexOf(t) ?? -1;
      return k < 0 ? undefined : rttValue(values[k].replace(/%$/, ''));
    };
    const hop: Hop = { host, replies: replyCount(col('Rcv'), col('Snt'), col('Loss%')), at: { line: n } };
    const ip = hostIp(host.replace(/^AS\S+\s+/, ''));
    if (ip !== undefined) hop.ip = ip;
    const best = col('Best');
    if (best !== undefined) hop.best = best;
    cur.hops.push(hop);
  }
  return reports;
}

function parseJsonDoc(doc: unknown, docIndex: number, c: MeasurementCollector): Report | undefined {
  const report = doc !== null && typeof doc === 'object' ? (doc as { report?: unknown }).report : undefined;
  if (report === null || typeof report !== 'object') {
    c.issue('mtr_json_unreadable', 'error', 'not mtr --json output: no "report" object', { index: docIndex });
    return undefined;
  }
  const r = report as { mtr?: { dst?: unknown; hubs?: unknown }; hubs?: unknown };
  const hubs = Array.isArray(r.hubs) ? r.hubs : Array.isArray(r.mtr?.hubs) ? r.mtr.hubs : undefined;
  if (hubs === undefined) {
    c.issue('mtr_json_unreadable', 'error', 'not mtr --json output: no "hubs" list', { index: docIndex });
    return undefined;
  }
  const out: Report = { hops: [], at: { index: docIndex } };
  const target = canonicalIp(r.mtr?.dst);
  if (target !== undefined) out.target = target;
  hubs.forEach((hub: unknown, i) => {
    if (hub === null || typeof hub !== 'object') {
      c.issue('mtr_hop_unreadable', 'error', `hubs[${i}] is not an object`, { index: i });
      return;
    }
    const o = hub as Record<string, unknown>;
    const host = typeof o.host === 'string' ? o.host : '???';
    const hop: Hop = { host, replies: replyCount(rttValue(o.Rcv), rttValue(o.Snt), rttValue(o['Loss%'])), at: { index: i } };
    const ip = hostIp(host);
    if (ip !== undefined) hop.ip = ip;
    const best = rttValue(o.Best);
    if (best !== undefined) hop.best = best;
    out.hops.push(hop);
  });
  return out;
}

/**
 * Parses mtr output measured at `vantage`. `dst` (from the claims file) picks the hop to use; without it, the
 * target mtr names, else the last hop that answered.
 */
export function parseMtr(text: string, file: string, vantage: VantagePoint, dst?: string): ParseResult {
  const c = new MeasurementCollector(file);
  const want = dst === undefined ? undefined : canonicalIp(dst);
  let reports: Report[];
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('{') || body.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(body) as unknown;
    } catch (e) {
      c.issue('mtr_json_unreadable', 'error', `not JSON: ${(e as Error).message}`, { line: 1 });
      return c.result();
    }
    const docs = Array.isArray(doc) ? doc : [doc];
    reports = docs.map((d, i) => parseJsonDoc(d, i, c)).filter((r): r is Report => r !== undefined);
  } else {
    reports = parseReportText(text, c);
    if (reports.length === 0) c.issue('mtr_no_report', 'error', 'no mtr report found (no HOST: header line)', { line: 1 });
  }
  for (const r of reports) {
    const answered = r.hops.filter((h) => h.ip !== undefined && h.replies > 0 && h.best !== undefined);
    const target = want ?? r.target ?? answered[answered.length - 1]?.ip;
    if (target === undefined) {
      const named = r.hops.some((h) => h.ip === undefined && h.host !== '???');
      c.issue(
        'mtr_destination_not_reached',
        'skipped',
        named ? 'hops are shown by name only: run mtr with -n (or -b) so they show addresses' : 'no hop answered',
        r.at,
      );
      continue;
    }
    const hops = answered.filter((h) => h.ip === target);
    if (hops.length === 0) {
      c.issue('mtr_destination_not_reached', 'skipped', `no hop answered from ${target}`, r.at);
      continue;
    }
    for (const h of hops) {
      c.add({
        vantage,
        dst_addr: target,
        min_rtt_ms: h.best as number,
        samples: h.replies,
        ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}),
        source: { file: c.file, ...h.at },
      });
    }
  }
  return c.result();
}
