// Opens the SQLite case store (better-sqlite3): WAL journal, foreign keys on, schema migrated to the current
// `user_version` in one transaction. Opening a store written by a newer residency is refused.

import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

/** Opens (creating if needed) and migrates a store. `:memory:` works for tests. */
export function openStore(file: string): Db {
  let db: Db;
  try {
    db = new Database(file);
  } catch (e) {
    throw new UsageError('store_unopenable', `${file}: cannot open the case store: ${(e as Error).message}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db, file);
  } catch (e) {
    db.close();
    if (e instanceof UsageError) throw e;
    throw new UsageError('store_unopenable', `${file}: not a residency case store: ${(e as Error).message}`);
  }
  return db;
}

function migrate(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new UsageError('store_too_new', `${file}: schema version ${version} is newer than this residency supports (${SCHEMA_VERSION})`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** Current schema version of an open store. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}
