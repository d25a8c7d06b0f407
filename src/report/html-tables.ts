// HTML tables of the report: destinations (sortable), the evidence flows of a claim, devices, and the provenance
// appendix (inputs, geolocation sources, tool and options). Pure string builders; every data value is escaped
// via escape.ts, names are shown in a `.name` span (CSS-truncated, full text in its title attribute).

import type { EvidenceFlow, ReportDestination, ReportDevice, ReportGeoSource, ReportModel } from '../audit/report-model.js';
import { REPORT_HTML_NAME_DISPLAY_CHARS } from '../limits.js';
import { attr, html } from './escape.js';
import { bytes, grouped, isoTime } from './number-format.js';
import { mapAttribution } from './world-map.js';

/** Characters of a name shown in a cell (see limits.ts). */
export const HTML_NAME_DISPLAY_CHARS = REPORT_HTML_NAME_DISPLAY_CHARS;

/** A capture-derived name: escaped, visually truncated by CSS, full text in the title attribute. */
export function nameSpan(name: string | undefined, empty = '(no name)'): string {
  if (name === undefined || name === '') return `<span class="note">${html(empty)}</span>`;
  const shown = name.length > HTML_NAME_DISPLAY_CHARS ? `${name.slice(0, HTML_NAME_DISPLAY_CHARS)}…` : name;
  return `<span class="name"${attr('title', name)}>${html(shown)}</span>`;
}

function td(content: string, cls?: string, sort?: string | number): string {
  return `<td${attr('class', cls)}${attr('data-sort', sort)}>${content}</td>`;
}

function numTd(n: number | undefined, shown?: string): string {
  if (n === undefined) return td('-', 'num', '');
  return td(html(shown ?? grouped(n)), 'num', n);
}

function bytesTd(n: number): string {
  return `<td class="num"${attr('data-sort', n)}${attr('title', `${grouped(n)} bytes`)}>${html(bytes(n))}</td>`;
}

function head(cols: readonly (string | [string, 'num'])[]): string {
  return `<thead><tr>${cols.map((c) => (typeof c === 'string' ? `<th>${html(c)}</th>` : `<th class="num">${html(c[0])}</th>`)).join('')}</tr></thead>`;
}

function status(s: string): string {
  return `<span${attr('class', `s-${s}`)}>${html(s.replace(/_/g, ' '))}</span>`;
}

/** `dbip-city SG Singapore, geolite2-city NL (impossible)` */
export function sourcesText(sources: readonly ReportGeoSource[]): string {
  return sources.map((s) => `${s.source} ${s.country ?? '??'}${s.city ? ` ${s.city}` : ''}${s.physical === 'impossible' ? ' (impossible)' : ''}`).join(', ');
}

function countryCell(country: string | undefined, agreement: string | undefined, sources: readonly ReportGeoSource[]): string {
  const text = `${country ?? '??'}${agreement && agreement !== 'agree' ? ` (${agreement})` : ''}`;
  return `<td${attr('title', sourcesText(sources))}${attr('data-sort', country ?? '')}>${html(text)}</td>`;
}

/** The vendor's destinations, sortable by any column (unsorted, in the model's order, without scripts). */
export function destinationsTable(rows: readonly ReportDestination[]): string {
  if (!rows.length) return '<p class="note">No destinations.</p>';
  let out = '<div class="table-wrap"><table class="sortable destinations">';
  out += head(['Hostname', 'Server IP', 'Country', 'Provider', 'Region', 'Edge', 'Physical', ['Flows', 'num'], ['Upload', 'num'], ['Download', 'num'], '1st party', 'Consistency', 'Claims']);
  out += '<tbody>';
  for (const d of rows) {
    out += '<tr>';
    out += td(nameSpan(d.hostname), undefined, d.hostname ?? '');
    out += td(html(d.server_ip), 'ip');
    out += countryCell(d.country, d.country_agreement, d.geo_sources);
    out += td(html(d.provider ?? '-'));
    out += td(html(d.region ?? '-'));
    out += td(d.edge ? 'edge' : '-');
    out += td(status(d.physical));
    out += numTd(d.flows);
    out += bytesTd(d.bytes_up);
    out += bytesTd(d.bytes_down);
    out += td(d.first_party ? 'yes' : 'no');
    out += td(status(d.consistency), undefined, d.consistency);
    out += td(html(d.claims.map((c) => `${c.id}: ${c.status}`).join(', ') || '-'));
    out += '</tr>';
  }
  return out + '</tbody></table></div>';
}

const PART_MARK: Record<string, string> = { consistent: '✓', inconsistent: '✗', unknown: '?' };

/** Per claim part: `country ✗ provider ✓` (marks coloured; the word is in the title for screen readers/printing). */
function parts(f: EvidenceFlow): string {
  const list: string[] = [];
  for (const [part, s] of [['country', f.country_status], ['provider', f.provider_status], ['region', f.region_status]] as const) {
    if (s === 'not_claimed') continue;
    list.push(`<span${attr('class', `s-${s}`)}${attr('title', `${part} ${s}`)}>${part} ${PART_MARK[s]}</span>`);
  }
  if (f.claimed_location_impossible) list.push('<strong class="s-inconsistent" title="the claimed location is physically impossible given the RTT">claimed place impossible</strong>');
  return list.join('<br>');
}

