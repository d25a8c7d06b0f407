import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeCapture } from '../../src/pipeline.js';
import type { DnsRecord, FlowRecord } from '../../src/types.js';
import { buildHandsetCapture, chunks, PHONE_A, PHONE_B } from './handset-capture.js';

async function flowsOf(pcap: Buffer, sizes: number[] = []): Promise<{ flows: FlowRecord[]; dns: DnsRecord[] }> {
  const flows: FlowRecord[] = [];
  const dns: DnsRecord[] = [];
  await analyzeCapture('handset.pcap', { flow: (f) => flows.push(f), dns: (d) => dns.push(d) }, { source: chunks(pcap, sizes) });
  flows.sort((a, b) => (a.first_frame ?? 0) - (b.first_frame ?? 0));
  return { flows, dns };
}

const byServer = (flows: FlowRecord[], ip: string, client: string) => flows.find((f) => f.server_ip === ip && f.client_ip === client);

describe('pipeline on a built handset capture', () => {
  it('names each flow from the strongest evidence and keeps the DNS chain', async () => {
    const { flows, dns } = await flowsOf(buildHandsetCapture().pcap);
    const tls = byServer(flows, '13.228.1.1', PHONE_A);
    expect(tls).toMatchObject({
      transport: 'tcp',
      client_port: 50001,
      server_port: 443,
      sni: 'api.alder-sync.com',
      hostname: 'api.alder-sync.com',
      name_source: 'tls_sni',
      cname_chain: ['api.alder-sync.com', 'alder-lb-1.ap-southeast-1.elb.amazonaws.com'],
      alpn: ['h2', 'http/1.1'],
      rtt_source: 'tcp_handshake',
      end_reason: 'fin',
      tcp_flags: 'SAFP',
    });
    expect(tls?.rtt_ms).toBeCloseTo(40, 3);
    expect(tls?.payload_up).toBeGreaterThan(5000);
    expect(tls?.payload_down).toBe(3000);
    const viaDns = byServer(flows, '13.228.1.2', PHONE_A);
    expect(viaDns).toMatchObject({ hostname: 'api.alder-sync.com', name_source: 'dns' });
    expect(viaDns?.sni).toBeUndefined();
    const otherPhone = byServer(flows, '13.228.1.2', PHONE_B);
    expect(otherPhone?.hostname).toBeUndefined();
    const quic = byServer(flows, '142.250.183.14', PHONE_A);
    expect(quic).toMatchObject({ transport: 'udp', quic: 'media.birch-cloud.net', quic_version: 'v1', name_source: 'quic_sni', alpn: ['h3'], rtt_source: 'quic_initial' });
    // From the first client Initial (the ClientHello needed two) to the server Initial.
    expect(quic?.rtt_ms).toBeCloseTo(35, 3);
    const http = byServer(flows, '93.184.216.34', PHONE_B);
    expect(http).toMatchObject({ http_host: 'upload.cedar-data.com', hostname: 'upload.cedar-data.com', name_source: 'http_host', server_port: 8080 });
    expect(dns).toHaveLength(1);
    expect(dns[0]).toMatchObject({ qname: 'api.alder-sync.com', client_ip: PHONE_A, query_seen: true, response_seen: true });
    expect(dns[0].rtt_ms).toBeCloseTo(12, 3);
  });

  it('property: the same flows and names whatever the read-chunk sizes', async () => {
    const { pcap } = buildHandsetCapture();
    const base = await flowsOf(pcap);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
        const got = await flowsOf(pcap, sizes);
        expect(got).toEqual(base);
      }),
      { numRuns: 40 },
    );
  });

  it('property: the same SNI whatever the order and duplication of the ClientHello segments', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 6 }), async (perm, dups) => {
        const { pcap } = buildHandsetCapture((pk) => {
          // The client's data segments of the TLS flow (port 50001, after the handshake) are shuffled and duplicated.
          const idx = pk.map((p, i) => ({ p, i })).filter(({ p }) => p.ip.length > 60 && p.ip.readUInt16BE(20) === 50001).map(({ i }) => i);
          const seg = idx.map((i) => pk[i]);
          const shuffled = [...seg];
          for (let k = shuffled.length - 1; k > 0; k--) {
            const j = perm[k % perm.length] % (k + 1);
            [shuffled[k], shuffled[j]] = [shuffled[j], shuffled[k]];
          }
          const out = [...pk];
          idx.forEach((i, k) => (out[i] = { ts: pk[i].ts, ip: shuffled[k].ip }));
          for (const d of dups) out.splice(idx[idx.length - 1] + 1, 0, { ts: pk[idx[idx.length - 1]].ts, ip: seg[d % seg.length].ip });
          return out;
        });
        const { flows } = await flowsOf(pcap);
        expect(byServer(flows, '13.228.1.1', PHONE_A)?.sni).toBe('api.alder-sync.com');
      }),
      { numRuns: 40 },
    );
  });
});
