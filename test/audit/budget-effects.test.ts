// The memory budget in the model: `memory_budget_reached` is not damage. The capture keeps its read status, the
// report lists a budget effect with its counts, every verdict of the vendors listing it carries
// capture_budget_limited, and the evidence is incomplete only when upload without names weighs in an undecided
// verdict (rules in VERDICTS.md, "Memory budget").

import { describe, expect, it } from 'vitest';
import { parseClaims } from '../../src/audit/claims.js';
import { budgetCounts, budgetTouchesVerdict, readProblem, readStatus, reportWarnings } from '../../src/audit/input-problems.js';
import { buildReportModel, type ModelCapture } from '../../src/audit/model-builder.js';
import type { BudgetCounts } from '../../src/audit/report-model.js';
import { budgetWarning } from '../../src/pipeline.js';
import type { StoredFlow } from '../../src/store/records.js';
import type { Anomaly } from '../../src/types.js';
import { buildFlow } from '../store/fake-capture.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { problemLines, summaryText } from '../../src/report/summary-text.js';

const CLAIMS = `
vendors:
  - name: A
    captures: [a.pcap]
    first_party: [vendor.com]
    claims:
      - { id: a-fp, text: "Stored in Singapore", country: SG }
      - { id: a-all, text: "All in Singapore", scope: all, country: SG }
  - name: B
    captures: [b.pcap]
    first_party: [other.com]
    claims:
      - { id: b-sg, text: "Stored in Singapore", country: SG }
`;

const sg = { country: 'SG', country_agreement: 'agree' as const, provider: 'aws', edge: false, physical: 'plausible' as const, lat: 1.3, lon: 103.8 };
const cut: Anomaly = { code: 'pcap_truncated_record', offset: 29_986, message: 'file ends 14 bytes into a record that needs 1514' };
/** The warning the pipeline writes for these counts (the same function, so the parse follows its wording). */
const budget = (a: Record<string, number>, counters: Record<string, number> = {}): Anomaly => {
  const w = budgetWarning(16, a, counters);
  if (w === undefined) throw new Error('no budget warning for these counts');
  return w;
};
const ENDED: BudgetCounts = { budget_mb: 16, flows_ended_early: 955_171, reassembly_flows_shed: 0, fragments_dropped: 0, dns_names_evicted: 0, dns_queries_unanswered_early: 0 };

function cap(label: string, vendor: string, flows: StoredFlow[], over: { truncated?: boolean; warnings?: Anomaly[]; budget?: BudgetCounts } = {}): ModelCapture {
  const c: ModelCapture = {
    label, vendors: [vendor], synthesized: false, flows, warnings: over.warnings,
    stored: { id: 1, sha256: label.padEnd(64, '0'), path: label, size_bytes: 30_000, packets: 20, link_types: [1], truncated: over.truncated ?? false },
  };
  if (over.budget !== undefined) c.budget = over.budget;
  return c;
}

const named = (): StoredFlow[] => [{ ...buildFlow(1, { bytes_up: 50_000 }), ...sg }];
/** Mostly unnamed upload (a record begun after its flow was ended early): first-party claims cannot see it. */
const mostlyUnnamed = (): StoredFlow[] => [
  { ...buildFlow(1, { bytes_up: 20_000 }), ...sg },
  { ...buildFlow(2, { bytes_up: 80_000, sni: undefined, hostname: undefined, name_source: undefined }), ...sg },
];
const flowsB = (): StoredFlow[] => [{ ...buildFlow(3, { bytes_up: 50_000, sni: 'x.other.com', hostname: 'x.other.com' }), ...sg }];

function build(caps: ModelCapture[]) {
  return buildReportModel({
    claims: parseClaims(CLAIMS, 'claims.yaml', '/c/claims.yaml'), claimsLabel: 'claims.yaml', captures: caps, provenance: [],
    toolVersion: '1', formats: ['json'], generatedAt: 'x',
  });
}

describe('budget counts and read status', () => {
  it('reads the counts from the summary and the budget from the warning; nothing without the warning', () => {
    const w = budget({ flow_table_full: 955_171, tcp_reassembly_budget_exceeded: 3, dns_cache_evicted: 40 }, { frag_evicted: 2 });
    expect(budgetCounts([w], { flow_table_full: 955_171, tcp_reassembly_budget_exceeded: 3, dns_cache_evicted: 40 }, { frag_evicted: 2 })).toEqual({
      budget_mb: 16, flows_ended_early: 955_171, reassembly_flows_shed: 3, fragments_dropped: 2, dns_names_evicted: 40, dns_queries_unanswered_early: 0,
    });
    expect(budgetCounts([cut], { flow_table_full: 5 })).toBeUndefined();
  });

  it('is not damage: a capture whose only warning is the budget\'s reads ok, and a truncation is still located at the reader\'s warning', () => {
    const w = budget({ flow_table_full: 10 });
    expect(readStatus(false, [w])).toBe('ok');
    expect(readProblem('a.pcap', ['A'], false, [w])).toBeUndefined();
    expect(reportWarnings([w])).toEqual({});
    // The budget's warning comes last in a summary: the truncation is still the reader's last warning.
    expect(readProblem('a.pcap', ['A'], true, [cut, w])).toMatchObject({ status: 'truncated', code: 'pcap_truncated_record', offset: 29_986, warnings: 1 });
  });
});

