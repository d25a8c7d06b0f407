// Owns the places a claim names, as the feasible-region test sees them, and the test itself: a city point or a
// cloud region's metro is one point; a country is, for now, the places we know in it (the providers' region metros
// there, the positions geolocation sources give inside it, the vantage points located in it), as
// audit/claimed-location.ts does, and is refuted only when every one of them is outside the region; a claim naming
// several countries is refuted only when each is. A place is an interface, so a country polygon can replace the
// point set later without touching callers. Approximation (as in claimed-location.ts): a country's nearest border
// may be closer than its nearest known place; servers sit in metros, so this errs only for a server outside every
// known place yet inside the region. Pure.

import type { Claim } from '../audit/claims.js';
import { excludedBy, type Exclusion, type FeasibleRegion } from './multilateration.js';

export interface PlacePoint {
  /** For sentences: `Singapore (aws ap-southeast-1)`, `Paris lab`. */
  name: string;
  lat: number;
  lon: number;
}

/** One known point of a place and the discs that exclude it (none: the point is inside the region). */
export interface PointTest {
  point: PlacePoint;
  excluded_by: Exclusion[];
}

/** The outcome of testing a place against a feasible region. */
export type PlaceTest =
  /** Some point of the place is inside every disc. */
  | { outcome: 'inside'; witness: PlacePoint }
  /** Every known point of the place is outside; each with the discs that exclude it. */
  | { outcome: 'outside'; points: PointTest[] }
  /** Nothing is known about where the place is (a country without a known point). */
  | { outcome: 'unknown'; reason: string };

/** A place a claim names. */
export interface ClaimedPlace {
  readonly label: string;
  test(region: FeasibleRegion): PlaceTest;
}

/** A place stood for by known points (one for a city or metro, several for a country). */
export class PointSetPlace implements ClaimedPlace {
  constructor(
    readonly label: string,
    readonly points: readonly PlacePoint[],
  ) {}

  test(region: FeasibleRegion): PlaceTest {
    if (this.points.length === 0) return { outcome: 'unknown', reason: `no known place in ${this.label}` };
    const tests: PointTest[] = [];
    for (const point of this.points) {
      const excluded_by = excludedBy(region, point);
      if (excluded_by.length === 0) return { outcome: 'inside', witness: point };
      tests.push({ point, excluded_by });
    }
    return { outcome: 'outside', points: tests };
  }
}

/** One point: a city, a lab, a region's metro. */
export function pointPlace(label: string, lat: number, lon: number): ClaimedPlace {
  return new PointSetPlace(label, [{ name: label, lat, lon }]);
}

/** Any of several places (a claim naming several countries): inside when one is; outside only when all are. */
export class AnyOfPlaces implements ClaimedPlace {
  constructor(
    readonly label: string,
    readonly places: readonly ClaimedPlace[],
  ) {}

  test(region: FeasibleRegion): PlaceTest {
    const points: PointTest[] = [];
    let unknown: string | undefined;
    for (const p of this.places) {
      const t = p.test(region);
      if (t.outcome === 'inside') return t;
      if (t.outcome === 'unknown') unknown ??= t.reason;
      else points.push(...t.points);
    }
    if (unknown !== undefined) return { outcome: 'unknown', reason: unknown };
    if (points.length === 0) return { outcome: 'unknown', reason: `no known place in ${this.label}` };
    return { outcome: 'outside', points };
  }
}

/** A known point located in a country (a region metro, a geolocation source's position, a vantage point). */
export interface CountryPoint extends PlacePoint {
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** What the caller knows about places (region metros from geo/regions.json, today). */
export interface KnownPlaces {
  /** The metro of a cloud region: `provider` is the claim's canonical provider id, when it names one. */
  regionMetro(provider: string | undefined, region: string): PlacePoint | undefined;
  /** Known points in a country. */
  countryPoints(country: string): PlacePoint[];
}

/** A region metro as regions.json lists it. */
export interface MetroEntry {
  /** regions.json provider key (`aws`, `gcp`). */
  provider: string;
  region: string;
  country: string;
  lat: number;
  lon: number;
  city?: string;
}

/** KnownPlaces over a list of region metros; `regionKey` maps a claim's provider id to its regions.json key. */
export function knownPlacesFrom(metros: readonly MetroEntry[], regionKey: (provider: string) => string = (p) => p): KnownPlaces {
  const name = (m: MetroEntry): string => `${m.city ?? m.region} (${m.provider} ${m.region})`;
  return {
    regionMetro(provider, region) {
      const key = provider === undefined ? undefined : regionKey(provider);
      const m = metros.find((x) => x.region === region && (key === undefined || x.provider === key));
      return m === undefined ? undefined : { name: name(m), lat: m.lat, lon: m.lon };
    },
    countryPoints(country) {
      return metros.filter((m) => m.country === country).map((m) => ({ name: name(m), lat: m.lat, lon: m.lon }));
    },
  };
}

/**
 * The places a claim names, one per part it states (the region's metro; the claimed countries). The claim is
 * physically refuted when any part is outside the region. `extra` adds known points by country (geolocation
 * source positions, vantage points).
 */
export function claimPlaces(claim: Pick<Claim, 'region' | 'provider' | 'countries' | 'country'>, known: KnownPlaces, extra: readonly CountryPoint[] = []): ClaimedPlace[] {
  const out: ClaimedPlace[] = [];
  if (claim.region !== undefined) {
    const m = known.regionMetro(claim.provider, claim.region);
    if (m !== undefined) out.push(new PointSetPlace(m.name, [m]));
  }
  const countries = claim.countries ?? [];
  if (countries.length > 0) {
    const places = countries.map((cc) => new PointSetPlace(cc, dedupe([...known.countryPoints(cc), ...extra.filter((p) => p.country === cc)])));
    out.push(places.length === 1 ? places[0] : new AnyOfPlaces(claim.country ?? countries.join(', '), places));
  }
  return out;
}

function dedupe(points: PlacePoint[]): PlacePoint[] {
  const seen = new Set<string>();
  return points.filter((p) => {
    const k = `${p.lat},${p.lon}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
