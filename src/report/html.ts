// report.html: one self-contained page (inline CSS, inline SVG, one small inline script pinned by a CSP hash; no
// network, fonts or images) that an auditor can open and print: verdict summary per vendor, a world map of the lab
// and every destination, upload charts per country and provider, destinations (sortable), the evidence for each
// verdict, and the provenance appendix. Pure and deterministic; every data string is escaped (escape.ts).

import type { ReportClaim, ReportModel, ReportVendor } from '../audit/report-model.js';
import { renderBarChart } from './chart-svg.js';
import { coverageSection } from './coverage-html.js';
import { attr, html } from './escape.js';
import { CSP, CSS, SCRIPT } from './html-assets.js';
import { destinationsTable, devicesTable, evidenceTable, nameSpan, provenance } from './html-tables.js';
import { isRuledOut, LAT_TOP, renderMapSvg, ruledOutSources, WIDTH, type MapPoint } from './map-svg.js';
import { bytes, grouped, latLon, percent } from './number-format.js';
import { worldMapPaths } from './world-map.js';

function badge(verdict: string): string {
  return `<span${attr('class', `badge v-${verdict}`)}>${html(verdict)}</span>`;
}

/** Next to a verdict whose evidence is incomplete (a capture missing, truncated or damaged). */
function incomplete(c: ReportClaim): string {
  return c.evidence_complete ? '' : ' <span class="badge incomplete" title="a capture of this vendor is missing, truncated or damaged, or the memory budget left names out of an undecided verdict: see the reasons">incomplete evidence</span>';
}

/** The capture problems, at the top of the page: what was not seen, and which vendors' verdicts it touches. */
function problemsBox(model: ReportModel): string {
  if (!model.problems.length) return '';
  const n = (s: string): number => model.problems.filter((p) => p.status === s).length;
  let out = '<section id="problems" class="problems"><h2>Capture problems: the evidence is incomplete</h2>';
  out += `<p>${n('missing')} missing, ${n('truncated')} truncated, ${n('damaged')} damaged. Every verdict of the vendors named below carries a <code>capture_missing</code>, <code>capture_truncated</code> or <code>capture_damaged</code> reason; a claim that would be confirmed is reported inconclusive while a listed capture is missing.</p>`;
  out += '<ul>';
  for (const p of model.problems) {
    const at = p.offset !== undefined ? ` at byte ${grouped(p.offset)}` : '';
    out += `<li><strong${attr('class', `st-${p.status}`)}>${html(p.status)}</strong> ${nameSpan(p.capture)}${html(at)}: ${html(p.message)} <code>${html(p.code)}</code>`;
    out += ` <span class="note">(vendor${p.vendors.length === 1 ? '' : 's'}: ${p.vendors.map((v) => nameSpan(v)).join(', ') || '-'})</span></li>`;
  }
  return out + '</ul></section>';
}

/** Captures the memory budget touched: read to the end, every byte counted, some names possibly missing. */
function budgetBox(model: ReportModel): string {
  const list = model.budget_effects ?? [];
  if (!list.length) return '';
  let out = '<section id="budget" class="problems"><h2>Memory budget reached (not damage)</h2>';
  out += '<p>These captures were read to the end and every byte was counted, but the memory budget ended flows early or dropped names. Every verdict of the vendors named below carries a <code>capture_budget_limited</code> reason saying whether that matters to it.</p><ul>';
  for (const b of list) {
    out += `<li>${nameSpan(b.capture)}: ${html(b.message)} <code>${html(b.code)}</code>`;
    out += ` <span class="note">(vendor${b.vendors.length === 1 ? '' : 's'}: ${b.vendors.map((v) => nameSpan(v)).join(', ') || '-'})</span></li>`;
  }
  return out + '</ul></section>';
}

function claimedParts(c: ReportClaim): string {
  const parts: string[] = [];
  if (c.country) parts.push(`country ${c.country}`);
  if (c.provider) parts.push(`provider ${c.provider}`);
  if (c.region) parts.push(`region ${c.region}`);
  return html(parts.length ? parts.join(', ') : '-');
}

