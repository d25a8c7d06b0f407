import { SocketAddress } from 'node:net';
import * as dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDnsMessage, isDnsMalformed } from '../../../src/extract/dns/message.js';
import { looksLikeDns } from '../../../src/extract/dns/detect.js';

const label = fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/);
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const ipv4 = fc.ipV4();
const v6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });

const record = fc.oneof(
  fc.record({ type: fc.constant('A' as const), name, ttl: fc.nat(), data: ipv4 }),
  fc.record({ type: fc.constant('AAAA' as const), name, ttl: fc.nat(), data: v6Bytes.map((b) => Buffer.from(b).toString('hex').match(/.{4}/g)!.join(':')) }),
  fc.record({ type: fc.constant('CNAME' as const), name, ttl: fc.nat(), data: name }),
  fc.record({ type: fc.constant('TXT' as const), name, ttl: fc.nat(), data: fc.array(fc.stringMatching(/^[ -~]{0,30}$/), { maxLength: 3 }) }),
);

const message = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  response: fc.boolean(),
  q: fc.option(fc.record({ name, type: fc.constantFrom('A' as const, 'AAAA' as const, 'TXT' as const, 'HTTPS' as const) }), { nil: undefined }),
  answers: fc.array(record, { maxLength: 6 }),
});

function encodeCase(c: { id: number; response: boolean; q?: { name: string; type: string }; answers: unknown[] }): Buffer {
  return dnsPacket.encode({
    type: c.response ? 'response' : 'query', id: c.id, flags: c.response ? 0x8180 : 0x0100,
    questions: c.q === undefined ? [] : [{ name: c.q.name, type: c.q.type === 'HTTPS' ? 'UNKNOWN_65' : c.q.type } as dnsPacket.Question],
    answers: c.answers as dnsPacket.Answer[],
  });
}

describe('decodeDnsMessage properties', () => {
  it('decodes non-ASCII (UTF-8) labels like dns-packet, lowercased', () => {
    const uLabel = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((l) => !l.includes('.') && Buffer.byteLength(l) <= 63 && !/[\u0000-\u001f\u007f]/.test(l));
    fc.assert(
      fc.property(fc.array(uLabel, { minLength: 1, maxLength: 3 }), (labels) => {
        const n = labels.join('.');
        const wire = dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: n }] });
        const m = decodeDnsMessage(wire, 0, wire.length);
        if (isDnsMalformed(m)) throw new Error('malformed');
        expect(m.qname).toBe(dnsPacket.decode(wire).questions![0].name.toLowerCase());
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary bytes, offsets and lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(40), fc.integer({ min: -5, max: 700 }), (bytes, off, len) => {
        const buf = Buffer.from(bytes);
        const r = decodeDnsMessage(buf, off, len);
        expect(typeof r).toBe('object');
        looksLikeDns(buf, off, len, 'udp');
        looksLikeDns(buf, off, len, 'tcp');
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on mutated real messages (valid header, damaged body)', () => {
    fc.assert(
      fc.property(message, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (c, flips, cut) => {
        const buf = Buffer.from(encodeCase(c));
        for (const [at, v] of flips) buf[at % buf.length] = v;
        const r = decodeDnsMessage(buf, 0, cut % (buf.length + 1));
        expect(typeof r).toBe('object');
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with dns-packet on every message dns-packet encodes', () => {
    fc.assert(
      fc.property(message, (c) => {
        const wire = encodeCase(c);
        const ref = dnsPacket.decode(wire);
        const m = decodeDnsMessage(wire, 0, wire.length);
        if (isDnsMalformed(m)) throw new Error('malformed');
        expect(m.anomaly).toBeUndefined();
        expect(m.id).toBe(ref.id);
        expect(m.isResponse).toBe(ref.type === 'response');
        expect(m.qname).toBe(c.q === undefined ? '' : ref.questions![0].name.toLowerCase());
        expect(m.answers.length).toBe(ref.answers!.length);
        m.answers.forEach((a, i) => {
          const r = ref.answers![i] as dnsPacket.Answer & { data: unknown; ttl: number };
          expect(a.name).toBe(r.name.toLowerCase());
          expect(a.type).toBe(r.type);
          expect(a.ttl).toBe(r.ttl);
          if (r.type === 'A') expect(a.data).toBe(r.data);
          if (r.type === 'CNAME') expect(a.data).toBe(String(r.data).toLowerCase());
          if (r.type === 'TXT') expect(a.data).toBe((r.data as Buffer[]).map((b) => b.toString()).join(''));
          if (r.type === 'AAAA') expect(a.data).toBe(new SocketAddress({ address: String(r.data), family: 'ipv6' }).address);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('every message dns-packet encodes with a question looks like DNS to the UDP heuristic', () => {
    fc.assert(
      fc.property(message.filter((c) => c.q !== undefined), (c) => {
        const wire = encodeCase(c);
        expect(looksLikeDns(wire, 0, wire.length, 'udp')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
