// Test helper: a deliberately tiny pcap/pcapng(+gzip) reader and Ethernet/SLL/raw/null -> IPv4/IPv6 -> TCP/UDP
// decoder, so the TLS and QUIC extractor tests can read the shared real captures without the pipeline.
// Also a naive TCP stream builder (orders segments by sequence number, drops overlaps).

import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CAPTURES = path.resolve(repo, '../shared/captures');
export const capturesPresent = existsSync(CAPTURES);

export interface Pkt {
  frame: number;
  ts: number;
  proto: 'tcp' | 'udp';
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** TCP only */
  seq: number;
  flags: number;
  payload: Buffer;
}

export interface OracleSni {
  frame: number;
  client_ip: string;
  client_port: number;
  server_ip: string;
  server_port: number;
  sni: string;
}

export function loadExpected(rel: string): { tls_sni: OracleSni[]; quic_sni: OracleSni[] } {
  return JSON.parse(readFileSync(path.join(CAPTURES, 'expected', `${rel}.json`), 'utf8'));
}

/** Every TCP/UDP packet of a capture, in file order. */
export function readPackets(rel: string): Pkt[] {
  let d = readFileSync(path.join(CAPTURES, rel));
  if (d[0] === 0x1f && d[1] === 0x8b) d = gunzipSync(d);
  const out: Pkt[] = [];
  let frame = 0;
  const push = (link: number, ts: number, b: Buffer): void => {
    frame++;
    const p = decodeLink(link, b);
    if (p !== null) out.push({ ...p, frame, ts });
  };
  if (d.readUInt32BE(0) === 0x0a0d0d0a) {
    let le = true;
    const links: number[] = [];
    const tsDiv: number[] = [];
    for (let p = 0; p + 12 <= d.length;) {
      if (d.readUInt32BE(p) === 0x0a0d0d0a) {
        le = d.readUInt32LE(p + 8) === 0x1a2b3c4d;
        links.length = 0;
        tsDiv.length = 0;
      }
      const type = le ? d.readUInt32LE(p) : d.readUInt32BE(p);
      const len = le ? d.readUInt32LE(p + 4) : d.readUInt32BE(p + 4);
      if (len < 12) break;
      const u16 = (o: number): number => (le ? d.readUInt16LE(o) : d.readUInt16BE(o));
      const u32 = (o: number): number => (le ? d.readUInt32LE(o) : d.readUInt32BE(o));
      if (type === 1) {
        links.push(u16(p + 8));
        let div = 1e6;
        for (let o = p + 16; o + 4 <= p + len - 4;) { // options: if_tsresol (9)
          const code = u16(o);
          const olen = u16(o + 2);
          if (code === 0) break;
          if (code === 9 && olen >= 1) {
            const r = d[o + 4];
            div = (r & 0x80) !== 0 ? 2 ** (r & 0x7f) : 10 ** r;
          }
          o += 4 + ((olen + 3) & ~3);
        }
        tsDiv.push(div);
      }
      else if (type === 6) {
        const ts = (u32(p + 12) * 2 ** 32 + u32(p + 16)) / tsDiv[u32(p + 8)];
        push(links[u32(p + 8)], ts, d.subarray(p + 28, p + 28 + u32(p + 20)));
      } else if (type === 3) {
        push(links[0], 0, d.subarray(p + 12, p + 12 + Math.min(u32(p + 8), len - 16)));
      }
      p += len;
    }
    return out;
  }
  const magic = d.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || d.readUInt32BE(0) === 0xa1b23c4d;
  const u32 = (o: number): number => (le ? d.readUInt32LE(o) : d.readUInt32BE(o));
  const link = u32(20);
  for (let p = 24; p + 16 <= d.length;) {
    const incl = u32(p + 8);
    push(link, u32(p) + u32(p + 4) / (nano ? 1e9 : 1e6), d.subarray(p + 16, p + 16 + incl));
    p += 16 + incl;
  }
  return out;
}

type Decoded = Omit<Pkt, 'frame' | 'ts'>;

function decodeLink(link: number, b: Buffer): Decoded | null {
  if (link === 1) {
    let et = b.readUInt16BE(12);
    let p = 14;
    while (et === 0x8100 || et === 0x88a8) { et = b.readUInt16BE(p + 2); p += 4; }
    return et === 0x0800 || et === 0x86dd ? decodeIp(b, p) : null;
  }
  if (link === 113) return decodeIp(b, 16);
  if (link === 0 || link === 108) return decodeIp(b, 4);
  if (link === 228 || link === 229 || link === 101 || link === 12 || link === 14) return decodeIp(b, 0);
  return null;
}