function anchor(vendorIndex: number, suffix = ''): string {
  return `vendor-${vendorIndex + 1}${suffix}`;
}

function reasonsList(c: ReportClaim): string {
  if (!c.reasons.length) return '<p class="note">No reasons given.</p>';
  return `<ul class="reasons">${c.reasons.map((r) => `<li><code>${html(r.code)}</code> ${html(r.text)}</li>`).join('')}</ul>`;
}

function totalsLine(c: ReportClaim): string {
  const t = c.totals;
  const up = t.in_scope.bytes_up;
  return (
    `<p class="meta">In scope: ${html(bytes(up))} up in ${t.in_scope.flows} flow(s). ` +
    `<span class="s-consistent">Consistent ${html(percent(t.consistent.bytes_up, up))}</span> (${t.consistent.flows}), ` +
    `<span class="s-inconsistent">inconsistent ${html(percent(t.inconsistent.bytes_up, up))}</span> (${t.inconsistent.flows}), ` +
    `<span class="s-unknown">unknown ${html(percent(t.unknown.bytes_up, up))}</span> (${t.unknown.flows}). ` +
    `Hidden (ECH, DoH, undecryptable QUIC, no name): ${html(bytes(t.hidden.bytes_up))} up in ${t.hidden.flows} flow(s).</p>`
  );
}

function summaryTable(model: ReportModel): string {
  let out = '<div class="table-wrap"><table class="summary">';
  out += '<thead><tr><th>Vendor</th><th>Claim</th><th>Statement</th><th>Claimed</th><th>Verdict</th><th>Main reason</th><th class="num">In-scope upload</th><th class="num">Consistent</th><th class="num">Inconsistent</th><th class="num">Unknown</th></tr></thead><tbody>';
  model.vendors.forEach((v, vi) => {
    if (!v.claims.length) {
      out += `<tr><td><a${attr('href', `#${anchor(vi)}`)}>${nameSpan(v.name)}</a></td><td colspan="9" class="note">No claims.</td></tr>`;
    }
    v.claims.forEach((c, ci) => {
      const t = c.totals;
      const up = t.in_scope.bytes_up;
      out += '<tr>';
      out += `<td><a${attr('href', `#${anchor(vi)}`)}>${nameSpan(v.name)}</a></td>`;
      out += `<td><a${attr('href', `#${anchor(vi, `-claim-${ci + 1}`)}`)}><code>${html(c.id)}</code></a></td>`;
      out += `<td>${html(c.text)}</td><td>${claimedParts(c)}</td><td>${badge(c.verdict)}${incomplete(c)}</td>`;
      out += `<td>${c.reasons.length ? `<code>${html(c.reasons[0].code)}</code>` : '-'}</td>`;
      out += `<td class="num"${attr('title', `${up} bytes`)}>${html(bytes(up))}</td>`;
      out += `<td class="num">${html(percent(t.consistent.bytes_up, up))}</td><td class="num">${html(percent(t.inconsistent.bytes_up, up))}</td><td class="num">${html(percent(t.unknown.bytes_up, up))}</td>`;
      out += '</tr>';
    });
  });
  return out + '</tbody></table></div>';
}

function legendDot(cls: string, text: string): string {
  return `<span><svg viewBox="0 0 14 14" aria-hidden="true"><circle${attr('class', `dest ${cls}`)} cx="7" cy="7" r="6"/></svg> ${html(text)}</span>`;
}

