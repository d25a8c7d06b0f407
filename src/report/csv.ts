// flows.csv, destinations.csv and coverage.csv: every flow (streamed from the case store) and every listed destination
// of every vendor, one row each, and
// upload per naming source per vendor and claim (coverage.csv), RFC 4180
// (CRLF records, quoted cells where needed) with formula-injection neutralising (see escape.ts csvCell).
// Column order is fixed here; rows keep the model's documented order (vendors as listed, then the model's sort).

import { COVERAGE_KIND, COVERAGE_SOURCES } from '../audit/coverage.js';
import type { FlowCoverage, ReportDestination, ReportFlow, ReportGeoSource, ReportModel } from '../audit/report-model.js';
import { csvRow } from './escape.js';
import { isoTime } from './number-format.js';

type Cell = string | number | boolean | undefined;

/** `dbip-city=SG;geolite2-city=SG` (source ids sorted by the model). */
function geoSourcesCell(sources: readonly ReportGeoSource[]): string {
  return sources.map((s) => `${s.source}=${s.country ?? '??'}${s.physical === 'impossible' ? '(impossible)' : ''}`).join(';');
}

const FLOW_COLUMNS: readonly [string, (f: ReportFlow) => Cell][] = [
  ['capture', (f) => f.capture],
  ['capture_sha256', (f) => f.capture_sha256],
  ['flow_id', (f) => f.flow_id],
  ['uid', (f) => f.uid],
  ['community_id', (f) => f.community_id],
  ['device', (f) => f.device],
  ['app', (f) => f.app],
  ['transport', (f) => f.transport],
  ['client_ip', (f) => f.client_ip],
  ['client_port', (f) => f.client_port],
  ['client_mac', (f) => f.client_mac],
  ['server_ip', (f) => f.server_ip],
  ['server_port', (f) => f.server_port],
  ['hostname', (f) => f.hostname],
  ['name_source', (f) => f.name_source],
  ['sni', (f) => f.sni],
  ['quic', (f) => f.quic],
  ['http_host', (f) => f.http_host],
  ['dns_qname', (f) => f.dns_qname],
  ['cname_chain', (f) => f.cname_chain?.join(' > ')],
  ['ech', (f) => f.ech],
  ['first_frame', (f) => f.first_frame],
  ['first_seen', (f) => f.first_seen],
  ['first_seen_utc', (f) => isoTime(f.first_seen)],
  ['last_seen', (f) => f.last_seen],
  ['packets_up', (f) => f.packets_up],
  ['packets_down', (f) => f.packets_down],
  ['bytes_up', (f) => f.bytes_up],
  ['bytes_down', (f) => f.bytes_down],
  ['first_party', (f) => f.first_party],
  ['hidden', (f) => f.hidden],
  ['country', (f) => f.country],
  ['country_agreement', (f) => f.country_agreement],
  ['geo_sources', (f) => geoSourcesCell(f.geo_sources)],
  ['city', (f) => f.city],
  ['lat', (f) => f.lat],
  ['lon', (f) => f.lon],
  ['asn', (f) => f.asn],
  ['as_org', (f) => f.as_org],
  ['provider', (f) => f.provider],
  ['region', (f) => f.region],
  ['edge', (f) => f.edge],
  ['rtt_ms', (f) => f.rtt_ms],
  ['physical', (f) => f.physical],
];

const DESTINATION_COLUMNS: readonly [string, (d: ReportDestination) => Cell][] = [
  ['server_ip', (d) => d.server_ip],
  ['hostname', (d) => d.hostname],
  ['flows', (d) => d.flows],
  ['bytes_up', (d) => d.bytes_up],
  ['bytes_down', (d) => d.bytes_down],
  ['first_party', (d) => d.first_party],
  ['country', (d) => d.country],
  ['country_agreement', (d) => d.country_agreement],
  ['geo_sources', (d) => geoSourcesCell(d.geo_sources)],
  ['lat', (d) => d.lat],
  ['lon', (d) => d.lon],
  ['provider', (d) => d.provider],
  ['region', (d) => d.region],
  ['edge', (d) => d.edge],
  ['physical', (d) => d.physical],
  ['consistency', (d) => d.consistency],
  ['claims', (d) => d.claims.map((c) => `${c.id}=${c.status}`).join(';')],
];

function table<T>(model: ReportModel, columns: readonly [string, (row: T) => Cell][], rows: (v: ReportModel['vendors'][number]) => readonly T[]): string {
  let out = csvRow(['vendor', ...columns.map(([name]) => name)]);
  for (const vendor of model.vendors) {
    for (const row of rows(vendor)) out += csvRow([vendor.name, ...columns.map(([, get]) => get(row))]);
  }
  return out;
}

/** flows.csv's header record. */
export function flowsCsvHeader(): string {
  return csvRow(['vendor', ...FLOW_COLUMNS.map(([name]) => name)]);
}

/** One flows.csv record. */
export function flowsCsvRow(vendor: string, f: ReportFlow): string {
  return csvRow([vendor, ...FLOW_COLUMNS.map(([, get]) => get(f))]);
}

/** Every flow of each vendor (model order), for flows.csv: `flows(i)` gives vendor i's flows in report order. */
export type VendorFlows = (vendorIndex: number) => AsyncIterable<ReportFlow> | Iterable<ReportFlow>;

/** flows.csv text, in memory (tests, small cases); writeReports streams it. */
export async function renderFlowsCsv(model: ReportModel, flows: VendorFlows): Promise<string> {
  let out = flowsCsvHeader();
  for (let i = 0; i < model.vendors.length; i++) for await (const f of flows(i)) out += flowsCsvRow(model.vendors[i].name, f);
  return out;
}

/** destinations.csv text (pure). */
export function renderDestinationsCsv(model: ReportModel): string {
  return table(model, DESTINATION_COLUMNS, (v) => v.destinations);
}

/** Columns of coverage.csv: one row per vendor or claim scope and coverage source (zeros included). */
export const COVERAGE_COLUMNS = ['vendor', 'scope', 'claim', 'source', 'kind', 'bytes_up', 'flows', 'share_pct'] as const;

/** coverage.csv text (pure): for each vendor, its own scope then each claim's, every source in report order. */
export function renderCoverageCsv(model: ReportModel): string {
  let out = csvRow([...COVERAGE_COLUMNS]);
  const rows = (vendor: string, claim: string | undefined, c: FlowCoverage): void => {
    for (const s of COVERAGE_SOURCES) {
      const b = c.sources[s];
      out += csvRow([vendor, c.scope, claim, s, COVERAGE_KIND[s], b.bytes_up, b.flows, b.share.toFixed(1)]);
    }
  };
  for (const v of model.vendors) {
    rows(v.name, undefined, v.coverage);
    for (const c of v.claims) rows(v.name, c.id, c.coverage);
  }
  return out;
}

/** The CSV exports, keyed by file name. */
export async function renderCsv(model: ReportModel, flows: VendorFlows): Promise<{ 'flows.csv': string; 'destinations.csv': string; 'coverage.csv': string }> {
  return { 'flows.csv': await renderFlowsCsv(model, flows), 'destinations.csv': renderDestinationsCsv(model), 'coverage.csv': renderCoverageCsv(model) };
}
