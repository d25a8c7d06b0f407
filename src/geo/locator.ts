// Owns one IP lookup end to end: private ranges first, then every located source (user mmdb files before the
// embedded ones), the registration country, consensus, ASN (user ASN mmdb, else the cached CSV table),
// provider, edge flag and region (official ranges > DNS name > provider region nearest the consensus city),
// and the physical RTT check (which may settle a dispute between sources: consensus.ts settleByRtt). Base results
// are cached per IP; flow hints (names, RTT) are applied on top.

import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../version.js';
import type { FlowGeoFields, FlowRecord, GeoProvenance, GeoResult, GeoSourceAnswer } from '../types.js';
import { GEO_MAX_CACHED_IPS } from '../limits.js';
import { AsnTable } from './asn-table.js';
import { consensus, settleByRtt } from './consensus.js';
import { defaultCacheDir, geoDataDir } from './data-paths.js';
import { LookupCore, MAX_TUPLE } from './lookup-core.js';
import { ProviderTable, type ProviderInfo } from './provider.js';
import { loadRangesFile, RangeIndex, type ParsedRanges, type RangeEntry } from './provider-ranges.js';
import { regionFromName, type NameHint } from './region-from-name.js';
import { RegionTable, type RegionInfo } from './regions.js';
import { parseIpv4, parseIpv6 } from './ip-parse.js';
import { maxDistanceKm, physicalCheck } from './rtt-check.js';
import { embeddedAsnCsv, embeddedMmdbSpecs, geoDirMmdbSpecs, LICENCES, MmdbSource, sha256File, type AsnAnswer } from './sources.js';

export interface GeoLocatorOptions {
  /** Folder with MaxMind (GeoIP2/GeoLite2 City/Country/ASN) mmdb files and/or provider range JSON files. */
  geoDir?: string;
  /** Where the ASN lookup table is cached (default: $XDG_CACHE_HOME/residency or node_modules/.cache/residency). */
  cacheDir?: string;
  /** Use the embedded @ip-location-db data (default true). */
  useEmbedded?: boolean;
  /** Lab location for the physical RTT check. */
  vantage?: { lat: number; lon: number };
}

export interface LookupHints {
  hostnames?: string[];
  rttMs?: number;
}

/**
 * What every address answered by the same database records shares (the same located, registration, ASN and
 * range entries): the base result, what the hint steps need that the record does not carry, and the enrichFlow
 * results by what names say. The result's `ip` is the first such address's; lookup() hands out copies with their own.
 */
interface BaseEntry {
  result: GeoResult;
  providerId: string | undefined;
  /** true when the region came from official ranges (a DNS name must not override it). */
  regionFixed: boolean;
  /** How many of result.sources are located answers (the rest are registration answers). */
  located: number;
  /** enrichFlow result when the flow's names say nothing (no RTT check applies; read-only, shared). */
  bare: FlowGeoFields | undefined;
  /** enrichFlow result when a name says the server is an edge. */
  edged: FlowGeoFields | undefined;
  /** enrichFlow results by the name hint that gives the region. */
  byHint: Map<NameHint, FlowGeoFields> | undefined;
}

