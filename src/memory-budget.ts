// Resolves the memory budget a run uses (src/limits.ts, "memory budget"): the `--memory-budget MB` option of the
// capture commands, else the RESIDENCY_MEMORY_BUDGET_MB environment variable, else MEMORY_BUDGET_DEFAULT_MB.

import { MEMORY_BUDGET_DEFAULT_MB, MEMORY_BUDGET_ENV, MEMORY_BUDGET_MAX_MB, MEMORY_BUDGET_MIN_MB } from './limits.js';
import { UsageError } from './errors.js';

/** Parses a budget in MiB (a whole number within [MEMORY_BUDGET_MIN_MB, MEMORY_BUDGET_MAX_MB]); `what` names the
 *  option or variable in the error. */
export function parseMemoryBudget(text: string, what: string): number {
  const t = text.trim();
  const n = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < MEMORY_BUDGET_MIN_MB || n > MEMORY_BUDGET_MAX_MB) {
    throw new UsageError(
      'bad_memory_budget',
      `${what} "${text}": expected a whole number of MiB from ${MEMORY_BUDGET_MIN_MB} to ${MEMORY_BUDGET_MAX_MB}`,
    );
  }
  return n;
}

/** The budget to use: `explicit` when given, else the environment variable, else the default. */
export function resolveMemoryBudget(explicit: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (explicit !== undefined) return explicit;
  const v = env[MEMORY_BUDGET_ENV];
  if (v === undefined || v === '') return MEMORY_BUDGET_DEFAULT_MB;
  return parseMemoryBudget(v, MEMORY_BUDGET_ENV);
}
