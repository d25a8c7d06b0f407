// Which worker of a split run (split.ts) reads a record, from its link and IP headers only: the hash of its
// address pair, direction-free, so both directions of a flow and every fragment of a datagram go to one worker.
// What another worker also needs is marked `broadcast`: DNS (by port, or a UDP payload that looks like DNS, as the
// dispatcher decides), so that every worker's naming cache sees every answer in capture order; fragments and
// IP tunnels, whose DNS only shows once reassembled or unwrapped; and link types read here only as far as the
// Decoder reads them (PPP, NFLOG, MPLS, PPPoE: unwrapped by the Decoder alone), which go to worker 0 and are
// broadcast. A record whose headers are cut goes to worker 0, as the Decoder will count it there.

import { dnsFlavourForPorts, looksLikeDns } from '../extract/dns/detect.js';
import { NOT_DNS_PORTS } from '../extract/dispatch.js';

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
/** L2TP (RFC 2661), unwrapped by the Decoder: its inner packets may be DNS. */
const L2TP_PORT = 1701;
/** Hash slots the shards share out (shard.ts constructor). */
const SLOTS = 1024;

export class Sharder {
  /** Set by route(): the record must also reach every other worker (see module comment). */
  broadcast = false;

  /** Hash slot -> shard: shard 0 (the reader's own thread, which also reads, merges and writes) takes one share,
   *  every worker thread three (with --jobs 2 the reader's thread was the busier one at 1:2, measured: the worker
   *  waited for records 60 % of the time). */
  private readonly slots = new Uint8Array(SLOTS);

  constructor(readonly workers: number) {
    const shares = workers <= 1 ? [1] : [1, ...new Array<number>(workers - 1).fill(3)];
    const total = shares.reduce((a, b) => a + b, 0);
    let w = 0;
    let upTo = shares[0];
    for (let i = 0; i < SLOTS; i++) {
      while ((i * total) / SLOTS >= upTo && w < workers - 1) upTo += shares[++w];
      this.slots[i] = w;
    }
  }

  /** The worker that owns the record in buf[off, off + caplen) of link type `lt`. */
  route(buf: Buffer, off: number, caplen: number, lt: number): number {
    this.broadcast = false;
    const end = off + caplen;
    switch (lt) {
      case 1: {
        if (caplen < 14) return 0;
        let type = (buf[off + 12] << 8) | buf[off + 13];
        let o = off + 14;
        for (let tags = 0; (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) && tags < 4; tags++) {
          if (end - o < 4) return 0;
          type = (buf[o + 2] << 8) | buf[o + 3];
          o += 4;
        }
        if (type === ETH_IPV4) return this.ip(buf, o, end, 4);
        if (type === ETH_IPV6) return this.ip(buf, o, end, 6);
        // MPLS and PPPoE carry IP the Decoder finds; anything else is not IP.
        if (type === 0x8847 || type === 0x8848 || type === 0x8864) this.broadcast = true;
        return 0;
      }
      case 101:
      case 12:
      case 14:
        return end - off < 1 ? 0 : this.ip(buf, off, end, buf[off] >> 4);
      case 228:
        return this.ip(buf, off, end, 4);
      case 229:
        return this.ip(buf, off, end, 6);
      case 113:
        return caplen < 16 ? 0 : this.ethertype(buf, off + 16, end, (buf[off + 14] << 8) | buf[off + 15]);
      case 276:
        return caplen < 20 ? 0 : this.ethertype(buf, off + 20, end, (buf[off] << 8) | buf[off + 1]);
      case 0:
      case 108: {
        if (caplen < 4) return 0;
        let af = buf.readUInt32LE(off);
        if (af > 0xffff) af = buf.readUInt32BE(off);
        if (af === 2) return this.ip(buf, off + 4, end, 4);
        if (af === 24 || af === 28 || af === 30 || af === 10) return this.ip(buf, off + 4, end, 6);
        return 0;
      }
      default:
        this.broadcast = true;
        return 0;
    }
  }

  private ethertype(buf: Buffer, o: number, end: number, type: number): number {
    if (type === ETH_IPV4) return this.ip(buf, o, end, 4);
    if (type === ETH_IPV6) return this.ip(buf, o, end, 6);
    this.broadcast = true;
    return 0;
  }

  private ip(buf: Buffer, o: number, end: number, version: number): number {
    let h: number;
    let proto: number;
    let t: number;
    let tend = end;
    if (version === 4) {
      if (end - o < 20) return 0;
      const ihl = (buf[o] & 0x0f) * 4;
      const total = (buf[o + 2] << 8) | buf[o + 3];
      if (total >= ihl && o + total < tend) tend = o + total;
      h = mix(word(buf, o + 12) ^ word(buf, o + 16));
      proto = buf[o + 9];
      const frag = ((buf[o + 6] << 8) | buf[o + 7]) & 0x3fff;
      if (frag !== 0) {
        this.broadcast = true;
        return this.owner(h);
      }
      t = o + ihl;
    } else if (version === 6) {
      if (end - o < 40) return 0;
      h = mix(hash4(buf, o + 8) ^ hash4(buf, o + 24));
      const plen = (buf[o + 4] << 8) | buf[o + 5];
      if (o + 40 + plen < tend) tend = o + 40 + plen;
      proto = buf[o + 6];
      t = o + 40;
      // Hop-by-hop, routing and destination options, AH: skipped to the transport header; a fragment header
      // means the transport is reassembled by the Decoder.
      for (let n = 0; n < 8; n++) {
        if (proto === 44) {
          this.broadcast = true;
          return this.owner(h);
        }
        if (proto !== 0 && proto !== 43 && proto !== 60 && proto !== 51) break;
        if (tend - t < 8) return this.owner(h);
        const next = buf[t];
        t += proto === 51 ? (buf[t + 1] + 2) * 4 : (buf[t + 1] + 1) * 8;
        proto = next;
      }
    } else {
      return 0;
    }
    if (proto === 4 || proto === 41 || proto === 47) {
      this.broadcast = true;
      return this.owner(h);
    }
    if ((proto === 6 || proto === 17) && tend - t >= 4) {
      const sp = (buf[t] << 8) | buf[t + 1];
      const dp = (buf[t + 2] << 8) | buf[t + 3];
      if (dnsFlavourForPorts(sp, dp) !== null) this.broadcast = true;
      else if (proto === 17) {
        if (sp === L2TP_PORT || dp === L2TP_PORT) this.broadcast = true;
        else if (!NOT_DNS_PORTS.has(sp) && !NOT_DNS_PORTS.has(dp) && tend - t >= 20 && looksLikeDns(buf, t + 8, tend - t - 8, 'udp')) this.broadcast = true;
      }
    }
    return this.owner(h);
  }

  private owner(h: number): number {
    return this.slots[(h >>> 0) % SLOTS];
  }
}

function word(buf: Buffer, o: number): number {
  return (buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3];
}

/** One IPv6 address's four words folded into one (before the pair's XOR). */
function hash4(buf: Buffer, o: number): number {
  let h = Math.imul(word(buf, o) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ word(buf, o + 4), 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ word(buf, o + 8), 0x85ebca6b);
  return Math.imul(h ^ (h >>> 16) ^ word(buf, o + 12), 0xc2b2ae35);
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 13), 0x45d9f3b);
  return h ^ (h >>> 16);
}
