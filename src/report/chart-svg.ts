// Horizontal bar charts as inline SVG for the HTML report (upload bytes per country, per provider).
// Pure and deterministic; labels are escaped (a provider may come from an AS organisation name).

import { REPORT_CHART_MAX_BARS } from '../limits.js';
import { attr, html } from './escape.js';
import { bytes, grouped } from './number-format.js';

/** Bars drawn per chart; the rest are summed into one "other" bar (see limits.ts). */
export const CHART_MAX_BARS = REPORT_CHART_MAX_BARS;

const WIDTH = 520;
const LABEL_W = 150;
const VALUE_W = 90;
const ROW_H = 22;
const BAR_H = 15;

export interface ChartRow {
  key: string;
  bytes_up: number;
  flows: number;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One bar chart (pure). `rows` are sorted by the model (bytes_up descending, then key). */
export function renderBarChart(title: string, rows: readonly ChartRow[]): string {
  let shown = rows.slice(0, CHART_MAX_BARS);
  if (rows.length > CHART_MAX_BARS) {
    const rest = rows.slice(CHART_MAX_BARS);
    shown = [
      ...shown,
      {
        key: `other (${rest.length})`,
        bytes_up: rest.reduce((s, r) => s + r.bytes_up, 0),
        flows: rest.reduce((s, r) => s + r.flows, 0),
      },
    ];
  }
  const max = shown.reduce((m, r) => Math.max(m, r.bytes_up), 0);
  const height = Math.max(1, shown.length) * ROW_H + 4;
  const barSpace = WIDTH - LABEL_W - VALUE_W;
  let out = `<figure class="chart"><figcaption>${html(title)}</figcaption>`;
  out += `<svg viewBox="0 0 ${WIDTH} ${height}" role="img"${attr('aria-label', title)}>`;
  if (!shown.length) out += `<text x="0" y="15" class="chart-empty">No traffic.</text>`;
  shown.forEach((r, i) => {
    const top = i * ROW_H + 2;
    const w = max > 0 ? Math.round((barSpace * r.bytes_up * 10) / max) / 10 : 0;
    const tip = `${r.key}: ${grouped(r.bytes_up)} bytes up in ${r.flows} flow(s)`;
    out += `<g><title>${html(tip)}</title>`;
    out += `<text class="chart-label" x="${LABEL_W - 6}" y="${top + 12}">${html(clip(r.key, 22))}</text>`;
    out += `<rect class="chart-bar" x="${LABEL_W}" y="${top}" width="${Math.max(w, 0.5)}" height="${BAR_H}"/>`;
    out += `<text class="chart-value" x="${LABEL_W + w + 5}" y="${top + 12}">${html(bytes(r.bytes_up))}</text></g>`;
  });
  out += '</svg></figure>';
  return out;
}