function ip6(b: Buffer, p: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(p + i * 2));
  let bs = -1, bl = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bl && j - i > 1) { bs = i; bl = j - i; }
    i = j;
  }
  const h = g.map((x) => x.toString(16));
  if (bs < 0) return h.join(':');
  return `${h.slice(0, bs).join(':')}::${h.slice(bs + bl).join(':')}`;
}

function decodeIp(b: Buffer, p: number): Decoded | null {
  if (p >= b.length) return null;
  const v = b[p] >> 4;
  let proto: number, src: string, dst: string, l4: number, end: number;
  if (v === 4) {
    proto = b[p + 9];
    src = `${b[p + 12]}.${b[p + 13]}.${b[p + 14]}.${b[p + 15]}`;
    dst = `${b[p + 16]}.${b[p + 17]}.${b[p + 18]}.${b[p + 19]}`;
    l4 = p + (b[p] & 15) * 4;
    end = Math.min(b.length, p + b.readUInt16BE(p + 2));
    if ((b.readUInt16BE(p + 6) & 0x3fff) !== 0) return null; // fragments not handled here
  } else if (v === 6) {
    proto = b[p + 6];
    src = ip6(b, p + 8);
    dst = ip6(b, p + 24);
    l4 = p + 40;
    end = Math.min(b.length, l4 + b.readUInt16BE(p + 4));
  } else return null;
  if (proto === 17) {
    return { proto: 'udp', src, dst, sport: b.readUInt16BE(l4), dport: b.readUInt16BE(l4 + 2), seq: 0, flags: 0,
      payload: b.subarray(l4 + 8, end) };
  }
  if (proto === 6) {
    const off = (b[l4 + 12] >> 4) * 4;
    return { proto: 'tcp', src, dst, sport: b.readUInt16BE(l4), dport: b.readUInt16BE(l4 + 2),
      seq: b.readUInt32BE(l4 + 4), flags: b[l4 + 13], payload: b.subarray(l4 + off, end) };
  }
  return null;
}

export interface TcpStream {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /** Client-to-server bytes in sequence order. */
  bytes: Buffer;
  /** Payload segments as seen, in file order (for feeding incrementally). */
  segments: Buffer[];
}

/** Client-direction byte streams of TCP connections (client = SYN sender, else first sender of data). */
export function clientStreams(pkts: Pkt[]): TcpStream[] {
  const conns = new Map<string, { s: TcpStream; isn: number | null; segs: Array<[number, Buffer]> }>();
  for (const p of pkts) {
    if (p.proto !== 'tcp') continue;
    const fwd = `${p.src}|${p.sport}|${p.dst}|${p.dport}`;
    const rev = `${p.dst}|${p.dport}|${p.src}|${p.sport}`;
    const syn = (p.flags & 0x02) !== 0 && (p.flags & 0x10) === 0;
    let c = conns.get(fwd);
    if (c === undefined && conns.has(rev)) continue; // server direction
    if (c === undefined) {
      if (!syn && p.payload.length === 0) continue;
      c = { s: { client: p.src, clientPort: p.sport, server: p.dst, serverPort: p.dport, bytes: Buffer.alloc(0),
        segments: [] }, isn: syn ? (p.seq + 1) >>> 0 : null, segs: [] };
      conns.set(fwd, c);
    }
    if (p.payload.length > 0) {
      if (c.isn === null) c.isn = p.seq;
      c.segs.push([(p.seq - c.isn) >>> 0, p.payload]);
      c.s.segments.push(p.payload);
    }
  }
  const out: TcpStream[] = [];
  for (const c of conns.values()) {
    const segs = c.segs.filter(([o]) => o < 1 << 30).sort((a, b) => a[0] - b[0]);
    const parts: Buffer[] = [];
    let at = 0;
    for (const [o, d] of segs) {
      if (o > at) break; // hole
      if (o + d.length <= at) continue;
      parts.push(d.subarray(at - o));
      at = o + d.length;
    }
    c.s.bytes = Buffer.concat(parts);
    out.push(c.s);
  }
  return out;
}
