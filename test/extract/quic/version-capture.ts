// A capture built in code with one QUIC flow per case: every version we decrypt (hello split over two Initials,
// server Initial 30 ms later), coalesced datagrams, versions we cannot read (unknown salt, gQUIC Q050, a known
// version that fails authentication) and an unknown version readable by trial. Each case says what `flows` must
// show and whether tshark 4.0 decodes its SNI (it does not know the mvfst aliases, unknown versions, or an Initial
// coalesced after a 0-RTT packet).

import { PcapWriter } from '../../../src/synth/pcap-writer.js';
import { ethernetFrame, udpPacket } from '../../../src/synth/packets.js';
import { buildClientHello } from '../../../src/synth/tls.js';
import {
  buildQuicClientInitials, buildQuicOpaquePacket, buildQuicServerInitial, buildQuicShortPacket, coalesce,
} from '../../../src/synth/quic.js';
import { initialSalt } from '../../../src/extract/quic/initial-keys.js';
import { DECRYPTABLE_VERSIONS, isSaltCertain, quicVersionName } from '../../../src/extract/quic/versions.js';

export const CLIENT = '10.20.0.2';
export const SERVER = '198.51.100.7';
const T0 = 1_700_000_000;
const FOREIGN_SALT = Buffer.from('00112233445566778899aabbccddeeff00112233', 'hex');

export interface QuicCase {
  label: string;
  clientPort: number;
  /** The `quic` field (SNI) we must find, or undefined. */
  sni?: string;
  quicVersion: string;
  anomalies: string[];
  /** tshark 4.0 prints this SNI too. */
  tshark: boolean;
  rtt: boolean;
}

export function buildVersionCapture(): { pcap: Buffer; cases: QuicCase[] } {
  const w = new PcapWriter({ linkType: 1 });
  const cases: QuicCase[] = [];
  let port = 42000;
  let ts = T0;
  const send = (sport: number, d: Buffer, fromServer = false): void => {
    const ip = fromServer ? udpPacket({ src: SERVER, dst: CLIENT, sport: 443, dport: sport, payload: d })
      : udpPacket({ src: CLIENT, dst: SERVER, sport, dport: 443, payload: d });
    w.add(ethernetFrame(ip), ts);
    ts += 0.001;
  };
  const cids = (p: number): [Buffer, Buffer] => [Buffer.from(`${p.toString(16).padStart(8, '0')}d0d1d2d3`, 'hex'),
    Buffer.from(p.toString(16).padStart(4, '0'), 'hex')];

  for (const v of DECRYPTABLE_VERSIONS) {
    const name = quicVersionName(v);
    const sni = `${name.toLowerCase()}.versions.example`;
    const p = port++;
    const [dcid, scid] = cids(p);
    const hello = buildClientHello({ sni, alpn: ['h3'], quicTransportParams: true, seed: name });
    for (const d of buildQuicClientInitials({ version: v, dcid, scid, clientHello: hello, splitAt: [120] })) send(p, d);
    ts += 0.029;
    send(p, buildQuicServerInitial({ version: v, clientDcid: dcid, serverCid: Buffer.from('5e', 'hex'), clientScid: scid }), true);
    cases.push({ label: name, clientPort: p, sni, quicVersion: name, anomalies: [], tshark: isSaltCertain(v), rtt: true });
  }

  for (const [version, shape] of [['v1', '0rtt-first'], ['v1', 'hs-short'], ['draft-29', 'hs-short'], ['mvfst-exp', 'hs-short'],
    ['mvfst-exp', '0rtt-first'], ['T051', 'hs-short']] as const) {
    const p = port++;
    const [dcid, scid] = cids(p);
    const sni = `${shape}.${version.toLowerCase()}.coalesced.example`;
    const hello = buildClientHello({ sni, alpn: ['h3'], quicTransportParams: true });
    const [ini] = buildQuicClientInitials({ version, dcid, scid, clientHello: hello, maxDatagram: 1000 });
    const zr = buildQuicOpaquePacket({ version, type: 1, dcid, scid, bodyLength: 100 });
    const hs = buildQuicOpaquePacket({ version, type: 2, dcid, scid, bodyLength: 60 });
    send(p, shape === '0rtt-first' ? coalesce([zr, ini, hs], 1200) : coalesce([ini, hs, buildQuicShortPacket(dcid, 80)]));
    cases.push({ label: `${version} ${shape}`, clientPort: p, sni, quicVersion: version, anomalies: [],
      tshark: shape !== '0rtt-first', rtt: false });
  }

  const unreadable: Array<[string, number | string, Buffer | undefined, string, string]> = [
    ['unknown version', 0x1a2a3a4a, FOREIGN_SALT, '0x1a2a3a4a', 'quic_version_unknown'],
    ['v1 failing authentication', 'v1', FOREIGN_SALT, 'v1', 'quic_initial_decrypt_failed'],
    ['mvfst alias failing authentication', 'mvfst-alias', FOREIGN_SALT, 'mvfst-alias', 'quic_initial_decrypt_failed'],
  ];
  for (const [label, version, salt, name, anomaly] of unreadable) {
    const p = port++;
    const [dcid, scid] = cids(p);
    const hello = buildClientHello({ sni: 'never.example', quicTransportParams: true });
    for (const d of buildQuicClientInitials({ version, dcid, scid, clientHello: hello, salt })) send(p, d);
    cases.push({ label, clientPort: p, quicVersion: name, anomalies: [anomaly], tshark: false, rtt: false });
  }
  {
    const p = port++;
    const [dcid, scid] = cids(p);
    const [d] = buildQuicClientInitials({ version: 1, dcid, scid, clientHello: buildClientHello({ sni: 'gquic.example' }) });
    d.write('Q050', 1, 'latin1');
    send(p, d);
    cases.push({ label: 'gQUIC Q050', clientPort: p, quicVersion: 'Q050', anomalies: ['quic_gquic_ignored'], tshark: false,
      rtt: false });
  }
  {
    const p = port++;
    const [dcid, scid] = cids(p);
    const sni = 'trial.unknown.example';
    const hello = buildClientHello({ sni, alpn: ['h3'], quicTransportParams: true });
    for (const d of buildQuicClientInitials({ version: 0x0b0c0d0e, dcid, scid, clientHello: hello, salt: initialSalt(0xff00001d) })) send(p, d);
    cases.push({ label: 'unknown version, draft-29 salt', clientPort: p, sni, quicVersion: '0x0b0c0d0e', anomalies: [],
      tshark: false, rtt: false });
  }
  return { pcap: w.toBuffer(), cases };
}
