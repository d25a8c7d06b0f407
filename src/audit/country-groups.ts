// Country groups a claim may name (`EU`, `EEA`, `ASEAN`, `GCC`): data in geo/country-groups.json, each group with
// its members (ISO 3166-1 alpha-2), the source of the membership and the date of its last change. Also the English
// country names (ICU, through Intl.DisplayNames) used to suggest a code for a name written where a code belongs.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { geoDataDir } from '../geo/data-paths.js';
import { COUNTRY_CODES, isCountryCode } from './country-codes.js';

export interface CountryGroup {
  /** Upper case, as claims files write it. */
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2, sorted. */
  members: string[];
  source: string;
  as_of: string;
}

export const COUNTRY_GROUPS_FILE = path.join(geoDataDir(), 'country-groups.json');

/** Parses the groups file; members that are not ISO codes are dropped (a test holds the shipped file to that). */
export function parseCountryGroups(doc: unknown): Map<string, CountryGroup> {
  const out = new Map<string, CountryGroup>();
  const groups = (doc as { groups?: Record<string, { name?: unknown; members?: unknown; source?: unknown; as_of?: unknown }> } | null)?.groups;
  if (groups === null || typeof groups !== 'object') return out;
  for (const [id, g] of Object.entries(groups)) {
    if (!Array.isArray(g.members)) continue;
    const members = [...new Set(g.members.filter((m): m is string => typeof m === 'string' && isCountryCode(m)))].sort();
    out.set(id.toUpperCase(), {
      id: id.toUpperCase(),
      name: typeof g.name === 'string' ? g.name : id,
      members,
      source: typeof g.source === 'string' ? g.source : '',
      as_of: typeof g.as_of === 'string' ? g.as_of : '',
    });
  }
  return out;
}

let groups: Map<string, CountryGroup> | undefined;

/** The shipped groups (geo/country-groups.json), read once; empty when the file is missing or unreadable. */
export function countryGroups(): Map<string, CountryGroup> {
  if (groups === undefined) {
    try {
      groups = parseCountryGroups(JSON.parse(readFileSync(COUNTRY_GROUPS_FILE, 'utf8')));
    } catch {
      groups = new Map();
    }
  }
  return groups;
}

let names: Map<string, string> | undefined;

/** Lower-case English name (ICU) -> ISO code, for every code claims accept. */
function countryNames(): Map<string, string> {
  if (names === undefined) {
    names = new Map();
    const display = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (const code of COUNTRY_CODES) {
      const n = display.of(code);
      if (n !== undefined) names.set(n.toLowerCase(), code);
    }
  }
  return names;
}

/** English name of a country code (`SG` -> `Singapore`), or the code itself when ICU has none. */
export function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** The ISO code whose English name is `name` (case-insensitive), if any. */
export function countryCodeForName(name: string): string | undefined {
  return countryNames().get(name.trim().toLowerCase());
}
