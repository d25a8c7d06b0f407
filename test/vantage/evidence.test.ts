// VantageEvidence end to end (issue 18 items 1, 2 and 6): a claims file (test/vantage/fixtures/claims.yaml) with
// RIPE Atlas results from probes in Frankfurt, Paris and Amsterdam, ping and mtr output from a Paris lab and ping
// output from a Sydney lab. Claimed places (a metro, a country of known places, several countries) are tested
// against each address's feasible region; refutations name the measurements by file and line; anycast is flagged
// with both measurements. Distances used below are worked out in multilateration.test.ts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadClaims, parseClaims } from '../../src/audit/claims.js';
import { UsageError } from '../../src/errors.js';
import { greatCircleKm } from '../../src/physics.js';
import { detectAnycast } from '../../src/vantage/anycast.js';
import { claimPlaces, knownPlacesFrom, pointPlace, type MetroEntry } from '../../src/vantage/claimed-place.js';
import { captureMeasurement, labVantage, VantageEvidence } from '../../src/vantage/evidence.js';
import type { Measurement } from '../../src/vantage/measurement.js';
import { feasibleRegion } from '../../src/vantage/multilateration.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const claims = loadClaims(path.join(FIX, 'claims.yaml'));
const ev = VantageEvidence.load(claims);

const METROS: MetroEntry[] = [
  { provider: 'aws', region: 'eu-west-2', country: 'GB', lat: 51.5074, lon: -0.1278, city: 'London' },
  { provider: 'aws', region: 'eu-west-3', country: 'FR', lat: 48.8566, lon: 2.3522, city: 'Paris' },
  { provider: 'aws', region: 'eu-central-1', country: 'DE', lat: 50.1109, lon: 8.6821, city: 'Frankfurt' },
  { provider: 'test', region: 'be-1', country: 'BE', lat: 50.8503, lon: 4.3517, city: 'Brussels' },
];
const known = knownPlacesFrom(METROS);

describe('loading measurement files from the claims file', () => {
  it('reads every file, hashes it (and the probes file) for provenance, and keeps its problems', () => {
    const sha = (f: string): string => createHash('sha256').update(readFileSync(path.join(FIX, f))).digest('hex');
    expect(ev.files.map((f) => [f.file, f.kind, f.measurements, f.vantage])).toEqual([
      ['atlas-ping.json', 'ripe-atlas', 5, undefined],
      ['ping-iputils.txt', 'ping', 2, 'paris'],
      ['mtr.json', 'mtr', 1, 'paris'],
      ['ping-sydney.txt', 'ping', 1, 'sydney'],
    ]);
    expect(ev.files[0].sha256).toBe(sha('atlas-ping.json'));
    expect(ev.files[0].probes).toEqual({ file: 'probes.json', sha256: sha('probes.json'), count: 3 });
    expect(ev.warnings()).toContain('atlas-ping.json:15: probe 6001 got no reply from 192.0.2.20 (atlas_no_reply)');
    expect(ev.warnings()).toContain('ping-iputils.txt:22: no reply from 192.0.2.99 (ping_no_reply)');
  });

  it('keeps one minimum per vantage point and address across files (Paris lab: mtr 2.66 < ping 2.74)', () => {
    const paris = ev.measurements.filter((m) => m.vantage.id === 'paris' && m.dst_addr === '192.0.2.10');
    expect(paris.map((m) => [m.min_rtt_ms, m.samples, m.source])).toEqual([[2.66, 11, { file: 'mtr.json', index: 2 }]]);
    expect(paris[0].vantage).toEqual({ id: 'paris', name: 'Paris lab', lat: 48.8566, lon: 2.3522, country: 'FR' });
    expect(ev.destinations()).toEqual(['192.0.2.10', '192.0.2.30', '2001:db8::10']);
    expect(ev.vantagePoints().map((v) => v.id)).toEqual(['atlas:6001', 'atlas:6002', 'atlas:6003', 'paris', 'sydney']);
  });

  it('an unreadable file stops the load with a usage error naming it', () => {
    const bad = parseClaims(
      'vantage: { name: L, lat: 1, lon: 2, country: FR }\nmeasurements:\n  - { file: nowhere.txt, kind: ping }\nvendors:\n  - { name: V, captures: [a.pcap], first_party: [v.example], claims: [{ id: c, text: t, country: FR }] }\n',
      'c.yaml',
      path.join(FIX, 'c.yaml'),
    );
    expect(() => VantageEvidence.load(bad)).toThrow(UsageError);
    expect(() => VantageEvidence.load(bad)).toThrow(/^nowhere\.txt: cannot read measurement file/);
  });
});

