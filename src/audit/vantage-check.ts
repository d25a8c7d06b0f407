// Owns the audit's physical rule per destination address (VERDICTS.md "Several vantage points"): what every
// measurement of the address says (the claims file's measurement files, and each capture's fastest handshake from
// its own lab) about where the server can be. One call per destination, `VantageCheck.destination`:
//   - anycast (two discs that cannot meet): the address is an edge; no place is judged, no position set aside;
//   - each geolocation source's position inside or outside the feasible region (`physical`), and the sources
//     naming a city outside it set aside: a disputed country is then settled by the rest (vantage/settle.ts, the
//     same settlement `flows --vantage` makes from one lab);
//   - the consensus position's plausibility;
//   - per claim, whether the claimed location is physically refuted and by which measurements: a claimed place
//     (region metro, country's known places) outside the feasible region, or a claimed location beyond the reach
//     of the capture's own handshake (country outlines, claimed-location.ts).
// Inputs are the destination's values only (lab, address, its minimum RTT, per-source answers, the claims), so the
// rule runs the same over one flow, a stored group of flows or an SQL aggregate. Pure apart from the evidence's
// caches.

import { consensus, type Consensus } from '../geo/consensus.js';
import { settleByRtt } from '../vantage/settle.js';
import { maxDistanceKm } from '../physics.js';
import type { GeoSourceAnswer } from '../types.js';
import {
  captureMeasurement,
  claimPlaces,
  kmText,
  measurementText,
  type CountryPoint,
  type Exclusion,
  type KnownPlaces,
  type Measurement,
  type SourceRef,
  type VantageEvidence,
  type VantagePoint,
} from '../vantage/index.js';
import type { Claim } from './claims.js';
import type { AnycastEvidence, MeasurementRef } from './report-model.js';
import type { ClaimedLocationCheck } from './claimed-location.js';

export type { MeasurementRef } from './report-model.js';

/** A geolocation source's position outside the feasible region. */
export interface RuledOutPosition {
  source: string;
  /** The measurements whose discs exclude the position, farthest beyond first. */
  measurements: MeasurementRef[];
  /** `dbip-city places 203.0.113.9 at Ashburn (US), 11,900 km from New Delhi lab 3.4 ms (a.pcap flow 3), which allows at most 390 km`. */
  text: string;
  /** true when the consensus leaves it out (it names a city; a country-level answer's centroid is kept). */
  set_aside: boolean;
}

/** Why a claim's location is physically impossible for a destination. */
export interface PlaceRefutation {
  /** One sentence naming the measurements (file and line, or capture and flow). */
  text: string;
  measurements: MeasurementRef[];
}

/** What the measurements say about one destination address. */
export interface DestinationPhysics {
  /** `unmeasured`: nothing bounds the address (everything else is then empty); `anycast`: it answers from several
   *  places (an edge); `measured`: a feasible region applies. */
  status: 'unmeasured' | 'anycast' | 'measured';
  /** anycast: the sentence and the measurements that cannot meet (the widest gap first). */
  anycast?: AnycastEvidence;
  /** The sources with `physical` from the feasible region (measured), or without it (anycast); as given otherwise. */
  sources: GeoSourceAnswer[];
  /** Positions outside the feasible region (measured only), in source order. */
  ruled_out: RuledOutPosition[];
  /** The consensus to use: the sources' own, or the one left once the positions outside the region were set aside
   *  (`settled`); undefined when unmeasured. */
  consensus?: Consensus;
  settled: boolean;
  /** The consensus position against the region: `unchecked` when it has none or the address is unmeasured/anycast. */
  physical: 'plausible' | 'impossible' | 'unchecked';
  /** Per claim id: the claim's location is physically refuted for this address. */
  refuted: Record<string, PlaceRefutation>;
}

/** What one destination brings (see the module comment). */
export interface DestinationInput {
  server_ip: string;
  /** The lab the capture was taken at; undefined when the claims file names none. */
  lab?: VantagePoint;
  /** The destination's smallest handshake RTT from that lab; undefined when none is usable (handshakes
   *  synthesised on the device, logs without RTT). */
  min_rtt_ms?: number;
  /** Where that RTT was measured (the capture and the flow). */
  rtt_source?: SourceRef;
  /** Per-source answers in the locator's order (located sources, then registration). */
  sources: readonly GeoSourceAnswer[];
  claims: readonly Claim[];
}

export function measurementRef(m: Measurement): MeasurementRef {
  const r: MeasurementRef = { vantage: m.vantage.name, vantage_id: m.vantage.id, rtt_ms: m.min_rtt_ms, file: m.source.file };
  if (m.vantage.country !== undefined) r.country = m.vantage.country;
  if (m.source.line !== undefined) r.line = m.source.line;
  if (m.source.index !== undefined) r.index = m.source.index;
  if (m.source.flow !== undefined) r.flow = m.source.flow;
  return r;
}

function exclusionText(what: string, e: Exclusion): string {
  return `${what}, ${kmText(e.distance_km)} from ${measurementText(e.disc.measurement)}, which allows at most ${kmText(e.disc.radius_km)}`;
}

export class VantageCheck {
  /** The vantage points located in a country, as known places of it (computed once: it scans every measurement). */
  private labPoints: CountryPoint[] | undefined;

