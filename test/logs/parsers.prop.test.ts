// Log parsers under fast-check: they never throw whatever a line holds, the line splitter gives the same lines
// whatever the chunking, and damaged lines in a real log are skipped, counted and reported with file and line
// while the rest reads as if they were not there.

import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/logs/lines.js';
import { parseEveLine } from '../../src/logs/suricata-eve.js';
import { parseZeekJsonLine } from '../../src/logs/zeek-json.js';
import { ZeekTsvParser } from '../../src/logs/zeek-tsv.js';
import { zeekConnFlow, zeekDns } from '../../src/logs/zeek-records.js';
import { isLogLineError } from '../../src/logs/zeek-tsv.js';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import { recordsOf } from './sample-logs.js';
import { readFileSync } from 'node:fs';

const TSV_HEADER = readFileSync(join(REPO_ROOT, 'test/logs/fixtures/zeek-docs-tsv/conn.log'), 'utf8').split('\n').filter((l) => l.startsWith('#') && !l.startsWith('#close'));

/** Lines that look like log lines: tab-separated fields of log-ish tokens, JSON objects of log-ish keys. */
const token = fc.oneof(fc.string(), fc.constantFrom('-', '(empty)', 'T', 'F', '1.5', '443', 'tcp', 'udp', '10.0.0.1', '::1', '\\x09', '\\x2d'));
const tsvLine = fc.array(token, { maxLength: 25 }).map((xs) => xs.join('\t'));
const key = fc.constantFrom('ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'orig_pkts', 'orig_ip_bytes',
  'resp_pkts', 'resp_ip_bytes', 'history', 'duration', 'query', 'answers', 'TTLs', 'rcode', 'qtype', 'id', 'event_type', 'timestamp',
  'flow_id', 'src_ip', 'dest_ip', 'src_port', 'dest_port', 'flow', 'dns', 'tls', 'quic', 'tcp', 'vlan', 'ether');
const jsonish = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 })).map((o) => JSON.stringify(o));
const anyLine = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), tsvLine, jsonish, fc.jsonValue().map((v) => JSON.stringify(v)));

describe('log parsers never throw', () => {
  it('Zeek TSV (with and without a header), and the conn/dns mappers on what it gives', () => {
    fc.assert(fc.property(fc.boolean(), fc.array(anyLine, { maxLength: 20 }), (withHeader, lines) => {
      const p = new ZeekTsvParser();
      if (withHeader) for (const h of TSV_HEADER) expect(p.line(h)).toBeNull();
      for (const l of lines) {
        const row = p.line(l);
        if (row === null || isLogLineError(row)) continue;
        zeekConnFlow(row);
        zeekDns(row);
      }
    }));
  });

  it('Zeek JSON, and the conn/dns mappers on what it gives', () => {
    fc.assert(fc.property(anyLine, (l) => {
      const row = parseZeekJsonLine(l);
      if (row === null || isLogLineError(row)) return;
      zeekConnFlow(row);
      zeekDns(row);
    }));
  });

  it('eve.json, including events of every type with fields of any JSON type', () => {
    const event = fc.record({
      timestamp: fc.oneof(fc.constant('2019-05-28T23:32:29.025256+0200'), fc.jsonValue()),
      event_type: fc.constantFrom('flow', 'tls', 'quic', 'http', 'dns', 'alert'),
      flow_id: fc.oneof(fc.nat(), fc.jsonValue()),
      src_ip: fc.oneof(fc.constantFrom('10.0.0.1', 'fe80::1', 'x'), fc.jsonValue()),
      dest_ip: fc.oneof(fc.constantFrom('10.0.0.2', 'fe80::2'), fc.jsonValue()),
      src_port: fc.oneof(fc.integer({ min: -1, max: 70000 }), fc.jsonValue()),
      dest_port: fc.oneof(fc.constantFrom(53, 443), fc.jsonValue()),
      proto: fc.constantFrom('TCP', 'UDP', 'ICMP', 7),
      flow: fc.jsonValue(), dns: fc.oneof(fc.jsonValue(), fc.record({ type: fc.constantFrom('query', 'answer', 'request', 'response'), version: fc.constantFrom(1, 2, 3), answers: fc.jsonValue(), grouped: fc.jsonValue(), queries: fc.jsonValue() })),
      tls: fc.jsonValue(), quic: fc.jsonValue(), tcp: fc.jsonValue(), vlan: fc.jsonValue(), ether: fc.jsonValue(),
    }, { requiredKeys: ['event_type'] });
    fc.assert(fc.property(fc.oneof(anyLine, event.map((e) => JSON.stringify(e))), (l) => {
      parseEveLine(l);
    }), { numRuns: 2000 });
  });
});

