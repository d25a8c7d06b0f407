// Packet builders for tests and the sample-capture generator: IPv4/IPv6 headers with correct checksums,
// TCP/UDP segments, Ethernet / Linux SLL / raw-IP framing, IPv4 and IPv6 fragmenters and a TCP conversation helper.
//
//   const ip = udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 5353, dport: 53, payload });
//   const frame = linkFrame(LINKTYPE_ETHERNET, ip);              // or ethernetFrame(ip, { vlan: 11 })
//   const conv = new TcpConversation({ client: { ip: '10.0.0.2', port: 40000 }, server: { ip: '1.1.1.1', port: 443 },
//                                      startTs: 1_700_000_000, rttMs: 30 });
//   conv.handshake(); conv.send('c2s', hello); conv.send('s2c', Buffer.alloc(5000), 1400); conv.close();
//   conv.packets  // [{ ts, ip }] in time order: feed to PcapWriter.add(linkFrame(lt, p.ip), p.ts)
//
// Addresses are strings (`a.b.c.d` or any IPv6 form node:net accepts); the family picks IPv4 or IPv6.
import { isIPv4, isIPv6 } from 'node:net';

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const F_FIN = 0x01;
export const F_SYN = 0x02;
export const F_RST = 0x04;
export const F_PSH = 0x08;
export const F_ACK = 0x10;

export function ipv4Bytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  // Invariant: the synthesiser's callers are tests and scripts, never user input; a bad address is their bug.
  if (parts.length !== 4 || parts.some((n) => !(n >= 0 && n <= 255))) throw new Error(`bad IPv4 address ${ip}`);
  return Buffer.from(parts);
}

