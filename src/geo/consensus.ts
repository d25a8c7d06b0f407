// Owns the consensus country: combines the located answers (city/country databases) with the registration
// country (RIR whois) into one country, an agreement label and the consensus place. Pure.
//   agree          every source that names a country names the same one, and at least two do
//   disputed       sources name different countries (the country given is the one most sources name; on a tie,
//                  the first located source in priority order wins, since registration is not location)
//   single-source  exactly one source names a country
//   unknown        no source names a country
// (`private` is decided before any source is asked: see private-ranges.ts.)
// With a vantage and a handshake RTT, a dispute may then be settled by physics: settleByRtt below.

import type { CountryAgreement, GeoSourceAnswer } from '../types.js';

export interface Consensus {
  country?: string;
  agreement: CountryAgreement;
  city?: string;
  lat?: number;
  lon?: number;
}

/**
 * `located`: answers from city/country databases in priority order; `registration`: whois answers.
 * The consensus place is taken whole from one located answer in the consensus country (a city-level one first).
 */
export function consensus(located: GeoSourceAnswer[], registration: GeoSourceAnswer[]): Consensus {
  // A handful of answers: counting by rescanning is cheaper than a Map and allocates nothing (this runs once per
  // new address on the flows path).
  const nl = located.length;
  const total = nl + registration.length;
  let voters = 0;
  let distinct = 0;
  let country: string | undefined;
  let best = 0;
  // Usually every source that names a country names the same one: one pass settles it.
  for (let i = 0; i < total; i++) {
    const c = (i < nl ? located[i] : registration[i - nl]).country;
    if (!c) continue;
    voters++;
    if (country === undefined) {
      country = c;
      distinct = 1;
    } else if (c !== country) distinct = 2;
  }
  // Otherwise count each country's votes (the counts start again).
  const mixed = distinct === 2;
  if (mixed) {
    voters = 0;
    distinct = 0;
    country = undefined;
  }
  for (let i = 0; mixed && i < total; i++) {
    const c = (i < nl ? located[i] : registration[i - nl]).country;
    if (!c) continue;
    voters++;
    let votes = 0;
    let seenBefore = false;
    for (let j = 0; j < total; j++) {
      if ((j < nl ? located[j] : registration[j - nl]).country !== c) continue;
      if (j < i) seenBefore = true;
      votes++;
    }
    if (seenBefore) continue; // counted at its first appearance
    distinct++;
    // Strictly more votes replaces: on a tie the country named first (located sources before registration) wins.
    if (votes > best) {
      best = votes;
      country = c;
    }
  }
  // One shape for every result (absent fields undefined): its readers stay monomorphic.
  if (voters === 0 || country === undefined) return { country: undefined, agreement: 'unknown', city: undefined, lat: undefined, lon: undefined };
  const agreement: CountryAgreement = voters === 1 ? 'single-source' : distinct === 1 ? 'agree' : 'disputed';
  const out: Consensus = { country, agreement, city: undefined, lat: undefined, lon: undefined };
  // The place comes from one answer, never mixed: the first with a city and coordinates, else the first with
  // coordinates (often a country centroid: then no city is claimed).
  let place: GeoSourceAnswer | undefined;
  for (let i = 0; i < nl; i++) {
    const a = located[i];
    if (a.country !== country || a.lat === undefined || a.lon === undefined) continue;
    if (a.city !== undefined) {
      place = a;
      break;
    }
    place ??= a;
  }
  if (place) {
    out.lat = place.lat;
    out.lon = place.lon;
    if (place.city !== undefined) out.city = place.city;
  }
  return out;
}

/**
 * Disputes settled by physics. `located` carry their own physical check: against one handshake RTT from one lab
 * (rtt-check.ts, `flows --vantage`), or against the feasible region of every measurement of the address (the
 * audit: src/audit/vantage-check.ts, where the capture's own lab is one measurement among RIPE Atlas probes and
 * other labs). Either way `impossible` means a measurement rules the position out.
 * Every located answer that names a city and whose position is impossible is set aside; when at least one
 * remaining located answer is physically plausible and the remaining answers (registration included) then agree
 * or one remains, that is the consensus. Returns undefined when nothing was set aside or the rest still disagree.
 *   - Only answers that state a place (a city) are set aside: a country-level answer's coordinates are a
 *     representative point of the country (GeoLite2's US answer sits in Kansas), and a country can be within reach
 *     where its representative point is not; such answers stay, as do registration (whois) answers, which state no
 *     position at all. So a settlement never rests on more than the positions the sources themselves gave.
 *   - The place then comes from the remaining answers, physically plausible ones first.
 * Pure; called only when the consensus of all answers was `disputed`.
 */
export function settleByRtt(located: GeoSourceAnswer[], registration: GeoSourceAnswer[]): Consensus | undefined {
  let setAside = 0;
  let plausible = 0;
  for (const a of located) {
    if (a.physical === 'impossible' && a.city !== undefined) setAside++;
    else if (a.physical === 'plausible' && a.country) plausible++;
  }
  if (setAside === 0 || plausible === 0) return undefined;
  const remaining: GeoSourceAnswer[] = [];
  for (const a of located) if (a.physical === 'plausible') remaining.push(a);
  for (const a of located) if (a.physical !== 'plausible' && !(a.physical === 'impossible' && a.city !== undefined)) remaining.push(a);
  const c = consensus(remaining, registration);
  return c.agreement === 'agree' || c.agreement === 'single-source' ? c : undefined;
}
