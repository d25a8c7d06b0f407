// The HTML report's inline stylesheet (screen and print) and its one small inline script (sortable tables), plus
// the Content-Security-Policy that pins both by SHA-256 hash: the page can load nothing from anywhere, and any
// markup smuggled in through a name could not run even if escaping failed. Constants: built once at load.

import { createHash } from 'node:crypto';

export const CSS = `
:root{--ok:#1a7f37;--bad:#c62828;--warn:#b26a00;--hid:#6a4c93;--out:#8a8f98;--ink:#1f2328;--mute:#59636e;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);margin:0 auto;padding:16px 24px 48px;max-width:1360px}
h1{font-size:24px;margin:8px 0 4px}h2{font-size:20px;margin:28px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}h4{font-size:14px;margin:14px 0 4px}
.meta{color:var(--mute);margin:2px 0}
code,.mono,td.ip,td.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
td.hash{word-break:break-all}
td.parts{white-space:nowrap;font-size:12px}td.ip{white-space:nowrap}td.geo .note{display:inline-block;max-width:11em}table.evidence .name{max-width:17em}td.seen{font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.name{display:inline-block;max-width:24em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom;unicode-bidi:isolate}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:700;color:#fff;text-transform:uppercase;letter-spacing:.03em;white-space:nowrap}
.v-confirmed{background:var(--ok)}.v-refuted{background:var(--bad)}.v-inconclusive{background:var(--warn)}.v-unobservable{background:var(--hid)}
.counts .badge{margin-right:6px}
.badge.incomplete{background:#fff;color:var(--warn);border:1.5px solid var(--warn);padding:0 7px}
section.problems{border:2px solid var(--warn);background:#fff8e6;padding:4px 14px 8px;margin:16px 0}section.problems h2{border-bottom:none;margin-top:8px;color:#7a4a00}
.st-missing,.st-truncated{color:var(--bad);text-transform:uppercase;font-size:12px}.st-damaged{color:var(--warn);text-transform:uppercase;font-size:12px}
.s-consistent{color:var(--ok);font-weight:600}.s-inconsistent{color:var(--bad);font-weight:600}.s-unknown{color:var(--warn)}.s-out_of_scope,.s-not_claimed{color:var(--out)}
ul.reasons{margin:4px 0 8px;padding-left:20px}ul.reasons code{background:var(--bg);padding:0 3px}
.map-wrap{border:1px solid var(--line);background:#fff;padding:6px}
svg.map{width:100%;height:auto;display:block}
.map-sea{fill:#e8f1f8}.map-land{fill:#d7d4cc;stroke:#a8a397;stroke-width:.5;stroke-linejoin:round}.map-border{fill:none;stroke:#f7f5f0;stroke-width:.6;stroke-linejoin:round}
.map-grid{fill:none;stroke:#c9d6e2;stroke-width:.5}.map-equator{fill:none;stroke:#a9bccd;stroke-width:.8;stroke-dasharray:4 3}
.map-link{fill:none;stroke:#59636e;stroke-opacity:.25;stroke-width:.7}
circle.dest{fill-opacity:.62;stroke:#fff;stroke-width:.8}
.c-consistent{fill:var(--ok)}.c-inconsistent{fill:var(--bad)}.c-unknown{fill:var(--warn)}.c-out{fill:var(--out)}
g.ruled-out circle{fill:#fff;fill-opacity:.5;stroke-width:1.6;stroke-dasharray:3 2}g.ruled-out path{fill:none;stroke-width:1.6}
g.ruled-out.c-consistent{stroke:var(--ok)}g.ruled-out.c-inconsistent{stroke:var(--bad)}g.ruled-out.c-unknown{stroke:var(--warn)}g.ruled-out.c-out{stroke:var(--out)}
path.src-ruled-out{fill:none;stroke:#3d434a;stroke-width:1.4;stroke-linecap:round}.ruled-out-note{border-left:3px solid var(--warn);padding-left:6px}
.feasible-disc{fill:#2a6fb0;fill-opacity:.12;stroke:#2a6fb0;stroke-opacity:.6;stroke-width:.8}.anycast .feasible-disc{fill:#b06a2a;stroke:#b06a2a;stroke-dasharray:4 3}.feasible-witness{fill:#2a6fb0}
path.probe{fill:#2a6fb0;stroke:#fff;stroke-width:.8}
.lab path{fill:#111;stroke:#fff;stroke-width:1.2}.lab text{font-size:12px;font-weight:700;fill:#111;paint-order:stroke;stroke:#fff;stroke-width:3px}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:6px 0;color:var(--mute);font-size:12px;align-items:center}
.legend svg{width:14px;height:14px;vertical-align:middle}
.charts{display:flex;flex-wrap:wrap;gap:18px}
figure.chart{margin:0;flex:1 1 480px;max-width:620px}figure.chart figcaption{font-weight:600;margin-bottom:2px}
figure.chart svg{width:100%;height:auto}
.chart-label{font-size:12px;text-anchor:end;fill:var(--ink)}.chart-value{font-size:11px;fill:var(--mute)}
.chart-bar{fill:#3b6ea8}.chart-empty{font-size:12px;fill:var(--mute)}
.cov-bars{margin:6px 0 8px}.cov-row{display:flex;align-items:center;gap:10px;margin:3px 0}
.cov-label{flex:0 0 300px;font-size:12px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.cov-total{flex:0 0 80px;font-size:12px;color:var(--mute);text-align:right}
svg.cov-bar{flex:1 1 auto;min-width:200px;height:16px;border:1px solid var(--line)}svg.cov-swatch{width:12px;height:12px;vertical-align:-1px}
.cov-tls_sni{fill:#1f5fa8}.cov-quic_sni{fill:#4a8fd4}.cov-http_host{fill:#8fbde8}.cov-dns{fill:#2e8b57}.cov-dns_https_hint{fill:#7cc49a}
.cov-network{fill:#b8860b}.cov-address{fill:#e0c068}.cov-ech{fill:#6a4c93}.cov-doh{fill:#9a77c9}.cov-quic_undecryptable{fill:#c9b3e6}
.cov-unnamed{fill:#8a8f98}.cov-empty{fill:var(--bg)}tr.cov-sum th,tr.cov-sum td{border-top:2px solid var(--ink)}
.table-wrap{overflow-x:auto}
html.js table.sortable th{cursor:pointer;user-select:none}
html.js table.sortable th::after{content:" \\2195";color:var(--out);font-size:11px}
html.js table.sortable th[aria-sort=ascending]::after{content:" \\25B2";color:var(--ink)}
html.js table.sortable th[aria-sort=descending]::after{content:" \\25BC";color:var(--ink)}
.note{color:var(--mute);font-size:12px}
nav.toc{font-size:13px;margin:8px 0 0}nav.toc a{margin-right:12px}
@page{size:A4 landscape;margin:10mm}
@media print{
 body{max-width:none;padding:0;font-size:10.5px}
 code,.mono,td.ip,td.hash,td.parts,td.seen,.badge,.note,.chart-label{font-size:9px}
 td{overflow-wrap:anywhere}td.num{white-space:normal}th{font-size:9.5px}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 nav.toc{display:none}
 h2{break-after:avoid;page-break-after:avoid}
 section.vendor,section.appendix{break-before:page;page-break-before:always}
 table{font-size:9.5px}tr,figure,.map-wrap{break-inside:avoid;page-break-inside:avoid}
 .name{white-space:normal;overflow:visible;max-width:none;word-break:break-all}
 .table-wrap{overflow:visible}
 html.js table.sortable th::after{content:""}
 a{color:inherit;text-decoration:none}
}
`;