/** The evidence flows of one claim (model order: inconsistent, unknown, consistent; bytes up descending). */
export function evidenceTable(rows: readonly EvidenceFlow[], omitted: number): string {
  if (!rows.length) return '<p class="note">No in-scope flows.</p>';
  let out = '<div class="table-wrap"><table class="sortable evidence">';
  out += head(['Status', 'Hostname', 'Server', 'Country', 'Provider', ['RTT ms', 'num'], 'Physical', ['Upload', 'num'], ['Download', 'num'], 'Seen in', 'Device / app']);
  out += '<tbody>';
  for (const f of rows) {
    const how = [f.name_source ?? '', f.ech ? 'ECH' : ''].filter(Boolean).join(', ');
    out += '<tr>';
    out += td(`${status(f.status)}<br>${parts(f)}`, 'parts', f.status);
    out += td(`${nameSpan(f.hostname, f.hidden ? `(hidden: ${f.hidden})` : '(no name)')}${how ? `<br><span class="note">${html(how)}</span>` : ''}`, undefined, f.hostname ?? '');
    out += td(`${html(f.server_ip)}<br>${html(`${f.transport}/${f.server_port}`)}`, 'ip', f.server_ip);
    const agreement = f.country_agreement && f.country_agreement !== 'agree' ? ` (${f.country_agreement})` : '';
    out += td(`${html(`${f.country ?? '??'}${agreement}`)}<br><span class="note">${html(sourcesText(f.geo_sources))}</span>`, 'geo', f.country ?? '');
    const provider = `${f.provider ?? '-'}${f.edge ? ' (edge)' : ''}`;
    out += td(`${html(provider)}${f.region ? `<br><span class="note">${html(f.region)}</span>` : ''}`, undefined, f.provider ?? '');
    out += numTd(f.rtt_ms, f.rtt_ms === undefined ? undefined : f.rtt_ms.toFixed(1));
    out += td(status(f.physical));
    out += bytesTd(f.bytes_up);
    out += bytesTd(f.bytes_down);
    out += td(`${nameSpan(f.capture, '-')}<br><span class="note">${f.first_frame !== undefined ? `frame ${f.first_frame}, ` : ''}${html(isoTime(f.first_seen))}</span>`, 'seen', `${f.capture} ${String(f.first_frame ?? 0).padStart(12, '0')}`);
    out += td(html(f.app ? `${f.device} / ${f.app}` : f.device));
    out += '</tr>';
  }
  out += '</tbody></table></div>';
  if (omitted > 0) out += `<p class="note">${grouped(omitted)} more in-scope flow(s) not listed (see flows.csv).</p>`;
  return out;
}

/** Handsets told apart in the vendor's captures. */
export function devicesTable(rows: readonly ReportDevice[]): string {
  if (!rows.length) return '<p class="note">No devices.</p>';
  let out = '<div class="table-wrap"><table class="devices">';
  out += head(['Device', 'Client IP', 'MAC', ['Flows', 'num'], ['Upload', 'num'], ['Download', 'num'], 'Apps']);
  out += '<tbody>';
  for (const d of rows) {
    out += `<tr>${td(nameSpan(d.label))}${td(html(d.client_ip), 'ip')}${td(html(d.client_mac ?? '-'), 'ip')}${numTd(d.flows)}${bytesTd(d.bytes_up)}${bytesTd(d.bytes_down)}${td(d.apps.map((a) => nameSpan(a)).join(', ') || '-')}</tr>`;
  }
  return out + '</tbody></table></div>';
}

/** An input's read status; the reader's first warnings (or why it is missing) underneath. */
function inputStatusTd(i: ReportModel['inputs'][number]): string {
  if (i.status === 'ok') return td('ok');
  const detail = i.status === 'missing' ? [i.missing_reason ?? ''] : (i.warnings ?? []).slice(0, 3).map((w) => `${w.code}${w.offset !== undefined ? ` at byte ${grouped(w.offset)}` : ''}: ${w.message}`);
  const more = (i.warnings?.length ?? 0) + (i.warnings_omitted ?? 0) - Math.min(3, i.warnings?.length ?? 0);
  if (more > 0) detail.push(`${grouped(more)} more warning(s)`);
  return td(`<strong${attr('class', `st-${i.status}`)}>${html(i.status)}</strong>${detail.map((d) => `<br><span class="note">${html(d)}</span>`).join('')}`);
}

