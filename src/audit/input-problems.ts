// Report honesty about the inputs: which listed captures are missing from the evidence, truncated (reading
// stopped before the end of the file) or damaged (the reader skipped damage and read on), and what that does to
// the verdicts of the vendors listing them. Pure: run.ts finds the missing captures and the stored read warnings,
// model-builder.ts calls these functions. The rules are in src/audit/VERDICTS.md ("Incomplete evidence"):
//   capture_missing   - a listed capture was not seen at all: a confirmed claim becomes inconclusive (what was
//                       not seen may refute it); refuted, unobservable and inconclusive stand.
//   capture_truncated - the verdict stands (every byte counted was really sent) but carries the reason, naming
//                       the file and the byte offset where reading stopped, and the claim is marked incomplete.
//   capture_damaged   - the same, naming the first damaged offset and the number of warnings.
//   capture_budget_limited - not a read problem: the capture was read to its end and every byte counted, but the
//                       memory budget ended flows early, shed reassembly bytes or evicted DNS names, so names only
//                       first packets carried may be missing. The verdict stands; the claim is marked incomplete only
//                       when upload without names (`names_missing`) weighs in a verdict left undecided
//                       (unobservable, inconclusive): the existing coverage rules, nothing parallel.

import { REPORT_CAPTURES_NAMED_PER_REASON, REPORT_MAX_INPUT_WARNINGS } from '../limits.js';
import type { Anomaly, Verdict } from '../types.js';
import type { BudgetCounts, BudgetEffect, InputProblem, InputStatus, InputWarning, Reason } from './report-model.js';

/** Reason codes this module adds to verdicts, in the order they are listed (before the engine's own reasons). */
export const INPUT_REASON_CODES = ['capture_missing', 'capture_truncated', 'capture_damaged', 'capture_budget_limited'] as const;

/** The summary warning the memory budget adds (src/pipeline.ts): not a reader warning, not damage. */
export const BUDGET_WARNING_CODE = 'memory_budget_reached';

/** The reader's own warnings (damage, truncation): every warning but the memory budget's. */
export function readerWarnings(warnings: readonly Anomaly[]): Anomaly[] {
  return warnings.filter((w) => w.code !== BUDGET_WARNING_CODE);
}

/** The budget's counts from a capture summary's anomaly counts and counters, or undefined when its warnings carry
 *  no `memory_budget_reached` (nothing was dropped for the budget). */
export function budgetCounts(
  warnings: readonly Anomaly[],
  anomalies: Readonly<Record<string, number>> = {},
  counters: Readonly<Record<string, number>> = {},
): BudgetCounts | undefined {
  const w = warnings.find((x) => x.code === BUDGET_WARNING_CODE);
  if (w === undefined) return undefined;
  const n = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
  const out: BudgetCounts = {
    flows_ended_early: n(anomalies.flow_table_full),
    reassembly_flows_shed: n(anomalies.tcp_reassembly_budget_exceeded),
    fragments_dropped: n(counters.frag_evicted),
    dns_names_evicted: n(anomalies.dns_cache_evicted),
    dns_queries_unanswered_early: n(anomalies.dns_pending_cap_reached),
  };
  if (n(anomalies.log_join_cap_reached) > 0) out.log_rows_dropped = n(anomalies.log_join_cap_reached);
  if (n(anomalies.log_dns_timeline_cap_reached) > 0) out.log_dns_answers_dropped = n(anomalies.log_dns_timeline_cap_reached);
  const mb = /memory budget of (\d+) MiB/.exec(w.message);
  if (mb !== null) out.budget_mb = Number(mb[1]);
  return out;
}

/** True when the budget may have left flows without a name they would otherwise have had. */
export function budgetMayLoseNames(b: BudgetCounts): boolean {
  return b.flows_ended_early + b.reassembly_flows_shed + b.fragments_dropped + b.dns_names_evicted + (b.log_rows_dropped ?? 0) + (b.log_dns_answers_dropped ?? 0) > 0;
}

const grouped = (n: number): string => n.toLocaleString('en-US');

