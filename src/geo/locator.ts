// Owns one address's geolocation end to end, and the flow fields made from it: a private address is not
// geolocated (address.ts); a public one is asked of every located source (a user's --geo-dir files first) and of
// the registration source (sources.ts), the answers are combined (consensus.ts), the ASN comes from a user's ASN
// mmdb or else the embedded CSV table (asn-table.ts), then provider, edge and region follow (provider.ts,
// provider-ranges.ts).
// Per flow (or `geo` call), what its DNS names say (region-from-name.ts) applies on top. Nothing here depends on
// where the capture was taken: the physical RTT check against a lab is the vantage rule that follows geolocation
// (pipeline/flow-geo.ts). Each file is opened when an address of its family first needs it, and read by the pages
// lookups touch. One cache: the result per address (and what each DNS name says).

import path from 'node:path';
import { PACKAGE_ROOT } from '../version.js';
import type { FlowGeoFields, FlowRecord, GeoProvenance, GeoResult, GeoSourceAnswer } from '../types.js';
import { GEO_MAX_CACHED_IPS, GEO_MAX_CACHED_NAMES } from '../limits.js';
import { toAddress, type Address } from './address.js';
import { consensus } from './consensus.js';
import { filesIn, geoDataDir } from './data-paths.js';
import { defaultCacheDir, fileSha256 } from '../file-sha256.js';
import { edgeOf, providerOf, ProviderTable, regionOf, withNames } from './provider.js';
import { loadRangesFile, RangeIndex, type ParsedRanges } from './provider-ranges.js';
import { regionFromName, type NameHint } from './region-from-name.js';
import { RegionTable } from './regions.js';
import { answer, embeddedSpecs, geoDirSources, GeoSource, toAnswer, type AsnAnswer } from './sources.js';

export interface GeoLocatorOptions {
  /** Folder with MaxMind (GeoIP2/GeoLite2 City/Country/ASN/ISP) or ip-location-db mmdb files and/or provider range files. */
  geoDir?: string;
  /** Where the SHA-256 of the data files is remembered (default: $XDG_CACHE_HOME/residency or node_modules/.cache/residency). */
  cacheDir?: string;
  /** Use the embedded @ip-location-db data (default true). */
  useEmbedded?: boolean;
}

/** The cached answer for one address, and what the hint steps need besides it. */
interface Located {
  result: GeoResult;
  /** The address's provider (providers.json id): a DNS name gives a region only for it. */
  providerId?: string;
  /** The flow fields when a flow's names change nothing (most flows): shared by them, read-only. */
  fields?: FlowGeoFields;
}

/** The curated tables and official range files, read when first needed. */
interface Tables {
  providers: ProviderTable;
  regions: RegionTable;
  ranges: RangeIndex;
  rangeFiles: { file: string; parsed: ParsedRanges }[];
}

/** Every key of a lookup result, in the order JSON output shows them (absent ones undefined, which JSON leaves out). */
const RESULT: GeoResult = {
  ip: '', scope: 'public', sources: [], country_agreement: 'unknown', country_settled_by: undefined, edge: false, country: undefined,
  city: undefined, lat: undefined, lon: undefined, asn: undefined, as_org: undefined, provider: undefined, edge_reason: undefined,
  region: undefined, region_source: undefined, private_reason: undefined, max_distance_km: undefined, physical: undefined,
};

export class GeoLocator {
  private readonly cache = new Map<string, Located>();
  /** What each DNS name says (regionFromName), remembered: flows repeat a few hundred names thousands of times
   *  (without it, geolocating the 1 GB bench capture's flows ran 34 % more instructions, cachegrind). */
  private readonly nameHints = new Map<string, NameHint | null>();
  /** The data files by role, listed (a geo dir's files read) at the first public address; `unused`: a geo dir's
   *  files no lookup can use (unreadable, or of another type). */
  private sources: Record<'located' | 'registration' | 'asn' | 'unused', GeoSource[]> | undefined;
  /** Files whose problem a warning has named (warnings()). */
  private readonly warned = new Set<GeoSource>();
  private tablesRead: Tables | undefined;

  private constructor(private readonly opts: GeoLocatorOptions) {}

