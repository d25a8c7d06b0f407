// server_name as clients really send it: IP literals and odd names are kept and named (tls_sni_ip_literal,
// tls_sni_invalid, tls_sni_uppercase, ...), an IP literal never becomes a flow's hostname (TLS and QUIC share the
// parser), every entry is listed for `extract` as tshark lists it, and a hello cut short gives its SNI when the
// extension is whole. Cross-checked with tshark where installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { afterAll, describe, expect, it } from 'vitest';
import { isIpLiteral, isLdhHostName, parseClientHello, parseHelloBody, type ClientHelloInfo } from '../../../src/extract/tls/client-hello.js';
import { scanTlsClientHello, TLS_NEED_MORE } from '../../../src/extract/tls/record.js';
import { extractOracleDoc } from '../../../src/oracle-doc.js';
import { analyzeCapture } from '../../../src/pipeline.js';
import type { FlowRecord } from '../../../src/types.js';
import { capture } from '../../../src/synth/fragment-captures.js';
import { TcpConversation, udpPacket, type TimedPacket } from '../../../src/synth/packets.js';
import { buildQuicClientInitials, buildQuicServerInitial } from '../../../src/synth/quic.js';
import { buildClientHello, wrapTlsRecords } from '../../../src/synth/tls.js';

const TSHARK = ((): boolean => {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!TSHARK) console.warn('tshark not installed: the tshark cross-check of server-name.test.ts is skipped');

const tmp = mkdtempSync(join(tmpdir(), 'residency-sni-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const B = (s: string): Buffer => Buffer.from(s, 'latin1');

function parse(hello: Buffer): ClientHelloInfo {
  const r = parseClientHello(hello, 4, hello.length);
  if ('anomaly' in r) throw new Error(r.anomaly);
  return r;
}

const CASES: [sent: string, sni: string | undefined, anomalies: string[]][] = [
  ['www.example.com', 'www.example.com', []],
  ['1.2.3.4', '1.2.3.4', ['tls_sni_ip_literal']],
  ['1.2.3.4.', '1.2.3.4', ['tls_sni_ip_literal']],
  ['[::1]', '[::1]', ['tls_sni_ip_literal']],
  ['::1', '::1', ['tls_sni_ip_literal']],
  ['2001:DB8::1', '2001:db8::1', ['tls_sni_uppercase', 'tls_sni_ip_literal']],
  ['Example.COM', 'example.com', ['tls_sni_uppercase']],
  ['example.com.', 'example.com', ['tls_sni_invalid']],
  ['a..b', 'a..b', ['tls_sni_invalid']],
  ['.lead', '.lead', ['tls_sni_invalid']],
  ['under_score.example', 'under_score.example', ['tls_sni_invalid']],
  ['-dash.example', '-dash.example', ['tls_sni_invalid']],
  ['sp ace.example', 'sp ace.example', ['tls_sni_invalid']],
  ['256.1.1.1', '256.1.1.1', ['tls_sni_invalid']],
  [`${'a'.repeat(64)}.example`, `${'a'.repeat(64)}.example`, ['tls_sni_invalid']],
  [`${'abcdefghi.'.repeat(25)}comx`, `${'abcdefghi.'.repeat(25)}comx`, ['tls_sni_invalid']], // 254 characters
  [`${'abcdefghi.'.repeat(24)}abcdefghij`, `${'abcdefghi.'.repeat(24)}abcdefghij`, []], // 250 characters
  ['ctl\x01name.example', 'ctl\x01name.example', ['tls_sni_control_chars', 'tls_sni_invalid']],
  ['caf\xe9.example', 'caf\xe9.example', ['tls_sni_non_ascii', 'tls_sni_invalid']],
  ['.', undefined, ['tls_sni_empty']],
  ['', undefined, ['tls_sni_empty']],
];

describe('server_name: kept and named', () => {
  for (const [sent, sni, anomalies] of CASES) {
    it(JSON.stringify(sent).slice(0, 40), () => {
      const info = parse(buildClientHello({ serverNames: [{ type: 0, name: B(sent) }] }));
      expect(info.sni).toBe(sni);
      expect(info.anomalies).toEqual(anomalies);
      expect(info.serverNames).toEqual([sni ?? '']);
    });
  }

  it('lists every entry, of any name type, the first host_name being the SNI', () => {
    const info = parse(buildClientHello({ serverNames: [
      { type: 1, name: B('other.example') },
      { type: 0, name: B('first.example') },
      { type: 0, name: B('Second.Example.') },
    ] }));
    expect(info.sni).toBe('first.example');
    expect(info.serverNames).toEqual(['other.example', 'first.example', 'second.example']);
    expect(info.anomalies).toEqual(['tls_sni_unknown_name_type', 'tls_sni_multiple_names']);
  });
});

describe('isIpLiteral / isLdhHostName', () => {
  it('agrees with node:net on addresses and never takes a domain name for one', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain(), fc.string({ maxLength: 40 })), (s) => {
        const n = s.toLowerCase();
        if (isIP(n) !== 0) expect(isIpLiteral(n)).toBe(true);
        if (isIpLiteral(n) && !/^[0-9.]+$/.test(n)) expect(isIP(n.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, ''))).toBe(6);
        if (isLdhHostName(n)) expect(isIpLiteral(n)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('generated domain names are host names; dotted quads read as addresses, leading zeros too', () => {
    fc.assert(
      fc.property(fc.domain(), (d) => {
        expect(isLdhHostName(d)).toBe(true);
      }),
      { numRuns: 500 },
    );
    expect(['1.2.3.4', '01.02.03.004', '[::1]', 'fe80::1%wlan0', '::ffff:10.0.0.1'].map(isIpLiteral)).toEqual([true, true, true, true, true]);
    expect(['dead:beef:cafe', '1:::2', ':1::2', '1.2.3', '256.1.1.1', 'face.b00c'].map(isIpLiteral)).toEqual([false, false, false, false, false, false]);
  });
});

describe('a ClientHello cut short (its datagram lost its other fragments)', () => {
  const hello = buildClientHello({ sni: 'cut.example.org', alpn: ['h2'], padTo: 1200 });
  const rec = wrapTlsRecords(hello);
  const sniEnd = rec.indexOf(B('cut.example.org')) + 'cut.example.org'.length;

  it('every cut past the server_name extension gives the SNI; no cut throws; before it, no SNI', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: rec.length - 1 }), (cut) => {
        const r = scanTlsClientHello(rec, 0, cut, true);
        if (cut >= sniEnd) {
          expect(r).toMatchObject({ sni: 'cut.example.org' });
          expect((r as ClientHelloInfo).anomalies).toContain('tls_client_hello_truncated');
        } else if (typeof r === 'object' && 'sni' in r) {
          expect(r.sni).toBeUndefined();
        }
        // without `truncated` a prefix still waits for more
        expect(scanTlsClientHello(rec, 0, cut)).toBe(TLS_NEED_MORE);
      }),
      { numRuns: 400 },
    );
  });

  it('a hello spread over records, cut in the second one', () => {
    const split = wrapTlsRecords(hello, 100);
    const r = scanTlsClientHello(split, 0, 700, true);
    expect(r).toMatchObject({ sni: 'cut.example.org', alpn: ['h2'] });
  });

  it('partial never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const b = Buffer.from(bytes);
        parseHelloBody(b, 0, b.length, false, true);
        scanTlsClientHello(b, 0, b.length, true);
      }),
      { numRuns: 2000 },
    );
  });
});

