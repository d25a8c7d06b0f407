// The PostgreSQL case store: the second implementation of CaseStore (store.ts), over a `pg` connection pool, with
// the same schema and migrations as SQLite (schema.ts, translated by pg-dialect.ts). Many processes on many
// machines may use one store at once (distributed ingest, src/distributed/): the migration runs under an advisory
// lock, and a capture's transaction is idempotent by SHA-256 through the unique key on captures.sha256 (a second
// writer of the same capture waits for the first to commit, then finds it stored).
//
// Values: int8 and numeric (COUNT, SUM) come back as numbers, booleans as 0/1 (as SQLite gives them). TEXT holds
// no NUL character in PostgreSQL; names from captures may: a NUL is stored as U+E000 '0' and a U+E000 as
// U+E000 U+E000 (a private-use character, escaped so the mapping is reversible), and read back as it was.
// Equality, grouping and ordering on such text are unchanged; only SQL string functions (length, substr) would
// see the escape, and the store's SQL uses none on names.
//
// Bulk rows (insertRows) go as `COPY table (columns) FROM STDIN` in text format (pg-copy-streams), inside the
// caller's transaction like any statement: flows, DNS transactions and geo rows of an ingest, the audit's temporary
// tables. Rows that may meet an existing key (`ignoreConflicts`: COPY has no ON CONFLICT) go as one INSERT ...
// SELECT FROM unnest() of one array per column instead. Rates of both, measured side by side: docs/scale-out.md.
// Faults end as StoreError (error()): disk full, read-only server, lock or statement timeouts, lost connection.

import { hostname } from 'node:os';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { InternalError, StoreError, UsageError } from '../errors.js';
import { PG_CONNECT_TIMEOUT_MS, PG_COPY_CHUNK_CHARS, PG_CURSOR_FETCH_ROWS, PG_INSERT_BATCH_ROWS, PG_POOL_MAX, STORE_BUSY_TIMEOUT_MS } from '../limits.js';
import { pgSchemaSql } from './pg-dialect.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { numberedPlaceholders } from './sql.js';
import type { CaseStore, SqlSession, SqlValue, TransactionOptions } from './store.js';

// Type parsers of this pool only (pg's global ones stay as they are for other users, e.g. pg-boss).
const INT8 = 20;
const NUMERIC = 1700;
const BOOL = 16;
const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    if (oid === BOOL) return (v: string) => (v === 't' ? 1 : 0);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

/** Advisory lock key (pg_advisory_xact_lock) taken by the migration: 'resi' 'dncy' as two int4. */
const MIGRATION_LOCK = [0x72657369, 0x64_6e_63_79] as const;

const ESC = '\uE000';

/** A value as stored: text without NUL (module comment). */
function enc(v: SqlValue): SqlValue {
  if (typeof v !== 'string' || (v.indexOf('\0') < 0 && v.indexOf(ESC) < 0)) return v;
  return v.replaceAll(ESC, ESC + ESC).replaceAll('\0', ESC + '0');
}

function dec(v: unknown): unknown {
  if (typeof v !== 'string' || v.indexOf(ESC) < 0) return v;
  return v.replace(/\uE000([\uE0000])/g, (_m, c: string) => (c === '0' ? '\0' : ESC));
}

function decodeRow<T>(r: Record<string, unknown>): T {
  for (const k in r) {
    const v = r[k];
    if (typeof v === 'string' && v.indexOf(ESC) >= 0) r[k] = dec(v);
  }
  return r as T;
}

/** Characters COPY's text format escapes in a value (backslash, and the row and column delimiters). */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value as a field of COPY's text format: NULL as \N, text stored as enc() stores it (no NUL), with backslash,
 * tab, newline and carriage return escaped (every other character, control or not, is taken as it is); numbers as
 * JavaScript writes them, the same digits pg sends for a bound number (shortest round-trip form for a double).
 */
export function copyField(v: SqlValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  const t = enc(v) as string;
  return COPY_SPECIAL.test(t) ? t.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]) : t;
}

/** The URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** Translated SQL by source text (the store's SQL is a fixed set of strings). */
const translated = new Map<string, string>();

function pgSql(sql: string): string {
  let t = translated.get(sql);
  if (t === undefined) {
    // Temporary tables made at run time (the audit's) get the schema's translation too (types, collation).
    t = numberedPlaceholders(/^\s*CREATE\s+(TEMP|TEMPORARY)\s+TABLE/i.test(sql) ? pgSchemaSql(sql) : sql);
    if (translated.size < 10_000) translated.set(sql, t);
  }
  return t;
}

