import { describe, expect, it } from 'vitest';
import { decodeDnsMessage, isDnsMalformed, type DnsMessage } from '../../src/extract/dns/message.js';
import { DnsNameCache } from '../../src/naming/dns-cache.js';
import { DNS_TTL_GRACE_S, MAX_CNAME_CHAIN } from '../../src/limits.js';
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

  it('ignores queries and evicts the oldest entries past its per-client and client bounds', () => {
    const c = new DnsNameCache(2, 2);
    const q = decode(encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'x.example' }], answers: [{ type: 'A', name: 'x.example', ttl: 9, data: '192.0.2.99' }] }));
    c.addResponse(PHONE_A, q, 1);
    expect(c.lookup(PHONE_A, '192.0.2.99', 1)).toBeUndefined();
    for (let i = 1; i <= 3; i++) c.addResponse(PHONE_A, resp(`h${i}.example`, [{ type: 'A', name: `h${i}.example`, data: `192.0.2.${i}` }]), i);
    expect(c.lookup(PHONE_A, '192.0.2.1', 4)).toBeUndefined();
    expect(c.lookup(PHONE_A, '192.0.2.3', 4)?.hostname).toBe('h3.example');
    c.addResponse(PHONE_B, resp('b.example', [{ type: 'A', name: 'b.example', data: '192.0.2.200' }]), 5);
    c.addResponse('10.0.0.4', resp('c.example', [{ type: 'A', name: 'c.example', data: '192.0.2.201' }]), 6);
    expect(c.clientCount).toBe(2);
    expect(c.lookup(PHONE_A, '192.0.2.3', 7)).toBeUndefined();
    expect(c.evicted).toBeGreaterThanOrEqual(3);
  });
});
