// Owns distance on the sphere from a point to a polygonal area (GeoJSON Polygon or MultiPolygon in [lon, lat]
// degrees): 0 inside (d3-geo's spherical point-in-polygon, `geoContains`), else the great-circle distance to the
// nearest edge, every edge being the great-circle arc between two consecutive vertices (d3-geo's reading of
// GeoJSON too, so "inside" and "nearest edge" agree). Pure; the rings are turned into unit vectors once.

import { geoContains } from 'd3-geo';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { EARTH_MEAN_RADIUS_KM } from '../physics.js';

/** An area ready for repeated distance queries: the geometry plus each ring as unit vectors (x, y, z per vertex). */
export interface SphereArea {
  readonly geometry: Polygon | MultiPolygon;
  readonly rings: readonly Float64Array[];
  /** Vertices over all rings (each ring's closing vertex counted once). */
  readonly vertices: number;
  /** Per polygon: its coordinates and the [west, south, east, north] box a point must be in to be inside it (null: any point). */
  readonly boxes: readonly { polygon: Position[][]; box: readonly [number, number, number, number] | null }[];
}

const RAD = Math.PI / 180;

/** Central angle in degrees between two [lon, lat] positions (haversine). */
function angleDeg(a: Position, b: Position): number {
  const dLat = (b[1] - a[1]) * RAD;
  const dLon = (b[0] - a[0]) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLon / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(h)))) / RAD;
}

/**
 * The [west, south, east, north] box a point must be in to be inside the polygon, or null (test every point):
 * it spares d3's point-in-polygon (trigonometry per vertex) for the polygons far from the point. An edge, a
 * great-circle arc, stays within its ends' longitudes (unless it passes near a pole) and each of its points is
 * within half its length of an end, so its latitude strays at most that far from the ends': the box of the
 * vertices grows by the longest half-edge (plus 0.01 degree for rounding). Polygons reaching beyond 80 degrees of
 * latitude, touching the antimeridian or spanning over 180 degrees of longitude get no box.
 */
function polygonBox(polygon: Position[][]): readonly [number, number, number, number] | null {
  const ring = polygon[0];
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  let margin = 0.01;
  for (let i = 0; i < ring.length; i++) {
    const [lon, lat] = ring[i];
    if (lon < w) w = lon;
    if (lon > e) e = lon;
    if (lat < s) s = lat;
    if (lat > n) n = lat;
    if (i > 0) margin = Math.max(margin, angleDeg(ring[i - 1], ring[i]) / 2 + 0.01);
  }
  if (n + margin > 80 || s - margin < -80 || w <= -180 || e >= 180 || e - w > 180) return null;
  return [w - margin, s - margin, e + margin, n + margin];
}

/** The area of a Polygon or MultiPolygon, with its rings converted for distance queries. */
export function sphereArea(geometry: Polygon | MultiPolygon): SphereArea {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const rings: Float64Array[] = [];
  let vertices = 0;
  const boxes = polygons.map((polygon) => ({ polygon, box: polygonBox(polygon) }));
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const v = new Float64Array(ring.length * 3);
      for (let i = 0; i < ring.length; i++) {
        const lon = ring[i][0] * RAD;
        const lat = ring[i][1] * RAD;
        const c = Math.cos(lat);
        v[i * 3] = c * Math.cos(lon);
        v[i * 3 + 1] = c * Math.sin(lon);
        v[i * 3 + 2] = Math.sin(lat);
      }
      rings.push(v);
      vertices += Math.max(0, ring.length - 1);
    }
  }
  return { geometry, rings, vertices, boxes };
}

/** Angle (radians) between two unit vectors; atan2 of |u x v| and u . v stays accurate for tiny and near-antipodal angles. */
function angle(ux: number, uy: number, uz: number, vx: number, vy: number, vz: number): number {
  const cx = uy * vz - uz * vy;
  const cy = uz * vx - ux * vz;
  const cz = ux * vy - uy * vx;
  return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), ux * vx + uy * vy + uz * vz);
}

/**
 * Angle (radians) from unit vector p to the minor great-circle arc a-b: the distance to the nearer end, or to
 * the arc's interior where p's projection onto the arc's great circle falls between a and b. Never more than
 * the distance to either end (the minimum includes both).
 */
export function arcDistanceRad(
  px: number, py: number, pz: number,
  ax: number, ay: number, az: number,
  bx: number, by: number, bz: number,
): number {
  const da = angle(px, py, pz, ax, ay, az);
  const db = angle(px, py, pz, bx, by, bz);
  let best = da < db ? da : db;
  // n = a x b, the arc's pole. p's foot on the great circle lies inside the arc when (a x p).n > 0 and (p x b).n > 0.
  const nx = ay * bz - az * by;
  const ny = az * bx - ax * bz;
  const nz = ax * by - ay * bx;
  const nn = Math.sqrt(nx * nx + ny * ny + nz * nz);
  if (nn < 1e-15) return best; // a and b coincide (or are antipodal: no edge of real data is)
  const s1 = (ay * pz - az * py) * nx + (az * px - ax * pz) * ny + (ax * py - ay * px) * nz;
  const s2 = (py * bz - pz * by) * nx + (pz * bx - px * bz) * ny + (px * by - py * bx) * nz;
  if (s1 > 0 && s2 > 0) {
    const d = Math.asin(Math.min(1, Math.abs(px * nx + py * ny + pz * nz) / nn));
    if (d < best) best = d;
  }
  return best;
}

/** Great-circle distance (km) from (lat, lon) to the nearest point of the area's boundary. */
export function boundaryDistanceKm(area: SphereArea, lat: number, lon: number): number {
  const c = Math.cos(lat * RAD);
  const px = c * Math.cos(lon * RAD);
  const py = c * Math.sin(lon * RAD);
  const pz = Math.sin(lat * RAD);
  let best = Infinity;
  for (const v of area.rings) {
    for (let i = 0; i + 5 < v.length; i += 3) {
      const d = arcDistanceRad(px, py, pz, v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5]);
      if (d < best) best = d;
    }
    if (v.length === 3) best = Math.min(best, angle(px, py, pz, v[0], v[1], v[2]));
  }
  return best * EARTH_MEAN_RADIUS_KM;
}

/** True when (lat, lon) is inside the area (d3-geo `geoContains`, spherical, on the polygons whose box holds it). */
export function areaContains(area: SphereArea, lat: number, lon: number): boolean {
  for (const { polygon, box } of area.boxes) {
    if (box !== null && (lon < box[0] || lon > box[2] || lat < box[1] || lat > box[3])) continue;
    if (geoContains({ type: 'Polygon', coordinates: polygon }, [lon, lat])) return true;
  }
  return false;
}

/** Great-circle distance (km) from (lat, lon) to the area: 0 inside, else to its nearest boundary point. */
export function areaDistanceKm(area: SphereArea, lat: number, lon: number): number {
  if (areaContains(area, lat, lon)) return 0;
  return boundaryDistanceKm(area, lat, lon);
}
