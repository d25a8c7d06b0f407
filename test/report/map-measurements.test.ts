// The map with measurements on a hand-computed case (issue 18.3: "the map draws the lab(s), probes used, feasible
// regions and ruled-out positions"). Three RIPE Atlas probes pin 192.0.2.10 to Belgium, as in
// test/vantage/multilateration.test.ts: Frankfurt 3.0 ms -> 350 km, Paris 2.5 ms -> 300 km, Amsterdam 1.5 ms ->
// 200 km. No disc holds another (Frankfurt-Paris 479 km, Frankfurt-Amsterdam 364 km, Paris-Amsterdam 430 km, each
// more than the larger radius less the smaller), so all three bind. Brussels is 317, 264 and 173 km from them:
// inside all three. London is 344 km from Paris (inside) but 358 km from Amsterdam (outside 200 km): a database
// position there is ruled out. The databases' consensus in Ashburn is ruled out too.
// A second address, 192.0.2.20, answers Frankfurt and Singapore in 2 ms (10,260 km apart): anycast, no region.
import { describe, expect, it } from 'vitest';
import type { ReportDestination, ReportFeasibleRegion, ReportVantagePoint } from '../../src/audit/report-model.js';
import { measurementRef } from '../../src/audit/vantage-check.js';
import { greatCircleKm } from '../../src/physics.js';
import { renderMapSvg } from '../../src/report/map-svg.js';
import type { Measurement } from '../../src/vantage/measurement.js';
import { feasibleRegion, insideRegion, type FeasibleRegion } from '../../src/vantage/multilateration.js';

const PROBES: ReportVantagePoint[] = [
  { id: 'atlas:6001', name: 'RIPE Atlas probe 6001', kind: 'probe', lat: 50.1109, lon: 8.6821, country: 'DE' },
  { id: 'atlas:6002', name: 'RIPE Atlas probe 6002', kind: 'probe', lat: 48.8566, lon: 2.3522, country: 'FR' },
  { id: 'atlas:6003', name: 'RIPE Atlas probe 6003', kind: 'probe', lat: 52.3676, lon: 4.9041, country: 'NL' },
  { id: 'atlas:6004', name: 'RIPE Atlas probe 6004', kind: 'probe', lat: 1.3521, lon: 103.8198, country: 'SG' },
];
const LAB: ReportVantagePoint = { id: 'delhi', name: 'New Delhi lab', kind: 'lab', lat: 28.6139, lon: 77.209, country: 'IN' };
const BRUSSELS = { lat: 50.8503, lon: 4.3517 };
const LONDON = { lat: 51.5074, lon: -0.1278 };

function m(probe: number, rtt: number, dst: string, line: number): Measurement {
  const p = PROBES[probe];
  return { vantage: { id: p.id, name: p.name, lat: p.lat, lon: p.lon, country: p.country }, dst_addr: dst, min_rtt_ms: rtt, samples: 3, source: { file: 'atlas.json', line } };
}

/** The region as report.json gives it (audit/vantage-report.ts: binding discs first, radii rounded). */
function reported(r: FeasibleRegion, anycast?: string): ReportFeasibleRegion {
  const binding = new Set(r.binding);
  const discs = [...r.binding, ...r.discs.filter((d) => !binding.has(d))].map((d) => ({
    ...measurementRef(d.measurement), lat: d.lat, lon: d.lon, radius_km: Math.round(d.radius_km), binding: binding.has(d),
  }));
  const out: ReportFeasibleRegion = { dst_addr: r.dst_addr, discs, discs_omitted: 0, empty: r.empty };
  if (r.witness !== undefined) out.witness = r.witness;
  if (anycast !== undefined) out.anycast = { reason: anycast, measurements: [] };
  return out;
}

