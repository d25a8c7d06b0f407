// Multilateration on hand-computed cases (issue 18 items 1 and 6). Distances are great-circle (haversine, mean
// Earth radius 6,371.0088 km); each is worked out in a comment and checked against greatCircleKm first, so a wrong
// hand figure fails here rather than hiding in the geometry. A disc's radius is min RTT x 100 km/ms + 50 km
// (VANTAGE_POSITION_SLACK_KM).
import { describe, expect, it } from 'vitest';
import { FIBRE_KM_PER_RTT_MS, greatCircleKm } from '../../src/physics.js';
import { VANTAGE_POSITION_SLACK_KM } from '../../src/limits.js';
import { detectAnycast } from '../../src/vantage/anycast.js';
import type { Measurement } from '../../src/vantage/measurement.js';
import { boundaryCrossings, discOf, excludedBy, feasibleRegion, inDisc, insideRegion } from '../../src/vantage/multilateration.js';

type LatLon = [number, number];
const FRA: LatLon = [50.1109, 8.6821];
const PAR: LatLon = [48.8566, 2.3522];
const AMS: LatLon = [52.3676, 4.9041];
const BRUSSELS = { lat: 50.8503, lon: 4.3517 };
const LONDON = { lat: 51.5074, lon: -0.1278 };
const BERLIN = { lat: 52.52, lon: 13.405 };
const LILLE = { lat: 50.6292, lon: 3.0573 };
const LUXEMBOURG = { lat: 49.6116, lon: 6.1319 };

function m(id: string, at: LatLon, rtt: number, dst = '192.0.2.10', line = 1): Measurement {
  return { vantage: { id, name: id, lat: at[0], lon: at[1] }, dst_addr: dst, min_rtt_ms: rtt, samples: 3, source: { file: 'm.json', line } };
}

const km = (a: LatLon, b: { lat: number; lon: number }): number => greatCircleKm(a[0], a[1], b.lat, b.lon);

// Three probes pin 192.0.2.10 to Belgium:
//   Frankfurt 3.0 ms -> 300 + 50 = 350 km; Paris 2.5 ms -> 250 + 50 = 300 km; Amsterdam 1.5 ms -> 150 + 50 = 200 km.
const three = [m('fra', FRA, 3.0, undefined, 2), m('par', PAR, 2.5, undefined, 5), m('ams', AMS, 1.5, undefined, 8)];

describe('hand-computed distances (the figures the cases below rest on)', () => {
  it.each<[string, LatLon, { lat: number; lon: number }, number]>([
    // Frankfurt-Brussels: dlat = -0.7394 deg, dlon = -4.3304 deg, mean lat ~50.5 deg (cos 0.6361):
    //   sqrt(0.7394^2 + (4.3304 x 0.6361)^2) = sqrt(0.547 + 7.588) = 2.852 deg x 111.195 km/deg = 317.2 km.
    ['Frankfurt-Brussels', FRA, BRUSSELS, 317.2],
    // Paris-Brussels: dlat 1.9937, dlon 1.9995 x cos 49.85 = 1.2893 -> 2.374 deg = 264.0 km.
    ['Paris-Brussels', PAR, BRUSSELS, 264.0],
    // Amsterdam-Brussels: dlat 1.5173, dlon 0.5524 x cos 51.6 = 0.3431 -> 1.5556 deg = 173.0 km.
    ['Amsterdam-Brussels', AMS, BRUSSELS, 173.0],
    // Amsterdam-London: dlat 0.8602, dlon 5.0319 x cos 51.94 = 3.099 -> 3.216 deg = 357.6 ~ 357.9 km.
    ['Amsterdam-London', AMS, LONDON, 357.9],
    ['Paris-London', PAR, LONDON, 343.6],
    ['Frankfurt-London', FRA, LONDON, 637.8],
    // Frankfurt-Berlin: dlat 2.4091, dlon 4.7229 x cos 51.3 = 2.953 -> 3.811 deg = 423.8 ~ 423.5 km.
    ['Frankfurt-Berlin', FRA, BERLIN, 423.5],
    ['Paris-Berlin', PAR, BERLIN, 877.5],
    ['Amsterdam-Berlin', AMS, BERLIN, 576.1],
    // Lille: 203.5 km from Paris (inside its 300 km), 403.0 from Frankfurt, 231.7 from Amsterdam.
    ['Paris-Lille', PAR, LILLE, 203.5],
    ['Frankfurt-Lille', FRA, LILLE, 403.0],
    ['Amsterdam-Lille', AMS, LILLE, 231.7],
    // Luxembourg: 191.0 from Frankfurt, 286.9 from Paris (inside both), 318.3 from Amsterdam (beyond 200).
    ['Frankfurt-Luxembourg', FRA, LUXEMBOURG, 191.0],
    ['Paris-Luxembourg', PAR, LUXEMBOURG, 286.9],
    ['Amsterdam-Luxembourg', AMS, LUXEMBOURG, 318.3],
  ])('%s is %f km', (_n, a, b, want) => {
    expect(km(a, b)).toBeCloseTo(want, 0);
  });

  it('a disc is RTT x FIBRE_KM_PER_RTT_MS + VANTAGE_POSITION_SLACK_KM', () => {
    expect(FIBRE_KM_PER_RTT_MS).toBe(100);
    expect(VANTAGE_POSITION_SLACK_KM).toBe(50);
    expect(three.map((x) => discOf(x).radius_km)).toEqual([350, 300, 200]);
  });
});