export function ipv6Bytes(ip: string): Buffer {
  if (!isIPv6(ip)) throw new Error(`bad IPv6 address ${ip}`); // invariant: as ipv4Bytes
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const conv = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (g.includes('.')) {
        const b = ipv4Bytes(g);
        out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = conv(head);
  const t = tail === undefined ? [] : conv(tail);
  const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
}

/** RFC 1071 one's-complement sum, folded and inverted. */
export function internetChecksum(...parts: Buffer[]): number {
  let sum = 0;
  let odd = -1;
  for (const b of parts) {
    for (let i = 0; i < b.length; i++) {
      if (odd < 0) odd = b[i];
      else {
        sum += (odd << 8) | b[i];
        odd = -1;
      }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Ipv4Options {
  id?: number;
  ttl?: number;
  /** Don't Fragment flag (default true for TCP-like traffic, false here). */
  df?: boolean;
  /** More-fragments flag and offset in bytes (multiple of 8): used by fragmentIpv4. */
  mf?: boolean;
  fragOffset?: number;
  /** IP options bytes (padded to 4 by the caller). */
  options?: Buffer;
}

/** A whole IPv4 packet with a correct header checksum. */
export function ipv4Packet(src: string, dst: string, proto: number, payload: Buffer, o: Ipv4Options = {}): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const hl = 20 + opts.length;
  const h = Buffer.alloc(hl);
  h[0] = 0x40 | (hl >> 2);
  h.writeUInt16BE(hl + payload.length, 2);
  h.writeUInt16BE(o.id ?? 0x1234, 4);
  h.writeUInt16BE((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3), 6);
  h[8] = o.ttl ?? 64;
  h[9] = proto;
  ipv4Bytes(src).copy(h, 12);
  ipv4Bytes(dst).copy(h, 16);
  opts.copy(h, 20);
  h.writeUInt16BE(internetChecksum(h), 10);
  return Buffer.concat([h, payload]);
}

/** A whole IPv6 packet; `ext` = extension headers already chained (their first next-header goes in `nextHeader`). */
export function ipv6Packet(src: string, dst: string, nextHeader: number, payload: Buffer, o: { hopLimit?: number; ext?: Buffer } = {}): Buffer {
  const ext = o.ext ?? Buffer.alloc(0);
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(ext.length + payload.length, 4);
  h[6] = nextHeader;
  h[7] = o.hopLimit ?? 64;
  ipv6Bytes(src).copy(h, 8);
  ipv6Bytes(dst).copy(h, 24);
  return Buffer.concat([h, ext, payload]);
}

function pseudoHeader(src: string, dst: string, proto: number, len: number): Buffer {
  if (isIPv4(src)) {
    const p = Buffer.alloc(12);
    ipv4Bytes(src).copy(p, 0);
    ipv4Bytes(dst).copy(p, 4);
    p[9] = proto;
    p.writeUInt16BE(len, 10);
    return p;
  }
  const p = Buffer.alloc(40);
  ipv6Bytes(src).copy(p, 0);
  ipv6Bytes(dst).copy(p, 16);
  p.writeUInt32BE(len, 32);
  p[39] = proto;
  return p;
}

/** Wraps a transport segment in IPv4 or IPv6 according to the address family. */
export function ipPacket(src: string, dst: string, proto: number, l4: Buffer, v4?: Ipv4Options): Buffer {
  return isIPv4(src) ? ipv4Packet(src, dst, proto, l4, v4) : ipv6Packet(src, dst, proto, l4);
}

export interface TcpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  /** TCP options (padded to a multiple of 4 automatically). */
  options?: Buffer;
  payload?: Buffer;
}

/** A TCP segment (header + payload) with a correct checksum. */
export function tcpSegment(s: TcpSpec): Buffer {
  const opt = s.options ?? Buffer.alloc(0);
  const optLen = (opt.length + 3) & ~3;
  const payload = s.payload ?? Buffer.alloc(0);
  const h = Buffer.alloc(20 + optLen);
  h.writeUInt16BE(s.sport, 0);
  h.writeUInt16BE(s.dport, 2);
  h.writeUInt32BE((s.seq ?? 0) >>> 0, 4);
  h.writeUInt32BE((s.ack ?? 0) >>> 0, 8);
  h[12] = ((20 + optLen) >> 2) << 4;
  h[13] = s.flags ?? F_ACK;
  h.writeUInt16BE(s.window ?? 65535, 14);
  opt.copy(h, 20);
  const seg = Buffer.concat([h, payload]);
  seg.writeUInt16BE(internetChecksum(pseudoHeader(s.src, s.dst, IPPROTO_TCP, seg.length), seg), 16);
  return seg;
}

export interface UdpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Buffer;
}

/** A UDP datagram (header + payload) with a correct checksum. */
export function udpDatagram(s: UdpSpec): Buffer {
  const seg = Buffer.alloc(8 + s.payload.length);
  seg.writeUInt16BE(s.sport, 0);
  seg.writeUInt16BE(s.dport, 2);
  seg.writeUInt16BE(seg.length, 4);
  s.payload.copy(seg, 8);
  const c = internetChecksum(pseudoHeader(s.src, s.dst, IPPROTO_UDP, seg.length), seg);
  seg.writeUInt16BE(c === 0 ? 0xffff : c, 6);
  return seg;
}

/** IP packet carrying a TCP segment. */
export function tcpPacket(s: TcpSpec, v4?: Ipv4Options): Buffer {
  return ipPacket(s.src, s.dst, IPPROTO_TCP, tcpSegment(s), v4);
}

/** IP packet carrying a UDP datagram. */
export function udpPacket(s: UdpSpec, v4?: Ipv4Options): Buffer {
  return ipPacket(s.src, s.dst, IPPROTO_UDP, udpDatagram(s), v4);
}

function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((x) => parseInt(x, 16)));
}

function etherTypeOf(ip: Buffer): number {
  return ip.length > 0 && ip[0] >> 4 === 6 ? 0x86dd : 0x0800;
}

