// Errors that stop a run, each with a stable code, and the exit-code table the CLI uses.
// Recoverable damage is never thrown: it becomes an Anomaly (see types.ts) and a warning.

export const EXIT = {
  /** Success; for `audit`/`regress`: every claim confirmed / no drift. */
  OK: 0,
  /** Unexpected internal failure ("please report"). */
  INTERNAL: 1,
  /** Usage error or bad input (not a capture, malformed claims file, missing file). */
  BAD_INPUT: 2,
  /** `audit`: at least one claim refuted. `regress`: the answers drifted. */
  REFUTED: 3,
  /** `audit`: no claim refuted, but at least one inconclusive or unobservable. */
  INCONCLUSIVE: 4,
} as const;

/** A capture that cannot be read at all (not a capture, unsupported version, unreadable). */
export class CaptureError extends Error {
  readonly code: string;
  readonly file: string;
  readonly offset: number;
  constructor(code: string, file: string, offset: number, message: string) {
    super(`${file}: at byte ${offset}: ${message}`);
    this.name = 'CaptureError';
    this.code = code;
    this.file = file;
    this.offset = offset;
  }
}

/** Wrong command-line use or an invalid input file other than a capture (claims, config). */
export class UsageError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}

/** A bug: an invariant broke. The CLI prints it with a "please report" line. */
export class InternalError extends Error {
  readonly code = 'internal';
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}

/** The reader of standard output went away (EPIPE: `| head -1`, `| true`). The run stops reading and ends
 *  quietly, as `cat` does: no message, the exit code the command had already decided (0 when none). */
export class OutputClosedError extends Error {
  readonly code = 'output_closed';
  constructor() {
    super('standard output was closed by its reader');
    this.name = 'OutputClosedError';
  }
}

/** A file the run writes cannot be written: standard output or a report on a full disk (`ENOSPC`), a read-only
 *  case store (`EROFS`, `SQLITE_READONLY`), an I/O error. `code` is stable; `cause` names the system error. */
export class WriteError extends Error {
  readonly code: string;
  readonly file: string;
  constructor(code: string, file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'WriteError';
    this.code = code;
    this.file = file;
  }
}

/** The case store cannot be used: full disk (`store_full`), read-only file or folder (`store_readonly`), another
 *  process writing for longer than the store waits (`store_busy`), an I/O error (`store_io_error`), not a store or
 *  damaged (`store_damaged`). The message names the store file and the cause. */
export class StoreError extends Error {
  readonly code: string;
  readonly file: string;
  constructor(code: string, file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'StoreError';
    this.code = code;
    this.file = file;
  }
}
