// Claims file loader: YAML (or JSON, a YAML subset) -> validated ClaimsFile. Every error names the file,
// the line and the field path (`claims.yaml:12: vendors[0].claims[1].country: ...`); all problems are
// collected and thrown together as one UsageError('claims_invalid'). Countries are ISO 3166-1 alpha-2 codes or
// groups (geo/country-groups.json), regions must be regions of the claimed provider in geo/regions.json, and an
// invalid one gets the nearest valid names (name-suggestions.ts): a typo must never pass as a claim.

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { UsageError } from '../errors.js';
import { CLAIMS_MAX_ALIAS_COUNT, MAX_CLAIMS_FILE_BYTES, MAX_CLAIMS_TOTAL, MAX_CLAIMS_VENDORS } from '../limits.js';
import { parseCidr } from '../decode/ip-format.js';
import { ProviderTable } from '../geo/provider.js';
import { RegionTable } from '../geo/regions.js';
import { isCountryCode } from './country-codes.js';
import { countryGroups } from './country-groups.js';
import { suggestCountries, suggestRegions, type RegionChoice } from './name-suggestions.js';
import { normaliseProvider, providerIds } from './provider-ids.js';
import type { Vantage } from './report-model.js';

export type ClaimScope = 'first-party' | 'all';

export interface Claim {
  id: string;
  text: string;
  scope: ClaimScope;
  /** The claimed country as written, upper-cased: one ISO 3166-1 alpha-2 code (`SG`), a group (`EU`), or a
   *  list of them joined by ", " (`SG, MY`). For reports and sentences; judging uses `countries`. */
  country?: string;
  /** The ISO 3166-1 alpha-2 codes `country` stands for (groups expanded), sorted; set exactly when `country` is. */
  countries?: string[];
  /** Canonical provider id (see provider-ids.ts). */
  provider?: string;
  /** Cloud region id as the provider spells it, lower case (`ap-southeast-1`). */
  region?: string;
}

/** A handset named in the claims file: matched by client IP and/or MAC. */
export interface DeviceSpec {
  name: string;
  ip?: string;
  mac?: string;
}

/** A vendor's own networks (claims file `networks:`): unnamed flows to them are first-party. */
export interface VendorNetworks {
  /** Origin AS numbers. */
  asns: number[];
  /** AS organisation names, compared with a flow's `as_org` case-insensitively after collapsing white space. */
  orgs: string[];
  /** CIDR prefixes (IPv4 and IPv6) as written. */
  prefixes: string[];
}

export interface VendorSpec {
  name: string;
  /** Patterns as written (relative to the claims file). */
  captures: string[];
  /** Registrable domains, lower case, without trailing dot. */
  first_party: string[];
  devices: DeviceSpec[];
  /** Present when the claims file lists the vendor's networks. */
  networks?: VendorNetworks;
  claims: Claim[];
  /** Capture pattern (as in `captures`) -> id of the lab (`vantages:` key) it was captured at; only patterns given
   *  as `{ path, vantage }`. Other captures were taken at the top-level `vantage`. */
  capture_vantages?: Record<string, string>;
}

/** Kinds of `measurements:` files. */
export type MeasurementFileKind = 'ripe-atlas' | 'ping' | 'mtr';
export const MEASUREMENT_FILE_KINDS: readonly MeasurementFileKind[] = ['ripe-atlas', 'ping', 'mtr'];

/** One `measurements:` entry: round trips measured from elsewhere than the captures (issue 18). */
export interface MeasurementFileSpec {
  /** As written, relative to the claims file. */
  file: string;
  kind: MeasurementFileKind;
  /** ripe-atlas: the probe metadata file (as written). */
  probes?: string;
  /** ping/mtr: id of the lab it was measured at (a `vantages:` key, or DEFAULT_VANTAGE_ID for the top-level `vantage`). */
  vantage?: string;
  /** ping/mtr: the address measured, when the output does not say (or to pick it). */
  dst?: string;
  /** Line of the entry in the claims file. */
  line: number;
}

