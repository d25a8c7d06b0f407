// The coordinator's half of distributed ingest (`audit --distributed`, `ingest --distributed`): reads each capture
// once to take its SHA-256 (the identity workers check), enqueues one job per capture not yet stored, then waits,
// reporting progress, until every job has ended; meanwhile it fails jobs whose worker died (queue.ts
// reclaimLostJobs) so they run elsewhere. What it returns says, per capture, whether it was stored, already
// stored, skipped (not a capture: the worker's reason) or failed (every attempt refused or failed: the last
// message). The verdicts are then decided in the database by the ordinary audit over the store.

import { statSync } from 'node:fs';
import { CaptureError, InternalError, StoreError } from '../errors.js';
import { logIdentity } from '../input.js';
import { JOB_NO_WORKER_HINT_S, JOB_POLL_MS, JOB_RETRY_LIMIT } from '../limits.js';
import { sha256File } from '../store/ingest.js';
import { PostgresStore, redactedUrl } from '../store/postgres.js';
import { TOOL_VERSION } from '../version.js';
import { INGEST_QUEUE, localGeoDataVersions, JOB_FORMAT, jobId, type IngestJob, type IngestJobOutput } from './job.js';
import { enqueue, jobStates, openQueue, reclaimLostJobs, type JobStatus } from './queue.js';

export interface DistributedItem {
  /** Absolute path, the same on every worker. */
  path: string;
  /** How messages name it (the claims file's relative path, the command-line argument). */
  label: string;
  vendor?: string;
  device?: string;
}

export interface DistributedOutcome {
  label: string;
  path: string;
  /** Empty when the coordinator could not read the file. */
  sha256: string;
  status: 'ingested' | 'already_stored' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  reason?: string;
  /** With `skipped` for a capture a worker could not read: the capture error (CaptureError code and offset). */
  code?: string;
  offset?: number;
  /** host:pid of the worker that stored or skipped it. */
  worker?: string;
}

export interface DistributedProgress {
  total: number;
  /** Jobs ended (stored, skipped or failed) plus captures found already stored. */
  ended: number;
  running: number;
  failed: number;
  bytesTotal: number;
  bytesEnded: number;
  /** Jobs found abandoned by a dead worker and put back, so far. */
  reclaimed: number;
}