/**
 * Numbers bound as numbers: `$n` becomes `$n::bigint` (an integer value) or `$n::float8`. pg sends parameters
 * untyped and PostgreSQL infers a type from where each stands; where nothing says (a SELECT list, `? + 1` in an
 * INSERT ... SELECT) it takes text, and SQLite would have kept the number. Text and NULL stay untyped.
 */
function typedParams(text: string, params: readonly SqlValue[]): string {
  if (!params.some((p) => typeof p === 'number')) return text;
  return text.replace(/\$(\d+)\b/g, (m, n: string) => {
    const v = params[Number(n) - 1];
    if (typeof v !== 'number') return m;
    return Number.isSafeInteger(v) ? `${m}::bigint` : `${m}::float8`;
  });
}

/** One pooled connection's SqlSession. */
class PgSession implements SqlSession {
  /** Column types of tables seen by insertRows, by table name (temporary tables are per connection). */
  private readonly columnTypes = new Map<string, Map<string, string>>();
  private cursors = 0;
  private iterating = false;
  inTransaction = false;

  constructor(
    readonly client: pg.PoolClient,
    private readonly store: PostgresStore,
  ) {}

  /** The last statement sent: callers may send without awaiting (ingest's batched inserts overlap the analysis),
   *  and one connection runs one statement at a time, so each waits for the one before. */
  private tail: Promise<unknown> = Promise.resolve();

  private q(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    if (this.iterating) return Promise.reject(new InternalError('case store: a statement ran while an iteration was open on the same session'));
    const text = typedParams(pgSql(sql), params);
    const values = params.map(enc);
    const next = this.tail.then(
      () => this.client.query(text, values),
      () => this.client.query(text, values),
    );
    this.tail = next.catch(() => undefined);
    return next.catch((e: unknown) => {
      throw this.store.error(e);
    });
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.q(sql, params)).rowCount ?? 0;
  }

  async get<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    const r = await this.q(sql, params);
    return r.rows.length > 0 ? decodeRow<T>(r.rows[0] as Record<string, unknown>) : undefined;
  }

  async all<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.q(sql, params)).rows.map((r) => decodeRow<T>(r as Record<string, unknown>));
  }

  async *iterate<T extends object>(sql: string, params: readonly SqlValue[] = []): AsyncIterableIterator<T> {
    // A server-side cursor, fetched PG_CURSOR_FETCH_ROWS at a time; outside a transaction, inside one of its own.
    const own = !this.inTransaction;
    const name = `residency_cursor_${++this.cursors}`;
    if (own) await this.q('BEGIN', []);
    let open = false;
    try {
      await this.q(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
      open = true;
      for (;;) {
        const batch = await this.q(`FETCH ${PG_CURSOR_FETCH_ROWS} FROM ${name}`, []);
        if (batch.rows.length === 0) break;
        this.iterating = true;
        try {
          for (const r of batch.rows) yield decodeRow<T>(r as Record<string, unknown>);
        } finally {
          this.iterating = false;
        }
      }
    } finally {
      this.iterating = false;
      if (open) await this.q(`CLOSE ${name}`, []).catch(() => undefined);
      if (own) await this.q('COMMIT', []).catch(() => undefined);
    }
  }

  private async typesOf(table: string): Promise<Map<string, string>> {
    let t = this.columnTypes.get(table);
    if (t === undefined) {
      const r = await this.q(
        'SELECT attname, format_type(atttypid, NULL) AS type FROM pg_attribute WHERE attrelid = CAST(? AS regclass) AND attnum > 0 AND NOT attisdropped',
        [table],
      );
      t = new Map(r.rows.map((x: { attname: string; type: string }) => [x.attname, x.type]));
      this.columnTypes.set(table, t);
    }
    return t;
  }

  async insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], opts: { ignoreConflicts?: boolean } = {}): Promise<void> {
    if (rows.length === 0) return;
    if (opts.ignoreConflicts === true) return this.insertUnnest(table, columns, rows, true);
    return this.copyRows(table, columns, rows);
  }

  /** COPY table (columns) FROM STDIN, text format, sent in chunks of about PG_COPY_CHUNK_CHARS characters. */
  copyRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (this.iterating) return Promise.reject(new InternalError('case store: a statement ran while an iteration was open on the same session'));
    const sql = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
    const send = async (): Promise<void> => {
      const stream = this.client.query(copyFrom(sql));
      const done = new Promise<void>((resolve, reject) => {
        stream.on('finish', resolve);
        stream.on('error', reject);
      });
      try {
        let chunk = '';
        for (const row of rows) {
          if (row.length !== columns.length) throw new InternalError(`case store: a row of ${row.length} values for ${columns.length} columns of ${table}`);
          let line = copyField(row[0]);
          for (let j = 1; j < row.length; j++) line += '\t' + copyField(row[j]);
          chunk += line + '\n';
          if (chunk.length >= PG_COPY_CHUNK_CHARS) {
            // Wait for the socket; a server error meanwhile ends the wait (done rejects).
            if (!stream.write(chunk)) await Promise.race([new Promise<void>((r) => stream.once('drain', r)), done]);
            chunk = '';
          }
        }
        stream.end(chunk);
      } catch (e) {
        // CopyFail: the server ends the COPY with an error, and the transaction is aborted as by any failed statement.
        stream.destroy(e as Error);
      }
      await done;
    };
    const next = this.tail.then(send, send);
    this.tail = next.catch(() => undefined);
    return next.catch((e: unknown) => {
      throw this.store.error(e);
    });
  }

  /** INSERT ... SELECT FROM unnest() of one array per column, PG_INSERT_BATCH_ROWS rows per statement. */
  async insertUnnest(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], ignoreConflicts: boolean): Promise<void> {
    if (rows.length === 0) return;
    const types = await this.typesOf(table);
    const arrays = columns.map((c) => {
      const t = types.get(c);
      if (t === undefined) throw new InternalError(`case store: ${table} has no column ${c}`);
      return `CAST(? AS ${t}[])`;
    });
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')})${ignoreConflicts ? ' ON CONFLICT DO NOTHING' : ''}`;
    for (let start = 0; start < rows.length; start += PG_INSERT_BATCH_ROWS) {
      const end = Math.min(rows.length, start + PG_INSERT_BATCH_ROWS);
      const cols: SqlValue[][] = columns.map(() => new Array<SqlValue>(end - start));
      for (let i = start; i < end; i++) {
        const row = rows[i];
        for (let j = 0; j < columns.length; j++) cols[j][i - start] = enc(row[j]);
      }
      // pg sends a JS array as a PostgreSQL array literal (quoted, escaped); the CAST gives it the column's type.
      await this.q(sql, cols as unknown as SqlValue[]);
    }
  }
}