/** Provenance appendix: inputs with hashes, geolocation sources with versions and hashes, tool and options. */
/** The measurement files (and RIPE Atlas probe files) with their hashes, and the vantage points used. */
function measurementFilesHtml(model: ReportModel): string {
  const files = model.measurement_files;
  if (files === undefined) return '';
  let out = '<h3>Measurement files</h3>';
  if (files.length === 0) out += '<p class="note">The claims file lists no measurement files; the captures\' handshakes from their labs are the only round trips.</p>';
  else {
    out += '<div class="table-wrap"><table class="measurement-files">';
    out += head(['File', 'Kind', 'SHA-256', 'Lab or probes file', ['Measurements', 'num'], ['Problems', 'num']]);
    out += '<tbody>';
    for (const f of files) {
      const where = f.probes !== undefined ? `${nameSpan(f.probes.path)} (${f.probes.count} probes) <code class="hash">${html(f.probes.sha256)}</code>` : html(f.vantage ?? '-');
      out += `<tr>${td(nameSpan(f.path))}${td(html(f.kind))}${td(html(f.sha256), 'hash')}${td(where)}${numTd(f.measurements)}${numTd(f.warnings.length + f.warnings_omitted)}</tr>`;
    }
    out += '</tbody></table></div>';
  }
  const points = model.vantage_points ?? [];
  if (points.length > 0) {
    out += '<h3>Vantage points</h3><div class="table-wrap"><table class="vantage-points">';
    out += head(['Id', 'Name', 'Kind', 'Country', 'Position']);
    out += '<tbody>';
    for (const v of points) out += `<tr>${td(html(v.id), 'mono')}${td(nameSpan(v.name))}${td(html(v.kind))}${td(html(v.country ?? '-'))}${td(html(`${v.lat.toFixed(4)}, ${v.lon.toFixed(4)}`), 'mono')}</tr>`;
    out += '</tbody></table></div>';
  }
  return out;
}

export function provenance(model: ReportModel): string {
  let out = '<h3>Inputs</h3>';
  out += `<p>Claims file: ${nameSpan(model.claims_file.path)} <code>sha256:${html(model.claims_file.sha256)}</code></p>`;
  out += '<div class="table-wrap"><table class="inputs">';
  out += head(['Capture', 'SHA-256', ['Bytes', 'num'], ['Packets', 'num'], 'Link types', 'First packet (UTC)', 'Last packet (UTC)', 'Vendor', 'Device', 'Status']);
  out += '<tbody>';
  for (const i of model.inputs) {
    out += `<tr>${td(nameSpan(i.path))}${td(html(i.sha256 ?? '-'), 'hash')}${numTd(i.size_bytes)}${numTd(i.packets)}${td(html(i.link_types?.join(', ') ?? '-'))}`;
    out += `${td(html(isoTime(i.first_ts)), 'mono')}${td(html(isoTime(i.last_ts)), 'mono')}${td(html(i.vendor ?? '-'))}${td(html(i.device ?? '-'))}${inputStatusTd(i)}</tr>`;
  }
  out += '</tbody></table></div>';
  out += '<h3>Geolocation sources</h3><div class="table-wrap"><table class="geo-sources">';
  // A Problem column only when a file answered nothing or less than asked (geo_sources[].problem).
  const problems = model.geo_sources.some((g) => g.problem !== undefined);
  out += head(['Source', 'Kind', 'Version', 'Build date', 'Database type', 'Licence', 'File', 'SHA-256', ...(problems ? ['Problem'] : [])]);
  out += '<tbody>';
  for (const g of model.geo_sources) {
    out += `<tr>${td(html(g.source))}${td(html(g.kind))}${td(html(g.version ?? '-'))}${td(html(g.build_date ?? '-'))}${td(html(g.database_type ?? '-'))}${td(html(g.licence ?? '-'))}${td(nameSpan(g.file))}${td(html(g.sha256), 'hash')}`;
    out += `${problems ? td(html(g.problem ?? '-')) : ''}</tr>`;
  }
  out += '</tbody></table></div>';
  out += measurementFilesHtml(model);
  out += `<h3>Map data</h3><p>${html(mapAttribution())}</p>`;
  const opts = model.tool.options;
  out += '<h3>Tool and options</h3><table class="options"><tbody>';
  out += `<tr><th>Tool</th>${td(html(`${model.tool.name} ${model.tool.version}`))}</tr>`;
  out += `<tr><th>Report schema</th>${td(html(model.schema))}</tr>`;
  out += `<tr><th>Generated at</th>${td(html(model.generated_at), 'mono')}</tr>`;
  out += `<tr><th>Formats</th>${td(html(opts.formats.join(', ')))}</tr>`;
  if (opts.geo_dir !== undefined) out += `<tr><th>Geolocation data</th>${td(nameSpan(opts.geo_dir))}</tr>`;
  for (const key of Object.keys(opts.thresholds).sort()) {
    out += `<tr><th>${html(key)}</th>${td(html(String(opts.thresholds[key])), 'mono')}</tr>`;
  }
  if (model.vantage) {
    const v = model.vantage;
    out += `<tr><th>Vantage point</th>${td(html(`${v.name} (${v.country}) ${v.lat.toFixed(4)}, ${v.lon.toFixed(4)}`))}</tr>`;
  }
  return out + '</tbody></table>';
}