/** Lab id of a top-level `vantage:` given as a mapping (a `vantages:` key may not take it). */
export const DEFAULT_VANTAGE_ID = 'vantage';

export interface ClaimsFile {
  /** Absolute path of the claims file. */
  path: string;
  /** Directory capture patterns are relative to. */
  dir: string;
  sha256: string;
  vantage?: Vantage;
  vendors: VendorSpec[];
  /** Lab id of `vantage` (the `vantages:` key it names, or DEFAULT_VANTAGE_ID for a mapping). */
  vantage_id?: string;
  /** Named labs (`vantages:`), by id. */
  vantages?: Record<string, Vantage>;
  /** `measurements:` files, in the order written. */
  measurements?: MeasurementFileSpec[];
}

type Path = (string | number)[];

function pathText(p: Path): string {
  let s = '';
  for (const k of p) s += typeof k === 'number' ? `[${k}]` : s.length ? `.${k}` : k;
  return s;
}

/** Walks the parsed JS value while reporting errors at the line of the YAML node they concern. */
class Checker {
  readonly errors: string[] = [];
  constructor(
    private readonly label: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  lineOf(p: Path): number {
    for (let n = p.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(p.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return this.lines.linePos(range[0]).line;
    }
    return 1;
  }

  fail(p: Path, message: string): undefined {
    const field = pathText(p);
    this.errors.push(`${this.label}:${this.lineOf(p)}: ${field ? field + ': ' : ''}${message}`);
    return undefined;
  }

  string(obj: Record<string, unknown>, p: Path, key: string, required: boolean): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return required ? this.fail([...p, key], 'is required') : undefined;
    if (typeof v !== 'string' || v.trim() === '') return this.fail([...p, key], `${JSON.stringify(v)} must be a non-empty string`);
    return v.trim();
  }

  number(obj: Record<string, unknown>, p: Path, key: string, min: number, max: number): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return this.fail([...p, key], 'is required');
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      return this.fail([...p, key], `${JSON.stringify(v)} must be a number from ${min} to ${max}`);
    }
    return v;
  }

  object(v: unknown, p: Path): Record<string, unknown> | undefined {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return this.fail(p, 'must be a mapping');
    return v as Record<string, unknown>;
  }

  stringList(obj: Record<string, unknown>, p: Path, key: string, required: boolean): string[] {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (required) this.fail([...p, key], 'is required');
      return [];
    }
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list)) return this.fail([...p, key], 'must be a list of strings') ?? [];
    const out: string[] = [];
    list.forEach((item, i) => {
      if (typeof item !== 'string' || item.trim() === '') this.fail([...p, key, i], `${JSON.stringify(item)} must be a non-empty string`);
      else out.push(item.trim());
    });
    if (required && out.length === 0 && list.length === 0) this.fail([...p, key], 'must not be empty');
    return out;
  }

  unknownKeys(obj: Record<string, unknown>, p: Path, allowed: readonly string[]): void {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) this.fail([...p, k], `unknown field (expected one of ${allowed.join(', ')})`);
  }
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$/;
const REGION_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkVantage(c: Checker, v: unknown): Vantage | undefined {
  const p: Path = ['vantage'];
  const o = c.object(v, p);
  if (!o) return undefined;
  c.unknownKeys(o, p, ['name', 'lat', 'lon', 'country']);
  const name = c.string(o, p, 'name', true);
  const lat = c.number(o, p, 'lat', -90, 90);
  const lon = c.number(o, p, 'lon', -180, 180);
  const country = checkCountry(c, o, p);
  if (name === undefined || lat === undefined || lon === undefined || country === undefined) return undefined;
  return { name, lat, lon, country };
}

function checkCountry(c: Checker, o: Record<string, unknown>, p: Path): string | undefined {
  const raw = c.string(o, p, 'country', p[0] === 'vantage' || p[0] === 'vantages');
  if (raw === undefined) return undefined;
  const code = raw.toUpperCase();
  if (!isCountryCode(code)) {
    const near = suggestCountries(raw, []);
    return c.fail([...p, 'country'], `${JSON.stringify(raw)} is not an ISO 3166-1 alpha-2 code${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''}`);
  }
  return code;
}