function mapSection(model: ReportModel): string {
  const points: MapPoint[] = [];
  for (const v of model.vendors) for (const d of v.destinations) points.push({ vendor: v.name, destination: d });
  const drawn = points.filter((p) => Number.isFinite(p.destination.lat) && Number.isFinite(p.destination.lon));
  const placed = drawn.length;
  const maxUp = drawn.reduce((m, p) => Math.max(m, p.destination.bytes_up), 0);
  let out = '<section id="map"><h2>Where the data went</h2>';
  out += `<div class="map-wrap">${renderMapSvg(points, model.vantage, { vantagePoints: model.vantage_points, regions: model.feasible_regions })}</div>`;
  out += '<div class="legend">';
  out += `<span><svg viewBox="0 0 14 14" aria-hidden="true"><path d="M7 0L13 7L7 14L1 7Z" fill="#111"/></svg> lab${model.vantage ? `: ${html(model.vantage.name)} (${html(latLon(model.vantage.lat, model.vantage.lon))})` : ' (no vantage point given)'}</span>`;
  out += legendDot('c-consistent', 'consistent with the claims');
  out += legendDot('c-inconsistent', 'inconsistent');
  out += legendDot('c-unknown', 'unknown');
  out += legendDot('c-out', 'out of scope');
  out += `<span>circle area ∝ upload bytes (largest: ${html(bytes(maxUp))})</span>`;
  out += '<span><svg viewBox="0 0 14 14" aria-hidden="true"><g class="ruled-out c-unknown"><circle cx="7" cy="7" r="5.5"/><path d="M3 3L11 11M3 11L11 3"/></g></svg> consensus position ruled out by the RTT check (not a real location)</span>';
  out += '<span><svg viewBox="0 0 14 14" aria-hidden="true"><path class="src-ruled-out" d="M3 3L11 11M3 11L11 3"/></svg> one source\'s position ruled out by the RTT check</span>';
  const probes = (model.vantage_points ?? []).filter((v) => v.kind === 'probe').length;
  const regions = model.feasible_regions ?? [];
  if (probes > 0) out += `<span><svg viewBox="0 0 14 14" aria-hidden="true"><path class="probe" d="M7 2L12 11L2 11Z"/></svg> RIPE Atlas probe (${probes})</span>`;
  if (regions.length > 0) {
    out += '<span><svg viewBox="0 0 14 14" aria-hidden="true"><circle class="feasible-disc" cx="7" cy="7" r="6"/></svg> reach of one measurement</span>';
    out += '<span><svg viewBox="0 0 14 14" aria-hidden="true"><circle class="feasible-area" cx="7" cy="7" r="6"/></svg> feasible region: inside every disc of an address</span>';
    if (regions.some((r) => r.anycast !== undefined)) out += '<span><svg viewBox="0 0 14 14" aria-hidden="true"><g class="anycast"><circle class="feasible-disc" cx="7" cy="7" r="6"/></g></svg> anycast: discs that cannot meet</span>';
  }
  out += '</div>';
  const ruledOut = drawn.filter((p) => isRuledOut(p.destination)).length;
  const sourcesOut = ruledOutSources(points).length;
  out += `<p class="note">${placed} of ${points.length} destination(s) have coordinates and are drawn. Coordinates are the consensus of the geolocation sources (database positions, often a country or city centroid). ${worldMapPaths({ width: WIDTH, latTop: LAT_TOP }) ? 'Land and borders: Natural Earth 1:110m (see the provenance appendix).' : 'Land outlines are missing: the world-atlas package could not be read (reinstall residency).'}</p>`;
  if (ruledOut + sourcesOut > 0) {
    out += `<p class="note ruled-out-note"><strong>Ruled out by the RTT check:</strong> ${ruledOut} consensus position(s) and ${sourcesOut} source position(s) are physically impossible for the handshake round trip measured from the lab (light in fibre covers about 100 km per millisecond), so the server is not there. They are drawn crossed out where the databases put them, with no line from the lab.</p>`;
  }
  if (regions.length > 0) {
    const any = regions.filter((r) => r.anycast !== undefined).length;
    const omitted = model.feasible_regions_omitted ?? 0;
    out += `<p class="note">Feasible regions of ${regions.length} address(es) measured by a lab or probe${omitted > 0 ? ` (${omitted} more not drawn)` : ''}: each disc is how far the server can be from one lab or probe (round trip × 100 km/ms, plus 50 km for the positions); the server is where all of an address's discs overlap (the feasible region, filled darker).${any > 0 ? ` ${any} address(es) have discs that cannot meet: they answer from several places (anycast) and are treated as edges.` : ''}</p>`;
  }
  return out + '</section>';
}

