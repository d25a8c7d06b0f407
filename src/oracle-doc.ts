// Builds the tshark-oracle-shaped document (`residency extract`): every DNS message, TLS ClientHello SNI,
// QUIC SNI and HTTP Host, each ordered by frame, with the oracle's client/server conventions.

import { basename } from 'node:path';
import { analyzeCapture, type AnalyzeOptions } from './pipeline.js';
import type { CaptureSummary, OracleDoc } from './types.js';
import { TOOL_VERSION } from './version.js';

export async function extractOracleDoc(path: string, opts: AnalyzeOptions = {}, analyze = analyzeCapture): Promise<{ doc: OracleDoc; summary: CaptureSummary }> {
  const doc: OracleDoc = {
    capture: basename(path),
    oracle: `residency ${TOOL_VERSION}`,
    dns: [],
    tls_sni: [],
    quic_sni: [],
    http_host: [],
  };
  const summary = await analyze(
    path,
    {
      oracle: {
        dns: (e) => doc.dns.push(e),
        tls: (e) => doc.tls_sni.push(e),
        quic: (e) => doc.quic_sni.push(e),
        http: (e) => doc.http_host.push(e),
      },
    },
    opts,
  );
  // Array.prototype.sort is stable: messages of one segment keep their order.
  const byFrame = (a: { frame: number }, b: { frame: number }) => a.frame - b.frame;
  doc.dns.sort(byFrame);
  doc.tls_sni.sort(byFrame);
  doc.quic_sni.sort(byFrame);
  doc.http_host.sort(byFrame);
  return { doc, summary };
}

/** Serialises like tshark-oracle: one entry per line, so diffs between the two read well. */
export function formatOracleDoc(doc: OracleDoc): string {
  const lines = ['{', ` "capture": ${JSON.stringify(doc.capture)},`, ` "oracle": ${JSON.stringify(doc.oracle)},`];
  const keys = ['dns', 'tls_sni', 'quic_sni', 'http_host'] as const;
  keys.forEach((k, i) => {
    const end = i === keys.length - 1 ? '' : ',';
    const items = doc[k] as unknown[];
    if (items.length === 0) {
      lines.push(` "${k}": []${end}`);
      return;
    }
    lines.push(` "${k}": [`);
    items.forEach((it, j) => lines.push('  ' + JSON.stringify(it) + (j === items.length - 1 ? '' : ',')));
    lines.push(' ]' + end);
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}
