// The SQLite case store (better-sqlite3), the embedded implementation of CaseStore (store.ts): WAL journal, foreign keys on, schema migrated to the current
// `user_version` in one transaction. Opening a store written by a newer residency is refused.
//
// Faults end as StoreError with a stable code naming the cause (storeError()): a full disk, a read-only file or
// folder, another process writing for longer than STORE_BUSY_TIMEOUT_MS, I/O errors, a file that is no store.
// Several processes may open one store at once: statements wait for each other's write transactions, and the
// migration reads the schema version again under the write lock (another process may have migrated meanwhile).
// A new store is migrated before the switch to WAL, so its schema lives in the main file: a first ingest that
// fails (disk full) rolls back to a WAL without committed frames, which closing removes with its -shm file.

import Database from 'better-sqlite3';
import { accessSync, constants as fsc, existsSync, rmSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InternalError, StoreError, UsageError } from '../errors.js';
import { STORE_BUSY_TIMEOUT_MS, STORE_MIN_FREE_BYTES } from '../limits.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import type { CaseStore, SqlSession, SqlValue, TransactionOptions } from './store.js';

type Db = Database.Database;

/**
 * CaseStore over one better-sqlite3 connection. better-sqlite3 is synchronous: each call runs at once and returns
 * a settled promise, so callers that do not await (ingest's batched inserts) still write in call order.
 */
export class SqliteStore implements CaseStore {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  /** The better-sqlite3 connection (SQLite-only callers: tests, pragmas). */
  readonly db: Db;
  /** Prepared statements by SQL text (the store's SQL is a fixed set of strings). */
  private readonly statements = new Map<string, Database.Statement>();
  private iterating = false;

  constructor(db: Db, location: string) {
    this.db = db;
    this.location = location;
  }

  private stmt(sql: string): Database.Statement {
    if (this.iterating) throw new InternalError('case store: a statement ran while an iteration was open on the same session');
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  error(e: unknown): unknown {
    return storeError(e, this.location);
  }

  private wrap<T>(f: () => T): Promise<T> {
    try {
      return Promise.resolve(f());
    } catch (e) {
      return Promise.reject(this.error(e));
    }
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.wrap(() => this.stmt(sql).run(...params).changes);
  }

  get<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.wrap(() => this.stmt(sql).get(...params) as T | undefined);
  }

