import { describe, expect, it } from 'vitest';
import { initialSalt } from '../../../src/extract/quic/initial-keys.js';
import { QUIC_DONE, QUIC_HELLO, QuicFlowState } from '../../../src/extract/quic/state.js';
import {
  DECRYPTABLE_VERSIONS, initialSaltId, isKnownQuicVersion, isSaltCertain, quicVersionName, SALT_NONE,
} from '../../../src/extract/quic/versions.js';
import { buildClientHello } from '../../../src/synth/tls.js';
import { buildQuicClientInitials, buildQuicServerInitial, versionNumber } from '../../../src/synth/quic.js';

// Salts as Wireshark's epan/dissectors/packet-quic.c spells them (quic_derive_initial_secrets), typed here by hand
// from that source so a slip in initial-keys.ts shows; the tshark test cross-checks them on the wire.
const WS_DRAFT_22 = '7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a';
const WS_DRAFT_23 = 'c3eef712c72ebb5a11a7d2432bb46365bef9f502';
const WS_DRAFT_29 = 'afbfec289993d24c9e9786f19c6111e04390a899';
const WS_V1 = '38762cf7f55934b34d179ae6a4c80cadccbb7f0a';
const WS_V2 = '0dede3def700a6db819381be6e269dcbf9bd2ed9';
const WS_T050 = '7ff579e5acd072915580304c43a2367c60488310';
const WS_T051 = '7a4edef4e7ccee5fa4506c19124fc8ccda6e033d';

const draft = (n: number): number => 0xff000000 + n;

describe('QUIC versions', () => {
  it('uses the salt Wireshark uses for each version it decrypts', () => {
    const cases: Array<[number, string]> = [
      [draft(21), WS_DRAFT_22], [draft(22), WS_DRAFT_22], [0xfaceb001, WS_DRAFT_22],
      ...[23, 24, 25, 26, 27, 28].map((d): [number, string] => [draft(d), WS_DRAFT_23]),
      [0xfaceb002, WS_DRAFT_23], [0xfaceb00e, WS_DRAFT_23],
      ...[29, 30, 31, 32].map((d): [number, string] => [draft(d), WS_DRAFT_29]),
      [draft(33), WS_V1], [draft(34), WS_V1], [1, WS_V1],
      [0x6b3343cf, WS_V2], [0x54303530, WS_T050], [0x54303531, WS_T051],
    ];
    for (const [v, salt] of cases) {
      expect(initialSalt(v).toString('hex'), quicVersionName(v)).toBe(salt);
      expect(isSaltCertain(v), quicVersionName(v)).toBe(true);
    }
  });

  it('gives the mvfst versions Wireshark does not list the salt mvfst itself uses, tried first', () => {
    for (const v of [0xfaceb003, 0xfaceb004, 0xfacefeed]) expect(initialSalt(v).toString('hex')).toBe(WS_V1);
    for (const v of [0xfaceb010, 0xfaceb011, 0xfaceb012, 0xfaceb013, 0xfaceb014, 0xfaceb015]) {
      expect(initialSalt(v).toString('hex')).toBe(WS_DRAFT_23);
      expect(isSaltCertain(v)).toBe(false);
    }
    expect(initialSaltId(0xfaceb00f)).toBe(SALT_NONE);
    expect(isKnownQuicVersion(0x1a2a3a4a)).toBe(false);
    expect(isSaltCertain(0x1a2a3a4a)).toBe(false);
    expect(isKnownQuicVersion(0x51303530)).toBe(false); // Q050: gQUIC crypto, not TLS
  });

  it('names versions for quic_version', () => {
    const names: Array<[number, string]> = [
      [1, 'v1'], [0x6b3343cf, 'v2'], [draft(23), 'draft-23'], [draft(29), 'draft-29'], [draft(34), 'draft-34'],
      [0xfaceb001, 'mvfst-draft-22'], [0xfaceb002, 'mvfst-draft-27'], [0xfaceb003, 'mvfst-v1-alias'],
      [0xfaceb00e, 'mvfst-exp'], [0xfaceb010, 'mvfst-alias'], [0xfaceb011, 'mvfst-exp2'], [0xfacefeed, 'mvfst-priming'],
      [0x54303531, 'T051'], [0x51303530, 'Q050'], [0xfaceb0aa, '0xfaceb0aa'], [0x0a1a2a3a, '0x0a1a2a3a'],
      [0xff000015, 'draft-21'], [0xff000014, '0xff000014'],
    ];
    for (const [v, name] of names) expect(quicVersionName(v)).toBe(name);
    for (const v of DECRYPTABLE_VERSIONS) expect(versionNumber(quicVersionName(v))).toBe(v);
  });

  for (const v of DECRYPTABLE_VERSIONS) {
    const name = quicVersionName(v);
    it(`${name}: the SNI of a hello split over shuffled Initials, and the server Initial's RTT`, () => {
      const hello = buildClientHello({ sni: `${name}.example`.toLowerCase(), alpn: ['h3'], quicTransportParams: true,
        postQuantum: true, seed: name });
      const dcid = Buffer.from(`${(v >>> 0).toString(16).padStart(8, '0')}5a5a5a5a`, 'hex');
      const scid = Buffer.from('c1c2', 'hex');
      const dgrams = buildQuicClientInitials({ version: v, dcid, scid, clientHello: hello, splitAt: [200, 900],
        shuffleFrames: true });
      expect(dgrams.length).toBeGreaterThanOrEqual(3);
      const s = new QuicFlowState();
      let r = 0;
      dgrams.forEach((d, i) => { r = s.onDatagram(d, 0, d.length, true, 10 + i / 1000); });
      expect(r).toBe(QUIC_HELLO);
      expect(s.result?.sni).toBe(`${name}.example`.toLowerCase());
      expect(s.result?.version).toBe(name);
      expect(s.versionName).toBe(name);
      expect(s.result?.clientInitialTs).toBe(10);
      const server = buildQuicServerInitial({ version: v, clientDcid: dcid, serverCid: Buffer.from('77', 'hex'),
        clientScid: scid });
      expect(s.onDatagram(server, 0, server.length, false, 10.03)).toBe(QUIC_DONE);
      expect(s.result?.serverInitialTs).toBe(10.03);
      expect(s.anomalies).toEqual([]);
    });
  }
});
