// Incomplete evidence in the model: missing, truncated and damaged captures become input statuses, top-level
// problems, and capture_* reasons on every verdict of the vendors listing them (rules in VERDICTS.md).

import { describe, expect, it } from 'vitest';
import { parseClaims } from '../../src/audit/claims.js';
import { applyInputProblems, missingProblem, readProblem, readStatus, reportWarnings } from '../../src/audit/input-problems.js';
import { buildReportModel, type ModelCapture } from '../../src/audit/model-builder.js';
import { EXIT } from '../../src/errors.js';
import { REPORT_MAX_INPUT_WARNINGS } from '../../src/limits.js';
import type { StoredFlow } from '../../src/store/records.js';
import type { Anomaly, Verdict } from '../../src/types.js';
import { buildFlow } from '../store/fake-capture.js';

const CLAIMS = `
vendors:
  - name: A
    captures: [a1.pcap, a2.pcap]
    first_party: [vendor.com]
    claims:
      - { id: a-sg, text: "Stored in Singapore", country: SG }
  - name: B
    captures: [b.pcap]
    first_party: [other.com]
    claims:
      - { id: b-sg, text: "Stored in Singapore", country: SG }
`;

const sg = { country: 'SG', country_agreement: 'agree' as const, provider: 'aws', edge: false, physical: 'plausible' as const, lat: 1.3, lon: 103.8 };
const cut: Anomaly = { code: 'pcap_truncated_record', offset: 29_986, message: 'file ends 14 bytes into a record that needs 1514' };
const skipped: Anomaly = { code: 'pcapng_unknown_interface', offset: 4_096, message: 'packet for undeclared interface 9 skipped' };

function cap(label: string, vendor: string, flows: StoredFlow[], over: { truncated?: boolean; warnings?: Anomaly[] } = {}): ModelCapture {
  return {
    label, vendors: [vendor], synthesized: false, flows, warnings: over.warnings,
    stored: { id: 1, sha256: label.padEnd(64, '0'), path: label, size_bytes: 30_000, packets: 20, link_types: [1], truncated: over.truncated ?? false },
  };
}

const flowsA = (): StoredFlow[] => [{ ...buildFlow(1, { bytes_up: 50_000 }), ...sg }];
const flowsB = (): StoredFlow[] => [{ ...buildFlow(2, { bytes_up: 50_000, sni: 'x.other.com', hostname: 'x.other.com' }), ...sg }];

function build(caps: ModelCapture[], missing: Parameters<typeof buildReportModel>[0]['missing'] = []) {
  return buildReportModel({
    claims: parseClaims(CLAIMS, 'claims.yaml', '/c/claims.yaml'), claimsLabel: 'claims.yaml', captures: caps, provenance: [],
    toolVersion: '1', formats: ['json'], generatedAt: 'x', missing,
  });
}

describe('read status and problems', () => {
  it('is truncated when reading stopped early, damaged when the reader read past warnings, else ok', () => {
    expect(readStatus(true, [cut])).toBe('truncated');
    expect(readStatus(true, [])).toBe('truncated');
    expect(readStatus(false, [skipped])).toBe('damaged');
    expect(readStatus(false, [])).toBe('ok');
  });

  it('locates a truncation at the warning that stopped reading (the last) and damage at the first', () => {
    expect(readProblem('t.pcap', ['A'], true, [skipped, cut])).toMatchObject({ status: 'truncated', code: 'pcap_truncated_record', offset: 29_986, warnings: 2 });
    expect(readProblem('d.pcapng', ['B', 'A'], false, [skipped, { ...skipped, offset: 9_000 }])).toMatchObject({ status: 'damaged', code: 'pcapng_unknown_interface', offset: 4_096, vendors: ['A', 'B'], warnings: 2 });
    expect(readProblem('t.pcap', ['A'], true, [])).toMatchObject({ status: 'truncated', message: 'reading stopped before the end of the file' });
    expect(readProblem('ok.pcap', ['A'], false, [])).toBeUndefined();
  });

  it('keeps at most REPORT_MAX_INPUT_WARNINGS warnings per input and counts the rest', () => {
    const many = Array.from({ length: REPORT_MAX_INPUT_WARNINGS + 4 }, (_, i) => ({ ...skipped, offset: i }));
    expect(reportWarnings(many)).toMatchObject({ warnings_omitted: 4 });
    expect(reportWarnings(many).warnings).toHaveLength(REPORT_MAX_INPUT_WARNINGS);
    expect(reportWarnings([])).toEqual({});
  });
});

