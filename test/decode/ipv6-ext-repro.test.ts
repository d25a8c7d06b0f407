// Regression on ../shared/repro/ipv6_ext100.pcap: IPv6 packets behind 15, 100 and ~2,000 extension headers used to
// vanish (a cap of 16 made them malformed, silently). Every header is walked now, as tshark does; more than
// MAX_IPV6_EXT_HEADERS is counted and named on the flow.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/pipeline.js';
import { extractOracleDoc } from '../../src/oracle-doc.js';
import type { FlowRecord } from '../../src/types.js';
import { SHARED } from '../conformance/shared-corpus.js';

const FILE = join(SHARED, 'repro', 'ipv6_ext100.pcap');
const HAVE = existsSync(FILE);
if (!HAVE) console.warn(`${FILE} not found: the IPv6 extension-header regression test is skipped`);

const TSHARK = ((): boolean => {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!HAVE)('repro/ipv6_ext100.pcap', () => {
  it('every DNS packet counts in its flow, flagged; the counter says how many', async () => {
    const flows: FlowRecord[] = [];
    const s = await analyzeCapture(FILE, { flow: (f) => flows.push(f) });
    const dns = flows.find((f) => f.server_port === 53);
    expect(dns).toMatchObject({ ip_version: 6, client_ip: '2001:db8::21', client_port: 7000, server_ip: '2001:db8::53', packets_up: 3 });
    expect(dns?.anomalies).toEqual(['ipv6_ext_headers_excessive']);
    expect(s.counters.ipv6_ext_headers_excessive).toBe(3);
    expect(s.anomalies.ipv6_ext_headers_excessive).toBe(1);
    // frame 4: a hop-by-hop header longer than the packet (tshark: malformed) stays a truncated packet
    expect(s.counters.truncated).toBe(1);
  });

  it.skipIf(!TSHARK)('finds every DNS message tshark finds (and the one behind ~2,000 headers, past tshark\'s tree depth)', async () => {
    const { doc } = await extractOracleDoc(FILE);
    const ours = doc.dns.map((d) => `${d.frame} ${d.qname}`);
    const theirs = execFileSync('tshark', ['-n', '-r', FILE, '-Y', 'dns', '-T', 'fields', '-e', 'frame.number', '-e', 'dns.qry.name'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').map((l) => l.replace('\t', ' '));
    expect(theirs).toEqual(['1 ext100.example-test.com', '2 ext100.example-test.com']);
    expect(ours).toEqual([...theirs, '3 ext100.example-test.com']);
  });
});
