// fast-check properties of fragment handling through the whole pipeline, on generated captures of IPv4/IPv6,
// TCP/UDP datagrams, whole or fragmented: fragments of complete datagrams in any order and duplicated give the same
// flows; with fragments missing (first ones included) nothing vanishes: the bytes over all flows add up to the IP
// payload lengths of every packet in the capture.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RawPacket } from '../../src/capture/raw-packet.js';
import { DECODE_OK, Decoder } from '../../src/decode/decoder.js';
import { PacketView } from '../../src/decode/packet-view.js';
import { analyzeCapture } from '../../src/pipeline.js';
import type { FlowRecord } from '../../src/types.js';
import { capture, fragmentsOf } from '../../src/synth/fragment-captures.js';
import { tcpPacket, udpPacket, type TimedPacket } from '../../src/synth/packets.js';

const HOSTS4 = ['10.0.0.2', '10.0.0.3', '8.8.8.8', '93.184.216.34'];
const HOSTS6 = ['2001:db8::2', '2001:db8::3', '2001:4860:4860::8888', '2606:2800:220:1::1'];

interface Gram {
  version: 4 | 6;
  tcp: boolean;
  src: number;
  dst: number;
  sport: number;
  dport: number;
  len: number;
  /** 0: not fragmented; else the fragment size. */
  frag: number;
  /** Fragments kept (bit i keeps fragment i), when some are dropped. */
  keep: number;
}

const gram: fc.Arbitrary<Gram> = fc.record({
  version: fc.constantFrom(4 as const, 6 as const),
  tcp: fc.boolean(),
  src: fc.nat(3),
  dst: fc.nat(3),
  sport: fc.constantFrom(53, 443, 40000, 40001, 5353),
  dport: fc.constantFrom(53, 443, 40002, 8080),
  len: fc.integer({ min: 0, max: 900 }),
  frag: fc.oneof(fc.constant(0), fc.integer({ min: 8, max: 400 })),
  keep: fc.nat(),
});

/** The IP packets of one datagram (fragments when `frag`), with the IP payload bytes each carries. */
function packetsOf(g: Gram, id: number): { ip: Buffer; bytes: number }[] {
  const hosts = g.version === 4 ? HOSTS4 : HOSTS6;
  const src = hosts[g.src];
  const dst = hosts[g.src === g.dst ? (g.dst + 1) % 4 : g.dst];
  const payload = Buffer.alloc(g.len, id & 0xff);
  const ip = g.tcp
    ? tcpPacket({ src, dst, sport: g.sport, dport: g.dport, seq: 1000 + id, ack: 1, flags: 0x18, payload }, { id })
    : udpPacket({ src, dst, sport: g.sport, dport: g.dport, payload }, { id });
  const frags = g.frag === 0 ? [ip] : fragmentsOf(ip, g.frag, g.version, id);
  // IPv4: total length - header; IPv6: payload length (less the fragment header of a fragment)
  return frags.map((f) => ({ ip: f, bytes: g.version === 4 ? f.readUInt16BE(2) - 20 : f.readUInt16BE(4) - (f[6] === 44 ? 8 : 0) }));
}

async function flowsOf(packets: TimedPacket[]): Promise<FlowRecord[]> {
  const flows: FlowRecord[] = [];
  const pcap = capture(packets, 101);
  await analyzeCapture('gen.pcap', { flow: (f) => flows.push(f) }, { source: [pcap] as unknown as AsyncIterable<Buffer> });
  return flows;
}

/** What a flow counted, whichever side it took for the client (content may orient a flow by whichever packet came
 *  first): transport, both endpoints, and packets / IP bytes / payload bytes sent by each. */
function counts(flows: FlowRecord[]): string[] {
  return flows
    .map((f) => {
      const c = `${f.client_ip}:${f.client_port} ${f.packets_up} ${f.bytes_up} ${f.payload_up}`;
      const s = `${f.server_ip}:${f.server_port} ${f.packets_down} ${f.bytes_down} ${f.payload_down}`;
      return `${f.transport} ${[c, s].sort().join(' | ')}`;
    })
    .sort();
}

/** Deterministic shuffle by a list of random keys. */
function shuffled<T>(items: T[], keys: number[]): T[] {
  return items.map((x, i) => ({ x, k: keys[i % Math.max(1, keys.length)] ?? 0, i })).sort((a, b) => a.k - b.k || a.i - b.i).map((e) => e.x);
}