const belgium = feasibleRegion('192.0.2.10', [m(0, 3.0, '192.0.2.10', 2), m(1, 2.5, '192.0.2.10', 3), m(2, 1.5, '192.0.2.10', 4)]);
const anycast = feasibleRegion('192.0.2.20', [m(0, 2, '192.0.2.20', 5), m(3, 2, '192.0.2.20', 6)]);

const dest: ReportDestination = {
  server_ip: '192.0.2.10',
  hostname: 'api.vendor.example',
  flows: 2,
  bytes_up: 50_000,
  bytes_down: 4_000,
  first_party: true,
  country: 'US',
  country_agreement: 'agree',
  geo_sources: [
    { source: 'dbip-city', country: 'US', lat: 39.0438, lon: -77.4874, physical: 'impossible' },
    { source: 'geolite2-city', country: 'GB', lat: LONDON.lat, lon: LONDON.lon, physical: 'impossible' },
    { source: 'ipinfo-lite', country: 'BE', lat: BRUSSELS.lat, lon: BRUSSELS.lon, physical: 'plausible' },
  ],
  lat: 39.0438,
  lon: -77.4874,
  edge: false,
  physical: 'impossible',
  consistency: 'inconsistent',
  claims: [{ id: 'c1', status: 'inconsistent' }],
};

const svg = renderMapSvg([{ vendor: 'V', destination: dest }], { name: LAB.name, lat: LAB.lat, lon: LAB.lon, country: 'IN' }, {
  vantagePoints: [LAB, ...PROBES],
  regions: [reported(belgium), reported(anycast, 'discs that cannot meet')],
});