/** What the budget did to one capture, in words, with its counts and how to avoid it. */
export function budgetMessage(b: BudgetCounts): string {
  const parts: string[] = [];
  if (b.flows_ended_early > 0) {
    parts.push(
      `${grouped(b.flows_ended_early)} flows ended early by the memory budget${b.budget_mb !== undefined ? ` (${b.budget_mb} MiB)` : ''}; their later packets were counted as new flows; ` +
        'names carried only by first packets (TLS/QUIC SNI, HTTP Host) and handshake RTTs may be missing from the later records',
    );
  }
  if (b.reassembly_flows_shed > 0) parts.push(`${grouped(b.reassembly_flows_shed)} flows had reassembly bytes given up by the memory budget (a name behind a missing segment may be lost)`);
  if (b.fragments_dropped > 0) parts.push(`${grouped(b.fragments_dropped)} fragmented datagrams were given up early (counted as far as seen)`);
  if (b.dns_names_evicted > 0) parts.push(`${grouped(b.dns_names_evicted)} DNS answers were evicted from the naming cache (a later flow may lack its DNS name)`);
  if (b.log_rows_dropped !== undefined) parts.push(`${grouped(b.log_rows_dropped)} log rows (ssl, quic, http) were dropped before their flow came (those flows lack the name they gave)`);
  if (b.log_dns_answers_dropped !== undefined) parts.push(`${grouped(b.log_dns_answers_dropped)} DNS answers of the logs were dropped (a later flow may lack its DNS name)`);
  if (b.dns_queries_unanswered_early > 0) parts.push(`${grouped(b.dns_queries_unanswered_early)} DNS queries were written unanswered early (DNS transactions only)`);
  return (
    `${parts.join('; ')}. To avoid it, raise the budget: --memory-budget N (or RESIDENCY_MEMORY_BUDGET_MB=N), ` +
    'into a new case store (a stored capture is not read again)'
  );
}

/** The budget effect of a read capture, or undefined when the budget dropped nothing. */
export function budgetEffect(capture: string, vendors: readonly string[], b: BudgetCounts | undefined): BudgetEffect | undefined {
  if (b === undefined) return undefined;
  return { capture, status: 'budget_limited', vendors: [...vendors].sort(), code: BUDGET_WARNING_CODE, message: budgetMessage(b), ...b };
}
export type InputReasonCode = (typeof INPUT_REASON_CODES)[number];

/** A capture the claims file lists that is not in the evidence (found by run.ts). */
export interface MissingCapture {
  /** How reports name it (relative to the claims file), or the pattern that matched nothing. */
  label: string;
  /** Vendors listing it. */
  vendors: string[];
  /** Why it is missing, in words: `listed in the claims file but not in the case store` ... */
  reason: string;
  /** When the file exists (listed but not stored). */
  sha256?: string;
  size_bytes?: number;
}

/** How completely a stored capture was read, from its summary's `truncated` flag and warnings. */
export function readStatus(truncated: boolean, warnings: readonly Anomaly[]): Exclude<InputStatus, 'missing'> {
  if (truncated) return 'truncated';
  return readerWarnings(warnings).length > 0 ? 'damaged' : 'ok';
}

/** The warnings kept in the report for one input (capped, with how many were left out). */
export function reportWarnings(all: readonly Anomaly[]): { warnings?: InputWarning[]; warnings_omitted?: number } {
  const warnings = readerWarnings(all);
  if (warnings.length === 0) return {};
  const kept = warnings.slice(0, REPORT_MAX_INPUT_WARNINGS).map((w) => {
    const out: InputWarning = { code: w.code, message: w.message };
    if (w.offset !== undefined) out.offset = w.offset;
    return out;
  });
  return warnings.length > kept.length ? { warnings: kept, warnings_omitted: warnings.length - kept.length } : { warnings: kept };
}

/**
 * The problem of a read capture, or undefined when it read cleanly. Truncated: the LAST warning is the one that
 * stopped reading (the reader stops right after it); damaged: the first warning locates the first damage.
 */
export function readProblem(capture: string, vendors: readonly string[], truncated: boolean, all: readonly Anomaly[]): InputProblem | undefined {
  const warnings = readerWarnings(all);
  const status = readStatus(truncated, warnings);
  if (status === 'ok') return undefined;
  const w = status === 'truncated' ? warnings[warnings.length - 1] : warnings[0];
  const p: InputProblem = {
    capture,
    status,
    vendors: [...vendors].sort(),
    code: w?.code ?? 'capture_truncated',
    message: w?.message ?? 'reading stopped before the end of the file',
    warnings: warnings.length,
  };
  if (w?.offset !== undefined) p.offset = w.offset;
  return p;
}

/** The problem of a missing capture. */
export function missingProblem(m: MissingCapture): InputProblem {
  return { capture: m.label, status: 'missing', vendors: [...m.vendors].sort(), code: 'capture_missing', message: m.reason, warnings: 0 };
}

function at(p: InputProblem): string {
  return p.offset !== undefined ? ` at byte ${p.offset.toLocaleString('en-US')}` : '';
}

