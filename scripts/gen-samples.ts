// Sample-case generator: writes the captures of four fictitious vendors (captures/vendor-*/), their
// claims file (captures/claims.yaml), from one scenario table, and the lab's ping file derived from the captures'
// handshakes (captures/measurements/, for the logs-only audit). Deterministic: a seeded PRNG, fixed
// timestamps, no clock, no network. The server addresses are real and were picked with the project's
// geolocation data (`--check-geo` prints what every source says about each one); handshake RTTs are set
// from the true great-circle distance to New Delhi (RTT >= 2 * distance / 200 km/ms, plus routing),
// except for Vendor Dogwood, whose impossibly short RTT is the point of its case (see captures/README.md).
//
//   npx tsx scripts/gen-samples.ts [OUT_DIR]      (default: captures/)
//   npx tsx scripts/gen-samples.ts --check-geo    (prints the per-source geolocation of every address)

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { buildClientHello, wrapTlsRecords } from '../src/synth/tls.js';
import { ethernetFrame, F_ACK as ACK, F_FIN as FIN, F_PSH as PSH, F_SYN as SYN, tcpPacket, udpPacket } from '../src/synth/packets.js';
import { PcapngWriter, PcapWriter } from '../src/synth/pcap-writer.js';
import { buildQuicClientInitials, buildQuicServerInitial } from '../src/synth/quic.js';
import { labPingFromHandshakes } from '../src/synth/measurements.js';

// ---------------------------------------------------------------- scenario constants

/** 2026-03-02T09:00:00Z: every capture starts at a fixed offset from here. */
const BASE_US = 1_772_442_000_000_000;
export const VANTAGE = { name: 'New Delhi lab', lat: 28.6139, lon: 77.209, country: 'IN' };
const ROUTER_IP = '192.168.50.1';
const ROUTER_MAC = '02:00:5e:10:00:01';
const MSS = 1400;

/** Real addresses. Geolocation as every source of the embedded data answered when they were picked. */
export const SERVERS = {
  awsSg1: '13.228.64.17', // AWS AS16509; geolite2, dbip: Singapore SG; whois: SG
  awsSg2: '54.251.143.90', // AWS AS16509; Singapore SG in every source
  awsSg3: '52.76.128.44', // AWS AS16509; Singapore SG in every source
  aliHz: '47.96.181.23', // Alibaba AS37963; geolite2, dbip: Hangzhou CN; whois: CN
  cfDoh: '104.16.248.249', // Cloudflare AS13335 (cloudflare-dns.com); anycast: sources disagree (CA/US)
  cfEch: '104.18.10.118', // Cloudflare AS13335; anycast edge
  awsUs1: '54.164.77.12', // AWS AS16509; geolite2, dbip: Ashburn US; whois: US
  awsUs2: '3.208.120.45', // AWS AS14618; Ashburn US in every source
} as const;

/** Handshake RTTs (ms) from New Delhi. Minimum physical RTT = 2 * km / 200: SG 4,150 km -> 41.5 ms,
 *  Hangzhou 4,140 km -> 41.4 ms, Ashburn 12,050 km -> 120.5 ms. Cloudflare answers from its Delhi PoP. */
export const RTT_MS = { sg: 58.4, hangzhou: 96.2, cloudflareDelhi: 4.1, dogwoodNear: 3.4 } as const;

// ---------------------------------------------------------------- deterministic PRNG

/** mulberry32: small, fast, fully deterministic for a given seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- capture model

interface Handset {
  name: string;
  ip: string;
  mac: string;
}

interface Packet {
  us: number;
  ip: Buffer;
  handset: Handset;
  up: boolean;
  order: number;
}

class Capture {
  readonly packets: Packet[] = [];
  private ipId = 1;
  private seq = 0;
  readonly rnd: () => number;
  constructor(seed: number) {
    this.rnd = prng(seed);
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = Math.floor(this.rnd() * 4294967296);
      for (let k = 0; k < 4 && i + k < n; k++) b[i + k] = (v >>> (8 * k)) & 0xff;
    }
    return b;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }
  /** Next IPv4 identification (one counter per capture, like a NAT gateway's). */
  nextId(): number {
    return this.ipId++ & 0xffff;
  }
  add(us: number, h: Handset, up: boolean, ip: Buffer): void {
    this.packets.push({ us: Math.round(us), ip, handset: h, up, order: this.seq++ });
  }
  /** A UDP datagram between the handset and `peer` (`up`: handset -> peer). */
  udp(us: number, h: Handset, up: boolean, peer: string, hport: number, pport: number, payload: Buffer): void {
    const [src, dst, sport, dport] = up ? [h.ip, peer, hport, pport] : [peer, h.ip, pport, hport];
    this.add(us, h, up, udpPacket({ src, dst, sport, dport, payload }, { id: this.nextId(), df: true }));
  }
  sorted(): Packet[] {
    return [...this.packets].sort((a, b) => a.us - b.us || a.order - b.order);
  }
}

