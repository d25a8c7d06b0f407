// Owns country territories as areas on the sphere, by ISO 3166-1 alpha-2 code, for physical checks: how far
// (great-circle km) a point is from a country's nearest territory, 0 inside (sphere-polygon.ts).
//
// Data: Natural Earth admin-0 countries (public domain) as TopoJSON from the `world-atlas` package (ISC), read
// from node_modules on first use (never bundled: commands that do not check pay nothing) and kept per country.
// Scale: 1:10m (OUTLINE_SCALE), the only one with every remote island. 1:50m would load about 5 times faster
// but lacks islands far from the rest of their country (Minamitorishima, Japan, 1,210 km from Japan's 1:50m
// outline; Kure Atoll, US, 1,950 km; Bouvet Island; 28 countries have an island over 300 km from their 1:50m
// outline): a missing island makes a territory look farther than it is, and the check would then call a
// country out of reach that is not. The coastline detail itself does not matter (1:50m is within a few km of
// 1:10m along coasts; the check's bound is 100 km per ms of round trip). Measurements: docs/country-outlines.md.
//
// Natural Earth ids are ISO 3166-1 numeric codes; features without one are mapped by name (CODES_BY_NAME:
// Kosovo -> XK, Somaliland -> SO, N. Cyprus -> CY, ...). Natural Earth folds some territories with their own
// alpha-2 code into the sovereign state (French Guiana, Guadeloupe, Martinique, Reunion and Mayotte into France;
// Svalbard, Jan Mayen and Bouvet Island into Norway; Bonaire, Sint Eustatius and Saba into the Netherlands;
// Tokelau into New Zealand): those polygons are split off by box (SPLITS), as geolocation databases name them
// by their own code.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Position } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, GeometryObject, Topology } from 'topojson-specification';
import { areaContains, areaDistanceKm, sphereArea, type SphereArea } from './sphere-polygon.js';

export type OutlineScale = '50m' | '10m';

/** The scale the check uses (see the file comment); 1:50m stays loadable for comparisons. */
export const OUTLINE_SCALE: OutlineScale = '10m';

/** One country's territory, ready for distance queries. */
export interface CountryOutline extends SphereArea {
  readonly code: string;
  /** The Natural Earth scale it was taken from. */
  readonly scale: OutlineScale;
}

/** ISO 3166-1 alpha-2 code followed by its numeric code (ISO 3166-1, as Natural Earth's ids). */
const ISO_NUMERIC =
  'AD020 AE784 AF004 AG028 AI660 AL008 AM051 AO024 AQ010 AR032 AS016 AT040 AU036 AW533 AX248 AZ031 BA070 BB052 ' +
  'BD050 BE056 BF854 BG100 BH048 BI108 BJ204 BL652 BM060 BN096 BO068 BQ535 BR076 BS044 BT064 BV074 BW072 BY112 ' +
  'BZ084 CA124 CC166 CD180 CF140 CG178 CH756 CI384 CK184 CL152 CM120 CN156 CO170 CR188 CU192 CV132 CW531 CX162 ' +
  'CY196 CZ203 DE276 DJ262 DK208 DM212 DO214 DZ012 EC218 EE233 EG818 EH732 ER232 ES724 ET231 FI246 FJ242 FK238 ' +
  'FM583 FO234 FR250 GA266 GB826 GD308 GE268 GF254 GG831 GH288 GI292 GL304 GM270 GN324 GP312 GQ226 GR300 GS239 ' +
  'GT320 GU316 GW624 GY328 HK344 HM334 HN340 HR191 HT332 HU348 ID360 IE372 IL376 IM833 IN356 IO086 IQ368 IR364 ' +
  'IS352 IT380 JE832 JM388 JO400 JP392 KE404 KG417 KH116 KI296 KM174 KN659 KP408 KR410 KW414 KY136 KZ398 LA418 ' +
  'LB422 LC662 LI438 LK144 LR430 LS426 LT440 LU442 LV428 LY434 MA504 MC492 MD498 ME499 MF663 MG450 MH584 MK807 ' +
  'ML466 MM104 MN496 MO446 MP580 MQ474 MR478 MS500 MT470 MU480 MV462 MW454 MX484 MY458 MZ508 NA516 NC540 NE562 ' +
  'NF574 NG566 NI558 NL528 NO578 NP524 NR520 NU570 NZ554 OM512 PA591 PE604 PF258 PG598 PH608 PK586 PL616 PM666 ' +
  'PN612 PR630 PS275 PT620 PW585 PY600 QA634 RE638 RO642 RS688 RU643 RW646 SA682 SB090 SC690 SD729 SE752 SG702 ' +
  'SH654 SI705 SJ744 SK703 SL694 SM674 SN686 SO706 SR740 SS728 ST678 SV222 SX534 SY760 SZ748 TC796 TD148 TF260 ' +
  'TG768 TH764 TJ762 TK772 TL626 TM795 TN788 TO776 TR792 TT780 TV798 TW158 TZ834 UA804 UG800 UM581 US840 UY858 ' +
  'UZ860 VA336 VC670 VE862 VG092 VI850 VN704 VU548 WF876 WS882 YE887 YT175 ZA710 ZM894 ZW716';

