// Test helper: a fake analyzeCapture that emits hand-built flows and DNS records (no pipeline needed), plus
// builders for hostile names. Not a test file itself.

import fc from 'fast-check';
import type { AnalyzeFn } from '../../src/store/ingest.js';
import type { CaptureSummary, DnsRecord, FlowRecord } from '../../src/types.js';

export const HOSTILE_NAMES = [
  "x'); DROP TABLE flows;--.example.com",
  'a"; DELETE FROM captures; --',
  '<script>alert(1)</script>.evil',
  'name\u0000with\u0001controls\n.example',
  'ünïcödé.例え.jp',
  'a'.repeat(1200) + '.long',
];

/** Text a capture may carry in a name: any unicode, or strings built from what SQL, COPY and CSV treat specially
 *  (tab, newline, CR, backslash, NUL, quotes, COPY's \\N and \\. markers, the PostgreSQL store's U+E000 escape). */
export function hostileText(): fc.Arbitrary<string> {
  const special = fc.constantFrom('\t', '\n', '\r', '\\', '\0', "'", '"', '\\N', '\\.', '\uE000', '\uE0000', ',', ';', '?', '$1', 'a', '.', 'é', '例', '😀', ' ');
  return fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: special, maxLength: 20 }), fc.constant(''));
}

export function buildFlow(i: number, over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    flow_id: i, transport: i % 3 === 0 ? 'udp' : 'tcp', ip_version: 4, client_ip: '10.0.0.2', client_port: 40000 + (i % 20000),
    server_ip: `13.250.${(i >> 8) & 255}.${i & 255}`, server_port: 443, first_seen: 1700000000 + i, last_seen: 1700000001 + i,
    first_frame: i * 3 + 1, packets_up: 3, packets_down: 2, bytes_up: 1000 + i, bytes_down: 500, payload_up: 900 + i, payload_down: 400,
    end_reason: 'fin', sni: `s${i}.vendor.com`, hostname: `s${i}.vendor.com`, name_source: 'tls_sni', rtt_ms: 40, rtt_source: 'tcp_handshake',
    ...over,
  };
}

export function buildDns(i: number, qname = `s${i}.vendor.com`): DnsRecord {
  return {
    ts: 1700000000 + i, frame: i * 3, transport: 'udp', protocol: 'dns', client_ip: '10.0.0.2', client_port: 5000, server_ip: '10.0.0.1',
    server_port: 53, id: i & 0xffff, qname, qtype: 1, qtype_name: 'A', rcode: 0, rcode_name: 'NOERROR',
    answers: [{ name: qname, type: 'A', data: `13.250.0.${i & 255}`, ttl: 60 }], rtt_ms: 3, query_seen: true, response_seen: true,
  };
}

/** A fake analyzer emitting `n` flows (+ one DNS record each); `onEmitted(k)` after each flow, awaited `yieldEvery` flows. */
export function fakeAnalyze(n: number, opts: { flows?: (i: number) => FlowRecord; yieldEvery?: number; onEmitted?: (k: number) => void } = {}): AnalyzeFn {
  return async (file, handlers) => {
    for (let i = 0; i < n; i++) {
      handlers.dns?.(buildDns(i));
      handlers.flow?.(opts.flows ? opts.flows(i) : buildFlow(i));
      opts.onEmitted?.(i + 1);
      if (opts.yieldEvery && (i + 1) % opts.yieldEvery === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const s: CaptureSummary = {
      file, size_bytes: 0, format: 'pcap', gzip: false, link_types: [1], packets: n * 5, bytes_captured: n * 1500, first_ts: 1700000000,
      last_ts: 1700000000 + n, flows: n, dns_messages: n * 2, counters: {}, anomalies: {}, warnings: [], truncated: false,
    };
    return s;
  };
}
