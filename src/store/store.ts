// The case store as the rest of the program sees it: an async, dialect-neutral SQL session. SQLite (db.ts, the
// embedded default) is one implementation; a PostgreSQL one implements the same interface over the same schema
// and migrations (schema.ts). Everything above this interface (ingest.ts, records.ts, the audit's aggregates)
// writes portable SQL only (README.md in this folder lists the subset) with `?` placeholders, which an
// implementation translates in one place (sql.ts `numberedPlaceholders` for PostgreSQL).
//
// Values cross the interface as SqlValue: text, numbers (integers must fit a JS number: counts, bytes, ids) and
// NULL. Booleans are stored as integers 0/1, JSON as TEXT. An implementation returns integer columns, COUNT and
// SUM as numbers (PostgreSQL's int8/numeric parsed), never strings or bigints.

export type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

/** One connection's worth of SQL. Not safe for concurrent use: await each call before the next. */
export interface SqlSession {
  /** A statement that returns no rows (INSERT, UPDATE, DELETE, CREATE TEMP TABLE ...); the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** The first row, or undefined. */
  get<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Every row: only for results bounded by construction (a claims file's vendors, LIMIT n). */
  all<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /**
   * The rows one at a time, for results that grow with traffic. No other statement may run on this session until
   * the iteration ends (SQLite's connection is busy meanwhile); leaving the loop early closes it.
   */
  iterate<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): AsyncIterableIterator<T>;
  /** Inserts many rows into `table` (PostgreSQL may use COPY); `ignoreConflicts` skips rows whose key exists. */
  insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], opts?: { ignoreConflicts?: boolean }): Promise<void>;
}

export interface TransactionOptions {
  /** Called once when another process holds the store's write lock and this transaction starts waiting for it. */
  onWait?(): void;
}

export interface CaseStore extends SqlSession {
  readonly dialect: 'sqlite' | 'postgres';
  /** The store as users named it (a file, a URL without password): for messages. */
  readonly location: string;
  /** How many migrations (schema.ts) the store has applied. */
  schemaVersion(): Promise<number>;
  /**
   * Runs `fn` in one write transaction (SQLite: BEGIN IMMEDIATE, waiting STORE_BUSY_TIMEOUT_MS for other writers)
   * and commits, or rolls back when it throws. No nesting.
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * Runs `fn` on one connection, outside any transaction: TEMP tables created in it are seen by all of it and
   * dropped at its end (PostgreSQL: a pooled client held for the call; SQLite: the one connection).
   */
  session<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  /** A driver error as a StoreError naming the store and the cause (full, read-only, busy, damaged); else as is. */
  error(e: unknown): unknown;
  close(): Promise<void>;
}

/** True when `location` names a PostgreSQL store (`postgres://`, `postgresql://`) rather than a SQLite file. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
