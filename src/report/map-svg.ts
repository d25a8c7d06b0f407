// The HTML report's world map as inline SVG: equirectangular projection of Natural Earth's countries (land and
// borders, world-map.ts), a 30° graticule, the lab (vantage point) and one circle per destination with coordinates:
// area proportional to upload bytes (radius on a square-root scale), colour by claim consistency.
// Positions the physical RTT check ruled out are never drawn as locations: a consensus position that is
// physically impossible is a dashed, crossed-out ring with no line from the lab, and a single source's impossible
// position (set aside from the consensus) is a small cross. Both have their own legend entries (html.ts).
// Deterministic (the land is read once from the installed world-atlas): coordinates are rounded to 0.1 SVG unit,
// circles drawn largest first.

import type { FlowStatus, ReportDestination, ReportFeasibleRegion, ReportVantagePoint, Vantage } from '../audit/report-model.js';
import { attr, html } from './escape.js';
import { bytes } from './number-format.js';
import { discPath, worldMapPaths } from './world-map.js';

/** Map width in SVG units; 1° of longitude or latitude is WIDTH / 360 units. */
export const WIDTH = 1000;
const K = WIDTH / 360;
/** Latitude band drawn: from the north of Greenland to just south of Cape Horn (Antarctica left out). */
export const LAT_TOP = 84;
const LAT_BOTTOM = -58;
const HEIGHT = round((LAT_TOP - LAT_BOTTOM) * K);
/** Destination circle radius range in SVG units (sqrt of upload bytes between 0 and the largest). */
const R_MIN = 2.5;
const R_MAX = 18;

export type Consistency = FlowStatus | 'out_of_scope';

/** CSS class per consistency; colours are in html-assets.ts. */
export const CONSISTENCY_CLASS: Record<Consistency, string> = {
  consistent: 'c-consistent',
  inconsistent: 'c-inconsistent',
  unknown: 'c-unknown',
  out_of_scope: 'c-out',
};

