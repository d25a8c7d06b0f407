// Owns the consensus country: combines the located answers (city/country databases) with the registration
// country (RIR whois) into one country, an agreement label and the consensus place. Pure.
//   agree          every source that names a country names the same one, and at least two do
//   disputed       sources name different countries (the country given is the one most sources name; on a tie,
//                  the first located source in priority order wins, since registration is not location)
//   single-source  exactly one source names a country
//   unknown        no source names a country
// (`private` is decided before any source is asked: see private-ranges.ts.)

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
