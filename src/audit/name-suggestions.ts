// "Did you mean" help for claims files: the nearest valid names for a country or a provider region that does not
// exist. Nearest by what the value says (a city or country name: `Singapore` -> SG, or ap-southeast-1 because that
// region is in Singapore), else by edit distance (`ap-southeast1` -> ap-southeast-1). Pure; data comes in.

import { countryCodeForName, countryName } from './country-groups.js';
import { COUNTRY_CODES } from './country-codes.js';

/** Levenshtein distance (insert, delete, substitute: 1 each). Short strings only: O(a x b). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The candidates nearest `value` by edit distance (case-insensitive): those at the smallest distance found, at
 *  most `max`, and only within a bound that grows with the length (a third of it, at least 2): beyond that a
 *  suggestion is noise. */
export function nearestByDistance(value: string, candidates: readonly string[], max = 3): string[] {
  const v = value.toLowerCase();
  const bound = Math.max(2, Math.floor(v.length / 3));
  const scored = candidates.map((c) => ({ c, d: editDistance(v, c.toLowerCase()) })).filter((x) => x.d <= bound);
  const best = Math.min(...scored.map((x) => x.d));
  return scored
    .filter((x) => x.d === best)
    .sort((a, b) => (a.c < b.c ? -1 : a.c > b.c ? 1 : 0))
    .slice(0, max)
    .map((x) => x.c);
}

/** Common non-ISO spellings of a code. */
const CODE_ALIASES: Record<string, string> = { UK: 'GB', EL: 'GR' };

/** Suggestions for a country value that is neither an ISO code nor a group: `SG (Singapore)`, ... */
export function suggestCountries(value: string, groupIds: readonly string[]): string[] {
  const v = value.trim();
  const alias = CODE_ALIASES[v.toUpperCase()];
  if (alias !== undefined) return [`${alias} (${countryName(alias)})`];
  const byName = countryCodeForName(v);
  if (byName !== undefined) return [`${byName} (${countryName(byName)})`];
  const named = COUNTRY_CODES.map((code) => ({ code, name: countryName(code) }));
  const near = nearestByDistance(v, named.map((n) => n.name));
  if (near.length > 0) return near.map((n) => `${named.find((x) => x.name === n)?.code ?? n} (${n})`);
  return nearestByDistance(v, groupIds);
}

export interface RegionChoice {
  /** regions.json key of the provider (`aws`, `gcp` ...). */
  provider: string;
  region: string;
  city: string;
  country: string;
}

/** Suggestions for a region that is not one of `choices`: regions in the city or country the value names, else the
 *  nearest ids by edit distance; each as `id (City)`. */
export function suggestRegions(value: string, choices: readonly RegionChoice[], max = 3): string[] {
  const v = value.trim().toLowerCase();
  const label = (r: RegionChoice): string => `${r.region} (${r.city})`;
  const unique = (list: RegionChoice[]): string[] => [...new Set(list.map(label))].slice(0, max);
  const byCity = choices.filter((r) => r.city.toLowerCase() === v);
  if (byCity.length > 0) return unique(byCity);
  const code = countryCodeForName(v) ?? (v.length === 2 ? v.toUpperCase() : undefined);
  const byCountry = code === undefined ? [] : choices.filter((r) => r.country === code);
  if (byCountry.length > 0) return unique(byCountry);
  const ids = [...new Set(choices.map((r) => r.region))];
  return nearestByDistance(v, ids, max).map((id) => label(choices.find((r) => r.region === id) as RegionChoice));
}
