// Compares two JSON reports (schema residency.report/2): the expected one kept under captures/expected/
// and a fresh one. Owns what counts as drift: which fields are volatile (never compared), the byte
// tolerance, how array elements are matched (by identity, not position) and which section each
// difference belongs to. Pure: no I/O. Rendering lives in diff-text.ts.

import { REGRESS_BYTE_TOLERANCE_BYTES, REGRESS_BYTE_TOLERANCE_RATIO } from '../limits.js';

/** Sections in the order the diff shows them (most decisive first). */
export const SECTIONS = ['verdicts', 'destinations', 'countries', 'providers', 'bytes', 'inputs', 'other'] as const;
export type DiffSection = (typeof SECTIONS)[number];

/**
 * Field patterns never compared (`*` = any array element). Each has its reason:
 * - `generated_at`: the generation time, the only field the report model says differs between runs.
 * - `tool.version`: a release alone must not fail regress; a behaviour change shows in the other fields.
 * - `tool.options.geo_dir`: a machine-specific path.
 * - `claims_file.path`: spelled as given on the command line (its sha256 is compared).
 * - `geo_sources`: versions and hashes of the geolocation data. Not drift by itself, but shown, and named as
 *   the likely cause when verdicts, destinations, countries or providers moved (see `geoChanges`).
 * - `vendors.*.claims.*.reasons.*.text`: sentences quoting byte counts and percentages that are compared,
 *   with tolerance, elsewhere; the reason codes are compared exactly.
 * - `coverage.sources.*.share` (vendor and claim): percentages derived from the bytes beside them, which are
 *   compared with tolerance; a byte move within tolerance must not become drift through a share's last digit.
 */
export const VOLATILE_FIELDS: readonly string[] = [
  'generated_at',
  'tool.version',
  'tool.options.geo_dir',
  'claims_file.path',
  'geo_sources',
  'vendors.*.claims.*.reasons.*.text',
  'vendors.*.coverage.sources.*.share',
  'vendors.*.claims.*.coverage.sources.*.share',
];

/** A byte count: compared with tolerance. */
const BYTE_KEY = /^(bytes|bytes_up|bytes_down|size_bytes|payload_up|payload_down)$/;

export interface Difference {
  section: DiffSection;
  /** Readable location: `vendors[Vendor Alder].claims[a-sg-aws].verdict`. */
  where: string;
  kind: 'changed' | 'added' | 'removed';
  /** JSON of the expected / actual value (absent for added / removed). */
  expected?: string;
  actual?: string;
}

export interface GeoSourceChange {
  source: string;
  expected?: string;
  actual?: string;
}

export interface ReportComparison {
  differences: Difference[];
  /** Geolocation sources whose version, build date or hash differ (or that appeared / disappeared). */
  geoChanges: GeoSourceChange[];
  /** Verdicts, destinations, countries or providers moved and the geolocation data differ. */
  likelyDataUpdate: boolean;
}

/** True when |actual - expected| is within the byte tolerance: the larger of a fixed count and a ratio. */
export function withinByteTolerance(expected: number, actual: number): boolean {
  const allowed = Math.max(REGRESS_BYTE_TOLERANCE_BYTES, Math.abs(expected) * REGRESS_BYTE_TOLERANCE_RATIO);
  return Math.abs(actual - expected) <= allowed;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function patternMatches(pattern: string, keys: readonly string[]): boolean {
  const parts = pattern.split('.');
  if (parts.length > keys.length) return false;
  for (let i = 0; i < parts.length; i++) if (parts[i] !== '*' && parts[i] !== keys[i]) return false;
  return true;
}

function isVolatile(keys: readonly string[]): boolean {
  for (const p of VOLATILE_FIELDS) if (patternMatches(p, keys) && p.split('.').length === keys.length) return true;
  return false;
}

/** Identity of an array element, so insertions or re-sorting do not shift every later element. */
function elementLabel(v: Json): string | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.capture === 'string' && typeof v.flow_id === 'number') return `${v.capture}#${v.flow_id}`;
  if (typeof v.server_ip === 'string' && !('flow_id' in v)) {
    return typeof v.hostname === 'string' ? `${v.hostname} ${v.server_ip}` : v.server_ip;
  }
  for (const k of ['id', 'name', 'path', 'source', 'label', 'key', 'code']) {
    const x = v[k];
    if (typeof x === 'string') return x;
  }
  return undefined;
}