export interface DistributedOptions {
  geoDir?: string;
  log?(line: string): void;
  progress?(p: DistributedProgress): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function failureMessage(output: unknown): string {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null;
  if (typeof o?.message === 'string') return o.message;
  if (typeof o?.value?.message === 'string') return o.value.message;
  return 'the job failed without a message';
}

/** Ingests `items` through the workers (see module comment). Throws StoreError when the store or queue is unreachable. */
export async function distributedIngest(url: string, items: readonly DistributedItem[], opts: DistributedOptions = {}): Promise<DistributedOutcome[]> {
  const geo = await localGeoDataVersions(opts.geoDir);
  const outcomes: DistributedOutcome[] = [];
  const store = await PostgresStore.open(url);
  let boss: Awaited<ReturnType<typeof openQueue>> | undefined;
  try {
    // One job per distinct capture; outcomes of duplicates follow their job.
    const jobs = new Map<string, { id: string; data: IngestJob; outcomes: DistributedOutcome[] }>();
    for (const item of items) {
      const o: DistributedOutcome = { label: item.label, path: item.path, sha256: '', status: 'failed' };
      outcomes.push(o);
      let size: number;
      try {
        const logs = await logIdentity(item.path);
        if (logs !== null) {
          o.sha256 = logs.sha256;
          size = logs.sizeBytes;
        } else {
          const st = statSync(item.path);
          if (!st.isFile()) throw new CaptureError('capture_unreadable', item.path, 0, 'not a regular file');
          size = st.size;
          o.sha256 = await sha256File(item.path);
        }
      } catch (e) {
        const ce = e instanceof CaptureError ? e : new CaptureError('capture_unreadable', item.path, 0, (e as Error).message);
        Object.assign(o, { status: 'skipped', reason: `not read: ${ce.code} at byte ${ce.offset}`, code: ce.code, offset: ce.offset });
        continue;
      }
      const stored = await store.get<{ id: number; vendor: string | null; device: string | null }>('SELECT id, vendor, device FROM captures WHERE sha256 = ?', [o.sha256]);
      if (stored !== undefined) {
        // As a local ingest of a stored capture: the vendor and device are filled in when the store lacks them.
        if (item.vendor !== undefined && stored.vendor === null) await store.run('UPDATE captures SET vendor = ? WHERE id = ?', [item.vendor, stored.id]);
        if (item.device !== undefined && stored.device === null) await store.run('UPDATE captures SET device = ? WHERE id = ?', [item.device, stored.id]);
        o.status = 'already_stored';
        continue;
      }
      const data: IngestJob = {
        format: JOB_FORMAT,
        path: item.path,
        sha256: o.sha256,
        size_bytes: size,
        geo,
        options: { ...(item.vendor !== undefined ? { vendor: item.vendor } : {}), ...(item.device !== undefined ? { device: item.device } : {}), tool_version: TOOL_VERSION },
      };
      const id = jobId(data);
      const j = jobs.get(id) ?? { id, data, outcomes: [] };
      j.outcomes.push(o);
      jobs.set(id, j);
    }
    if (jobs.size === 0) return outcomes;

    boss = await openQueue(url, { supervise: false });
    const ids = [...jobs.keys()];
    // A job that ended earlier (another run) while its capture is not stored (it failed, or the store was
    // emptied) is removed so the same id can run again; running or waiting ones are joined as they are.
    const before = await jobStates(boss, ids);
    const ended = [...before.values()].filter((s) => s.state === 'completed' || s.state === 'failed' || s.state === 'cancelled').map((s) => s.id);
    if (ended.length > 0) await boss.deleteJob(INGEST_QUEUE, ended);
    await enqueue(boss, [...jobs.values()].map((j) => ({ id: j.id, data: j.data })));
    opts.log?.(`queued ${jobs.size} capture${jobs.size === 1 ? '' : 's'} for the workers (${store.location})`);

    const bytesTotal = [...jobs.values()].reduce((s, j) => s + j.data.size_bytes, 0);
    const already = outcomes.length - [...jobs.values()].reduce((s, j) => s + j.outcomes.length, 0);
    let reclaimed = 0;
    const started = Date.now();
    let hinted = false;
    const pending = new Set(ids);
    const final = new Map<string, JobStatus>();
    for (;;) {
      const states = await jobStates(boss, [...pending]);
      let running = 0;
      for (const id of [...pending]) {
        const s = states.get(id);
        if (s === undefined) continue; // not visible yet (or moved between tables during the read)
        if (s.state === 'completed' || s.state === 'failed' || s.state === 'cancelled') {
          final.set(id, s);
          pending.delete(id);
        } else if (s.state === 'active') running++;
      }
      let bytesEnded = 0;
      let failed = 0;
      for (const [id, s] of final) {
        bytesEnded += jobs.get(id)?.data.size_bytes ?? 0;
        if (s.state !== 'completed') failed++;
      }
      opts.progress?.({ total: outcomes.length, ended: already + [...final.keys()].reduce((n, id) => n + (jobs.get(id)?.outcomes.length ?? 0), 0), running, failed, bytesTotal, bytesEnded, reclaimed });
      if (pending.size === 0) break;
      if (!hinted && running === 0 && final.size === 0 && Date.now() - started > JOB_NO_WORKER_HINT_S * 1000) {
        hinted = true;
        opts.log?.(`no worker has taken a job for ${JOB_NO_WORKER_HINT_S} s: start workers with \`residency worker --db <this store's URL>\` on machines that see the captures`);
      }
      const lost = await reclaimLostJobs(boss, [...pending]);
      if (lost.length > 0) {
        reclaimed += lost.length;
        for (const id of lost) opts.log?.(`a worker died while ingesting ${jobs.get(id)?.data.path}: the job goes to another worker`);
      }
      await sleep(JOB_POLL_MS);
    }

    for (const [id, s] of final) {
      const j = jobs.get(id);
      if (j === undefined) continue;
      for (const o of j.outcomes) {
        if (s.state === 'completed') {
          const out = s.output as Partial<IngestJobOutput> | null;
          o.worker = typeof out?.worker === 'string' ? out.worker : undefined;
          if (out?.status === 'skipped') {
            Object.assign(o, { status: 'skipped', code: out.code, offset: out.offset, reason: `not read: ${String(out.code)} at byte ${String(out.offset)}` });
          } else o.status = out?.status === 'already_stored' ? 'already_stored' : 'ingested';
        } else {
          o.status = 'failed';
          o.reason = s.state === 'cancelled' ? 'the job was cancelled' : failureMessage(s.output);
        }
      }
    }
    return outcomes;
  } finally {
    await boss?.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
    await store.close();
  }
}

/**
 * distributedIngest in ingestCapture's terms, for the audit (AuditOptions.ingestListed): a look-up by absolute path
 * giving the hash and whether it was already stored, or throwing the CaptureError of a file that is not a capture.
 * Throws StoreError `distributed_jobs_failed` naming every capture no worker could store, with the last reason.
 */
export async function ingestThroughWorkers(
  url: string,
  items: readonly DistributedItem[],
  opts: DistributedOptions = {},
): Promise<(file: string) => Promise<{ sha256: string; skipped: boolean }>> {
  const outcomes = await distributedIngest(url, items, opts);
  throwIfFailed(url, outcomes);
  const byPath = new Map(outcomes.map((o) => [o.path, o]));
  return async (file) => {
    const o = byPath.get(file);
    if (o === undefined) throw new InternalError(`distributed ingest: no outcome for ${file}`);
    if (o.status === 'skipped') throw new CaptureError(o.code ?? 'capture_unreadable', file, o.offset ?? 0, o.reason ?? 'not read');
    return { sha256: o.sha256, skipped: o.status === 'already_stored' };
  };
}

/** Throws StoreError `distributed_jobs_failed` when some capture could not be stored by any worker. */
export function throwIfFailed(url: string, outcomes: readonly DistributedOutcome[]): void {
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length === 0) return;
  throw new StoreError(
    'distributed_jobs_failed',
    redactedUrl(url),
    `${failed.length} capture${failed.length === 1 ? '' : 's'} could not be stored by the workers (after ${JOB_RETRY_LIMIT + 1} attempts each):\n` +
      failed.map((f) => `  ${f.label}: ${f.reason ?? 'failed'}`).join('\n'),
  );
}
