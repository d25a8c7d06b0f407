// A Host header with control bytes never names a flow: the flow carries `http_host_control_chars` instead
// (synthesised, and the repro captures m044_bytes_031.pcap / z039_s4.pcapng when ../shared/repro is there).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/pipeline.js';
import { PcapWriter } from '../../src/synth/pcap-writer.js';
import { ethernetFrame, TcpConversation } from '../../src/synth/packets.js';
import type { FlowRecord } from '../../src/types.js';
import { SHARED } from '../conformance/shared-corpus.js';
import { chunks } from './handset-capture.js';

async function flowsOf(pcap: Buffer | string): Promise<FlowRecord[]> {
  const flows: FlowRecord[] = [];
  if (typeof pcap === 'string') await analyzeCapture(pcap, { flow: (f) => flows.push(f) });
  else await analyzeCapture('h.pcap', { flow: (f) => flows.push(f) }, { source: chunks(pcap, []) });
  return flows;
}

function httpCapture(host: string): Buffer {
  const c = new TcpConversation({ client: { ip: '10.0.0.2', port: 50000 }, server: { ip: '93.184.216.34', port: 80 }, startTs: 1_700_000_000, rttMs: 20 });
  c.handshake().send('c2s', Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\nAccept: */*\r\n\r\n`, 'latin1')).close();
  const w = new PcapWriter();
  for (const p of c.packets) w.add(ethernetFrame(p.ip), p.ts);
  return w.toBuffer();
}

describe('HTTP Host with control bytes', () => {
  it('a bare CR smuggling a header: no http_host, no hostname, the anomaly on the flow', async () => {
    const [f] = await flowsOf(httpCapture('victim.example\rX-Injected: 1'));
    expect(f.http_host).toBeUndefined();
    expect(f.hostname).toBeUndefined();
    expect(f.anomalies).toContain('http_host_control_chars');
  });

  it('a clean Host still names the flow', async () => {
    const [f] = await flowsOf(httpCapture('Victim.Example'));
    expect(f.hostname).toBe('victim.example');
    expect(f.anomalies ?? []).not.toContain('http_host_control_chars');
  });

  const REPRO = join(SHARED, 'repro');
  const have = existsSync(join(REPRO, 'README.md'));
  it.skipIf(!have).each(['m044_bytes_031.pcap', 'z039_s4.pcapng'])(have ? '%s: no flow named by a Host with control bytes' : `%s (skipped: ../shared/repro not found at ${REPRO})`, async (name) => {
    const flows = await flowsOf(join(REPRO, name));
    for (const f of flows) expect(f.hostname ?? '').not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(flows.some((f) => f.anomalies?.includes('http_host_control_chars'))).toBe(true);
  });
});
