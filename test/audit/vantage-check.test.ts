// The audit's physical rule for one destination (src/audit/vantage-check.ts), on hand-placed labs and probes.
// Great-circle distances used (km): Paris-Frankfurt 479, New Delhi-Paris 6,590, Paris-Singapore 10,730,
// Frankfurt-Singapore 10,260.
import { describe, expect, it } from 'vitest';
import { ClaimedLocationCheck } from '../../src/audit/claimed-location.js';
import type { Claim } from '../../src/audit/claims.js';
import { VantageCheck } from '../../src/audit/vantage-check.js';
import type { GeoSourceAnswer } from '../../src/types.js';
import { knownPlacesFrom, VantageEvidence, type Measurement, type VantagePoint } from '../../src/vantage/index.js';

const DELHI: VantagePoint = { id: 'delhi', name: 'New Delhi lab', lat: 28.6139, lon: 77.209, country: 'IN' };
const PARIS_PROBE: VantagePoint = { id: 'atlas:6002', name: 'RIPE Atlas probe 6002', lat: 48.8566, lon: 2.3522, country: 'FR' };
const FRANKFURT_PROBE: VantagePoint = { id: 'atlas:6001', name: 'RIPE Atlas probe 6001', lat: 50.1109, lon: 8.6821, country: 'DE' };
const SINGAPORE_PROBE: VantagePoint = { id: 'atlas:7003', name: 'RIPE Atlas probe 7003', lat: 1.3521, lon: 103.8198, country: 'SG' };
const IP = '192.0.2.10';

function m(vantage: VantagePoint, rtt: number, line: number): Measurement {
  return { vantage, dst_addr: IP, min_rtt_ms: rtt, samples: 1, source: { file: 'atlas.json', line } };
}

const known = knownPlacesFrom([
  { provider: 'aws', region: 'eu-west-3', country: 'FR', lat: 48.8566, lon: 2.3522, city: 'Paris' },
  { provider: 'aws', region: 'eu-central-1', country: 'DE', lat: 50.1109, lon: 8.6821, city: 'Frankfurt' },
  { provider: 'aws', region: 'ap-southeast-1', country: 'SG', lat: 1.3521, lon: 103.8198, city: 'Singapore' },
]);

/** Frankfurt and Paris (city-level) disagree; the registration country sides with Paris. */
const DISPUTED: GeoSourceAnswer[] = [
  { source: 'dbip-city', country: 'DE', city: 'Frankfurt am Main', lat: 50.1109, lon: 8.6821 },
  { source: 'geolite2-city', country: 'FR', city: 'Paris', lat: 48.8566, lon: 2.3522 },
  { source: 'geo-whois-asn-country', country: 'FR' },
];

const claim = (over: Partial<Claim>): Claim => ({ id: 'c', text: 't', scope: 'first-party', ...over });

