// End to end on a synthetic case (issue 13's real-capture finding): a vendor claims "stored on AWS", but its app
// talks to the vendor's own network (an origin AS announced by the vendor, not Amazon), mostly over flows with no
// name at all. The claims file lists the vendor's network; the audit must tie the unnamed flows to the vendor
// (first_party_via: network) and refute the claim by origin AS (not "unobservable, no provider known").
// The capture is built with src/synth as scripts/gen-samples.ts builds the sample case; the vendor's AS is pinned
// by an ASN database written into a geo dir (the embedded data answers the rest).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditResult } from '../../src/pipeline/back-half.js';
import { EXIT } from '../../src/errors.js';
import { ethernetFrame, udpPacket, TcpConversation } from '../../src/synth/packets.js';
import { PcapWriter } from '../../src/synth/pcap-writer.js';
import { buildClientHello, pseudoRandomBytes, wrapTlsRecords } from '../../src/synth/tls.js';
import { writeMmdb } from '../geo/mmdb-writer.js';
import { renderJson } from '../../src/report/index.js';
import { validate } from '../schema/record-schemas.js';

const PHONE = '192.168.50.61';
/** The vendor's own network (a /24 of real address space whose origin AS the geo dir below pins). */
const OWN = { named: '91.108.56.130', tcp: '91.108.56.131', udp: '91.108.56.132' };
const OWN_AS = 394_000;
const AWS_SG = '13.228.64.17';
const T0 = 1_772_442_000;

/** TLS conversation: handshake, a real ClientHello (or, unnamed, opaque bytes), then upload and download. */
function tcp(w: PcapWriter, server: string, port: number, t: number, sni: string | undefined, up: number, down: number): void {
  const c = new TcpConversation({ client: { ip: PHONE, port }, server: { ip: server, port: 443 }, startTs: t, rttMs: 60, mss: 1400 });
  c.handshake();
  c.send('c2s', sni !== undefined ? wrapTlsRecords(buildClientHello({ sni, alpn: ['h2'], seed: sni })) : pseudoRandomBytes(`opaque|${server}`, 517));
  c.send('s2c', pseudoRandomBytes(`flight|${server}`, 3000), 1400);
  c.send('c2s', pseudoRandomBytes(`up|${server}`, up), 1400);
  c.send('s2c', pseudoRandomBytes(`down|${server}`, down), 1400);
  c.close();
  for (const p of c.packets) w.add(ethernetFrame(p.ip), p.ts);
}

function buildCapture(): Buffer {
  const w = new PcapWriter({ linkType: 1 });
  tcp(w, AWS_SG, 40001, T0, 'api.kestrelchat-sync.com', 20_000, 4_000); // first party, on AWS
  tcp(w, OWN.named, 40002, T0 + 1, 'chat.kestrelchat-sync.com', 30_000, 8_000); // first party by name, vendor AS
  tcp(w, OWN.tcp, 40003, T0 + 2, undefined, 120_000, 10_000); // no name at all, vendor AS
  // A UDP media stream with no name (no QUIC, no DNS): 60 datagrams of 1,000 bytes up.
  for (let i = 0; i < 60; i++) {
    w.add(ethernetFrame(udpPacket({ src: PHONE, dst: OWN.udp, sport: 50000, dport: 3478, payload: pseudoRandomBytes(`rtp${i}`, 1000) })), T0 + 3 + i * 0.02);
    if (i % 10 === 0) w.add(ethernetFrame(udpPacket({ src: OWN.udp, dst: PHONE, sport: 3478, dport: 50000, payload: pseudoRandomBytes(`rtcp${i}`, 200) })), T0 + 3.01 + i * 0.02);
  }
  return w.toBuffer();
}

function claimsYaml(networks: boolean): string {
  return `vantage: { name: New Delhi lab, lat: 28.6139, lon: 77.209, country: IN }
vendors:
  - name: Vendor Kestrel
    captures: [kestrel.pcap]
    first_party: [kestrelchat-sync.com]
${networks ? `    networks:\n      asns: [AS${OWN_AS}]\n` : ''}    claims:
      - id: kestrel-aws
        text: "User data is stored on AWS"
        provider: aws
`;
}