  all<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.wrap(() => this.stmt(sql).all(...params) as T[]);
  }

  async *iterate<T extends object>(sql: string, params: readonly SqlValue[] = []): AsyncIterableIterator<T> {
    let it: IterableIterator<unknown>;
    try {
      it = this.stmt(sql).iterate(...params);
    } catch (e) {
      throw this.error(e);
    }
    this.iterating = true;
    try {
      for (;;) {
        let r: IteratorResult<unknown>;
        try {
          r = it.next();
        } catch (e) {
          throw this.error(e);
        }
        if (r.done === true) return;
        yield r.value as T;
      }
    } finally {
      this.iterating = false;
      it.return?.();
    }
  }

  insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], opts: { ignoreConflicts?: boolean } = {}): Promise<void> {
    return this.wrap(() => {
      if (rows.length === 0) return;
      const s = this.stmt(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${opts.ignoreConflicts === true ? ' ON CONFLICT DO NOTHING' : ''}`,
      );
      for (const r of rows) s.run(...r);
    });
  }

  schemaVersion(): Promise<number> {
    return this.wrap(() => schemaVersion(this.db));
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    if (this.db.inTransaction) throw new InternalError('case store: nested transaction');
    try {
      checkFreeSpace(this.location);
      beginImmediate(this.db, opts);
    } catch (e) {
      throw this.error(e);
    }
    try {
      const out = await fn(this);
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // SQLite rolls back by itself when the rollback statement fails (an I/O error): the first error says why.
      }
      throw this.error(e);
    }
  }

  async session<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    return fn(this);
  }

  close(): Promise<void> {
    this.statements.clear();
    return this.wrap(() => void this.db.close());
  }
}

/** BEGIN IMMEDIATE: at once when the store is free, else after telling onWait and waiting (STORE_BUSY_TIMEOUT_MS). */
function beginImmediate(db: Db, opts: TransactionOptions): void {
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    return;
  } catch (e) {
    if (!String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw e;
  } finally {
    db.pragma(`busy_timeout = ${STORE_BUSY_TIMEOUT_MS}`);
  }
  opts.onWait?.();
  db.exec('BEGIN IMMEDIATE');
}

/** Opens (creating if needed) and migrates a SQLite store. `:memory:` works for tests. */
export function openStore(file: string): SqliteStore {
  const isNew = file !== ':memory:' && !existsSync(file);
  checkFreeSpace(file);
  let db: Db;
  try {
    db = new Database(file);
  } catch (e) {
    throw storeError(e, file, 'store_unopenable', 'cannot open the case store');
  }
  try {
    // First: the journal switch and the migration wait for other processes too.
    db.pragma(`busy_timeout = ${STORE_BUSY_TIMEOUT_MS}`);
    migrate(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    // TEMP tables (the audit's groups, attribution and judgements: audit/aggregate.ts) live on disk, not in memory.
    db.pragma('temp_store = FILE');
  } catch (e) {
    db.close();
    if (isNew) removeIfEmpty(file);
    if (e instanceof UsageError) throw e;
    throw storeError(e, file, 'store_unopenable', 'not a residency case store');
  }
  return new SqliteStore(db, file);
}

function migrate(db: Db, file: string): void {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) throw tooNew(file, version);
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Under the write lock: another process may have migrated while this one waited.
    const now = schemaVersion(db);
    if (now > SCHEMA_VERSION) throw tooNew(file, now);
    for (let v = now; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function tooNew(file: string, version: number): UsageError {
  return new UsageError('store_too_new', `${file}: schema version ${version} is newer than this residency supports (${SCHEMA_VERSION})`);
}

/** Current schema version of an open store. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** True when the store file or its folder (where SQLite makes its -wal and -shm files) cannot be written. */
function readOnly(file: string): boolean {
  for (const p of [file, path.dirname(path.resolve(file))]) {
    try {
      if (existsSync(p)) accessSync(p, fsc.W_OK);
    } catch {
      return true;
    }
  }
  return false;
}

/** Refuses (store_full) when the store's folder has less than STORE_MIN_FREE_BYTES free, before SQLite makes files. */
export function checkFreeSpace(file: string): void {
  if (file === ':memory:' || file === '') return;
  let free: number;
  try {
    const st = statfsSync(path.dirname(path.resolve(file)));
    free = st.bavail * st.bsize;
  } catch {
    return; // no such folder: opening says so
  }
  if (free < STORE_MIN_FREE_BYTES) {
    throw new StoreError('store_full', file, `the disk is full (${free} bytes free in its folder; the store needs at least ${STORE_MIN_FREE_BYTES})`);
  }
}

/**
 * A SQLite or file-system error as a StoreError naming the store and the cause; anything else is returned as it
 * is. `fallbackCode`/`what` describe errors without a recognised cause.
 */
export function storeError(e: unknown, file: string, fallbackCode = 'store_io_error', what = 'the case store failed'): unknown {
  if (e instanceof StoreError || e instanceof UsageError) return e;
  const err = e as { code?: unknown; message?: unknown };
  if (typeof err?.code !== 'string' || typeof err.message !== 'string') return e;
  const code = err.code;
  const msg = err.message;
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE' || code === 'ENOSPC' || code === 'EDQUOT') return new StoreError('store_full', file, `the disk is full (${msg})`);
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || (code.startsWith('SQLITE_CANTOPEN') && readOnly(file))) {
    return new StoreError('store_readonly', file, `the store or its folder is read-only (${msg})`);
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('store_busy', file, `another process kept the store locked for more than ${STORE_BUSY_TIMEOUT_MS / 1000} s (${msg})`);
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return new StoreError('store_damaged', file, `not a case store, or damaged (${msg})`);
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return new StoreError('store_io_error', file, `I/O error (${msg})`);
  if (code.startsWith('SQLITE_CANTOPEN')) return new StoreError('store_unopenable', file, `cannot open the case store (${msg})`);
  if (code.startsWith('SQLITE_')) return new StoreError(fallbackCode, file, `${what}: ${msg}`);
  return e;
}

/** A store this process created but could not set up (a full disk, a read-only folder): removed while still empty,
 *  so a failed open leaves no file (a process that created the same file meanwhile has written to it). */
function removeIfEmpty(file: string): void {
  try {
    if (statSync(file).size !== 0) return;
  } catch {
    return;
  }
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}