export class PostgresStore implements CaseStore {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  private readonly pool: pg.Pool;
  private closed = false;

  private constructor(url: string) {
    this.location = redactedUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: PG_POOL_MAX,
      connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      types: typeParsers,
      // Names the process in pg_stat_activity (which worker holds which transaction).
      application_name: `residency ${hostname()}:${process.pid}`,
    });
    // An idle pooled connection the server dropped: the next checkout opens a new one; nothing to report.
    this.pool.on('error', () => undefined);
  }

  /** Connects and migrates (see module comment); StoreError when the server cannot be reached or used. */
  static async open(url: string): Promise<PostgresStore> {
    const store = new PostgresStore(url);
    try {
      await store.migrate();
    } catch (e) {
      await store.pool.end().catch(() => undefined);
      throw store.error(e);
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await this.withClient(async (s) => {
      const current = await this.readVersion(s);
      if (current > SCHEMA_VERSION) throw this.tooNew(current);
      if (current === SCHEMA_VERSION) return;
      await s.run('BEGIN');
      try {
        // Under the lock: another process may have migrated while this one waited.
        await s.client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
        await s.run('CREATE TABLE IF NOT EXISTS residency_schema (version INTEGER NOT NULL)');
        const now = await this.readVersion(s);
        if (now > SCHEMA_VERSION) throw this.tooNew(now);
        for (let v = now; v < SCHEMA_VERSION; v++) await s.client.query(pgSchemaSql(MIGRATIONS[v]));
        await s.run('DELETE FROM residency_schema');
        await s.run('INSERT INTO residency_schema (version) VALUES (?)', [SCHEMA_VERSION]);
        await s.run('COMMIT');
      } catch (e) {
        await s.client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  private async readVersion(s: PgSession): Promise<number> {
    const t = await s.get<{ t: string | null }>("SELECT CAST(to_regclass('residency_schema') AS TEXT) AS t");
    if (t?.t === null || t === undefined) return 0;
    const r = await s.get<{ version: number }>('SELECT max(version) AS version FROM residency_schema');
    return r?.version ?? 0;
  }

  private tooNew(version: number): UsageError {
    return new UsageError('store_too_new', `${this.location}: schema version ${version} is newer than this residency supports (${SCHEMA_VERSION})`);
  }

  /** A pooled connection; a failure to connect is a typed store error. */
  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new InternalError('case store: used after close');
    try {
      return await this.pool.connect();
    } catch (e) {
      throw this.error(e);
    }
  }

  private async withClient<T>(fn: (s: PgSession) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken = false;
    try {
      return await fn(new PgSession(client, this));
    } catch (e) {
      broken = isConnectionError(e);
      throw e;
    } finally {
      client.release(broken);
    }
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.withClient((s) => s.run(sql, params));
  }

  get<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.withClient((s) => s.get<T>(sql, params));
  }

  all<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.withClient((s) => s.all<T>(sql, params));
  }

  async *iterate<T extends object>(sql: string, params?: readonly SqlValue[]): AsyncIterableIterator<T> {
    const client = await this.connect();
    let broken = false;
    try {
      yield* new PgSession(client, this).iterate<T>(sql, params);
    } catch (e) {
      broken = isConnectionError(e);
      throw e;
    } finally {
      // A connection that failed mid-iteration is not handed back to the pool, as in withClient.
      client.release(broken);
    }
  }

  insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], opts?: { ignoreConflicts?: boolean }): Promise<void> {
    return this.withClient((s) => s.insertRows(table, columns, rows, opts));
  }

  async schemaVersion(): Promise<number> {
    return this.withClient((s) => this.readVersion(s));
  }

  /**
   * BEGIN ... COMMIT on one pooled connection. PostgreSQL has no store-wide write lock: transactions of different
   * captures run side by side, so `onWait` (SQLite's notice of another writer) is never called. A lock held longer
   * than STORE_BUSY_TIMEOUT_MS (lock_timeout) ends as store_busy.
   */
  async transaction<T>(fn: (tx: SqlSession) => Promise<T>, _opts: TransactionOptions = {}): Promise<T> {
    return this.withClient(async (s) => {
      await s.run('BEGIN');
      s.inTransaction = true;
      await s.run(`SET LOCAL lock_timeout = ${STORE_BUSY_TIMEOUT_MS}`);
      try {
        const out = await fn(s);
        await s.run('COMMIT');
        return out;
      } catch (e) {
        await s.client.query('ROLLBACK').catch(() => undefined);
        throw this.error(e);
      } finally {
        s.inTransaction = false;
      }
    });
  }

  async session<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    return this.withClient(async (s) => {
      try {
        return await fn(s);
      } finally {
        // TEMP tables live as long as the connection; the next user of this pooled connection must not see them.
        await s.client.query('DISCARD TEMP').catch(() => undefined);
      }
    });
  }

  error(e: unknown): unknown {
    return pgStoreError(e, this.location);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code.startsWith('E'));
}