describe('VantageCheck.destination', () => {
  it('says nothing about an address nothing measured', () => {
    const check = new VantageCheck(VantageEvidence.fromMeasurements([]), known);
    const p = check.destination({ server_ip: IP, sources: DISPUTED, claims: [claim({ country: 'SG', countries: ['SG'] })] });
    expect(p.status).toBe('unmeasured');
    expect(p.sources).toEqual(DISPUTED);
    expect(p.refuted).toEqual({});
  });

  it('a lab 6,590 km away settles nothing; a probe next to the server sets the far position aside and settles the dispute', () => {
    const labOnly = new VantageCheck(VantageEvidence.fromMeasurements([]), known);
    const fromLab = labOnly.destination({ server_ip: IP, lab: DELHI, min_rtt_ms: 70, rtt_source: { file: 'a.pcap', flow: 3 }, sources: DISPUTED, claims: [] });
    expect(fromLab.status).toBe('measured');
    expect(fromLab.ruled_out).toEqual([]);
    expect(fromLab.settled).toBe(false);
    expect(fromLab.consensus?.agreement).toBe('disputed');

    const withProbe = new VantageCheck(VantageEvidence.fromMeasurements([m(PARIS_PROBE, 1, 4)]), known);
    const p = withProbe.destination({ server_ip: IP, lab: DELHI, min_rtt_ms: 70, rtt_source: { file: 'a.pcap', flow: 3 }, sources: DISPUTED, claims: [] });
    expect(p.sources.map((s) => [s.source, s.physical])).toEqual([['dbip-city', 'impossible'], ['geolite2-city', 'plausible'], ['geo-whois-asn-country', undefined]]);
    expect(p.ruled_out).toHaveLength(1);
    expect(p.ruled_out[0]).toMatchObject({ source: 'dbip-city', set_aside: true });
    expect(p.ruled_out[0].measurements[0]).toEqual({ vantage: 'RIPE Atlas probe 6002', vantage_id: 'atlas:6002', country: 'FR', rtt_ms: 1, file: 'atlas.json', line: 4 });
    expect(p.ruled_out[0].text).toContain('RIPE Atlas probe 6002 (FR) 1 ms (atlas.json:4)');
    expect(p.settled).toBe(true);
    expect(p.consensus).toMatchObject({ country: 'FR', agreement: 'agree', city: 'Paris' });
    expect(p.physical).toBe('plausible');
  });

  it('refutes a claimed place outside the intersection, naming the measurement that excludes it', () => {
    const check = new VantageCheck(VantageEvidence.fromMeasurements([m(PARIS_PROBE, 1, 4)]), known);
    const c = claim({ id: 'fra', country: 'DE', countries: ['DE'], provider: 'aws', region: 'eu-central-1' });
    const p = check.destination({ server_ip: IP, lab: DELHI, min_rtt_ms: 70, rtt_source: { file: 'a.pcap', flow: 3 }, sources: DISPUTED, claims: [c, claim({ id: 'par', country: 'FR', countries: ['FR'] })] });
    // Frankfurt is inside New Delhi's disc (7,050 km) but 479 km from Paris, where the probe allows 150.
    expect(Object.keys(p.refuted)).toEqual(['fra']);
    expect(p.refuted.fra.measurements.map((x) => x.vantage_id)).toEqual(['atlas:6002']);
    expect(p.refuted.fra.text).toContain('RIPE Atlas probe 6002 (FR) 1 ms (atlas.json:4), which allows at most 150 km');
  });

  it('names the capture\'s own handshake when one lab alone puts the claimed country beyond reach (country outline)', () => {
    const outline = new ClaimedLocationCheck(undefined, [], (country) => (country === 'SG' ? 4128 : undefined));
    const check = new VantageCheck(VantageEvidence.fromMeasurements([]), known, outline);
    const p = check.destination({ server_ip: IP, lab: DELHI, min_rtt_ms: 3, rtt_source: { file: 'a.pcap', flow: 7 }, sources: [], claims: [claim({ country: 'SG', countries: ['SG'] })] });
    expect(p.refuted.c.measurements).toEqual([{ vantage: 'New Delhi lab', vantage_id: 'delhi', country: 'IN', rtt_ms: 3, file: 'a.pcap', flow: 7 }]);
    expect(p.refuted.c.text).toBe('192.0.2.10: the nearest point of SG is 4,128 km away from New Delhi lab (IN) 3 ms (a.pcap flow 7), which allows at most 300 km');
  });

  it('treats an address two far probes reach in 2 ms as anycast: no place judged, no position set aside, both named', () => {
    const check = new VantageCheck(VantageEvidence.fromMeasurements([m(FRANKFURT_PROBE, 2, 2), m(SINGAPORE_PROBE, 2, 3)]), known);
    const p = check.destination({ server_ip: IP, lab: DELHI, min_rtt_ms: 70, sources: DISPUTED, claims: [claim({ country: 'SG', countries: ['SG'] })] });
    expect(p.status).toBe('anycast');
    expect(p.anycast?.measurements.map((x) => [x.vantage_id, x.line])).toEqual([['atlas:6001', 2], ['atlas:7003', 3]]);
    expect(p.anycast?.reason).toContain('anycast');
    expect(p.sources.every((s) => s.physical === undefined)).toBe(true);
    expect(p.ruled_out).toEqual([]);
    expect(p.refuted).toEqual({});
    expect(p.physical).toBe('unchecked');
  });

  it('adds a destination\'s own handshake when the evidence lacks it', () => {
    const check = new VantageCheck(VantageEvidence.fromMeasurements([m(PARIS_PROBE, 70, 4)]), known);
    // Alone, the probe's 70 ms reaches both positions; New Delhi's 2 ms handshake (250 km) reaches neither.
    const p = check.destination({ server_ip: IP, lab: DELHI, min_rtt_ms: 2, rtt_source: { file: 'a.pcap', flow: 1 }, sources: DISPUTED, claims: [] });
    expect(p.sources.filter((s) => s.physical === 'impossible').map((s) => s.source)).toEqual(['dbip-city', 'geolite2-city']);
    expect(p.ruled_out.every((r) => r.measurements[0].vantage_id === 'delhi' && r.measurements[0].flow === 1)).toBe(true);
  });
});
