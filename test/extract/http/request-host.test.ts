import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HTTP_HEAD_TOO_LONG, HTTP_NEED_MORE, HTTP_NOT_HTTP, HttpRequestStream, httpScan, looksLikeHttpRequest, normaliseHost,
  scanHttpRequests,
} from '../../../src/extract/http/request-host.js';
import { MAX_HTTP_HEAD_BYTES } from '../../../src/limits.js';

type Hit = [string, string, number];
function scan(text: string | Buffer, off = 0): { r: number; hits: Hit[] } {
  const buf = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const hits: Hit[] = [];
  const r = scanHttpRequests(buf, off, buf.length - off, (h, m, o) => hits.push([h, m, o]));
  return { r, hits };
}

/** What flow/stream.ts does with a consumer: hold unconsumed bytes, call again with them plus new bytes. */
function stream(chunks: Buffer[]): string[] {
  const hosts: string[] = [];
  const h = new HttpRequestStream();
  let held = Buffer.alloc(0);
  for (const c of chunks) {
    held = Buffer.concat([held, c]);
    if (held.length === 0) continue;
    const r = h.feed(held, 0, held.length, (x) => hosts.push(x));
    if (r < 0) break;
    expect(r).toBeLessThanOrEqual(held.length);
    held = held.subarray(r);
  }
  return hosts;
}

