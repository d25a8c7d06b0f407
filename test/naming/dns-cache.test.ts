import { describe, expect, it } from 'vitest';
import { decodeDnsMessage, isDnsMalformed, type DnsMessage } from '../../src/extract/dns/message.js';
import { DnsNameCache } from '../../src/naming/dns-cache.js';
import { DNS_CACHE_CLIENT_BYTES, DNS_CACHE_ENTRY_OVERHEAD_BYTES, DNS_TTL_GRACE_S, MAX_CNAME_CHAIN } from '../../src/limits.js';
import fc from 'fast-check';
import { encode, header, ipv4, question, rr, svcbRdata, wireName } from '../extract/dns/dns-build.js';

function decode(b: Buffer): DnsMessage {
  const m = decodeDnsMessage(b, 0, b.length);
  if (isDnsMalformed(m)) throw new Error('malformed');
  return m;
}

type Ans = { type: 'A' | 'AAAA' | 'CNAME'; name: string; data: string; ttl?: number };
function resp(qname: string, answers: Ans[]): DnsMessage {
  return decode(encode({
    type: 'response', id: 1, flags: 0x8180, questions: [{ type: 'A', name: qname }],
    answers: answers.map((a) => ({ ttl: 300, ...a })),
  }));
}

const PHONE_A = '10.0.0.2';
const PHONE_B = '10.0.0.3';

