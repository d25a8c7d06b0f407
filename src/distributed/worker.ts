// `residency worker`: takes ingest jobs from the queue in the PostgreSQL case store and stores each capture (one
// transaction, idempotent by SHA-256), until stopped (SIGINT/SIGTERM: the job in hand is finished first) or idle
// for `idleExitSeconds`. Before a job it checks the job is one it may do: the payload format, the residency
// version, the geolocation data (a worker with other data refuses: its answers would differ from the coordinator's)
// and the capture's SHA-256 on this machine's view of the shared storage. A refusal fails the job with a message
// naming the difference; pg-boss gives it to another worker (JOB_RETRY_LIMIT) and the coordinator reports it if
// no worker could do it. While it runs a job the worker holds the job's advisory lock (queue.ts), so a coordinator
// notices at once when this process dies.

import pg from 'pg';
import { CaptureError } from '../errors.js';
import { logIdentity } from '../input.js';
import { JOB_LOCK_KEEPALIVE_S, JOB_POLL_MS } from '../limits.js';
import { ingestGeo, openIngestLocator } from '../pipeline/back-half.js';
import { ingestCapture, sha256File, type IngestGeo } from '../store/ingest.js';
import { PostgresStore } from '../store/postgres.js';
import { TOOL_VERSION } from '../version.js';
import { badPayload, geoDataDifferences, INGEST_QUEUE, localGeoDataVersions, type GeoDataVersion, type IngestJob, type IngestJobOutput } from './job.js';
import { JOB_LOCK_CLASS, openQueue, PROCESS_LABEL } from './queue.js';

export interface WorkerOptions {
  /** PostgreSQL URL of the case store (and queue). */
  url: string;
  geoDir?: string;
  /** Exit after the queue has had nothing for this long (default: run until stopped). */
  idleExitSeconds?: number;
  /** One line per event (job taken, done, refused); the CLI writes them to stderr. */
  log(line: string): void;
  /** Resolves when the worker should stop after the job in hand (SIGTERM). */
  stop?: Promise<void>;
}

export interface WorkerSummary {
  done: number;
  refused: number;
  failed: number;
}

/** A refusal or failure of a job, with a stable code. */
class JobRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs one worker process (see module comment). */
export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const geo = await localGeoDataVersions(opts.geoDir);
  // Geolocation at ingest exactly as a local audit does it (a locator without vantage, files opened as needed, so
  // the provenance stored with each capture is the same).
  const ingestWith = ingestGeo(await openIngestLocator(opts.geoDir));
  const store = await PostgresStore.open(opts.url);
  const boss = await openQueue(opts.url, { supervise: true });
  // The connection holding the lock of the job in hand, with keepalives so the server notices a vanished machine.
  const lockConn = new pg.Client({ connectionString: opts.url, application_name: `residency-worker ${PROCESS_LABEL}`, keepAlive: true });
  await lockConn.connect();
  await lockConn.query(
    `SET tcp_keepalives_idle = ${JOB_LOCK_KEEPALIVE_S}; SET tcp_keepalives_interval = ${Math.max(1, Math.floor(JOB_LOCK_KEEPALIVE_S / 3))}; SET tcp_keepalives_count = 3`,
  );
  let stopping = false;
  void opts.stop?.then(() => {
    stopping = true;
  });
  const summary: WorkerSummary = { done: 0, refused: 0, failed: 0 };
  opts.log(`worker ${PROCESS_LABEL}: taking jobs from ${store.location}`);
  let idleSince = Date.now();
  try {
    while (!stopping) {
      const [job] = await boss.fetch<IngestJob>(INGEST_QUEUE, { batchSize: 1 });
      if (job === undefined) {
        if (opts.idleExitSeconds !== undefined && Date.now() - idleSince >= opts.idleExitSeconds * 1000) break;
        await Promise.race([sleep(JOB_POLL_MS), opts.stop ?? new Promise<void>(() => undefined)]);
        continue;
      }
      await lockConn.query('SELECT pg_advisory_lock($1, hashtext($2))', [JOB_LOCK_CLASS, job.id]);
      try {
        const out = await runJob(store, job.data, geo, ingestWith, opts);
        await boss.complete(INGEST_QUEUE, job.id, out as unknown as object);
        summary.done++;
      } catch (e) {
        const refused = e instanceof JobRefused;
        const code = refused ? e.code : ((e as { code?: unknown }).code ?? 'worker_error');
        const message = `${PROCESS_LABEL}: ${(e as Error).message}`;
        opts.log(`worker ${PROCESS_LABEL}: ${refused ? 'refused' : 'failed'} ${jobLabel(job.data)}: ${(e as Error).message}`);
        await boss.fail(INGEST_QUEUE, job.id, { code: String(code), message });
        if (refused) summary.refused++;
        else summary.failed++;
      } finally {
        await lockConn.query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_CLASS, job.id]);
      }
      idleSince = Date.now();
    }
  } finally {
    await lockConn.end().catch(() => undefined);
    await boss.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
    await store.close();
  }
  opts.log(`worker ${PROCESS_LABEL}: stopped after ${summary.done} jobs (${summary.refused} refused, ${summary.failed} failed)`);
  return summary;
}

function jobLabel(j: IngestJob | undefined): string {
  return typeof j?.path === 'string' ? j.path : '(no path)';
}

/** Checks and runs one job; throws JobRefused when this worker must not do it. */
async function runJob(store: PostgresStore, job: IngestJob, geo: GeoDataVersion[], ingestWith: IngestGeo, opts: WorkerOptions): Promise<IngestJobOutput> {
  const bad = badPayload(job);
  if (bad !== undefined) throw new JobRefused('job_malformed', bad);
  if (job.options.tool_version !== TOOL_VERSION) {
    throw new JobRefused('job_tool_version', `the job was made by residency ${job.options.tool_version}, this worker is ${TOOL_VERSION}: run one version everywhere`);
  }
  const diffs = geoDataDifferences(job.geo, geo);
  if (diffs.length > 0) {
    throw new JobRefused('job_geo_data_mismatch', `geolocation data differ from the coordinator's (${diffs.join('; ')}): give every worker the same data (--geo-dir, residency version)`);
  }
  opts.log(`worker ${PROCESS_LABEL}: ingesting ${job.path}`);
  let sha256: string;
  try {
    const logs = await logIdentity(job.path);
    sha256 = logs !== null ? logs.sha256 : await sha256File(job.path);
  } catch (e) {
    throw new JobRefused('job_capture_unreadable', `${job.path}: cannot be read here (${(e as Error).message}): the capture must be on storage every worker sees, at the same path`);
  }
  if (sha256 !== job.sha256) {
    throw new JobRefused('job_capture_changed', `${job.path}: its SHA-256 here is ${sha256.slice(0, 12)}…, the job was made for ${job.sha256.slice(0, 12)}…: the file differs on this machine's view of the storage`);
  }
  try {
    const r = await ingestCapture(store, job.path, { vendor: job.options.vendor, device: job.options.device, geo: ingestWith });
    opts.log(`worker ${PROCESS_LABEL}: ${r.skipped ? 'already stored' : 'stored'} ${job.path}`);
    return { status: r.skipped ? 'already_stored' : 'ingested', sha256: r.sha256, worker: PROCESS_LABEL };
  } catch (e) {
    // Not a capture: the job is done (the coordinator reports it skipped, as a local audit does).
    if (e instanceof CaptureError) return { status: 'skipped', sha256: job.sha256, code: e.code, offset: e.offset, message: e.message, worker: PROCESS_LABEL };
    throw e;
  }
}