describe('applyInputProblems: what incomplete evidence does to a verdict', () => {
  const missing = missingProblem({ label: 'gone.pcap', vendors: ['A'], reason: 'listed in the claims file but not in the case store' });
  const truncated = readProblem('t.pcap', ['A'], true, [cut])!;
  const damaged = readProblem('d.pcapng', ['A'], false, [skipped])!;
  const table: [string, Verdict, typeof missing[], Verdict, string[]][] = [
    ['a missing capture stops a confirmation', 'confirmed', [missing], 'inconclusive', ['capture_missing']],
    ['a missing capture leaves a refutation standing', 'refuted', [missing], 'refuted', ['capture_missing']],
    ['a missing capture leaves unobservable standing', 'unobservable', [missing], 'unobservable', ['capture_missing']],
    ['a truncated capture keeps the verdict and says so', 'confirmed', [truncated], 'confirmed', ['capture_truncated']],
    ['a damaged capture keeps the verdict and says so', 'confirmed', [damaged], 'confirmed', ['capture_damaged']],
    ['all three, in a fixed order', 'confirmed', [damaged, truncated, missing], 'inconclusive', ['capture_missing', 'capture_truncated', 'capture_damaged']],
    ['nothing wrong', 'confirmed', [], 'confirmed', []],
  ];
  for (const [name, before, problems, after, codes] of table) {
    it(name, () => {
      const r = applyInputProblems(before, problems);
      expect(r.verdict).toBe(after);
      expect(r.reasons.map((x) => x.code)).toEqual(codes);
      expect(r.complete).toBe(problems.length === 0);
    });
  }

  it('names the file and the byte offset in the reason, and lists the captures', () => {
    const r = applyInputProblems('confirmed', [truncated, damaged, missing]);
    expect(r.reasons[0]).toMatchObject({ captures: ['gone.pcap'] });
    expect(r.reasons[0].text).toContain('gone.pcap (listed in the claims file but not in the case store)');
    expect(r.reasons[1].text).toContain('t.pcap at byte 29,986 (pcap_truncated_record: file ends 14 bytes into a record that needs 1514)');
    expect(r.reasons[2].text).toContain('d.pcapng (1 warning(s), first at byte 4,096: pcapng_unknown_interface)');
  });
});

describe('buildReportModel with incomplete evidence', () => {
  it('marks a truncated capture in inputs and problems, and puts capture_truncated first on the vendor\'s verdicts only', () => {
    const { model, results } = build([cap('a1.pcap', 'A', flowsA(), { truncated: true, warnings: [cut] }), cap('b.pcap', 'B', flowsB())], [
      { label: 'a2.pcap', vendors: ['A'], reason: 'listed in the claims file but not in the case store', sha256: 'f'.repeat(64), size_bytes: 7 },
    ]);
    expect(model.inputs.map((i) => [i.path, i.status])).toEqual([['a1.pcap', 'truncated'], ['a2.pcap', 'missing'], ['b.pcap', 'ok']]);
    expect(model.inputs[0].warnings).toEqual([cut]);
    expect(model.inputs[1]).toMatchObject({ sha256: 'f'.repeat(64), size_bytes: 7, vendor: 'A', missing_reason: 'listed in the claims file but not in the case store' });
    expect(model.inputs[1].packets).toBeUndefined();
    expect(model.problems.map((p) => [p.capture, p.status, p.code, p.offset])).toEqual([
      ['a1.pcap', 'truncated', 'pcap_truncated_record', 29_986],
      ['a2.pcap', 'missing', 'capture_missing', undefined],
    ]);
    const [a, b] = model.vendors;
    expect(a.captures).toEqual(['a1.pcap', 'a2.pcap']);
    expect(a.claims[0]).toMatchObject({ verdict: 'inconclusive', evidence_complete: false });
    expect(a.claims[0].reasons.map((r) => r.code)).toEqual(['capture_missing', 'capture_truncated', 'coverage_met']);
    expect(b.claims[0]).toMatchObject({ verdict: 'confirmed', evidence_complete: true });
    expect(b.claims[0].reasons.map((r) => r.code)).toEqual(['coverage_met']);
    // The store gets what the report says; the exit code follows the reported verdicts.
    expect(results.map((r) => [r.vendor, r.result.verdict, r.result.reasons[0].code])).toEqual([['A', 'inconclusive', 'capture_missing'], ['B', 'confirmed', 'coverage_met']]);
    expect(model.summary).toMatchObject({ confirmed: 1, inconclusive: 1, exit_code: EXIT.INCONCLUSIVE });
  });

  it('keeps a confirmation on a truncated capture, marked incomplete, with exit 0', () => {
    const { model } = build([cap('a1.pcap', 'A', flowsA(), { truncated: true, warnings: [cut] }), cap('a2.pcap', 'A', []), cap('b.pcap', 'B', flowsB())]);
    expect(model.vendors[0].claims[0]).toMatchObject({ verdict: 'confirmed', evidence_complete: false });
    expect(model.vendors[0].claims[0].reasons[0].code).toBe('capture_truncated');
    expect(model.summary.exit_code).toBe(EXIT.OK);
  });

  it('says nothing when every capture read cleanly', () => {
    const { model } = build([cap('a1.pcap', 'A', flowsA()), cap('a2.pcap', 'A', []), cap('b.pcap', 'B', flowsB())]);
    expect(model.problems).toEqual([]);
    expect(model.inputs.every((i) => i.status === 'ok' && i.warnings === undefined)).toBe(true);
    expect(model.vendors.flatMap((v) => v.claims).every((c) => c.evidence_complete)).toBe(true);
  });
});
