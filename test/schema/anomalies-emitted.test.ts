// The anomaly names the tool really emits, collected from runs, held to the catalogue (src/anomalies.ts): every
// input the golden files cover (the sample captures and the shared corpus), the log fixtures and the hostile inputs
// of ../shared/repro are analysed, with synthetic inputs (src/synth) for classes those do not reach, and every
// name that shows (on a flow, as a warning, in the summary's anomaly counts, as a counter) must be catalogued, and
// catalogued as showing there: a `flow` anomaly is counted in the summary once per flow that has it, a warned
// `summary+warning` one is counted too. The golden files themselves (flow records' `anomalies`, warnings on stderr)
// are read the same way. anomalies.test.ts holds the sources to the catalogue; this file holds what comes out.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ANOMALIES, COUNTERS, type Where } from '../../src/anomalies.js';
import { CaptureError } from '../../src/errors.js';
import { analyzeInput } from '../../src/input.js';
import { analyzeCapture, type AnalyzeHandlers } from '../../src/pipeline.js';
import { capture } from '../../src/synth/fragment-captures.js';
import { TcpConversation, udpPacket, type TimedPacket } from '../../src/synth/packets.js';
import { buildQuicClientInitials } from '../../src/synth/quic.js';
import { buildClientHello, wrapTlsRecords, type ClientHelloOptions } from '../../src/synth/tls.js';
import type { CaptureSummary } from '../../src/types.js';
import { CORPUS, HAVE_CORPUS, REPO_ROOT, SHARED, corpusFiles } from '../conformance/shared-corpus.js';
import { sampleCaptures } from '../golden/golden-kinds.js';

/** How a name was seen. */
export type Channel = 'flow' | 'warning' | 'summary' | 'counter';

export interface Seen {
  name: string;
  channel: Channel;
  /** The input (or golden file) it was seen in, the first time. */
  input: string;
}

/** Where the catalogue may say a name shows, for each way it was seen. */
const ALLOWED: Record<Exclude<Channel, 'counter'>, readonly Where[]> = {
  flow: ['flow'],
  warning: ['warning', 'summary+warning'],
  summary: ['flow', 'summary', 'summary+warning'],
};

/** What is wrong with the names seen: not catalogued, or catalogued as showing elsewhere. Empty when all is well. */
export function againstCatalogue(seen: Iterable<Seen>): string[] {
  const out: string[] = [];
  for (const s of seen) {
    const how = `seen ${s.channel === 'flow' ? 'on a flow' : s.channel === 'warning' ? 'as a warning' : `in the summary's ${s.channel === 'counter' ? 'counters' : 'anomalies'}`} of ${s.input}`;
    if (s.channel === 'counter') {
      if (!(s.name in COUNTERS)) out.push(`${s.name}: ${how}, not in COUNTERS of src/anomalies.ts`);
      continue;
    }
    const entry = (ANOMALIES as Record<string, { where: Where } | undefined>)[s.name];
    if (entry === undefined) out.push(`${s.name}: ${how}, not in ANOMALIES of src/anomalies.ts (add it: stage, where, meaning; then npm run readme:anomalies)`);
    else if (!ALLOWED[s.channel].includes(entry.where)) out.push(`${s.name}: ${how}, but src/anomalies.ts says it shows as "${entry.where}"`);
  }
  return out;
}

/** Collects names, once per (name, channel), keeping the first input each was seen in. */
class Collector {
  readonly seen = new Map<string, Seen>();
  add(name: string, channel: Channel, input: string): void {
    const k = `${channel} ${name}`;
    if (!this.seen.has(k)) this.seen.set(k, { name, channel, input });
  }
  channels(): Set<Channel> {
    return new Set([...this.seen.values()].map((s) => s.channel));
  }
}

/** The inputs: what the golden files cover, the log fixtures, and the repro captures (when ../shared is here). */
function inputs(): string[] {
  const out = sampleCaptures().map((c) => join(REPO_ROOT, 'captures', c));
  for (const c of corpusFiles()) out.push(join(CORPUS, c));
  const fixtures = join(REPO_ROOT, 'test/logs/fixtures');
  out.push(join(fixtures, 'zeek-docs-tsv'), join(fixtures, 'zeek-docs-json'), join(fixtures, 'suricata-docs/eve.json'));
  const repro = join(SHARED, 'repro');
  if (existsSync(repro)) {
    for (const f of readdirSync(repro).sort()) if (/\.(pcap|pcapng|gz)$/.test(f)) out.push(join(repro, f));
  }
  return out;
}

const T0 = 1_700_000_000;

