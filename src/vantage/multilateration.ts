// Owns the geometry of several vantage points: each minimum RTT to an address is a disc around the vantage point
// (radius RTT x 100 km/ms, the fibre bound of physics.ts, plus VANTAGE_POSITION_SLACK_KM for the positions'
// precision), and the address's feasible region is the intersection of its discs. Answers: is a point inside
// every disc; which discs (so which measurements) exclude a point; is the intersection empty. Emptiness is exact
// for discs narrower than a quarter of the Earth's circumference (RTT under ~100 ms; such caps are convex): a
// non-empty intersection of convex discs contains either the centre of a disc lying inside all others or a point
// where two boundary circles cross, so the centres and pairwise crossings are the only candidates (discs that
// contain a smaller disc never bind). Wider discs rarely bind; they are left out of that test (so "empty" stays
// sound) and every candidate is then checked against all discs. Pure.

import { FIBRE_KM_PER_RTT_MS, greatCircleKm } from '../physics.js';
import { VANTAGE_MAX_BINDING_DISCS, VANTAGE_POSITION_SLACK_KM } from '../limits.js';
import type { Measurement } from './measurement.js';

/** Earth radius the distance function uses (half the antipodal distance over pi), so both agree exactly. */
const EARTH_R_KM = greatCircleKm(0, 0, 0, 180) / Math.PI;
/** A quarter of the Earth's circumference: discs narrower than this are convex (inside a hemisphere). */
const QUARTER_CIRCUMFERENCE_KM = (Math.PI / 2) * EARTH_R_KM;
/** Slack (km) when testing candidate points that lie on two boundary circles (float rounding, not geography). */
const ON_BOUNDARY_EPS_KM = 1e-3;

export interface Point {
  lat: number;
  lon: number;
}

/** Where a server can be according to one measurement. */
export interface Disc {
  lat: number;
  lon: number;
  /** min RTT x FIBRE_KM_PER_RTT_MS + slack. */
  radius_km: number;
  measurement: Measurement;
}

/** The intersection of one address's discs. */
export interface FeasibleRegion {
  dst_addr: string;
  /** Every disc, smallest first. */
  discs: Disc[];
  /** The discs of the exact emptiness test: narrower than a quarter circumference and containing no smaller disc,
   *  smallest first, at most VANTAGE_MAX_BINDING_DISCS. */
  binding: Disc[];
  /** Proved empty: no point lies within every disc (anycast, or a wrong vantage position). */
  empty: boolean;
  /** A point inside every disc, when one was found (then `empty` is false). */
  witness?: Point;
  /** Binding discs beyond the cap were left out of the emptiness test (`empty` stays sound; a region that is not
   *  empty may then lack a witness). */
  truncated: boolean;
}

/** How far a point is from one disc that excludes it. */
export interface Exclusion {
  disc: Disc;
  distance_km: number;
  /** distance_km - radius_km (> 0). */
  beyond_km: number;
}

/** The disc one measurement draws; `slackKm` defaults to VANTAGE_POSITION_SLACK_KM. */
export function discOf(m: Measurement, slackKm: number = VANTAGE_POSITION_SLACK_KM): Disc {
  return { lat: m.vantage.lat, lon: m.vantage.lon, radius_km: m.min_rtt_ms * FIBRE_KM_PER_RTT_MS + slackKm, measurement: m };
}

function distanceKm(d: Point, p: Point): number {
  return greatCircleKm(d.lat, d.lon, p.lat, p.lon);
}

/** True when `p` is inside (or on) disc `d`. */
export function inDisc(d: Disc, p: Point, epsKm = 0): boolean {
  return distanceKm(d, p) <= d.radius_km + epsKm;
}

type Vec = [number, number, number];

function toVec(p: Point): Vec {
  const la = (p.lat * Math.PI) / 180;
  const lo = (p.lon * Math.PI) / 180;
  return [Math.cos(la) * Math.cos(lo), Math.cos(la) * Math.sin(lo), Math.sin(la)];
}

function toPoint(v: Vec): Point {
  const n = Math.hypot(v[0], v[1], v[2]);
  return { lat: (Math.asin(Math.max(-1, Math.min(1, v[2] / n))) * 180) / Math.PI, lon: (Math.atan2(v[1], v[0]) * 180) / Math.PI };
}

