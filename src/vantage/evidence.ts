// Owns the evidence several vantage points give about each destination address, as the audit consumes it
// (src/audit/vantage-check.ts):
// `VantageEvidence.load(claims)` reads the claims file's `measurements:` files (hashing each for provenance), and
// per address answers `feasible(ip)` (the intersection of its discs), `anycast(ip)` (discs that cannot meet),
// `refutes(ip, place)` (is a claimed place outside the region, naming the measurements that rule it out) and
// `excludes(ip, lat, lon)` (is a database position outside it, to set it aside). Handshake RTTs from the captures'
// labs join through `withMeasurements(captureMeasurement(...))`. The only I/O of the stage is in `load`.

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_VANTAGE_ID, type ClaimsFile, type MeasurementFileKind, type MeasurementFileSpec } from '../audit/claims.js';
import type { Vantage } from '../audit/report-model.js';
import { UsageError } from '../errors.js';
import { VANTAGE_MAX_MEASUREMENT_FILE_BYTES } from '../limits.js';
import { detectAnycast, kmText, measurementText, type AnycastFinding } from './anycast.js';
import { parseAtlasProbes, parseAtlasResults } from './atlas.js';
import type { ClaimedPlace, CountryPoint, PlacePoint, PointTest } from './claimed-place.js';
import { canonicalIp, issueText, mergeMeasurements, type Measurement, type ParseIssue, type SourceRef, type VantagePoint } from './measurement.js';
import { parseMtr } from './mtr.js';
import { excludedBy, feasibleRegion, type Exclusion, type FeasibleRegion } from './multilateration.js';
import { parsePingText } from './ping-text.js';

/** One `measurements:` file as read: for provenance and warnings. */
export interface MeasurementFileInfo {
  /** As the claims file names it. */
  file: string;
  kind: MeasurementFileKind;
  sha256: string;
  /** ripe-atlas: the probe metadata file. */
  probes?: { file: string; sha256: string; count: number };
  /** ping/mtr: the lab id. */
  vantage?: string;
  /** Measurements kept (one per vantage point and destination). */
  measurements: number;
  issues: ParseIssue[];
  issues_omitted: number;
}

