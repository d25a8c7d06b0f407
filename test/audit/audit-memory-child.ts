// Child process of the audit memory test: writes a capture of argv[3] generated flows into argv[2], audits it
// (JSON report and the streamed flows.csv) and prints {"flows", "maxRssMb", "destinations", "omitted"} as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runAudit } from '../../src/pipeline/back-half.js';
import { PcapWriter } from '../../src/synth/pcap-writer.js';
import { ethernetFrame, udpPacket } from '../../src/synth/packets.js';

/** `n` UDP flows, each from its own client address and port to one of 199 public servers (a group and a device per
 *  flow, as a scan or a NAT lab gives; few addresses to geolocate, so the geolocation data's pages stay few). */
function capture(n: number): Buffer {
  const w = new PcapWriter({ linkType: 1 });
  for (let i = 0; i < n; i++) {
    const client = `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
    const server = `13.228.64.${(i % 199) + 1}`;
    const ts = 1_700_000_000 + i / 100;
    w.add(ethernetFrame(udpPacket({ src: client, dst: server, sport: 40000, dport: 443, payload: Buffer.alloc(40, 1) })), ts);
    w.add(ethernetFrame(udpPacket({ src: server, dst: client, sport: 443, dport: 40000, payload: Buffer.alloc(80, 2) })), ts + 0.0005);
  }
  return w.toBuffer();
}

const [dir, n] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'cap.pcap'), capture(Number(n)));
writeFileSync(
  path.join(dir, 'claims.yaml'),
  'vantage: { name: Lab, lat: 1.29, lon: 103.85, country: SG }\nvendors:\n  - name: V\n    captures: [cap.pcap]\n    first_party: [vendor.com]\n' +
    '    claims:\n      - { id: sg, text: t, scope: all, country: SG }\n',
);
const r = await runAudit(path.join(dir, 'claims.yaml'), { db: path.join(dir, 'case.db'), outDir: path.join(dir, 'out'), formats: ['json', 'csv'] });
const v = r.model.vendors[0];
process.stdout.write(
  JSON.stringify({ flows: v.totals.flows, maxRssMb: process.resourceUsage().maxRSS / 1024, devices: v.devices.length, omitted: v.devices_omitted }) + '\n',
);