/** Ethernet II frame around an IP packet; `vlan` adds an 802.1Q tag, `qinq` an outer 802.1ad tag too. */
export function ethernetFrame(ip: Buffer, o: { src?: string; dst?: string; vlan?: number; qinq?: number; etherType?: number } = {}): Buffer {
  const tags: Buffer[] = [];
  if (o.qinq !== undefined) tags.push(Buffer.from([0x88, 0xa8, (o.qinq >> 8) & 0x0f, o.qinq & 0xff]));
  if (o.vlan !== undefined) tags.push(Buffer.from([0x81, 0x00, (o.vlan >> 8) & 0x0f, o.vlan & 0xff]));
  const type = Buffer.alloc(2);
  type.writeUInt16BE(o.etherType ?? etherTypeOf(ip));
  return Buffer.concat([macBytes(o.dst ?? '02:00:00:00:00:02'), macBytes(o.src ?? '02:00:00:00:00:01'), ...tags, type, ip]);
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113) header around an IP packet. */
export function sllFrame(ip: Buffer, o: { packetType?: number; mac?: string } = {}): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(o.packetType ?? 0, 0);
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(6, 4);
  macBytes(o.mac ?? '02:00:00:00:00:01').copy(h, 6);
  h.writeUInt16BE(etherTypeOf(ip), 14);
  return Buffer.concat([h, ip]);
}

/** Frames an IP packet for a link type: 1 Ethernet, 113 SLL, 101/12/14/228/229 raw IP, 0 BSD null (LE AF). */
export function linkFrame(linkType: number, ip: Buffer): Buffer {
  switch (linkType) {
    case 1:
      return ethernetFrame(ip);
    case 113:
      return sllFrame(ip);
    case 0: {
      const af = Buffer.alloc(4);
      af.writeUInt32LE(ip[0] >> 4 === 6 ? 30 : 2);
      return Buffer.concat([af, ip]);
    }
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
      return ip;
    default:
      throw new Error(`linkFrame: unsupported link type ${linkType}`); // invariant: a caller's (test's) bug
  }
}

/** Splits an IPv4 packet into fragments whose payloads are at most `maxPayload` bytes (rounded down to 8). */
export function fragmentIpv4(packet: Buffer, maxPayload: number): Buffer[] {
  const hl = (packet[0] & 0x0f) << 2;
  const total = packet.readUInt16BE(2);
  const body = packet.subarray(hl, total);
  const step = Math.max(8, maxPayload & ~7);
  const out: Buffer[] = [];
  for (let off = 0; off < body.length; off += step) {
    const part = body.subarray(off, Math.min(body.length, off + step));
    const h = Buffer.from(packet.subarray(0, hl));
    h.writeUInt16BE(hl + part.length, 2);
    h.writeUInt16BE((off + step < body.length ? 0x2000 : 0) | (off >> 3), 6);
    h.writeUInt16BE(0, 10);
    h.writeUInt16BE(internetChecksum(h), 10);
    out.push(Buffer.concat([h, part]));
  }
  return out;
}

/**
 * Splits an IPv6 packet (fixed header, then the transport header: no extension headers) into fragments whose
 * fragmentable parts are at most `maxPayload` bytes (rounded down to 8), each with a fragment header (RFC 8200 §4.5)
 * carrying `id`.
 */
export function fragmentIpv6(packet: Buffer, maxPayload: number, id = 0x1234): Buffer[] {
  const next = packet[6];
  const body = packet.subarray(40, 40 + packet.readUInt16BE(4));
  const step = Math.max(8, maxPayload & ~7);
  const out: Buffer[] = [];
  for (let off = 0; off < body.length; off += step) {
    const part = body.subarray(off, Math.min(body.length, off + step));
    const fh = Buffer.alloc(8);
    fh[0] = next;
    fh.writeUInt16BE(off | (off + step < body.length ? 1 : 0), 2);
    fh.writeUInt32BE(id >>> 0, 4);
    const h = Buffer.from(packet.subarray(0, 40));
    h.writeUInt16BE(8 + part.length, 4);
    h[6] = 44;
    out.push(Buffer.concat([h, fh, part]));
  }
  return out;
}

