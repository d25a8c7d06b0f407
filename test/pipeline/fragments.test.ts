// Fragments that never complete, through the whole pipeline, on synthetic captures of each class: a DNS response
// whose first fragment alone was captured (IPv4 and IPv6), the same response complete, fragments without their
// first, a TLS ClientHello in an incomplete TCP datagram, and the timing cases (a late DNS answer, a connection that
// closes right after). DNS answers are cross-checked with tshark where it is installed: with reassembly off for a
// first fragment alone (tshark then reads it as a datagram cut short), with its defaults for a complete one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/pipeline.js';
import { extractOracleDoc } from '../../src/oracle-doc.js';
import type { CaptureSummary, DnsRecord, FlowRecord, OracleDoc } from '../../src/types.js';
import {
  FRAG_CLIENT4,
  FRAG_CLIENT6,
  FRAG_RESOLVER4,
  FRAG_RESOLVER6,
  FRAG_T0,
  capture,
  dnsPair,
  fragmentedDnsCapture,
  fragmentedDnsPackets,
  fragmentsOf,
  truncatedHelloPackets,
} from '../../src/synth/fragment-captures.js';
import { TcpConversation, tcpPacket, udpPacket, F_ACK, F_PSH } from '../../src/synth/packets.js';
import { FRAG_TIMEOUT_S, TCP_CLOSE_LINGER_S } from '../../src/limits.js';

