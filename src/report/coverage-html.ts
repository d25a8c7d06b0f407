// The HTML report's coverage section for one vendor: a stacked bar per scope (the vendor's non-local upload, then
// each claim's in-scope + hidden upload) split by the source that names the bytes, and a table with the bytes,
// flows and shares behind the bars. Pure; segment widths are SVG attributes (the page's CSP allows no inline style),
// colours come from the `cov-*` classes in html-assets.ts. Every data string is escaped.

import type { CoverageSource, FlowCoverage, ReportVendor } from '../audit/report-model.js';
import { COVERAGE_KIND, COVERAGE_LABEL, COVERAGE_SOURCES } from '../audit/coverage.js';
import { attr, html } from './escape.js';
import { bytes, grouped } from './number-format.js';

const BAR_W = 600;
const BAR_H = 16;

/** What a scope's shares are of, in words. */
export const COVERAGE_SCOPE_TEXT: Record<FlowCoverage['scope'], string> = {
  vendor_non_local_upload: "all of the vendor's non-local upload",
  claim_in_scope_and_hidden_upload: "the claim's in-scope + hidden upload",
};

/** One horizontal bar, segments in COVERAGE_SOURCES order, widths in proportion to upload bytes. */
export function coverageBar(c: FlowCoverage, label: string): string {
  let out = `<svg class="cov-bar" viewBox="0 0 ${BAR_W} ${BAR_H}" role="img"${attr('aria-label', `${label}: upload by naming source`)} preserveAspectRatio="none">`;
  if (c.bytes_up <= 0) return `${out}<rect class="cov-empty" x="0" y="0" width="${BAR_W}" height="${BAR_H}"/></svg>`;
  let x = 0;
  for (const s of COVERAGE_SOURCES) {
    const b = c.sources[s];
    if (b.bytes_up <= 0) continue;
    const w = Math.round(((BAR_W * b.bytes_up) / c.bytes_up) * 10) / 10;
    out += `<rect${attr('class', `cov-${s}`)} x="${Math.round(x * 10) / 10}" y="0" width="${Math.max(w, 0.5)}" height="${BAR_H}">`;
    out += `<title>${html(`${COVERAGE_LABEL[s]}: ${b.share.toFixed(1)}% (${grouped(b.bytes_up)} bytes up in ${b.flows} flow(s))`)}</title></rect>`;
    x += w;
  }
  return out + '</svg>';
}

function swatch(s: CoverageSource): string {
  return `<svg class="cov-swatch" viewBox="0 0 12 12" aria-hidden="true"><rect${attr('class', `cov-${s}`)} x="0" y="0" width="12" height="12"/></svg>`;
}

/** Sources with bytes in at least one of the scopes (the others would be rows of zeros). */
function shownSources(scopes: readonly FlowCoverage[]): CoverageSource[] {
  return COVERAGE_SOURCES.filter((s) => scopes.some((c) => c.sources[s].bytes_up > 0 || c.sources[s].flows > 0));
}

/** Bars and table for one vendor. Claim ids label their columns; the vendor's own scope comes first. */
export function coverageSection(v: ReportVendor): string {
  const scopes: { label: string; c: FlowCoverage }[] = [{ label: 'Vendor (all non-local upload)', c: v.coverage }];
  for (const claim of v.claims) scopes.push({ label: `Claim ${claim.id} (in scope + hidden)`, c: claim.coverage });
  let out = '<h3>Coverage: which source names the upload</h3>';
  out += '<p class="note">Shares of upload bytes. The vendor row covers all of its non-local upload; a claim row covers the claim\'s in-scope and hidden upload (what its verdict weighs). Each bar, and each column of the table, adds up to 100 %.</p>';
  out += '<div class="cov-bars">';
  for (const { label, c } of scopes) {
    out += `<div class="cov-row"><span class="cov-label">${html(label)}</span>${coverageBar(c, label)}<span class="cov-total">${html(bytes(c.bytes_up))}</span></div>`;
  }
  out += '</div>';
  const shown = shownSources(scopes.map((x) => x.c));
  if (!shown.length) return out + '<p class="note">No non-local upload.</p>';
  out += '<div class="table-wrap"><table class="coverage"><thead><tr><th>Source</th><th>Kind</th>';
  for (const { label } of scopes) out += `<th class="num">${html(label)}</th>`;
  out += '</tr></thead><tbody>';
  for (const s of shown) {
    out += `<tr><td>${swatch(s)} ${html(COVERAGE_LABEL[s])} <code>${html(s)}</code></td><td>${html(COVERAGE_KIND[s])}</td>`;
    for (const { c } of scopes) {
      const b = c.sources[s];
      out += `<td class="num"${attr('title', `${grouped(b.bytes_up)} bytes up in ${b.flows} flow(s)`)}>${html(`${b.share.toFixed(1)}%`)}<br><span class="note">${html(bytes(b.bytes_up))}</span></td>`;
    }
    out += '</tr>';
  }
  out += '<tr class="cov-sum"><th>Total</th><td></td>';
  for (const { c } of scopes) out += `<td class="num"${attr('title', `${grouped(c.bytes_up)} bytes up`)}>${c.bytes_up > 0 ? '100.0%' : '-'}<br><span class="note">${html(bytes(c.bytes_up))} in ${c.flows} flow(s)</span></td>`;
  return out + '</tr></tbody></table></div>';
}
