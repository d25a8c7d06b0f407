// Owns the curated ASN -> provider table (data: geo/providers.json, with its sources): provider display name,
// whether an ASN is a CDN/anycast edge (the address shows where TLS terminates, not where data is stored), and
// which regions.json key the provider's regions live under.

import fs from 'node:fs';
import path from 'node:path';
import { geoDataDir } from './data-paths.js';

export interface ProviderInfo {
  id: string;
  name: string;
  edge: boolean;
  edge_reason?: string;
  /** Key into regions.json, for providers with published regions. */
  regions?: string;
}

interface ProviderJson {
  id: string;
  name: string;
  asns: number[];
  edge_asns?: number[];
  edge_reason?: string;
  regions?: string;
  sources: string[];
}

export const PROVIDERS_FILE = path.join(geoDataDir(), 'providers.json');

export class ProviderTable {
  private readonly byAsn = new Map<number, ProviderInfo>();
  private readonly byId = new Map<string, ProviderInfo>();
  readonly file: string;

  constructor(doc: { providers: ProviderJson[] }, file = PROVIDERS_FILE) {
    this.file = file;
    for (const p of doc.providers) {
      const edgeSet = new Set(p.edge_asns ?? []);
      const base: ProviderInfo = { id: p.id, name: p.name, edge: false, regions: p.regions };
      this.byId.set(p.id, base);
      for (const asn of p.asns) {
        const edge = edgeSet.has(asn);
        this.byAsn.set(asn, edge ? { ...base, edge: true, edge_reason: p.edge_reason } : base);
      }
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
