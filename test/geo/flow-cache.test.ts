// The caches behind a flow's geo fields (the answer per address, shared by its flows when their names change
// nothing; what each DNS name says; below them the decoded mmdb records and the ASN ranges found) never change a
// flow's fields: on a capture where many flows share a server, some under different names, every flow's fields are
// the same from one locator that caches all along, from one that forgets before each flow, and in reverse order.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GeoLocator } from '../../src/geo/index.js';
import { analyzeCapture } from '../../src/pipeline.js';
import { ethernetFrame, TcpConversation } from '../../src/synth/packets.js';
import { PcapWriter } from '../../src/synth/pcap-writer.js';
import { buildClientHello, wrapTlsRecords } from '../../src/synth/tls.js';
import type { FlowRecord } from '../../src/types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-flow-cache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// AWS Singapore and Mumbai, Cloudflare (an edge), Google (sources disputed), Alibaba, a Google IPv6 address, a private one.
const SERVERS = ['13.228.0.1', '13.232.1.1', '1.1.1.1', '142.250.183.14', '47.96.0.1', '2a00:1450:4001:80b::200e', '10.0.0.5'];
// No name, names that say nothing, a region of the server's provider or another's, CDN edges.
const NAMES = [undefined, 'api.example.com', 'x.ap-southeast-1.elb.amazonaws.com', 'd1.cloudfront.net', 'b.oss-cn-hangzhou.aliyuncs.com', 'vm.westeurope.cloudapp.azure.com', 'e1.a.akamaiedge.net'];

/** 63 TLS conversations: each server under every name (so each server's flows repeat and differ by name). */
function capture(): string {
  const w = new PcapWriter({ linkType: 1 });
  let i = 0;
  for (let round = 0; round < 9; round++) {
    for (const server of SERVERS) {
      const name = NAMES[(round + i) % NAMES.length];
      const client = server.includes(':') ? '2001:db8::10' : '192.168.1.10';
      const conv = new TcpConversation({ client: { ip: client, port: 40000 + i }, server: { ip: server, port: 443 }, startTs: 1_772_442_000 + i, rttMs: 20 + (i % 7) });
      const hello = wrapTlsRecords(buildClientHello(name === undefined ? { seed: `h${i}` } : { sni: name, seed: `h${i}` }));
      conv.handshake().send('c2s', hello).send('s2c', Buffer.alloc(600, 2)).close();
      for (const p of conv.packets) w.add(ethernetFrame(p.ip), p.ts);
      i++;
    }
  }
  const file = path.join(dir, 'shared-servers.pcap');
  fs.writeFileSync(file, w.toBuffer());
  return file;
}

describe('flow geo fields: cached and uncached', () => {
  it('are identical, field for field and in key order, whatever the locator remembered before', async () => {
    const flows: FlowRecord[] = [];
    await analyzeCapture(capture(), { flow: (f) => flows.push(f) });
    expect(flows).toHaveLength(SERVERS.length * 9);
    // The capture is what the test needs: servers with several flows under several names.
    for (const server of SERVERS) {
      const mine = flows.filter((f) => f.server_ip === server);
      expect(mine.length, server).toBe(9);
      expect(new Set(mine.map((f) => f.hostname)).size, server).toBeGreaterThanOrEqual(5);
    }
    const cached = await GeoLocator.open({ cacheDir: path.join(dir, 'cache') });
    const forgetting = await GeoLocator.open({ cacheDir: path.join(dir, 'cache') });
    const reversed = await GeoLocator.open({ cacheDir: path.join(dir, 'cache') });
    const a = flows.map((f) => JSON.stringify(cached.enrichFlow(f)));
    const b = flows.map((f) => {
      forgetting.clearCaches();
      return JSON.stringify(forgetting.enrichFlow(f));
    });
    const c = [...flows].reverse().map((f) => JSON.stringify(reversed.enrichFlow(f))).reverse();
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // The names matter (else the test would show little): one server's flows differ by what their names say.
    expect(new Set(a.filter((_, k) => flows[k].server_ip === '13.228.0.1')).size).toBeGreaterThanOrEqual(3);
  });
});
