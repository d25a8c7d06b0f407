// Opens a case store by how users name it: a SQLite file (the embedded default, `:memory:` for a throwaway one)
// or a PostgreSQL URL. Both give a migrated CaseStore (store.ts); the rest of the program never asks which.

import { UsageError } from '../errors.js';
import { openStore } from './db.js';
import { isPostgresLocation, type CaseStore } from './store.js';

export async function openCaseStore(location: string): Promise<CaseStore> {
  if (isPostgresLocation(location)) {
    throw new UsageError('store_postgres_unsupported', 'a PostgreSQL case store is not available in this build; give a SQLite file');
  }
  return openStore(location);
}
