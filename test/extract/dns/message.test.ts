import { describe, expect, it } from 'vitest';
import { decodeDnsMessage, isDnsMalformed, type DnsMessage } from '../../../src/extract/dns/message.js';
import { rcodeName, rrTypeName } from '../../../src/extract/dns/rr-types.js';
import { encode, header, ipv4, question, rr, svcbRdata, wireName } from './dns-build.js';

function ok(buf: Buffer, off = 0, len = buf.length - off): DnsMessage {
  const m = decodeDnsMessage(buf, off, len);
  if (isDnsMalformed(m)) throw new Error(`malformed at ${m.offset}`);
  return m;
}

describe('decodeDnsMessage: header and question', () => {
  it('decodes a query at an offset inside a larger buffer', () => {
    const q = encode({ type: 'query', id: 4242, flags: 0x0100, questions: [{ type: 'AAAA', name: 'WWW.Example.COM.' }] });
    const buf = Buffer.concat([Buffer.alloc(7, 0xee), q, Buffer.alloc(5, 0xee)]);
    const m = ok(buf, 7, q.length);
    expect(m).toMatchObject({ id: 4242, isResponse: false, opcode: 0, rcode: 0, qname: 'www.example.com', qtype: 28, answers: [] });
    expect(m.anomaly).toBeUndefined();
  });

  it('reads the root as the empty name (dns-badvers.pcap asks for "." TXT)', () => {
    const m = ok(Buffer.concat([header(1, 0, 1, 0, 0, 0), question('', 16)]));
    expect(m.qname).toBe('');
    expect(m.qtype).toBe(16);
  });

  it('gives qname "" and qtype null for an mDNS response without a question', () => {
    const r = encode({
      type: 'response', id: 0, flags: 0x8400,
      answers: [{ type: 'A', name: 'phone.local', ttl: 120, data: '192.168.1.20', flush: true }],
    });
    const m = ok(r);
    expect(m.isResponse).toBe(true);
    expect(m.qname).toBe('');
    expect(m.qtype).toBeNull();
    expect(m.answers).toEqual([{ name: 'phone.local', type: 'A', data: '192.168.1.20', ttl: 120 }]);
  });

  it('rejects buffers shorter than the header with an offset', () => {
    const r = decodeDnsMessage(Buffer.alloc(20), 10, 11);
    expect(isDnsMalformed(r)).toBe(true);
    expect(r).toEqual({ malformed: 'dns_malformed', offset: 10 });
  });
});

describe('decodeDnsMessage: answer data as the oracle prints it', () => {
  const resp = encode({
    type: 'response', id: 7, flags: 0x8180,
    questions: [{ type: 'A', name: 'Api.Example.com' }],
    answers: [
      { type: 'CNAME', name: 'Api.Example.com', ttl: 300, data: 'Edge.CDN.example.net.' },
      { type: 'A', name: 'edge.cdn.example.net', ttl: 60, data: '203.0.113.9' },
      { type: 'AAAA', name: 'edge.cdn.example.net', ttl: 60, data: '2001:0db8:0000:0000:0000:0000:0000:0001' },
      { type: 'MX', name: 'example.com', ttl: 1, data: { preference: 10, exchange: 'MX1.example.com' } },
      { type: 'SRV', name: '_sip._tcp.example.com', ttl: 1, data: { priority: 1, weight: 2, port: 5060, target: 'SIP.example.com' } },
      { type: 'NS', name: 'example.com', ttl: 1, data: 'NS1.example.com' },
      { type: 'PTR', name: '9.113.0.203.in-addr.arpa', ttl: 1, data: 'Host.example.com.' },
      { type: 'SOA', name: 'example.com', ttl: 1, data: { mname: 'NS1.Example.com', rname: 'hostmaster.example.com', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } },
      { type: 'TXT', name: 'example.com', ttl: 1, data: ['v=spf1 ', 'Include:x'] },
      { type: 'DNAME', name: 'old.example.com', ttl: 1, data: 'New.example.com' },
      { type: 'HINFO', name: 'example.com', ttl: 1, data: { cpu: 'x', os: 'y' } },
      { type: 'UNKNOWN_65534', name: 'example.com', ttl: 1, data: Buffer.from([1, 2]) },
    ],
  });
  const m = ok(resp);

  it('keeps the answers in order with their type mnemonics', () => {
    expect(m.answers.map((a) => a.type)).toEqual(['CNAME', 'A', 'AAAA', 'MX', 'SRV', 'NS', 'PTR', 'SOA', 'TXT', 'DNAME', 'HINFO', 'TYPE65534']);
  });

  it('lowercases names, drops trailing dots, compresses IPv6, joins TXT strings, leaves other types empty', () => {
    expect(m.answers.map((a) => [a.name, a.data])).toEqual([
      ['api.example.com', 'edge.cdn.example.net'],
      ['edge.cdn.example.net', '203.0.113.9'],
      ['edge.cdn.example.net', '2001:db8::1'],
      ['example.com', 'mx1.example.com'],
      ['_sip._tcp.example.com', 'sip.example.com'],
      ['example.com', 'ns1.example.com'],
      ['9.113.0.203.in-addr.arpa', 'host.example.com'],
      ['example.com', 'ns1.example.com'],
      ['example.com', 'v=spf1 Include:x'],
      ['old.example.com', 'new.example.com'],
      ['example.com', ''],
      ['example.com', ''],
    ]);
    expect(m.answers[1].ttl).toBe(60);
  });
});

