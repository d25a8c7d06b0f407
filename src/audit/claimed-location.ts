// Is the location a claim names physically impossible for a flow, given its handshake RTT from the lab?
// The claimed region's metro (geo/regions.json) when the claim names one; for a claimed country, every known
// place in it (the providers' region metros in that country, plus where the geolocation sources put the flow
// if that is in the country) must lie beyond the RTT's reach (rtt-check.ts: RTT x 100 km). A claim naming several
// countries (a list or a group) is impossible only when every one of them is. Approximation:
// a country's nearest border may be closer than its nearest metro; servers sit in metros, so this errs only
// for a server outside every metro and within reach. The lab's own country is never impossible.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { geoDataDir } from '../geo/data-paths.js';
import { ProviderTable } from '../geo/provider.js';
import { greatCircleKm, maxDistanceKm } from '../geo/rtt-check.js';
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

export class ClaimedLocationCheck {
  private readonly metros: Metro[];
  private readonly regionKey = loadRegionKeys();

  constructor(
    private readonly vantage: Vantage | undefined,
    metros?: Metro[],
  ) {
    this.metros = metros ?? loadMetros();
  }

  /** The verdict engine's `claimedLocationImpossible` callback. */
  readonly impossible = (f: VerdictFlow, c: Claim): boolean => {
    const v = this.vantage;
    if (v === undefined || f.rtt_ms === undefined || !Number.isFinite(f.rtt_ms) || f.rtt_ms < 0) return false;
    const reach = maxDistanceKm(f.rtt_ms);
    const far = (lat: number, lon: number): boolean => greatCircleKm(v.lat, v.lon, lat, lon) > reach;
    if (c.region !== undefined) {
      const key = c.provider === undefined ? undefined : this.regionKey(c.provider);
      const m = this.metros.find((x) => x.region === c.region && (key === undefined || x.provider === key));
      if (m && far(m.lat, m.lon)) return true;
    }
    const countries = claimedCountries(c);
    if (countries === undefined || countries.length === 0 || countries.includes(v.country)) return false;
    return countries.every((country) => {
      const points: [number, number][] = this.metros.filter((m) => m.country === country).map((m) => [m.lat, m.lon]);
      for (const s of f.geo_sources ?? []) {
        const ss = s as { country?: string; lat?: number; lon?: number };
        if (ss.country === country && ss.lat !== undefined && ss.lon !== undefined) points.push([ss.lat, ss.lon]);
      }
      if (f.country === country && f.lat !== undefined && f.lon !== undefined) points.push([f.lat, f.lon]);
      return points.length > 0 && points.every(([lat, lon]) => far(lat, lon));
    });
  };
}