/** Section of a difference from its key path (array elements as `*`). */
function classify(keys: readonly string[]): DiffSection {
  const last = keys[keys.length - 1] ?? '';
  const inVendor = keys[0] === 'vendors';
  if (keys[0] === 'summary') return 'verdicts';
  if (keys[0] === 'inputs' || keys[0] === 'claims_file' || keys[0] === 'problems' || keys[0] === 'budget_effects' || keys[0] === 'measurement_files') return 'inputs';
  if (inVendor && keys[2] === 'claims') {
    if (keys.length <= 4) return 'verdicts';
    if (keys[4] === 'verdict' || keys[4] === 'reasons') return 'verdicts';
    if (keys[4] === 'totals' || keys[4] === 'coverage') return 'bytes';
    if (keys[4] === 'evidence' || keys[4] === 'evidence_omitted') return 'other';
    return 'verdicts';
  }
  if (inVendor && keys[2] === 'destinations') {
    if (keys.length <= 4) return 'destinations';
    const field = keys[4];
    if (BYTE_KEY.test(field)) return 'bytes';
    if (field === 'country' || field === 'country_agreement' || field === 'country_settled_by' || field === 'geo_sources' || field === 'lat' || field === 'lon') {
      return 'countries';
    }
    if (field === 'provider' || field === 'region' || field === 'edge' || field === 'physical') return 'providers';
    return 'destinations';
  }
  if (inVendor && keys[2] === 'bytes_by_country') return keys.length <= 4 ? 'countries' : BYTE_KEY.test(last) ? 'bytes' : 'countries';
  if (inVendor && keys[2] === 'bytes_by_provider') return keys.length <= 4 ? 'providers' : BYTE_KEY.test(last) ? 'bytes' : 'providers';
  if (inVendor && (keys[2] === 'totals' || keys[2] === 'coverage')) return 'bytes';
  if (inVendor && keys.length === 2) return 'verdicts';
  return 'other';
}

class Walker {
  readonly out: Difference[] = [];

  push(kind: Difference['kind'], keys: readonly string[], where: string, e?: Json, a?: Json): void {
    const d: Difference = { section: classify(keys), where, kind };
    if (e !== undefined) d.expected = JSON.stringify(e);
    if (a !== undefined) d.actual = JSON.stringify(a);
    this.out.push(d);
  }

  walk(e: Json, a: Json, keys: string[], where: string): void {
    if (isVolatile(keys)) return;
    if (Array.isArray(e) && Array.isArray(a)) return this.walkArray(e, a, keys, where);
    if (isObject(e) && isObject(a)) {
      const names = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
      for (const k of names) {
        const sub = [...keys, k];
        if (isVolatile(sub)) continue;
        const w = where === '' ? k : `${where}.${k}`;
        if (!(k in a)) this.push('removed', sub, w, e[k]);
        else if (!(k in e)) this.push('added', sub, w, undefined, a[k]);
        else this.walk(e[k], a[k], sub, w);
      }
      return;
    }
    if (typeof e === 'number' && typeof a === 'number') {
      if (e === a) return;
      if (BYTE_KEY.test(keys[keys.length - 1] ?? '') && withinByteTolerance(e, a)) return;
      return this.push('changed', keys, where, e, a);
    }
    if (JSON.stringify(e) !== JSON.stringify(a)) this.push('changed', keys, where, e, a);
  }