/** The regions a claims file may name, per regions.json key, and the key of each provider id. */
interface RegionData {
  choices: RegionChoice[];
  keyOf: (provider: string) => string | undefined;
}

let regionData: RegionData | undefined;

function loadRegionData(): RegionData {
  if (regionData !== undefined) return regionData;
  const choices: RegionChoice[] = [];
  let providers: ProviderTable | undefined;
  try {
    const table = RegionTable.load();
    for (const key of table.keys()) for (const r of table.list(key)) choices.push({ provider: key, region: r.region, city: r.city, country: r.country });
    providers = ProviderTable.load();
  } catch {
    // no region data: every region is then unknown (and reported so)
  }
  const keys = new Set(choices.map((c) => c.provider));
  regionData = {
    choices,
    keyOf: (provider) => providers?.byProviderId(provider)?.regions ?? (keys.has(provider) ? provider : undefined),
  };
  return regionData;
}

/** A claim's `country`: one code or group, or a list of them. Returns the written form and the expanded codes. */
function checkClaimCountries(c: Checker, o: Record<string, unknown>, p: Path): { written: string; codes: string[] } | undefined {
  const v = o.country;
  if (v === undefined || v === null) return undefined;
  const fp = [...p, 'country'];
  const items = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(items) || items.length === 0) return c.fail(fp, 'must be a country code, a group or a non-empty list of them');
  const groups = countryGroups();
  const written: string[] = [];
  const codes = new Set<string>();
  let ok = true;
  items.forEach((item, i) => {
    const ip = typeof v === 'string' ? fp : [...fp, i];
    if (typeof item !== 'string' || item.trim() === '') {
      ok = false;
      c.fail(ip, `${JSON.stringify(item)} must be a non-empty string`);
      return;
    }
    const raw = item.trim();
    const code = raw.toUpperCase();
    const group = groups.get(code);
    if (group !== undefined) for (const m of group.members) codes.add(m);
    else if (isCountryCode(code)) codes.add(code);
    else {
      ok = false;
      const ids = [...groups.keys()].sort();
      const near = suggestCountries(raw, ids);
      c.fail(ip, `${JSON.stringify(raw)} is not an ISO 3166-1 alpha-2 code or a country group (${ids.join(', ')})${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''}`);
      return;
    }
    if (!written.includes(code)) written.push(code);
  });
  if (!ok) return undefined;
  return { written: written.join(', '), codes: [...codes].sort() };
}

/** A claim's `region`: one of the claimed provider's regions, or (no provider) a region of some provider that means
 *  one place; otherwise an error with the nearest valid names. */
function checkClaimRegion(c: Checker, raw: string, p: Path, provider: string | undefined): void {
  const region = raw.toLowerCase();
  const fp = [...p, 'region'];
  const data = loadRegionData();
  const where = (r: RegionChoice): string => `${r.provider} (${r.city})`;
  if (provider !== undefined) {
    const key = data.keyOf(provider);
    if (key === undefined) {
      c.fail(fp, `${JSON.stringify(raw)}: provider ${provider} has no published regions in geo/regions.json, so a region cannot be checked for it`);
      return;
    }
    const mine = data.choices.filter((r) => r.provider === key);
    if (mine.some((r) => r.region === region)) return;
    const elsewhere = data.choices.filter((r) => r.region === region);
    const near = suggestRegions(raw, mine);
    let msg = `${JSON.stringify(raw)} is not a region of ${provider} in geo/regions.json`;
    if (elsewhere.length > 0) msg += `; it is a region of ${elsewhere.map(where).join(', ')}`;
    if (near.length > 0) msg += `; did you mean ${near.join(', ')}?`;
    c.fail(fp, msg);
    return;
  }
  const found = data.choices.filter((r) => r.region === region);
  if (found.length === 0) {
    const near = suggestRegions(raw, data.choices);
    c.fail(fp, `${JSON.stringify(raw)} is not a region of any provider in geo/regions.json${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''}`);
    return;
  }
  const places = new Set(found.map((r) => `${r.city}|${r.country}`));
  if (places.size > 1) c.fail(fp, `${JSON.stringify(raw)} names regions of several providers in different places (${found.map(where).join(', ')}): add the provider`);
}