/** Whether a claimed place is physically possible for an address. */
export interface PlaceVerdict {
  dst_addr: string;
  place: string;
  /**
   * `refuted`: every known point of the place is outside some disc; `possible`: a point of it is inside every disc;
   * `anycast`: the address answers from several places, so no single place is judged; `no_measurements`: nothing
   * measured this address; `unknown_place`: no known point stands for the place.
   */
  status: 'refuted' | 'possible' | 'anycast' | 'no_measurements' | 'unknown_place';
  /** refuted: a small set of measurements that together exclude every known point of the place. */
  by: Measurement[];
  /** refuted: each known point with the discs that exclude it. */
  points: PointTest[];
  /** possible: the point of the place found inside every disc. */
  witness?: PlacePoint;
  /** One sentence, naming the measurements (file and line) when refuted. */
  reason: string;
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

function readMeasurementFile(dir: string, file: string): Buffer {
  const abs = path.resolve(dir, file);
  let size: number;
  try {
    size = statSync(abs).size;
  } catch (e) {
    throw new UsageError('measurement_unreadable', `${file}: cannot read measurement file: ${(e as Error).message}`);
  }
  if (size > VANTAGE_MAX_MEASUREMENT_FILE_BYTES) {
    throw new UsageError('measurement_too_large', `${file}: larger than ${VANTAGE_MAX_MEASUREMENT_FILE_BYTES} bytes (VANTAGE_MAX_MEASUREMENT_FILE_BYTES)`);
  }
  try {
    return readFileSync(abs);
  } catch (e) {
    throw new UsageError('measurement_unreadable', `${file}: cannot read measurement file: ${(e as Error).message}`);
  }
}

/** The vantage point of a lab of the claims file. */
export function labVantage(id: string, lab: Vantage): VantagePoint {
  return { id, name: lab.name, lat: lab.lat, lon: lab.lon, country: lab.country };
}

type LabSource = Pick<ClaimsFile, 'vantage' | 'vantage_id' | 'vantages'>;

function labById(claims: LabSource, id: string): VantagePoint | undefined {
  const lab = claims.vantages?.[id];
  if (lab !== undefined) return labVantage(id, lab);
  if (claims.vantage !== undefined && id === (claims.vantage_id ?? DEFAULT_VANTAGE_ID)) return labVantage(id, claims.vantage);
  return undefined;
}

/** A handshake RTT a capture measured from its lab, as a measurement (undefined for an unusable RTT or address). */
export function captureMeasurement(lab: VantagePoint, serverIp: string, rttMs: number, source: SourceRef, timestamp?: number): Measurement | undefined {
  const dst = canonicalIp(serverIp);
  if (dst === undefined || !Number.isFinite(rttMs) || rttMs < 0) return undefined;
  const m: Measurement = { vantage: lab, dst_addr: dst, min_rtt_ms: rttMs, samples: 1, source };
  if (timestamp !== undefined) m.timestamp = timestamp;
  return m;
}

function loadOne(dir: string, spec: MeasurementFileSpec, claims: LabSource): { info: MeasurementFileInfo; measurements: Measurement[] } {
  const buf = readMeasurementFile(dir, spec.file);
  const text = buf.toString('utf8');
  const info: MeasurementFileInfo = { file: spec.file, kind: spec.kind, sha256: sha256(buf), measurements: 0, issues: [], issues_omitted: 0 };
  let result;
  if (spec.kind === 'ripe-atlas') {
    const probesFile = spec.probes ?? '';
    const pbuf = readMeasurementFile(dir, probesFile);
    const table = parseAtlasProbes(pbuf.toString('utf8'), probesFile);
    info.probes = { file: probesFile, sha256: sha256(pbuf), count: table.probes.size };
    info.issues.push(...table.result.issues);
    info.issues_omitted += table.result.issues_omitted;
    result = parseAtlasResults(text, spec.file, table.probes);
  } else {
    const lab = spec.vantage === undefined ? undefined : labById(claims, spec.vantage);
    if (lab === undefined) throw new UsageError('claims_invalid', `${spec.file}: measured at unknown lab ${JSON.stringify(spec.vantage)}`);
    info.vantage = lab.id;
    result = spec.kind === 'ping' ? parsePingText(text, spec.file, lab, spec.dst) : parseMtr(text, spec.file, lab, spec.dst);
  }
  info.measurements = result.measurements.length;
  info.issues.push(...result.issues);
  info.issues_omitted += result.issues_omitted;
  return { info, measurements: result.measurements };
}

/** Greedy cover: few measurements that together exclude every point (the one excluding most points first). */
function coverOf(points: PointTest[]): Measurement[] {
  const left = new Set(points.map((_, i) => i));
  const chosen: Measurement[] = [];
  while (left.size > 0) {
    const score = new Map<Measurement, { n: number; beyond: number }>();
    for (const i of left) {
      for (const e of points[i].excluded_by) {
        const s = score.get(e.disc.measurement) ?? { n: 0, beyond: 0 };
        s.n++;
        s.beyond += e.beyond_km;
        score.set(e.disc.measurement, s);
      }
    }
    let best: Measurement | undefined;
    let bs = { n: 0, beyond: -1 };
    for (const [m, s] of score) if (s.n > bs.n || (s.n === bs.n && s.beyond > bs.beyond)) [best, bs] = [m, s];
    if (best === undefined) break;
    chosen.push(best);
    for (const i of [...left]) if (points[i].excluded_by.some((e) => e.disc.measurement === best)) left.delete(i);
  }
  return chosen;
}

function exclusionText(p: PlacePoint, e: Exclusion): string {
  return `${p.name} is ${kmText(e.distance_km)} from ${measurementText(e.disc.measurement)}, which allows at most ${kmText(e.disc.radius_km)}`;
}

/** The evidence of every measurement, per destination address. */
export class VantageEvidence {
  private readonly byDst = new Map<string, Measurement[]>();
  private readonly regions = new Map<string, FeasibleRegion>();
  private readonly anycasts = new Map<string, AnycastFinding | null>();

  private constructor(
    readonly measurements: readonly Measurement[],
    /** Every measurement file read, in claims-file order (empty when built from measurements). */
    readonly files: readonly MeasurementFileInfo[],
  ) {
    for (const m of measurements) {
      const list = this.byDst.get(m.dst_addr);
      if (list) list.push(m);
      else this.byDst.set(m.dst_addr, [m]);
    }
  }

  /** Reads the claims file's `measurements:` files. Throws UsageError when a file cannot be read or is too large;
   *  problems inside files are in `files[].issues` (see warnings()). */
  static load(claims: Pick<ClaimsFile, 'dir' | 'measurements'> & LabSource): VantageEvidence {
    const files: MeasurementFileInfo[] = [];
    const lists: Measurement[][] = [];
    for (const spec of claims.measurements ?? []) {
      const { info, measurements } = loadOne(claims.dir, spec, claims);
      files.push(info);
      lists.push(measurements);
    }
    return new VantageEvidence(mergeMeasurements(lists), files);
  }

