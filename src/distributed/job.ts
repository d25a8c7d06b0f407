// The ingest job of distributed ingest (issue 17): what a coordinator (`audit --distributed`, `ingest
// --distributed`) puts on the queue and a worker (`residency worker`) takes. A job names one capture by a path
// every worker sees (shared storage) and its SHA-256 (the worker checks the bytes it reads are those), the
// geolocation data the coordinator runs with (workers geolocate at ingest, so a worker with other data would store
// other answers: it refuses the job), and the options the capture is stored with.

import { createHash } from 'node:crypto';
import { GeoLocator } from '../geo/index.js';
import type { GeoProvenance } from '../types.js';

/** The queue (pg-boss, in schema QUEUE_SCHEMA of the store's database) ingest jobs go through. */
export const INGEST_QUEUE = 'residency-ingest';
/** PostgreSQL schema pg-boss keeps its tables in, beside the case store's. */
export const QUEUE_SCHEMA = 'residency_queue';
/** Version of the job payload: a worker refuses payloads of another version. */
export const JOB_FORMAT = 1;

/** One geolocation data file, as the job compares it: the source, its bytes' SHA-256, its version when known. */
export interface GeoDataVersion {
  source: string;
  sha256: string;
  version?: string;
}

export interface IngestJob {
  format: number;
  /** Absolute path of the capture (or log folder/file) on storage every worker sees. */
  path: string;
  /** SHA-256 the coordinator read there (for log inputs: their identity, logs/identity.ts). */
  sha256: string;
  size_bytes: number;
  /** The geolocation data the coordinator runs with, sorted by source. */
  geo: GeoDataVersion[];
  options: { vendor?: string; device?: string; tool_version: string };
}

/** What a worker reports for a job it finished: stored (or already stored), or skipped (not a capture). */
export interface IngestJobOutput {
  status: 'ingested' | 'already_stored' | 'skipped';
  sha256: string;
  /** With `skipped`: the capture error's code and offset (errors.ts CaptureError). */
  code?: string;
  offset?: number;
  message?: string;
  /** host:pid of the worker. */
  worker: string;
}

/** The versions of the geolocation data a locator uses, in a stable order (provenance without file paths). */
export function geoDataVersions(provenance: readonly GeoProvenance[]): GeoDataVersion[] {
  return provenance
    .map((p) => (p.version !== undefined ? { source: p.source, sha256: p.sha256, version: p.version } : { source: p.source, sha256: p.sha256 }))
    .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0));
}

/** Lines naming each difference between the data a job wants and the data a worker has; empty when they match. */
export function geoDataDifferences(wanted: readonly GeoDataVersion[], have: readonly GeoDataVersion[]): string[] {
  const label = (d: GeoDataVersion | undefined): string => (d === undefined ? 'none' : `sha256 ${d.sha256.slice(0, 12)}…${d.version !== undefined ? ` (${d.version})` : ''}`);
  const w = new Map(wanted.map((d) => [d.source, d]));
  const h = new Map(have.map((d) => [d.source, d]));
  const out: string[] = [];
  for (const source of [...new Set([...w.keys(), ...h.keys()])].sort()) {
    const a = w.get(source);
    const b = h.get(source);
    if (a?.sha256 === b?.sha256) continue;
    out.push(`${source}: the job was made with ${label(a)}, this worker has ${label(b)}`);
  }
  return out;
}

/**
 * The job's id: a UUID derived from the capture, the geolocation data and the options, so enqueuing the same
 * capture twice (two coordinators, a coordinator run again) makes one job, not two.
 */
export function jobId(job: IngestJob): string {
  const h = createHash('sha256')
    .update(JSON.stringify([job.format, job.sha256, job.geo.map((g) => [g.source, g.sha256]), job.options.vendor ?? null, job.options.device ?? null]))
    .digest('hex');
  // RFC 9562 layout with version 8 (custom) and the RFC variant bits.
  const v = `8${h.slice(13, 16)}`;
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16) + h.slice(17, 20);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${v}-${variant}-${h.slice(20, 32)}`;
}

/** Checks a payload taken from the queue has the shape this version writes; a message naming what is wrong, or undefined. */
export function badPayload(data: unknown): string | undefined {
  const d = data as Partial<IngestJob> | null;
  if (typeof d !== 'object' || d === null) return 'the job carries no payload';
  if (d.format !== JOB_FORMAT) return `the job's format is ${String(d.format)}, this worker reads format ${JOB_FORMAT} (run the same residency version everywhere)`;
  if (typeof d.path !== 'string' || typeof d.sha256 !== 'string' || !Array.isArray(d.geo) || typeof d.options !== 'object' || d.options === null) {
    return 'the job payload is malformed';
  }
  return undefined;
}

/**
 * The versions of every geolocation file this machine would use (residency's own data plus `geoDir`): a locator
 * with every file opened, dropped afterwards (the locator that geolocates opens files as flows need them, as a
 * local audit does, so what each capture records as used is the same everywhere).
 */
export async function localGeoDataVersions(geoDir: string | undefined): Promise<GeoDataVersion[]> {
  const all = await GeoLocator.open({ geoDir });
  all.preload();
  return geoDataVersions(all.provenance());
}
