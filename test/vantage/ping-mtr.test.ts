// Plain ping output (iputils, BSD/macOS, Windows, `ping -q`) and mtr output (--report text, --json) measured at
// a named lab (issue 18 item 1), on sample files in test/vantage/fixtures written in each tool's layout.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ParseResult, VantagePoint } from '../../src/vantage/measurement.js';
import { parseMtr } from '../../src/vantage/mtr.js';
import { parsePingText } from '../../src/vantage/ping-text.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const read = (f: string): string => readFileSync(path.join(FIX, f), 'utf8');
const LAB: VantagePoint = { id: 'paris', name: 'Paris lab', lat: 48.8566, lon: 2.3522, country: 'FR' };

/** [destination, min RTT, replies, line] per measurement. */
function rows(r: ParseResult): [string, number, number, number | undefined][] {
  return r.measurements.map((m) => [m.dst_addr, m.min_rtt_ms, m.samples, m.source.line]);
}

describe('ping output', () => {
  it('iputils: several runs, DUP! and error lines not counted, -D timestamps, a run without replies reported', () => {
    const r = parsePingText(read('ping-iputils.txt'), 'ping-iputils.txt', LAB);
    expect(rows(r)).toEqual([
      // 2.91, 2.74, (DUP! 0.912), (Destination Host Unreachable), 2.88: 3 replies, the DUP's 0.912 is not one.
      ['192.0.2.10', 2.74, 3, 4],
      // `PING name(other-name (2001:db8::10))` and replies from `name (2001:db8::10)`.
      ['2001:db8::10', 4.98, 3, 15],
    ]);
    expect(r.measurements[0].timestamp).toBe(1717201001.105873);
    expect(r.measurements[0].vantage).toBe(LAB);
    expect(r.issues.map((i) => [i.line, i.code, i.severity])).toEqual([[22, 'ping_no_reply', 'skipped']]);
  });

  it('BSD/macOS: ping and ping6 (PING6(...) src --> dst, "bytes from X,")', () => {
    const r = parsePingText(read('ping-macos.txt'), 'ping-macos.txt', LAB);
    expect(rows(r)).toEqual([
      ['192.0.2.10', 2.806, 3, 4],
      ['2001:db8::10', 6.044, 2, 12],
    ]);
    expect(r.issues).toEqual([]);
  });

  it('Windows (CRLF, time=3ms)', () => {
    expect(rows(parsePingText(read('ping-windows.txt'), 'w.txt', LAB))).toEqual([['192.0.2.10', 3, 3, 3]]);
  });

  it('ping -q: only the summary, its min and the received count', () => {
    expect(rows(parsePingText(read('ping-quiet.txt'), 'q.txt', LAB))).toEqual([['192.0.2.10', 2.702, 10, 5]]);
  });

  it('Windows time<1ms counts as 1 ms (an upper bound keeps the disc honest)', () => {
    const text = 'Pinging 192.0.2.1 with 32 bytes of data:\nReply from 192.0.2.1: bytes=32 time<1ms TTL=128\n';
    expect(rows(parsePingText(text, 'w.txt', LAB))).toEqual([['192.0.2.1', 1, 1, 2]]);
  });

  it('pasted reply lines without a header: dst from the claims file, else the address that replied', () => {
    const text = '64 bytes from 192.0.2.5: icmp_seq=1 ttl=57 time=7.5 ms\n64 bytes from 192.0.2.5: icmp_seq=2 ttl=57 time=7.1 ms\n';
    expect(rows(parsePingText(text, 'p.txt', LAB, '192.0.2.5'))).toEqual([['192.0.2.5', 7.1, 2, 2]]);
    expect(rows(parsePingText(text, 'p.txt', LAB))).toEqual([['192.0.2.5', 7.1, 2, 2]]);
  });

  it('refuses a run that pinged another address than the claims file says, naming both', () => {
    const r = parsePingText(read('ping-macos.txt'), 'ping-macos.txt', LAB, '192.0.2.10');
    expect(rows(r)).toEqual([['192.0.2.10', 2.806, 3, 4]]);
    expect(r.issues).toEqual([
      expect.objectContaining({ code: 'ping_dst_mismatch', line: 10, message: 'this run pinged 2001:db8::10, but the claims file says dst 192.0.2.10' }),
    ]);
  });

  it('does not count replies from another address (a router answering for the target)', () => {
    const text = 'PING 192.0.2.9 (192.0.2.9) 56(84) bytes of data.\n64 bytes from 198.51.100.1: icmp_seq=1 ttl=64 time=0.4 ms\n64 bytes from 192.0.2.9: icmp_seq=2 ttl=57 time=9.0 ms\n';
    const r = parsePingText(text, 'p.txt', LAB);
    expect(rows(r)).toEqual([['192.0.2.9', 9, 1, 3]]);
    expect(r.issues.map((i) => [i.line, i.code])).toEqual([[2, 'ping_reply_from_other']]);
  });

  it.each([
    ['text that is not ping output', 'hello\nworld\n', 'ping_no_output'],
    ['replies without any address', '64 bytes: icmp_seq=1 time=3.0 ms from somewhere\n', 'ping_no_destination'],
  ])('reports %s', (_n, text, code) => {
    expect(parsePingText(text, 'x.txt', LAB).issues.map((i) => i.code)).toEqual([code]);
  });
});

