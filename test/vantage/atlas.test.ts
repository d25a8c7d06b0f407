// RIPE Atlas ping results and probe metadata (issue 18 item 1) on sample files written in the documented formats
// (test/vantage/fixtures: firmware 1, 4430 and 5000+ results, a timeout-only result, a duplicate reply, an error
// reply, a traceroute result, unknown and unplaced probes), as a JSON list and as one object per line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAtlasProbes, parseAtlasResults } from '../../src/vantage/atlas.js';
import { arrayElementSpans, findListValue } from '../../src/vantage/json-spans.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const read = (f: string): string => readFileSync(path.join(FIX, f), 'utf8');

/** [vantage id, destination, min RTT, replies] per measurement. */
function rows(r: ReturnType<typeof parseAtlasResults>): [string, string, number, number][] {
  return r.measurements.map((m) => [m.vantage.id, m.dst_addr, m.min_rtt_ms, m.samples]);
}

const EXPECTED: [string, string, number, number][] = [
  // 3.412 / 3.05 / timeout: the minimum of the replies.
  ['atlas:6001', '192.0.2.10', 3.05, 2],
  // 2.61 / dup 1.2 / 2.5: a duplicate is not a reply, so 2.5 (not the result's "min": 1.2).
  ['atlas:6002', '192.0.2.10', 2.5, 2],
  // 1.62 / 1.5 / error in one measurement, 1.9 / 1.8 in a fw 4430 one ("addr", no "type"): one minimum, 4 replies.
  ['atlas:6003', '192.0.2.10', 1.5, 4],
  // fw 1 has no per-packet list: its "min" and "rcvd".
  ['atlas:6002', '192.0.2.30', 19.938, 3],
  // "2001:DB8:0:0::0010" in flow-record form.
  ['atlas:6003', '2001:db8::10', 2.2, 2],
];

describe('RIPE Atlas probes', () => {
  it.each(['probes.json', 'probes-list.json'])('reads %s (the API page and a bare list) the same way', (f) => {
    const t = parseAtlasProbes(read(f), f);
    expect([...t.probes.values()]).toEqual([
      { id: 6001, lat: 50.1109, lon: 8.6821, country: 'DE', asn_v4: 3320 },
      { id: 6002, lat: 48.8566, lon: 2.3522, country: 'FR', asn_v4: 3215 },
      { id: 6003, lat: 52.3676, lon: 4.9041, country: 'NL', asn_v4: 1136 },
    ]);
    expect(t.result.issues.map((i) => [i.code, i.severity, i.index])).toEqual([['atlas_probe_no_position', 'skipped', 3]]);
    expect(t.result.issues[0].message).toContain('probe 6004');
  });

  it('says what is wrong with a file that is not probe metadata', () => {
    const t = parseAtlasProbes('{"count": 0}', 'p.json');
    expect(t.probes.size).toBe(0);
    expect(t.result.issues).toEqual([
      expect.objectContaining({ code: 'atlas_probes_not_a_list', file: 'p.json', line: 1, severity: 'error' }),
    ]);
  });
});

