import { describe, expect, it } from 'vitest';
import { QUIC_DONE, QUIC_HELLO, QUIC_NEED_MORE, QuicFlowState } from '../../../src/extract/quic/state.js';
import { looksLikeQuicInitial } from '../../../src/extract/quic/header.js';
import { initialSalt } from '../../../src/extract/quic/initial-keys.js';
import { MAX_QUIC_TRIAL_INITIALS } from '../../../src/limits.js';
import { buildClientHello } from '../../../src/synth/tls.js';
import { buildQuicClientInitials, buildQuicServerInitial } from '../../../src/synth/quic.js';

const dcid = Buffer.from('0102030405060708', 'hex');
const scid = Buffer.from('99', 'hex');
const hello = buildClientHello({ sni: 'hidden.example', alpn: ['h3'], quicTransportParams: true });
/** A salt no version uses: what a version we do not know would bring. */
const FOREIGN_SALT = Buffer.from('00112233445566778899aabbccddeeff00112233', 'hex');
const V1_SALT = initialSalt(1);

function one(version: number | string, salt?: Buffer, d = dcid): Buffer {
  const [p] = buildQuicClientInitials({ version, dcid: d, scid, clientHello: hello, salt });
  return p;
}

describe('QUIC versions we cannot decrypt, and versions found by trial', () => {
  it('an unknown version is named and flagged quic_version_unknown, not silently unnamed', () => {
    const d = one(0x1a2a3a4a, FOREIGN_SALT);
    expect(looksLikeQuicInitial(d, 0, d.length)).toBe(true);
    const s = new QuicFlowState();
    expect(s.onDatagram(d, 0, d.length, true, 1)).toBe(QUIC_NEED_MORE);
    expect(s.versionName).toBe('0x1a2a3a4a');
    expect(s.anomalies).toEqual(['quic_version_unknown']);
    expect(s.result).toBeUndefined();
  });

  it('an unknown version whose Initial authenticates under a known salt is read (the AEAD tag decides)', () => {
    const d = one(0x1a2a3a4a, V1_SALT);
    const s = new QuicFlowState();
    expect(s.onDatagram(d, 0, d.length, true, 1)).toBe(QUIC_HELLO);
    expect(s.result?.sni).toBe('hidden.example');
    expect(s.result?.version).toBe('0x1a2a3a4a');
    expect(s.anomalies).toEqual([]);
    // the salt is kept for the flow: the server Initial (v1 layout) gives the RTT
    const server = buildQuicServerInitial({ version: 0x1a2a3a4a, clientDcid: dcid, serverCid: scid, clientScid: scid,
      salt: V1_SALT });
    expect(s.onDatagram(server, 0, server.length, false, 1.02)).toBe(QUIC_DONE);
    expect(s.result?.serverInitialTs).toBe(1.02);
  });

  it(`tries every salt on at most ${MAX_QUIC_TRIAL_INITIALS} Initials of a flow`, () => {
    const bad = one(0x2b3b4b5b, FOREIGN_SALT);
    const good = one(0x2b3b4b5b, V1_SALT);
    const late = new QuicFlowState();
    for (let i = 0; i < MAX_QUIC_TRIAL_INITIALS; i++) late.onDatagram(bad, 0, bad.length, true, i);
    expect(late.onDatagram(good, 0, good.length, true, 9)).toBe(QUIC_NEED_MORE);
    expect(late.result).toBeUndefined();
    const early = new QuicFlowState();
    for (let i = 0; i < MAX_QUIC_TRIAL_INITIALS - 1; i++) early.onDatagram(bad, 0, bad.length, true, i);
    expect(early.onDatagram(good, 0, good.length, true, 9)).toBe(QUIC_HELLO);
    expect(early.result?.sni).toBe('hidden.example');
  });

  it('an mvfst alias Wireshark does not list is read with whichever salt authenticates', () => {
    for (const salt of [undefined, V1_SALT, initialSalt(0xff00001d)]) {
      const d = one('mvfst-alias', salt);
      const s = new QuicFlowState();
      expect(s.onDatagram(d, 0, d.length, true, 1)).toBe(QUIC_HELLO);
      expect(s.result?.version).toBe('mvfst-alias');
      expect(s.anomalies).toEqual([]);
    }
  });

  it('a known version that fails authentication is quic_initial_decrypt_failed, with its version', () => {
    for (const version of ['v1', 'mvfst-exp', 'T051', 'draft-27']) {
      const d = one(version, FOREIGN_SALT);
      const s = new QuicFlowState();
      expect(s.onDatagram(d, 0, d.length, true, 1)).toBe(QUIC_NEED_MORE);
      expect(s.anomalies).toEqual(['quic_initial_decrypt_failed']);
      expect(s.versionName).toBe(version);
    }
    // an uncertain mvfst alias that no salt opens is also a known version
    const alias = one('mvfst-exp3', FOREIGN_SALT);
    const s = new QuicFlowState();
    s.onDatagram(alias, 0, alias.length, true, 1);
    expect(s.anomalies).toEqual(['quic_initial_decrypt_failed']);
  });

  it('after Version Negotiation the Initial of the new version gives the name and the RTT start', () => {
    const grease = one(0x3a4a5a6a, FOREIGN_SALT, Buffer.from('aaaaaaaaaaaaaaaa', 'hex'));
    const vn = Buffer.concat([Buffer.from([0x80, 0, 0, 0, 0, 1, 0x99, 8]), Buffer.from('aaaaaaaaaaaaaaaa', 'hex'),
      Buffer.from([0, 0, 0, 1])]);
    const v1 = one('v1');
    const s = new QuicFlowState();
    expect(s.onDatagram(grease, 0, grease.length, true, 1)).toBe(QUIC_NEED_MORE);
    expect(s.onDatagram(vn, 0, vn.length, false, 1.03)).toBe(QUIC_NEED_MORE);
    expect(s.onDatagram(v1, 0, v1.length, true, 1.04)).toBe(QUIC_HELLO);
    expect(s.result?.sni).toBe('hidden.example');
    expect(s.result?.version).toBe('v1');
    expect(s.result?.clientInitialTs).toBe(1.04);
    expect(s.versionName).toBe('v1');
    expect(s.anomalies).toEqual(['quic_version_unknown']);
  });

  it('gQUIC crypto versions (Q050) are named and counted, never read', () => {
    const d = one(0x1a2a3a4a, FOREIGN_SALT);
    d.write('Q050', 1, 'latin1');
    expect(looksLikeQuicInitial(d, 0, d.length)).toBe(true);
    const s = new QuicFlowState();
    expect(s.onDatagram(d, 0, d.length, true, 1)).toBe(QUIC_DONE);
    expect(s.versionName).toBe('Q050');
    expect(s.anomalies).toEqual(['quic_gquic_ignored']);
  });
});
