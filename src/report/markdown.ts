// report.md: a short summary for tickets and e-mail: overall counts, per vendor a verdict table with reasons and
// the top destinations, then the inputs and geolocation sources. Every data string goes through escape.markdown.

import { COVERAGE_LABEL, COVERAGE_SOURCES } from '../audit/coverage.js';
import type { FlowCoverage, ReportClaim, ReportModel, ReportVendor } from '../audit/report-model.js';
import { REPORT_MARKDOWN_TOP_DESTINATIONS } from '../limits.js';
import { markdown as md } from './escape.js';
import { bytes, grouped, isoTime, latLon, percent } from './number-format.js';

/** Destinations listed per vendor in the summary (see limits.ts). */
export const MARKDOWN_TOP_DESTINATIONS = REPORT_MARKDOWN_TOP_DESTINATIONS;

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |\n`;
}

function header(cells: readonly string[]): string {
  return row(cells) + row(cells.map(() => '---'));
}

function claimed(c: ReportClaim): string {
  const parts: string[] = [];
  if (c.country) parts.push(`country ${md(c.country)}`);
  if (c.provider) parts.push(`provider ${md(c.provider)}`);
  if (c.region) parts.push(`region ${md(c.region)}`);
  return parts.length ? parts.join(', ') : '-';
}

/** Upload per naming source: one column per scope (the vendor, then each claim), one row per source with bytes. */
function coverageTable(v: ReportVendor): string {
  const scopes: [string, FlowCoverage][] = [['Vendor: all non-local upload', v.coverage]];
  for (const c of v.claims) scopes.push([`${md(c.id)}: in scope + hidden`, c.coverage]);
  const shown = COVERAGE_SOURCES.filter((s) => scopes.some(([, c]) => c.sources[s].bytes_up > 0 || c.sources[s].flows > 0));
  let out = '### Coverage: which source names the upload\n\n';
  if (!shown.length) return out + 'No non-local upload.\n\n';
  out += 'Shares of upload bytes; each column adds up to 100 %. Sources with no traffic are left out.\n\n';
  out += header(['Source', ...scopes.map(([label]) => label)]);
  const cell = (b: { bytes_up: number; share: number }): string => `${b.share.toFixed(1)}% (${bytes(b.bytes_up)})`;
  for (const s of shown) out += row([`${md(COVERAGE_LABEL[s])} (${md(s)})`, ...scopes.map(([, c]) => cell(c.sources[s]))]);
  out += row(['**Total**', ...scopes.map(([, c]) => `${c.bytes_up > 0 ? '100.0%' : '-'} (${bytes(c.bytes_up)}, ${c.flows} flows)`)]);
  return out + '\n';
}

function vendorSection(v: ReportVendor): string {
  let out = `## ${md(v.name)}\n\n`;
  out += `${v.captures.length} capture(s), ${v.totals.flows} flow(s), ${bytes(v.totals.bytes_up)} up, ${bytes(v.totals.bytes_down)} down.\n\n`;
  if (v.claims.length) {
    out += header(['Claim', 'Text', 'Claimed', 'Scope', 'Verdict', 'In-scope upload', 'Consistent', 'Inconsistent', 'Unknown', 'Hidden']);
    for (const c of v.claims) {
      const t = c.totals;
      const up = t.in_scope.bytes_up;
      out += row([
        md(c.id),
        md(c.text),
        claimed(c),
        md(c.scope),
        `**${md(c.verdict.toUpperCase())}**${c.evidence_complete ? '' : ' (incomplete evidence)'}`,
        `${bytes(up)} (${t.in_scope.flows} flows)`,
        percent(t.consistent.bytes_up, up),
        percent(t.inconsistent.bytes_up, up),
        percent(t.unknown.bytes_up, up),
        `${bytes(t.hidden.bytes_up)} (${t.hidden.flows} flows)`,
      ]);
    }
    out += '\n';
    for (const c of v.claims) {
      out += `**${md(c.id)}: ${md(c.verdict)}**\n\n`;
      for (const r of c.reasons) out += `- ${md(r.code)}: ${md(r.text)}\n`;
      if (!c.reasons.length) out += '- (no reasons given)\n';
      out += '\n';
    }
  } else {
    out += 'No claims.\n\n';
  }
  out += coverageTable(v);
  const top = v.destinations.slice(0, MARKDOWN_TOP_DESTINATIONS);
  if (top.length) {
    out += `### Top destinations by upload (${top.length} of ${v.destinations.length})\n\n`;
    out += header(['Hostname', 'Server IP', 'Country', 'Provider', 'Region', 'Flows', 'Upload', 'Download', 'Consistency']);
    for (const d of top) {
      out += row([
        md(d.hostname ?? '(no name)'),
        md(d.server_ip),
        md(d.country ?? '??') + (d.country_agreement === 'disputed' ? ' (disputed)' : ''),
        md(d.provider ?? '-') + (d.edge ? ' (edge)' : ''),
        md(d.region ?? '-'),
        String(d.flows),
        bytes(d.bytes_up),
        bytes(d.bytes_down),
        md(d.consistency),
      ]);
    }
    out += '\n';
  }
  return out;
}