  constructor(
    readonly evidence: VantageEvidence,
    private readonly known: KnownPlaces,
    /** The single-measurement test with country outlines (claimed-location.ts); omitted in unit tests. */
    private readonly outline?: ClaimedLocationCheck,
  ) {}

  /** The physical rule for one destination (see the module comment). */
  destination(d: DestinationInput): DestinationPhysics {
    const own = d.lab !== undefined && d.min_rtt_ms !== undefined ? captureMeasurement(d.lab, d.server_ip, d.min_rtt_ms, d.rtt_source ?? { file: '' }) : undefined;
    // The evidence holds every capture's handshakes already; a destination handed in alone adds its own.
    const ev = own !== undefined && !this.evidence.measurementsOf(d.server_ip).some((m) => m.vantage.id === own.vantage.id && m.min_rtt_ms <= own.min_rtt_ms)
      ? this.evidence.withMeasurements([own])
      : this.evidence;
    const region = ev.feasible(d.server_ip);
    const none: DestinationPhysics = { status: 'unmeasured', sources: [...d.sources], ruled_out: [], settled: false, physical: 'unchecked', refuted: {} };
    if (region === undefined) return none;
    // Stored answers keep the locator's order (located first, registration last, which has no position), so one
    // list gives consensus() the same votes and tie order as the locator's two.
    const any = ev.anycast(d.server_ip);
    if (any !== undefined) {
      const sources = d.sources.map(({ physical: _drop, ...s }) => s);
      const ms = any.pairs.length > 0 ? [any.pairs[0].a.measurement, any.pairs[0].b.measurement] : region.binding.slice(0, 3).map((x) => x.measurement);
      return {
        ...none,
        status: 'anycast',
        sources,
        anycast: { reason: any.reason, measurements: ms.map(measurementRef) },
        consensus: consensus(sources, []),
      };
    }
    const ruled_out: RuledOutPosition[] = [];
    const sources = d.sources.map((s) => {
      if (s.lat === undefined || s.lon === undefined) return s;
      const ex = ev.excludes(d.server_ip, s.lat, s.lon);
      if (ex.length === 0) return { ...s, physical: 'plausible' as const };
      const where = `${s.source} places ${region.dst_addr} at ${s.city ?? 'a point'}${s.country !== undefined ? ` (${s.country})` : ''}`;
      ruled_out.push({ source: s.source, measurements: ex.map((e) => measurementRef(e.disc.measurement)), text: exclusionText(where, ex[0]), set_aside: s.city !== undefined });
      return { ...s, physical: 'impossible' as const };
    });
    const base = consensus(sources, []);
    const settledTo = base.agreement === 'disputed' ? settleByRtt(sources, []) : undefined;
    const c = settledTo ?? base;
    const physical = c.lat === undefined || c.lon === undefined ? 'unchecked' : ev.excludes(d.server_ip, c.lat, c.lon).length > 0 ? 'impossible' : 'plausible';
    const refuted: Record<string, PlaceRefutation> = {};
    for (const claim of d.claims) {
      const r = this.refute(ev, d, claim, sources, own);
      if (r !== undefined) refuted[claim.id] = r;
    }
    return { status: 'measured', sources, ruled_out, consensus: c, settled: settledTo !== undefined, physical, refuted };
  }

  /**
   * A claim's location against the capture's own handshake (exact for a country: its outline, claimed-location.ts),
   * then against the feasible region of every measurement (its known places).
   */
  private refute(ev: VantageEvidence, d: DestinationInput, claim: Claim, sources: readonly GeoSourceAnswer[], own: Measurement | undefined): PlaceRefutation | undefined {
    if (own !== undefined && this.outline !== undefined && d.lab?.country !== undefined) {
      const lab = { name: d.lab.name, lat: d.lab.lat, lon: d.lab.lon, country: d.lab.country };
      const why = this.outline.beyondReach(lab, own.min_rtt_ms, claim);
      if (why !== undefined) {
        return { text: `${own.dst_addr}: ${why} from ${measurementText(own)}, which allows at most ${kmText(maxDistanceKm(own.min_rtt_ms))}`, measurements: [measurementRef(own)] };
      }
    }
    const positions = sources
      .filter((s) => s.country !== undefined && s.lat !== undefined && s.lon !== undefined)
      .map((s) => ({ name: `${s.city ?? s.country} (${s.source})`, lat: s.lat as number, lon: s.lon as number, country: s.country as string }));
    const labs = ev === this.evidence ? (this.labPoints ??= ev.vantageCountryPoints()) : ev.vantageCountryPoints();
    for (const place of claimPlaces(claim, this.known, [...labs, ...positions])) {
      const v = ev.refutes(d.server_ip, place);
      if (v.status !== 'refuted') continue;
      if (v.points.length === 1) return { text: `${v.dst_addr}: ${v.reason}`, measurements: v.by.map(measurementRef) };
      // Several known places: the nearest one (least beyond reach) stands for the rest.
      const nearest = [...v.points].sort((a, b) => a.excluded_by[0].beyond_km - b.excluded_by[0].beyond_km)[0];
      const e = nearest.excluded_by[0];
      return {
        text: `${v.dst_addr}: none of the ${v.points.length} known places of ${place.label} is within reach; the nearest, ${exclusionText(nearest.point.name, e)}`,
        measurements: v.by.map(measurementRef),
      };
    }
    return undefined;
  }
}