/** Elements in document order: name, attributes, and the path of enclosing element names and classes. */
function elements(text: string): { name: string; attrs: Record<string, string>; text: string; parents: string[] }[] {
  const out: { name: string; attrs: Record<string, string>; text: string; parents: string[] }[] = [];
  const stack: string[] = [];
  for (const t of text.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z-:]+="[^"]*")*)\s*(\/?)>([^<]*)/g)) {
    if (t[1] === '/') {
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of t[3].matchAll(/([a-zA-Z-:]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    out.push({ name: t[2], attrs, text: t[5], parents: [...stack] });
    if (t[4] !== '/') stack.push(`${t[2]}${attrs.class ? `.${attrs.class}` : ''}${attrs.id ? `#${attrs.id}` : ''}${attrs['clip-path'] ? `[${attrs['clip-path']}]` : ''}`);
  }
  return out;
}

const all = elements(svg);
const of = (name: string, cls: string) => all.filter((e) => e.name === name && e.attrs.class === cls);

describe('the map of a region three probes pin to Belgium', () => {
  it('rests on the hand-computed geometry: three binding discs, Brussels inside, London and Ashburn outside', () => {
    expect(belgium.binding.map((d) => Math.round(d.radius_km)).sort()).toEqual([200, 300, 350]);
    expect(belgium.empty).toBe(false);
    expect(insideRegion(belgium, BRUSSELS)).toBe(true);
    expect(insideRegion(belgium, LONDON)).toBe(false);
    expect(insideRegion(belgium, { lat: 39.0438, lon: -77.4874 })).toBe(false);
    expect(greatCircleKm(LONDON.lat, LONDON.lon, PROBES[2].lat, PROBES[2].lon)).toBeGreaterThan(200);
    expect(anycast.empty).toBe(true);
  });

  it('draws each binding disc of the region, one per probe, and the region itself as their intersection', () => {
    const region = all.filter((e) => e.name === 'g' && e.attrs['data-dst'] === '192.0.2.10');
    expect(region.map((e) => e.attrs.class)).toEqual(['feasible-region']);
    const discs = of('path', 'feasible-disc').filter((e) => e.parents.at(-1) === 'g.feasible-region');
    expect(discs.map((e) => e.attrs['data-vantage']).sort()).toEqual(['atlas:6001', 'atlas:6002', 'atlas:6003']);
    // The intersection: the first disc's outline clipped by the second's, then by the third's (nested clips).
    const areas = of('path', 'feasible-area');
    expect(areas).toHaveLength(1);
    expect(areas[0].attrs.d).toBe(discs[0].attrs.d);
    expect(areas[0].parents.slice(-3)).toEqual(['g.feasible-region', 'g[url(#fr0-1)]', 'g[url(#fr0-2)]']);
    const clips = all.filter((e) => e.name === 'clipPath');
    expect(clips.map((e) => e.attrs.id)).toEqual(['fr0-1', 'fr0-2']);
    for (const [i, id] of ['fr0-1', 'fr0-2'].entries()) {
      const clip = all[all.findIndex((e) => e.attrs.id === id) + 1];
      expect(clip.name).toBe('path');
      expect(clip.attrs.d).toBe(discs[i + 1].attrs.d);
    }
    // The witness point, inside every disc, in Belgium's part of the frame (lon 2.5-6.5 E, lat 49.5-51.5 N).
    const w = of('circle', 'feasible-witness');
    expect(w).toHaveLength(1);
    const lon = (Number(w[0].attrs.cx) * 360) / 1000 - 180;
    const lat = 84 - (Number(w[0].attrs.cy) * 360) / 1000;
    expect(lon).toBeGreaterThan(2.5);
    expect(lon).toBeLessThan(6.5);
    expect(lat).toBeGreaterThan(49.5);
    expect(lat).toBeLessThan(51.5);
  });

  it('draws an anycast address\'s discs dashed, with no region and no witness', () => {
    const g = all.filter((e) => e.name === 'g' && e.attrs['data-dst'] === '192.0.2.20');
    expect(g.map((e) => e.attrs.class)).toEqual(['feasible-region anycast']);
    const discs = of('path', 'feasible-disc').filter((e) => e.parents.at(-1) === 'g.feasible-region anycast');
    expect(discs.map((e) => e.attrs['data-vantage']).sort()).toEqual(['atlas:6001', 'atlas:6004']);
    expect(of('path', 'feasible-area').every((e) => !e.parents.includes('g.feasible-region anycast'))).toBe(true);
  });

  it('draws the lab (named) and every probe used, each labelled with its number', () => {
    expect(all.filter((e) => e.name === 'g' && e.attrs.class === 'lab').map((e) => e.attrs['data-id'])).toEqual(['delhi']);
    expect(svg).toContain('>New Delhi lab</text>');
    expect(of('path', 'probe').map((e) => e.attrs['data-id'])).toEqual(['atlas:6001', 'atlas:6002', 'atlas:6003', 'atlas:6004']);
    expect(of('text', 'probe-label').map((e) => [e.attrs['data-id'], e.text])).toEqual([
      ['atlas:6001', '6001'], ['atlas:6002', '6002'], ['atlas:6003', '6003'], ['atlas:6004', '6004'],
    ]);
  });

  it('marks the ruled-out positions: the consensus in Ashburn crossed out, the sources in Ashburn and London crosses, Brussels none', () => {
    const rings = all.filter((e) => e.name === 'g' && (e.attrs.class ?? '').startsWith('ruled-out'));
    expect(rings).toHaveLength(1);
    expect(of('circle', 'dest c-inconsistent')).toHaveLength(0);
    const crosses = of('path', 'src-ruled-out');
    expect(crosses).toHaveLength(2);
    const at = (lat: number, lon: number): string => `M${Math.round(((lon + 180) * 1000 / 360 - 3.5) * 10) / 10} ${Math.round(((84 - lat) * 1000 / 360 - 3.5) * 10) / 10}L`;
    expect(crosses[0].attrs.d.startsWith(at(39.0438, -77.4874))).toBe(true);
    expect(crosses[1].attrs.d.startsWith(at(LONDON.lat, LONDON.lon))).toBe(true);
    expect(svg).not.toContain(at(BRUSSELS.lat, BRUSSELS.lon));
    // No line from the lab to a position that is not where the server is.
    expect(svg).not.toContain('class="map-link"');
  });
});
