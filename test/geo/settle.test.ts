// Disputes settled by physics (issue 13): with a vantage and a handshake RTT, located answers that name a city
// where the RTT cannot reach are set aside; when the rest agree (or one remains) the country is decided and the
// flow says so (`country_settled_by: rtt`). The pure rule (vantage/settle.ts settleByRtt), the vantage rule over the
// locator's flow fields (pipeline/flow-geo.ts, from mmdb files written here), and `residency flows --vantage` on a
// capture built with src/synth.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { settleByRtt } from '../../src/vantage/settle.js';
import { GeoLocator } from '../../src/geo/index.js';
import { vantageRule } from '../../src/pipeline/flow-geo.js';
import { ethernetFrame, TcpConversation } from '../../src/synth/packets.js';
import { PcapWriter } from '../../src/synth/pcap-writer.js';
import type { FlowGeoFields, FlowRecord, GeoSourceAnswer } from '../../src/types.js';
import { Double, writeMmdb, type WNetwork } from './mmdb-writer.js';

type Phys = 'plausible' | 'impossible' | undefined;
const L = (source: string, country: string | undefined, city: string | undefined, physical: Phys, lat = 1, lon = 2): GeoSourceAnswer => ({ source, country, city, lat, lon, physical });
const W = (country: string): GeoSourceAnswer => ({ source: 'whois', country });

interface Row {
  name: string;
  located: GeoSourceAnswer[];
  registration: GeoSourceAnswer[];
  /** Expected [country, agreement, city], or undefined when nothing is settled. */
  want: [string, string, string | undefined] | undefined;
}

const rows: Row[] = [
  { name: 'a far city set aside, the near one and whois agree', located: [L('g', 'DE', 'Frankfurt', 'impossible'), L('d', 'IN', 'Mumbai', 'plausible')], registration: [W('IN')], want: ['IN', 'agree', 'Mumbai'] },
  { name: 'one near source remains, no registration', located: [L('g', 'US', 'Ashburn', 'impossible'), L('d', 'IN', 'Mumbai', 'plausible')], registration: [], want: ['IN', 'single-source', 'Mumbai'] },
  { name: 'two far cities set aside, one near remains with whois', located: [L('a', 'US', 'Ashburn', 'impossible'), L('b', 'GB', 'London', 'impossible'), L('c', 'SG', 'Singapore', 'plausible')], registration: [W('SG')], want: ['SG', 'agree', 'Singapore'] },
  { name: 'a registration country still disagrees: no settlement', located: [L('g', 'US', 'Ashburn', 'impossible'), L('d', 'IN', 'Mumbai', 'plausible')], registration: [W('US')], want: undefined },
  { name: 'a country-level answer is not a position: kept, still disagrees', located: [L('g', 'US', undefined, 'impossible'), L('d', 'IN', 'Mumbai', 'plausible')], registration: [], want: undefined },
  { name: 'a country-level answer that agrees does not stop it; the place comes from the plausible one', located: [L('g', 'IN', undefined, 'impossible', 22, 79), L('x', 'DE', 'Berlin', 'impossible'), L('d', 'IN', 'Mumbai', 'plausible', 19, 72.9)], registration: [], want: ['IN', 'agree', 'Mumbai'] },
  { name: 'nothing impossible: nothing settled', located: [L('g', 'NL', 'Amsterdam', 'plausible'), L('d', 'GB', 'London', 'plausible')], registration: [W('GB')], want: undefined },
  { name: 'every located answer impossible: nothing settled (no position physics supports)', located: [L('g', 'NL', 'Amsterdam', 'impossible'), L('d', 'GB', 'London', 'impossible')], registration: [W('GB')], want: undefined },
  { name: 'unchecked answers (no RTT) settle nothing', located: [L('g', 'NL', 'Amsterdam', undefined), L('d', 'GB', 'London', undefined)], registration: [], want: undefined },
  { name: 'two near sources still disagree', located: [L('a', 'US', 'Ashburn', 'impossible'), L('b', 'IN', 'Mumbai', 'plausible'), L('c', 'PK', 'Lahore', 'plausible')], registration: [], want: undefined },
];