async function* once(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf;
}

async function flowsOf(pk: TimedPacket[]): Promise<FlowRecord[]> {
  const flows: FlowRecord[] = [];
  await analyzeCapture('sni.pcap', { flow: (f) => flows.push(f) }, { source: once(capture(pk)) });
  return flows.sort((a, b) => (a.first_frame ?? 0) - (b.first_frame ?? 0));
}

const T0 = 1_700_000_000;

function tlsTo(server: string, port: number, sni: Buffer, t: number): TimedPacket[] {
  const c = new TcpConversation({ client: { ip: '10.0.0.2', port }, server: { ip: server, port: 443 }, startTs: t, rttMs: 20 });
  return c.handshake().send('c2s', wrapTlsRecords(buildClientHello({ serverNames: [{ type: 0, name: sni }], seed: `${port}` }))).close().packets;
}

describe('flows: an IP-literal server_name names nothing', () => {
  it('TLS: kept in sni, not the hostname; the DNS name the client resolved names the flow instead', async () => {
    const r = dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'real.example' }],
      answers: [{ type: 'A', name: 'real.example', ttl: 300, data: '93.184.216.34' }] });
    const pk = [
      { ts: T0, ip: udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 53, dport: 40000, payload: r }) },
      ...tlsTo('93.184.216.34', 41000, B('93.184.216.34'), T0 + 0.1),
      ...tlsTo('93.184.216.35', 41001, B('[2001:db8::1]'), T0 + 0.2),
      ...tlsTo('93.184.216.36', 41002, B('Odd_Name.example.'), T0 + 0.3),
    ];
    const flows = (await flowsOf(pk)).filter((f) => f.transport === 'tcp');
    expect(flows.map((f) => [f.sni, f.hostname, f.name_source, f.anomalies])).toEqual([
      ['93.184.216.34', 'real.example', 'dns', ['tls_sni_ip_literal']],
      ['[2001:db8::1]', undefined, undefined, ['tls_sni_ip_literal']],
      ['odd_name.example', 'odd_name.example', 'tls_sni', ['tls_sni_uppercase', 'tls_sni_invalid']],
    ]);
  });

  it('QUIC shares the parser: the same anomaly, quic kept, no hostname', async () => {
    const dcid = Buffer.from('0102030405060708', 'hex');
    const scid = Buffer.from('aabbccdd', 'hex');
    const hello = buildClientHello({ sni: '1.2.3.4', alpn: ['h3'], quicTransportParams: true });
    const pk: TimedPacket[] = buildQuicClientInitials({ version: 'v1', dcid, scid, clientHello: hello }).map((d, i) => ({
      ts: T0 + i * 0.001,
      ip: udpPacket({ src: '10.0.0.2', dst: '1.2.3.4', sport: 51000, dport: 443, payload: d }),
    }));
    const s = buildQuicServerInitial({ version: 'v1', clientDcid: dcid, serverCid: Buffer.from('5e7e', 'hex'), clientScid: scid });
    pk.push({ ts: T0 + 0.03, ip: udpPacket({ src: '1.2.3.4', dst: '10.0.0.2', sport: 443, dport: 51000, payload: s }) });
    const [f] = await flowsOf(pk);
    expect([f.quic, f.hostname, f.anomalies]).toEqual(['1.2.3.4', undefined, ['tls_sni_ip_literal']]);
  });
});