  /** A locator that has read nothing yet. */
  static async open(opts: GeoLocatorOptions = {}): Promise<GeoLocator> {
    return new GeoLocator(opts);
  }

  /** Full lookup of one address, with what its DNS `names` say. Never throws; an unparsable address comes back
   *  private with reason `invalid`. */
  lookup(ip: string, names: readonly string[] = []): GeoResult {
    const e = this.located(ip);
    const r = e.result.scope === 'private' ? e.result : this.withHints(e, names);
    return { ...r, sources: r.sources.map((s) => ({ ...s })) }; // the caller's own: the cached result shares its parts
  }

  /** Geo fields for a flow's server address, from its names (hostname, then CNAME chain). */
  enrichFlow(f: FlowRecord): FlowGeoFields {
    const e = this.located(f.server_ip);
    const names = f.hostname ? [f.hostname, ...(f.cname_chain ?? [])] : (f.cname_chain ?? []);
    const r = e.result.scope === 'private' ? e.result : this.withHints(e, names);
    return r === e.result ? (e.fields ??= flowFields(r)) : flowFields(r);
  }

  /** Forgets every cached result and name hint (the data stays loaded). */
  clearCaches(): void {
    this.cache.clear();
    this.nameHints.clear();
  }

  /** Opens the data files of the given families now instead of at the first lookup (so its cost can be timed apart). */
  preload(families: (4 | 6)[] = [4, 6]): void {
    this.files();
    for (const f of families) for (const m of this.listed()) if (m.covers(f)) m.open();
    this.tables();
  }

  /** The provider id whose published range files (geo/ranges, --geo-dir) hold `ip`, or undefined. */
  publishedRangeProvider(ip: string): string | undefined {
    const a = toAddress(ip);
    return 'reason' in a ? undefined : this.tables().ranges.lookup(a.family, a.words)?.provider;
  }

  private located(ip: string): Located {
    let e = this.cache.get(ip);
    if (e === undefined) {
      e = this.locate(ip);
      if (this.cache.size >= GEO_MAX_CACHED_IPS) this.cache.clear();
      this.cache.set(ip, e);
    }
    return e;
  }

  private locate(ip: string): Located {
    const a = toAddress(ip);
    if ('reason' in a) return { result: { ...RESULT, ip, scope: 'private', sources: [], country_agreement: 'private', private_reason: a.reason } };
    const s = this.files();
    const ask = (files: GeoSource[]): GeoSourceAnswer[] => files.flatMap((m) => (m.covers(a.family) ? (toAnswer(m.spec.id, m.get(a)) ?? []) : []));
    const located = ask(s.located);
    const registration = ask(s.registration).map((x) => answer(x.source, x.country)); // registration is no place
    const c = consensus(located, registration);
    const t = this.tables();
    const range = t.ranges.lookup(a.family, a.words);
    const asn = this.asnOf(a);
    const provider = providerOf(t.providers, asn?.asn, range);
    const { edge, reason } = edgeOf(provider, range);
    const region = regionOf(t.regions, provider, range, edge, c);
    const result: GeoResult = {
      ...RESULT, ip, sources: located.concat(registration), country_agreement: c.agreement, edge, country: c.country, city: c.city,
      lat: c.lat, lon: c.lon, asn: asn?.asn, as_org: asn?.org || undefined, provider: provider?.name, edge_reason: reason,
      region: region?.region, region_source: region?.source,
    };
    return { result, providerId: provider?.id };
  }

  /** ASN: a user's ASN mmdb first, else the embedded CSV table (the next file only opened when one says nothing). */
  private asnOf(a: Address): AsnAnswer | null {
    for (const m of this.files().asn) {
      const hit = m.covers(a.family) ? m.asn(a) : null;
      if (hit) return hit;
    }
    return null;
  }

  /** The lookup with what the names say applied (a copy when they change it). */
  private withHints(e: Located, names: readonly string[]): GeoResult {
    const hints: NameHint[] = [];
    for (const n of names) {
      let h = this.nameHints.get(n);
      if (h === undefined) {
        if (this.nameHints.size >= GEO_MAX_CACHED_NAMES) this.nameHints.clear();
        this.nameHints.set(n, (h = regionFromName(n, this.tables().regions)));
      }
      if (h) hints.push(h);
    }
    return hints.length > 0 ? withNames(e.result, hints, e.providerId, this.tables().providers) : e.result;
  }

