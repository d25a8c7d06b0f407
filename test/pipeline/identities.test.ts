// uid and Community ID on every flow of the sample captures, and the links between flows and DNS transactions:
// a DNS record's uid is the uid of the flow that carried it, and a flow named by DNS points (dns_uid, dns_frame)
// at the transaction whose response named it.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyzeCapture } from '../../src/pipeline.js';
import type { DnsRecord, FlowRecord } from '../../src/types.js';
import { existsSync } from 'node:fs';
import { sampleCaptures } from '../golden/golden-kinds.js';
import { CORPUS, corpusFiles, REPO_ROOT } from '../conformance/shared-corpus.js';

/** The sample captures, and every capture of the shared corpus (when present) that has flows in its golden file. */
const CAPTURES = [
  ...sampleCaptures().map((c) => join(REPO_ROOT, 'captures', c)),
  ...corpusFiles().filter((c) => existsSync(join(REPO_ROOT, 'test/golden/shared', `${c}.flows.ndjson`))).map((c) => join(CORPUS, c)),
];

describe.each(CAPTURES)('identities: %s', (capture) => {
  it('links flows and DNS transactions by uid and frame', async () => {
    const flows: FlowRecord[] = [];
    const dns: DnsRecord[] = [];
    await analyzeCapture(capture, { flow: (f) => flows.push(f), dns: (d) => dns.push(d) });
    const byUid = new Map(flows.map((f) => [f.uid, f]));
    expect(byUid.size).toBe(flows.length); // unique within the capture
    for (const f of flows) {
      expect(f.uid).toMatch(/^C[0-9a-zA-Z]+$/);
      expect(f.community_id).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
    }
    for (const d of dns) {
      const carrier = byUid.get(d.uid);
      expect(carrier, `DNS record ${d.qname} frame ${d.frame}`).toBeDefined();
      expect([carrier?.client_port, carrier?.server_port]).toContain(d.client_port);
    }
    const named = flows.filter((f) => f.dns_qname !== undefined);
    if (capture.includes('/captures/vendor-')) expect(named.length).toBeGreaterThan(0);
    for (const f of named) {
      const tx = dns.find((d) => d.uid === f.dns_uid && d.response_frame === f.dns_frame);
      expect(tx, `flow ${f.flow_id} -> ${f.dns_uid}/${f.dns_frame}`).toBeDefined();
      // Named by an answer: the transaction's question is the name asked (by glue, the glue record's owner).
      if (tx?.answers.some((a) => a.data === f.server_ip)) expect(tx?.qname).toBe(f.dns_qname);
      expect(tx?.client_ip).toBe(f.client_ip);
    }
  });
});
