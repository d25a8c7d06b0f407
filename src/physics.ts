// Owns the physical plausibility check and the Earth it runs on: great-circle distance (geo/ regions, vantage/, the
// report's map), how far a server can be given a measured handshake round trip, and whether a place is within that
// reach (applied to flows by the vantage rule, pipeline/flow-geo.ts; by the audit, audit/vantage-check.ts).
// (Whether a capture's handshakes were synthesised locally, so that no RTT says anything about distance, is decided
// from its flows: flow/synthesized-handshakes.ts.)
// Light in fibre travels ~200,000 km/s (refractive index ~1.47), i.e. ~200 km per ms one way; a round trip
// covers the distance twice, so the server is at most RTT x 100 km/ms away. Real paths are longer than the
// great circle and add queueing, so the bound is generous: a location beyond it is refuted physically.

/** Kilometres of great-circle distance per millisecond of round-trip time (issue 3's stated constant). */
export const FIBRE_KM_PER_RTT_MS = 100;

/** Mean Earth radius (IUGG R1), km. */
export const EARTH_MEAN_RADIUS_KM = 6371.0088;

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