/** One capture of what the golden inputs lack: undecodable DNS messages (three in one flow), ClientHellos whose
 *  server_name is odd in each way the TLS stage names, QUIC Initials of an unknown version and with a wrong salt. */
function synthCapture(): Buffer {
  const pk: TimedPacket[] = [];
  for (let i = 0; i < 3; i++) {
    pk.push({ ts: T0 + i, ip: udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 40000, dport: 53, payload: Buffer.from([1, 2, 3]) }) });
  }
  const host = (name: string | Buffer) => ({ type: 0, name: Buffer.from(name) });
  const hellos: ClientHelloOptions[] = [
    { sni: 'Example.COM' },
    { sni: '192.0.2.7' },
    { sni: 'bad..name' },
    { serverNames: [host('a.example'), host('b.example')] },
    { serverNames: [{ type: 1, name: Buffer.from('x') }] },
    { serverNames: [host('')] },
    { serverNames: [host(Buffer.from('caf\u00e9.example', 'utf8'))] },
    { serverNames: [host('a\u0001b.example')] },
  ];
  hellos.forEach((h, i) => {
    const c = new TcpConversation({ client: { ip: '10.0.0.2', port: 41000 + i }, server: { ip: '192.0.2.10', port: 443 }, startTs: T0 + 10 + i, rttMs: 20 });
    pk.push(...c.handshake().send('c2s', wrapTlsRecords(buildClientHello(h))).close().packets);
  });
  const quic = (version: number | string, port: number, salt: Buffer): void => {
    const hello = buildClientHello({ sni: 'q.example', quicTransportParams: true });
    buildQuicClientInitials({ version, dcid: Buffer.alloc(8, 7), scid: Buffer.alloc(8, 9), salt, clientHello: hello }).forEach((d, j) => {
      pk.push({ ts: T0 + 40 + (port % 10) + j / 1e3, ip: udpPacket({ src: '10.0.0.2', dst: '192.0.2.20', sport: port, dport: 443, payload: d }) });
    });
  };
  quic(0x1a2a3a4a, 43000, Buffer.alloc(20, 1));
  quic('v1', 43001, Buffer.alloc(20, 2));
  return capture(pk.sort((a, b) => a.ts - b.ts));
}

/** Log inputs with damage: a Zeek conn.log (the fixture's) with a line that is no record and a connection of an
 *  unknown transport; an eve.json without flow events. In a temporary folder, removed after the tests. */
function synthLogs(dir: string): string[] {
  const conn = readFileSync(join(REPO_ROOT, 'test/logs/fixtures/zeek-docs-tsv/conn.log'), 'utf8').split('\n');
  const at = conn.findIndex((l) => l.startsWith('#types')) + 1;
  conn.splice(at, 0, 'not a record', ['1591367999.5', 'Cunknown1', '192.168.4.76', '0', '192.168.4.1', '0', 'unknown_transport', '-', '-', '-',
    '-', 'OTH', '-', '-', '0', '-', '1', '40', '0', '0', '-'].join('\t'));
  const zeek = join(dir, 'zeek');
  mkdirSync(zeek);
  writeFileSync(join(zeek, 'conn.log'), conn.join('\n'));
  const eve = join(dir, 'eve.json');
  writeFileSync(eve, JSON.stringify({ timestamp: '2020-06-05T14:48:32.000000+0000', event_type: 'dns', src_ip: '10.0.0.2', src_port: 40000,
    dest_ip: '8.8.8.8', dest_port: 53, proto: 'UDP', dns: { type: 'query', id: 1, rrname: 'a.example', rrtype: 'A' } }) + '\n');
  return [join(zeek, 'conn.log'), eve];
}

