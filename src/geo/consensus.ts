// Owns the consensus country: combines the located answers (city/country databases) with the registration
// country (RIR whois) into one country, an agreement label and the consensus place. Pure.
//   agree          every source that names a country names the same one, and at least two do
//   disputed       sources name different countries (the country given is the one most sources name; on a tie,
//                  the first located source in priority order wins, since registration is not location)
//   single-source  exactly one source names a country
//   unknown        no source names a country
// (`private` is decided before any source is asked: see address.ts. A dispute may then be settled by physics, which
// is not this stage's: vantage/settle.ts.)

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
  // Votes per country, in the order countries are first named (located sources before registration).
  const votes = new Map<string, number>();
  for (const a of [...located, ...registration]) if (a.country) votes.set(a.country, (votes.get(a.country) ?? 0) + 1);
  let country: string | undefined;
  let best = 0;
  let voters = 0;
  for (const [c, n] of votes) {
    voters += n;
    if (n > best) [country, best] = [c, n]; // strictly more: on a tie the country named first wins
  }
  // Every result has the same keys in the same order (absent ones undefined).
  if (country === undefined) return { country: undefined, agreement: 'unknown', city: undefined, lat: undefined, lon: undefined };
  const agreement: CountryAgreement = voters === 1 ? 'single-source' : votes.size === 1 ? 'agree' : 'disputed';
  // The place comes from one answer, never mixed: the first with a city and coordinates, else the first with
  // coordinates (often a country centroid: then no city is claimed).
  const placed = located.filter((a) => a.country === country && a.lat !== undefined && a.lon !== undefined);
  const place = placed.find((a) => a.city !== undefined) ?? placed[0];
  return { country, agreement, city: place?.city, lat: place?.lat, lon: place?.lon };
}
