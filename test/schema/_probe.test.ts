import { it } from 'vitest';
import { analyzeCapture } from '../../src/pipeline.js';
import { TcpConversation, udpPacket, type TimedPacket } from '../../src/synth/packets.js';
import { capture } from '../../src/synth/fragment-captures.js';
import { buildClientHello, wrapTlsRecords } from '../../src/synth/tls.js';
import { buildQuicClientInitials } from '../../src/synth/quic.js';
it('probe', async () => {
  const T0 = 1_700_000_000;
  const pk: TimedPacket[] = [];
  for (let i = 0; i < 3; i++) pk.push({ ts: T0 + i, ip: udpPacket({ src: '10.0.0.2', dst: '8.8.8.8', sport: 40000, dport: 53, payload: Buffer.from([1, 2, 3]) }) });
  const hn = (s: string | Buffer) => ({ type: 0, name: Buffer.from(s) });
  const hellos: Parameters<typeof buildClientHello>[0][] = [
    { sni: 'Example.COM' }, { sni: '192.0.2.7' }, { serverNames: [hn('a.example'), hn('b.example')] }, { serverNames: [{ type: 1, name: Buffer.from('x') }] },
    { serverNames: [hn('')] }, { sni: 'bad..name' }, { serverNames: [hn(Buffer.from([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x2e, 0x65, 0x78]))] }, { serverNames: [hn('a\u0001b.example')] },
  ];
  hellos.forEach((h, i) => {
    const c = new TcpConversation({ client: { ip: '10.0.0.2', port: 41000 + i }, server: { ip: '192.0.2.10', port: 443 }, startTs: T0 + 10 + i, rttMs: 20 });
    pk.push(...c.handshake().send('c2s', wrapTlsRecords(buildClientHello(h))).close().packets);
  });
  const trunc = new TcpConversation({ client: { ip: '10.0.0.2', port: 42000 }, server: { ip: '192.0.2.10', port: 443 }, startTs: T0 + 30, rttMs: 20 });
  pk.push(...trunc.handshake().send('c2s', wrapTlsRecords(buildClientHello({ sni: 'cut.example' })).subarray(0, 100)).close().packets);
  const dcid = Buffer.alloc(8, 7), scid = Buffer.alloc(8, 9);
  const q = (v: number | string, port: number, salt?: Buffer) => buildQuicClientInitials({ version: v, dcid, scid, salt, clientHello: buildClientHello({ sni: 'q.example', quicTransportParams: true }) })
    .forEach((d, j) => pk.push({ ts: T0 + 40 + port / 1e4 + j / 1e3, ip: udpPacket({ src: '10.0.0.2', dst: '192.0.2.20', sport: port, dport: 443, payload: d }) }));
  q(0x1a2a3a4a, 43000, Buffer.alloc(20, 1));
  q('v1', 43001, Buffer.alloc(20, 2));
  pk.sort((a, b) => a.ts - b.ts);
  const buf = capture(pk);
  const flows: unknown[] = [];
  const s = await analyzeCapture('x.pcap', { flow: (r) => flows.push([r.client_port, r.sni, r.quic, r.anomalies]) }, { source: (async function* () { yield buf; })() });
  console.log('PROBE', JSON.stringify(flows), JSON.stringify(s.anomalies), JSON.stringify(s.warnings));
});