/** `networks:` — the vendor's own ASNs, AS organisations and prefixes. */
function checkNetworks(c: Checker, v: unknown, p: Path): VendorNetworks | undefined {
  if (v === undefined || v === null) return undefined;
  const o = c.object(v, p);
  if (!o) return undefined;
  c.unknownKeys(o, p, ['asns', 'orgs', 'prefixes']);
  const out: VendorNetworks = { asns: [], orgs: [], prefixes: [] };
  const asnList = o.asns === undefined || o.asns === null ? [] : Array.isArray(o.asns) ? o.asns : [o.asns];
  asnList.forEach((a, i) => {
    const ap = [...p, 'asns', ...(Array.isArray(o.asns) ? [i] : [])];
    const m = typeof a === 'number' ? [String(a), String(a)] : typeof a === 'string' ? /^\s*(?:AS)?(\d{1,10})\s*$/i.exec(a) : null;
    const n = m ? Number(m[1]) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 4294967294) c.fail(ap, `${JSON.stringify(a)} is not an AS number (AS32934 or 32934)`);
    else if (!out.asns.includes(n)) out.asns.push(n);
  });
  out.orgs = [...new Set(c.stringList(o, p, 'orgs', false).map((x) => x.replace(/\s+/g, ' ')))];
  c.stringList(o, p, 'prefixes', false).forEach((x, i) => {
    if (parseCidr(x) === null) c.fail([...p, 'prefixes', i], `${JSON.stringify(x)} is not a CIDR prefix (192.0.2.0/24, 2001:db8::/32)`);
    else if (!out.prefixes.includes(x)) out.prefixes.push(x);
  });
  const given = [o.asns, o.orgs, o.prefixes].some((x) => x !== undefined && x !== null && !(Array.isArray(x) && x.length === 0));
  if (!given) c.fail(p, 'lists no network: give asns, orgs or prefixes');
  out.asns.sort((a, b) => a - b);
  return out;
}