// ---------------------------------------------------------------- conversations

/** One DNS lookup over UDP to the lab router: the CNAME chain, then the addresses. */
function dnsLookup(cap: Capture, h: Handset, t: number, chain: string[], addrs: string[]): void {
  const id = cap.int(1, 65_535);
  const port = cap.int(30_000, 60_999);
  const q = { type: 'A' as const, name: chain[0] };
  const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [q] });
  const answers: dnsPacket.Answer[] = [];
  for (let i = 0; i + 1 < chain.length; i++) answers.push({ type: 'CNAME', name: chain[i], ttl: 300, data: chain[i + 1] });
  for (const a of addrs) answers.push({ type: 'A', name: chain[chain.length - 1], ttl: 60, data: a });
  const resp = dnsPacket.encode({
    type: 'response', id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: [q], answers,
  });
  cap.udp(t, h, true, ROUTER_IP, port, 53, query);
  cap.udp(t + 11_800 + cap.int(0, 3000), h, false, ROUTER_IP, port, 53, resp);
}

/** TLS application-data records (type 23) carrying `n` opaque bytes in total. */
function appRecords(cap: Capture, n: number, recordMax = 16_384): Buffer {
  const parts: Buffer[] = [];
  for (let left = n; left > 0; ) {
    const len = Math.min(left, recordMax);
    parts.push(Buffer.from([23, 3, 3, len >> 8, len & 0xff]), cap.bytes(len));
    left -= len;
  }
  return Buffer.concat(parts);
}

interface TlsOpts {
  server: string;
  sni: string;
  alpn?: string[];
  ech?: boolean;
  rttMs: number;
  up: number;
  down: number;
}

