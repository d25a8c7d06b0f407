// The back half of the pipeline, the one place that knows its order (src/pipeline.ts has the front half):
//   flow records -> geolocation (vantage-independent: sources, consensus, ASN, provider, region, edge; once per
//   capture, stored at ingest) -> the vantage rule (synthesised handshakes switch the physical check off; per-source
//   physical flags, consensus physical, a dispute settled by RTT) -> attribution and verdicts (audit only,
//   audit/aggregate.ts over the case store) -> reports.
// `flows` streams records through geolocation and the vantage rule; `ingest` stores records with their
// geolocation; `audit` ingests, then decides from the store; `report` and `regress` decide from the store without
// geolocating anything the store already holds.

import path from 'node:path';
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import {
  GeoBatcher,
  GeoLocator,
  physicalCheck,
  ProviderTable,
  RegionTable,
  settleByRtt,
  SynthesisGate,
  type SynthesisGateEvents,
} from '../geo/index.js';
import { observedProviderId } from '../audit/provider-ids.js';
import { buildReportFromStore, type AggregateCapture, type ApplyVantage, type StoredGeo } from '../audit/aggregate.js';
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
import type { CaseStore } from '../store/store.js';
import type { FlowGeoFields, FlowRecord, GeoProvenance, GeoSourceAnswer } from '../types.js';
import { TOOL_VERSION } from '../version.js';

export type { AuditOptions, AuditResult } from '../audit/run.js';

/** Geolocation sources that give a registration country, not a location (they never carry a place). */
const REGISTRATION_SOURCES: ReadonlySet<string> = new Set(['geo-whois-asn-country']);

/**
 * The vantage rule over a vantage-independent result: with a vantage, a usable RTT and a public address, each
 * source's place and the consensus place are checked against the RTT (physicalCheck), and a disputed country is
 * settled when the RTT sets impossible sources aside (settleByRtt; the settled place keeps a region only when it
 * came from published ranges or a DNS name, else the provider's region nearest the settled place). Synthesised handshakes leave such flows `unchecked`. The key order is
 * that of GeoLocator.enrichFlow, so records read the same whichever path made them.
 */
export function vantageRule(vantage: { lat: number; lon: number } | undefined): ApplyVantage {
  let tables: { providers: ProviderTable; regions: RegionTable } | undefined;
  return (g: StoredGeo | FlowGeoFields, rttMs: number | undefined, synthesized: boolean): FlowGeoFields => {
    const out: FlowGeoFields = {
      country_agreement: g.country_agreement,
      country_settled_by: undefined,
      edge: g.edge,
      geo_sources: g.geo_sources,
      country: g.country,
      city: g.city,
      lat: g.lat,
      lon: g.lon,
      asn: g.asn,
      as_org: g.as_org,
      provider: g.provider,
      region: g.region,
      region_source: g.region_source,
      physical: undefined,
    };
    if (vantage === undefined || rttMs === undefined || !Number.isFinite(rttMs) || rttMs < 0 || g.geo_sources === undefined) return out;
    if (synthesized) {
      out.physical = 'unchecked';
      return out;
    }
    const sources: GeoSourceAnswer[] = g.geo_sources.map((s) =>
      s.lat !== undefined && s.lon !== undefined ? { ...s, physical: physicalCheck(vantage, rttMs, s.lat, s.lon) } : s,
    );
    out.geo_sources = sources;
    if (out.country_agreement === 'disputed') {
      const c = settleByRtt(
        sources.filter((s) => !REGISTRATION_SOURCES.has(s.source)),
        sources.filter((s) => REGISTRATION_SOURCES.has(s.source)),
      );
      if (c !== undefined) {
        out.country = c.country;
        out.country_agreement = c.agreement;
        out.country_settled_by = 'rtt';
        out.city = c.city;
        out.lat = c.lat;
        out.lon = c.lon;
        if (!out.edge && out.region_source !== 'provider-ranges' && out.region_source !== 'dns-name') {
          // The nearest region of the provider to the settled place, as the geo stage names one (curated tables).
          const t = (tables ??= { providers: ProviderTable.load(), regions: RegionTable.load() });
          const id = out.provider === undefined ? undefined : observedProviderId(out.provider);
          const key = id === undefined ? undefined : t.providers.byProviderId(id)?.regions;
          const near = key !== undefined && c.city !== undefined && c.lat !== undefined && c.lon !== undefined ? t.regions.nearest(key, c.lat, c.lon, c.country) : undefined;
          out.region = near?.region;
          out.region_source = near === undefined ? undefined : 'nearest-city';
        }
      }
    }
    out.physical = out.lat !== undefined && out.lon !== undefined ? physicalCheck(vantage, rttMs, out.lat, out.lon) : 'unchecked';
    return out;
  };
}

/** Geolocation at ingest: a locator opened without a vantage (the stored part never depends on one). */
export function ingestGeo(locator: GeoLocator): IngestGeo {
  return {
    locate: (f) => locator.enrichFlow(f),
    rangeProvider: (ip) => locator.publishedRangeProvider(ip),
    provenance: () => locator.provenance(),
  };
}

/** Opens the locator used to geolocate at ingest (no vantage). */
export function openIngestLocator(geoDir: string | undefined): Promise<GeoLocator> {
  return GeoLocator.open({ geoDir });
}

/**
 * `flows`: each capture's records through geolocation and the vantage rule, in arrival order (in batches,
 * GeoBatcher). With a vantage, a capture's records are held only until it is known whether its handshakes were
 * synthesised on the device (SynthesisGate, at most `maxHeld` of them); the vantage rule then applies to each.
 * One enricher per capture.
 */
export class FlowEnricher {
  private readonly gate: SynthesisGate | undefined;
  private readonly batch: GeoBatcher | undefined;

  constructor(
    locator: GeoLocator,
    vantage: { lat: number; lon: number } | undefined,
    emit: (r: FlowRecord, g: FlowGeoFields) => void,
    maxHeld: number,
    /** Told when the capture's physical check is off (with the reason) or was decided on its first records. */
    events: SynthesisGateEvents,
  ) {
    if (vantage === undefined) {
      this.batch = new GeoBatcher(locator, emit);
      return;
    }
    const rule = vantageRule(vantage);
    const gate: SynthesisGate = new SynthesisGate(locator, (r, g) => emit(r, rule(g, r.rtt_ms, gate.synthesized)), maxHeld, events);
    this.gate = gate;
  }

  /** A link type met in the capture's packets. */
  linkType(t: number): void {
    this.gate?.linkType(t);
  }

  add(r: FlowRecord): void {
    if (this.gate !== undefined) this.gate.add(r);
    else this.batch?.add(r);
  }

  /** End of the capture with these link types: decides the physical check if still undecided, writes what is held. */
  finish(linkTypes: number[]): void {
    this.gate?.finish(linkTypes);
    this.batch?.flush();
  }
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
  if (opts.noIngest && (opts.db === undefined || !existsSync(opts.db))) {
    throw new UsageError('store_missing', `${opts.db ?? '(no --db)'}: no case store to report from; run \`residency ingest\` or \`audit --db\` first`);
  }
  const store = await openCaseStore(opts.db ?? ':memory:');
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
