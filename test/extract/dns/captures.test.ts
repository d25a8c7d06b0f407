// Real captures (../shared/captures, read-only) against the tshark oracle's "dns" entries.
import { describe, expect, it } from 'vitest';
import { decodeDnsMessage, isDnsMalformed } from '../../../src/extract/dns/message.js';
import { DnsTcpFramer } from '../../../src/extract/dns/tcp-framing.js';
import { rcodeName, rrTypeName } from '../../../src/extract/dns/rr-types.js';
import { CAPTURES, capturesPresent, readExpected, readL4Packets } from '../pcap-packets.js';
import { tcpDirections } from '../tcp-streams.js';
import { entryKey, udpDnsEntries } from './oracle-udp.js';

/** Captures whose UDP DNS our test walker can reach (no IP fragments, tunnels or NFLOG link type). */
const UDP_CASES = [
  'dnscap/dns.pcap', 'dnscap/dns6.pcap', 'dnscap/vlan11.pcap', 'gopacket/test_dns.pcap', 'python-dpkt/http.pcap',
  'python-dpkt/truncated_dns.pcap', 'python-dpkt/truncated_dns_2.pcap', 'tcpdump/dns-badcookie.pcap',
  'tcpdump/dns-badvers.pcap', 'tcpdump/dns-uri.pcap', 'tcpdump/dns-zlip-1.pcap', 'tcpdump/dns_fwdptr.pcap',
  'tcpdump/dns_udp.pcap', 'tcpdump/dns_udp_8053.pcap', 'tcpdump/dnssec.pcap', 'tcpdump/edns-opts.pcap',
  'tcpflow/airsnort-linux-browser_page_load.pcap', 'tcpflow/local2.pcap', 'tcpflow/test1.pcap', 'tcpflow/test3.pcap',
  'tcpflow/udp.pcap', 'wireshark/dns_port.pcap',
];

/** DNS over TCP: [capture, oracle entries, messages we find that tshark does not report]. */
const TCP_CASES: Array<[string, number, number]> = [
  ['tcpdump/dns_tcp.pcap', 2, 0],
  // tshark does not try DNS on TCP port 8053 (no TCP heuristic); the framer finds the query and response.
  ['tcpdump/dns_tcp_8053.pcap', 0, 2],
  ['dnscap/1qtcpnosyn.pcap', 2, 0],
  ['dnscap/dnso1tcp.pcap', 82, 0],
  // tshark's reassembly stalls after the hole; the framer resyncs at the next segment boundary.
  ['dnscap/dnso1tcp-bighole.pcap', 41, 36],
  ['dnscap/dnso1tcp-midmiss.pcap', 6, 0],
  ['dnscap/dnsotcp-many1pkt.pcap', 4, 0],
  // The oracle lists the query of frame 6 twice (its two tshark runs reassemble differently).
  ['dnscap/dnsotcp-manyopkts.pcap', 3, 0],
  // Lost length prefix: tshark recovers only the responses; we also recover both queries.
  ['dnscap/do1t-nosyn-1nolen.pcap', 2, 2],
];

describe.skipIf(!capturesPresent)(`DNS over UDP vs the tshark oracle (${CAPTURES})`, () => {
  it.each(UDP_CASES)('%s: every entry matches exactly, none missing or extra', (rel) => {
    const want = readExpected(rel).dns.filter((e) => e.transport === 'udp').map(entryKey).sort();
    const got = udpDnsEntries(readL4Packets(`${CAPTURES}/${rel}`)).map(entryKey).sort();
    expect(got).toEqual(want);
  });
});

describe.skipIf(!capturesPresent)('DNS over TCP through the framer vs the tshark oracle', () => {
  it.each(TCP_CASES)('%s: all %i oracle messages found, %i more', (rel, oracleCount, extraCount) => {
    const want = readExpected(rel).dns.filter((e) => e.transport === 'tcp')
      .map((e) => `${e.frame}|${e.id}|${e.is_response}|${e.qname}|${e.qtype}|${e.rcode}|${JSON.stringify(e.answers)}`);
    expect(want.length).toBe(oracleCount);
    const got: string[] = [];
    for (const d of tcpDirections(readL4Packets(`${CAPTURES}/${rel}`))) {
      const framer = new DnsTcpFramer();
      for (const c of d.chunks) {
        if (c.gap) framer.resync();
        framer.feed(c.data, 0, c.data.length, (b, o, l) => {
          const m = decodeDnsMessage(b, o, l);
          if (isDnsMalformed(m)) return;
          const answers = m.answers.map((a) => ({ name: a.name, type: a.type, data: a.data }));
          got.push(`${c.frame}|${m.id}|${m.isResponse}|${m.qname}|${m.qtype === null ? null : rrTypeName(m.qtype)}|` +
            `${rcodeName(m.rcode)}|${JSON.stringify(answers)}`);
        });
      }
    }
    const gotSet = new Set(got);
    expect(want.filter((w) => !gotSet.has(w))).toEqual([]);
    const wantSet = new Set(want);
    expect(got.filter((g) => !wantSet.has(g)).length).toBe(extraCount);
  });
});