function vendorSection(v: ReportVendor, vi: number): string {
  let out = `<section class="vendor"${attr('id', anchor(vi))}><h2>${nameSpan(v.name)}</h2>`;
  out += `<p class="meta">${v.captures.length} capture(s), ${v.devices.length} device(s), ${v.totals.flows} flow(s), ${html(bytes(v.totals.bytes_up))} up, ${html(bytes(v.totals.bytes_down))} down. First-party domains: ${v.first_party.length ? v.first_party.map((d) => nameSpan(d)).join(', ') : '-'}.</p>`;
  v.claims.forEach((c, ci) => {
    out += `<div class="claim"${attr('id', anchor(vi, `-claim-${ci + 1}`))}>`;
    out += `<h3>${badge(c.verdict)}${incomplete(c)} <code>${html(c.id)}</code> ${html(c.text)}</h3>`;
    out += `<p class="meta">Claimed: ${claimedParts(c)}; scope: ${html(c.scope)}.</p>`;
    out += reasonsList(c) + totalsLine(c);
    out += `<h4>Evidence (${c.evidence.length} flow(s) listed)</h4>`;
    out += evidenceTable(c.evidence, c.evidence_omitted);
    out += '</div>';
  });
  out += coverageSection(v);
  out += '<h3>Upload by country and provider</h3><div class="charts">';
  out += renderBarChart('Upload bytes per country (consensus)', v.bytes_by_country);
  out += renderBarChart('Upload bytes per provider', v.bytes_by_provider);
  out += '</div>';
  out += `<h3>Destinations (${v.destinations.length})</h3><p class="note">Click a column header to sort.</p>`;
  out += destinationsTable(v.destinations);
  out += `<h3>Devices (${v.devices.length})</h3>` + devicesTable(v.devices);
  return out + '</section>';
}

/** The model as one self-contained report.html (pure). */
export function renderHtml(model: ReportModel): string {
  const s = model.summary;
  let out = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">';
  out += `<meta http-equiv="Content-Security-Policy"${attr('content', CSP)}>`;
  out += '<meta name="viewport" content="width=device-width, initial-scale=1">';
  out += '<meta name="referrer" content="no-referrer">';
  out += `<title>Residency audit report</title><style>${CSS}</style></head><body>`;
  out += '<header><h1>Residency audit report</h1>';
  out += `<p class="meta">Generated <span class="mono">${html(model.generated_at)}</span> by ${html(model.tool.name)} ${html(model.tool.version)}; claims file ${nameSpan(model.claims_file.path)}.</p>`;
  out += `<p class="counts">${badge('confirmed')}${s.confirmed} ${badge('refuted')}${s.refuted} ${badge('inconclusive')}${s.inconclusive} ${badge('unobservable')}${s.unobservable} <span class="note">exit code ${s.exit_code}</span></p>`;
  out += `<nav class="toc">${model.problems.length ? '<a href="#problems">Capture problems</a>' : ''}<a href="#summary">Summary</a><a href="#map">Map</a>`;
  model.vendors.forEach((v, vi) => {
    out += `<a${attr('href', `#${anchor(vi)}`)}>${html(v.name.length > 40 ? `${v.name.slice(0, 40)}…` : v.name)}</a>`;
  });
  out += '<a href="#provenance">Provenance</a></nav></header>';
  out += problemsBox(model);
  out += budgetBox(model);
  out += `<section id="summary"><h2>Verdicts</h2>${summaryTable(model)}</section>`;
  out += mapSection(model);
  model.vendors.forEach((v, vi) => {
    out += vendorSection(v, vi);
  });
  out += `<section class="appendix" id="provenance"><h2>Provenance</h2>${provenance(model)}</section>`;
  out += `<script>${SCRIPT}</script></body></html>\n`;
  return out;
}