describe('mtr output', () => {
  it('--report: the last hop that answered is the destination; each report its own; Start: gives the time', () => {
    const r = parseMtr(read('mtr-report.txt'), 'mtr-report.txt', LAB);
    expect(rows(r)).toEqual([
      // Hop 5: Best 2.7 ms, 10 sent, 0 % loss.
      ['192.0.2.10', 2.7, 10, 7],
      // The second trace stops at 192.0.2.77: its own round trip, a true one.
      ['192.0.2.77', 87.6, 10, 12],
    ]);
    expect(r.measurements[0].timestamp).toBe(Date.parse('2024-06-01T02:30:00Z') / 1000);
  });

  it('--report with dst: only the hop with that address; a report that never reached it is said so', () => {
    const r = parseMtr(read('mtr-report.txt'), 'mtr-report.txt', LAB, '192.0.2.10');
    expect(rows(r)).toEqual([['192.0.2.10', 2.7, 10, 7]]);
    expect(r.issues.map((i) => [i.line, i.code, i.message])).toEqual([[9, 'mtr_destination_not_reached', 'no hop answered from 192.0.2.10']]);
  });

  it('an intermediate hop can be picked: its RTT is a round trip to its own address (10 % loss: 9 replies)', () => {
    expect(rows(parseMtr(read('mtr-report.txt'), 'm.txt', LAB, '203.0.113.9'))).toEqual([['203.0.113.9', 2.2, 9, 6]]);
  });

  it('--json: report.mtr.dst, `name (address)` hosts (-b), loss into replies, hub index as the place', () => {
    const r = parseMtr(read('mtr.json'), 'mtr.json', LAB);
    expect(r.measurements.map((m) => [m.dst_addr, m.min_rtt_ms, m.samples, m.source])).toEqual([['192.0.2.10', 2.66, 8, { file: 'mtr.json', index: 2 }]]);
    expect(r.issues).toEqual([]);
  });

  it('hops shown by name only cannot be matched: the problem says to run mtr -n or -b', () => {
    const r = parseMtr(read('mtr-names.txt'), 'mtr-names.txt', LAB);
    expect(r.measurements).toEqual([]);
    expect(r.issues[0].message).toContain('-n');
  });

  it.each([
    ['text that is not mtr output', 'PING 1.2.3.4\n', 'mtr_no_report'],
    ['broken JSON', '{"report": ', 'mtr_json_unreadable'],
    ['JSON that is not mtr', '{"hello": 1}', 'mtr_json_unreadable'],
    ['a report without the Best column (-o LSN)', 'HOST: x   Loss%   Snt   Last\n  1.|-- 192.0.2.1   0.0%   10   1.0\n', 'mtr_no_best_column'],
  ])('reports %s', (_n, text, code) => {
    expect(parseMtr(text, 'x', LAB).issues.map((i) => i.code)).toContain(code);
  });
});