describe('scanHttpRequests', () => {
  it('finds Host in a simple GET and reports the method and offset', () => {
    const t = 'GET /index.html HTTP/1.1\r\nUser-Agent: x\r\nHost: WWW.Example.COM\r\n\r\n';
    expect(scan(t)).toEqual({ r: t.length, hits: [['www.example.com', 'GET', 0]] });
  });

  it('is case-insensitive and whitespace tolerant in the header, strips ports, brackets and trailing dots', () => {
    expect(scan('POST /a HTTP/1.0\r\nhOsT :\t example.org:8080 \r\nContent-Length: 0\r\n\r\n').hits[0][0]).toBe('example.org');
    expect(scan('GET / HTTP/1.1\r\nHost: [2001:DB8::1]:8080\r\n\r\n').hits[0][0]).toBe('2001:db8::1');
    expect(scan('GET / HTTP/1.1\r\nHost: 2001:db8::1\r\n\r\n').hits[0][0]).toBe('2001:db8::1');
    expect(scan('GET / HTTP/1.1\nHost: fqdn.example.\n\n').hits[0][0]).toBe('fqdn.example');
  });

  it('keeps the first Host, ignores requests without one, and folded lines', () => {
    expect(scan('GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n').hits.map((h) => h[0])).toEqual(['a.example']);
    const t = 'GET / HTTP/1.0\r\nX: y\r\n Host: folded.example\r\n\r\n';
    expect(scan(t)).toEqual({ r: t.length, hits: [] });
  });

  it('recognises WebDAV and other registered methods; not responses or unknown tokens', () => {
    for (const m of ['PROPFIND', 'MKCOL', 'LOCK', 'M-SEARCH', 'PATCH', 'REPORT']) {
      expect(scan(`${m} /x HTTP/1.1\r\nHost: dav.example\r\n\r\n`).hits[0]).toEqual(['dav.example', m, 0]);
    }
    expect(scan('HTTP/1.1 200 OK\r\nHost: no\r\n\r\n').r).toBe(HTTP_NOT_HTTP);
    expect(scan('FETCH / HTTP/1.1\r\nHost: no\r\n\r\n').r).toBe(HTTP_NOT_HTTP);
    expect(scan('GET / SIP/2.0\r\nHost: no\r\n\r\n').r).toBe(HTTP_NOT_HTTP);
  });

  it('asks for more on a split head and on a partial method', () => {
    expect(scan('GE').r).toBe(HTTP_NEED_MORE);
    expect(scan('GET / HTTP/1.1\r\nHost: a.example\r\n').r).toBe(HTTP_NEED_MORE);
    expect(scan('').r).toBe(HTTP_NEED_MORE);
  });

  it('gives up on heads longer than MAX_HTTP_HEAD_BYTES', () => {
    const t = `GET / HTTP/1.1\r\nX: ${'a'.repeat(MAX_HTTP_HEAD_BYTES)}\r\nHost: late.example\r\n\r\n`;
    expect(scan(t)).toEqual({ r: HTTP_HEAD_TOO_LONG, hits: [] });
  });

  it('reports every pipelined request, skipping Content-Length and chunked bodies', () => {
    const body = 'GET /not-a-request HTTP/1.1\r\nHost: in-body.example\r\n\r\n';
    const t = [
      `POST /up HTTP/1.1\r\nHost: one.example\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      'PUT /c HTTP/1.1\r\nHost: two.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: three.example\r\n\r\n',
    ].join('');
    const { r, hits } = scan(Buffer.concat([Buffer.from('zz'), Buffer.from(t)]), 2);
    expect(r).toBe(t.length);
    expect(hits.map((h) => h[0])).toEqual(['one.example', 'two.example', 'three.example']);
    expect(hits[1][2]).toBe(t.indexOf('PUT'));
  });

  it('consumes the buffer and reports the body bytes still to skip when a body continues past it', () => {
    const t = 'POST / HTTP/1.1\r\nHost: big.example\r\nContent-Length: 1000\r\n\r\nabc';
    expect(scan(t).r).toBe(t.length);
    expect(httpScan.bodyRemaining).toBe(997);
    const u = 'GET / HTTP/1.1\r\nHost: a.example\r\n\r\nGET / HT';
    expect(scan(u).r).toBe(u.lastIndexOf('GET / HT'));
  });

  it('normalises hosts like the oracle', () => {
    expect(normaliseHost(' Example.COM:443 ')).toBe('example.com');
    expect(normaliseHost('[::1]')).toBe('::1');
    expect(normaliseHost('.')).toBe('');
  });
});

describe('HttpRequestStream', () => {
  it('skips a large body split over many segments and reports the request after it', () => {
    const body = 'x'.repeat(5000);
    const t = `POST /u HTTP/1.1\r\nHost: up.example\r\nContent-Length: ${body.length}\r\n\r\n${body}GET / HTTP/1.1\r\nHost: next.example\r\n\r\n`;
    const all = Buffer.from(t);
    const chunks: Buffer[] = [];
    for (let i = 0; i < all.length; i += 700) chunks.push(all.subarray(i, i + 700));
    expect(stream(chunks)).toEqual(['up.example', 'next.example']);
  });

  it('forgets the body being skipped after a gap', () => {
    const h = new HttpRequestStream();
    const a = Buffer.from('POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 100\r\n\r\n');
    expect(h.feed(a, 0, a.length, () => {})).toBe(a.length);
    h.gap();
    const b = Buffer.from('GET / HTTP/1.1\r\nHost: b.example\r\n\r\n');
    const hosts: string[] = [];
    expect(h.feed(b, 0, b.length, (x) => hosts.push(x))).toBe(b.length);
    expect(hosts).toEqual(['b.example']);
  });
});

describe('looksLikeHttpRequest', () => {
  it('needs a known method and a space', () => {
    expect(looksLikeHttpRequest(Buffer.from('GET /'), 0, 5)).toBe(true);
    expect(looksLikeHttpRequest(Buffer.from('xxOPTIONS *'), 2, 9)).toBe(true);
    expect(looksLikeHttpRequest(Buffer.from('GET'), 0, 3)).toBe(false);
    expect(looksLikeHttpRequest(Buffer.from('\x16\x03\x01\x02\x00'), 0, 5)).toBe(false);
  });
});

describe('scanHttpRequests properties', () => {
  const host = fc.stringMatching(/^[a-z0-9]{1,12}(\.[a-z0-9]{1,8}){0,3}$/);
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PROPFIND', 'DELETE'),
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    body: fc.stringMatching(/^[ -~]{0,40}$/),
    lf: fc.boolean(),
  });
  const text = (r: { method: string; host: string; port?: number; body: string; lf: boolean }): string => {
    const nl = r.lf ? '\n' : '\r\n';
    return `${r.method} /p HTTP/1.1${nl}Accept: */*${nl}Host: ${r.host}${r.port === undefined ? '' : `:${r.port}`}${nl}` +
      `Content-Length: ${r.body.length}${nl}${nl}${r.body}`;
  };

  it('gives the same hosts whatever the chunking', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (reqs, cutsRaw) => {
        const all = Buffer.from(reqs.map(text).join(''), 'latin1');
        const cuts = [...new Set(cutsRaw.map((x) => x % all.length))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const c of [...cuts, all.length]) {
          chunks.push(all.subarray(prev, c));
          prev = c;
        }
        expect(stream(chunks)).toEqual(reqs.map((r) => r.host));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary bytes and reports hosts only from inside the buffer', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(fc.constantFrom('GET ', '/ ', 'HTTP/1.1', '\r\n', '\n', 'Host:', ' a.b', 'Content-Length: 3', 'Transfer-Encoding: chunked', '0', 'x'), { maxLength: 30 })
        .map((parts) => Buffer.from(parts.join(''))),
    );
    fc.assert(
      fc.property(bytes, fc.nat(10), (b, off) => {
        const buf = Buffer.from(b);
        const r = scanHttpRequests(buf, off, buf.length - off, (h, _m, rel) => {
          expect(typeof h).toBe('string');
          expect(off + rel).toBeLessThan(buf.length);
        });
        expect(Number.isInteger(r)).toBe(true);
        looksLikeHttpRequest(buf, off, buf.length - off);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('a Host with control bytes', () => {
  it.each([
    ['a bare CR (a second header smuggled in)', 'GET / HTTP/1.1\r\nHost: z10.0.0.1:9999\r`user-agent: x\r\n\r\n'],
    ['a NUL', 'GET / HTTP/1.1\r\nHost: www.a.com\u0000.evil.net\r\n\r\n'],
    ['ENQ (repro z039_s4)', 'GET / HTTP/1.1\r\nHost: www.uk6x.som\u0005\r\n\r\n'],
    ['an escape sequence', 'GET / HTTP/1.1\r\nHost: a\u001b[31mb.com\r\n\r\n'],
    ['DEL', 'GET / HTTP/1.1\r\nHost: a\u007fb.com\r\n\r\n'],
    ['a tab inside', 'GET / HTTP/1.1\r\nHost: a\tb.com\r\n\r\n'],
  ])('%s: not reported, counted', (_what, text) => {
    const { r, hits } = scan(text);
    expect(r).toBe(text.length);
    expect(hits).toEqual([]);
    expect(httpScan.controlHosts).toBe(1);
  });

  it('the next request on the connection still names it; the stream counts the rejected one', () => {
    const h = new HttpRequestStream();
    const hosts: string[] = [];
    const t = Buffer.from('GET / HTTP/1.1\r\nHost: bad\u0000host\r\n\r\nGET / HTTP/1.1\r\nHost: good.example\r\n\r\n', 'latin1');
    h.feed(t, 0, t.length, (x) => hosts.push(x));
    expect(hosts).toEqual(['good.example']);
    expect(h.controlHosts).toBe(1);
  });

  it('property: no reported host ever holds a control byte', () => {
    const piece = fc.oneof(fc.constantFrom('GET / HTTP/1.1\r\n', 'Host: ', 'a.b', '\r\n', '\r', '\n', ':80'), fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const buf = Buffer.from(parts.join(''), 'latin1');
        scanHttpRequests(buf, 0, buf.length, (host) => {
          expect(host).not.toMatch(/[\u0000-\u001f\u007f]/);
        });
      }),
      { numRuns: 3000 },
    );
  });
});