describe.skipIf(!TSHARK)('extract lists server names as tshark does', () => {
  it('odd names, empty and repeated entries, other name types', async () => {
    const sets: Buffer[][] = [
      ...CASES.map(([sent]) => [B(sent)]).filter(([b]) => !b.some((c) => c < 0x20 || c > 0x7e)), // tshark shows bytes
      [B('first.example'), B('second.example')],
    ];
    const pk: TimedPacket[] = [];
    sets.forEach((names, i) => {
      const c = new TcpConversation({ client: { ip: '10.0.0.2', port: 42000 + i }, server: { ip: '93.184.216.34', port: 443 }, startTs: T0 + i, rttMs: 20 });
      const hello = buildClientHello({ serverNames: names.map((name, j) => ({ type: i === 1 && j === 0 ? 1 : 0, name })), seed: `${i}` });
      pk.push(...c.handshake().send('c2s', wrapTlsRecords(hello)).close().packets);
    });
    const file = join(tmp, 'names.pcap');
    writeFileSync(file, capture(pk));
    const { doc } = await extractOracleDoc(file);
    const ours = doc.tls_sni.map((e) => `${e.client_port} ${e.sni}`);
    const out = execFileSync('tshark', ['-n', '-r', file, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-E', 'occurrence=a', '-e', 'tcp.srcport',
      '-e', 'tls.handshake.extensions_server_name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, HOME: tmp } });
    // the oracle's normalisation: lowercase, one trailing dot removed ("." is the root: "")
    const norm = (s: string): string => (s === '.' ? '' : s.toLowerCase().replace(/\.$/, ''));
    const theirs = out.trim().split('\n').flatMap((l) => {
      const [port, names] = l.split('\t');
      return (names ?? '').split(',').map((n) => `${port} ${norm(n)}`);
    });
    expect(ours).toEqual(theirs);
  });
});
