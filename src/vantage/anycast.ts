// Owns anycast detection: one server cannot be in two places, so when two vantage points' discs for one address
// cannot meet (the great-circle distance between them exceeds the sum of their radii), the address answers from
// several places (anycast) or a vantage position is wrong. Either way no single position for it means anything:
// the address is to be treated as an edge, with both measurements named in the evidence. Discs that meet pairwise
// but have no common point (three probes around a gap) say the same. Pure.

import { greatCircleKm } from '../physics.js';
import { VANTAGE_MAX_ANYCAST_PAIRS_LISTED } from '../limits.js';
import type { Measurement, SourceRef } from './measurement.js';
import type { Disc, FeasibleRegion } from './multilateration.js';

/** Two discs of one address that cannot meet. */
export interface DisjointPair {
  a: Disc;
  b: Disc;
  /** Great-circle distance between the two vantage points. */
  distance_km: number;
  /** distance_km - (a.radius_km + b.radius_km) (> 0). */
  gap_km: number;
}

export interface AnycastFinding {
  dst_addr: string;
  /** `disjoint_discs`: two discs cannot meet; `empty_intersection`: every pair meets but no point is in all. */
  kind: 'disjoint_discs' | 'empty_intersection';
  /** Widest gap first, at most VANTAGE_MAX_ANYCAST_PAIRS_LISTED. */
  pairs: DisjointPair[];
  /** Disjoint pairs not listed. */
  pairs_omitted: number;
  /** A sentence naming the measurements (the widest pair's, or the binding discs'). */
  reason: string;
}

/** Where a measurement is: `atlas.json:3`, `results.json [4]`, `lab.pcap flow 12`. */
export function sourceText(s: SourceRef): string {
  return s.line !== undefined ? `${s.file}:${s.line}` : s.index !== undefined ? `${s.file} [${s.index}]` : s.flow !== undefined ? `${s.file} flow ${s.flow}` : s.file;
}

/** `RIPE Atlas probe 6001 (DE) 2.1 ms (atlas.json:3)`. */
export function measurementText(m: Measurement): string {
  const where = sourceText(m.source);
  const cc = m.vantage.country !== undefined ? ` (${m.vantage.country})` : '';
  return `${m.vantage.name}${cc} ${fmtMs(m.min_rtt_ms)} ms (${where})`;
}

function fmtMs(v: number): string {
  return v < 10 ? v.toFixed(2).replace(/\.?0+$/, '') : v.toFixed(1).replace(/\.0$/, '');
}

export function kmText(v: number): string {
  return `${Math.round(v).toLocaleString('en-US')} km`;
}

/** Anycast (or a wrong vantage position) for the region's address, or undefined when its discs can share a point. */
export function detectAnycast(region: FeasibleRegion): AnycastFinding | undefined {
  const discs = region.discs;
  const pairs: DisjointPair[] = [];
  for (let i = 0; i < discs.length; i++) {
    for (let j = i + 1; j < discs.length; j++) {
      const a = discs[i];
      const b = discs[j];
      const distance_km = greatCircleKm(a.lat, a.lon, b.lat, b.lon);
      const gap_km = distance_km - (a.radius_km + b.radius_km);
      if (gap_km > 0) pairs.push({ a, b, distance_km, gap_km });
    }
  }
  if (pairs.length > 0) {
    pairs.sort((x, y) => y.gap_km - x.gap_km);
    const w = pairs[0];
    return {
      dst_addr: region.dst_addr,
      kind: 'disjoint_discs',
      pairs: pairs.slice(0, VANTAGE_MAX_ANYCAST_PAIRS_LISTED),
      pairs_omitted: Math.max(0, pairs.length - VANTAGE_MAX_ANYCAST_PAIRS_LISTED),
      reason:
        `${region.dst_addr} answered ${measurementText(w.a.measurement)} and ${measurementText(w.b.measurement)}: ` +
        `these are ${kmText(w.distance_km)} apart, but the round trips allow at most ${kmText(w.a.radius_km)} + ${kmText(w.b.radius_km)}; ` +
        'one address answering from several places (anycast), or a wrong vantage position',
    };
  }
  if (region.empty) {
    const named = region.binding.slice(0, 3).map((d) => measurementText(d.measurement));
    return {
      dst_addr: region.dst_addr,
      kind: 'empty_intersection',
      pairs: [],
      pairs_omitted: 0,
      reason:
        `no place is within reach of every measurement of ${region.dst_addr} (${named.join(', ')}${region.binding.length > 3 ? ', ...' : ''}), ` +
        'although each two could meet: one address answering from several places (anycast), or a wrong vantage position',
    };
  }
  return undefined;
}
