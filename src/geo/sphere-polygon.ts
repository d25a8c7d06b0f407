// Owns distance on the sphere from a point to a polygonal area (GeoJSON Polygon or MultiPolygon in [lon, lat]
// degrees): 0 inside (d3-geo's spherical point-in-polygon, `geoContains`), else the great-circle distance to the
// nearest edge, every edge being the great-circle arc between two consecutive vertices (d3-geo's reading of
// GeoJSON too, so "inside" and "nearest edge" agree). Pure; the rings are turned into unit vectors once.

import { geoContains } from 'd3-geo';
import type { MultiPolygon, Polygon } from 'geojson';
import { EARTH_MEAN_RADIUS_KM } from './rtt-check.js';

/** An area ready for repeated distance queries: the geometry plus each ring as unit vectors (x, y, z per vertex). */
export interface SphereArea {
  readonly geometry: Polygon | MultiPolygon;
  readonly rings: readonly Float64Array[];
  /** Vertices over all rings (each ring's closing vertex counted once). */
  readonly vertices: number;
}

const RAD = Math.PI / 180;

/** The area of a Polygon or MultiPolygon, with its rings converted for distance queries. */
export function sphereArea(geometry: Polygon | MultiPolygon): SphereArea {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const rings: Float64Array[] = [];
  let vertices = 0;
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
  return { geometry, rings, vertices };
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

/** True when (lat, lon) is inside the area (d3-geo `geoContains`, spherical). */
export function areaContains(area: SphereArea, lat: number, lon: number): boolean {
  return geoContains(area.geometry, [lon, lat]);
}

/** Great-circle distance (km) from (lat, lon) to the area: 0 inside, else to its nearest boundary point. */
export function areaDistanceKm(area: SphereArea, lat: number, lon: number): number {
  if (areaContains(area, lat, lon)) return 0;
  return boundaryDistanceKm(area, lat, lon);
}
