import { describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../../src/types.js';
import { decodeDnsMessage, isDnsMalformed, type DnsMessage } from '../../../src/extract/dns/message.js';
import { DnsTransactions, type DnsMessageContext } from '../../../src/extract/dns/transactions.js';
import { DNS_PENDING_QUERY_BYTES, DNS_RESPONSE_TIMEOUT_S } from '../../../src/limits.js';
import fc from 'fast-check';
import { encode } from './dns-build.js';

function decode(b: Buffer): DnsMessage {
  const m = decodeDnsMessage(b, 0, b.length);
  if (isDnsMalformed(m)) throw new Error('malformed');
  return m;
}
const q = (id: number, name: string): DnsMessage => decode(encode({ type: 'query', id, flags: 0x0100, questions: [{ type: 'A', name }] }));
const r = (id: number, name: string, addr = '192.0.2.1', rcodeFlags = 0): DnsMessage => decode(encode({
  type: 'response', id, flags: 0x8180 | rcodeFlags, questions: [{ type: 'A', name }],
  answers: [{ type: 'A', name, ttl: 30, data: addr }],
}));

const C = '10.0.0.2';
const S = '10.0.0.1';
function up(ts: number, frame: number, sport = 40000, dport = 53): DnsMessageContext {
  return { ts, frame, transport: 'udp', srcIp: C, dstIp: S, srcPort: sport, dstPort: dport };
}
function down(ts: number, frame: number, sport = 53, dport = 40000, src = S, dst = C): DnsMessageContext {
  return { ts, frame, transport: 'udp', srcIp: src, dstIp: dst, srcPort: sport, dstPort: dport };
}

describe('DnsTransactions', () => {
  it('pairs a query with its response and measures the RTT', () => {
    const out: DnsRecord[] = [];
    const t = new DnsTransactions((x) => out.push(x));
    t.onMessage(q(7, 'a.example'), up(100, 1));
    expect(out).toHaveLength(0);
    t.onMessage(r(7, 'a.example'), down(100.0125, 2));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      ts: 100, frame: 1, protocol: 'dns', client_ip: C, client_port: 40000, server_ip: S, server_port: 53, id: 7,
      qname: 'a.example', qtype: 1, qtype_name: 'A', rcode: 0, rcode_name: 'NOERROR', query_seen: true, response_seen: true,
      rtt_ms: 12.5,
    });
    expect(out[0].answers[0].data).toBe('192.0.2.1');
    expect(t.pendingCount).toBe(0);
  });

  it('does not pair across ports, ids or names', () => {
    const out: DnsRecord[] = [];
    const t = new DnsTransactions((x) => out.push(x));
    t.onMessage(q(7, 'a.example'), up(1, 1));
    t.onMessage(r(8, 'a.example'), down(1.1, 2));
    t.onMessage(r(7, 'b.example'), down(1.1, 3));
    t.onMessage(r(7, 'a.example'), down(1.1, 4, 53, 40001));
    expect(out.map((x) => [x.frame, x.query_seen, x.response_seen])).toEqual([[2, false, true], [3, false, true], [4, false, true]]);
    t.flush();
    expect(out[3]).toMatchObject({ frame: 1, query_seen: true, response_seen: false });
    expect(out[3].rcode).toBeUndefined();
  });

  it('emits a response without query with the client as its destination', () => {
    const out: DnsRecord[] = [];
    new DnsTransactions((x) => out.push(x)).onMessage(r(9, 'late.example', '192.0.2.9', 3), down(5, 10));
    expect(out[0]).toMatchObject({ client_ip: C, server_ip: S, client_port: 40000, server_port: 53, rcode: 3, rcode_name: 'NXDOMAIN', query_seen: false });
    expect(out[0].rtt_ms).toBeUndefined();
  });

  it('expires unanswered queries after the timeout, oldest first', () => {
    const out: DnsRecord[] = [];
    const t = new DnsTransactions((x) => out.push(x));
    t.onMessage(q(1, 'one.example'), up(10, 1));
    t.onMessage(q(2, 'two.example'), up(20, 2));
    t.expire(10 + DNS_RESPONSE_TIMEOUT_S - 1);
    expect(out).toHaveLength(0);
    t.expire(10 + DNS_RESPONSE_TIMEOUT_S);
    expect(out.map((x) => x.qname)).toEqual(['one.example']);
    t.onMessage(r(2, 'two.example'), down(21, 3));
    expect(out[1]).toMatchObject({ qname: 'two.example', response_seen: true });
  });

  it('reports a retransmitted query unanswered and pairs the response with the latest copy', () => {
    const out: DnsRecord[] = [];
    const t = new DnsTransactions((x) => out.push(x));
    t.onMessage(q(1, 'x.example'), up(1, 1));
    t.onMessage(q(1, 'x.example'), up(2, 2));
    t.onMessage(r(1, 'x.example'), down(2.5, 3));
    expect(out.map((x) => [x.frame, x.response_seen])).toEqual([[1, false], [2, true]]);
    expect(out[1].rtt_ms).toBe(500);
  });

  it('does not pair mDNS (each message is its own record) and labels it', () => {
    const out: DnsRecord[] = [];
    const t = new DnsTransactions((x) => out.push(x));
    t.onMessage(q(0, 'printer.local'), { ts: 1, frame: 1, transport: 'udp', srcIp: C, dstIp: '224.0.0.251', srcPort: 5353, dstPort: 5353 });
    t.onMessage(r(0, 'printer.local'), { ts: 1.1, frame: 2, transport: 'udp', srcIp: '10.0.0.9', dstIp: '224.0.0.251', srcPort: 5353, dstPort: 5353 });
    expect(out.map((x) => [x.protocol, x.query_seen, x.response_seen])).toEqual([['mdns', true, false], ['mdns', false, true]]);
    expect(t.pendingCount).toBe(0);
  });

  it('pairs LLMNR although the response comes from the responder, not the multicast group', () => {
    const out: DnsRecord[] = [];
    const t = new DnsTransactions((x) => out.push(x));
    t.onMessage(q(5, 'nas'), { ts: 1, frame: 1, transport: 'udp', srcIp: C, dstIp: '224.0.0.252', srcPort: 50000, dstPort: 5355 });
    t.onMessage(r(5, 'nas', '10.0.0.7'), { ts: 1.002, frame: 2, transport: 'udp', srcIp: '10.0.0.7', dstIp: C, srcPort: 5355, dstPort: 50000 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ protocol: 'llmnr', query_seen: true, response_seen: true, rtt_ms: 2 });
  });

  it('emits the oldest waiting query unanswered when the pending cap is reached', () => {
    const out: DnsRecord[] = [];
    const t = new DnsTransactions((x) => out.push(x), 2);
    t.onMessage(q(1, 'a.example'), up(1, 1));
    t.onMessage(q(2, 'b.example'), up(2, 2));
    t.onMessage(q(3, 'c.example'), up(3, 3));
    expect(out.map((x) => x.qname)).toEqual(['a.example']);
    expect(t.evictedByCap).toBe(1);
    expect(t.pendingCount).toBe(2);
  });

  it('is bounded in bytes too: long names leave room for fewer waiting queries', () => {
    const out: DnsRecord[] = [];
    const long = ['a', 'b', 'c', 'd'].map((l) => l.repeat(60)).join('.');
    // Room for two queries with a long name (each: overhead, key with the name, the name).
    const one = DNS_PENDING_QUERY_BYTES + 2 * long.length + 40;
    const t = new DnsTransactions((x) => out.push(x), 1000, 2 * one + 10);
    for (let i = 1; i <= 4; i++) t.onMessage(q(i, long), up(i, i, 40000 + i));
    expect(t.pendingCount).toBe(2);
    expect(t.evictedByCap).toBe(2);
    expect(out.map((x) => x.frame)).toEqual([1, 2]);
    expect(t.pendingBytes).toBeLessThanOrEqual(2 * one + 10);
    t.onMessage(r(4, long), down(5, 5, 53, 40004));
    expect(out.map((x) => x.frame)).toEqual([1, 2, 4]);
    t.flush();
    expect(t.pendingBytes).toBe(0);
    expect(out.map((x) => x.frame)).toEqual([1, 2, 4, 3]);
  });

  it('property: every query comes out exactly once, waiting queries stay within both bounds, accounting returns to zero', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.nat({ max: 20 }), port: fc.nat({ max: 3 }), response: fc.boolean(), dt: fc.integer({ min: 0, max: 20 }) }), { maxLength: 150 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 400, max: 3_000 }),
        (msgs, maxPending, maxBytes) => {
          const out: DnsRecord[] = [];
          const t = new DnsTransactions((x) => out.push(x), maxPending, maxBytes);
          let ts = 0;
          let queries = 0;
          let frame = 0;
          for (const m of msgs) {
            ts += m.dt;
            frame++;
            const name = `n${m.id}.example`;
            if (m.response) t.onMessage(r(m.id, name), down(ts, frame, 53, 40000 + m.port));
            else {
              queries++;
              t.onMessage(q(m.id, name), up(ts, frame, 40000 + m.port));
            }
            t.expire(ts);
            expect(t.pendingCount).toBeLessThanOrEqual(maxPending);
            expect(t.pendingBytes).toBeGreaterThanOrEqual(0);
            expect(t.pendingCount <= 1 || t.pendingBytes <= maxBytes).toBe(true);
          }
          t.flush();
          expect(t.pendingBytes).toBe(0);
          expect(out.filter((x) => x.query_seen)).toHaveLength(queries);
        },
      ),
      { numRuns: 200 },
    );
  });
});

