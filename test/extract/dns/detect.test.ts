import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dnsFlavourForPorts, dnsHeaderPlausible, looksLikeDns } from '../../../src/extract/dns/detect.js';
import { encode, header, question } from './dns-build.js';

const query = encode({ type: 'query', id: 323, flags: 0x0100, questions: [{ type: 'A', name: 'www.tcpdump.org' }] });

describe('looksLikeDns', () => {
  it('accepts a plain query over UDP and the same query length-prefixed over TCP', () => {
    expect(looksLikeDns(query, 0, query.length, 'udp')).toBe(true);
    const tcp = Buffer.concat([Buffer.from([0, query.length]), query]);
    expect(looksLikeDns(tcp, 0, tcp.length, 'tcp')).toBe(true);
    // A TCP segment holding only the start of the message is still recognised from its prefix + header.
    expect(looksLikeDns(tcp, 0, 16, 'tcp')).toBe(true);
  });

  it('accepts an mDNS response without a question but not a query without one', () => {
    const r = encode({ type: 'response', id: 0, flags: 0x8400, answers: [{ type: 'A', name: 'a.local', ttl: 1, data: '10.0.0.1' }] });
    expect(looksLikeDns(r, 0, r.length, 'udp')).toBe(true);
    const q = header(1, 0x0100, 0, 0, 0, 0);
    expect(looksLikeDns(q, 0, q.length, 'udp')).toBe(false);
  });

  it('rejects trailing garbage, bad opcodes, the Z bit and implausible counts', () => {
    const trailing = Buffer.concat([query, Buffer.from([1, 2, 3])]);
    expect(looksLikeDns(trailing, 0, trailing.length, 'udp')).toBe(false);
    for (const flags of [0x1800 /* opcode 3 */, 0x3800 /* opcode 7 */, 0x0140 /* Z */, 0x0003 /* query with rcode */]) {
      const m = Buffer.concat([header(1, flags, 1, 0, 0, 0), question('a.example', 1)]);
      expect(looksLikeDns(m, 0, m.length, 'udp')).toBe(false);
    }
    expect(dnsHeaderPlausible(header(1, 0x0100, 40, 0, 0, 0), 0, 12)).toBe(false);
    expect(looksLikeDns(Buffer.from([0, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 0, 14, 'tcp')).toBe(false);
  });

  it('rejects almost all random payloads (fewer than 1 in 200)', () => {
    const samples = fc.sample(fc.uint8Array({ minLength: 12, maxLength: 400 }), { numRuns: 4000, seed: 42 });
    const hits = samples.filter((b) => looksLikeDns(Buffer.from(b), 0, b.length, 'udp')).length;
    expect(hits).toBeLessThan(20);
  });
});

describe('dnsFlavourForPorts', () => {
  it('maps the well-known ports on either side', () => {
    expect(dnsFlavourForPorts(53000, 53)).toBe('dns');
    expect(dnsFlavourForPorts(53, 40000)).toBe('dns');
    expect(dnsFlavourForPorts(5353, 5353)).toBe('mdns');
    expect(dnsFlavourForPorts(49152, 5355)).toBe('llmnr');
    expect(dnsFlavourForPorts(8053, 40000)).toBeNull();
  });
});