describe('audit: a vendor whose first-party traffic goes to its own AS, with unnamed flows', () => {
  let dir: string;
  let withNets: AuditResult;
  let without: AuditResult;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'audit-vendor-net-'));
    writeFileSync(path.join(dir, 'kestrel.pcap'), buildCapture());
    const geoDir = path.join(dir, 'geo');
    mkdirSync(geoDir);
    writeFileSync(path.join(geoDir, 'Vendor-ASN.mmdb'), writeMmdb(
      [{ addr: [91, 108, 56, 0], bits: 24, data: { autonomous_system_number: OWN_AS, autonomous_system_organization: 'Kestrel Networks' } }],
      { ipVersion: 4, recordSize: 24, databaseType: 'Test-ASN' },
    ));
    writeFileSync(path.join(dir, 'with.yaml'), claimsYaml(true));
    writeFileSync(path.join(dir, 'without.yaml'), claimsYaml(false));
    const fixed = () => new Date('2026-03-02T12:00:00Z');
    withNets = await runAudit(path.join(dir, 'with.yaml'), { geoDir, now: fixed });
    without = await runAudit(path.join(dir, 'without.yaml'), { geoDir, now: fixed });
  }, 120_000);

  it('report.json, with and without networks, validates against schema/report.schema.json', () => {
    expect(withNets.model.vendors[0].networks).toBeDefined();
    expect(validate('report', JSON.parse(renderJson(withNets.model)))).toEqual([]);
    expect(validate('report', JSON.parse(renderJson(without.model)))).toEqual([]);
  });

  it('ties the unnamed flows to the vendor by its network', () => {
    const v = withNets.model.vendors[0];
    const by = (ip: string) => v.claims[0].evidence.filter((f) => f.server_ip === ip);
    expect(by(OWN.tcp).map((f) => [f.first_party, f.first_party_via, f.name_source, f.asn])).toEqual([[true, 'network', 'network', OWN_AS]]);
    expect(by(OWN.udp).map((f) => [f.transport, f.first_party, f.first_party_via, f.name_source])).toEqual([['udp', true, 'network', 'network']]);
    expect(by(OWN.named).map((f) => [f.first_party, f.first_party_via, f.name_source])).toEqual([[true, 'name', 'tls_sni']]);
    expect(v.networks).toEqual({ asns: [OWN_AS], orgs: [], prefixes: [] });
  });

  it('refutes "stored on AWS" by origin AS, naming the vendor\'s AS and its bytes', () => {
    const c = withNets.model.vendors[0].claims[0];
    expect(c.verdict).toBe('refuted');
    expect(withNets.exitCode).toBe(EXIT.REFUTED);
    expect(c.reasons.map((r) => r.code)).toEqual(['inconsistent_upload', 'inconsistent_asn_not_provider']);
    const asn = c.reasons.find((r) => r.code === 'inconsistent_asn_not_provider')!.text;
    expect(asn).toContain(`AS${OWN_AS} (Kestrel Networks)`);
    expect(c.totals.inconsistent.flows).toBe(3);
    expect(c.totals.consistent.flows).toBe(1);
    expect(c.totals.hidden.flows).toBe(0);
    for (const e of c.evidence.filter((x) => x.server_ip.startsWith('91.108.56.'))) expect([e.status, e.provider_status]).toEqual(['inconsistent', 'inconsistent']);
    expect(c.evidence.find((e) => e.server_ip === AWS_SG)).toMatchObject({ status: 'consistent', provider: 'aws' });
  });

  it('without networks the unnamed flows are hidden (no name), and only the named ones are judged', () => {
    const c = without.model.vendors[0].claims[0];
    expect(c.totals.hidden.flows).toBe(2);
    expect(c.totals.in_scope.flows).toBe(2);
    expect(c.reasons.map((r) => r.code)).toContain('names_missing');
    expect(without.model.vendors[0].claims[0].evidence.find((f) => f.server_ip === OWN.tcp)).toMatchObject({ first_party: false, hidden: 'no_name' });
  });
});
