// Opens a case store by how users name it: a SQLite file (the embedded default, `:memory:` for a throwaway one)
// or a PostgreSQL URL. Both give a migrated CaseStore (store.ts); the rest of the program never asks which.

import { openStore } from './db.js';
import { PostgresStore } from './postgres.js';
import { isPostgresLocation, type CaseStore } from './store.js';

export async function openCaseStore(location: string): Promise<CaseStore> {
  if (isPostgresLocation(location)) return PostgresStore.open(location);
  return openStore(location);
}