/** The model as report.md text (pure). */
export function renderMarkdown(model: ReportModel): string {
  const s = model.summary;
  let out = '# Residency audit report\n\n';
  out += `Generated ${md(model.generated_at)} by ${md(model.tool.name)} ${md(model.tool.version)} (schema ${md(model.schema)}).\n\n`;
  out += `Claims file: ${md(model.claims_file.path)} (SHA-256 ${md(model.claims_file.sha256)}).\n\n`;
  if (model.vantage) {
    const vp = model.vantage;
    out += `Vantage point: ${md(vp.name)}, ${md(vp.country)} (${latLon(vp.lat, vp.lon)}).\n\n`;
  }
  out += `Verdicts: ${s.confirmed} confirmed, ${s.refuted} refuted, ${s.inconclusive} inconclusive, ${s.unobservable} unobservable (exit code ${s.exit_code}).\n\n`;
  if (model.problems.length) {
    out += '## Capture problems: the evidence is incomplete\n\n';
    out += 'Every verdict of the vendors named here carries a capture\\_missing, capture\\_truncated or capture\\_damaged reason; a claim that would be confirmed is reported inconclusive while a listed capture is missing.\n\n';
    out += header(['Status', 'Capture', 'At byte', 'Code', 'What happened', 'Vendors']);
    for (const p of model.problems) {
      out += row([`**${md(p.status.toUpperCase())}**`, md(p.capture), p.offset !== undefined ? grouped(p.offset) : '-', md(p.code), md(p.message), md(p.vendors.join(', '))]);
    }
    out += '\n';
  }
  if (model.budget_effects?.length) {
    out += '## Memory budget reached (not damage)\n\n';
    out += 'These captures were read to the end and every byte was counted, but the memory budget ended flows early or dropped names. Every verdict of the vendors named here carries a capture\\_budget\\_limited reason saying whether that matters to it.\n\n';
    out += header(['Capture', 'What the budget did', 'Vendors']);
    for (const b of model.budget_effects) out += row([md(b.capture), md(b.message), md(b.vendors.join(', '))]);
    out += '\n';
  }
  for (const v of model.vendors) out += vendorSection(v);
  out += '## Inputs\n\n';
  out += header(['Capture', 'SHA-256', 'Bytes', 'Packets', 'First packet', 'Vendor', 'Status']);
  for (const i of model.inputs) {
    const n = (x: number | undefined): string => (x === undefined ? '-' : String(x));
    const status = i.status === 'ok' ? 'ok' : `**${md(i.status)}**${i.warnings?.length ? ` (${md(i.warnings[0].code)})` : ''}`;
    out += row([md(i.path), md(i.sha256 ?? '-'), n(i.size_bytes), n(i.packets), isoTime(i.first_ts), md(i.vendor ?? '-'), status]);
  }
  if (model.measurement_files !== undefined) {
    out += '\n## Measurement files\n\n';
    if (model.measurement_files.length === 0) out += 'None listed: the captures\' handshakes from their labs are the only round trips.\n';
    else {
      out += header(['File', 'Kind', 'SHA-256', 'Lab or probes file', 'Measurements', 'Problems']);
      for (const f of model.measurement_files) {
        const where = f.probes !== undefined ? `${md(f.probes.path)} (${f.probes.count} probes, SHA-256 ${md(f.probes.sha256)})` : md(f.vantage ?? '-');
        out += row([md(f.path), md(f.kind), md(f.sha256), where, String(f.measurements), String(f.warnings.length + f.warnings_omitted)]);
      }
    }
  }
  if ((model.vantage_points ?? []).length > 0) {
    out += '\n## Vantage points\n\n';
    out += header(['Id', 'Name', 'Kind', 'Country', 'Position']);
    for (const v of model.vantage_points ?? []) out += row([md(v.id), md(v.name), v.kind, md(v.country ?? '-'), latLon(v.lat, v.lon)]);
  }
  out += '\n## Geolocation sources\n\n';
  const problems = model.geo_sources.some((g) => g.problem !== undefined);
  out += header(['Source', 'Kind', 'Version', 'SHA-256', ...(problems ? ['Problem'] : [])]);
  for (const g of model.geo_sources) {
    out += row([md(g.source), md(g.kind), md(g.version ?? g.build_date ?? '-'), md(g.sha256), ...(problems ? [md(g.problem ?? '-')] : [])]);
  }
  return out;
}
