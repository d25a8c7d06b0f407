// Builds what reports show of the measurements (report.json `vantage_points`, `measurement_files`,
// `feasible_regions`; the map and the provenance appendix render them): the labs and the RIPE Atlas probes that
// measured a destination of the report, every measurement file with its hash, and the feasible region of each
// destination address a measurement file measured (one disc alone is its own region). Pure; sorted for byte-reproducible reports.

import { REPORT_MAX_DISCS_PER_REGION, REPORT_MAX_FEASIBLE_REGIONS } from '../limits.js';
import type { Disc } from '../vantage/index.js';
import type { ModelVantage } from './model-builder.js';
import type { ReportFeasibleRegion, ReportMeasurementFile, ReportVantagePoint, ReportVendor } from './report-model.js';
import { measurementRef } from './vantage-check.js';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface VantageSections {
  vantage_points: ReportVantagePoint[];
  measurement_files: ReportMeasurementFile[];
  feasible_regions: ReportFeasibleRegion[];
  feasible_regions_omitted: number;
}

function discOut(d: Disc, binding: boolean): ReportFeasibleRegion['discs'][number] {
  return { ...measurementRef(d.measurement), lat: d.lat, lon: d.lon, radius_km: Math.round(d.radius_km), binding };
}

/** The report sections for the audit's measurements (see the module comment). */
export function vantageSections(v: ModelVantage, vendors: readonly ReportVendor[]): VantageSections {
  const ev = v.check.evidence;
  const measurement_files: ReportMeasurementFile[] = ev.files.map((f) => {
    const out: ReportMeasurementFile = {
      path: f.file,
      kind: f.kind,
      sha256: f.sha256,
      measurements: f.measurements,
      warnings: f.issues.map((i) => {
        const w: ReportMeasurementFile['warnings'][number] = { code: i.code, message: i.message };
        if (i.line !== undefined) w.line = i.line;
        if (i.index !== undefined) w.index = i.index;
        return w;
      }),
      warnings_omitted: f.issues_omitted,
    };
    if (f.probes !== undefined) out.probes = { path: f.probes.file, sha256: f.probes.sha256, count: f.probes.count };
    if (f.vantage !== undefined) out.vantage = f.vantage;
    return out;
  });

  // Upload per destination address over every vendor (non-edge or not: the map draws what was measured).
  const upload = new Map<string, number>();
  for (const vendor of vendors) for (const d of vendor.destinations) upload.set(d.server_ip, (upload.get(d.server_ip) ?? 0) + d.bytes_up);

  const points = new Map<string, ReportVantagePoint>();
  for (const lab of v.labs) points.set(lab.id, { id: lab.id, name: lab.name, kind: 'lab', lat: lab.lat, lon: lab.lon, ...(lab.country !== undefined ? { country: lab.country } : {}) });
  const regions: { region: ReportFeasibleRegion; up: number }[] = [];
  for (const [ip, up] of upload) {
    const ms = ev.measurementsOf(ip);
    for (const m of ms) {
      if (points.has(m.vantage.id)) continue;
      const p: ReportVantagePoint = { id: m.vantage.id, name: m.vantage.name, kind: m.vantage.id.startsWith('atlas:') ? 'probe' : 'lab', lat: m.vantage.lat, lon: m.vantage.lon };
      if (m.vantage.country !== undefined) p.country = m.vantage.country;
      points.set(m.vantage.id, p);
    }
    if (ms.length === 0) continue; // one measurement: its disc is the region (the lab can only be that close)
    const fr = ev.feasible(ip);
    if (fr === undefined) continue;
    const binding = new Set(fr.binding);
    const discs = [...fr.binding.map((d) => discOut(d, true)), ...fr.discs.filter((d) => !binding.has(d)).map((d) => discOut(d, false))];
    const region: ReportFeasibleRegion = {
      dst_addr: fr.dst_addr,
      discs: discs.slice(0, REPORT_MAX_DISCS_PER_REGION),
      discs_omitted: Math.max(0, discs.length - REPORT_MAX_DISCS_PER_REGION),
      empty: fr.empty,
    };
    const any = ev.anycast(ip);
    if (any !== undefined) {
      const pair = any.pairs[0];
      region.anycast = { reason: any.reason, measurements: (pair !== undefined ? [pair.a.measurement, pair.b.measurement] : fr.binding.slice(0, 3).map((d) => d.measurement)).map(measurementRef) };
    }
    if (fr.witness !== undefined) region.witness = { lat: fr.witness.lat, lon: fr.witness.lon };
    regions.push({ region, up });
  }
  regions.sort((a, b) => b.up - a.up || cmp(a.region.dst_addr, b.region.dst_addr));
  const vantage_points = [...points.values()].sort((a, b) => (a.kind === b.kind ? cmp(a.id, b.id) : a.kind === 'lab' ? -1 : 1));
  return {
    vantage_points,
    measurement_files,
    feasible_regions: regions.slice(0, REPORT_MAX_FEASIBLE_REGIONS).map((r) => r.region),
    feasible_regions_omitted: Math.max(0, regions.length - REPORT_MAX_FEASIBLE_REGIONS),
  };
}
