// The audit's inputs: options, report formats, and which stored captures a claims file's captures are (ingesting
// them unless `report`). The audit itself runs in pipeline/back-half.ts (runAudit), which knows the stage order.

import { statSync } from 'node:fs';
import path from 'node:path';
import { CaptureError, UsageError } from '../errors.js';
import type { CaseStore } from '../store/store.js';
import { ingestCapture, sha256File, type AnalyzeFn, type IngestGeo } from '../store/ingest.js';
import { ProviderTable, RegionTable } from '../geo/index.js';
import { captureMeasurement, knownPlacesFrom, labVantage, VantageEvidence, type Measurement, type MetroEntry, type VantagePoint } from '../vantage/index.js';
import { ClaimedLocationCheck } from './claimed-location.js';
import { captureVantage } from './claims.js';
import type { ModelVantage } from './model-builder.js';
import { VantageCheck } from './vantage-check.js';
import type { ReportModel } from './report-model.js';
import { logIdentity } from '../input.js';
import { captureBySha, capturesByPath, capturesByVendor, type StoredCapture } from '../store/records.js';
import { captureLabel, listedCaptures, type ListedCapture } from './attribution.js';
import type { ClaimsFile, VendorSpec } from './claims.js';
import type { MissingCapture } from './input-problems.js';
import type { VerdictOptions } from './verdict.js';

export interface AuditOptions {
  /** Case store file; default an in-memory store (nothing kept). */
  db?: string;
  /** Where reports are written; none written when absent. */
  outDir?: string;
  /** Subset of json, html, md, csv (default all four). */
  formats?: string[];
  geoDir?: string;
  /** `report` mode: do not ingest, use what the store holds. */
  noIngest?: boolean;
  /** Injected analysis (tests); default analyzeInput (captures and logs). */
  analyze?: AnalyzeFn;
  /** Clock for `generated_at` (tests). */
  now?: () => Date;
  /** Progress lines (ingest skipped/ingested) for the CLI. */
  log?: (line: string) => void;
  /** Verdict thresholds overriding limits.ts (tests, what-if). */
  verdictOptions?: Partial<VerdictOptions>;
  /** Memory budget in MiB (`--memory-budget`): the captures' analysis and the SQLite store's caches. */
  memoryBudgetMb?: number;
  /** Allow captures outside the claims file's folder (`--allow-outside`). */
  allowOutside?: boolean;
  /**
   * Stores the listed captures another way before the audit reads them (`--distributed`: workers ingest them) and
   * gives, per listed file, what ingestCapture would have: its hash and whether it was already stored, or the
   * CaptureError for a file that is not a capture.
   */
  ingestListed?: (listed: readonly ListedCapture[]) => Promise<(file: string) => Promise<{ sha256: string; skipped: boolean }>>;
}

export interface AuditResult {
  model: ReportModel;
  /** Report files written, in writeReports' order. */
  files: string[];
  exitCode: number;
  /** Listed captures: ingested, already stored (`skipped`), or `status: 'skipped'` with the `reason` (not a
   *  capture, unreadable: the audit went on without it; sha256 is then empty). */
  ingested: { path: string; sha256: string; skipped: boolean; status?: 'skipped'; reason?: string }[];
  /** True when geolocation ran (captures ingested, or stored without it); false when the store had it all. */
  geolocated: boolean;
  /** Problems inside the measurement files (`file:line: message (code)`), for stderr. */
  warnings: string[];
}


/** The files one `captures:` pattern of one vendor lists (empty when it matches none), by the same rules as audit. */
function filesOfPattern(claims: ClaimsFile, v: VendorSpec, pattern: string, allowOutside: boolean | undefined): ListedCapture[] {
  try {
    return listedCaptures({ ...claims, vendors: [{ ...v, captures: [pattern] }] }, { allowOutside });
  } catch (e) {
    if (e instanceof UsageError && e.code === 'claims_capture_missing') return [];
    throw e;
  }
}