function checkDevices(c: Checker, v: unknown, p: Path): DeviceSpec[] {
  if (v === undefined || v === null) return [];
  const o = c.object(v, p);
  if (!o) return [];
  const out: DeviceSpec[] = [];
  for (const [name, spec] of Object.entries(o)) {
    const dp = [...p, name];
    if (typeof spec === 'string') {
      const s = spec.trim().toLowerCase();
      if (MAC_RE.test(s)) out.push({ name, mac: s });
      else out.push({ name, ip: spec.trim() });
      continue;
    }
    const d = c.object(spec, dp);
    if (!d) continue;
    c.unknownKeys(d, dp, ['ip', 'mac']);
    const ip = c.string(d, dp, 'ip', false);
    const mac = c.string(d, dp, 'mac', false)?.toLowerCase();
    if (mac !== undefined && !MAC_RE.test(mac)) c.fail([...dp, 'mac'], `${JSON.stringify(mac)} is not a MAC address (aa:bb:cc:dd:ee:ff)`);
    if (ip === undefined && mac === undefined) c.fail(dp, 'needs an ip or a mac');
    else out.push({ name, ip, mac });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function checkClaim(c: Checker, v: unknown, p: Path, seen: Set<string>): Claim | undefined {
  const o = c.object(v, p);
  if (!o) return undefined;
  c.unknownKeys(o, p, ['id', 'text', 'scope', 'country', 'provider', 'region']);
  const id = c.string(o, p, 'id', true);
  if (id !== undefined && !ID_RE.test(id)) c.fail([...p, 'id'], `${JSON.stringify(id)} must be letters, digits, '.', '_' or '-'`);
  else if (id !== undefined && seen.has(id)) c.fail([...p, 'id'], `duplicate claim id ${JSON.stringify(id)}`);
  if (id !== undefined) seen.add(id);
  const text = c.string(o, p, 'text', true);
  const scopeRaw = c.string(o, p, 'scope', false) ?? 'first-party';
  let scope: ClaimScope = 'first-party';
  if (scopeRaw === 'all' || scopeRaw === 'first-party') scope = scopeRaw;
  else c.fail([...p, 'scope'], `${JSON.stringify(scopeRaw)} must be first-party or all`);
  const countries = checkClaimCountries(c, o, p);
  const providerRaw = c.string(o, p, 'provider', false);
  let provider: string | undefined;
  if (providerRaw !== undefined) {
    provider = normaliseProvider(providerRaw);
    if (provider === undefined) c.fail([...p, 'provider'], `${JSON.stringify(providerRaw)} is not a known provider (${providerIds().join(', ')})`);
  }
  const regionRaw = c.string(o, p, 'region', false);
  const region = regionRaw?.toLowerCase();
  if (region !== undefined && !REGION_RE.test(region)) c.fail([...p, 'region'], `${JSON.stringify(regionRaw)} is not a region id like ap-southeast-1`);
  else if (regionRaw !== undefined && (providerRaw === undefined || provider !== undefined)) checkClaimRegion(c, regionRaw, p, provider);
  if (countries === undefined && provider === undefined && region === undefined && o.country === undefined && o.provider === undefined && o.region === undefined) {
    c.fail(p, 'states nothing to check: give at least one of country, provider, region');
  }
  if (id === undefined || text === undefined) return undefined;
  const claim: Claim = { id, text, scope };
  if (countries !== undefined) {
    claim.country = countries.written;
    claim.countries = countries.codes;
  }
  if (provider !== undefined) claim.provider = provider;
  if (region !== undefined) claim.region = region;
  return claim;
}

function checkVendor(c: Checker, v: unknown, p: Path, ids: Set<string>, names: Set<string>, labs: LabIds): VendorSpec | undefined {
  const o = c.object(v, p);
  if (!o) return undefined;
  c.unknownKeys(o, p, ['name', 'captures', 'first_party', 'devices', 'networks', 'claims']);
  const name = c.string(o, p, 'name', true);
  if (name !== undefined && names.has(name)) c.fail([...p, 'name'], `duplicate vendor name ${JSON.stringify(name)}`);
  if (name !== undefined) names.add(name);
  const { captures, vantageOf } = checkCaptures(c, o, p, labs);
  const firstParty: string[] = [];
  c.stringList(o, p, 'first_party', false).forEach((d, i) => {
    const dom = d.toLowerCase().replace(/\.$/, '');
    if (!DOMAIN_RE.test(dom)) c.fail([...p, 'first_party', i], `${JSON.stringify(d)} is not a domain name`);
    else firstParty.push(dom);
  });
  const devices = checkDevices(c, o.devices, [...p, 'devices']);
  const networks = checkNetworks(c, o.networks, [...p, 'networks']);
  const claims: Claim[] = [];
  if (!Array.isArray(o.claims) || o.claims.length === 0) c.fail([...p, 'claims'], 'must be a non-empty list');
  else
    o.claims.forEach((cl, i) => {
      const claim = checkClaim(c, cl, [...p, 'claims', i], ids);
      if (claim) claims.push(claim);
    });
  const needsFirstParty = claims.some((cl) => cl.scope === 'first-party');
  if (needsFirstParty && firstParty.length === 0 && o.first_party === undefined) {
    c.fail([...p, 'first_party'], 'is required when a claim has scope first-party');
  }
  if (name === undefined) return undefined;
  const vendor: VendorSpec = { name, captures, first_party: [...new Set(firstParty)].sort(), devices, claims };
  if (networks !== undefined) vendor.networks = networks;
  if (Object.keys(vantageOf).length > 0) vendor.capture_vantages = vantageOf;
  return vendor;
}

/** The labs a claims file names: `vantages:` keys. */
type LabIds = ReadonlySet<string>;

function labList(labs: LabIds): string {
  return labs.size === 0 ? 'none: add a vantages: map' : [...labs].sort().join(', ');
}

/** A lab reference (`vantage: frankfurt`): one of the `vantages:` keys. */
function checkLabRef(c: Checker, v: unknown, p: Path, labs: LabIds): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') return c.fail(p, `${JSON.stringify(v)} must be the name of a lab in vantages:`);
  const id = v.trim();
  if (!labs.has(id)) return c.fail(p, `${JSON.stringify(id)} is not a lab in vantages: (${labList(labs)})`);
  return id;
}

/** `vantages:` — named labs (id -> name, lat, lon, country). */
function checkLabs(c: Checker, v: unknown, topIsMapping: boolean): Record<string, Vantage> {
  const out: Record<string, Vantage> = {};
  const o = c.object(v, ['vantages']);
  if (!o) return out;
  for (const [id, spec] of Object.entries(o)) {
    const p: Path = ['vantages', id];
    if (!ID_RE.test(id)) {
      c.fail(p, `lab name ${JSON.stringify(id)} must be letters, digits, '.', '_' or '-'`);
      continue;
    }
    if (id === DEFAULT_VANTAGE_ID && topIsMapping) {
      c.fail(p, `the name ${JSON.stringify(DEFAULT_VANTAGE_ID)} is taken by the top-level vantage: mapping`);
      continue;
    }
    const lab = c.object(spec, p);
    if (!lab) continue;
    c.unknownKeys(lab, p, ['name', 'lat', 'lon', 'country']);
    const name = c.string(lab, p, 'name', false) ?? id;
    const lat = c.number(lab, p, 'lat', -90, 90);
    const lon = c.number(lab, p, 'lon', -180, 180);
    const country = checkCountry(c, lab, p);
    if (lat !== undefined && lon !== undefined && country !== undefined) out[id] = { name, lat, lon, country };
  }
  return out;
}

/** A vendor's `captures:` — patterns, or `{ path, vantage }` mappings naming the lab they were captured at. */
function checkCaptures(c: Checker, o: Record<string, unknown>, p: Path, labs: LabIds): { captures: string[]; vantageOf: Record<string, string> } {
  const v = o.captures;
  const vantageOf: Record<string, string> = {};
  if (!Array.isArray(v) || !v.some((x) => x !== null && typeof x === 'object')) return { captures: c.stringList(o, p, 'captures', true), vantageOf };
  const captures: string[] = [];
  v.forEach((item, i) => {
    const ip: Path = [...p, 'captures', i];
    if (typeof item === 'string' && item.trim() !== '') {
      captures.push(item.trim());
      return;
    }
    const m = c.object(item, ip);
    if (!m) return;
    c.unknownKeys(m, ip, ['path', 'vantage']);
    const pattern = c.string(m, ip, 'path', true);
    const lab = m.vantage === undefined || m.vantage === null ? undefined : checkLabRef(c, m.vantage, [...ip, 'vantage'], labs);
    if (pattern === undefined) return;
    if (captures.includes(pattern)) {
      c.fail([...ip, 'path'], `${JSON.stringify(pattern)} is listed twice`);
      return;
    }
    captures.push(pattern);
    if (lab !== undefined) vantageOf[pattern] = lab;
  });
  if (v.length === 0) c.fail([...p, 'captures'], 'must not be empty');
  return { captures, vantageOf };
}

/** `measurements:` — RIPE Atlas results (+ probes), ping and mtr output, each from a named place. */
function checkMeasurements(c: Checker, v: unknown, labs: LabIds, defaultLab: string | undefined, lineOf: (p: Path) => number): MeasurementFileSpec[] {
  const out: MeasurementFileSpec[] = [];
  if (!Array.isArray(v)) {
    c.fail(['measurements'], 'must be a list of { file, kind, ... } entries');
    return out;
  }
  v.forEach((item, i) => {
    const p: Path = ['measurements', i];
    const o = c.object(item, p);
    if (!o) return;
    c.unknownKeys(o, p, ['file', 'kind', 'probes', 'vantage', 'dst']);
    const file = c.string(o, p, 'file', true);
    const kindRaw = c.string(o, p, 'kind', true);
    const kind = MEASUREMENT_FILE_KINDS.find((k) => k === kindRaw?.toLowerCase());
    if (kindRaw !== undefined && kind === undefined) c.fail([...p, 'kind'], `${JSON.stringify(kindRaw)} must be one of ${MEASUREMENT_FILE_KINDS.join(', ')}`);
    const spec: Partial<MeasurementFileSpec> = { line: lineOf(p) };
    if (kind === 'ripe-atlas') {
      spec.probes = c.string(o, p, 'probes', true);
      for (const k of ['vantage', 'dst']) {
        if (o[k] !== undefined) c.fail([...p, k], 'not for ripe-atlas: its vantage points are the probes, its destinations are in the results');
      }
    } else if (kind !== undefined) {
      if (o.probes !== undefined) c.fail([...p, 'probes'], `only for ripe-atlas, not ${kind}`);
      if (o.vantage !== undefined && o.vantage !== null) spec.vantage = checkLabRef(c, o.vantage, [...p, 'vantage'], labs);
      else if (defaultLab !== undefined) spec.vantage = defaultLab;
      else c.fail([...p, 'vantage'], `is required for ${kind} output: name the lab it was measured at (${labList(labs)})`);
      const dst = c.string(o, p, 'dst', false);
      if (dst !== undefined && isIP(dst) === 0) c.fail([...p, 'dst'], `${JSON.stringify(dst)} is not an IP address`);
      else if (dst !== undefined) spec.dst = dst;
    }
    if (file !== undefined && kind !== undefined) out.push({ ...spec, file, kind } as MeasurementFileSpec);
  });
  return out;
}

/** Parses and validates claims text; `label` names the file in error messages. */
export function parseClaims(text: string, label: string, absPath: string): ClaimsFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const msgs = doc.errors.map((e) => `${label}:${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
    throw new UsageError('claims_invalid', msgs.join('\n'));
  }
  const c = new Checker(label, doc, lines);
  const root = c.object(toPlain(doc, label), []);
  let vantage: Vantage | undefined;
  let vantageId: string | undefined;
  let labs: Record<string, Vantage> | undefined;
  let measurements: MeasurementFileSpec[] | undefined;
  const vendors: VendorSpec[] = [];
  if (root) {
    c.unknownKeys(root, [], ['vantage', 'vantages', 'measurements', 'vendors']);
    const topIsMapping = root.vantage !== null && typeof root.vantage === 'object';
    if (root.vantages !== undefined && root.vantages !== null) labs = checkLabs(c, root.vantages, topIsMapping);
    // Every well-formed key counts as a lab for references, so a lab with a bad field is reported once.
    const rawLabs = root.vantages !== null && typeof root.vantages === 'object' && !Array.isArray(root.vantages) ? Object.keys(root.vantages) : [];
    const labIds: LabIds = new Set(rawLabs.filter((k) => ID_RE.test(k)));
    if (typeof root.vantage === 'string') {
      vantageId = checkLabRef(c, root.vantage, ['vantage'], labIds);
      if (vantageId !== undefined && labs !== undefined) vantage = labs[vantageId];
    } else if (root.vantage !== undefined) {
      vantage = checkVantage(c, root.vantage);
      if (vantage !== undefined) vantageId = DEFAULT_VANTAGE_ID;
    }
    if (root.measurements !== undefined && root.measurements !== null) {
      measurements = checkMeasurements(c, root.measurements, labIds, vantageId, (p) => c.lineOf(p));
    }
    if (!Array.isArray(root.vendors) || root.vendors.length === 0) c.fail(['vendors'], 'must be a non-empty list');
    else {
      const ids = new Set<string>();
      const names = new Set<string>();
      root.vendors.forEach((v, i) => {
        const vendor = checkVendor(c, v, ['vendors', i], ids, names, labIds);
        if (vendor) vendors.push(vendor);
      });
    }
  }
  if (c.errors.length > 0) throw new UsageError('claims_invalid', c.errors.join('\n'));
  const sha256 = createHash('sha256').update(text).digest('hex');
  const out: ClaimsFile = { path: absPath, dir: path.dirname(absPath), sha256, vantage, vendors };
  if (vantageId !== undefined) out.vantage_id = vantageId;
  if (labs !== undefined) out.vantages = labs;
  if (measurements !== undefined) out.measurements = measurements;
  return out;
}

/** The lab a vendor's capture pattern was taken at: its `{ path, vantage }` lab, else the top-level `vantage`. */
export function captureVantage(claims: ClaimsFile, vendor: VendorSpec, pattern: string): { id: string; vantage: Vantage } | undefined {
  const id = vendor.capture_vantages?.[pattern];
  const lab = id === undefined ? undefined : claims.vantages?.[id];
  if (id !== undefined && lab !== undefined) return { id, vantage: lab };
  if (claims.vantage !== undefined) return { id: claims.vantage_id ?? DEFAULT_VANTAGE_ID, vantage: claims.vantage };
  return undefined;
}

/**
 * The parsed document as plain values, refusing what would cost too much before validation looks at it: aliases
 * expanding past CLAIMS_MAX_ALIAS_COUNT (a YAML "billion laughs"), more than MAX_CLAIMS_VENDORS vendors or
 * MAX_CLAIMS_TOTAL claims. Throws UsageError('claims_too_large').
 */
function toPlain(doc: Document, label: string): unknown {
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: CLAIMS_MAX_ALIAS_COUNT });
  } catch (e) {
    throw new UsageError('claims_too_large', `${label}: YAML aliases expand too far (more than ${CLAIMS_MAX_ALIAS_COUNT} alias references): ${(e as Error).message}`);
  }
  const vendors = (js as { vendors?: unknown } | null)?.vendors;
  if (Array.isArray(vendors)) {
    if (vendors.length > MAX_CLAIMS_VENDORS) throw new UsageError('claims_too_large', `${label}: ${vendors.length} vendors; a claims file may list at most ${MAX_CLAIMS_VENDORS}`);
    const claims = vendors.reduce((n: number, v) => n + (Array.isArray((v as { claims?: unknown } | null)?.claims) ? (v as { claims: unknown[] }).claims.length : 0), 0);
    if (claims > MAX_CLAIMS_TOTAL) throw new UsageError('claims_too_large', `${label}: ${claims} claims; a claims file may hold at most ${MAX_CLAIMS_TOTAL}`);
  }
  return js;
}

/** The file's bytes, its size checked before reading (a 1.5 GB sparse file is refused unread), and never more than
 *  MAX_CLAIMS_FILE_BYTES + 1 read even if it grows meanwhile. */
function readBounded(file: string): Buffer {
  // stat before open: opening a FIFO would wait for a writer.
  if (!statSync(file).isFile()) throw new UsageError('claims_unreadable', `${file}: not a regular file`);
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError('claims_unreadable', `${file}: not a regular file`);
    if (st.size > MAX_CLAIMS_FILE_BYTES) throw new UsageError('claims_too_large', `${file}: ${st.size} bytes; a claims file may be at most ${MAX_CLAIMS_FILE_BYTES}`);
    const buf = Buffer.alloc(MAX_CLAIMS_FILE_BYTES + 1);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    if (n > MAX_CLAIMS_FILE_BYTES) throw new UsageError('claims_too_large', `${file}: larger than ${MAX_CLAIMS_FILE_BYTES} bytes`);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Reads and validates a claims file. Throws UsageError('claims_invalid' | 'claims_unreadable' | 'claims_too_large'). */
export function loadClaims(file: string): ClaimsFile {
  let text: string;
  try {
    text = readBounded(file).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError('claims_unreadable', `${file}: cannot read claims file: ${(e as Error).message}`);
  }
  return parseClaims(text, file, path.resolve(file));
}
