// The one-screen summary `residency audit` prints: the capture problems (missing, truncated, damaged), then per
// vendor a coverage line and per claim its verdict (marked when the evidence is incomplete), upload split, capture
// reasons and top reason; then the report files. Also the stderr lines naming each capture problem. Names from the
// claims file and capture paths are printed with control characters escaped.

import { visible } from './escape.js';
import { bytes } from './number-format.js';
import { COVERAGE_SOURCES } from '../audit/coverage.js';
import { INPUT_REASON_CODES } from '../audit/input-problems.js';
import type { FlowCoverage, InputProblem, ReportModel } from '../audit/report-model.js';

/** Control, bidi-reordering and invisible characters written visibly (`\x1b`, `\u202e`): names and capture
 *  paths may come from anywhere. */
function safe(s: string): string {
  return visible(s);
}

function share(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '-';
}

/** `coverage of 22.6 kB non-local upload: tls_sni 80.1%, dns 15.0%, unnamed 4.9%` (sources with bytes only). */
export function coverageLine(c: FlowCoverage): string {
  const parts = COVERAGE_SOURCES.filter((s) => c.sources[s].bytes_up > 0).map((s) => `${s} ${c.sources[s].share.toFixed(1)}%`);
  return `coverage of ${bytes(c.bytes_up)} non-local upload: ${parts.length > 0 ? parts.join(', ') : 'none'}`;
}

function where(p: InputProblem): string {
  return p.offset !== undefined ? ` at byte ${p.offset}` : '';
}

/** One stderr line per capture problem: `residency: warning: a.pcap: truncated at byte 29986: ... [pcap_truncated_record]`;
 *  then one per capture the memory budget touched: `residency: warning: a.pcap: budget_limited: ... [memory_budget_reached]`. */
export function problemLines(model: ReportModel): string[] {
  return [
    ...model.problems.map((p) => `residency: warning: ${safe(p.capture)}: ${p.status}${where(p)}: ${safe(p.message)} [${safe(p.code)}]`),
    ...(model.budget_effects ?? []).map((b) => `residency: warning: ${safe(b.capture)}: ${b.status}: ${safe(b.message)} [${b.code}]`),
    // A geolocation file that answered nothing or less than asked (geo_sources[].problem): the places rest on the others.
    ...model.geo_sources.flatMap((g) => (g.problem === undefined ? [] : [`residency: warning: geo data ${safe(g.file)}: ${safe(g.problem)}`])),
  ];
}

/** Summary lines (no trailing newline on the last). */
export function summaryText(model: ReportModel, files: string[] = []): string {
  const lines: string[] = [];
  const s = model.summary;
  lines.push(
    `residency audit: ${s.confirmed} confirmed, ${s.refuted} refuted, ${s.inconclusive} inconclusive, ${s.unobservable} unobservable` +
      ` (${model.inputs.length} capture${model.inputs.length === 1 ? '' : 's'})`,
  );
  if (model.problems.length > 0) {
    const n = (s: string): number => model.problems.filter((p) => p.status === s).length;
    lines.push('');
    const counts = ['missing', 'truncated', 'damaged'].filter((s) => n(s) > 0).map((s) => `${n(s)} ${s}`);
    lines.push(`EVIDENCE INCOMPLETE: ${counts.join(', ')} capture(s); the verdicts they touch say so`);
    for (const p of model.problems) {
      lines.push(`  ${p.status.toUpperCase().padEnd(10)} ${safe(p.capture)}${where(p)}: ${safe(p.message)} [${safe(p.code)}] (${p.vendors.map(safe).join(', ')})`);
    }
  }
  const budget = model.budget_effects ?? [];
  if (budget.length > 0) {
    lines.push('');
    lines.push(`MEMORY BUDGET REACHED: ${budget.length} capture(s), read to the end (not damaged); every byte was counted, some names may be missing; the verdicts say whether that matters`);
    for (const b of budget) lines.push(`  ${'BUDGET'.padEnd(10)} ${safe(b.capture)}: ${safe(b.message)} [${b.code}] (${b.vendors.map(safe).join(', ')})`);
  }
  for (const v of model.vendors) {
    lines.push('');
    lines.push(`${safe(v.name)}  (${v.totals.flows} flows, ${bytes(v.totals.bytes_up)} up, ${v.devices.length} device${v.devices.length === 1 ? '' : 's'})`);
    lines.push(`  ${coverageLine(v.coverage)}`);
    for (const c of v.claims) {
      const t = c.totals;
      const up = t.in_scope.bytes_up;
      lines.push(
        `  ${c.verdict.toUpperCase().padEnd(12)} ${safe(c.id)}: ${safe(c.text)}${c.evidence_complete ? '' : '  [evidence incomplete]'}`,
      );
      lines.push(
        `               ${bytes(up)} in scope: ${share(t.consistent.bytes_up, up)} consistent, ${share(t.inconsistent.bytes_up, up)} inconsistent, ` +
          `${share(t.unknown.bytes_up, up)} unknown${t.hidden.flows > 0 ? `; ${bytes(t.hidden.bytes_up)} with hidden names` : ''}`,
      );
      const capture = c.reasons.filter((x) => (INPUT_REASON_CODES as readonly string[]).includes(x.code));
      for (const x of capture) lines.push(`               ${x.code}: ${safe(x.text)}`);
      const r = c.reasons.find((x) => !capture.includes(x));
      if (r) lines.push(`               ${r.code}: ${safe(r.text)}`);
    }
  }
  if (files.length > 0) {
    lines.push('');
    lines.push(`reports: ${files.map(safe).join(', ')}`);
  }
  return lines.join('\n');
}
