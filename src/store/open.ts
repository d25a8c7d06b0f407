// Opens a case store by how users name it: a SQLite file (the embedded default, `:memory:` for a throwaway one)
// or a PostgreSQL URL. Both give a migrated CaseStore (store.ts); the rest of the program never asks which.

import { openStore } from './db.js';
import { PostgresStore } from './postgres.js';
import { isPostgresLocation, type CaseStore } from './store.js';

/** `budgetMb`: the memory budget SQLite's caches come from (absent: RESIDENCY_MEMORY_BUDGET_MB or the default). */
export async function openCaseStore(location: string, budgetMb?: number): Promise<CaseStore> {
  if (isPostgresLocation(location)) return PostgresStore.open(location);
  return budgetMb === undefined ? openStore(location) : openStore(location, budgetMb);
}