/** Click (or Enter on) a header of a `table.sortable` to sort its body by that column; again to reverse. Cells may
 *  carry `data-sort` (raw number or text); headers with class `num` sort numerically. Stable: ties keep order. */
export const SCRIPT = `
(function () {
  'use strict';
  document.documentElement.className += ' js';
  function value(row, col, numeric) {
    var cell = row.cells[col];
    if (!cell) return numeric ? -Infinity : '';
    var raw = cell.getAttribute('data-sort');
    if (raw === null) raw = cell.textContent || '';
    if (numeric) { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return raw.toLowerCase();
  }
  function sortBy(table, th, col) {
    var body = table.tBodies[0];
    if (!body) return;
    var numeric = th.classList.contains('num');
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    var heads = th.parentNode.cells;
    for (var h = 0; h < heads.length; h++) heads[h].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var rows = [];
    for (var r = 0; r < body.rows.length; r++) rows.push({ row: body.rows[r], key: value(body.rows[r], col, numeric), i: r });
    rows.sort(function (a, b) {
      if (a.key < b.key) return -dir;
      if (a.key > b.key) return dir;
      return a.i - b.i;
    });
    for (var k = 0; k < rows.length; k++) body.appendChild(rows[k].row);
  }
  var tables = document.querySelectorAll('table.sortable');
  for (var t = 0; t < tables.length; t++) {
    (function (table) {
      var head = table.tHead && table.tHead.rows[0];
      if (!head) return;
      for (var c = 0; c < head.cells.length; c++) {
        (function (th, col) {
          th.tabIndex = 0;
          th.addEventListener('click', function () { sortBy(table, th, col); });
          th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th, col); } });
        })(head.cells[c], c);
      }
    })(tables[t]);
  }
})();
`;

function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/** Nothing may be fetched; only this exact stylesheet and script may apply/run. */
export const CSP = `default-src 'none'; style-src 'sha256-${sha256Base64(CSS)}'; script-src 'sha256-${sha256Base64(SCRIPT)}'; img-src 'none'; base-uri 'none'; form-action 'none'`;