/** A `pg` or network error as a StoreError naming the store and the cause; anything else as it is. */
export function pgStoreError(e: unknown, location: string): unknown {
  if (e instanceof StoreError || e instanceof UsageError || e instanceof InternalError) return e;
  const err = e as { code?: unknown; message?: unknown };
  if (typeof err?.message !== 'string') return e;
  const msg = err.message;
  const code = typeof err.code === 'string' ? err.code : '';
  if (code === '53100') return new StoreError('store_full', location, `the server's disk is full (${msg})`);
  if (code === '25006' || code === '42501') return new StoreError('store_readonly', location, `the server refuses writes (${msg})`);
  if (code === '55P03' || code === '40P01' || code === '40001' || code === '57014' || code === '53300') {
    return new StoreError('store_busy', location, `the server is busy or another process held a lock for too long (${msg})`);
  }
  if (code.startsWith('XX')) return new StoreError('store_damaged', location, `the server reports damage (${msg})`);
  if (code === '28P01' || code === '28000' || code === '3D000' || code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /timeout exceeded when trying to connect/i.test(msg)) {
    return new StoreError('store_unopenable', location, `cannot connect to the PostgreSQL case store (${msg})`);
  }
  if (code.startsWith('08') || code.startsWith('57P') || code === 'ECONNRESET' || code === 'EPIPE' || /Connection terminated/i.test(msg)) {
    return new StoreError('store_io_error', location, `the connection to the server was lost (${msg})`);
  }
  return e;
}