function named<P>(list: readonly P[], one: (p: P) => string): string {
  const shown = list.slice(0, REPORT_CAPTURES_NAMED_PER_REASON).map(one);
  if (list.length > shown.length) shown.push(`and ${list.length - shown.length} more`);
  return shown.join('; ');
}

/**
 * Whether the budget's lost names may decide this verdict: the budget may have left flows unnamed, the verdict was
 * left undecided (unobservable, inconclusive), and upload without any name (`names_missing`) weighs in it. The
 * coverage rules already count such upload against a confirmation (hidden share, coverage with hidden upload), so a
 * confirmed or refuted verdict stands as it does for any unnamed upload; an undecided one might be decided with the
 * names a larger budget keeps.
 */
export function budgetTouchesVerdict(verdict: Verdict, budget: readonly BudgetEffect[], engineReasons: readonly Reason[]): boolean {
  if (verdict !== 'unobservable' && verdict !== 'inconclusive') return false;
  if (!budget.some(budgetMayLoseNames)) return false;
  return engineReasons.some((r) => r.code === 'names_missing');
}

/** What one vendor's input problems do to one claim's verdict: the verdict to report, and reasons to put first.
 *  `budget`: the vendor's captures the memory budget touched; `engineReasons`: the engine's reasons for the claim. */
export function applyInputProblems(
  verdict: Verdict,
  problems: readonly InputProblem[],
  budget: readonly BudgetEffect[] = [],
  engineReasons: readonly Reason[] = [],
): { verdict: Verdict; reasons: Reason[]; complete: boolean } {
  const by = (s: InputProblem['status']): InputProblem[] => problems.filter((p) => p.status === s).sort((a, b) => (a.capture < b.capture ? -1 : a.capture > b.capture ? 1 : 0));
  const missing = by('missing');
  const truncated = by('truncated');
  const damaged = by('damaged');
  const reasons: Reason[] = [];
  let out = verdict;
  if (missing.length > 0) {
    const demoted = verdict === 'confirmed';
    if (demoted) out = 'inconclusive';
    reasons.push({
      code: 'capture_missing',
      text:
        `${missing.length} capture(s) the claims file lists are not in the evidence: ${named(missing, (p) => `${p.capture} (${p.message})`)}. ` +
        (demoted
          ? 'Their traffic was not seen, so the claim cannot be confirmed: the captures that were seen alone would confirm it.'
          : 'Their traffic was not seen; the verdict rests on the captures that were.'),
      captures: missing.map((p) => p.capture),
    });
  }
  if (truncated.length > 0) {
    reasons.push({
      code: 'capture_truncated',
      text:
        `Reading stopped before the end of ${truncated.length} capture(s): ${named(truncated, (p) => `${p.capture}${at(p)} (${p.code}: ${p.message})`)}. ` +
        'Traffic after that point was not seen: this verdict rests only on what came before.',
      captures: truncated.map((p) => p.capture),
    });
  }
  if (damaged.length > 0) {
    reasons.push({
      code: 'capture_damaged',
      text:
        `${damaged.length} capture(s) had damage the reader skipped: ${named(damaged, (p) => `${p.capture} (${p.warnings} warning(s), first${at(p)}: ${p.code})`)}. ` +
        'Packets in the damaged parts were not seen.',
      captures: damaged.map((p) => p.capture),
    });
  }
  let touched = false;
  if (budget.length > 0) {
    const list = [...budget].sort((a, b) => (a.capture < b.capture ? -1 : a.capture > b.capture ? 1 : 0));
    touched = budgetTouchesVerdict(verdict, list, engineReasons);
    const effect = touched
      ? 'Upload without names weighs in this undecided verdict (names_missing): with the names a larger budget keeps it may be decided, so the evidence is incomplete.'
      : verdict === 'refuted'
        ? 'The refutation stands: every byte was counted, and the upload it rests on was really sent.'
        : verdict === 'confirmed'
          ? 'The confirmation stands: every byte was counted, and upload left without a name already counts against the coverage threshold, as any unnamed upload does.'
          : 'The verdict stands: every byte was counted, and no upload without a name weighs in it.';
    reasons.push({
      code: 'capture_budget_limited',
      text: `The memory budget was full while ${list.length} capture(s) were analysed (not damage: they were read to the end): ${named(list, (p) => `${p.capture}: ${p.message}`)}. ${effect}`,
      captures: list.map((p) => p.capture),
    });
  }
  return { verdict: out, reasons, complete: problems.length === 0 && !touched };
}