describe('RIPE Atlas ping results', () => {
  const probes = parseAtlasProbes(read('probes.json'), 'probes.json').probes;

  it('keeps the minimum RTT per probe and destination from a JSON list, with the line of each', () => {
    const r = parseAtlasResults(read('atlas-ping.json'), 'atlas-ping.json', probes);
    expect(rows(r)).toEqual(EXPECTED);
    // The list opens on line 1; its elements start on lines 2, 5, 8, 11, 14, ...
    expect(r.measurements.map((m) => m.source)).toEqual([
      { file: 'atlas-ping.json', line: 2, index: 0 },
      { file: 'atlas-ping.json', line: 5, index: 1 },
      { file: 'atlas-ping.json', line: 8, index: 2 },
      { file: 'atlas-ping.json', line: 14, index: 4 },
      { file: 'atlas-ping.json', line: 23, index: 9 },
    ]);
    expect(r.measurements[0].timestamp).toBe(1717200000);
    expect(r.measurements[0].vantage).toEqual({ id: 'atlas:6001', name: 'RIPE Atlas probe 6001', lat: 50.1109, lon: 8.6821, country: 'DE' });
    expect(r.issues.map((i) => [i.line, i.code, i.severity])).toEqual([
      [15, 'atlas_no_reply', 'skipped'],
      [17, 'atlas_result_not_ping', 'skipped'],
      [19, 'atlas_probe_unknown', 'skipped'],
      [21, 'atlas_probe_unknown', 'skipped'],
    ]);
    expect(r.issues[2].message).toContain('probe 9999');
  });

  it('reads newline-delimited results (?format=txt) the same, reporting a damaged line and going on', () => {
    const r = parseAtlasResults(read('atlas-ping.ndjson'), 'atlas-ping.ndjson', probes);
    expect(rows(r)).toEqual(EXPECTED);
    expect(r.issues.map((i) => [i.line, i.code])).toEqual([
      [5, 'vantage_json_damaged'],
      [8, 'atlas_no_reply'],
      [9, 'atlas_result_not_ping'],
      [10, 'atlas_probe_unknown'],
      [11, 'atlas_probe_unknown'],
    ]);
  });

  it('keeps every result before the cut of a truncated list, and says the list is not closed', () => {
    const text = read('atlas-ping.json');
    const cut = text.slice(0, text.indexOf('"fw": 4430') + 30);
    const r = parseAtlasResults(cut, 'cut.json', probes);
    expect(rows(r).map((x) => x.slice(0, 3))).toEqual([
      ['atlas:6001', '192.0.2.10', 3.05],
      ['atlas:6002', '192.0.2.10', 2.5],
      ['atlas:6003', '192.0.2.10', 1.5],
    ]);
    expect(r.issues.map((i) => [i.line, i.code])).toEqual([
      [11, 'vantage_json_damaged'],
      [11, 'vantage_json_damaged'],
    ]);
    expect(r.issues.map((i) => i.message).join('\n')).toContain('not closed');
  });

  it.each([
    ['an empty file', '', 'atlas_results_empty'],
    ['a lone number', '42', 'atlas_result_malformed'],
    ['a result without prb_id', '[{"type": "ping", "dst_addr": "192.0.2.1", "result": [{"rtt": 1}]}]', 'atlas_result_malformed'],
    ['a probe that could not resolve the target', '[{"type": "ping", "prb_id": 6001, "dst_name": "example.com", "result": [{"error": "dns resolution failed"}]}]', 'atlas_name_unresolved'],
    ['a result whose destination is a name', '[{"type": "ping", "prb_id": 6001, "dst_addr": "example.com", "result": [{"rtt": 1}]}]', 'atlas_result_malformed'],
    ['a missing element', '[{"type": "ping", "prb_id": 6001, "dst_addr": "192.0.2.1", "result": [{"rtt": 1}]},,]', 'vantage_json_damaged'],
  ])('reports %s with a code and a line, never throwing', (_name, text, code) => {
    const r = parseAtlasResults(text, 'x.json', probes);
    expect(r.issues.map((i) => i.code)).toContain(code);
    for (const i of r.issues) expect(i.line).toBeGreaterThanOrEqual(1);
  });

  it('lists at most VANTAGE_MAX_ISSUES_LISTED_PER_FILE problems and counts the rest', () => {
    const line = '{"type": "ping", "prb_id": 424242, "dst_addr": "192.0.2.1", "result": [{"rtt": 1}]}';
    const r = parseAtlasResults(Array(50).fill(line).join('\n'), 'many.txt', probes);
    expect(r.issues).toHaveLength(20);
    expect(r.issues_omitted).toBe(30);
    expect(r.issues[19].line).toBe(20);
  });
});

describe('JSON list scanner', () => {
  it('gives each element its span and first line, strings with brackets and escapes included', () => {
    const text = '[\n  {"a": "]\\"["},\n  [1, {"b": 2}],\n  "x,y"\n]';
    const s = arrayElementSpans(text, 0, 1);
    expect(s.error).toBeUndefined();
    expect(s.spans.map((x) => [text.slice(x.start, x.end), x.line])).toEqual([
      ['{"a": "]\\"["}', 2],
      ['[1, {"b": 2}]', 3],
      ['"x,y"', 4],
    ]);
  });

  it('counts CRLF and lone CR line ends like LF', () => {
    const s = arrayElementSpans('[1,\r\n2,\r3]', 0, 1);
    expect(s.spans.map((x) => x.line)).toEqual([1, 2, 3]);
  });

  it('finds a top-level key\'s list in an object, not a nested one', () => {
    const text = '{"meta": {"results": [0]},\n "results": [7, 8]}';
    const at = findListValue(text, 0, 1, 'results');
    expect(at).toEqual({ at: text.lastIndexOf('['), line: 2 });
  });
});
