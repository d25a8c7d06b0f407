// Owns the physical plausibility check: how far a server can be given a measured handshake round trip, the check
// applied to a lookup's answers, and whether a capture's handshakes were synthesised locally (then no RTT says
// anything about distance).
// Light in fibre travels ~200,000 km/s (refractive index ~1.47), i.e. ~200 km per ms one way; a round trip
// covers the distance twice, so the server is at most RTT x 100 km/ms away. Real paths are longer than the
// great circle and add queueing, so the bound is generous: a location beyond it is refuted physically.

import { GEO_SYNTHESIZED_MIN_FLOWS, GEO_SYNTHESIZED_RTT_MS } from '../limits.js';
import type { GeoSourceAnswer } from '../types.js';
import { parseIpv4 } from './address.js';

/** Kilometres of great-circle distance per millisecond of round-trip time (issue 3's stated constant). */
export const FIBRE_KM_PER_RTT_MS = 100;

/** Mean Earth radius (IUGG R1), km. */
export const EARTH_MEAN_RADIUS_KM = 6371.0088;

/** pcap LINKTYPE_RAW (101) and DLT_RAW values some writers use (12, 14): packets start at the IP header. */
export const RAW_IP_LINK_TYPES: readonly number[] = [101, 12, 14, 228, 229];

/** Great-circle distance in km between two points given in degrees (haversine formula). */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_MEAN_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Farthest a server can be (km) for a handshake round trip of `rttMs`. */
export function maxDistanceKm(rttMs: number): number {
  return rttMs * FIBRE_KM_PER_RTT_MS;
}

/** `impossible` when (lat, lon) is farther from the vantage point than the RTT allows, else `plausible`. */
export function physicalCheck(vantage: { lat: number; lon: number }, rttMs: number, lat: number, lon: number): 'plausible' | 'impossible' {
  return greatCircleKm(vantage.lat, vantage.lon, lat, lon) > maxDistanceKm(rttMs) ? 'impossible' : 'plausible';
}

/** A lookup's answers with the check applied (copies): each that has a position `plausible` or `impossible`. */
export function checkSources(sources: GeoSourceAnswer[], vantage: { lat: number; lon: number }, rttMs: number): GeoSourceAnswer[] {
  return sources.map((s) => (s.lat !== undefined && s.lon !== undefined ? { ...s, physical: physicalCheck(vantage, rttMs, s.lat, s.lon) } : s));
}

/** The check of a place, `unchecked` when there is none. */
export function checkPlace(vantage: { lat: number; lon: number }, rttMs: number, lat?: number, lon?: number): 'plausible' | 'impossible' | 'unchecked' {
  return lat !== undefined && lon !== undefined ? physicalCheck(vantage, rttMs, lat, lon) : 'unchecked';
}

const PCAPDROID_NET = parseIpv4('10.215.173.0');

/**
 * Detects captures whose handshakes were answered on the phone itself (PCAPdroid's non-root VPN mode terminates
 * TCP locally, so SYN -> SYN/ACK measures nothing): a raw-IP link type with client addresses in 10.215.173.0/24,
 * or every flow that has an RTT has one under GEO_SYNTHESIZED_RTT_MS (with at least GEO_SYNTHESIZED_MIN_FLOWS).
 */
export function detectSynthesizedHandshakes(
  flows: Iterable<{ client_ip: string; rtt_ms?: number }>,
  linkTypes: number[],
): { synthesized: boolean; reason?: string } {
  const d = new SynthesisDetector();
  for (const f of flows) d.add(f);
  return d.result(linkTypes);
}

/**
 * detectSynthesizedHandshakes as a stream, in constant memory: add() each flow in order, result() once the capture's
 * link types are known. The one implementation of the rule (detectSynthesizedHandshakes runs it).
 */
export class SynthesisDetector {
  /** Client address of the first flow from PCAPdroid's VPN range, if any. */
  private pcapdroidClient: string | undefined;
  private withRtt = 0;
  private slow = false;

  add(f: { client_ip: string; rtt_ms?: number }): void {
    if (this.pcapdroidClient === undefined) {
      const v4 = parseIpv4(f.client_ip);
      if (v4 >= 0 && ((v4 & 0xffffff00) >>> 0) === PCAPDROID_NET) this.pcapdroidClient = f.client_ip;
    }
    if (f.rtt_ms === undefined || !Number.isFinite(f.rtt_ms) || this.slow) return;
    this.withRtt++;
    if (f.rtt_ms >= GEO_SYNTHESIZED_RTT_MS) this.slow = true;
  }

  result(linkTypes: number[]): { synthesized: boolean; reason?: string } {
    if (this.pcapdroidClient !== undefined && linkTypes.some((t) => RAW_IP_LINK_TYPES.includes(t))) {
      return {
        synthesized: true,
        reason: `raw-IP link type with PCAPdroid VPN client address ${this.pcapdroidClient} (10.215.173.0/24): handshakes are answered on the device`,
      };
    }
    if (this.slow) return { synthesized: false };
    if (this.withRtt >= GEO_SYNTHESIZED_MIN_FLOWS) {
      return {
        synthesized: true,
        reason: `all ${this.withRtt} flows with a handshake RTT measured under ${GEO_SYNTHESIZED_RTT_MS} ms: handshakes are synthesised locally`,
      };
    }
    return { synthesized: false };
  }
}