/** One dot on the map. */
export interface MapPoint {
  vendor: string;
  destination: ReportDestination;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function x(lon: number): number {
  return round((Math.max(-180, Math.min(180, lon)) + 180) * K);
}

function y(lat: number): number {
  return round((LAT_TOP - Math.max(LAT_BOTTOM, Math.min(LAT_TOP, lat))) * K);
}

function graticule(): string {
  let d = '';
  for (let lon = -150; lon <= 150; lon += 30) d += `M${x(lon)} 0V${HEIGHT}`;
  for (let lat = -30; lat <= 60; lat += 30) d += `M0 ${y(lat)}H${WIDTH}`;
  return `<path class="map-grid" d="${d}"/><path class="map-equator" d="M0 ${y(0)}H${WIDTH}"/>`;
}

function radius(up: number, maxUp: number): number {
  if (!(maxUp > 0) || !(up > 0)) return R_MIN;
  return round(R_MIN + (R_MAX - R_MIN) * Math.sqrt(up / maxUp));
}

function label(p: MapPoint): string {
  const d = p.destination;
  const where = [d.country ?? '??', d.provider, d.region].filter(Boolean).join(', ');
  const ruledOut = d.physical === 'impossible' ? ' RULED OUT by the RTT check: this position is physically impossible for the measured round trip, so it is not where the server is.' : '';
  return `${d.hostname ?? '(no name)'} [${d.server_ip}] (${p.vendor}): ${where}; ${bytes(d.bytes_up)} up, ${bytes(d.bytes_down)} down; ${d.consistency.replace(/_/g, ' ')}.${ruledOut}`;
}

/** A consensus position with physical: impossible, drawn only where it was. */
export function isRuledOut(d: ReportDestination): boolean {
  return d.physical === 'impossible';
}

/** Source positions the RTT check ruled out, for every point (with or without a consensus position). */
export function ruledOutSources(points: readonly MapPoint[]): { p: MapPoint; source: string; country?: string; lat: number; lon: number }[] {
  const out: { p: MapPoint; source: string; country?: string; lat: number; lon: number }[] = [];
  for (const p of points) {
    for (const s of p.destination.geo_sources) {
      if (s.physical !== 'impossible' || !Number.isFinite(s.lat) || !Number.isFinite(s.lon)) continue;
      out.push({ p, source: s.source, country: s.country, lat: s.lat as number, lon: s.lon as number });
    }
  }
  return out;
}

/** A small × at a ruled-out position (`r` is its half-width in SVG units). */
function cross(cx: number, cy: number, r: number): string {
  return `M${round(cx - r)} ${round(cy - r)}L${round(cx + r)} ${round(cy + r)}M${round(cx - r)} ${round(cy + r)}L${round(cx + r)} ${round(cy - r)}`;
}

/** What the measurements add to the map: the labs and probes, and the feasible regions of measured addresses. */
export interface MapMeasurements {
  vantagePoints?: readonly ReportVantagePoint[];
  regions?: readonly ReportFeasibleRegion[];
}

function msText(ms: number): string {
  return ms < 10 ? ms.toFixed(2).replace(/\.?0+$/, '') : ms.toFixed(1).replace(/\.0$/, '');
}

/** A feasible region: its binding discs, filled faintly so that their intersection (where the server can be) is the
 *  darkest area, and its witness point; an anycast address's discs are dashed (they cannot meet). */
function regionSvg(r: ReportFeasibleRegion): string {
  const binding = r.discs.filter((d) => d.binding);
  const shown = binding.length > 0 ? binding : r.discs;
  const list = shown.map((d) => `${d.vantage} ${msText(d.rtt_ms)} ms: within ${d.radius_km.toLocaleString('en-US')} km`).join('; ');
  const tip = r.anycast !== undefined ? `${r.dst_addr}: ANYCAST, treated as an edge. ${r.anycast.reason}` : `${r.dst_addr}: feasible region, the intersection of ${list}`;
  let out = `<g${attr('class', r.anycast !== undefined ? 'feasible-region anycast' : 'feasible-region')}${attr('data-dst', r.dst_addr)}><title>${html(tip)}</title>`;
  for (const d of shown) {
    out += `<path class="feasible-disc"${attr('data-vantage', d.vantage_id)} d="${discPath({ width: WIDTH, latTop: LAT_TOP }, d.lat, d.lon, d.radius_km)}"/>`;
  }
  if (r.witness !== undefined && r.anycast === undefined) out += `<circle class="feasible-witness" cx="${x(r.witness.lon)}" cy="${y(r.witness.lat)}" r="1.6"/>`;
  return out + '</g>';
}

/** A lab (diamond, named) or a RIPE Atlas probe (small triangle). */
function vantageSvg(v: ReportVantagePoint): string {
  const vx = x(v.lon);
  const vy = y(v.lat);
  const cc = v.country !== undefined ? ` (${v.country})` : '';
  if (v.kind === 'probe') {
    return `<path class="probe"${attr('data-id', v.id)} d="M${vx} ${round(vy - 5)}L${round(vx + 4.5)} ${round(vy + 3)}L${round(vx - 4.5)} ${round(vy + 3)}Z"><title>${html(`${v.name}${cc}`)}</title></path>`;
  }
  const out = `<g class="lab"${attr('data-id', v.id)}><path d="M${vx} ${round(vy - 9)}L${round(vx + 7)} ${vy}L${vx} ${round(vy + 9)}L${round(vx - 7)} ${vy}Z"><title>${html(`Lab: ${v.name}${cc}`)}</title></path>`;
  return out + `<text x="${round(vx + 10)}" y="${round(vy + 4)}">${html(v.name)}</text></g>`;
}

/**
 * The map SVG (pure). Points without lat/lon are skipped; the caller says how many. Lines join the lab to
 * each destination so that a reader sees how far the data travels. With measurements: every lab and probe that
 * measured a destination, and the feasible regions (drawn under the destinations).
 */
export function renderMapSvg(points: readonly MapPoint[], vantage: Vantage | undefined, measured: MapMeasurements = {}): string {
  const drawn = points.filter((p) => Number.isFinite(p.destination.lat) && Number.isFinite(p.destination.lon));
  const maxUp = drawn.reduce((m, p) => Math.max(m, p.destination.bytes_up), 0);
  // Largest first so small dots stay clickable/visible on top; ties broken by the stable input order.
  const order = drawn.map((p, i) => ({ p, i })).sort((a, b) => b.p.destination.bytes_up - a.p.destination.bytes_up || a.i - b.i);
  let out = `<svg class="map" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="World map of the lab and the destinations">`;
  out += `<rect class="map-sea" x="0" y="0" width="${WIDTH}" height="${HEIGHT}"/>`;
  out += graticule();
  const world = worldMapPaths({ width: WIDTH, latTop: LAT_TOP });
  if (world) out += `<path class="map-land" d="${world.land}"/><path class="map-border" d="${world.borders}"/>`;
  for (const r of measured.regions ?? []) out += regionSvg(r);
  if (vantage) {
    // No line to a ruled-out position: nothing travelled there.
    let lines = '';
    for (const { p } of order) {
      if (!isRuledOut(p.destination)) lines += `M${x(vantage.lon)} ${y(vantage.lat)}L${x(p.destination.lon as number)} ${y(p.destination.lat as number)}`;
    }
    if (lines) out += `<path class="map-link" d="${lines}"/>`;
  }
  for (const { p } of order) {
    const d = p.destination;
    const cls = CONSISTENCY_CLASS[d.consistency] ?? 'c-unknown';
    const cx = x(d.lon as number);
    const cy = y(d.lat as number);
    const r = radius(d.bytes_up, maxUp);
    if (isRuledOut(d)) {
      out += `<g${attr('class', `ruled-out ${cls}`)}><title>${html(label(p))}</title><circle cx="${cx}" cy="${cy}" r="${r}"/><path d="${cross(cx, cy, Math.max(3, r * 0.7))}"/></g>`;
    } else {
      out += `<circle${attr('class', `dest ${cls}`)} cx="${cx}" cy="${cy}" r="${r}"><title>${html(label(p))}</title></circle>`;
    }
  }
  for (const s of ruledOutSources(points)) {
    const d = s.p.destination;
    const tip = `${s.source} places ${d.hostname ?? '(no name)'} [${d.server_ip}] here (${s.country ?? '??'}): RULED OUT by the RTT check, physically impossible for the measured round trip; not counted as a location.`;
    out += `<path class="src-ruled-out" d="${cross(x(s.lon), y(s.lat), 3.5)}"><title>${html(tip)}</title></path>`;
  }
  const labs = (measured.vantagePoints ?? []).filter((v) => v.kind === 'lab');
  for (const v of measured.vantagePoints ?? []) if (v.kind === 'probe') out += vantageSvg(v);
  for (const v of labs) out += vantageSvg(v);
  if (labs.length === 0 && vantage) {
    const vx = x(vantage.lon);
    const vy = y(vantage.lat);
    out += `<g class="lab"><path d="M${vx} ${round(vy - 9)}L${round(vx + 7)} ${vy}L${vx} ${round(vy + 9)}L${round(vx - 7)} ${vy}Z"><title>${html(`Lab: ${vantage.name} (${vantage.country})`)}</title></path>`;
    out += `<text x="${round(vx + 10)}" y="${round(vy + 4)}">${html(vantage.name)}</text></g>`;
  }
  out += '</svg>';
  return out;
}