describe('fragments through the pipeline', () => {
  it('complete datagrams: the same flows whatever the order and duplication of their fragments', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(gram, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 64 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
        async (grams, keys, dups) => {
          const inOrder: Buffer[] = [];
          const frags: Buffer[] = [];
          grams.forEach((g, i) => {
            const ps = packetsOf(g, i + 1);
            for (const p of ps) inOrder.push(p.ip);
            if (ps.length > 1) frags.push(...ps.map((p) => p.ip));
          });
          const mixed = shuffled(inOrder, keys);
          // copies of fragments anywhere, also after their datagram completed (a duplicated packet)
          if (frags.length > 0) for (const [which, at] of dups) mixed.splice(at % (mixed.length + 1), 0, frags[which % frags.length]);
          const at = (ps: Buffer[]): TimedPacket[] => ps.map((ip, i) => ({ ts: 1_700_000_000 + i * 0.001, ip }));
          const base = await flowsOf(at(inOrder));
          const got = await flowsOf(at(mixed));
          expect(counts(got)).toEqual(counts(base));
          for (const f of got) expect(f.anomalies ?? []).not.toContain('ip_fragment_incomplete');
        }),
      { numRuns: 150 },
    );
  });

  it('fragments missing, any order, any time: the bytes over all flows are the IP payload bytes of every packet', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(gram, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 64 }), fc.array(fc.integer({ min: 0, max: 8000 }), { maxLength: 64 }),
        async (grams, keys, gaps) => {
          const pk: { ip: Buffer; bytes: number }[] = [];
          grams.forEach((g, i) => {
            const all = packetsOf(g, i + 1);
            pk.push(...(all.length > 1 ? all.filter((_, j) => ((g.keep >>> (j % 30)) & 1) === 1) : all));
          });
          let ts = 1_700_000_000;
          const timed = shuffled(pk, keys).map((p, i) => {
            ts += (gaps[i % Math.max(1, gaps.length)] ?? 0) / 1000; // up to 8 s apart: timeouts happen
            return { ts, ip: p.ip };
          });
          const flows = await flowsOf(timed);
          const want = pk.reduce((n, p) => n + p.bytes, 0);
          const have = flows.reduce((n, f) => n + f.bytes_up + f.bytes_down, 0);
          expect(have).toBe(want);
          for (const f of flows) {
            if ((f.anomalies ?? []).includes('ip_fragment_first_missing')) expect([f.client_port, f.server_port]).toEqual([0, 0]);
          }
        }),
      { numRuns: 200 },
    );
  });

  it('mutated, cut and mixed fragments: giving them up never throws and delivers views inside their buffers', () => {
    const seeds = [
      ...packetsOf({ version: 4, tcp: false, src: 0, dst: 2, sport: 53, dport: 40002, len: 300, frag: 64, keep: 0 }, 1),
      ...packetsOf({ version: 6, tcp: true, src: 1, dst: 3, sport: 40000, dport: 443, len: 300, frag: 96, keep: 0 }, 2),
      ...packetsOf({ version: 4, tcp: true, src: 0, dst: 3, sport: 40000, dport: 443, len: 40, frag: 8, keep: 0 }, 3),
    ].map((p) => p.ip);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), fc.nat(40)), { maxLength: 12 }),
        (picks) => {
          const d = new Decoder();
          d.deliverIncomplete = true;
          const v = new PacketView();
          const check = (r: number): void => {
            if (r !== DECODE_OK) return;
            expect(v.payloadOff + v.payloadLen).toBeLessThanOrEqual(v.buf.length);
            expect(v.payloadLen).toBeGreaterThanOrEqual(0);
            expect(v.payloadLen).toBeLessThanOrEqual(v.payloadWireLen);
            expect(v.ipPayloadLen).toBeGreaterThanOrEqual(v.payloadWireLen);
            expect(v.dstOff + v.addrLen).toBeLessThanOrEqual(v.buf.length);
          };
          picks.forEach(([i, muts, cut], n) => {
            const f = Buffer.from(seeds[i]);
            for (const [pos, val] of muts) f[pos % f.length] = val;
            const p = new RawPacket();
            p.buf = f;
            p.caplen = Math.max(0, f.length - cut);
            p.linkType = 101;
            p.tsSec = 100 + n;
            p.frame = n + 1;
            check(d.decode(p, v));
            for (let r = d.nextIncomplete(v); r >= 0; r = d.nextIncomplete(v)) check(r);
          });
          d.flushFragments();
          for (let r = d.nextIncomplete(v); r >= 0; r = d.nextIncomplete(v)) check(r);
          expect(d.counters.internal_error).toBe(0);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
