// Owns the provider region table (data: geo/regions.json): region code -> metro, country and coordinates, used to
// validate regions parsed from names or ranges and to pick the provider region nearest a consensus location.

import fs from 'node:fs';
import path from 'node:path';
import { geoDataDir } from './data-paths.js';
import { greatCircleKm } from '../physics.js';

export interface RegionInfo {
  region: string;
  city: string;
  country: string;
  lat: number;
  lon: number;
}

export const REGIONS_FILE = path.join(geoDataDir(), 'regions.json');

type RegionsJson = { providers: Record<string, { regions: Record<string, Omit<RegionInfo, 'region'>> }> };

export class RegionTable {
  /** Each regions.json key's regions, in file order. */
  private readonly lists = new Map<string, RegionInfo[]>();

  constructor(
    doc: RegionsJson,
    readonly file = REGIONS_FILE,
  ) {
    for (const [provider, p] of Object.entries(doc.providers)) this.lists.set(provider, Object.entries(p.regions).map(([region, r]) => ({ region, ...r })));
  }

  static load(file = REGIONS_FILE): RegionTable {
    return new RegionTable(JSON.parse(fs.readFileSync(file, 'utf8')) as RegionsJson, file);
  }

  has(provider: string, region: string): boolean {
    return this.list(provider).some((r) => r.region === region);
  }

  /** The regions.json keys (providers with published regions), in file order. */
  keys(): string[] {
    return [...this.lists.keys()];
  }

  /** Every region of one regions.json key, in file order (empty when the key is unknown). */
  list(provider: string): readonly RegionInfo[] {
    return this.lists.get(provider) ?? [];
  }

  /**
   * The provider's region nearest (lat, lon), preferring regions in `country` when given; undefined when the
   * provider has no regions or none lies within `maxKm` (a location far from every region says nothing).
   */
  nearest(provider: string, lat: number, lon: number, country?: string, maxKm = 1500): RegionInfo | undefined {
    let home: RegionInfo | undefined; // the nearest in `country`
    let any: RegionInfo | undefined;
    let homeKm = Infinity;
    let anyKm = Infinity;
    for (const r of this.list(provider)) {
      const d = greatCircleKm(lat, lon, r.lat, r.lon);
      if (d < anyKm) {
        any = r;
        anyKm = d;
      }
      if (r.country === country && d < homeKm) {
        home = r;
        homeKm = d;
      }
    }
    return homeKm <= maxKm ? home : anyKm <= maxKm ? any : undefined;
  }
}
