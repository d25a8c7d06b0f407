// The back half of the pipeline, the one place that knows its order (src/pipeline.ts has the front half):
//   flow records -> geolocation (vantage-independent: sources, consensus, ASN, provider, region, edge; once per
//   capture, stored at ingest) -> the vantage rule (synthesised handshakes switch the physical check off; per-source
//   physical flags, consensus physical, a dispute settled by RTT) -> attribution and verdicts (audit only,
//   audit/aggregate.ts over the case store) -> reports.
// `flows` streams records through geolocation and the vantage rule (flow-geo.ts, which loads no audit code);
// `ingest` stores records with their geolocation; `audit` ingests, then decides from the store; `report` and
// `regress` decide from the store without geolocating anything the store already holds.

import path from 'node:path';
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { GeoLocator } from '../geo/index.js';
import { buildReportFromStore, type AggregateCapture } from '../audit/aggregate.js';
import { auditVantage, captureLabs, claimLabs, collectCaptures, type AuditOptions, type AuditResult } from '../audit/run.js';
import { labVantage } from '../vantage/index.js';
import { ClaimedLocationCheck } from '../audit/claimed-location.js';
import { loadClaims } from '../audit/claims.js';
import { budgetCounts } from '../audit/input-problems.js';
import { providerOrigin } from '../audit/provider-origin.js';
import { parseFormats, writeReports } from '../report/index.js';
import { ingestCapture, type IngestGeo, type IngestOptions, type IngestResult } from '../store/ingest.js';
import { openCaseStore } from '../store/open.js';
import { captureReadWarnings, captureSummaryCounts, geolocateStored, saveAudit, storedGeoState } from '../store/records.js';
import { isPostgresLocation, type CaseStore } from '../store/store.js';
import type { GeoProvenance } from '../types.js';
import { TOOL_VERSION } from '../version.js';
import { openIngestLocator, vantageRule } from './flow-geo.js';

export type { AuditOptions, AuditResult } from '../audit/run.js';
// What `flows` needs (geolocation and the vantage rule) lives apart, so `flows` loads none of audit, report, store.
export { FlowEnricher, openIngestLocator, vantageRule } from './flow-geo.js';

/** Geolocation at ingest: a locator opened without a vantage (the stored part never depends on one). */
export function ingestGeo(locator: GeoLocator): IngestGeo {
  return {
    locate: (f) => locator.enrichFlow(f),
    rangeProvider: (ip) => locator.publishedRangeProvider(ip),
    provenance: () => locator.provenance(),
  };
}

/** `ingest`: one capture into the store with its geolocation (IngestOptions.geo), one transaction. */
export function ingestInput(store: CaseStore, file: string, geo: IngestGeo | undefined, opts: Omit<IngestOptions, 'geo'> = {}): Promise<IngestResult> {
  return ingestCapture(store, file, { ...opts, geo });
}