describe('settleByRtt', () => {
  it.each(rows)('$name', (row) => {
    const c = settleByRtt(row.located, row.registration);
    if (row.want === undefined) expect(c).toBeUndefined();
    else expect([c?.country, c?.agreement, c?.city]).toEqual(row.want);
  });

  const answer = fc.record({
    country: fc.constantFrom(undefined, 'IN', 'US', 'SG'),
    city: fc.constantFrom(undefined, 'X'),
    physical: fc.constantFrom<Phys>(undefined, 'plausible', 'impossible'),
  });

  it('property: without an impossible located answer nothing is settled; a settled country is named by a plausible answer, and every answer naming another is a city set aside', () => {
    fc.assert(
      fc.property(fc.array(answer, { maxLength: 5 }), fc.array(fc.constantFrom('IN', 'US', 'SG'), { maxLength: 2 }), (ls, ws) => {
        const located = ls.map((a, i) => L(`s${i}`, a.country, a.city, a.physical));
        const registration = ws.map(W);
        const c = settleByRtt(located, registration);
        if (!located.some((a) => a.physical === 'impossible')) expect(c).toBeUndefined();
        if (c === undefined) return;
        expect(['agree', 'single-source']).toContain(c.agreement);
        expect(located.some((a) => a.country === c.country && a.physical === 'plausible')).toBe(true);
        for (const a of located) if (a.country !== undefined && a.country !== c.country) expect([a.physical, a.city !== undefined]).toEqual(['impossible', true]);
        for (const w of registration) expect(w.country).toBe(c.country);
      }),
      { numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------- the locator, on mmdb files written here

const DELHI = { lat: 28.6139, lon: 77.209 };
const city = (country: string, name: string, lat: number, lon: number) => ({ country_code: country, city: name, latitude: new Double(lat), longitude: new Double(lon) });
const v4 = (a: number, b: number, bits: number, data: WNetwork['data']): WNetwork => ({ addr: [a, b, 0, 0], bits, data });

let dir: string;
let geo: GeoLocator;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-settle-'));
  // 13.232.0.0/16: one source says Ashburn (stale), the other Mumbai; AS16509 (AWS), so a nearest-city region.
  // 91.108.0.0/16: Frankfurt vs Mumbai, an AS of no provider.
  const a: WNetwork[] = [v4(13, 232, 16, city('US', 'Ashburn', 39.04, -77.49)), v4(91, 108, 16, city('DE', 'Frankfurt', 50.11, 8.68))];
  const b: WNetwork[] = [v4(13, 232, 16, city('IN', 'Mumbai', 19.07, 72.88)), v4(91, 108, 16, city('IN', 'Mumbai', 19.07, 72.88))];
  const asn: WNetwork[] = [
    v4(13, 232, 16, { autonomous_system_number: 16509, autonomous_system_organization: 'AMAZON-02' }),
    v4(91, 108, 16, { autonomous_system_number: 394000, autonomous_system_organization: 'Vendor Net Ltd' }),
  ];
  fs.writeFileSync(path.join(dir, 'A-City.mmdb'), writeMmdb(a, { ipVersion: 4, recordSize: 24, databaseType: 'Test-City' }));
  fs.writeFileSync(path.join(dir, 'B-City.mmdb'), writeMmdb(b, { ipVersion: 4, recordSize: 24, databaseType: 'Test-City' }));
  fs.writeFileSync(path.join(dir, 'C-ASN.mmdb'), writeMmdb(asn, { ipVersion: 4, recordSize: 24, databaseType: 'Test-ASN' }));
  geo = await GeoLocator.open({ geoDir: dir, useEmbedded: false, cacheDir: path.join(dir, 'cache') });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function flow(server_ip: string, rtt_ms?: number): FlowRecord {
  const f: FlowRecord = {
    flow_id: 1, transport: 'tcp', ip_version: 4, client_ip: '192.168.1.10', client_port: 40000, server_ip, server_port: 443,
    first_seen: 0, last_seen: 1, first_frame: 1, packets_up: 1, packets_down: 1, bytes_up: 60, bytes_down: 60, payload_up: 0, payload_down: 0, end_reason: 'fin',
  };
  if (rtt_ms !== undefined) f.rtt_ms = rtt_ms;
  return f;
}

describe('the vantage rule: settlement by the RTT', () => {
  /** A flow's geo fields as `flows --vantage` gives them: geolocated, then the vantage rule from New Delhi. */
  const checked = (ip: string, rttMs?: number, synthesized = false): FlowGeoFields => vantageRule(DELHI)(geo.enrichFlow(flow(ip, rttMs)), rttMs, synthesized);

  it('without an RTT the sources stay disputed', () => {
    const r = geo.lookup('91.108.1.1');
    expect([r.country_agreement, r.country_settled_by]).toEqual(['disputed', undefined]);
    const f = checked('91.108.1.1');
    expect([f.country_agreement, f.country_settled_by]).toEqual(['disputed', undefined]);
  });

  it('an RTT that rules out Frankfurt decides India, with the place of the remaining source', () => {
    const f = checked('91.108.1.1', 20); // 2,000 km: Mumbai (1,150 km) yes, Frankfurt (6,100 km) no
    expect(f).toMatchObject({ country: 'IN', country_agreement: 'single-source', country_settled_by: 'rtt', city: 'Mumbai', physical: 'plausible' });
    expect(f.geo_sources?.map((s) => s.physical)).toEqual(['impossible', 'plausible']);
    expect(JSON.stringify(f)).toContain('"country_agreement":"single-source","country_settled_by":"rtt","edge":false');
  });

  it('an RTT that rules out neither leaves the dispute', () => {
    const f = checked('91.108.1.1', 100);
    expect([f.country_agreement, f.country_settled_by]).toEqual(['disputed', undefined]);
  });

  it('the region is taken again from the settled place (nearest-city)', () => {
    const before = geo.lookup('13.232.1.1');
    expect([before.country, before.country_agreement]).toEqual(['US', 'disputed']);
    const f = checked('13.232.1.1', 25);
    expect(f).toMatchObject({ country: 'IN', country_settled_by: 'rtt', provider: 'AWS', region: 'ap-south-1', region_source: 'nearest-city' });
  });

  it('never settles when the physical check is off (handshakes synthesised on the device)', () => {
    const f = checked('91.108.1.1', 20, true);
    expect([f.country_agreement, f.country_settled_by, f.physical]).toEqual(['disputed', undefined, 'unchecked']);
    expect(checked('91.108.1.1', 20, false).country_settled_by).toBe('rtt');
  });
});

// ---------------------------------------------------------------- `residency flows --vantage`

async function flows(args: string[]): Promise<{ code: number; records: Record<string, unknown>[]; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += c.toString()), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += c.toString()), true));
  try {
    const code = await main(['node', 'residency', 'flows', ...args]);
    return { code, records: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

/** One TLS-port conversation per server at the given RTT; `raw`: raw-IP link type and a PCAPdroid VPN client. */
function capture(servers: string[], rttMs: number, raw: boolean): Buffer {
  const w = new PcapWriter({ linkType: raw ? 101 : 1 });
  servers.forEach((server, i) => {
    const conv = new TcpConversation({ client: { ip: raw ? '10.215.173.2' : '192.168.1.10', port: 40000 + i }, server: { ip: server, port: 443 }, startTs: 1_772_442_000 + i, rttMs });
    conv.handshake().send('c2s', Buffer.alloc(2000, 1)).send('s2c', Buffer.alloc(500, 2)).close();
    for (const p of conv.packets) w.add(raw ? p.ip : ethernetFrame(p.ip), p.ts);
  });
  return w.toBuffer();
}

describe('residency flows --vantage shows the settlement', () => {
  it('a real capture point: country_settled_by rtt on the flow whose dispute the RTT decides', async () => {
    // 13.232.1.1 is AWS Mumbai in every embedded source; the geo dir's first file says Ashburn: disputed, until the
    // RTT (20 ms: at most 2,000 km from New Delhi) rules Ashburn out.
    const file = path.join(dir, 'settle.pcap');
    fs.writeFileSync(file, capture(['13.232.1.1'], 20, false));
    const r = await flows(['--vantage', `${DELHI.lat},${DELHI.lon}`, '--geo-dir', dir, file]);
    expect(r.code).toBe(0);
    expect(r.records[0]).toMatchObject({ server_ip: '13.232.1.1', rtt_ms: 20, country: 'IN', country_agreement: 'agree', country_settled_by: 'rtt', physical: 'plausible', region: 'ap-south-1' });
    const noVantage = await flows(['--geo-dir', dir, file]);
    expect(noVantage.records[0]).toMatchObject({ country: 'IN', country_agreement: 'disputed' });
    expect(noVantage.records[0].country_settled_by).toBeUndefined();
  });

  it('a PCAPdroid VPN capture (synthesised handshakes) never settles anything', async () => {
    const file = path.join(dir, 'pcapdroid.pcap');
    fs.writeFileSync(file, capture(['91.108.1.1', '13.232.1.1'], 20, true));
    const r = await flows(['--vantage', `${DELHI.lat},${DELHI.lon}`, '--geo-dir', dir, file]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('physical RTT check disabled');
    expect(r.records).toHaveLength(2);
    for (const f of r.records) {
      expect(f.country_settled_by).toBeUndefined();
      expect(f.physical).toBe('unchecked');
    }
  });
});