describe('line splitting', () => {
  it('gives the same lines whatever the chunk boundaries (LF and CR LF)', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\r\n]/g, '')), { maxLength: 20 }), fc.boolean(),
      fc.array(fc.nat(), { maxLength: 10 }), (lines, crlf, cuts) => {
        const text = lines.map((l) => l + (crlf ? '\r\n' : '\n')).join('');
        const bytes = Buffer.from(text);
        const got: string[] = [];
        const s = new LineSplitter({ line: (t) => got.push(t), tooLong: () => got.push('<too long>'), damaged: () => undefined }, 1 << 20);
        const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
        let at = 0;
        for (const p of [...points, bytes.length]) {
          s.push(bytes.subarray(at, p));
          at = p;
        }
        s.end();
        expect(got).toEqual(lines);
      }));
  });

  it('skips a line over the bound and reports it, keeping the lines around it', () => {
    const got: string[] = [];
    const s = new LineSplitter({ line: (t, n) => got.push(`${n}:${t}`), tooLong: (n) => got.push(`${n}:too long`), damaged: () => undefined }, 8);
    s.push(Buffer.from('short\nthis line is too long'));
    s.push(Buffer.from(' indeed\nok\n'));
    s.end();
    expect(got).toEqual(['1:short', '2:too long', '3:ok']);
  });
});

describe('damaged lines in real logs', () => {
  it('are skipped and reported with file and line; the rest reads the same (Zeek TSV and eve.json)', async () => {
    const base = await recordsOf(join(REPO_ROOT, 'test/logs/fixtures/zeek-docs-tsv'));
    const conn = readFileSync(join(REPO_ROOT, 'test/logs/fixtures/zeek-docs-tsv/conn.log'), 'utf8').split('\n');
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.constantFrom('garbage', '1.0\tCx\tnot-an-ip\t1\t2.2.2.2\t2\ttcp', '\t\t\t', '{"ts":')), { minLength: 1, maxLength: 4 }), async (inserts) => {
      // Insert after the header (line 8), so each damaged line is a data line.
      const lines = [...conn];
      const at: number[] = [];
      for (const [pos, text] of inserts) {
        const i = 8 + (pos % (lines.length - 9));
        lines.splice(i, 0, text);
        for (let k = 0; k < at.length; k++) if (at[k] >= i + 1) at[k]++;
        at.push(i + 1);
      }
      const dir = mkdtempSync(join(tmpdir(), 'zeek-damaged-'));
      writeFileSync(join(dir, 'conn.log'), lines.join('\n'));
      const r = await recordsOf(join(dir, 'conn.log'));
      expect(r.flows.map((f) => f.uid)).toEqual(base.flows.map((f) => f.uid));
      expect(r.summary.anomalies.log_line_malformed).toBe(inserts.length);
      expect(r.summary.warnings.map((w) => w.line).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(at.sort((a, b) => a - b));
      for (const w of r.summary.warnings) expect(w.message).toMatch(/^conn\.log: line \d+: /);
    }), { numRuns: 25 });
  });

  it('an eve.json line that is not JSON names the file and line', async () => {
    const src = readFileSync(join(REPO_ROOT, 'test/logs/fixtures/suricata-docs/eve.json'), 'utf8').split('\n');
    src.splice(4, 0, '{"timestamp": "2019-05-28T23:32:29.1+0200", "event_type": "flow", oops');
    const dir = mkdtempSync(join(tmpdir(), 'eve-damaged-'));
    writeFileSync(join(dir, 'eve.json'), src.join('\n'));
    const r = await recordsOf(join(dir, 'eve.json'));
    expect(r.flows).toHaveLength(1);
    expect(r.summary.warnings).toHaveLength(1);
    expect(r.summary.warnings[0]).toMatchObject({ code: 'log_line_malformed', line: 5 });
    expect(r.summary.warnings[0].message).toMatch(/^eve\.json: line 5: not JSON/);
  });
});