  /** Evidence from measurements already in hand (one minimum per vantage point and destination is kept). */
  static fromMeasurements(measurements: readonly Measurement[], files: readonly MeasurementFileInfo[] = []): VantageEvidence {
    return new VantageEvidence(mergeMeasurements([measurements]), files);
  }

  /** This evidence plus more measurements (e.g. the captures' handshake RTTs from their labs). */
  withMeasurements(extra: readonly (Measurement | undefined)[]): VantageEvidence {
    const add = extra.filter((m): m is Measurement => m !== undefined);
    return new VantageEvidence(mergeMeasurements([this.measurements, add]), this.files);
  }

  /** Every problem in the files, as `file:line: message (code)` lines, plus a count of those not listed. */
  warnings(): string[] {
    const out: string[] = [];
    for (const f of this.files) {
      for (const i of f.issues) out.push(issueText(i));
      if (f.issues_omitted > 0) out.push(`${f.file}: ${f.issues_omitted} more problems not listed`);
    }
    return out;
  }

  /** Addresses with at least one measurement, sorted. */
  destinations(): string[] {
    return [...this.byDst.keys()].sort();
  }

  /** The vantage points measurements were taken from (each once), for maps and for country places. */
  vantagePoints(): VantagePoint[] {
    const seen = new Map<string, VantagePoint>();
    for (const m of this.measurements) if (!seen.has(m.vantage.id)) seen.set(m.vantage.id, m.vantage);
    return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Vantage points with a country, as known points of their countries (for claimPlaces' `extra`). */
  vantageCountryPoints(): CountryPoint[] {
    return this.vantagePoints()
      .filter((v) => v.country !== undefined)
      .map((v) => ({ name: v.name, lat: v.lat, lon: v.lon, country: v.country as string }));
  }

  /** The measurements of an address (one per vantage point), sorted by vantage id; empty when none. */
  measurementsOf(ip: string): readonly Measurement[] {
    const dst = canonicalIp(ip);
    return (dst === undefined ? undefined : this.byDst.get(dst)) ?? [];
  }

  /** The feasible region of an address, or undefined when nothing measured it. */
  feasible(ip: string): FeasibleRegion | undefined {
    const dst = canonicalIp(ip);
    if (dst === undefined) return undefined;
    const cached = this.regions.get(dst);
    if (cached) return cached;
    const ms = this.byDst.get(dst);
    if (ms === undefined) return undefined;
    const region = feasibleRegion(dst, ms);
    this.regions.set(dst, region);
    return region;
  }

  /** Anycast (or a wrong vantage position) for an address, with the measurements that show it. */
  anycast(ip: string): AnycastFinding | undefined {
    const region = this.feasible(ip);
    if (region === undefined) return undefined;
    let f = this.anycasts.get(region.dst_addr);
    if (f === undefined) {
      f = detectAnycast(region) ?? null;
      this.anycasts.set(region.dst_addr, f);
    }
    return f ?? undefined;
  }

  /** The discs that put a position (a geolocation database's) out of reach: non-empty means set it aside. Empty
   *  for an anycast address (no single position applies) or one nothing measured. */
  excludes(ip: string, lat: number, lon: number): Exclusion[] {
    const region = this.feasible(ip);
    if (region === undefined || this.anycast(ip) !== undefined) return [];
    return excludedBy(region, { lat, lon });
  }

  /** Is `place` physically possible for `ip`? Refuted names the measurements (file and line) that rule it out. */
  refutes(ip: string, place: ClaimedPlace): PlaceVerdict {
    const region = this.feasible(ip);
    const dst = canonicalIp(ip) ?? ip;
    const base = { dst_addr: dst, place: place.label, by: [], points: [] };
    if (region === undefined) return { ...base, status: 'no_measurements', reason: `no measurement of ${dst}` };
    const any = this.anycast(ip);
    if (any !== undefined) return { ...base, status: 'anycast', reason: any.reason };
    const t = place.test(region);
    if (t.outcome === 'unknown') return { ...base, status: 'unknown_place', reason: t.reason };
    if (t.outcome === 'inside') {
      return { ...base, status: 'possible', witness: t.witness, reason: `${t.witness.name} is within reach of every measurement of ${dst}` };
    }
    const by = coverOf(t.points);
    const parts = t.points.map((p) => {
      const e = p.excluded_by.find((x) => by.includes(x.disc.measurement)) ?? p.excluded_by[0];
      return exclusionText(p.point, e);
    });
    const head = t.points.length === 1 ? '' : `none of the ${t.points.length} known places of ${place.label} is within reach of ${dst}: `;
    return { ...base, status: 'refuted', by, points: t.points, reason: `${head}${parts.join('; ')}` };
  }
}
