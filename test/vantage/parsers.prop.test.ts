// fast-check properties of the vantage parsers (issue 18 item 6): no input makes them throw (arbitrary text,
// arbitrary JSON, damaged sample files), every problem names its file and line (or list index), and valid files
// written by src/synth/measurements.ts from random runs read back to the minimum RTT per vantage point and
// destination whatever the layout (JSON list or lines, LF or CRLF, iputils, BSD or Windows ping, mtr text or JSON).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp } from '../../src/decode/ip-format.js';
import { atlasProbesText, atlasResultsText, mtrJsonText, mtrReportText, pingText, type PingStyle, type SynthHop, type SynthRun } from '../../src/synth/measurements.js';
import { parseAtlasProbes, parseAtlasResults } from '../../src/vantage/atlas.js';
import { canonicalIp, type ParseResult, type VantagePoint } from '../../src/vantage/measurement.js';
import { parseMtr } from '../../src/vantage/mtr.js';
import { parsePingText } from '../../src/vantage/ping-text.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const LAB: VantagePoint = { id: 'lab', name: 'Lab', lat: 10, lon: 20 };
const PROBES = parseAtlasProbes(readFileSync(path.join(FIX, 'probes.json'), 'utf8'), 'probes.json').probes;

/** Every parser, on any text. */
const PARSERS: [string, (text: string) => ParseResult][] = [
  ['atlas results', (t) => parseAtlasResults(t, 'f', PROBES)],
  ['atlas probes', (t) => parseAtlasProbes(t, 'f').result],
  ['ping', (t) => parsePingText(t, 'f', LAB)],
  ['ping with dst', (t) => parsePingText(t, 'f', LAB, '192.0.2.10')],
  ['mtr', (t) => parseMtr(t, 'f', LAB)],
  ['mtr with dst', (t) => parseMtr(t, 'f', LAB, '192.0.2.10')],
];

/** What every result must satisfy, whatever the input. */
function wellFormed(r: ParseResult, lineCount: number): void {
  for (const m of r.measurements) {
    expect(Number.isFinite(m.min_rtt_ms) && m.min_rtt_ms >= 0).toBe(true);
    expect(m.samples).toBeGreaterThanOrEqual(1);
    expect(canonicalIp(m.dst_addr)).toBe(m.dst_addr);
    expect(m.source.file).toBe('f');
  }
  for (const i of r.issues) {
    expect(i.file).toBe('f');
    expect(i.code).toMatch(/^[a-z]+(_[a-z]+)+$/);
    expect(i.line !== undefined || i.index !== undefined).toBe(true);
    if (i.line !== undefined) expect(i.line >= 1 && i.line <= lineCount).toBe(true);
  }
}

const lineCount = (t: string): number => t.split(/\r\n|\n|\r/).length;
const SAMPLES = ['atlas-ping.json', 'atlas-ping.ndjson', 'probes.json', 'ping-iputils.txt', 'ping-macos.txt', 'ping-windows.txt', 'mtr-report.txt', 'mtr.json'].map((f) =>
  readFileSync(path.join(FIX, f), 'utf8'),
);

describe('vantage parsers never throw', () => {
  it.each(PARSERS)('%s: arbitrary text', (_n, parse) => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (t) => wellFormed(parse(t), lineCount(t))),
      { numRuns: 300 },
    );
  });

  it.each(PARSERS)('%s: arbitrary JSON (a list of it, one per line, or alone)', (_n, parse) => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), fc.constantFrom('list', 'lines', 'one'), (vals, form) => {
        const t = form === 'list' ? JSON.stringify(vals, null, 1) : form === 'lines' ? vals.map((v) => JSON.stringify(v)).join('\n') : JSON.stringify(vals[0] ?? null);
        wellFormed(parse(t ?? ''), lineCount(t ?? ''));
      }),
      { numRuns: 200 },
    );
  });

  it.each(PARSERS)('%s: sample files cut, spliced and with characters replaced', (_n, parse) => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }), (text, a, b, ins) => {
        const i = a % (text.length + 1);
        const j = i + (b % 40);
        const t = text.slice(0, i) + ins + text.slice(j);
        wellFormed(parse(t), lineCount(t));
      }),
      { numRuns: 300 },
    );
  });
});

/** RTTs in tenths of a millisecond, so every writer prints them exactly. */
const rttArb = fc.integer({ min: 1, max: 40_000 }).map((x) => x / 10);
const dstArb = fc.oneof(fc.ipV4(), fc.ipV6());
const runArb = (probeIds: number[]): fc.Arbitrary<SynthRun> =>
  fc.record({
    dst: dstArb,
    rtts: fc.array(fc.option(rttArb, { nil: null, freq: 4 }), { minLength: 1, maxLength: 6 }),
    timestamp: fc.integer({ min: 1_500_000_000, max: 1_800_000_000 }),
    prb_id: fc.constantFrom(...probeIds),
    dup: fc.array(fc.nat({ max: 5 }), { maxLength: 2 }),
  });

/** The minimum RTT and reply count per (probe, canonical destination), computed from the runs directly. */
function expectedMins(runs: SynthRun[], rtt: (r: number) => number = (r) => r): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const run of runs) {
    const got = run.rtts.filter((r): r is number => r !== null).map(rtt);
    if (got.length === 0) continue;
    const key = `${run.prb_id ?? ''}|${canonicalIp(run.dst)}`;
    const prev = out.get(key);
    const min = Math.min(...got);
    out.set(key, prev === undefined ? [min, got.length] : [Math.min(prev[0], min), prev[1] + got.length]);
  }
  return out;
}