/** Union of the captures' stored geolocation provenance (one entry per source and file hash), sorted. */
function provenanceUnion(lists: GeoProvenance[][]): GeoProvenance[] {
  const seen = new Map<string, GeoProvenance>();
  for (const list of lists) for (const p of list) seen.set(`${p.source}\u0000${p.file}\u0000${p.sha256}`, p);
  return [...seen.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/**
 * `audit` and `report` (noIngest): ingest what the claims file lists (geolocated as stored), geolocate any listed
 * capture the store holds without geolocation (stored before it kept any), decide every claim from the store,
 * record the audit, write the reports. Throws UsageError for a bad claims file or option.
 */
export async function runAudit(claimsPath: string, opts: AuditOptions = {}): Promise<AuditResult> {
  const formats = parseFormats(opts.formats);
  const claims = loadClaims(claimsPath);
  if (opts.noIngest && (opts.db === undefined || (!isPostgresLocation(opts.db) && !existsSync(opts.db)))) {
    throw new UsageError('store_missing', `${opts.db ?? '(no --db)'}: no case store to report from; run \`residency ingest\` or \`audit --db\` first`);
  }
  const store = await openCaseStore(opts.db ?? ':memory:', opts.memoryBudgetMb);
  let locator: GeoLocator | undefined;
  const geo = async (): Promise<IngestGeo> => ingestGeo((locator ??= await openIngestLocator(opts.geoDir)));
  try {
    const generatedAt = (opts.now ?? (() => new Date()))().toISOString();
    const { caps, ingested, missing } = await collectCaptures(store, claims, { ...opts, geo: opts.noIngest ? undefined : await geo() });
    const aggCaps: AggregateCapture[] = [];
    const provenance: GeoProvenance[][] = [];
    // The lab each capture was taken at: the claims file's `vantage` feeds the one-lab rule (vantageRule) for the
    // captures taken there; every lab's handshakes feed the measurements (VantageCheck).
    const labOf = captureLabs(claims, opts.allowOutside);
    const defaultLab = claims.vantage === undefined ? undefined : labVantage(claims.vantage_id ?? 'vantage', claims.vantage);
    for (const c of caps) {
      const lab = labOf.get(c.label) ?? defaultLab;
      let state = await storedGeoState(store, c.stored.id);
      if (state === undefined) {
        await geolocateStored(store, c.stored.id, await geo());
        state = await storedGeoState(store, c.stored.id);
      }
      provenance.push(state?.provenance ?? []);
      const sc = await captureSummaryCounts(store, c.stored.id);
      const budget = budgetCounts(sc.warnings, sc.anomalies, sc.counters);
      aggCaps.push({
        ...c,
        warnings: await captureReadWarnings(store, c.stored.id),
        ...(budget !== undefined ? { budget } : {}),
        ...(state?.synthesized ? { synthesized: state.synthesized } : {}),
        ...(lab !== undefined ? { lab } : {}),
        atDefaultLab: lab?.id === defaultLab?.id,
      });
    }
    const rangeOf = new Map<string, string | undefined>();
    const origin = providerOrigin((ip) => rangeOf.get(ip));
    const verdictOptions = {
      claimedLocationImpossible: new ClaimedLocationCheck(claims.vantage).impossible,
      providerOrigin: origin,
      ...opts.verdictOptions,
    };
    const labs = claimLabs(claims);
    let warnings: string[] = [];
    const vantage = (own: Parameters<typeof auditVantage>[1]) => {
      const v = auditVantage(claims, own, labs);
      warnings = v.warnings;
      for (const w of v.warnings) opts.log?.(`warning: ${w}`);
      return v.vantage;
    };
    return await store.session(async (q) => {
      const built = await buildReportFromStore(q, {
        claims,
        claimsLabel: path.basename(claimsPath),
        captures: aggCaps,
        provenance: provenanceUnion(provenance),
        toolVersion: TOOL_VERSION,
        formats,
        geoDir: opts.geoDir,
        generatedAt,
        verdictOptions,
        missing,
        applyVantage: vantageRule(claims.vantage),
        rangeProvider: rangeOf,
        vantage,
      });
      const { model, results } = built;
      await saveAudit(
        store,
        { claimsPath: claims.path, claimsSha256: claims.sha256, toolVersion: TOOL_VERSION, options: model.tool.options, generatedAt },
        results.map((r) => ({
          vendor: r.vendor,
          claim: r.claim,
          verdict: r.result.verdict,
          reasons: r.result.reasons,
          totals: r.result.totals,
          evidence: r.evidence.map((e) => [e.capture_sha256, e.flow_id, e.status]),
        })),
        model.geo_sources,
      );
      const files = opts.outDir !== undefined ? await writeReports(model, opts.outDir, formats, built.flows) : [];
      return { model, files, exitCode: model.summary.exit_code, ingested, geolocated: locator !== undefined, warnings };
    });
  } finally {
    await store.close();
  }
}