/**
 * Finds the stored capture each listed file corresponds to (by hash), ingesting it first unless `noIngest`.
 * `report` (noIngest) also says which listed captures the store lacks: a listed file whose hash is not stored,
 * or a pattern that matches no file and no stored capture's path (a glob matching nothing counts only when the
 * store holds nothing of that vendor either: its files may simply have moved).
 */
export async function collectCaptures(
  db: CaseStore,
  claims: ClaimsFile,
  opts: AuditOptions & { geo?: IngestGeo },
): Promise<{ caps: { label: string; stored: StoredCapture; vendors: string[] }[]; ingested: AuditResult['ingested']; missing: MissingCapture[] }> {
  const ingested: AuditResult['ingested'] = [];
  const bySha = new Map<string, { label: string; stored: StoredCapture; vendors: string[] }>();
  const missing = new Map<string, MissingCapture>();
  const include = (stored: StoredCapture, label: string, vendor: string, relabel: boolean): void => {
    const e = bySha.get(stored.sha256) ?? { label, stored, vendors: [] };
    if (relabel) e.label = label;
    if (!e.vendors.includes(vendor)) e.vendors.push(vendor);
    bySha.set(stored.sha256, e);
  };
  const lack = (m: MissingCapture): void => {
    const e = missing.get(m.label);
    if (e === undefined) missing.set(m.label, m);
    else for (const v of m.vendors) if (!e.vendors.includes(v)) e.vendors.push(v);
  };
  if (opts.noIngest) {
    for (const v of claims.vendors) {
      for (const stored of await capturesByVendor(db, v.name)) include(stored, captureLabel(claims.dir, path.resolve(stored.path)), v.name, false);
    }
    for (const v of claims.vendors) {
      for (const pattern of v.captures) {
        const files = filesOfPattern(claims, v, pattern, opts.allowOutside);
        if (files.length === 0) {
          const abs = path.resolve(claims.dir, pattern);
          const fromPath = await capturesByPath(db, abs);
          if (fromPath.length > 0) {
            for (const stored of fromPath) include(stored, captureLabel(claims.dir, abs), v.name, true);
            continue;
          }
          if (/[*?[]/.test(pattern) && [...bySha.values()].some((e) => e.vendors.includes(v.name))) continue;
          lack({ label: /[*?[]/.test(pattern) ? pattern : captureLabel(claims.dir, abs), vendors: [v.name], reason: 'matches no file, and the case store holds no capture from that path' });
          continue;
        }
        for (const l of files) {
          // A log input (Zeek log folder, eve.json) has its own identity (logs/identity.ts).
          const logs = await logIdentity(l.file);
          const sha256 = logs?.sha256 ?? (await sha256File(l.file));
          const stored = await captureBySha(db, sha256);
          if (stored) {
            include(stored, l.label, v.name, true);
            continue;
          }
          const earlier = (await capturesByPath(db, l.file)).map((c) => c.sha256.slice(0, 12));
          lack({
            label: l.label,
            vendors: [v.name],
            reason:
              'listed in the claims file but not in the case store' +
              (earlier.length > 0 ? ` (the store holds another version of this file, sha256 ${earlier.join(', ')}…: it changed since it was ingested)` : ''),
            sha256,
            size_bytes: logs?.sizeBytes ?? statSync(l.file).size,
          });
        }
      }
    }
  } else {
    const listed = listedCaptures(claims, { allowOutside: opts.allowOutside });
    const ingestedElsewhere = opts.ingestListed === undefined ? undefined : await opts.ingestListed(listed);
    for (const l of listed) {
      let r: { sha256: string; skipped: boolean };
      try {
        r = ingestedElsewhere !== undefined
          ? await ingestedElsewhere(l.file)
          : await ingestCapture(db, l.file, { vendor: l.vendors[0], analyze: opts.analyze, geo: opts.geo, memoryBudgetMb: opts.memoryBudgetMb });
      } catch (e) {
        // Not a capture, or unreadable: said, recorded, and the audit goes on without it.
        if (!(e instanceof CaptureError)) throw e;
        const reason = `not read: ${e.code} at byte ${e.offset}`;
        ingested.push({ path: l.label, sha256: '', skipped: true, status: 'skipped', reason });
        opts.log?.(`warning: ${l.label} skipped (${reason})`);
        // Its flows are missing from the evidence: the verdicts of the vendors listing it say so (capture_missing).
        lack({ label: l.label, vendors: [...l.vendors], reason: `listed in the claims file but skipped: ${reason}` });
        continue;
      }
      ingested.push({ path: l.label, sha256: r.sha256, skipped: r.skipped });
      opts.log?.(`${r.skipped ? 'already stored' : 'ingested'}: ${l.label}`);
      const stored = (await captureBySha(db, r.sha256)) as StoredCapture;
      const e = bySha.get(r.sha256) ?? { label: l.label, stored, vendors: [] };
      for (const v of l.vendors) if (!e.vendors.includes(v)) e.vendors.push(v);
      bySha.set(r.sha256, e);
    }
  }
  return { caps: [...bySha.values()], ingested, missing: [...missing.values()] };
}

/** The lab each listed capture was taken at, by report label (its `{ path, vantage }` lab, else the default). */
export function captureLabs(claims: ClaimsFile, allowOutside: boolean | undefined): Map<string, VantagePoint> {
  const out = new Map<string, VantagePoint>();
  for (const v of claims.vendors) {
    for (const pattern of v.captures) {
      const lab = captureVantage(claims, v, pattern);
      if (lab === undefined) continue;
      for (const l of filesOfPattern(claims, v, pattern, allowOutside)) if (!out.has(l.label)) out.set(l.label, labVantage(lab.id, lab.vantage));
    }
  }
  return out;
}

/** The claims file's labs (`vantages:` and the default `vantage`), sorted by id. */
export function claimLabs(claims: ClaimsFile): VantagePoint[] {
  const labs = new Map<string, VantagePoint>();
  for (const [id, lab] of Object.entries(claims.vantages ?? {})) labs.set(id, labVantage(id, lab));
  if (claims.vantage !== undefined && claims.vantage_id !== undefined && !labs.has(claims.vantage_id)) labs.set(claims.vantage_id, labVantage(claims.vantage_id, claims.vantage));
  return [...labs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Region metros (geo/regions.json) as known places of their countries, and the nearest region of a provider. */
function regionKnowledge(): { metros: MetroEntry[]; regionKey: (provider: string) => string; nearest: ModelVantage['nearestRegion'] } {
  const regions = RegionTable.load();
  const providers = ProviderTable.load();
  const regionKey = (provider: string): string => providers.byProviderId(provider)?.regions ?? provider;
  const metros: MetroEntry[] = [];
  for (const provider of regions.keys()) for (const r of regions.list(provider)) metros.push({ provider, region: r.region, country: r.country, lat: r.lat, lon: r.lon, city: r.city });
  return { metros, regionKey, nearest: (provider, lat, lon, country) => regions.nearest(regionKey(provider), lat, lon, country)?.region };
}

/**
 * The measurements of the audit: the claims file's measurement files plus `own`, each capture's fastest handshake per
 * destination from its own lab (ownMeasurement; none for synthesised handshakes, nor for inputs without RTTs).
 */
export function auditVantage(claims: ClaimsFile, own: readonly Measurement[], labs: VantagePoint[]): { vantage: ModelVantage; warnings: string[] } {
  const files = VantageEvidence.load(claims);
  const evidence = files.withMeasurements([...own]);
  const known = regionKnowledge();
  const check = new VantageCheck(evidence, knownPlacesFrom(known.metros, known.regionKey), new ClaimedLocationCheck(claims.vantage));
  const detailed = (claims.measurements?.length ?? 0) > 0 || Object.keys(claims.vantages ?? {}).length > 0;
  return { vantage: { check, labs, nearestRegion: known.nearest, detailed }, warnings: files.warnings() };
}

/** A capture's fastest handshake to `ip` from its lab, as a measurement (file: the capture's report label). */
export function ownMeasurement(lab: VantagePoint, label: string, ip: string, rttMs: number, flow: number): Measurement | undefined {
  return captureMeasurement(lab, ip, rttMs, { file: label, flow });
}