const TSHARK = ((): boolean => {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!TSHARK) console.warn('tshark not installed: the tshark cross-checks of fragments.test.ts are skipped');

const tmp = mkdtempSync(join(tmpdir(), 'residency-frag-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function* once(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf;
}

interface Run {
  flows: FlowRecord[];
  dns: DnsRecord[];
  summary: CaptureSummary;
  doc: OracleDoc;
}

async function run(pcap: Buffer): Promise<Run> {
  const flows: FlowRecord[] = [];
  const dns: DnsRecord[] = [];
  const summary = await analyzeCapture('frag.pcap', { flow: (f) => flows.push(f), dns: (d) => dns.push(d) }, { source: once(pcap) });
  const file = join(tmp, `c${Math.random().toString(36).slice(2)}.pcap`);
  writeFileSync(file, pcap);
  const { doc } = await extractOracleDoc(file);
  flows.sort((a, b) => (a.first_frame ?? 0) - (b.first_frame ?? 0));
  return { flows, dns, summary, doc };
}

/** tshark's DNS A answers per frame ("frame: a,b,c"), with IPv4/IPv6 reassembly on or off. */
function tsharkAnswers(pcap: Buffer, reassemble: boolean): string[] {
  const file = join(tmp, `t${Math.random().toString(36).slice(2)}.pcap`);
  writeFileSync(file, pcap);
  const on = reassemble ? 'TRUE' : 'FALSE';
  const out = execFileSync('tshark', ['-n', '-o', `ip.defragment:${on}`, '-o', `ipv6.defragment:${on}`, '-r', file, '-Y', 'dns.flags.response == 1',
    '-T', 'fields', '-e', 'frame.number', '-e', 'dns.a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, HOME: tmp } });
  return out.trim().split('\n').filter((l) => l !== '').map((l) => l.replace('\t', ': '));
}

const ours = (doc: OracleDoc): string[] =>
  doc.dns.filter((d) => d.is_response).map((d) => `${d.frame}: ${d.answers.filter((a) => a.type === 'A').map((a) => a.data).join(',')}`);

/** A records of dnsPair's response that fit whole in the first `udpBytes` bytes of the UDP datagram. */
function answersThatFit(udpBytes: number, name = 'example.com'): number {
  const nameLen = name.length + 2;
  return Math.floor((udpBytes - 8 - 12 - (nameLen + 4)) / (nameLen + 10 + 4));
}

describe('a DNS response whose other fragments were never captured', () => {
  for (const version of [4, 6] as const) {
    it(`IPv${version}: the flow is there, bytes counted, the question and every whole answer extracted`, async () => {
      const pcap = fragmentedDnsCapture({ version, keep: 'first' });
      const { flows, dns, summary, doc } = await run(pcap);
      const client = version === 4 ? FRAG_CLIENT4 : FRAG_CLIENT6;
      const resolver = version === 4 ? FRAG_RESOLVER4 : FRAG_RESOLVER6;
      expect(flows).toHaveLength(1);
      expect(flows[0]).toMatchObject({
        transport: 'udp',
        client_ip: client,
        client_port: 40000,
        server_ip: resolver,
        server_port: 53,
        first_frame: 1,
        first_seen: FRAG_T0,
        last_seen: FRAG_T0 + 0.02,
        packets_up: 1,
        packets_down: 1,
        bytes_down: 400, // the fragment's IP payload: UDP header + 392 bytes of DNS
        payload_down: 392,
      });
      expect(flows[0].anomalies).toEqual(expect.arrayContaining(['ip_fragment_incomplete', 'dns_truncated']));
      const fit = answersThatFit(400);
      expect(fit).toBe(13);
      expect(dns).toHaveLength(1);
      expect(dns[0]).toMatchObject({ qname: 'example.com', query_seen: true, response_seen: true, client_ip: client });
      expect(dns[0].answers?.map((a) => a.data)).toEqual(Array.from({ length: fit }, (_, i) => `93.184.216.${i}`));
      expect(ours(doc)).toEqual([`2: ${Array.from({ length: fit }, (_, i) => `93.184.216.${i}`).join(',')}`]);
      expect(summary.counters.frag_incomplete).toBe(1);
      expect(summary.anomalies.ip_fragment_incomplete).toBe(1);
    });

    it.skipIf(!TSHARK)(`IPv${version}: the same answers as tshark reading the fragment as a datagram cut short`, async () => {
      const pcap = fragmentedDnsCapture({ version, keep: 'first' });
      expect(ours((await run(pcap)).doc)).toEqual(tsharkAnswers(pcap, false));
      expect(tsharkAnswers(pcap, true)).toEqual([]); // reassembling, tshark decodes nothing of it
    });
  }

  it('a DNS answer that arrives late (the datagram is given up) still names the flows that began meanwhile', async () => {
    const pk = fragmentedDnsPackets({ version: 4, keep: 'first' });
    const mid = new TcpConversation({ client: { ip: FRAG_CLIENT4, port: 41000 }, server: { ip: '93.184.216.3', port: 8883 }, startTs: FRAG_T0 + 0.1, rttMs: 20 });
    mid.handshake().send('c2s', Buffer.from('not tls, not http')).close();
    const before = new TcpConversation({ client: { ip: FRAG_CLIENT4, port: 41001 }, server: { ip: '93.184.216.4', port: 8883 }, startTs: FRAG_T0 - 1, rttMs: 20 });
    before.handshake().send('c2s', Buffer.from('not tls, not http')).close();
    const all = [...pk, ...mid.packets, ...before.packets].sort((a, b) => a.ts - b.ts);
    const { flows } = await run(capture(all));
    const byPort = (p: number) => flows.find((f) => f.client_port === p);
    expect(byPort(41000)).toMatchObject({ hostname: 'example.com', name_source: 'dns' });
    expect(byPort(41001)?.hostname).toBeUndefined(); // began before the answer
  });
});

describe('a fragmented DNS response captured whole', () => {
  for (const version of [4, 6] as const) {
    it(`IPv${version}, fragments in reverse: one datagram, every answer, the flow begins at its first fragment`, async () => {
      const pcap = fragmentedDnsCapture({ version, keep: 'all', reverse: true });
      const { flows, dns, summary, doc } = await run(pcap);
      const { response } = dnsPair(7, 60);
      expect(flows).toHaveLength(1);
      expect(flows[0]).toMatchObject({ packets_down: 1, bytes_down: 8 + response.length, first_frame: 1, last_seen: FRAG_T0 + 0.02 + 4 * 0.0001 });
      expect(flows[0].anomalies).toBeUndefined();
      expect(dns[0].answers).toHaveLength(60);
      expect(ours(doc)).toEqual([`6: ${Array.from({ length: 60 }, (_, i) => `93.184.216.${i}`).join(',')}`]);
      expect(summary.counters.reassembled_datagrams).toBe(1);
      expect(summary.counters.frag_incomplete).toBe(0);
    });

    it.skipIf(!TSHARK)(`IPv${version}: the same answers, at the same frame, as tshark`, async () => {
      const pcap = fragmentedDnsCapture({ version, keep: 'all', reverse: true });
      expect(ours((await run(pcap)).doc)).toEqual(tsharkAnswers(pcap, true));
    });
  }

  it('a copy of a fragment after the datagram completed is absorbed, not a second datagram', async () => {
    const pk = fragmentedDnsPackets({ version: 4, keep: 'all' });
    pk.push({ ts: pk[pk.length - 1].ts + 0.001, ip: pk[1].ip }); // the first fragment again
    const { flows, dns, summary } = await run(capture(pk));
    expect(flows.map((f) => [f.packets_down, f.anomalies])).toEqual([[1, undefined]]);
    expect(dns).toHaveLength(1);
    expect(summary.counters.frag_duplicates).toBe(1);
  });
});

describe('fragments whose first fragment was never captured', () => {
  it('make a record with ports 0, oriented from the local address, counting their bytes', async () => {
    const { flows, summary } = await run(fragmentedDnsCapture({ version: 4, keep: 'rest' }));
    expect(flows).toHaveLength(2);
    const portless = flows.find((f) => f.client_port === 0);
    const { response } = dnsPair(7, 60);
    expect(portless).toMatchObject({
      transport: 'udp',
      client_ip: FRAG_CLIENT4,
      server_ip: FRAG_RESOLVER4,
      server_port: 0,
      packets_up: 0,
      packets_down: 1,
      bytes_down: 8 + response.length - 400,
      payload_down: 8 + response.length - 400,
      first_frame: 2,
      anomalies: ['ip_fragment_incomplete', 'ip_fragment_first_missing'],
    });
    expect(summary.counters.frag_first_missing).toBe(1);
    expect(summary.anomalies.ip_fragment_first_missing).toBe(1);
  });

  it('IPv6 too (no local side: the sender stays the client)', async () => {
    const { flows } = await run(fragmentedDnsCapture({ version: 6, keep: 'rest' }));
    expect(flows.find((f) => f.client_port === 0)).toMatchObject({ client_ip: FRAG_RESOLVER6, server_ip: FRAG_CLIENT6, packets_up: 1, ip_version: 6 });
  });
});

describe('a TLS ClientHello in a TCP datagram cut short', () => {
  for (const version of [4, 6] as const) {
    it(`IPv${version}: the SNI comes out when its extension is whole in the first fragment`, async () => {
      const { flows, doc } = await run(capture(truncatedHelloPackets('frag.example.org', { version })));
      expect(flows).toHaveLength(1);
      expect(flows[0]).toMatchObject({ transport: 'tcp', server_port: 443, sni: 'frag.example.org', hostname: 'frag.example.org', bytes_up: 600, payload_up: 580 });
      expect(flows[0].anomalies).toEqual(['ip_fragment_incomplete', 'tls_client_hello_truncated']);
      expect(doc.tls_sni.map((e) => [e.frame, e.sni])).toEqual([[1, 'frag.example.org']]);
    });
  }

  it('nothing when the first fragment ends before the extensions; the flow and its bytes stay', async () => {
    const { flows } = await run(capture(truncatedHelloPackets('frag.example.org', { fragSize: 64 })));
    expect(flows).toHaveLength(1);
    expect(flows[0].sni).toBeUndefined();
    expect(flows[0]).toMatchObject({ bytes_up: 64 });
    expect(flows[0].anomalies).toEqual(expect.arrayContaining(['ip_fragment_incomplete', 'tls_client_hello_truncated']));
  });
});

describe('ordering: an incomplete datagram is known only after later packets', () => {
  it('a connection that closes right after it keeps one record that counts it', async () => {
    const c = new TcpConversation({ client: { ip: FRAG_CLIENT4, port: 43000 }, server: { ip: '93.184.216.34', port: 8080 }, startTs: FRAG_T0, rttMs: 20 });
    c.handshake();
    const seq = 0x1001;
    const seg = tcpPacket({ src: FRAG_CLIENT4, dst: '93.184.216.34', sport: 43000, dport: 8080, seq, ack: 0x9001, flags: F_ACK | F_PSH, payload: Buffer.alloc(1200, 0x41) }, { id: 0x77 });
    const frag = fragmentsOf(seg, 600, 4, 0x77)[0];
    const later = new TcpConversation({ client: { ip: FRAG_CLIENT4, port: 43000 }, server: { ip: '93.184.216.34', port: 8080 }, startTs: FRAG_T0, rttMs: 20, clientIsn: 0x1000 + 1200, serverIsn: 0x9000 });
    later.close();
    const pk = [...c.packets, { ts: FRAG_T0 + 0.03, ip: frag }, ...later.packets.map((p) => ({ ts: p.ts + 0.04, ip: p.ip }))];
    pk.push({ ts: FRAG_T0 + 30, ip: udpPacket({ src: FRAG_CLIENT4, dst: '10.0.0.1', sport: 5000, dport: 5001, payload: Buffer.from('tick') }) });
    const { flows } = await run(capture(pk));
    const tcp = flows.filter((f) => f.transport === 'tcp');
    expect(tcp).toHaveLength(1);
    expect(tcp[0]).toMatchObject({ end_reason: 'fin', packets_up: 1 + 1 + 1 + 1 + 1, bytes_up: 24 + 20 + 600 + 20 + 20 }); // the SYN carries an MSS option
    expect(tcp[0].anomalies).toContain('ip_fragment_incomplete');
    // what makes it hold: the datagram is given up (at the latest one sweep after FRAG_TIMEOUT_S) before the closed
    // connection's linger ends
    expect(FRAG_TIMEOUT_S + 1).toBeLessThan(TCP_CLOSE_LINGER_S);
  });
});