describe('decodeDnsMessage: extended RCODE from OPT (RFC 6891 6.1.3)', () => {
  it.each([
    [1, 0, 'BADVERS', 16],
    [1, 7, 'BADCOOKIE', 23],
    [0, 3, 'NXDOMAIN', 3],
  ])('OPT upper bits %i with header rcode %i -> %s', (ext, low, name, code) => {
    const r = encode({
      type: 'response', id: 9, flags: 0x8000 | low,
      questions: [{ type: 'A', name: 'example.com' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: ext, ednsVersion: 0, flags: 0 }],
    });
    const m = ok(r);
    expect(m.rcode).toBe(code);
    expect(rcodeName(m.rcode)).toBe(name);
  });

  it('names unknown codes like the oracle', () => {
    expect(rcodeName(15)).toBe('RCODE15');
    expect(rrTypeName(507)).toBe('TYPE507');
    expect(rrTypeName(65)).toBe('HTTPS');
  });
});

describe('decodeDnsMessage: SVCB/HTTPS (RFC 9460)', () => {
  it('decodes TargetName and ipv4hint/ipv6hint; keeps additional-section glue', () => {
    const v6 = Buffer.from('20010db8000000000000000000000002', 'hex');
    const rdata = svcbRdata(1, 'Svc.Example.NET', [
      [1, Buffer.from([2, 0x68, 0x32])], // alpn=h2
      [4, Buffer.concat([ipv4('192.0.2.1'), ipv4('192.0.2.2')])],
      [6, v6],
    ]);
    const msg = Buffer.concat([
      header(0x1234, 0x8180, 1, 2, 0, 1),
      question('example.com', 65),
      rr(Buffer.from([0xc0, 12]), 65, 300, rdata),
      rr(Buffer.from([0xc0, 12]), 64, 300, svcbRdata(1, '', [])),
      rr(wireName('svc.example.net'), 1, 30, ipv4('198.51.100.7')),
    ]);
    const m = ok(msg);
    expect(m.qtype).toBe(65);
    expect(m.answers[0]).toEqual({ name: 'example.com', type: 'HTTPS', data: 'svc.example.net', ttl: 300, hints: ['192.0.2.1', '192.0.2.2', '2001:db8::2'] });
    expect(m.answers[1]).toEqual({ name: 'example.com', type: 'SVCB', data: '', ttl: 300 });
    expect(m.glue).toEqual([{ name: 'svc.example.net', type: 'A', data: '198.51.100.7', ttl: 30 }]);
  });

  it('stops at a damaged param but keeps the hints before it', () => {
    const rdata = Buffer.concat([svcbRdata(1, '', [[4, ipv4('192.0.2.1')]]), Buffer.from([0, 6, 0, 99, 1])]);
    const m = ok(Buffer.concat([header(1, 0x8180, 0, 1, 0, 0), rr(wireName('a.example'), 65, 1, rdata)]));
    expect(m.answers[0].hints).toEqual(['192.0.2.1']);
  });
});

