import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../../src/pipeline.js';
import type { CaptureSummary, FlowRecord } from '../../../src/types.js';
import { buildVersionCapture, CLIENT, SERVER } from './version-capture.js';

async function* once(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf;
}

describe('QUIC versions through the pipeline (flows)', async () => {
  const { pcap, cases } = buildVersionCapture();
  const flows: FlowRecord[] = [];
  const summary: CaptureSummary = await analyzeCapture('versions.pcap', { flow: (f) => flows.push(f) }, { source: once(pcap) });
  const byPort = new Map(flows.map((f) => [f.client_port, f]));

  for (const c of cases) {
    it(`${c.label}: quic ${c.sni ?? '(none)'}, quic_version ${c.quicVersion}, anomalies [${c.anomalies.join(', ')}]`, () => {
      const f = byPort.get(c.clientPort);
      expect(f).toBeDefined();
      expect(f?.client_ip).toBe(CLIENT);
      expect(f?.server_ip).toBe(SERVER);
      expect(f?.quic).toBe(c.sni);
      expect(f?.quic_version).toBe(c.quicVersion);
      expect(f?.hostname).toBe(c.sni);
      expect(f?.name_source).toBe(c.sni === undefined ? undefined : 'quic_sni');
      expect(f?.anomalies ?? []).toEqual(c.anomalies);
      if (c.rtt) {
        expect(f?.rtt_source).toBe('quic_initial');
        expect(f?.rtt_ms).toBeGreaterThan(25);
        expect(f?.rtt_ms).toBeLessThan(40);
      }
    });
  }

  it('counts the anomalies per capture', () => {
    expect(summary.anomalies.quic_version_unknown).toBe(1);
    expect(summary.anomalies.quic_initial_decrypt_failed).toBe(2);
    expect(summary.anomalies.quic_gquic_ignored).toBe(1);
    expect(flows.length).toBe(cases.length);
  });
});