  private walkArray(e: Json[], a: Json[], keys: string[], where: string): void {
    const el = [...keys, '*'];
    const le = e.map(elementLabel);
    const la = a.map(elementLabel);
    const keyed =
      e.length + a.length > 0 &&
      le.every((x) => x !== undefined) &&
      la.every((x) => x !== undefined) &&
      new Set(le).size === le.length &&
      new Set(la).size === la.length;
    if (!keyed) {
      // Lists of plain values (domains, link types, CNAME chains) or unlabelled elements: by position.
      if (e.every((x) => !isObject(x) && !Array.isArray(x)) && a.every((x) => !isObject(x) && !Array.isArray(x))) {
        if (JSON.stringify(e) !== JSON.stringify(a)) this.push('changed', keys, where, e, a);
        return;
      }
      const n = Math.max(e.length, a.length);
      for (let i = 0; i < n; i++) {
        const w = `${where}[${i}]`;
        if (i >= a.length) this.push('removed', el, w, e[i]);
        else if (i >= e.length) this.push('added', el, w, undefined, a[i]);
        else this.walk(e[i], a[i], el, w);
      }
      return;
    }
    const byLabel = new Map<string, Json>();
    a.forEach((x, i) => byLabel.set(la[i] as string, x));
    const seen = new Set<string>();
    e.forEach((x, i) => {
      const label = le[i] as string;
      seen.add(label);
      const w = `${where}[${label}]`;
      const other = byLabel.get(label);
      if (other === undefined) this.push('removed', el, w, x);
      else this.walk(x, other, el, w);
    });
    a.forEach((x, i) => {
      const label = la[i] as string;
      if (!seen.has(label)) this.push('added', el, `${where}[${label}]`, undefined, x);
    });
  }
}

function geoDescriptor(s: Json): string {
  if (!isObject(s)) return JSON.stringify(s);
  const v = [s.version, s.build_date].filter((x) => typeof x === 'string' && x !== '').join(' ');
  const h = typeof s.sha256 === 'string' ? s.sha256.slice(0, 12) : '';
  return [v, h ? `sha256 ${h}` : ''].filter((x) => x !== '').join(', ');
}

function compareGeo(e: Json | undefined, a: Json | undefined): GeoSourceChange[] {
  const list = (x: Json | undefined): Json[] => (Array.isArray(x) ? x : []);
  const index = (xs: Json[]): Map<string, Json> => {
    const m = new Map<string, Json>();
    for (const s of xs) if (isObject(s) && typeof s.source === 'string') m.set(s.source, s);
    return m;
  };
  const me = index(list(e));
  const ma = index(list(a));
  const out: GeoSourceChange[] = [];
  for (const id of [...new Set([...me.keys(), ...ma.keys()])].sort()) {
    const x = me.get(id);
    const y = ma.get(id);
    const dx = x === undefined ? undefined : geoDescriptor(x);
    const dy = y === undefined ? undefined : geoDescriptor(y);
    if (dx !== dy) {
      const c: GeoSourceChange = { source: id };
      if (dx !== undefined) c.expected = dx;
      if (dy !== undefined) c.actual = dy;
      out.push(c);
    }
  }
  return out;
}

const DATA_SENSITIVE: ReadonlySet<DiffSection> = new Set(['verdicts', 'destinations', 'countries', 'providers']);

/** Compares an expected report with a fresh one. Both are parsed JSON (residency.report/2; a /1 report compares too, its `vendors[].flows` then show as removed). */
export function compareReports(expected: unknown, actual: unknown): ReportComparison {
  const w = new Walker();
  const e = expected as Json;
  const a = actual as Json;
  w.walk(e, a, [], '');
  const order = new Map(SECTIONS.map((s, i) => [s, i] as const));
  const differences = w.out
    .map((d, i) => ({ d, i }))
    .sort((x, y) => (order.get(x.d.section) as number) - (order.get(y.d.section) as number) || x.i - y.i)
    .map((x) => x.d);
  const geoChanges = compareGeo(isObject(e) ? e.geo_sources : undefined, isObject(a) ? a.geo_sources : undefined);
  const likelyDataUpdate = geoChanges.length > 0 && differences.some((d) => DATA_SENSITIVE.has(d.section));
  return { differences, geoChanges, likelyDataUpdate };
}