/** A TCP connection with a TLS 1.3 handshake (real ClientHello, opaque server flight) and bulk data. */
function tlsSession(cap: Capture, h: Handset, t0: number, o: TlsOpts): number {
  const rtt = o.rttMs * 1000;
  const cport = cap.int(32_768, 60_999);
  let cseq = cap.int(1, 0x7fffffff);
  let sseq = cap.int(1, 0x7fffffff);
  const mssOption = Buffer.from([2, 4, (MSS + 40) >> 8, (MSS + 40) & 0xff]);
  const seg = (up: boolean, seq: number, ack: number, flags: number, payload: Buffer): Buffer =>
    tcpPacket({ src: up ? h.ip : o.server, dst: up ? o.server : h.ip, sport: up ? cport : 443, dport: up ? 443 : cport,
      seq, ack: (flags & SYN) !== 0 && up ? 0 : ack, flags, payload, ...(flags & SYN ? { options: mssOption } : {}) },
    { id: cap.nextId(), df: true });
  const c = (t: number, flags: number, data: Buffer): void => {
    cap.add(t, h, true, seg(true, cseq, sseq, flags, data));
    cseq = (cseq + data.length + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
  };
  const s = (t: number, flags: number, data: Buffer): void => {
    cap.add(t, h, false, seg(false, sseq, cseq, flags, data));
    sseq = (sseq + data.length + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
  };
  /** Sends a byte stream in MSS segments 120 us apart; the peer ACKs every second segment one RTT later. */
  const stream = (t: number, up: boolean, data: Buffer): number => {
    let k = 0;
    for (let i = 0; i < data.length; i += MSS, k++) {
      const chunk = data.subarray(i, Math.min(data.length, i + MSS));
      const ts = t + k * 120;
      if (up) c(ts, ACK | PSH, chunk);
      else s(ts, ACK | PSH, chunk);
      if (k % 2 === 1 || i + MSS >= data.length) {
        if (up) s(ts + rtt, ACK, Buffer.alloc(0));
        else c(ts + rtt, ACK, Buffer.alloc(0));
      }
    }
    return t + k * 120 + rtt;
  };
  c(t0, SYN, Buffer.alloc(0));
  s(t0 + rtt, SYN | ACK, Buffer.alloc(0));
  c(t0 + rtt + 90, ACK, Buffer.alloc(0));
  const hello = buildClientHello({ sni: o.sni, alpn: o.alpn ?? ['h2', 'http/1.1'], ech: o.ech === true, grease: true,
    seed: `${o.sni}|${o.server}|${cport}` });
  let t = stream(t0 + rtt + 300, true, wrapTlsRecords(hello));
  // Server flight: ServerHello record, ChangeCipherSpec, encrypted extensions/certificate/verify/finished.
  const flight = Buffer.concat([Buffer.from([22, 3, 3, 0, 122]), cap.bytes(122), Buffer.from([20, 3, 3, 0, 1, 1]),
    appRecords(cap, 3_900)]);
  t = stream(t - rtt + 400, false, flight);
  t = stream(t - rtt + 300, true, Buffer.concat([Buffer.from([20, 3, 3, 0, 1, 1]), appRecords(cap, 74 + o.up)]));
  t = stream(t + 8_000, false, appRecords(cap, o.down));
  c(t + 2_000, FIN | ACK, Buffer.alloc(0));
  s(t + 2_000 + rtt, FIN | ACK, Buffer.alloc(0));
  c(t + 2_000 + rtt + 80, ACK, Buffer.alloc(0));
  return t + 2_000 + rtt + 80;
}

interface QuicOpts {
  server: string;
  sni: string;
  rttMs: number;
  up: number;
  down: number;
}

/** A QUIC v1 connection: a really encrypted client Initial carrying the ClientHello, the server's Initial
 *  one RTT later, then 1-RTT short-header packets of opaque bytes in both directions. */
function quicSession(cap: Capture, h: Handset, t0: number, o: QuicOpts): number {
  const rtt = o.rttMs * 1000;
  const cport = cap.int(32_768, 60_999);
  const dcid = cap.bytes(8);
  const scid = cap.bytes(8);
  const serverCid = cap.bytes(8);
  const hello = buildClientHello({ sni: o.sni, alpn: ['h3'], grease: true, quicTransportParams: true,
    seed: `${o.sni}|${o.server}|${cport}|quic` });
  const up = (t: number, d: Buffer): void => cap.udp(t, h, true, o.server, cport, 443, d);
  const down = (t: number, d: Buffer): void => cap.udp(t, h, false, o.server, cport, 443, d);
  const initials = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello, maxDatagram: 1_250 });
  initials.forEach((d, i) => up(t0 + i * 40, d));
  down(t0 + rtt, buildQuicServerInitial({ version: 'v1', clientDcid: dcid, serverCid, clientScid: scid }));
  const short = (cid: Buffer, n: number): Buffer => Buffer.concat([Buffer.from([0x40 | cap.int(0, 0x1f)]), cid, cap.bytes(n)]);
  let t = t0 + rtt + 500;
  down(t, short(scid, 1_150)); // rest of the server handshake (opaque)
  down(t + 100, short(scid, 1_150));
  t += rtt;
  let k = 0;
  for (let left = o.up; left > 0; k++) {
    const n = Math.min(left, 1_200);
    up(t + k * 150, short(serverCid, n));
    if (k % 4 === 3) down(t + k * 150 + rtt, short(scid, 40));
    left -= n;
  }
  t += k * 150 + rtt;
  k = 0;
  for (let left = o.down; left > 0; k++) {
    const n = Math.min(left, 1_200);
    down(t + k * 150, short(scid, n));
    if (k % 4 === 3) up(t + k * 150 + rtt, short(serverCid, 40));
    left -= n;
  }
  return t + k * 150 + rtt;
}

// ---------------------------------------------------------------- file writers

type LinkType = 1 | 101;

function frame(p: Packet, link: LinkType): Buffer {
  if (link === 101) return p.ip;
  return p.up ? ethernetFrame(p.ip, { src: p.handset.mac, dst: ROUTER_MAC }) : ethernetFrame(p.ip, { src: ROUTER_MAC, dst: p.handset.mac });
}