describe('claimed places against the feasible region of 192.0.2.10', () => {
  it('the region is not empty and holds Brussels', () => {
    const r = ev.feasible('192.0.2.10');
    expect(r?.empty).toBe(false);
    expect(ev.refutes('192.0.2.10', pointPlace('Brussels', 50.8503, 4.3517)).status).toBe('possible');
  });

  it('a metro claim (aws eu-west-2, London) is refuted, naming the measurements by file and line', () => {
    const [place] = claimPlaces({ provider: 'aws', region: 'eu-west-2' }, known);
    const v = ev.refutes('192.0.2.10', place);
    expect(v.status).toBe('refuted');
    expect(v.place).toBe('London (aws eu-west-2)');
    // One point: the measurement that puts it farthest out (Frankfurt: 637.8 - 355 = 282.8 km beyond).
    expect(v.by.map((m) => m.vantage.id)).toEqual(['atlas:6001']);
    expect(v.reason).toBe(
      'London (aws eu-west-2) is 638 km from RIPE Atlas probe 6001 (DE) 3.05 ms (atlas-ping.json:2), which allows at most 355 km',
    );
    // Every disc that excludes London is listed with the point, farthest beyond first: Frankfurt 282.8 km, Amsterdam
    // 357.9 - 200 = 157.9, the Paris probe 343.6 - 300 = 43.6, the Paris lab (2.66 ms: 316 km) 27.6.
    expect(v.points[0].excluded_by.map((e) => [e.disc.measurement.vantage.id, Math.round(e.beyond_km * 10) / 10])).toEqual([
      ['atlas:6001', 282.8],
      ['atlas:6003', 157.9],
      ['atlas:6002', 43.6],
      ['paris', 27.6],
    ]);
  });

  it('a country is refuted only when every known place in it is out (FR: the Paris metro, the Paris lab and probe)', () => {
    const [fr] = claimPlaces({ countries: ['FR'], country: 'FR' }, known, ev.vantageCountryPoints());
    const v = ev.refutes('192.0.2.10', fr);
    expect(v.status).toBe('refuted');
    // Paris is 429.9 km from Amsterdam, whose 1.5 ms allows 200 km: one measurement covers every French point.
    expect(v.by.map((m) => `${m.source.file}:${m.source.line}`)).toEqual(['atlas-ping.json:8']);
    expect(v.reason).toContain('RIPE Atlas probe 6003 (NL) 1.5 ms (atlas-ping.json:8), which allows at most 200 km');
  });

  it('a claim naming several countries stands when one of them is possible (FR or BE), falls when none is (FR or GB)', () => {
    const [frBe] = claimPlaces({ countries: ['BE', 'FR'], country: 'FR, BE' }, known);
    const [frGb] = claimPlaces({ countries: ['FR', 'GB'], country: 'FR, GB' }, known);
    expect(ev.refutes('192.0.2.10', frBe)).toMatchObject({ status: 'possible', witness: { name: 'Brussels (test be-1)' } });
    const v = ev.refutes('192.0.2.10', frGb);
    expect(v.status).toBe('refuted');
    expect(v.points.map((p) => p.point.name)).toEqual(['Paris (aws eu-west-3)', 'London (aws eu-west-2)']);
    expect(v.reason).toMatch(/^none of the 2 known places of FR, GB is within reach of 192\.0\.2\.10: /);
  });

  it('a claim inside one disc but outside the intersection is refuted: Lille, within the Paris probe\'s reach only', () => {
    const v = ev.refutes('192.0.2.10', pointPlace('Lille', 50.6292, 3.0573));
    expect(v.status).toBe('refuted');
    expect(v.points[0].excluded_by.map((e) => e.disc.measurement.vantage.id).sort()).toEqual(['atlas:6001', 'atlas:6003']);
  });

  it('a country without any known place is not judged', () => {
    const [jp] = claimPlaces({ countries: ['JP'], country: 'JP' }, known);
    expect(ev.refutes('192.0.2.10', jp)).toMatchObject({ status: 'unknown_place', reason: 'no known place in JP' });
  });

  it('a database position outside the region is set aside, naming the discs; one inside is kept', () => {
    expect(ev.excludes('192.0.2.10', 51.5074, -0.1278).length).toBeGreaterThan(0);
    expect(ev.excludes('192.0.2.10', 50.8503, 4.3517)).toEqual([]);
  });

  it('a capture\'s handshake RTT joins as one more measurement: 2.0 ms from the Paris lab puts Brussels (264 km) out of its 250 km', () => {
    const lab = labVantage('paris', claims.vantages?.paris ?? claims.vantage ?? { name: '', lat: 0, lon: 0, country: 'FR' });
    const more = ev.withMeasurements([captureMeasurement(lab, '192.0.2.10', 2.0, { file: 'paris/a.pcap', index: 3 }), captureMeasurement(lab, 'not-an-ip', 1, { file: 'x' })]);
    const v = more.refutes('192.0.2.10', pointPlace('Brussels', 50.8503, 4.3517));
    expect(v.status).toBe('refuted');
    expect(v.reason).toContain('Paris lab (FR) 2 ms (paris/a.pcap [3]), which allows at most 250 km');
    expect(more.feasible('192.0.2.10')?.empty).toBe(false);
    // The original evidence is unchanged.
    expect(ev.refutes('192.0.2.10', pointPlace('Brussels', 50.8503, 4.3517)).status).toBe('possible');
  });

  it('an address nothing measured is not judged', () => {
    expect(ev.refutes('192.0.2.99', pointPlace('London', 51.5, -0.13)).status).toBe('no_measurements');
    expect(ev.feasible('192.0.2.99')).toBeUndefined();
    expect(ev.anycast('192.0.2.99')).toBeUndefined();
  });

  it('addresses are compared in flow-record form', () => {
    expect(ev.feasible('2001:DB8::0:10')?.dst_addr).toBe('2001:db8::10');
  });
});

