// Is the location a claim names physically impossible for a flow, given its handshake RTT from the lab?
// The claimed region's metro (geo/regions.json) when the claim names one; a claimed country when its whole
// territory lies beyond the RTT's reach (physics.ts: RTT x 100 km): the nearest point of it (Natural Earth
// outline, src/vantage/country-area.ts: coasts, borders, islands and exclaves included) is farther from the lab.
// A claim naming several countries (a list or a group) is impossible only when every one of them is. The lab's
// own country (and a code with no outline, though every accepted code has one) is never impossible. The lab is
// fixed for a run, so each country's distance from it is computed once.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { geoDataDir } from '../geo/data-paths.js';
import { ProviderTable } from '../geo/provider.js';
import { countryDistanceKm } from '../vantage/country-area.js';
import { greatCircleKm, maxDistanceKm } from '../physics.js';
import type { Claim } from './claims.js';
import type { Vantage } from './report-model.js';
import { claimedCountries, type VerdictFlow } from './verdict.js';

interface Metro {
  provider: string;
  region: string;
  country: string;
  lat: number;
  lon: number;
}

function loadMetros(): Metro[] {
  try {
    const doc = JSON.parse(readFileSync(path.join(geoDataDir(), 'regions.json'), 'utf8')) as {
      providers?: Record<string, { regions?: Record<string, { country?: string; lat?: number; lon?: number }> }>;
    };
    const out: Metro[] = [];
    for (const [provider, p] of Object.entries(doc.providers ?? {})) {
      for (const [region, r] of Object.entries(p.regions ?? {})) {
        if (typeof r.country === 'string' && typeof r.lat === 'number' && typeof r.lon === 'number') {
          out.push({ provider, region, country: r.country, lat: r.lat, lon: r.lon });
        }
      }
    }
    return out;
  } catch {
    return [];
  }
}

/** regions.json key of a provider id (`google` -> `gcp`); the id itself when providers.json names none. */
function loadRegionKeys(): (provider: string) => string {
  try {
    const table = ProviderTable.load();
    return (provider) => table.byProviderId(provider)?.regions ?? provider;
  } catch {
    return (provider) => provider;
  }
}

/** Great-circle km from (lat, lon) to a country's territory, 0 inside; undefined when it has no outline. */
export type CountryDistance = (country: string, lat: number, lon: number) => number | undefined;

export class ClaimedLocationCheck {
  private readonly metros: Metro[];
  private readonly regionKey = loadRegionKeys();
  /** Distance from a lab to each country asked about (undefined: no outline), by lab position and country. */
  private readonly countryKm = new Map<string, number | undefined>();

  constructor(
    private readonly vantage: Vantage | undefined,
    metros?: Metro[],
    private readonly distanceToCountry: CountryDistance = countryDistanceKm,
  ) {
    this.metros = metros ?? loadMetros();
  }

  /** Km from the lab to the nearest point of the country's territory (cached per lab and country). */
  private labToCountryKm(v: Vantage, country: string): number | undefined {
    const key = `${v.lat},${v.lon}|${country}`;
    if (!this.countryKm.has(key)) this.countryKm.set(key, this.distanceToCountry(country, v.lat, v.lon));
    return this.countryKm.get(key);
  }

  /**
   * Why the claimed location is beyond the reach of a round trip of `rttMs` from `lab` (`the metro of
   * ap-southeast-1 is 4,150 km away`, `the nearest point of US is 11,520 km away`), or undefined when it is not.
   * The lab's own country is never beyond reach.
   */
  beyondReach(lab: Vantage, rttMs: number, c: Claim): string | undefined {
    if (!Number.isFinite(rttMs) || rttMs < 0) return undefined;
    const reach = maxDistanceKm(rttMs);
    if (c.region !== undefined) {
      const key = c.provider === undefined ? undefined : this.regionKey(c.provider);
      const m = this.metros.find((x) => x.region === c.region && (key === undefined || x.provider === key));
      const km = m === undefined ? undefined : greatCircleKm(lab.lat, lab.lon, m.lat, m.lon);
      if (km !== undefined && km > reach) return `the metro of ${c.region} is ${Math.round(km).toLocaleString('en-US')} km away`;
    }
    const countries = claimedCountries(c);
    if (countries === undefined || countries.length === 0 || countries.includes(lab.country)) return undefined;
    const kms: number[] = [];
    for (const country of countries) {
      const km = this.labToCountryKm(lab, country);
      if (km === undefined || km <= reach) return undefined;
      kms.push(km);
    }
    const near = Math.round(Math.min(...kms)).toLocaleString('en-US');
    return countries.length === 1 ? `the nearest point of ${countries[0]} is ${near} km away` : `the nearest point of any of ${countries.join(', ')} is ${near} km away`;
  }

  /** The verdict engine's `claimedLocationImpossible` callback (the lab of the claims file, the flow's RTT). */
  readonly impossible = (f: VerdictFlow, c: Claim): boolean => {
    const v = this.vantage;
    if (v === undefined || f.rtt_ms === undefined) return false;
    return this.beyondReach(v, f.rtt_ms, c) !== undefined;
  };
}
