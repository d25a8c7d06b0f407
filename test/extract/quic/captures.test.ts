import { describe, expect, it } from 'vitest';
import { QuicFlowState, QUIC_DONE, QUIC_NOT_QUIC } from '../../../src/extract/quic/state.js';
import { looksLikeGoogleQuic, looksLikeQuicInitial } from '../../../src/extract/quic/header.js';
import { capturesPresent, loadExpected, readPackets } from '../tls/capture-fixture.js';

interface Flow { client: string; cport: number; server: string; sport: number; s: QuicFlowState }

/** Runs every UDP flow whose first packet looks like a QUIC Initial through a QuicFlowState. */
function quicFlows(rel: string): Flow[] {
  const flows = new Map<string, Flow>();
  for (const p of readPackets(rel)) {
    if (p.proto !== 'udp') continue;
    const fwd = `${p.src}|${p.sport}|${p.dst}|${p.dport}`;
    const rev = `${p.dst}|${p.dport}|${p.src}|${p.sport}`;
    let f = flows.get(fwd);
    let fromClient = true;
    if (f === undefined) {
      f = flows.get(rev);
      fromClient = false;
    }
    if (f === undefined) {
      if (!looksLikeQuicInitial(p.payload, 0, p.payload.length)) continue;
      f = { client: p.src, cport: p.sport, server: p.dst, sport: p.dport, s: new QuicFlowState() };
      flows.set(fwd, f);
      fromClient = true;
    }
    f.s.onDatagram(p.payload, 0, p.payload.length, fromClient, p.ts);
  }
  return [...flows.values()];
}

function keysOf(flows: Flow[]): string[] {
  return [...new Set(flows.filter((f) => f.s.result?.sni !== undefined)
    .map((f) => `${f.client}|${f.cport}|${f.server}|${f.sport}|${f.s.result?.sni}`))].sort();
}

function expectedKeys(rel: string): string[] {
  return [...new Set(loadExpected(rel).quic_sni
    .map((e) => `${e.client_ip}|${e.client_port}|${e.server_ip}|${e.server_port}|${e.sni}`))].sort();
}

describe.skipIf(!capturesPresent)('QUIC Initials in the shared real captures', () => {
  for (const rel of ['wireshark/quic-fragmented-handshakes.pcapng.gz', 'wireshark/quic_follow_multistream.pcapng']) {
    it(`${rel}: SNIs match the tshark oracle`, () => {
      const flows = quicFlows(rel);
      const want = expectedKeys(rel);
      expect(want.length).toBeGreaterThan(0);
      expect(keysOf(flows)).toEqual(want);
      for (const f of flows) expect(f.s.state).not.toBe(QUIC_NOT_QUIC);
    });
  }

  it('quic_follow_multistream.pcapng: the server Initial gives a positive Initial RTT', () => {
    const [f] = quicFlows('wireshark/quic_follow_multistream.pcapng');
    const r = f.s.result;
    expect(r?.version).toBe('draft-29');
    expect(r?.alpn).toEqual(['h3-29']);
    expect(r?.serverInitialTs).toBeDefined();
    const rtt = (r?.serverInitialTs ?? 0) - (r?.clientInitialTs ?? 0);
    expect(rtt).toBeGreaterThan(0.01);
    expect(rtt).toBeLessThan(0.1);
  });

  it('quic-fragmented-handshakes: the v1 flow without SNI parses too (ALPN list, no server_name)', () => {
    const v1 = quicFlows('wireshark/quic-fragmented-handshakes.pcapng.gz').filter((f) => f.s.result?.version === 'v1');
    expect(v1.length).toBe(1);
    expect(v1[0].s.result?.sni).toBeUndefined();
    expect(v1[0].s.result?.alpn).toContain('h3');
    expect(v1[0].s.anomalies).toEqual([]);
  });

  it('many_interfaces.pcapng.1: gQUIC is not taken for IETF QUIC', () => {
    const rel = 'wireshark/many_interfaces.pcapng.1';
    expect(quicFlows(rel)).toEqual([]);
    const gquic = readPackets(rel).filter((p) => p.proto === 'udp' && looksLikeGoogleQuic(p.payload, 0, p.payload.length));
    expect(gquic.map((p) => p.frame)).toContain(51);
    expect(gquic.every((p) => p.sport === 443 || p.dport === 443)).toBe(true);
    // named and counted as gQUIC (hidden QUIC for the audit), never read
    const first = gquic.find((p) => p.frame === 51);
    const s = new QuicFlowState();
    expect(first && s.onDatagram(first.payload, 0, first.payload.length, true, first.ts)).toBe(QUIC_DONE);
    expect(s.versionName).toBe('Q025');
    expect(s.anomalies).toEqual(['quic_gquic_ignored']);
  });
});
