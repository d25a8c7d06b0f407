// Owns the provider region table (data: geo/regions.json): region code -> metro, country and coordinates, used to
// validate regions parsed from names or ranges and to pick the provider region nearest a consensus location.

import fs from 'node:fs';
import path from 'node:path';
import { geoDataDir } from './data-paths.js';
import { greatCircleKm } from './rtt-check.js';

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
  private readonly byProvider = new Map<string, Map<string, RegionInfo>>();
  /** The same regions per provider as an array, for nearest(). */
  private readonly lists = new Map<string, RegionInfo[]>();
  readonly file: string;

  constructor(doc: RegionsJson, file = REGIONS_FILE) {
    this.file = file;
    for (const [provider, p] of Object.entries(doc.providers)) {
      const m = new Map<string, RegionInfo>();
      for (const [region, r] of Object.entries(p.regions)) m.set(region, { region, ...r });
      this.byProvider.set(provider, m);
      this.lists.set(provider, [...m.values()]);
    }
  }

  static load(file = REGIONS_FILE): RegionTable {
    return new RegionTable(JSON.parse(fs.readFileSync(file, 'utf8')) as RegionsJson, file);
  }

  get(provider: string, region: string): RegionInfo | undefined {
    return this.byProvider.get(provider)?.get(region);
  }

  has(provider: string, region: string): boolean {
    return this.get(provider, region) !== undefined;
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
    // Indexed loops over an array, each distance computed once: this runs once per new place and provider, mostly
    // before the code is optimised.
    const list = this.lists.get(provider);
    if (!list) return undefined;
    let best: RegionInfo | undefined;
    let bestKm = Infinity;
    if (country) {
      for (let i = 0; i < list.length; i++) {
        const r = list[i];
        if (r.country !== country) continue;
        const d = greatCircleKm(lat, lon, r.lat, r.lon);
        if (d < bestKm) {
          bestKm = d;
          best = r;
        }
      }
      if (best && bestKm <= maxKm) return best;
    }
    // Then every region (those in `country` were measured above: none of them is nearer than `best`).
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (country && r.country === country) continue;
      const d = greatCircleKm(lat, lon, r.lat, r.lon);
      if (d < bestKm) {
        bestKm = d;
        best = r;
      }
    }
    return best && bestKm <= maxKm ? best : undefined;
  }
}
