import { describe, expect, it } from 'vitest';
import { scanTlsClientHello, TLS_NEED_MORE } from '../../../src/extract/tls/record.js';
import { parseDtlsClientHello } from '../../../src/extract/tls/dtls.js';
import { capturesPresent, clientStreams, loadExpected, readPackets } from './capture-fixture.js';

/** ClientHellos of every client stream of a capture, fed as the stream grows segment by segment. */
function hellos(rel: string): Array<{ key: string; sni?: string; versions: string[] }> {
  const out: Array<{ key: string; sni?: string; versions: string[] }> = [];
  for (const s of clientStreams(readPackets(rel))) {
    // incremental: every prefix that ends on a segment boundary (segments in file order)
    let grown = Buffer.alloc(0);
    let incremental: unknown = TLS_NEED_MORE;
    for (const seg of s.segments) {
      grown = Buffer.concat([grown, seg]);
      incremental = scanTlsClientHello(grown, 0, grown.length);
      if (incremental !== TLS_NEED_MORE) break;
    }
    const r = scanTlsClientHello(s.bytes, 0, s.bytes.length);
    if (typeof r === 'number' || 'anomaly' in r) continue;
    const key = `${s.client}|${s.clientPort}|${s.server}|${s.serverPort}`;
    out.push({ key, sni: r.sni, versions: r.versions });
    if (typeof incremental === 'object') expect(incremental).toEqual(r);
  }
  return out;
}

function expectedKeys(rel: string): string[] {
  return [...new Set(loadExpected(rel).tls_sni
    .map((e) => `${e.client_ip}|${e.client_port}|${e.server_ip}|${e.server_port}|${e.sni}`))].sort();
}

const FILES = ['wireshark/tls12-dsb.pcapng', 'wireshark/tls13-20-chacha20poly1305.pcap', 'wireshark/dmgr.pcapng',
  'wireshark/tls12-aes128ccm.pcap', 'wireshark/many_interfaces.pcapng.1'];

describe.skipIf(!capturesPresent)('TLS ClientHellos in the shared real captures', () => {
  for (const rel of FILES) {
    it(`${rel}: SNIs match the tshark oracle`, () => {
      const got = [...new Set(hellos(rel).filter((h) => h.sni !== undefined).map((h) => `${h.key}|${h.sni}`))].sort();
      expect(got).toEqual(expectedKeys(rel));
      expect(got.length).toBeGreaterThan(0);
    });
  }

  it('tls13-rfc8446.pcap: a TLS 1.3 hello without SNI parses (oracle has no SNI)', () => {
    const hs = hellos('wireshark/tls13-rfc8446.pcap');
    expect(hs.length).toBeGreaterThan(0);
    expect(hs.every((h) => h.sni === undefined)).toBe(true);
    expect(hs[0].versions).toContain('TLS1.3');
    expect(expectedKeys('wireshark/tls13-rfc8446.pcap')).toEqual([]);
  });

  it('tls-fragmented-handshakes.pcap.gz: hellos fragmented across records parse (no SNI there)', () => {
    const hs = hellos('wireshark/tls-fragmented-handshakes.pcap.gz');
    expect(hs.length).toBe(100);
    expect(hs.every((h) => h.versions[0] === 'TLS1.2')).toBe(true);
    expect(hs.every((h) => h.sni === undefined)).toBe(true);
  });

  it('DTLS captures: ClientHellos found, without SNI', () => {
    for (const rel of ['wireshark/dtls12-aes128ccm8.pcap', 'wireshark/snakeoil-dtls.pcap']) {
      const found = readPackets(rel).filter((p) => p.proto === 'udp')
        .map((p) => parseDtlsClientHello(p.payload, 0, p.payload.length)).filter((x) => x !== null);
      expect(found.length, rel).toBeGreaterThan(0);
      expect(found.every((f) => f?.sni === undefined)).toBe(true);
    }
  });
});