/** Classic pcap (µs) or pcapng (one interface, µs) of the capture's packets in time order. */
function captureBytes(s: SampleFile): Buffer {
  const packets = s.capture.sorted();
  const sec = (us: number): number => Math.floor(us / 1e6);
  const nsec = (us: number): number => (us % 1e6) * 1000;
  if (s.format === 'pcap') {
    const w = new PcapWriter({ linkType: s.link, snaplen: 262_144 });
    for (const p of packets) w.add(frame(p, s.link), sec(p.us), nsec(p.us));
    return w.toBuffer();
  }
  const w = new PcapngWriter({ comment: s.comment, userappl: 'residency scripts/gen-samples.ts' });
  const ifc = w.addInterface(s.link, { snaplen: 262_144, name: 'lab0' });
  for (const p of packets) w.add(ifc, frame(p, s.link), sec(p.us), nsec(p.us));
  return w.toBuffer();
}

// ---------------------------------------------------------------- the four vendors

const S = 1_000_000;

interface SampleFile {
  /** Path relative to the output folder. */
  file: string;
  format: 'pcap' | 'pcapng';
  link: LinkType;
  capture: Capture;
  comment: string;
}

/** Vendor Alder: claims AWS Singapore; 44 % of its first-party upload goes to Alibaba Cloud, Hangzhou (CN). */
function alder(): SampleFile {
  const cap = new Capture(0xa1de7);
  const phone: Handset = { name: 'alder-phone', ip: '192.168.50.21', mac: '02:00:5e:10:00:21' };
  const t = BASE_US;
  dnsLookup(cap, phone, t, ['api.alderphone-sync.com', 'alder-api-prod-1875342210.ap-southeast-1.elb.amazonaws.com'], [SERVERS.awsSg1]);
  tlsSession(cap, phone, t + 0.05 * S, { server: SERVERS.awsSg1, sni: 'api.alderphone-sync.com', rttMs: RTT_MS.sg, up: 180_000, down: 24_000 });
  dnsLookup(cap, phone, t + 1.2 * S, ['upload.alderphone-sync.com', 'alder-logs.cn-hangzhou.log.aliyuncs.com'], [SERVERS.aliHz]);
  tlsSession(cap, phone, t + 1.25 * S, { server: SERVERS.aliHz, sni: 'upload.alderphone-sync.com', rttMs: RTT_MS.hangzhou, up: 140_000, down: 3_000 });
  return { file: 'vendor-alder/alder-phone.pcap', format: 'pcap', link: 1, capture: cap, comment: 'Vendor Alder, one handset' };
}

/** Vendor Birch: claims AWS Singapore; two handsets, TLS and QUIC, all to AWS ap-southeast-1. */
function birch(): SampleFile {
  const cap = new Capture(0xb1c4);
  const p1: Handset = { name: 'birch-phone-1', ip: '192.168.50.31', mac: '02:00:5e:10:00:31' };
  const p2: Handset = { name: 'birch-phone-2', ip: '192.168.50.32', mac: '02:00:5e:10:00:32' };
  const t = BASE_US + 600 * S;
  const api = ['api.birchdevice-cloud.net', 'birch-api-prod-604211873.ap-southeast-1.elb.amazonaws.com'];
  const media = ['media.birchdevice-cloud.net', 'birch-media-nlb-7c1e2f9a0b.elb.ap-southeast-1.amazonaws.com'];
  dnsLookup(cap, p1, t, api, [SERVERS.awsSg2]);
  tlsSession(cap, p1, t + 0.04 * S, { server: SERVERS.awsSg2, sni: api[0], rttMs: RTT_MS.sg, up: 120_000, down: 30_000 });
  dnsLookup(cap, p1, t + 0.9 * S, media, [SERVERS.awsSg3]);
  quicSession(cap, p1, t + 0.95 * S, { server: SERVERS.awsSg3, sni: media[0], rttMs: RTT_MS.sg + 1.3, up: 110_000, down: 20_000 });
  dnsLookup(cap, p2, t + 2.1 * S, api, [SERVERS.awsSg2]);
  tlsSession(cap, p2, t + 2.14 * S, { server: SERVERS.awsSg2, sni: api[0], rttMs: RTT_MS.sg + 0.7, up: 60_000, down: 12_000 });
  dnsLookup(cap, p2, t + 2.6 * S, media, [SERVERS.awsSg3]);
  quicSession(cap, p2, t + 2.65 * S, { server: SERVERS.awsSg3, sni: media[0], rttMs: RTT_MS.sg + 2.1, up: 50_000, down: 9_000 });
  return { file: 'vendor-birch/birch-two-phones.pcapng', format: 'pcapng', link: 1, capture: cap, comment: 'Vendor Birch, two handsets' };
}

