// The log reader on real-shaped logs copied from Zeek's and Suricata's documentation (fixtures/README.md says
// where each line comes from). Expected values are worked out by hand from the documents (tcpdump listing of
// tm1t.pcap in Zeek's "Log Formats" page; the Suricata examples), not taken from our own output.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import { recordsOf } from './sample-logs.js';

const FIX = join(REPO_ROOT, 'test/logs/fixtures');

describe('Zeek documentation logs (tm1t.pcap)', () => {
  it.each(['zeek-docs-tsv', 'zeek-docs-json'])('%s: the DNS flow, the HTTP flow named by its Host and by DNS', async (dir) => {
    const r = await recordsOf(join(FIX, dir));
    expect(r.summary.format).toBe(dir.endsWith('tsv') ? 'zeek-tsv' : 'zeek-json');
    expect(r.summary.log_files).toEqual(['http.log', 'dns.log', 'conn.log']);
    expect(r.summary.warnings).toEqual([]);
    const uids = dir.endsWith('tsv') ? ['CazOhH2qDUiJTWMCY', 'CLqEx41jYPOdfHF586'] : ['CMdzit1AMNsmfAIiQc', 'C5bLoe2Mvxqhawzqqd'];
    const [dnsFlow, http] = r.flows;
    // 2 packets of 59 bytes (31 bytes of DNS + 8 UDP + 20 IP): orig_ip_bytes 118, our bytes 2 x 39 = 78.
    expect(dnsFlow).toMatchObject({
      uid: uids[0], transport: 'udp', client_ip: '192.168.4.76', client_port: 36844, server_ip: '192.168.4.1', server_port: 53,
      first_seen: 1591367999.305988, last_seen: 1591367999.37284, packets_up: 2, packets_down: 2, bytes_up: 78, bytes_down: 157,
      payload_up: 62, payload_down: 141,
    });
    expect(dnsFlow.hostname).toBeUndefined();
    // tcpdump: SYN with 20 bytes of TCP options, then 40-byte-header segments; 77 bytes of GET.
    // Up: 40 + 32 + 32+77 + 32 + 32 + 32 = 277 bytes of TCP; down: 40 + 32 + 32+295 + 32 = 431.
    expect(http).toMatchObject({
      uid: uids[1], transport: 'tcp', server_ip: '31.3.245.133', server_port: 80, packets_up: 6, packets_down: 4,
      bytes_up: 277, bytes_down: 431, payload_up: 77, payload_down: 295, tcp_flags: 'SAF', end_reason: 'fin',
      http_host: 'testmyids.com', hostname: 'testmyids.com', name_source: 'http_host',
      dns_qname: 'testmyids.com', cname_chain: ['testmyids.com'], dns_uid: uids[0],
    });
    // Zeek's duration leaves out the last ACK (14:39:59.684346): it ends at the responder's FIN.
    expect(http.last_seen).toBe(1591367999.684281);
    for (const f of r.flows) {
      expect(f.first_frame).toBeUndefined();
      expect(f.rtt_ms).toBeUndefined();
    }
    expect(r.dns).toHaveLength(2);
    const a = r.dns.find((d) => d.qtype_name === 'A');
    expect(a).toMatchObject({
      uid: uids[0], id: 19671, qname: 'testmyids.com', rcode_name: 'NOERROR', rtt_ms: 66.852, query_seen: true, response_seen: true,
      answers: [{ name: 'testmyids.com', type: 'A', data: '31.3.245.133', ttl: 3600 }],
    });
    expect(r.dns.find((d) => d.qtype_name === 'AAAA')?.answers).toEqual([]);
  });

  it('community_id: the same string for both syntaxes of the same flow', async () => {
    const tsv = await recordsOf(join(FIX, 'zeek-docs-tsv'));
    const json = await recordsOf(join(FIX, 'zeek-docs-json'));
    expect(tsv.flows.map((f) => f.community_id)).toEqual(json.flows.map((f) => f.community_id));
  });
});

describe('Suricata documentation eve.json', () => {
  it('reads the flow, its TLS name and DNS naming; ignores alerts and anomalies', async () => {
    const r = await recordsOf(join(FIX, 'suricata-docs/eve.json'));
    expect(r.summary.format).toBe('suricata-eve');
    expect(r.summary.warnings).toEqual([]);
    expect(r.flows).toHaveLength(1);
    const [f] = r.flows;
    // Whole frames: 4884 bytes in 23 packets, less 14 (Ethernet) + 20 (IPv4) each = 4102; 7392 - 21 x 34 = 6678.
    expect(f).toMatchObject({
      client_ip: '10.0.0.7', client_port: 40000, server_ip: '192.0.78.24', server_port: 443, transport: 'tcp',
      packets_up: 23, packets_down: 21, bytes_up: 4102, bytes_down: 6678,
      first_seen: 1559079149.025256, last_seen: 1559079328.071281, end_reason: 'idle',
      sni: 'calendar.google.com', hostname: 'calendar.google.com', name_source: 'tls_sni',
      dns_qname: 'www.suricata-ids.org', cname_chain: ['www.suricata-ids.org', 'suricata-ids.org'],
    });
    expect(f.payload_up).toBeUndefined();
    expect(f.tcp_flags).toBeUndefined(); // the docs' flow event has no "tcp" object
    expect(f.dns_uid).toBe(r.dns.find((d) => d.id === 45444)?.uid);
  });

  it('pairs the version-1 answer with its query; keeps detailed and grouped answers', async () => {
    const r = await recordsOf(join(FIX, 'suricata-docs/eve.json'));
    const twitter = r.dns.find((d) => d.qname === 'twitter.com');
    expect(twitter).toMatchObject({
      id: 16000, client_ip: '10.0.0.7', client_port: 53000, server_ip: '10.0.0.1', query_seen: true, response_seen: true,
      rtt_ms: 10, answers: [{ name: 'twitter.com', type: 'A', data: '199.16.156.6', ttl: 8 }],
    });
    const detailed = r.dns.find((d) => d.id === 45444);
    expect(detailed?.answers.map((a) => `${a.name} ${a.type} ${a.data}`)).toEqual([
      'www.suricata-ids.org CNAME suricata-ids.org', 'suricata-ids.org A 192.0.78.24', 'suricata-ids.org A 192.0.78.25',
    ]);
    expect(detailed).toMatchObject({ client_ip: '10.0.0.7', server_ip: '10.0.0.1', query_seen: false, response_seen: true });
    const grouped = r.dns.find((d) => d.id === 18523);
    expect(grouped?.answers.map((a) => `${a.type} ${a.data}`)).toEqual(['CNAME suricata-ids.org', 'A 192.0.78.24', 'A 192.0.78.25']);
  });

  it("computes the Community ID Suricata logged for the same tuple", async () => {
    const r = await recordsOf(join(FIX, 'suricata-docs/eve.json'));
    const q = r.dns.find((d) => d.qname === 'localhost');
    expect(q).toMatchObject({ client_ip: '192.168.89.2', client_port: 36414, server_ip: '8.8.8.8', server_port: 53 });
    const { communityId } = await import('../../src/flow/community-id.js');
    const { addressWords } = await import('../../src/logs/address.js');
    const w = new Int32Array(8);
    addressWords('192.168.89.2', w, 0);
    addressWords('8.8.8.8', w, 4);
    expect(communityId(17, 4, w, 36414, 53)).toBe('1:6KH31DrKtXiYBf9dKMXt6n2rESo=');
  });
});
