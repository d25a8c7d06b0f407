// The job queue of distributed ingest: pg-boss 10 in the case store's own PostgreSQL database (schema
// QUEUE_SCHEMA), so workers need one URL and no other service. pg-boss gives at-least-once delivery (FOR UPDATE
// SKIP LOCKED), retries and expiry; the store makes repeated delivery harmless (a capture is stored once, by
// SHA-256, in one transaction).
//
// A worker that dies mid-job: every worker holds a session advisory lock on the job it runs (JOB_LOCK_CLASS,
// hashtext(job id)) on a connection of its own with TCP keepalives. When the process dies its connection closes
// and the server drops the lock (a machine that vanishes: within the keepalive time, ~1.5 min). The coordinator,
// while it waits, finds active jobs whose lock is free (pg_try_advisory_xact_lock succeeds) past a grace period
// and fails them; pg-boss puts them back for another worker (retryLimit). The uncommitted transaction of the dead
// worker is rolled back by the server: nothing of it is stored. pg-boss's own expiry (JOB_EXPIRE_*) stays as the
// backstop for a coordinator that is not running.
//
// The coordinator reads job states in bulk from pg-boss 10's `job` and `archive` tables (one query per poll instead
// of one getJobById per job); the version is pinned in package.json.

import { hostname } from 'node:os';
import PgBoss from 'pg-boss';
import { StoreError } from '../errors.js';
import { JOB_EXPIRE_BYTES_PER_S, JOB_EXPIRE_MIN_S, JOB_LIVENESS_GRACE_S, JOB_RETRY_LIMIT } from '../limits.js';
import { redactedUrl } from '../store/postgres.js';
import { INGEST_QUEUE, QUEUE_SCHEMA, type IngestJob } from './job.js';

/** Advisory lock class of running jobs ('rjob'); the object id is hashtext(job id). */
export const JOB_LOCK_CLASS = 0x726a6f62;

/** host:pid, naming a worker or coordinator in messages. */
export const PROCESS_LABEL = `${hostname()}:${process.pid}`;

/** Opens pg-boss on the store's database and makes sure the ingest queue exists. `supervise`: run its maintenance
 *  (expiry, archiving) in this process too (workers do; any number may, pg-boss elects one per interval). */
export async function openQueue(url: string, opts: { supervise: boolean }): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    schema: QUEUE_SCHEMA,
    application_name: `residency-queue ${PROCESS_LABEL}`,
    max: 2,
    supervise: opts.supervise,
    schedule: false,
    migrate: true,
    maintenanceIntervalSeconds: 30,
  });
  // pg-boss reports background errors (maintenance) as events; a lost connection shows on the next call.
  boss.on('error', () => undefined);
  try {
    await boss.start();
    const q = await boss.getQueue(INGEST_QUEUE);
    if (q === null) {
      await boss
        .createQueue(INGEST_QUEUE, { name: INGEST_QUEUE, retryLimit: JOB_RETRY_LIMIT, retryDelay: 0, expireInSeconds: JOB_EXPIRE_MIN_S })
        .catch(async (e: unknown) => {
          // Another process created it at the same moment.
          if ((await boss.getQueue(INGEST_QUEUE)) === null) throw e;
        });
    }
  } catch (e) {
    await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
    const msg = (e as Error).message;
    throw new StoreError('store_unopenable', redactedUrl(url), `cannot open the job queue (${msg})`);
  }
  return boss;
}

/** Seconds after which pg-boss gives a job up for lost if nothing else did: generous for the capture's size. */
export function jobExpireSeconds(sizeBytes: number): number {
  return Math.min(23 * 3600, Math.ceil(JOB_EXPIRE_MIN_S + sizeBytes / JOB_EXPIRE_BYTES_PER_S));
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export interface JobStatus {
  id: string;
  state: JobState;
  output: unknown;
  retryCount: number;
}

/** States of the given jobs (queue table, then archive), by id; ids found in neither are absent. */
export async function jobStates(boss: PgBoss, ids: readonly string[]): Promise<Map<string, JobStatus>> {
  const out = new Map<string, JobStatus>();
  if (ids.length === 0) return out;
  const r = await boss.getDb().executeSql(
    `SELECT id::text AS id, state::text AS state, output, retry_count FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND id = ANY($2::uuid[])
     UNION ALL
     SELECT id::text, state::text, output, retry_count FROM ${QUEUE_SCHEMA}.archive WHERE name = $1 AND id = ANY($2::uuid[])`,
    [INGEST_QUEUE, ids],
  );
  for (const row of r.rows as { id: string; state: JobState; output: unknown; retry_count: number }[]) {
    if (!out.has(row.id)) out.set(row.id, { id: row.id, state: row.state, output: row.output, retryCount: row.retry_count });
  }
  return out;
}

/**
 * Active jobs among `ids` whose worker is gone (its advisory lock is free) after the grace period: failed with a
 * message, so pg-boss retries them elsewhere. Returns their ids.
 */
export async function reclaimLostJobs(boss: PgBoss, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  // pg_try_advisory_xact_lock: taken and released within this statement when free; a live worker holds it.
  const r = await boss.getDb().executeSql(
    `WITH running AS (
       SELECT id FROM ${QUEUE_SCHEMA}.job
       WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active' AND started_on < now() - make_interval(secs => $3)
     )
     SELECT id::text AS id FROM running WHERE pg_try_advisory_xact_lock($4, hashtext(id::text))`,
    [INGEST_QUEUE, ids, JOB_LIVENESS_GRACE_S, JOB_LOCK_CLASS],
  );
  const lost = (r.rows as { id: string }[]).map((x) => x.id);
  for (const id of lost) {
    await boss.fail(INGEST_QUEUE, id, { code: 'job_worker_lost', message: `the worker running it stopped (its database connection closed); noticed by ${PROCESS_LABEL}` });
  }
  return lost;
}

/** Enqueues jobs by their deterministic ids (job.ts jobId); one that exists already is kept as it is. */
export async function enqueue(boss: PgBoss, jobs: readonly { id: string; data: IngestJob }[]): Promise<void> {
  if (jobs.length === 0) return;
  await boss.insert(
    jobs.map((j) => ({
      id: j.id,
      name: INGEST_QUEUE,
      data: j.data,
      retryLimit: JOB_RETRY_LIMIT,
      retryDelay: 0,
      expireInSeconds: jobExpireSeconds(j.data.size_bytes),
    })),
  );
}