/** Vendor Cedar: names hidden: DNS over HTTPS to Cloudflare, then ECH connections whose outer SNI is the public name. */
function cedar(): SampleFile {
  const cap = new Capture(0xcedad);
  const phone: Handset = { name: 'cedar-phone', ip: '192.168.50.41', mac: '02:00:5e:10:00:41' };
  const t = BASE_US + 1200 * S;
  dnsLookup(cap, phone, t, ['cloudflare-dns.com'], [SERVERS.cfDoh]);
  tlsSession(cap, phone, t + 0.02 * S, { server: SERVERS.cfDoh, sni: 'cloudflare-dns.com', alpn: ['h2'], rttMs: RTT_MS.cloudflareDelhi, up: 6_000, down: 9_000 });
  tlsSession(cap, phone, t + 0.3 * S, { server: SERVERS.cfEch, sni: 'cloudflare-ech.com', ech: true, rttMs: RTT_MS.cloudflareDelhi + 0.3, up: 150_000, down: 20_000 });
  tlsSession(cap, phone, t + 1.4 * S, { server: SERVERS.cfEch, sni: 'cloudflare-ech.com', ech: true, rttMs: RTT_MS.cloudflareDelhi + 0.2, up: 40_000, down: 6_000 });
  return { file: 'vendor-cedar/cedar-phone.pcapng', format: 'pcapng', link: 1, capture: cap, comment: 'Vendor Cedar, DoH and ECH only' };
}

/** Vendor Dogwood: claims the US; every source puts its AWS addresses in Ashburn, but they answer in 3-4 ms. */
function dogwood(): SampleFile {
  const cap = new Capture(0xd09e00d);
  const tablet: Handset = { name: 'dogwood-tablet', ip: '192.168.50.51', mac: '02:00:5e:10:00:51' };
  const t = BASE_US + 1800 * S;
  const sync = ['sync.dogwoodtab-sync.net', 'dogwood-sync-prod-1290458873.us-east-1.elb.amazonaws.com'];
  const files = ['files.dogwoodtab-sync.net', 'dogwood-files-nlb-3f9a2c61d4.elb.us-east-1.amazonaws.com'];
  dnsLookup(cap, tablet, t, sync, [SERVERS.awsUs1]);
  tlsSession(cap, tablet, t + 0.03 * S, { server: SERVERS.awsUs1, sni: sync[0], rttMs: RTT_MS.dogwoodNear, up: 120_000, down: 15_000 });
  dnsLookup(cap, tablet, t + 0.7 * S, files, [SERVERS.awsUs2]);
  quicSession(cap, tablet, t + 0.74 * S, { server: SERVERS.awsUs2, sni: files[0], rttMs: RTT_MS.dogwoodNear + 0.3, up: 60_000, down: 8_000 });
  return { file: 'vendor-dogwood/dogwood-tablet-rawip.pcap', format: 'pcap', link: 101, capture: cap, comment: 'Vendor Dogwood, raw IP' };
}