describe('feasible region', () => {
  const region = feasibleRegion('192.0.2.10', three);

  it('three probes pin the server near Brussels: inside every disc (317.2 <= 350, 264.0 <= 300, 173.0 <= 200)', () => {
    expect(region.empty).toBe(false);
    expect(insideRegion(region, BRUSSELS)).toBe(true);
    expect(excludedBy(region, BRUSSELS)).toEqual([]);
    // The witness really is inside all three.
    expect(region.witness).toBeDefined();
    expect(insideRegion(region, region.witness ?? { lat: 0, lon: 0 })).toBe(true);
  });

  it('London is out, excluded by all three: 637.8 - 350 = 287.8, 357.9 - 200 = 157.9, 343.6 - 300 = 43.6 km beyond', () => {
    const ex = excludedBy(region, LONDON);
    expect(ex.map((e) => e.disc.measurement.vantage.id)).toEqual(['fra', 'ams', 'par']);
    expect(ex.map((e) => Math.round(e.beyond_km * 10) / 10)).toEqual([287.8, 157.9, 43.6]);
    expect(ex[0].disc.measurement.source).toEqual({ file: 'm.json', line: 2 });
  });

  it('Berlin is out: 877.5 - 300 = 577.5 (Paris), 576.1 - 200 = 376.1 (Amsterdam), 423.5 - 350 = 73.5 (Frankfurt)', () => {
    const ex = excludedBy(region, BERLIN);
    expect(ex.map((e) => [e.disc.measurement.vantage.id, Math.round(e.beyond_km * 10) / 10])).toEqual([
      ['par', 577.5],
      ['ams', 376.1],
      ['fra', 73.5],
    ]);
  });

  it('a claim inside one disc but outside the intersection: Lille is within Paris\'s reach only', () => {
    expect(inDisc(region.discs.find((d) => d.measurement.vantage.id === 'par') ?? region.discs[0], LILLE)).toBe(true);
    expect(insideRegion(region, LILLE)).toBe(false);
    // 403.0 - 350 = 53.0 (Frankfurt), 231.7 - 200 = 31.7 (Amsterdam); Paris does not exclude it.
    expect(excludedBy(region, LILLE).map((e) => [e.disc.measurement.vantage.id, Math.round(e.beyond_km * 10) / 10])).toEqual([
      ['fra', 53.0],
      ['ams', 31.7],
    ]);
  });

  it('inside two discs but not the third: Luxembourg (191.0 <= 350, 286.9 <= 300, 318.3 > 200)', () => {
    expect(excludedBy(region, LUXEMBOURG).map((e) => e.disc.measurement.vantage.id)).toEqual(['ams']);
  });

  it('a disc containing a smaller one never binds: a Paris lab at 9 ms (950 km) adds nothing', () => {
    const r = feasibleRegion('192.0.2.10', [...three, m('paris-lab', PAR, 9)]);
    expect(r.discs).toHaveLength(4);
    expect(r.binding.map((d) => d.measurement.vantage.id)).toEqual(['ams', 'par', 'fra']);
    expect(r.empty).toBe(false);
  });

  it('the intersection is empty when no point is within every disc, though each two meet', () => {
    // Three labs on the equator-side triangle A(0,0), B(0,4), C(3.4641,2): sides ~ 4 deg x 111.195 = 444.8 km.
    // Each disc 1.9 ms -> 240 km: each pair meets (240 + 240 = 480 > 444.8), but the point nearest all three is the
    // circumcentre, 444.8 / sqrt(3) = 256.8 km from each > 240: no common point.
    const a: LatLon = [0, 0];
    const b: LatLon = [0, 4];
    const c: LatLon = [3.4641, 2];
    expect(km(a, { lat: b[0], lon: b[1] })).toBeCloseTo(444.8, 0);
    expect(km(a, { lat: c[0], lon: c[1] })).toBeCloseTo(444.8, -1);
    const ms = [m('a', a, 1.9), m('b', b, 1.9), m('c', c, 1.9)];
    const r = feasibleRegion('192.0.2.77', ms);
    expect(r.empty).toBe(true);
    expect(r.witness).toBeUndefined();
    // 2.1 ms -> 260 km > 256.8: now the circumcentre is inside all three.
    const wider = feasibleRegion('192.0.2.77', [m('a', a, 2.1), m('b', b, 2.1), m('c', c, 2.1)]);
    expect(wider.empty).toBe(false);
    expect(insideRegion(wider, wider.witness ?? { lat: 90, lon: 0 })).toBe(true);
    const f = detectAnycast(r);
    expect(f?.kind).toBe('empty_intersection');
    expect(f?.reason).toContain('anycast');
  });

  it('boundary circles of two discs cross where both distances equal the radii', () => {
    const [p, q] = [discOf(three[1]), discOf(three[2])];
    const xs = boundaryCrossings(p, q);
    expect(xs).toHaveLength(2);
    for (const x of xs) {
      expect(greatCircleKm(p.lat, p.lon, x.lat, x.lon)).toBeCloseTo(300, 3);
      expect(greatCircleKm(q.lat, q.lon, x.lat, x.lon)).toBeCloseTo(200, 3);
    }
    // Two discs 16,994 km apart (Sydney, London) never cross.
    expect(boundaryCrossings(discOf(m('syd', [-33.8688, 151.2093], 2)), discOf(m('lon', [51.5074, -0.1278], 2)))).toEqual([]);
  });

  it('no measurement: no disc, nothing excluded, not empty', () => {
    const r = feasibleRegion('192.0.2.1', []);
    expect(r.empty).toBe(false);
    expect(excludedBy(r, LONDON)).toEqual([]);
  });
});
