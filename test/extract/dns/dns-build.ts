// Test-only builders: DNS messages via dns-packet's encoder, plus raw helpers for what it cannot encode
// (SVCB/HTTPS params, compression loops, forward pointers, truncation).
import * as dnsPacket from 'dns-packet';

/** dns-packet's encoder, loosely typed so tests can pass records its typings do not know (UNKNOWN_<n>, OPT). */
export function encode(packet: object): Buffer {
  return dnsPacket.encode(packet as dnsPacket.Packet);
}

/** Wire-format name without compression. */
export function wireName(name: string): Buffer {
  const parts = name === '' || name === '.' ? [] : name.split('.');
  return Buffer.concat([...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

/** Header with explicit counts. */
export function header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(flags, 2);
  b.writeUInt16BE(qd, 4);
  b.writeUInt16BE(an, 6);
  b.writeUInt16BE(ns, 8);
  b.writeUInt16BE(ar, 10);
  return b;
}

export function question(name: string, type: number): Buffer {
  const t = Buffer.alloc(4);
  t.writeUInt16BE(type, 0);
  t.writeUInt16BE(1, 2);
  return Buffer.concat([wireName(name), t]);
}

/** A resource record with a given owner (raw wire bytes) and rdata. */
export function rr(owner: Buffer, type: number, ttl: number, rdata: Buffer, klass = 1): Buffer {
  const f = Buffer.alloc(10);
  f.writeUInt16BE(type, 0);
  f.writeUInt16BE(klass, 2);
  f.writeUInt32BE(ttl >>> 0, 4);
  f.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, f, rdata]);
}

/** SVCB/HTTPS rdata: priority, TargetName, then (key, value) params. */
export function svcbRdata(priority: number, target: string, params: Array<[number, Buffer]>): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(priority, 0);
  const ps = params.map(([k, v]) => {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(k, 0);
    h.writeUInt16BE(v.length, 2);
    return Buffer.concat([h, v]);
  });
  return Buffer.concat([p, wireName(target), ...ps]);
}

export function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}
