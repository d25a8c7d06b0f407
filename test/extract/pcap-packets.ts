// Test-only: a tiny classic-pcap walker giving the UDP/TCP payloads of a capture, so the DNS and HTTP tests can
// run real captures without the project's capture/decode stages (owned by others). Handles Ethernet (+ VLAN),
// BSD null/loopback, raw IP and IPv4/IPv6 (no IP reassembly, no IPv6 extension headers beyond none).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIp } from '../../src/decode/ip-format.js';

export const CAPTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/captures');
export const capturesPresent = existsSync(CAPTURES);

export interface L4Packet {
  frame: number;
  ts: number;
  transport: 'udp' | 'tcp';
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** TCP only. */
  seq: number;
  tcpFlags: number;
  buf: Buffer;
  off: number;
  len: number;
}

export function readL4Packets(file: string): L4Packet[] {
  const data = readFileSync(file);
  const magic = data.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o: number): number => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const link = u32(20);
  const out: L4Packet[] = [];
  let p = 24;
  let frame = 0;
  while (p + 16 <= data.length) {
    const sec = u32(p);
    const frac = u32(p + 4);
    const incl = u32(p + 8);
    const start = p + 16;
    const end = Math.min(start + incl, data.length);
    p = start + incl;
    frame++;
    const ts = sec + frac / (nano ? 1e9 : 1e6);
    let ip = start;
    if (link === 1) {
      let et = data.readUInt16BE(start + 12);
      ip = start + 14;
      while (et === 0x8100 || et === 0x88a8) {
        et = data.readUInt16BE(ip + 2);
        ip += 4;
      }
      if (et !== 0x0800 && et !== 0x86dd) continue;
    } else if (link === 0) {
      ip = start + 4;
    } else if (link !== 101 && link !== 12 && link !== 228 && link !== 229) {
      continue;
    }
    if (ip >= end) continue;
    const ver = data[ip] >> 4;
    let proto: number;
    let l4: number;
    let src: string;
    let dst: string;
    let ipEnd: number;
    if (ver === 4) {
      if ((data.readUInt16BE(ip + 6) & 0x3fff) !== 0) continue; // fragment
      proto = data[ip + 9];
      l4 = ip + (data[ip] & 0xf) * 4;
      ipEnd = Math.min(ip + data.readUInt16BE(ip + 2), end);
      src = formatIp(data, ip + 12, 4);
      dst = formatIp(data, ip + 16, 4);
    } else if (ver === 6) {
      proto = data[ip + 6];
      l4 = ip + 40;
      ipEnd = Math.min(ip + 40 + data.readUInt16BE(ip + 4), end);
      src = formatIp(data, ip + 8, 16);
      dst = formatIp(data, ip + 24, 16);
    } else {
      continue;
    }
    if (proto === 17 && l4 + 8 <= ipEnd) {
      const off = l4 + 8;
      out.push({ frame, ts, transport: 'udp', src, dst, sport: data.readUInt16BE(l4), dport: data.readUInt16BE(l4 + 2),
        seq: 0, tcpFlags: 0, buf: data, off, len: Math.max(0, ipEnd - off) });
    } else if (proto === 6 && l4 + 20 <= ipEnd) {
      const off = l4 + (data[l4 + 12] >> 4) * 4;
      out.push({ frame, ts, transport: 'tcp', src, dst, sport: data.readUInt16BE(l4), dport: data.readUInt16BE(l4 + 2),
        seq: data.readUInt32BE(l4 + 4), tcpFlags: data[l4 + 13], buf: data, off, len: Math.max(0, ipEnd - off) });
    }
  }
  return out;
}

export function readExpected(rel: string): import('../../src/types.js').OracleDoc {
  return JSON.parse(readFileSync(path.join(CAPTURES, 'expected', rel + '.json'), 'utf8')) as import('../../src/types.js').OracleDoc;
}