/** Alpha-2 code of each ISO 3166-1 numeric code. */
export const ALPHA2_BY_NUMERIC: ReadonlyMap<string, string> = new Map(
  ISO_NUMERIC.split(' ').map((s) => [s.slice(2), s.slice(0, 2)]),
);

/**
 * Natural Earth features without an ISO numeric id, by name: the alpha-2 codes whose territory they are part of.
 * Disputed areas go to every state that administers or claims them (a larger territory only ever makes a claim
 * less likely to be called impossible); reefs and banks claimed by several states (Spratly Is., Scarborough
 * Reef, Bajo Nuevo Bank, Serranilla Bank) and Clipperton Island (no ISO code) belong to none.
 */
export const CODES_BY_NAME: Readonly<Record<string, readonly string[]>> = {
  Kosovo: ['XK'],
  Somaliland: ['SO'],
  'N. Cyprus': ['CY'],
  'Cyprus U.N. Buffer Zone': ['CY'],
  // The UK's Sovereign Base Areas on Cyprus: no ISO code; addresses there are Cyprus's in geolocation databases.
  Akrotiri: ['CY'],
  Dhekelia: ['CY'],
  'Siachen Glacier': ['IN', 'PK'],
  'Indian Ocean Ter.': ['CX', 'CC'],
  // Leased (to Russia, to the US) but Kazakh and Cuban territory.
  Baikonur: ['KZ'],
  'USNB Guantanamo Bay': ['CU'],
  'Coral Sea Is.': ['AU'],
};

/** A territory with its own alpha-2 code that Natural Earth draws inside another feature: the polygons in `box`. */
export interface Split {
  /** The feature it is drawn in: an alpha-2 code, or a name of CODES_BY_NAME. */
  from: string;
  code: string;
  /** [west, south, east, north] in degrees; a polygon is split off when every vertex of its outer ring is inside. */
  box: readonly [number, number, number, number];
}

export const SPLITS: readonly Split[] = [
  { from: 'FR', code: 'GF', box: [-55, 1.5, -51, 6.5] },
  { from: 'FR', code: 'GP', box: [-62, 15.7, -60.8, 16.7] },
  { from: 'FR', code: 'MQ', box: [-61.4, 14.3, -60.7, 15] },
  { from: 'FR', code: 'RE', box: [55, -21.6, 56, -20.7] },
  { from: 'FR', code: 'YT', box: [44.8, -13.2, 45.5, -12.5] },
  { from: 'NO', code: 'SJ', box: [10, 73.5, 35, 81] }, // Svalbard (mainland Norway ends at 71.2 N)
  { from: 'NO', code: 'SJ', box: [-9.5, 70.6, -7.5, 71.4] }, // Jan Mayen
  { from: 'NO', code: 'BV', box: [3, -54.6, 3.7, -54.3] }, // Bouvet Island (in Norway at 1:10m, absent at 1:50m)
  { from: 'NL', code: 'BQ', box: [-69, 11.8, -62.5, 18] },
  { from: 'NZ', code: 'TK', box: [-173, -10, -171, -8] },
  { from: 'Indian Ocean Ter.', code: 'CX', box: [105.3, -10.8, 106, -10.2] },
  { from: 'Indian Ocean Ter.', code: 'CC', box: [96.5, -12.5, 97.2, -11.6] },
];

const requireFromHere = createRequire(import.meta.url);

/** Path of a world-atlas file (countries-10m.json, package.json...). */
export function worldAtlasFile(name: string): string {
  return requireFromHere.resolve(`world-atlas/${name}`);
}