/** The (0, 1 or 2) points where the boundary circles of two discs cross. */
export function boundaryCrossings(a: Disc, b: Disc): Point[] {
  const c1 = toVec(a);
  const c2 = toVec(b);
  const d = Math.max(-1, Math.min(1, c1[0] * c2[0] + c1[1] * c2[1] + c1[2] * c2[2]));
  const denom = 1 - d * d;
  if (denom < 1e-15) return [];
  const k1 = Math.cos(a.radius_km / EARTH_R_KM);
  const k2 = Math.cos(b.radius_km / EARTH_R_KM);
  const x = (k1 - d * k2) / denom;
  const y = (k2 - d * k1) / denom;
  const t2 = (1 - (x * x + y * y + 2 * x * y * d)) / denom;
  if (t2 < -1e-12) return [];
  const t = Math.sqrt(Math.max(0, t2));
  const cross: Vec = [c1[1] * c2[2] - c1[2] * c2[1], c1[2] * c2[0] - c1[0] * c2[2], c1[0] * c2[1] - c1[1] * c2[0]];
  const base: Vec = [x * c1[0] + y * c2[0], x * c1[1] + y * c2[1], x * c1[2] + y * c2[2]];
  const p1 = toPoint([base[0] + t * cross[0], base[1] + t * cross[1], base[2] + t * cross[2]]);
  if (t === 0) return [p1];
  return [p1, toPoint([base[0] - t * cross[0], base[1] - t * cross[1], base[2] - t * cross[2]])];
}

/** The convex discs that contain no smaller disc (the others never bind); smallest first. */
function bindingDiscs(sorted: Disc[]): Disc[] {
  const kept: Disc[] = [];
  for (const d of sorted) {
    if (d.radius_km >= QUARTER_CIRCUMFERENCE_KM) continue;
    if (kept.some((k) => distanceKm(k, d) + k.radius_km <= d.radius_km)) continue;
    kept.push(d);
  }
  return kept;
}

/** The feasible region of `dst` from its measurements (any vantage points; one disc each). */
export function feasibleRegion(dst: string, measurements: readonly Measurement[], slackKm: number = VANTAGE_POSITION_SLACK_KM): FeasibleRegion {
  const discs = measurements.map((m) => discOf(m, slackKm)).sort((a, b) => a.radius_km - b.radius_km || cmpId(a, b));
  const all = bindingDiscs(discs);
  const truncated = all.length > VANTAGE_MAX_BINDING_DISCS;
  const binding = truncated ? all.slice(0, VANTAGE_MAX_BINDING_DISCS) : all;
  const region: FeasibleRegion = { dst_addr: dst, discs, binding, empty: false, truncated };
  const inAll = (p: Point): boolean => discs.every((d) => inDisc(d, p, ON_BOUNDARY_EPS_KM));
  if (binding.length === 0) {
    // Only globe-wide discs (or none): any vantage point inside all of them witnesses a non-empty region.
    const w = discs.find((d) => inAll(d));
    if (w !== undefined) region.witness = { lat: w.lat, lon: w.lon };
    return region;
  }
  const inBinding = (p: Point): boolean => binding.every((d) => inDisc(d, p, ON_BOUNDARY_EPS_KM));
  const found: Point[] = [];
  for (const d of binding) if (inBinding(d)) found.push({ lat: d.lat, lon: d.lon });
  for (let i = 0; i < binding.length; i++) {
    for (let j = i + 1; j < binding.length; j++) {
      for (const p of boundaryCrossings(binding[i], binding[j])) if (inBinding(p)) found.push(p);
    }
  }
  if (found.length === 0) {
    region.empty = true;
    return region;
  }
  const valid = found.filter(inAll);
  if (valid.length > 0) region.witness = centreOf(valid, inAll);
  return region;
}

/** A central point of the candidates (their normalised mean) when it is inside every disc, else the first. */
function centreOf(points: Point[], inside: (p: Point) => boolean): Point {
  const s: Vec = [0, 0, 0];
  for (const p of points) {
    const v = toVec(p);
    s[0] += v[0];
    s[1] += v[1];
    s[2] += v[2];
  }
  if (Math.hypot(s[0], s[1], s[2]) > 1e-9) {
    const c = toPoint(s);
    if (inside(c)) return c;
  }
  return points[0];
}

function cmpId(a: Disc, b: Disc): number {
  const x = a.measurement.vantage.id;
  const y = b.measurement.vantage.id;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True when `p` lies inside every disc of the region (a region without discs contains every point). */
export function insideRegion(region: FeasibleRegion, p: Point): boolean {
  return region.discs.every((d) => inDisc(d, p));
}

/** The discs that exclude `p`, farthest beyond first: the measurements that physically rule the point out. */
export function excludedBy(region: FeasibleRegion, p: Point): Exclusion[] {
  const out: Exclusion[] = [];
  for (const disc of region.discs) {
    const distance_km = distanceKm(disc, p);
    if (distance_km > disc.radius_km) out.push({ disc, distance_km, beyond_km: distance_km - disc.radius_km });
  }
  return out.sort((a, b) => b.beyond_km - a.beyond_km || cmpId(a.disc, b.disc));
}