describe('decodeDnsMessage: damaged messages', () => {
  it('keeps the question and the answers that fit when the datagram was cut (like tshark on truncated_dns.pcap)', () => {
    const full = encode({
      type: 'response', id: 3, flags: 0x8180,
      questions: [{ type: 'A', name: 'cut.example.com' }],
      answers: [1, 2, 3].map((i) => ({ type: 'A' as const, name: 'cut.example.com', ttl: 5, data: `10.0.0.${i}` })),
    });
    const m = ok(full, 0, full.length - 3);
    expect(m.qname).toBe('cut.example.com');
    expect(m.answers.map((a) => a.data)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(m.anomaly).toBe('dns_truncated');
    expect(m.anomalyOffset).toBeGreaterThan(12);
  });

  it('ends a compression loop quickly and keeps decoding after it (like tshark on dns_fwdptr.pcap)', () => {
    // Question name at 12: label "a" then a pointer back to 12 -> loops forever.
    const msg = Buffer.concat([header(5, 0x8000, 1, 0, 0, 0), Buffer.from([1, 0x61, 0xc0, 12, 0, 1, 0, 1])]);
    const m = ok(msg);
    expect(m.qname).toBe('<name too long>');
    expect(m.qtype).toBe(1);
  });

  it('reads a pointer outside the message as a cut message', () => {
    const out = Buffer.concat([header(5, 0, 1, 0, 0, 0), Buffer.from([0xc0, 200, 0, 1, 0, 1])]);
    const m = ok(out);
    expect(m.anomaly).toBe('dns_truncated');
    expect(m.qname).toBe('');
  });

  it('follows forward pointers (RFC 1035 does not forbid them; tshark follows them)', () => {
    // Question name = pointer to the answer's owner name which appears later.
    const q = Buffer.from([0xc0, 0, 0, 1, 0, 1]);
    const ownerAt = 12 + q.length;
    q.writeUInt16BE(0xc000 | ownerAt, 0);
    const msg = Buffer.concat([header(6, 0x8180, 1, 1, 0, 0), q, rr(wireName('fwd.example'), 1, 1, ipv4('1.2.3.4'))]);
    const m = ok(msg);
    expect(m.qname).toBe('fwd.example');
    expect(m.answers[0].data).toBe('1.2.3.4');
  });

  it('rejects a message whose first question is broken (reserved label type, bare pointer loop: dns-zlip-1.pcap)', () => {
    const reserved = Buffer.concat([header(5, 0, 1, 0, 0, 0), Buffer.from([0x41, 0, 0, 1, 0, 1])]);
    expect(decodeDnsMessage(reserved, 0, reserved.length)).toEqual({ malformed: 'dns_malformed', offset: 12 });
    const self = Buffer.concat([header(5, 0, 1, 0, 0, 0), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    expect(isDnsMalformed(decodeDnsMessage(self, 0, self.length))).toBe(true);
  });

  it('flags a broken answer name as malformed but keeps the question', () => {
    const msg = Buffer.concat([header(5, 0x8000, 1, 1, 0, 0), question('ok.example', 1), Buffer.from([0x81, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4])]);
    const m = ok(msg);
    expect(m.qname).toBe('ok.example');
    expect(m.answers).toEqual([]);
    expect(m.anomaly).toBe('dns_malformed');
  });

  it('escapes control bytes in labels and keeps UTF-8 (mDNS instance names)', () => {
    const label = Buffer.concat([Buffer.from('Bob\u2019s', 'utf8'), Buffer.from([1])]);
    const msg = Buffer.concat([header(0, 0, 1, 0, 0, 0), Buffer.from([label.length]), label, Buffer.from([0, 0, 12, 0, 1])]);
    expect(ok(msg).qname).toBe('bob\u2019s\\001');
  });
});