const CLAIMS_YAML = `# Claims of the four fictitious vendors of the sample case (written by scripts/gen-samples.ts).
# What each vendor demonstrates: captures/README.md.
vantage:
  name: ${VANTAGE.name}
  lat: ${VANTAGE.lat}
  lon: ${VANTAGE.lon}
  country: ${VANTAGE.country}
vendors:
  - name: Vendor Alder
    captures: ["vendor-alder/*.pcap"]
    first_party: ["alderphone-sync.com"]
    devices:
      alder-phone: { ip: 192.168.50.21, mac: "02:00:5e:10:00:21" }
    claims:
      - id: alder-sg-aws
        text: "User data is stored on AWS in Singapore"
        scope: first-party
        country: SG
        provider: aws
        region: ap-southeast-1
  - name: Vendor Birch
    captures: ["vendor-birch/*.pcapng"]
    first_party: ["birchdevice-cloud.net"]
    devices:
      birch-phone-1: { ip: 192.168.50.31, mac: "02:00:5e:10:00:31" }
      birch-phone-2: { ip: 192.168.50.32, mac: "02:00:5e:10:00:32" }
    claims:
      - id: birch-sg-aws
        text: "User data is stored on AWS in Singapore"
        scope: first-party
        country: SG
        provider: aws
        region: ap-southeast-1
  - name: Vendor Cedar
    captures: ["vendor-cedar/*.pcapng"]
    first_party: ["cedarwatch-services.com"]
    devices:
      cedar-phone: { ip: 192.168.50.41, mac: "02:00:5e:10:00:41" }
    claims:
      - id: cedar-in
        text: "User data never leaves India"
        scope: first-party
        country: IN
  - name: Vendor Dogwood
    captures: ["vendor-dogwood/*.pcap"]
    first_party: ["dogwoodtab-sync.net"]
    devices:
      dogwood-tablet: 192.168.50.51
    claims:
      - id: dogwood-us-aws
        text: "User data is stored on AWS in the United States"
        scope: first-party
        country: US
        provider: aws
`;

/** Every sample file, in a fixed order. */
export function buildSamples(): SampleFile[] {
  return [alder(), birch(), cedar(), dogwood()];
}

/** Writes the captures and claims.yaml under `outDir`; returns the paths written (relative). */
export function writeSamples(outDir: string): string[] {
  const written: string[] = [];
  for (const s of buildSamples()) {
    const file = path.join(outDir, s.file);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, captureBytes(s));
    written.push(s.file);
  }
  writeFileSync(path.join(outDir, 'claims.yaml'), CLAIMS_YAML);
  written.push('claims.yaml');
  return written;
}

/** The lab's ping file: what a lab that keeps only Zeek or Suricata logs would add to restore the physical check. */
export const LAB_PING = 'measurements/new-delhi-ping.txt';

/**
 * Writes LAB_PING under `outDir` from the captures written there: ping from the New Delhi lab to every address the
 * handsets reached with a handshake, the fastest reply equal to the fastest handshake RTT in the captures
 * (src/synth/measurements.ts labPingFromHandshakes), run two hours after the captures began.
 */
export async function writeLabPing(outDir: string): Promise<string> {
  const { analyzeCapture } = await import('../src/pipeline.js');
  const flows: { server_ip: string; rtt_ms?: number }[] = [];
  for (const s of buildSamples()) await analyzeCapture(path.join(outDir, s.file), { flow: (f) => flows.push({ server_ip: f.server_ip, rtt_ms: f.rtt_ms }) });
  const file = path.join(outDir, LAB_PING);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, labPingFromHandshakes(flows, BASE_US / 1e6 + 7200));
  return LAB_PING;
}

/** Prints what the project's geolocation (src/geo) says about every sample server address. */
async function checkGeo(): Promise<void> {
  const { GeoLocator } = await import('../src/geo/index.js');
  const geo = await GeoLocator.open();
  for (const [label, ip] of Object.entries(SERVERS)) {
    const r = geo.lookup(ip);
    const sources = r.sources.map((s) => `${s.source}=${s.country ?? '-'}${s.city ? `/${s.city}` : ''}`).join('  ');
    process.stdout.write(`${label.padEnd(7)} ${ip.padEnd(15)} ${r.country ?? '??'} (${r.country_agreement}) ` +
      `${r.provider ?? '-'} AS${r.asn ?? '?'}${r.edge ? ` edge: ${r.edge_reason ?? ''}` : ''}  ${sources}\n`);
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]).endsWith(path.join('scripts', 'gen-samples.ts'));
if (isMain) {
  const args = process.argv.slice(2);
  if (args.includes('--check-geo')) {
    await checkGeo();
  } else {
    const out = args[0] ?? 'captures';
    for (const f of [...writeSamples(out), await writeLabPing(out)]) process.stdout.write(`wrote ${path.join(out, f)}\n`);
  }
}
