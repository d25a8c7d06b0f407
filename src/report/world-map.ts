// Owns the land and the country borders of the HTML report's world map: Natural Earth admin-0 countries at
// 1:110m (public domain) from the `world-atlas` package (ISC), read from node_modules the first time a map is
// drawn (so the bundles stay small and commands that draw no map pay nothing), projected with d3-geo's
// equirectangular projection and written as compact SVG path data: coordinates rounded to 0.1 SVG unit, relative
// segments, points that round onto the previous one dropped. Deterministic: the same world-atlas file gives the
// same bytes. Antarctica is left out (the map's latitude band stops before it).

import { readFileSync } from 'node:fs';
import { geoCircle, geoEquirectangular, geoPath, type GeoContext } from 'd3-geo';
import { merge, mesh } from 'topojson-client';
import type { GeometryCollection, MultiPolygon, Polygon, Topology } from 'topojson-specification';
import { worldAtlasFile, worldAtlasVersion } from '../vantage/country-area.js';
import { EARTH_MEAN_RADIUS_KM } from '../physics.js';

/** ISO 3166-1 numeric id of Antarctica in Natural Earth. */
const ANTARCTICA = '010';

/** The map's frame: `width` SVG units for 360 degrees of longitude, latitude `latTop` at y = 0. */
export interface MapFrame {
  width: number;
  latTop: number;
}

export interface WorldMapPaths {
  /** SVG path data of the land (every country but Antarctica, merged: coastlines only). */
  land: string;
  /** SVG path data of the borders between countries. */
  borders: string;
}

/** Tenths of a unit as the shortest SVG number: 12 -> "1.2", -3 -> "-.3", 40 -> "4". */
function num(tenths: number): string {
  const s = String(tenths / 10);
  return s.startsWith('0.') ? s.slice(1) : s.startsWith('-0.') ? `-${s.slice(2)}` : s;
}

/** A d3-geo path context that writes compact SVG path data (see the file comment). */
class CompactPath implements GeoContext {
  d = '';
  private x = 0;
  private y = 0;
  private startX = 0;
  private startY = 0;

  moveTo(x: number, y: number): void {
    this.x = this.startX = Math.round(x * 10);
    this.y = this.startY = Math.round(y * 10);
    this.d += `M${num(this.x)} ${num(this.y)}`;
  }

  lineTo(x: number, y: number): void {
    const X = Math.round(x * 10);
    const Y = Math.round(y * 10);
    if (X === this.x && Y === this.y) return;
    const dy = num(Y - this.y);
    this.d += `l${num(X - this.x)}${dy.startsWith('-') ? '' : ' '}${dy}`;
    this.x = X;
    this.y = Y;
  }

  closePath(): void {
    this.d += 'z';
    this.x = this.startX;
    this.y = this.startY;
  }

  beginPath(): void {}

  /** Point geometries only; the map draws none through this path. */
  arc(): void {}
}

const cache = new Map<string, WorldMapPaths | null>();

/** The land and border paths for a frame (computed once per frame); undefined when world-atlas cannot be read. */
export function worldMapPaths(frame: MapFrame): WorldMapPaths | undefined {
  const key = `${frame.width}/${frame.latTop}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  let out: WorldMapPaths | null = null;
  try {
    const topology = JSON.parse(readFileSync(worldAtlasFile('countries-110m.json'), 'utf8')) as Topology<{
      countries: GeometryCollection;
    }>;
    const countries = topology.objects.countries;
    const k = frame.width / 360;
    // Equirectangular: x = (lon + 180) * k, y = (latTop - lat) * k. precision(0): edges are drawn straight between
    // vertices, as Natural Earth digitised them, with no adaptive resampling.
    const projection = geoEquirectangular()
      .scale((k * 180) / Math.PI)
      .translate([frame.width / 2, frame.latTop * k])
      .precision(0);
    const land = new CompactPath();
    const shown = countries.geometries.filter((g): g is Polygon | MultiPolygon => (g.type === 'Polygon' || g.type === 'MultiPolygon') && String(g.id) !== ANTARCTICA);
    geoPath(projection, land)(merge(topology, shown));
    const borders = new CompactPath();
    geoPath(projection, borders)(mesh(topology, countries, (a, b) => a !== b));
    out = { land: land.d, borders: borders.d };
  } catch {
    out = null;
  }
  cache.set(key, out);
  return out ?? undefined;
}

/** Kilometres per degree of great circle, as the physical check measures (mean Earth radius). */
const KM_PER_DEGREE = (EARTH_MEAN_RADIUS_KM * Math.PI) / 180;

/**
 * SVG path data of a disc on the sphere (all points within `radiusKm` of the centre, great-circle), projected on the
 * frame: a feasible region's disc. d3-geo cuts it at the antimeridian and follows its true shape (a disc near a pole
 * is wide). Deterministic; empty for a radius that is not a positive number.
 */
export function discPath(frame: MapFrame, lat: number, lon: number, radiusKm: number): string {
  if (!(radiusKm > 0)) return '';
  const k = frame.width / 360;
  const projection = geoEquirectangular()
    .scale((k * 180) / Math.PI)
    .translate([frame.width / 2, frame.latTop * k])
    .precision(0.1);
  const out = new CompactPath();
  const degrees = Math.min(180, radiusKm / KM_PER_DEGREE);
  geoPath(projection, out)(geoCircle().center([lon, lat]).radius(degrees).precision(1)());
  return out.d;
}

/** The attribution line for the report's provenance appendix. */
export function mapAttribution(): string {
  const version = worldAtlasVersion();
  return (
    'World map: Natural Earth 1:110m admin-0 countries; country outlines for the physical RTT check: Natural Earth 1:10m. ' +
    'Made with Natural Earth: free vector and raster map data @ naturalearthdata.com (public domain), ' +
    `as TopoJSON from world-atlas${version ? ` ${version}` : ''} by Mike Bostock (ISC licence).`
  );
}
