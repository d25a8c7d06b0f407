// Resolves the memory budget a run uses (src/limits.ts, "memory budget"): the `--memory-budget MB` option of the
// capture commands, else the RESIDENCY_MEMORY_BUDGET_MB environment variable, else MEMORY_BUDGET_DEFAULT_MB.

import { MEMORY_BUDGET_DEFAULT_MB, MEMORY_BUDGET_ENV, MEMORY_BUDGET_MAX_MB, MEMORY_BUDGET_MIN_MB } from './limits.js';
import { UsageError } from './errors.js';
import type { AnomalyCounts } from './anomalies.js';
import type { Anomaly } from './types.js';

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

/** The `memory_budget_reached` warning for a run of `budgetMb` MiB that counted these, or undefined if no part of the
 *  budget was ever full (a split run passes its shards' counts added up). */
export function budgetWarning(budgetMb: number, a: AnomalyCounts, counters: Record<string, number>): Anomaly | undefined {
  const parts: string[] = [];
  const say = (n: number | undefined, what: string) => {
    if (n !== undefined && n > 0) parts.push(`${n} ${what}`);
  };
  say(a.flow_table_full, 'flows ended early (flow_table_full)');
  say(a.tcp_reassembly_budget_exceeded, 'flows lost reassembly bytes (tcp_reassembly_budget_exceeded)');
  say(counters.frag_evicted, 'fragmented datagrams dropped (frag_evicted)');
  say(a.dns_cache_evicted, 'DNS naming cache entries evicted (dns_cache_evicted)');
  say(a.dns_pending_cap_reached, 'DNS queries reported unanswered early (dns_pending_cap_reached)');
  say(a.log_join_cap_reached, 'log rows dropped before their flow came (log_join_cap_reached)');
  say(a.log_dns_timeline_cap_reached, 'DNS answers of logs dropped (log_dns_timeline_cap_reached)');
  if (parts.length === 0) return undefined;
  return {
    code: 'memory_budget_reached',
    message: `memory budget of ${budgetMb} MiB reached: ${parts.join(', ')}; raise it with --memory-budget MB or RESIDENCY_MEMORY_BUDGET_MB`,
  };
}
