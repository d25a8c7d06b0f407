// Real captures (../shared/captures, read-only) against the tshark oracle's "http_host" entries.
import { describe, expect, it } from 'vitest';
import { HttpRequestStream } from '../../../src/extract/http/request-host.js';
import { CAPTURES, capturesPresent, readExpected, readL4Packets } from '../pcap-packets.js';
import { tcpDirections } from '../tcp-streams.js';

/** Captures with HTTP requests our test walker can reach (python-dpkt/nb6-http.pcap tunnels IPv6 in IPv4: left out). */
const CASES = [
  'gopacket/test_ethernet.pcap', 'gopacket/test_loopback.pcap', 'python-dpkt/http.pcap', 'tcpdump/print-flags.pcap',
  'tcpflow/bug8.pcap', 'tcpflow/test-gzip.pcap', 'tcpflow/test1.pcap', 'tcpflow/test2.pcap', 'tcpflow/test3.pcap',
  'tcpflow/test4.pcap', 'wireshark/http.pcap',
];

function hostsOf(rel: string): string[] {
  const out: string[] = [];
  for (const d of tcpDirections(readL4Packets(`${CAPTURES}/${rel}`))) {
    const h = new HttpRequestStream();
    let held = Buffer.alloc(0);
    for (const c of d.chunks) {
      if (c.gap) {
        h.gap();
        held = Buffer.alloc(0);
      }
      held = Buffer.concat([held, c.data]);
      const r = h.feed(held, 0, held.length, (x) => out.push(`${d.src}|${d.sport}|${d.dst}|${d.dport}|${x}`));
      if (r < 0) break;
      held = held.subarray(r);
    }
  }
  return out.sort();
}

describe.skipIf(!capturesPresent)(`HTTP Host vs the tshark oracle (${CAPTURES})`, () => {
  it.each(CASES)('%s: same hosts on the same connections', (rel) => {
    const want = readExpected(rel).http_host.map((e) => `${e.client_ip}|${e.client_port}|${e.server_ip}|${e.server_port}|${e.host}`).sort();
    expect(want.length).toBeGreaterThan(0);
    expect(hostsOf(rel)).toEqual(want);
  });

  it('finds all 33 pipelined requests of tcpflow/test4.pcap (IPv6)', () => {
    const hosts = hostsOf('tcpflow/test4.pcap');
    expect(hosts).toHaveLength(33);
    expect(hosts.every((h) => h.includes(':'))).toBe(true);
  });
});