describe('buildReportModel with a capture the budget touched', () => {
  it('keeps the capture ok, lists the effect with its counts, and keeps decided verdicts complete with the reason first', () => {
    const { model } = build([cap('a.pcap', 'A', named(), { warnings: [budget({ flow_table_full: 955_171 })], budget: ENDED }), cap('b.pcap', 'B', flowsB())]);
    expect(model.inputs.map((i) => [i.path, i.status])).toEqual([['a.pcap', 'ok'], ['b.pcap', 'ok']]);
    expect(model.inputs[0].memory_budget).toEqual(ENDED);
    expect(model.inputs[0].warnings).toBeUndefined();
    expect(model.problems).toEqual([]);
    expect(model.budget_effects).toHaveLength(1);
    expect(model.budget_effects?.[0]).toMatchObject({ capture: 'a.pcap', status: 'budget_limited', vendors: ['A'], code: 'memory_budget_reached', flows_ended_early: 955_171 });
    expect(model.budget_effects?.[0].message).toMatch(/^955,171 flows ended early by the memory budget \(16 MiB\); their later packets were counted as new flows; names carried only by first packets/);
    expect(model.budget_effects?.[0].message).toContain('RESIDENCY_MEMORY_BUDGET_MB');
    const [a, b] = model.vendors;
    for (const c of a.claims) {
      expect(c).toMatchObject({ verdict: 'confirmed', evidence_complete: true });
      expect(c.reasons.map((r) => r.code)).toEqual(['capture_budget_limited', 'coverage_met']);
      expect(c.reasons[0].text).toMatch(/not damage.*955,171 flows ended early.*The confirmation stands: every byte was counted/);
      expect(c.reasons[0].captures).toEqual(['a.pcap']);
    }
    expect(b.claims[0].reasons.map((r) => r.code)).toEqual(['coverage_met']);
    // Summary and stderr: a budget section, no "EVIDENCE INCOMPLETE", no "[evidence incomplete]" mark.
    const text = summaryText(model);
    expect(text).toContain('MEMORY BUDGET REACHED: 1 capture(s), read to the end (not damaged)');
    expect(text).not.toContain('EVIDENCE INCOMPLETE');
    expect(text).not.toContain('[evidence incomplete]');
    expect(text).not.toMatch(/damaged parts were not seen/);
    expect(problemLines(model)).toEqual([expect.stringMatching(/^residency: warning: a\.pcap: budget_limited: 955,171 flows ended early .* \[memory_budget_reached\]$/)]);
    expect(renderMarkdown(model)).toContain('## Memory budget reached (not damage)');
  });

  it('says nothing about the budget when it dropped nothing', () => {
    const { model } = build([cap('a.pcap', 'A', named()), cap('b.pcap', 'B', flowsB())]);
    expect(model.budget_effects).toBeUndefined();
    expect(model.inputs.every((i) => i.memory_budget === undefined)).toBe(true);
    expect(model.vendors.flatMap((v) => v.claims).flatMap((c) => c.reasons).some((r) => r.code === 'capture_budget_limited')).toBe(false);
  });

  it('marks the evidence incomplete only where upload without names weighs in an undecided verdict', () => {
    const { model } = build([cap('a.pcap', 'A', mostlyUnnamed(), { warnings: [budget({ flow_table_full: 7 })], budget: { ...ENDED, flows_ended_early: 7 } }), cap('b.pcap', 'B', flowsB())]);
    const [fp, all] = model.vendors[0].claims;
    // First-party: 80 % of the upload has no name, so the claim is unobservable; a larger budget may name it.
    expect(fp).toMatchObject({ verdict: 'unobservable', evidence_complete: false });
    expect(fp.reasons.map((r) => r.code)).toContain('names_missing');
    expect(fp.reasons[0]).toMatchObject({ code: 'capture_budget_limited' });
    expect(fp.reasons[0].text).toMatch(/Upload without names weighs in this undecided verdict \(names_missing\)/);
    // Every flow, named or not: the bytes are complete and decide.
    expect(all).toMatchObject({ verdict: 'confirmed', evidence_complete: true });
    expect(summaryText(model)).toMatch(/UNOBSERVABLE\s+a-fp: Stored in Singapore {2}\[evidence incomplete\]/);
  });

  it('keeps an undecided verdict complete when the budget lost no names (only DNS transactions written early)', () => {
    const dnsOnly: BudgetCounts = { ...ENDED, flows_ended_early: 0, dns_queries_unanswered_early: 12 };
    const { model } = build([cap('a.pcap', 'A', mostlyUnnamed(), { warnings: [budget({ dns_pending_cap_reached: 12 })], budget: dnsOnly }), cap('b.pcap', 'B', flowsB())]);
    expect(model.vendors[0].claims[0]).toMatchObject({ verdict: 'unobservable', evidence_complete: true });
    expect(model.vendors[0].claims[0].reasons[0].text).toMatch(/12 DNS queries were written unanswered early/);
  });

  it('touches only unobservable and inconclusive verdicts that weigh unnamed upload', () => {
    const eff = [{ ...ENDED, capture: 'a.pcap', status: 'budget_limited' as const, vendors: ['A'], code: 'memory_budget_reached' as const, message: 'm' }];
    const nm = [{ code: 'names_missing', text: 't' }];
    expect(budgetTouchesVerdict('unobservable', eff, nm)).toBe(true);
    expect(budgetTouchesVerdict('inconclusive', eff, nm)).toBe(true);
    expect(budgetTouchesVerdict('confirmed', eff, nm)).toBe(false);
    expect(budgetTouchesVerdict('refuted', eff, nm)).toBe(false);
    expect(budgetTouchesVerdict('inconclusive', eff, [{ code: 'coverage_below_threshold', text: 't' }])).toBe(false);
    expect(budgetTouchesVerdict('inconclusive', [], nm)).toBe(false);
  });
});