/** The world-atlas version installed (for provenance), or undefined when the package cannot be read. */
export function worldAtlasVersion(): string | undefined {
  try {
    const v = (JSON.parse(readFileSync(worldAtlasFile('package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

type CountryGeometry = GeometryObject<{ name?: string }>;

/** Where a code's polygons are: a feature of the topology, and which of its polygons belong to the code. */
interface Part {
  geometry: CountryGeometry;
  keep: (polygon: Position[][]) => boolean;
}

interface Scale {
  topology: Topology;
  parts: Map<string, Part[]>;
}

/** Per scale: the parsed topology and the parts of each alpha-2 code, indexed once (decoded per code, on demand). */
const scales = new Map<OutlineScale, Scale>();

function inBox(ring: Position[], box: readonly [number, number, number, number]): boolean {
  return ring.every(([lon, lat]) => lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]);
}

/** Reads one scale's countries and indexes every feature under its alpha-2 code(s). Exported for tests. */
export function loadScale(scale: OutlineScale): Scale {
  const cached = scales.get(scale);
  if (cached) return cached;
  const topology = JSON.parse(readFileSync(worldAtlasFile(`countries-${scale}.json`), 'utf8')) as Topology<{
    countries: GeometryCollection<{ name?: string }>;
  }>;
  const parts = new Map<string, Part[]>();
  const add = (code: string, part: Part): void => {
    const list = parts.get(code);
    if (list) list.push(part);
    else parts.set(code, [part]);
  };
  for (const g of topology.objects.countries.geometries as CountryGeometry[]) {
    if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') continue;
    const name = g.properties?.name ?? '';
    const id = g.id === undefined ? undefined : ALPHA2_BY_NUMERIC.get(String(g.id));
    const codes = id !== undefined ? [id] : CODES_BY_NAME[name];
    if (codes === undefined) continue; // a disputed or minor area with no ISO code (Baikonur, Spratly Is., ...)
    const splits = SPLITS.filter((s) => s.from === (id ?? name));
    for (const s of splits) add(s.code, { geometry: g, keep: (p) => inBox(p[0], s.box) });
    const rest = (p: Position[][]): boolean => !splits.some((s) => inBox(p[0], s.box));
    for (const code of codes) if (!splits.some((s) => s.code === code)) add(code, { geometry: g, keep: rest });
  }
  const out = { topology, parts };
  scales.set(scale, out);
  return out;
}

/** The polygons of a code at a scale (decoded from the topology now). */
export function countryPolygons(code: string, scale: OutlineScale): Position[][][] {
  const { topology, parts } = loadScale(scale);
  const out: Position[][][] = [];
  for (const { geometry: g, keep } of parts.get(code) ?? []) {
    if (g.type === 'Polygon') {
      const p = feature(topology, g).geometry.coordinates;
      if (keep(p)) out.push(p);
    } else if (g.type === 'MultiPolygon') {
      for (const p of feature(topology, g).geometry.coordinates) if (keep(p)) out.push(p);
    }
  }
  return out;
}

const outlines = new Map<string, CountryOutline | null>();

/**
 * The territory of an ISO 3166-1 alpha-2 code (upper case), loaded on first use and kept; undefined when Natural
 * Earth has none (a code that is not a country). Throws when world-atlas is not installed.
 */
export function countryOutline(code: string): CountryOutline | undefined {
  const cached = outlines.get(code);
  if (cached !== undefined) return cached ?? undefined;
  let found: CountryOutline | null = null;
  const scale = OUTLINE_SCALE;
  const polygons = /^[A-Z]{2}$/.test(code) ? countryPolygons(code, scale) : [];
  if (polygons.length) found = { code, scale, ...sphereArea({ type: 'MultiPolygon', coordinates: polygons }) };
  outlines.set(code, found);
  return found ?? undefined;
}

/**
 * Minimum great-circle distance in km from (lat, lon) to the territory of `code` (ISO 3166-1 alpha-2): 0 inside
 * it, else to its nearest coast or border; undefined when the country has no outline.
 */
export function countryDistanceKm(code: string, lat: number, lon: number): number | undefined {
  const o = countryOutline(code);
  return o === undefined ? undefined : areaDistanceKm(o, lat, lon);
}

/** True when (lat, lon) is inside the territory of `code`; undefined when the country has no outline. */
export function countryContains(code: string, lat: number, lon: number): boolean | undefined {
  const o = countryOutline(code);
  return o === undefined ? undefined : areaContains(o, lat, lon);
}