describe('anycast', () => {
  it('Sydney 2 ms and London 2 ms to one address: 16,994 km apart, discs of 250 km each cannot meet', () => {
    // Sydney (-33.8688, 151.2093) to London (51.5074, -0.1278): central angle 152.8 deg x 111.195 = 16,994 km.
    const syd = { id: 'syd', name: 'Sydney probe', lat: -33.8688, lon: 151.2093, country: 'AU' };
    const lon = { id: 'lon', name: 'London lab', lat: 51.5074, lon: -0.1278, country: 'GB' };
    expect(greatCircleKm(syd.lat, syd.lon, lon.lat, lon.lon)).toBeCloseTo(16994, -1);
    const ms: Measurement[] = [
      { vantage: syd, dst_addr: '198.51.100.53', min_rtt_ms: 2, samples: 3, source: { file: 'atlas.json', line: 4 } },
      { vantage: lon, dst_addr: '198.51.100.53', min_rtt_ms: 2, samples: 5, source: { file: 'ping-london.txt', line: 2 } },
    ];
    const f = detectAnycast(feasibleRegion('198.51.100.53', ms));
    expect(f?.kind).toBe('disjoint_discs');
    expect(f?.pairs).toHaveLength(1);
    expect(Math.round(f?.pairs[0].gap_km ?? 0)).toBe(16494);
    expect(f?.reason).toBe(
      '198.51.100.53 answered London lab (GB) 2 ms (ping-london.txt:2) and Sydney probe (AU) 2 ms (atlas.json:4): these are 16,994 km apart, ' +
        'but the round trips allow at most 250 km + 250 km; one address answering from several places (anycast), or a wrong vantage position',
    );
  });

  it('from the claims file: the Sydney lab (2.07 ms) and the Paris probe (19.9 ms) to 192.0.2.30; no place is judged', () => {
    const f = ev.anycast('192.0.2.30');
    expect(f?.kind).toBe('disjoint_discs');
    expect(f?.reason).toContain('ping-sydney.txt:2');
    expect(f?.reason).toContain('atlas-ping.json:14');
    const v = ev.refutes('192.0.2.30', pointPlace('Sydney', -33.8688, 151.2093));
    expect(v).toMatchObject({ status: 'anycast', by: [] });
    expect(ev.excludes('192.0.2.30', 0, 0)).toEqual([]);
  });

  it('discs that meet are not anycast', () => {
    expect(ev.anycast('192.0.2.10')).toBeUndefined();
  });
});
