// Micro-benchmarks for the name extractors, grouped by input shape: ClientHello parsing (one record, fragmented,
// post-quantum), the TLS probe, and QUIC Initial handling (key derivation + decryption + hello). Run with
// `npx vitest bench test/bench/tls-quic.bench.ts`.
import { bench, describe } from 'vitest';
import { parseClientHello } from '../../src/extract/tls/client-hello.js';
import { looksLikeTls, scanTlsClientHello } from '../../src/extract/tls/record.js';
import { QuicFlowState } from '../../src/extract/quic/state.js';
import { looksLikeQuicInitial } from '../../src/extract/quic/header.js';
import { deriveInitialKeys } from '../../src/extract/quic/initial-keys.js';
import { buildClientHello, wrapTlsRecords } from '../../src/synth/tls.js';
import { buildQuicClientInitials } from '../../src/synth/quic.js';

const classic = buildClientHello({ sni: 'www.example.com', alpn: ['h2', 'http/1.1'], grease: true });
const pq = buildClientHello({ sni: 'www.example.com', alpn: ['h2', 'http/1.1'], grease: true, postQuantum: true });
const oneRecord = wrapTlsRecords(pq);
const fragmented = wrapTlsRecords(pq, 256);
const dcid = Buffer.from('0102030405060708', 'hex');
const initials = buildQuicClientInitials({ version: 'v1', dcid, scid: Buffer.alloc(0), clientHello: pq });

describe('ClientHello', () => {
  bench('parseClientHello classic (~500 B)', () => { parseClientHello(classic, 4, classic.length); });
  bench('parseClientHello post-quantum (~1.8 KB)', () => { parseClientHello(pq, 4, pq.length); });
  bench('scanTlsClientHello one record', () => { scanTlsClientHello(oneRecord, 0, oneRecord.length); });
  bench('scanTlsClientHello 256-byte records', () => { scanTlsClientHello(fragmented, 0, fragmented.length); });
  bench('looksLikeTls', () => { looksLikeTls(oneRecord, 0, oneRecord.length); });
});

describe('QUIC Initial', () => {
  bench('looksLikeQuicInitial', () => { looksLikeQuicInitial(initials[0], 0, initials[0].length); });
  bench('deriveInitialKeys', () => { deriveInitialKeys(1, dcid, false); });
  bench('QuicFlowState: 2 Initials -> hello (post-quantum)', () => {
    const s = new QuicFlowState();
    for (const d of initials) s.onDatagram(d, 0, d.length, true, 0);
  });
});
