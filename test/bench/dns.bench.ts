// Micro-benchmarks for the DNS/HTTP extractor hot functions, grouped by input shape, with dns-packet as the peer
// for the decoder. Run: npx vitest bench test/bench/dns.bench.ts
import * as dnsPacket from 'dns-packet';
import { bench, describe } from 'vitest';
import { looksLikeDns } from '../../src/extract/dns/detect.js';
import { decodeDnsMessage } from '../../src/extract/dns/message.js';
import { DnsTcpFramer } from '../../src/extract/dns/tcp-framing.js';
import { scanHttpRequests } from '../../src/extract/http/request-host.js';
import { formatIp } from '../../src/decode/ip-format.js';

const query = dnsPacket.encode({ type: 'query', id: 1, flags: 0x0100, questions: [{ type: 'A', name: 'www.example.com' }] });
const response = dnsPacket.encode({
  type: 'response', id: 1, flags: 0x8180, questions: [{ type: 'A', name: 'www.example.com' }],
  answers: [
    { type: 'CNAME', name: 'www.example.com', ttl: 300, data: 'www.example.com.cdn.example.net' },
    ...[1, 2, 3, 4].map((i) => ({ type: 'A' as const, name: 'www.example.com.cdn.example.net', ttl: 20, data: `192.0.2.${i}` })),
  ],
});
const tcpStream = Buffer.concat([query, response, query, response].map((m) => Buffer.concat([Buffer.from([0, m.length]), m])));
const random = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 131 + 17) & 0xff));
const v6 = Buffer.from('2a0014500400080b000000000000200e', 'hex');
const http = Buffer.from('GET /path?q=1 HTTP/1.1\r\nUser-Agent: bench\r\nAccept: */*\r\nHost: www.example.com\r\nConnection: keep-alive\r\n\r\n');
const noop = (): void => {};

describe('DNS decode: response with a CNAME and 4 A', () => {
  bench('decodeDnsMessage', () => {
    decodeDnsMessage(response, 0, response.length);
  });
  bench('dns-packet decode (peer)', () => {
    dnsPacket.decode(response);
  });
});

describe('DNS decode: query', () => {
  bench('decodeDnsMessage', () => {
    decodeDnsMessage(query, 0, query.length);
  });
  bench('dns-packet decode (peer)', () => {
    dnsPacket.decode(query);
  });
});

describe('looksLikeDns', () => {
  bench('real response', () => {
    looksLikeDns(response, 0, response.length, 'udp');
  });
  bench('random 200 bytes', () => {
    looksLikeDns(random, 0, random.length, 'udp');
  });
});

describe('DnsTcpFramer: 4 messages in one segment', () => {
  const framer = new DnsTcpFramer();
  bench('feed', () => {
    framer.feed(tcpStream, 0, tcpStream.length, noop);
  });
});

describe('formatIp', () => {
  bench('IPv4', () => {
    formatIp(response, response.length - 4, 4);
  });
  bench('IPv6', () => {
    formatIp(v6, 0, 16);
  });
});

describe('scanHttpRequests: one GET head', () => {
  bench('scan', () => {
    scanHttpRequests(http, 0, http.length, noop);
  });
});