describe('valid files read back (round trip)', () => {
  it('canonicalIp gives the flow records\' address text (decode/ip-format.ts) for any address', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), (b6, b4) => {
        expect(canonicalIp(formatIp(b6, 0, 16))).toBe(formatIp(b6, 0, 16));
        expect(canonicalIp(formatIp(b4, 0, 4))).toBe(formatIp(b4, 0, 4));
        expect(canonicalIp(formatIp(b6, 0, 16).toUpperCase())).toBe(formatIp(b6, 0, 16));
      }),
      { numRuns: 300 },
    );
  });

  it('RIPE Atlas: a JSON list, lines, and lines with CRLF give the minimum per probe and destination', () => {
    const ids = [6001, 6002, 6003];
    fc.assert(
      fc.property(fc.array(runArb(ids), { minLength: 1, maxLength: 8 }), (runs) => {
        const want = expectedMins(runs);
        const got = (text: string): Map<string, [number, number]> =>
          new Map(parseAtlasResults(text, 'f', PROBES).measurements.map((m) => [`${m.vantage.id.slice(6)}|${m.dst_addr}`, [m.min_rtt_ms, m.samples]]));
        const lines = atlasResultsText(runs, 'lines');
        expect(got(atlasResultsText(runs, 'list'))).toEqual(want);
        expect(got(lines)).toEqual(want);
        expect(got(lines.replace(/\n/g, '\r\n'))).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });

  it('RIPE Atlas probes: the API page and a bare list give the same table', () => {
    const probeArb = fc.record({
      id: fc.integer({ min: 1, max: 10_000_000 }),
      // + 0: JSON has no -0.
      lat: fc.double({ min: -90, max: 90, noNaN: true }).map((x) => x + 0),
      lon: fc.double({ min: -180, max: 180, noNaN: true }).map((x) => x + 0),
      country_code: fc.constantFrom('DE', 'FR', 'SG', 'IN'),
    });
    fc.assert(
      fc.property(fc.uniqueArray(probeArb, { selector: (p) => p.id, maxLength: 6 }), (probes) => {
        const want = probes.map((p) => ({ id: p.id, lat: p.lat, lon: p.lon, country: p.country_code }));
        for (const form of ['page', 'list'] as const) {
          const t = parseAtlasProbes(atlasProbesText(probes, form), 'f');
          expect([...t.probes.values()]).toEqual(want);
          expect(t.result.issues).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it.each<[PingStyle, (r: number) => number]>([
    ['iputils', (r) => r],
    ['bsd', (r) => r],
    // Windows prints whole milliseconds (and never under 1).
    ['windows', (r) => Math.max(1, Math.round(r))],
  ])('ping (%s): runs one after another, DUP! replies ignored, LF or CRLF', (style, rtt) => {
    fc.assert(
      fc.property(fc.array(runArb([0]), { minLength: 1, maxLength: 4 }), fc.boolean(), (runs, crlf) => {
        let text = runs.map((r) => pingText(r, style, style === 'iputils')).join('');
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const r = parsePingText(text, 'f', LAB);
        const got = new Map(r.measurements.map((m) => [`0|${m.dst_addr}`, [m.min_rtt_ms, m.samples]]));
        expect(got).toEqual(expectedMins(runs, rtt));
        const silent = runs.filter((x) => x.rtts.every((v) => v === null)).length;
        expect(r.issues.filter((i) => i.code === 'ping_no_reply')).toHaveLength(silent);
      }),
      { numRuns: 150 },
    );
  });

  const hopArb: fc.Arbitrary<SynthHop> = fc.record({
    ip: fc.option(fc.ipV4(), { nil: undefined, freq: 5 }),
    best: rttArb,
    sent: fc.integer({ min: 1, max: 20 }),
    received: fc.integer({ min: 0, max: 20 }),
  }).map((h) => ({ ...h, received: Math.min(h.received, h.sent) }));

  it('mtr (--report and --json): the chosen hop\'s Best and replies', () => {
    fc.assert(
      fc.property(fc.array(hopArb, { minLength: 1, maxLength: 8 }), fc.nat(), fc.boolean(), (hops, pick, quoted) => {
        const answered = hops.filter((h) => h.ip !== undefined && h.received > 0);
        const dst = answered.length > 0 ? (answered[pick % answered.length].ip as string) : '192.0.2.250';
        const same = answered.filter((h) => h.ip === dst);
        for (const text of [mtrReportText(hops, 1_717_200_000), mtrJsonText(dst, hops, quoted)]) {
          const r = parseMtr(text, 'f', LAB, dst);
          if (same.length === 0) {
            expect(r.measurements).toEqual([]);
            expect(r.issues.map((i) => i.code)).toEqual(['mtr_destination_not_reached']);
            continue;
          }
          expect(r.measurements).toHaveLength(1);
          expect(r.measurements[0].min_rtt_ms).toBe(Math.min(...same.map((h) => h.best)));
          expect(r.measurements[0].samples).toBe(same.reduce((a, h) => a + h.received, 0));
        }
      }),
      { numRuns: 150 },
    );
  });
});
