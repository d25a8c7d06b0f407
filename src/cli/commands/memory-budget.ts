// The `--memory-budget MB` option shared by the capture commands (src/limits.ts, "memory budget").

import { Option } from 'commander';
import { MEMORY_BUDGET_DEFAULT_MB, MEMORY_BUDGET_ENV } from '../../limits.js';
import { parseMemoryBudget } from '../../memory-budget.js';

export function memoryBudgetOption(): Option {
  return new Option(
    '--memory-budget <MB>',
    `memory for state that grows with traffic (live flows, reassembly, DNS cache, held records), in MiB ` +
      `(default ${MEMORY_BUDGET_DEFAULT_MB}, or $${MEMORY_BUDGET_ENV})`,
  ).argParser((v: string) => parseMemoryBudget(v, '--memory-budget'));
}
