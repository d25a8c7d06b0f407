// Owns what follows from a lookup's ASN, official range entry, consensus place and the flow's DNS names: the
// provider (curated ASN table, data: geo/providers.json with its sources), whether the address is a CDN/anycast
// edge (it shows where TLS terminates, not where data is stored), and the region. Small pure functions over the
// tables; the rules are listed in geo/README.md, "What a lookup does".

import fs from 'node:fs';
import path from 'node:path';
import type { GeoResult, RegionSource } from '../types.js';
import type { Consensus } from './consensus.js';
import { geoDataDir } from './data-paths.js';
import type { RangeEntry } from './provider-ranges.js';
import type { NameHint } from './region-from-name.js';
import type { RegionTable } from './regions.js';

export interface ProviderInfo {
  id: string;
  name: string;
  edge: boolean;
  edge_reason?: string;
  /** Key into regions.json, for providers with published regions. */
  regions?: string;
}

/** One entry of providers.json (its `sources` list the pages each mapping was checked against). */
type ProviderJson = { id: string; name: string; asns: number[]; edge_asns?: number[]; edge_reason?: string; regions?: string };

export const PROVIDERS_FILE = path.join(geoDataDir(), 'providers.json');

export class ProviderTable {
  private readonly byAsn = new Map<number, ProviderInfo>();
  private readonly byId = new Map<string, ProviderInfo>();

  constructor(
    doc: { providers: ProviderJson[] },
    readonly file = PROVIDERS_FILE,
  ) {
    for (const p of doc.providers) {
      const base: ProviderInfo = { id: p.id, name: p.name, edge: false, regions: p.regions };
      this.byId.set(p.id, base);
      for (const asn of p.asns) this.byAsn.set(asn, p.edge_asns?.includes(asn) ? { ...base, edge: true, edge_reason: p.edge_reason } : base);
    }
  }

  static load(file = PROVIDERS_FILE): ProviderTable {
    return new ProviderTable(JSON.parse(fs.readFileSync(file, 'utf8')) as { providers: ProviderJson[] }, file);
  }

  fromAsn(asn: number): ProviderInfo | undefined {
    return this.byAsn.get(asn);
  }

  byProviderId(id: string): ProviderInfo | undefined {
    return this.byId.get(id);
  }
}

/** The provider: by ASN, overridden by an official range file that covers the address. */
export function providerOf(providers: ProviderTable, asn: number | undefined, range: RangeEntry | undefined): ProviderInfo | undefined {
  const byAsn = asn === undefined ? undefined : providers.fromAsn(asn);
  return (range && providers.byProviderId(range.provider)) ?? byAsn;
}

/** Edge: a CDN/anycast ASN of the provider, or a range entry marked as one (its reason then wins). */
export function edgeOf(provider: ProviderInfo | undefined, range: RangeEntry | undefined): { edge: boolean; reason?: string } {
  const edge = provider?.edge === true || range?.edge === true;
  return { edge, reason: (range?.edge ? range.edge_reason : undefined) ?? (provider?.edge ? provider.edge_reason : undefined) };
}

/**
 * The region: an official range's, else (not at an edge) the provider's region nearest a city-level consensus
 * place (a country centroid would pick an arbitrary region).
 */
export function regionOf(
  regions: RegionTable, provider: ProviderInfo | undefined, range: RangeEntry | undefined, edge: boolean, place: Consensus,
): { region: string; source: RegionSource } | undefined {
  if (range?.region) return { region: range.region, source: 'provider-ranges' };
  if (edge || !provider?.regions || place.city === undefined || place.lat === undefined || place.lon === undefined) return undefined;
  const near = regions.nearest(provider.regions, place.lat, place.lon, place.country);
  return near && { region: near.region, source: 'nearest-city' };
}

/**
 * A lookup with what the flow's names say (hostname, then the CNAME chain; see region-from-name.ts): a CDN name
 * makes the address an edge (a nearest-city region is then dropped); a name of the address's own provider (any
 * provider when it has none) gives the region, unless an official range already did. `providerId`: the address's.
 */
export function withNames(r: GeoResult, hints: readonly NameHint[], providerId: string | undefined, providers: ProviderTable): GeoResult {
  const edgeHint = hints.find((h) => h.edge);
  const regionHint = hints.find((h) => h.region && (providerId === undefined || providerId === h.provider));
  const edge = r.edge || edgeHint !== undefined;
  const named = regionHint !== undefined && !edge && r.region_source !== 'provider-ranges';
  if (edge === r.edge && !named) return r; // the names change nothing
  const out = { ...r, edge };
  if (!r.edge) out.edge_reason = edgeHint?.edge_reason;
  if (named) {
    out.region = regionHint.region;
    out.region_source = 'dns-name';
    out.provider ??= providers.byProviderId(regionHint.provider)?.name;
  }
  if (edge && out.region_source === 'nearest-city') {
    out.region = undefined;
    out.region_source = undefined;
  }
  return out;
}