  private files(): NonNullable<GeoLocator['sources']> {
    if (this.sources === undefined) {
      const dir = this.opts.geoDir ? geoDirSources(this.opts.geoDir) : { used: [], unused: [] };
      const all = [...dir.used, ...(this.opts.useEmbedded === false ? [] : embeddedSpecs().map((spec) => new GeoSource(spec)))];
      const role = (...roles: string[]): GeoSource[] => all.filter((m) => roles.includes(m.spec.role));
      this.sources = { located: role('city', 'country'), registration: role('registration'), asn: role('asn'), unused: dir.unused };
    }
    return this.sources;
  }

  /** Every data file listed so far (none before the first public address), the unused ones last. */
  private listed(): GeoSource[] {
    const s = this.sources;
    return s ? [...s.located, ...s.registration, ...s.asn, ...s.unused] : [];
  }

  /** Data files with a problem not yet warned about, each once: `<file>: <problem>`. */
  warnings(): string[] {
    const out: string[] = [];
    for (const m of this.listed()) {
      if (m.problem === undefined || this.warned.has(m)) continue;
      this.warned.add(m);
      out.push(`${m.spec.file}: ${m.problem}`);
    }
    return out;
  }

  private tables(): Tables {
    if (this.tablesRead === undefined) {
      const t: Tables = { providers: ProviderTable.load(), regions: RegionTable.load(), ranges: new RangeIndex(), rangeFiles: [] };
      const dirs = [path.join(geoDataDir(), 'ranges'), ...(this.opts.geoDir ? [this.opts.geoDir, path.join(this.opts.geoDir, 'ranges')] : [])];
      for (const dir of new Set(dirs)) {
        for (const file of filesIn(dir, '.json')) {
          const parsed = loadRangesFile(file);
          if (!parsed || parsed.prefixes.length === 0) continue;
          t.ranges.add(parsed);
          t.rangeFiles.push({ file, parsed });
        }
      }
      this.tablesRead = t;
    }
    return this.tablesRead;
  }

  /** Which files answered so far (opened mmdb files and ASN tables), the curated tables and the range files. */
  provenance(): GeoProvenance[] {
    const cacheDir = this.opts.cacheDir ?? defaultCacheDir();
    const out: GeoProvenance[] = [];
    for (const m of this.listed()) {
      if (!m.opened && m.problem === undefined) continue;
      try {
        out.push(m.provenance(cacheDir));
      } catch {
        // a file that cannot even be read for its hash: named by warnings() only
      }
    }
    const t = this.tables();
    for (const file of [t.providers.file, t.regions.file]) out.push({ source: path.basename(file, '.json'), kind: 'provider-table', file, sha256: fileSha256(file, cacheDir) });
    for (const { file, parsed } of t.rangeFiles) {
      out.push({ source: parsed.source, kind: 'provider-ranges', file, sha256: fileSha256(file, cacheDir), version: parsed.version, build_date: parsed.build_date });
    }
    // Files shipped with the tool are named relative to its root, so reports are identical on every install; a
    // user's own geo dir keeps its absolute path (the hash identifies the data either way).
    for (const p of out) {
      const rel = path.relative(PACKAGE_ROOT, p.file);
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) p.file = rel.split(path.sep).join('/');
    }
    return out;
  }
}

/** A flow's geo fields from a lookup, every key present in the order JSON shows them. */
function flowFields(r: GeoResult): FlowGeoFields {
  return {
    country_agreement: r.country_agreement,
    country_settled_by: r.country_settled_by,
    edge: r.edge,
    geo_sources: r.scope === 'public' ? r.sources : undefined, // private addresses ask no source: field omitted
    country: r.country,
    city: r.city,
    lat: r.lat,
    lon: r.lon,
    asn: r.asn,
    as_org: r.as_org,
    provider: r.provider,
    region: r.region,
    region_source: r.region_source,
    physical: r.physical,
  };
}