export interface Endpoint {
  ip: string;
  port: number;
}

export interface TimedPacket {
  /** Epoch seconds (float, microsecond precision intended). */
  ts: number;
  /** The IP packet (frame it with linkFrame). */
  ip: Buffer;
}

/**
 * A TCP connection as seen at the client: handshake (SYN, SYN/ACK one RTT later, ACK), data segments of chosen
 * sizes in either direction (each direction's first segment after a turn change waits half an RTT), FIN close.
 * Sequence/ack numbers are consistent, so a reassembler sees a clean stream.
 */
export class TcpConversation {
  readonly packets: TimedPacket[] = [];
  ts: number;
  private readonly rtt: number;
  private cSeq: number;
  private sSeq: number;
  private last: 'c2s' | 's2c' = 'c2s';

  constructor(
    private readonly o: { client: Endpoint; server: Endpoint; startTs: number; rttMs: number; clientIsn?: number; serverIsn?: number; mss?: number },
  ) {
    this.ts = o.startTs;
    this.rtt = o.rttMs / 1000;
    this.cSeq = o.clientIsn ?? 0x1000;
    this.sSeq = o.serverIsn ?? 0x9000;
  }

  private emit(dir: 'c2s' | 's2c', flags: number, payload: Buffer, options?: Buffer): void {
    const c = this.o.client;
    const s = this.o.server;
    const up = dir === 'c2s';
    const seg: TcpSpec = up
      ? { src: c.ip, dst: s.ip, sport: c.port, dport: s.port, seq: this.cSeq, ack: this.sSeq, flags, payload, options }
      : { src: s.ip, dst: c.ip, sport: s.port, dport: c.port, seq: this.sSeq, ack: this.cSeq, flags, payload, options };
    if (!(flags & F_ACK)) seg.ack = 0;
    this.packets.push({ ts: Math.round(this.ts * 1e6) / 1e6, ip: tcpPacket(seg, { df: true }) });
    const adv = payload.length + (flags & (F_SYN | F_FIN) ? 1 : 0);
    if (up) this.cSeq = (this.cSeq + adv) >>> 0;
    else this.sSeq = (this.sSeq + adv) >>> 0;
  }

  /** SYN at startTs, SYN/ACK after one RTT, ACK right after. */
  handshake(): this {
    const mss = Buffer.from([2, 4, ((this.o.mss ?? 1460) >> 8) & 0xff, (this.o.mss ?? 1460) & 0xff]);
    this.emit('c2s', F_SYN, Buffer.alloc(0), mss);
    this.ts += this.rtt;
    this.emit('s2c', F_SYN | F_ACK, Buffer.alloc(0), mss);
    this.ts += 0.0001;
    this.emit('c2s', F_ACK, Buffer.alloc(0));
    this.last = 'c2s';
    return this;
  }

  /** Sends `data` in segments of at most `segmentSize` bytes (default mss); the last one has PSH. */
  send(dir: 'c2s' | 's2c', data: Buffer, segmentSize = this.o.mss ?? 1460): this {
    if (dir !== this.last) this.ts += this.rtt / 2;
    this.last = dir;
    for (let off = 0; off < data.length; off += segmentSize) {
      const part = data.subarray(off, Math.min(data.length, off + segmentSize));
      const lastSeg = off + segmentSize >= data.length;
      this.emit(dir, F_ACK | (lastSeg ? F_PSH : 0), part);
      this.ts += 0.0001;
    }
    return this;
  }

  /** FIN from the client, FIN/ACK from the server half an RTT later, final ACK. */
  close(): this {
    this.ts += 0.001;
    this.emit('c2s', F_FIN | F_ACK, Buffer.alloc(0));
    this.ts += this.rtt / 2;
    this.emit('s2c', F_FIN | F_ACK, Buffer.alloc(0));
    this.ts += this.rtt / 2;
    this.emit('c2s', F_ACK, Buffer.alloc(0));
    return this;
  }
}