function displayPath(file: string): string {
  const rel = path.relative(PACKAGE_ROOT, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

export class GeoLocator {
  private readonly located: MmdbSource[];
  private readonly registration: MmdbSource[];
  private readonly asnMmdb: MmdbSource[];
  private readonly asnCsv: { v4?: string; v6?: string; version?: string };
  private readonly cacheDir: string | null;
  private asn4: AsnTable | null | undefined;
  private asn6: AsnTable | null | undefined;
  private readonly ranges = new RangeIndex();
  private readonly rangeFiles: { file: string; parsed: ParsedRanges }[] = [];
  private readonly providers: ProviderTable;
  private readonly regions: RegionTable;
  /** Base entries by address (several addresses share one entry: see `byId`). */
  private readonly cache = new Map<string, BaseEntry>();
  /** Base entries by the id of the database records that answered (LookupCore.combo: see compute). */
  private byId: (BaseEntry | undefined)[] = [];
  /** The same, for addresses a provider range file also answers: by id * 2^20 + range id. */
  private readonly byRange = new Map<number, BaseEntry>();
  /** Private (and unparsable) addresses' entries, by reason. */
  private readonly privates = new Map<string, BaseEntry>();
  /** Parse, private ranges and record-combination ids, in WebAssembly. */
  private readonly core: LookupCore;
  /** Slots of the combination tuple (LookupCore.reset). */
  private readonly tupleWidth: number;
  /** enrichFlow results held in the base entries (bounded with the caches). */
  private flowCacheSize = 0;
  private readonly rangeIds = new Map<RangeEntry, number>();
  /** compute's record offsets per located, then registration, source. */
  private readonly offsets: Float64Array;
  private readonly nameCache = new Map<string, NameHint | null>();
  private readonly nearCache = new Map<string, RegionInfo | null>();
  private readonly words = new Uint32Array(4);
  readonly vantage?: { lat: number; lon: number };
  private physicalDisabled: string | null = null;

  private constructor(opts: GeoLocatorOptions) {
    const useEmbedded = opts.useEmbedded !== false;
    const user = opts.geoDir ? geoDirMmdbSpecs(opts.geoDir) : [];
    const embedded = useEmbedded ? embeddedMmdbSpecs() : [];
    const all = [...user, ...embedded].map((s) => new MmdbSource(s));
    this.located = all.filter((s) => s.spec.role === 'city' || s.spec.role === 'country');
    this.registration = all.filter((s) => s.spec.role === 'registration');
    this.asnMmdb = all.filter((s) => s.spec.role === 'asn');
    this.offsets = new Float64Array(this.located.length + this.registration.length);
    // The combination tuple: family, one offset per mmdb file, the ASN CSV entry.
    this.tupleWidth = all.length + 2;
    if (this.tupleWidth > MAX_TUPLE) throw new Error(`at most ${MAX_TUPLE - 2} geo database files (${all.length} given)`);
    // Ids are forgotten (forgetShared) before GEO_MAX_CACHED_IPS combinations are held.
    this.core = new LookupCore(this.tupleWidth, GEO_MAX_CACHED_IPS);
    this.core.reset(this.tupleWidth);
    this.asnCsv = useEmbedded ? embeddedAsnCsv() : {};
    this.cacheDir = opts.cacheDir ?? defaultCacheDir();
    this.providers = ProviderTable.load();
    this.regions = RegionTable.load();
    this.vantage = opts.vantage;
    const rangeDirs = [path.join(geoDataDir(), 'ranges')];
    if (opts.geoDir) rangeDirs.push(opts.geoDir, path.join(opts.geoDir, 'ranges'));
    for (const dir of new Set(rangeDirs)) this.loadRangeDir(dir);
  }

  static async open(opts: GeoLocatorOptions = {}): Promise<GeoLocator> {
    return new GeoLocator(opts);
  }

  private loadRangeDir(dir: string): void {
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.json')).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const file = path.join(dir, n);
      const parsed = loadRangesFile(file);
      if (!parsed || parsed.prefixes.length === 0) continue;
      this.ranges.add(parsed);
      this.rangeFiles.push({ file, parsed });
    }
  }

  /**
   * Loads the data for the given address families now instead of on first lookup (so a benchmark or a report can
   * time and account for it separately). Returns the milliseconds spent.
   */
  preload(families: (4 | 6)[] = [4, 6]): number {
    const t0 = performance.now();
    for (const f of families) {
      for (const s of [...this.located, ...this.registration, ...this.asnMmdb]) if (s.covers(f)) s.open();
      this.asnTable(f);
    }
    return Math.round((performance.now() - t0) * 10) / 10;
  }

  /** Turns the physical check off for this capture (e.g. synthesised handshakes), with the reason. */
  disablePhysicalCheck(reason: string): void {
    this.physicalDisabled = reason;
  }

  /** Turns the physical check back on (the next capture may not be synthesised). */
  enablePhysicalCheck(): void {
    this.physicalDisabled = null;
  }

  get physicalCheckDisabledReason(): string | null {
    return this.physicalDisabled;
  }

  /**
   * Full lookup for one address. Never throws; an unparsable address comes back private with reason `invalid`.
   * The result is the caller's own; its `sources` entries are shared and frozen.
   */
  lookup(ip: string, hints?: LookupHints): GeoResult {
    const base = this.base(ip);
    if (!hints || base.result.scope === 'private') return { ...base.result, ip };
    return this.applyHints(ip, base, hints);
  }

  /** Geo fields for a flow's server address, using its names (hostname + CNAME chain) and handshake RTT. */
  enrichFlow(f: FlowRecord): FlowGeoFields {
    const e = this.base(f.server_ip);
    const rtt = f.rtt_ms;
    if (e.result.scope === 'public' && this.vantage !== undefined && rtt !== undefined && Number.isFinite(rtt) && rtt >= 0) {
      // The physical check copies the sources: the general path, per flow.
      return flowFields(this.applyHints(f.server_ip, e, { hostnames: namesOf(f), rttMs: rtt }));
    }
    // Otherwise the answer depends on the address's records and on what the flow's names say (an edge, a region),
    // not on the names themselves: most names say nothing, and flows whose names say the same share one
    // (read-only) result per base entry. A flow costs a Map lookup per address and per name (cached name hints).
    let nameEdge = false;
    let nameRegion: NameHint | undefined;
    if (e.result.scope === 'public') {
      const chain = f.cname_chain;
      const count = chain === undefined ? 0 : chain.length;
      // The hostname (when set), then the CNAME chain.
      for (let i = f.hostname ? -1 : 0; i < count; i++) {
        const h = this.nameHint(i < 0 ? (f.hostname as string) : (chain as string[])[i]);
        if (h === null) continue;
        if (h.edge) nameEdge = true;
        if (h.region && !nameRegion && (e.providerId === undefined || e.providerId === h.provider)) nameRegion = h;
      }
    }
    if (this.flowCacheSize >= GEO_MAX_CACHED_IPS) {
      this.clearCaches(); // e stays valid: it is only no longer cached
    }
    if (nameEdge) {
      // An edge drops any region a name gives: one result.
      if (e.edged === undefined) {
        e.edged = this.fieldsFor(e, true, undefined);
        this.flowCacheSize++;
      }
      return e.edged;
    }
    if (nameRegion === undefined) {
      if (e.bare === undefined) {
        e.bare = this.fieldsFor(e, false, undefined);
        this.flowCacheSize++;
      }
      return e.bare;
    }
    const byHint = (e.byHint ??= new Map<NameHint, FlowGeoFields>());
    let hit = byHint.get(nameRegion);
    if (hit === undefined) {
      hit = this.fieldsFor(e, false, nameRegion);
      byHint.set(nameRegion, hit);
      this.flowCacheSize++;
    }
    return hit;
  }

  /** Forgets every cached result (the data stays loaded); the flow results live in the base entries. */
  clearCaches(): void {
    this.cache.clear();
    this.forgetShared();
    this.flowCacheSize = 0;
  }

  /** Forgets the base entries by combination (and the combination ids with them). */
  private forgetShared(): void {
    this.byId = [];
    this.byRange.clear();
    this.core.reset(this.tupleWidth);
  }

  /** A flow's geo fields from its base entry and what its names say (the same steps as applyHints, no copy). */
  private fieldsFor(base: BaseEntry, nameEdge: boolean, nameRegion: NameHint | undefined): FlowGeoFields {
    const b = base.result;
    let edge = b.edge;
    let provider = b.provider;
    let region = b.region;
    let regionSource = b.region_source;
    if (nameEdge) edge = true;
    if (!base.regionFixed && !edge && nameRegion?.region) {
      region = nameRegion.region;
      regionSource = 'dns-name';
      if (!provider) provider = this.providers.byProviderId(nameRegion.provider)?.name;
    }
    if (edge && regionSource === 'nearest-city') {
      region = undefined;
      regionSource = undefined;
    }
    return {
      country_agreement: b.country_agreement,
      country_settled_by: undefined,
      edge,
      geo_sources: b.scope === 'public' ? b.sources : undefined, // private addresses ask no source: field omitted
      country: b.country,
      city: b.city,
      lat: b.lat,
      lon: b.lon,
      asn: b.asn,
      as_org: b.as_org,
      provider,
      region,
      region_source: regionSource,
      physical: undefined,
    };
  }

  private base(ip: string): BaseEntry {
    const hit = this.cache.get(ip);
    if (hit) return hit;
    const entry = this.compute(ip);
    if (this.cache.size >= GEO_MAX_CACHED_IPS) this.cache.clear();
    this.cache.set(ip, entry);
    return entry;
  }

  /**
   * The base entry for a new address. Every address answered by the same database records (the same network in
   * each mmdb file, the same ASN range, the same provider range) gets the same answer, so only the lookups run per
   * address: the tree walks, the ASN search and the range index. The rest (consensus, provider, region, the result
   * object) runs once per combination of records, in build(). The 1 GB benchmark capture's 2,336 server addresses
   * fall in 470 combinations.
   */
  private compute(ip: string): BaseEntry {
    // Parse, private ranges, tree walks, ASN search and the combination's id run in WebAssembly (lookup-core.ts).
    const core = this.core;
    const family = core.parse(ip);
    if (family <= 0) return this.privateEntry(ip, family === 0 ? 'invalid' : core.reason(family));
    const io = core.io;
    const v4 = io[1];
    const w0 = io[2];
    const w1 = io[3];
    const w2 = io[4];
    const w3 = io[5];
    // The tuple names the records: the data offset each file's walk ended at (-1: none), in source order, then
    // the ASN table entry. Only offsets here: the answers are decoded (once per record) when a combination is new.
    let t = LookupCore.TUPLE;
    io[t++] = family;
    const offs = this.offsets;
    const nl = this.located.length;
    for (let i = 0; i < nl; i++) {
      const s = this.located[i];
      // s.covers(family), without a call to compile
      const o = s.spec.family !== 0 && s.spec.family !== family ? -1 : s.walk(family, v4, w0, w1, w2, w3);
      offs[i] = o;
      io[t++] = o;
    }
    for (let i = 0; i < this.registration.length; i++) {
      const s = this.registration[i];
      const o = s.spec.family !== 0 && s.spec.family !== family ? -1 : s.walk(family, v4, w0, w1, w2, w3);
      offs[nl + i] = o;
      io[t++] = o;
    }
    // ASN: a user's ASN mmdb first, else the CSV table (left unloaded while the mmdb answers).
    let asn: AsnAnswer | null = null;
    for (let i = 0; i < this.asnMmdb.length; i++) {
      const o = asn ? -1 : this.asnMmdb[i].walk(family, v4, w0, w1, w2, w3);
      io[t++] = o;
      if (o >= 0) asn = this.asnMmdb[i].asnAt(o);
    }
    let table: AsnTable | null = null;
    let entry = -1;
    if (!asn) {
      table = family === 4 ? this.asnTable(4) : this.asnTable(6);
      if (table) entry = family === 4 ? table.find4(v4) : table.find6(w0, w1, w2, w3);
    }
    io[t] = entry;
    const id = core.combo();
    let range: RangeEntry | undefined;
    if (this.ranges.size > 0) {
      if (family === 4) range = this.ranges.lookupV4(v4 >>> 0);
      else {
        const w = this.words;
        w[0] = w0;
        w[1] = w1;
        w[2] = w2;
        w[3] = w3;
        range = this.ranges.lookupV6(w);
      }
    }
    // Without range files (the usual case) the id alone names the entry; with them, the id and the range.
    const key = range ? id * 1048576 + this.rangeId(range) : -1;
    let shared = range ? this.byRange.get(key) : this.byId[id];
    if (shared === undefined) {
      if (table && entry >= 0) asn = { asn: table.asnOf(entry), org: table.orgOf(entry) || undefined };
      shared = this.build(ip, asn, range);
      if (this.byId.length + this.byRange.size >= GEO_MAX_CACHED_IPS) this.forgetShared();
      if (range) this.byRange.set(key, shared);
      else this.byId[id] = shared;
    }
    return shared;
  }

  /** A small number naming a provider range entry (for compute's key). */
  private rangeId(range: RangeEntry): number {
    let id = this.rangeIds.get(range);
    if (id === undefined) {
      id = this.rangeIds.size;
      this.rangeIds.set(range, id);
    }
    return id;
  }

  /** The base entry for one combination of database records: the offsets compute left in `offsets`, plus these. */
  private build(ip: string, asn: AsnAnswer | null, range: RangeEntry | undefined): BaseEntry {
    // Answers are shared by every address of the same database record (frozen; copied where a flow adds to them).
    const offs = this.offsets;
    const nl = this.located.length;
    const located: GeoSourceAnswer[] = [];
    for (let i = 0; i < nl; i++) {
      const a = offs[i] < 0 ? null : this.located[i].answerAt(offs[i]);
      if (a) located.push(a);
    }
    const registration: GeoSourceAnswer[] = [];
    for (let i = 0; i < this.registration.length; i++) {
      const a = offs[nl + i] < 0 ? null : this.registration[i].answerAt(offs[nl + i]); // no place
      if (a) registration.push(a);
    }
    const c = consensus(located, registration);
    const placed = c.lat !== undefined && c.lon !== undefined;
    const result = geoResult(ip, 'public', located.concat(registration), c.agreement);
    result.country = c.country;
    result.city = c.city;
    result.lat = placed ? c.lat : undefined;
    result.lon = placed ? c.lon : undefined;
    if (asn) {
      result.asn = asn.asn;
      if (asn.org) result.as_org = asn.org;
    }
    let provider: ProviderInfo | undefined = asn ? this.providers.fromAsn(asn.asn) : undefined;
    if (range) provider = this.providers.byProviderId(range.provider) ?? provider;
    if (provider) {
      result.provider = provider.name;
      if (provider.edge) {
        result.edge = true;
        if (provider.edge_reason) result.edge_reason = provider.edge_reason;
      }
    }
    let regionFixed = false;
    if (range) {
      if (range.edge) {
        result.edge = true;
        if (range.edge_reason) result.edge_reason = range.edge_reason;
      }
      if (range.region) {
        result.region = range.region;
        result.region_source = 'provider-ranges';
        regionFixed = true;
      }
    }
    if (!result.region && !result.edge && provider?.regions && c.city !== undefined && c.lat !== undefined && c.lon !== undefined) {
      // Only a city-level answer says where in the country: a country centroid would pick an arbitrary region.
      const near = this.nearestRegion(provider.regions, c.lat, c.lon, c.country);
      if (near) {
        result.region = near.region;
        result.region_source = 'nearest-city';
      }
    }
    return baseEntry(result, provider?.id, regionFixed, located.length);
  }

  /** Private (or unparsable) addresses: one entry per reason, like compute's per combination of records. */
  private privateEntry(ip: string, reason: string): BaseEntry {
    let e = this.privates.get(reason);
    if (e === undefined) {
      const result = geoResult(ip, 'private', [], 'private');
      result.private_reason = reason;
      e = baseEntry(result, undefined, false, 0);
      this.privates.set(reason, e);
    }
    return e;
  }

  /** regions.nearest, remembered per provider and place (the addresses of one city share the answer). */
  private nearestRegion(provider: string, lat: number, lon: number, country: string | undefined): RegionInfo | undefined {
    const key = `${provider} ${lat} ${lon} ${country ?? ''}`;
    let near = this.nearCache.get(key);
    if (near === undefined) {
      near = this.regions.nearest(provider, lat, lon, country) ?? null;
      if (this.nearCache.size >= GEO_MAX_CACHED_IPS) this.nearCache.clear();
      this.nearCache.set(key, near);
    }
    return near ?? undefined;
  }

  private asnTable(family: 4 | 6): AsnTable | null {
    if (family === 4) {
      if (this.asn4 === undefined) this.asn4 = this.asnCsv.v4 ? AsnTable.load(4, this.asnCsv.v4, this.cacheDir) : null;
      return this.asn4;
    }
    if (this.asn6 === undefined) this.asn6 = this.asnCsv.v6 ? AsnTable.load(6, this.asnCsv.v6, this.cacheDir) : null;
    return this.asn6;
  }

  private nameHint(name: string): NameHint | null {
    let h = this.nameCache.get(name);
    if (h === undefined) {
      h = regionFromName(name, this.regions);
      if (this.nameCache.size >= GEO_MAX_CACHED_IPS) this.nameCache.clear();
      this.nameCache.set(name, h);
    }
    return h;
  }

  private applyHints(ip: string, base: BaseEntry, hints: LookupHints): GeoResult {
    const r: GeoResult = { ...base.result, ip };
    const names = hints.hostnames ?? [];
    if (names.length > 0) {
      const cached = names.map((n) => this.nameHint(n)).filter((h): h is NameHint => h !== null);
      const h = hintsFromNamesCached(cached, base.providerId);
      if (h.edge && !r.edge) {
        r.edge = true;
        r.edge_reason = h.edge.edge_reason;
      }
      if (!base.regionFixed && !r.edge && h.region) {
        // A name's region counts when it belongs to the address's provider, or the address has none known.
        r.region = h.region.region;
        r.region_source = 'dns-name';
        if (!r.provider) r.provider = this.providers.byProviderId(h.region.provider)?.name;
      }
      if (r.edge && r.region_source === 'nearest-city') {
        delete r.region;
        delete r.region_source;
      }
    }
    if (this.vantage && hints.rttMs !== undefined && Number.isFinite(hints.rttMs) && hints.rttMs >= 0) {
      if (this.physicalDisabled) {
        r.physical = 'unchecked';
      } else {
        const v = this.vantage;
        const rtt = hints.rttMs;
        r.max_distance_km = Math.round(maxDistanceKm(rtt));
        r.sources = r.sources.map((s) =>
          s.lat !== undefined && s.lon !== undefined ? { ...s, physical: physicalCheck(v, rtt, s.lat, s.lon) } : s,
        );
        if (r.country_agreement === 'disputed') this.settle(r, base);
        r.physical = r.lat !== undefined && r.lon !== undefined ? physicalCheck(v, rtt, r.lat, r.lon) : 'unchecked';
      }
    }
    return r;
  }

  /**
   * A disputed country settled by the RTT (consensus.ts settleByRtt): the remaining sources' country, agreement and
   * place, `country_settled_by: rtt`, and a nearest-city region from the new place (a region from ranges or a DNS
   * name stays).
   */
  private settle(r: GeoResult, base: BaseEntry): void {
    const c = settleByRtt(r.sources.slice(0, base.located), r.sources.slice(base.located));
    if (c === undefined) return;
    r.country = c.country;
    r.country_agreement = c.agreement;
    r.country_settled_by = 'rtt';
    r.city = c.city;
    r.lat = c.lat;
    r.lon = c.lon;
    if (!r.edge && r.region_source !== 'provider-ranges' && r.region_source !== 'dns-name') {
      const key = base.providerId === undefined ? undefined : this.providers.byProviderId(base.providerId)?.regions;
      const near = key !== undefined && c.city !== undefined && c.lat !== undefined && c.lon !== undefined ? this.nearestRegion(key, c.lat, c.lon, c.country) : undefined;
      r.region = near?.region;
      r.region_source = near === undefined ? undefined : 'nearest-city';
    }
  }

  /** The provider id whose published range files (geo/ranges, --geo-dir) hold `ip`, or undefined. */
  publishedRangeProvider(ip: string): string | undefined {
    if (this.ranges.size === 0) return undefined;
    const v4 = parseIpv4(ip);
    if (v4 >= 0) return this.ranges.lookupV4(v4)?.provider;
    const w = new Uint32Array(4);
    return parseIpv6(ip, w) ? this.ranges.lookupV6(w)?.provider : undefined;
  }

  /** Which files answered so far (opened mmdb files, loaded ASN tables) plus the curated tables and range files. */
  provenance(): GeoProvenance[] {
    const out: GeoProvenance[] = [];
    for (const s of [...this.located, ...this.registration, ...this.asnMmdb]) if (s.opened) out.push(s.provenance());
    for (const t of [this.asn4, this.asn6]) {
      if (!t) continue;
      out.push({ source: `asn-ipv${t.family}`, kind: 'asn-csv', file: t.info.file, sha256: t.info.sha256, version: this.asnCsv.version, licence: LICENCES.asn });
    }
    for (const file of [this.providers.file, this.regions.file]) {
      out.push({ source: path.basename(file, '.json'), kind: 'provider-table', file, sha256: sha256File(file) });
    }
    for (const { file, parsed } of this.rangeFiles) {
      out.push({ source: parsed.source, kind: 'provider-ranges', file, sha256: sha256File(file), version: parsed.version, build_date: parsed.build_date });
    }
    // Files shipped with the tool are named relative to its root, so reports are identical on every install;
    // a user's own geo dir keeps its absolute path (the hash identifies the data either way).
    for (const p of out) p.file = displayPath(p.file);
    return out;
  }

  /** Memory held by loaded data (bytes unless named otherwise) and the process RSS. */
  memoryReport(): Record<string, number> {
    let mmdbBytes = 0;
    let mmdbOpen = 0;
    for (const s of [...this.located, ...this.registration, ...this.asnMmdb]) {
      if (s.opened) {
        mmdbBytes += s.loadedBytes;
        mmdbOpen++;
      }
    }
    const mem = process.memoryUsage();
    return {
      mmdb_files_open: mmdbOpen,
      mmdb_bytes: mmdbBytes,
      asn_table_bytes: (this.asn4?.byteLength ?? 0) + (this.asn6?.byteLength ?? 0),
      asn_v4_ranges: this.asn4?.size ?? 0,
      asn_v6_ranges: this.asn6?.size ?? 0,
      asn_v4_load_ms: this.asn4?.info.load_ms ?? 0,
      asn_v6_load_ms: this.asn6?.info.load_ms ?? 0,
      range_prefixes: this.ranges.size,
      cached_ips: this.cache.size,
      cached_record_combinations: this.byId.length + this.byRange.size,
      rss_bytes: mem.rss,
      heap_used_bytes: mem.heapUsed,
      external_bytes: mem.external + mem.arrayBuffers,
    };
  }

  /** How the ASN tables were obtained (`cache` or `csv`), for diagnostics and tests. */
  asnLoadInfo(): { v4?: AsnTable['info']; v6?: AsnTable['info'] } {
    return { v4: this.asn4?.info, v6: this.asn6?.info };
  }
}

/** The flow's names: hostname, then its CNAME chain. */
function namesOf(f: FlowRecord): string[] {
  const names: string[] = [];
  if (f.hostname) names.push(f.hostname);
  if (f.cname_chain) for (const c of f.cname_chain) names.push(c);
  return names;
}

/** The flow record's geo fields from a full result. */
function flowFields(r: GeoResult): FlowGeoFields {
  // The same keys in the same order as enrichUncached's (absent ones undefined, which JSON leaves out). Written out
  // twice rather than shared: one helper for both measured slower (geo work of the 1 GB capture's flows, pinned,
  // 15 alternated runs: median 154 -> 173 ms), as the per-flow path then calls through it.
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

/** A base entry in its one shape (no flow results yet). */
function baseEntry(result: GeoResult, providerId: string | undefined, regionFixed: boolean, located: number): BaseEntry {
  return { result, providerId, regionFixed, located, bare: undefined, edged: undefined, byHint: undefined };
}

/**
 * A lookup result with every key present, in the order JSON output shows them (absent ones undefined, which JSON
 * leaves out): one hidden class for all results, so the code reading them stays monomorphic and small.
 */
function geoResult(ip: string, scope: GeoResult['scope'], sources: GeoSourceAnswer[], agreement: GeoResult['country_agreement']): GeoResult {
  return {
    ip,
    scope,
    sources,
    country_agreement: agreement,
    country_settled_by: undefined,
    edge: false,
    country: undefined,
    city: undefined,
    lat: undefined,
    lon: undefined,
    asn: undefined,
    as_org: undefined,
    provider: undefined,
    edge_reason: undefined,
    region: undefined,
    region_source: undefined,
    private_reason: undefined,
    max_distance_km: undefined,
    physical: undefined,
  };
}

/** hintsFromNames over already-parsed hints (the per-name cache avoids re-running the rule table per flow). */
function hintsFromNamesCached(hints: NameHint[], provider?: string): { region?: NameHint; edge?: NameHint } {
  const out: { region?: NameHint; edge?: NameHint } = {};
  for (const h of hints) {
    if (h.edge && !out.edge) out.edge = h;
    if (h.region && !out.region && (provider === undefined || provider === h.provider)) out.region = h;
  }
  return out;
}
