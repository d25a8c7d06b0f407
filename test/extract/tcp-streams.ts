// Test-only: naive per-direction TCP stream assembly for the DNS/HTTP capture tests (in-order by sequence number,
// retransmissions dropped, gaps reported), standing in for the flow stage owned by others.
import type { L4Packet } from './pcap-packets.js';

export interface StreamChunk {
  frame: number;
  /** True when bytes were missing before this chunk (the consumer must resync). */
  gap: boolean;
  data: Buffer;
}

export interface TcpDirection {
  key: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  chunks: StreamChunk[];
}

/** Groups TCP payloads per direction, orders them by sequence number and trims retransmitted bytes. */
export function tcpDirections(packets: L4Packet[]): TcpDirection[] {
  const byKey = new Map<string, { dir: TcpDirection; segs: L4Packet[] }>();
  for (const p of packets) {
    if (p.transport !== 'tcp') continue;
    const key = `${p.src}|${p.sport}|${p.dst}|${p.dport}`;
    let e = byKey.get(key);
    if (e === undefined) {
      e = { dir: { key, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, chunks: [] }, segs: [] };
      byKey.set(key, e);
    }
    e.segs.push(p);
  }
  for (const { dir, segs } of byKey.values()) {
    const data = segs.filter((s) => s.len > 0);
    if (data.length === 0) continue;
    const base = data[0].seq;
    const rel = (s: L4Packet): number => (s.seq - base) >>> 0 > 0x7fffffff ? -(((base - s.seq) >>> 0)) : (s.seq - base) >>> 0;
    data.sort((a, b) => rel(a) - rel(b) || a.frame - b.frame);
    let next = rel(data[0]);
    for (const s of data) {
      const r = rel(s);
      const endRel = r + s.len;
      if (endRel <= next) continue;
      const skip = Math.max(0, next - r);
      dir.chunks.push({ frame: s.frame, gap: r > next, data: s.buf.subarray(s.off + skip, s.off + s.len) });
      next = endRel;
    }
  }
  return [...byKey.values()].map((e) => e.dir).filter((d) => d.chunks.length > 0);
}
