// Report honesty about the inputs: which listed captures are missing from the evidence, truncated (reading
// stopped before the end of the file) or damaged (the reader skipped damage and read on), and what that does to
// the verdicts of the vendors listing them. Pure: run.ts finds the missing captures and the stored read warnings,
// model-builder.ts calls these functions. The rules are in src/audit/VERDICTS.md ("Incomplete evidence"):
//   capture_missing   - a listed capture was not seen at all: a confirmed claim becomes inconclusive (what was
//                       not seen may refute it); refuted, unobservable and inconclusive stand.
//   capture_truncated - the verdict stands (every byte counted was really sent) but carries the reason, naming
//                       the file and the byte offset where reading stopped, and the claim is marked incomplete.
//   capture_damaged   - the same, naming the first damaged offset and the number of warnings.

import { REPORT_CAPTURES_NAMED_PER_REASON, REPORT_MAX_INPUT_WARNINGS } from '../limits.js';
import type { Anomaly, Verdict } from '../types.js';
import type { InputProblem, InputStatus, InputWarning, Reason } from './report-model.js';

/** Reason codes this module adds to verdicts, in the order they are listed (before the engine's own reasons). */
export const INPUT_REASON_CODES = ['capture_missing', 'capture_truncated', 'capture_damaged'] as const;
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
  return warnings.length > 0 ? 'damaged' : 'ok';
}

/** The warnings kept in the report for one input (capped, with how many were left out). */
export function reportWarnings(warnings: readonly Anomaly[]): { warnings?: InputWarning[]; warnings_omitted?: number } {
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
export function readProblem(capture: string, vendors: readonly string[], truncated: boolean, warnings: readonly Anomaly[]): InputProblem | undefined {
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

function named(list: readonly InputProblem[], one: (p: InputProblem) => string): string {
  const shown = list.slice(0, REPORT_CAPTURES_NAMED_PER_REASON).map(one);
  if (list.length > shown.length) shown.push(`and ${list.length - shown.length} more`);
  return shown.join('; ');
}

/** What one vendor's input problems do to one claim's verdict: the verdict to report, and reasons to put first. */
export function applyInputProblems(verdict: Verdict, problems: readonly InputProblem[]): { verdict: Verdict; reasons: Reason[]; complete: boolean } {
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
  return { verdict: out, reasons, complete: problems.length === 0 };
}