describe('DnsNameCache', () => {
  it('names a server address with the queried name, per client only', () => {
    const c = new DnsNameCache();
    c.addResponse(PHONE_A, resp('api.example.com', [{ type: 'A', name: 'api.example.com', data: '192.0.2.10' }]), 100);
    expect(c.lookup(PHONE_A, '192.0.2.10', 101)).toEqual({ hostname: 'api.example.com', cnameChain: ['api.example.com'], source: 'dns', frame: -1 });
    expect(c.lookup(PHONE_B, '192.0.2.10', 101)).toBeUndefined();
    expect(c.lookup(PHONE_A, '192.0.2.11', 101)).toBeUndefined();
  });

  it('respects TTL plus the grace period', () => {
    const c = new DnsNameCache();
    c.addResponse(PHONE_A, resp('t.example', [{ type: 'A', name: 't.example', data: '192.0.2.1', ttl: 30 }]), 1000);
    expect(c.lookup(PHONE_A, '192.0.2.1', 1000 + 30 + DNS_TTL_GRACE_S)?.hostname).toBe('t.example');
    expect(c.lookup(PHONE_A, '192.0.2.1', 1000 + 30 + DNS_TTL_GRACE_S + 0.001)).toBeUndefined();
  });

  it('lets the most recent answer for an address win', () => {
    const c = new DnsNameCache();
    c.addResponse(PHONE_A, resp('first.example', [{ type: 'A', name: 'first.example', data: '192.0.2.5' }]), 1);
    c.addResponse(PHONE_A, resp('second.example', [{ type: 'A', name: 'second.example', data: '192.0.2.5' }]), 2);
    expect(c.lookup(PHONE_A, '192.0.2.5', 3)?.hostname).toBe('second.example');
  });

  it('follows a CNAME chain back to the queried name, in one response', () => {
    const c = new DnsNameCache();
    c.addResponse(PHONE_A, resp('www.shop.example', [
      { type: 'CNAME', name: 'www.shop.example', data: 'shop.cdn.example.net' },
      { type: 'CNAME', name: 'shop.cdn.example.net', data: 'e1.edge.example.net' },
      { type: 'AAAA', name: 'e1.edge.example.net', data: '2001:db8::7' },
    ]), 10);
    expect(c.lookup(PHONE_A, '2001:db8::7', 11)).toEqual({
      hostname: 'www.shop.example', cnameChain: ['www.shop.example', 'shop.cdn.example.net', 'e1.edge.example.net'], source: 'dns', frame: -1,
    });
  });

  it('keeps the uid of the flow that carried the response and its frame (what a flow gets as dns_uid, dns_frame)', () => {
    const c = new DnsNameCache();
    c.addResponse(PHONE_A, resp('api.example.com', [{ type: 'A', name: 'api.example.com', data: '192.0.2.10' }]), 100, 'CdnsFlow1', 42);
    c.addResponse(PHONE_A, resp('b.example.com', [{ type: 'A', name: 'b.example.com', data: '192.0.2.11' }]), 101);
    expect(c.lookup(PHONE_A, '192.0.2.10', 101)).toMatchObject({ uid: 'CdnsFlow1', frame: 42 });
    expect(c.lookup(PHONE_A, '192.0.2.11', 102)).toMatchObject({ uid: undefined, frame: -1 });
  });

  it('follows a CNAME learnt in an earlier response of the same client', () => {
    const c = new DnsNameCache();
    c.addResponse(PHONE_A, resp('app.example', [{ type: 'CNAME', name: 'app.example', data: 'lb.example.net' }]), 1);
    c.addResponse(PHONE_A, resp('lb.example.net', [{ type: 'A', name: 'lb.example.net', data: '198.51.100.1' }]), 2);
    // Querying the target directly: the client asked for lb.example.net, so that is the hostname.
    expect(c.lookup(PHONE_A, '198.51.100.1', 3)?.hostname).toBe('lb.example.net');
    // An mDNS-style answer without a question walks back through the remembered alias.
    c.addResponse(PHONE_A, resp('', [{ type: 'A', name: 'lb.example.net', data: '198.51.100.2' }]), 4);
    expect(c.lookup(PHONE_A, '198.51.100.2', 5)?.cnameChain).toEqual(['app.example', 'lb.example.net']);
    expect(c.lookup(PHONE_B, '198.51.100.2', 5)).toBeUndefined();
  });

  it('is safe against CNAME loops and bounds the chain', () => {
    const c = new DnsNameCache();
    c.addResponse(PHONE_A, resp('', [
      { type: 'CNAME', name: 'a.loop', data: 'b.loop' },
      { type: 'CNAME', name: 'b.loop', data: 'a.loop' },
      { type: 'A', name: 'a.loop', data: '192.0.2.77' },
    ]), 1);
    const n = c.lookup(PHONE_A, '192.0.2.77', 2);
    expect(n?.cnameChain).toEqual(['b.loop', 'a.loop']);
    const long: Ans[] = [];
    for (let i = 0; i < 40; i++) long.push({ type: 'CNAME', name: `n${i}.example`, data: `n${i + 1}.example` });
    long.push({ type: 'A', name: 'n40.example', data: '192.0.2.78' });
    c.addResponse(PHONE_A, resp('n0.example', long), 3);
    const chain = c.lookup(PHONE_A, '192.0.2.78', 4)?.cnameChain ?? [];
    expect(chain.length).toBe(MAX_CNAME_CHAIN + 1);
    expect(chain[chain.length - 1]).toBe('n40.example');
  });

  it('names hinted addresses from HTTPS records, answers overriding hints', () => {
    const c = new DnsNameCache();
    const msg = decode(Buffer.concat([
      header(2, 0x8180, 1, 2, 0, 0),
      question('svc.example', 65),
      rr(Buffer.from([0xc0, 12]), 65, 300, svcbRdata(1, '', [[4, Buffer.concat([ipv4('192.0.2.50'), ipv4('192.0.2.51')])]])),
      rr(wireName('svc.example'), 1, 300, ipv4('192.0.2.51')),
    ]));
    c.addResponse(PHONE_A, msg, 1);
    expect(c.lookup(PHONE_A, '192.0.2.50', 2)).toEqual({ hostname: 'svc.example', cnameChain: ['svc.example'], source: 'dns_https_hint', frame: -1 });
    expect(c.lookup(PHONE_A, '192.0.2.51', 2)?.source).toBe('dns');
  });

  it('ignores queries', () => {
    const c = new DnsNameCache();
    const q = decode(encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'x.example' }], answers: [{ type: 'A', name: 'x.example', ttl: 9, data: '192.0.2.99' }] }));
    c.addResponse(PHONE_A, q, 1);
    expect(c.lookup(PHONE_A, '192.0.2.99', 1)).toBeUndefined();
    expect(c.clientCount).toBe(0);
    expect(c.entries).toBe(0);
  });

  it('is bounded in entries across all clients: the least recently answered or used entry goes first', () => {
    const c = new DnsNameCache(3, 1e9);
    const learn = (client: string, i: number, ts: number) =>
      c.addResponse(client, resp(`h${i}.example`, [{ type: 'A', name: `h${i}.example`, data: `192.0.2.${i}` }]), ts);
    learn(PHONE_A, 1, 1);
    learn(PHONE_B, 2, 2);
    learn(PHONE_A, 3, 3);
    expect(c.lookup(PHONE_A, '192.0.2.1', 4)?.hostname).toBe('h1.example'); // used: now the most recent
    learn('10.0.0.4', 4, 5); // evicts the least recent: PHONE_B's h2
    expect(c.entries).toBe(3);
    expect(c.evicted).toBe(1);
    expect(c.lookup(PHONE_B, '192.0.2.2', 6)).toBeUndefined();
    expect(c.clientCount).toBe(2); // PHONE_B had nothing left: forgotten
    learn(PHONE_A, 3, 7); // answered again: refreshed in place, no eviction
    expect(c.evicted).toBe(1);
    learn('10.0.0.5', 5, 8); // order was h1, h4, h3: h1 goes
    expect(c.lookup(PHONE_A, '192.0.2.1', 9)).toBeUndefined();
    expect(c.lookup('10.0.0.4', '192.0.2.4', 9)?.hostname).toBe('h4.example');
    expect(c.lookup(PHONE_A, '192.0.2.3', 9)?.hostname).toBe('h3.example');
    expect(c.evicted).toBe(2);
  });

  it('is bounded in bytes: long names take more room than short ones', () => {
    const long = ['a', 'b', 'c', 'd'].map((l) => l.repeat(50)).join('.') + '.example';
    const entryBytes = (name: string, addr: string) => DNS_CACHE_ENTRY_OVERHEAD_BYTES + addr.length + name.length;
    const cap = DNS_CACHE_CLIENT_BYTES + PHONE_A.length + 2 * entryBytes(long, '192.0.2.1') + 10;
    const c = new DnsNameCache(1000, cap);
    for (let i = 1; i <= 5; i++) c.addResponse(PHONE_A, resp(long, [{ type: 'A', name: long, data: `192.0.2.${i}` }]), i);
    expect(c.entries).toBe(2);
    expect(c.bytes).toBeLessThanOrEqual(cap);
    expect(c.lookup(PHONE_A, '192.0.2.5', 6)?.hostname).toBe(long);
    expect(c.lookup(PHONE_A, '192.0.2.3', 6)).toBeUndefined();
    expect(c.evicted).toBe(3);
  });

  it('drops expired entries met at the head without counting them as evicted', () => {
    const c = new DnsNameCache(2, 1e9);
    c.addResponse(PHONE_A, resp('old.example', [{ type: 'A', name: 'old.example', data: '192.0.2.1', ttl: 1 }]), 0);
    c.addResponse(PHONE_A, resp('new.example', [{ type: 'A', name: 'new.example', data: '192.0.2.2', ttl: 1 }]), 1000);
    expect(c.entries).toBe(1);
    expect(c.evicted).toBe(0);
  });

  it('property: within its bounds it names flows exactly as an unbounded per-client map; past them it stays bounded', () => {
    type Op = { client: number; name: number; addr: number; ttl: number; lookup: boolean };
    const op = fc.record({
      client: fc.nat({ max: 3 }),
      name: fc.nat({ max: 12 }),
      addr: fc.nat({ max: 12 }),
      ttl: fc.integer({ min: 0, max: 50 }),
      lookup: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1_000, max: 20_000 }), (ops: Op[], maxEntries, maxBytes) => {
        const bounded = new DnsNameCache(maxEntries, maxBytes);
        const big = new DnsNameCache(1e9, 1e12);
        const model = new Map<string, { name: string; expires: number }>();
        let ts = 0;
        for (const o of ops) {
          ts += 1;
          const client = `10.0.0.${o.client + 1}`;
          const addr = `198.51.100.${o.addr}`;
          if (o.lookup) {
            const m = model.get(`${client}|${addr}`);
            const want = m !== undefined && ts <= m.expires ? m.name : undefined;
            expect(big.lookup(client, addr, ts)?.hostname).toBe(want);
            const got = bounded.lookup(client, addr, ts)?.hostname;
            if (bounded.evicted === 0) expect(got).toBe(want);
            else if (got !== undefined) expect(got).toBe(want); // eviction only forgets, never misnames
          } else {
            const name = `n${o.name}.example`;
            const msg = resp(name, [{ type: 'A', name, data: addr, ttl: o.ttl }]);
            bounded.addResponse(client, msg, ts);
            big.addResponse(client, msg, ts);
            model.set(`${client}|${addr}`, { name, expires: ts + o.ttl + DNS_TTL_GRACE_S });
          }
          expect(bounded.entries).toBeLessThanOrEqual(maxEntries);
          expect(bounded.entries).toBeGreaterThanOrEqual(0);
          expect(bounded.bytes === 0 || bounded.bytes <= maxBytes || bounded.entries <= 1).toBe(true);
          expect(big.evicted).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('learns 50,000 answers from 4,096 clients and stays within its bounds', () => {
    const c = new DnsNameCache(5_000, 2e6);
    const learn = (i: number) =>
      c.addResponse(`10.1.${(i >> 8) & 15}.${i & 255}`, resp(`${i}.evil.example`, [{ type: 'A', name: `${i}.evil.example`, data: `13.0.${(i >> 8) & 255}.${i & 255}` }]), i / 1000);
    for (let i = 0; i < 50_000; i++) learn(i);
    expect(c.entries).toBeLessThanOrEqual(5_000);
    expect(c.bytes).toBeLessThanOrEqual(2e6);
    expect(c.clientCount).toBeLessThanOrEqual(4_096);
    expect(c.evicted).toBe(50_000 - c.entries);
    expect(c.lookup('10.1.3.79', '13.0.195.79', 50)?.hostname).toBe('49999.evil.example');
  });
});
