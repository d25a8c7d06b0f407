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
  const votes = new Map<string, number>();
  const order: string[] = [];
  let voters = 0;
  for (const a of [...located, ...registration]) {
    if (!a.country) continue;
    voters++;
    const n = votes.get(a.country);
    if (n === undefined) {
      votes.set(a.country, 1);
      order.push(a.country);
    } else {
      votes.set(a.country, n + 1);
    }
  }
  if (voters === 0) return { agreement: 'unknown' };
  let country = order[0];
  let best = votes.get(country) ?? 0;
  for (const c of order) {
    const v = votes.get(c) ?? 0;
    if (v > best) {
      best = v;
      country = c;
    }
  }
  const agreement: CountryAgreement = voters === 1 ? 'single-source' : votes.size === 1 ? 'agree' : 'disputed';
  const out: Consensus = { country, agreement };
  // The place comes from one answer, never mixed: the first with a city and coordinates, else the first with
  // coordinates (often a country centroid: then no city is claimed).
  const inCountry = located.filter((a) => a.country === country && a.lat !== undefined && a.lon !== undefined);
  const place = inCountry.find((a) => a.city !== undefined) ?? inCountry[0];
  if (place) {
    out.lat = place.lat;
    out.lon = place.lon;
    if (place.city !== undefined) out.city = place.city;
  }
  return out;
}