/** Runs one input, collecting what it emits; returns what is inconsistent in its summary. */
async function collectRun(c: Collector, name: string, analyze: (h: AnalyzeHandlers) => Promise<CaptureSummary>): Promise<string[]> {
  const onFlows = new Map<string, number>();
  const warned = new Map<string, number>();
  let summary: CaptureSummary;
  try {
    summary = await analyze({
      flow: (r) => r.anomalies?.forEach((a) => {
        c.add(a, 'flow', name);
        onFlows.set(a, (onFlows.get(a) ?? 0) + 1);
      }),
      warning: (a) => c.add(a.code, 'warning', name),
    });
  } catch (e) {
    // A file that is not a capture at all stops with a typed error (its code is an error code, src/errors.ts):
    // nothing was emitted. Anything else is a failure of this test.
    if (!(e instanceof CaptureError)) throw e;
    return [];
  }
  for (const a of summary.warnings) {
    c.add(a.code, 'warning', name);
    warned.set(a.code, (warned.get(a.code) ?? 0) + 1);
  }
  for (const k of Object.keys(summary.anomalies)) c.add(k, 'summary', name);
  for (const k of Object.keys(summary.counters)) c.add(k, 'counter', name);
  const out: string[] = [];
  const where = (n: string): Where | undefined => (ANOMALIES as Record<string, { where: Where } | undefined>)[n]?.where;
  for (const n of new Set([...onFlows.keys(), ...Object.keys(summary.anomalies)])) {
    if (where(n) === 'flow' && (onFlows.get(n) ?? 0) !== summary.anomalies[n]) {
      out.push(`${name}: ${n} is on ${onFlows.get(n) ?? 0} flows but the summary counts ${summary.anomalies[n] ?? 0}`);
    }
  }
  for (const [n, k] of warned) {
    if (where(n) === 'summary+warning' && (summary.anomalies[n] ?? 0) < k) out.push(`${name}: ${n} warned ${k} times, counted ${summary.anomalies[n] ?? 0}`);
  }
  return out;
}

function goldenFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) goldenFiles(p, out);
    else out.push(p);
  }
  return out.sort();
}

/** Flow records' `anomalies` in the golden flows files, and the codes of the warnings in their .stderr files. */
function collectGolden(c: Collector): number {
  const files = goldenFiles(join(REPO_ROOT, 'test/golden')).filter((f) => /\.(ndjson|stderr)$/.test(f));
  for (const f of files) {
    const name = relative(REPO_ROOT, f);
    const text = readFileSync(f, 'utf8');
    if (/\.flows(-vantage)?\.ndjson$/.test(f)) {
      for (const line of text.split('\n')) {
        if (line !== '') for (const a of (JSON.parse(line) as { anomalies?: string[] }).anomalies ?? []) c.add(a, 'flow', name);
      }
    } else if (f.endsWith('.stderr')) {
      // `residency: warning: FILE: at byte N: what [code]`; `residency: error: ... [code]` lines carry error codes.
      for (const m of text.matchAll(/^residency: warning: .*\[([a-z0-9_]+)\]$/gm)) c.add(m[1], 'warning', name);
    }
  }
  return files.length;
}

describe('anomalies emitted (runs over the golden inputs, log fixtures and repro captures)', () => {
  it('the check names an uncatalogued name, and one catalogued as showing elsewhere', () => {
    expect(againstCatalogue([
      { name: 'tcp_capture_gap', channel: 'flow', input: 'a.pcap' },
      { name: 'tcp_capture_gapp', channel: 'flow', input: 'a.pcap' },
      { name: 'pcap_truncated_record', channel: 'flow', input: 'b.pcap' },
      { name: 'non_ip', channel: 'counter', input: 'c.pcap' },
      { name: 'no_such_counter', channel: 'counter', input: 'c.pcap' },
    ])).toEqual([
      'tcp_capture_gapp: seen on a flow of a.pcap, not in ANOMALIES of src/anomalies.ts (add it: stage, where, meaning; then npm run readme:anomalies)',
      'pcap_truncated_record: seen on a flow of b.pcap, but src/anomalies.ts says it shows as "warning"',
      "no_such_counter: seen in the summary's counters of c.pcap, not in COUNTERS of src/anomalies.ts",
    ]);
  });

  it('every name the golden files show is catalogued, where it shows', () => {
    const c = new Collector();
    expect(collectGolden(c)).toBeGreaterThan(0);
    expect(c.channels().has('flow')).toBe(true);
    expect(againstCatalogue(c.seen.values())).toEqual([]);
  });

  const tmp = mkdtempSync(join(tmpdir(), 'residency-anomalies-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('every name a run emits is catalogued, where it shows, and counted as the catalogue says', { timeout: 300_000 }, async () => {
    const c = new Collector();
    const wrong: string[] = [];
    for (const path of [...inputs(), ...synthLogs(tmp)]) {
      wrong.push(...await collectRun(c, relative(REPO_ROOT, path), (h) => analyzeInput(path, h)));
    }
    const synth = synthCapture();
    wrong.push(...await collectRun(c, 'synthetic capture', (h) => analyzeCapture('synthetic.pcap', h, { source: (async function* () { yield synth; })() })));
    // The collector saw each channel: an empty collection would pass anything.
    expect([...c.channels()].sort()).toEqual(['counter', 'flow', 'summary', 'warning']);
    expect(againstCatalogue(c.seen.values())).toEqual([]);
    expect(wrong).toEqual([]);
  });
});
