// Builds the tshark-oracle-shaped document (`residency extract`): every DNS message, TLS ClientHello SNI,
// QUIC SNI and HTTP Host, each ordered by frame, with the oracle's client/server conventions.
// writeOracleDoc() streams it in bounded memory (entries past memoryLimits().extractBytes go to a temporary file:
// oracle-spill.ts); extractOracleDoc() builds it as an object, for small captures and tests. Both print the same
// bytes through formatOracleDoc()'s layout.

import { basename } from 'node:path';
import { analyzeCapture, type AnalyzeOptions } from './pipeline.js';
import type { CaptureSummary, OracleDoc } from './types.js';
import { TOOL_VERSION } from './version.js';
import { memoryLimits } from './limits.js';
import { resolveMemoryBudget } from './memory-budget.js';
import { SpillLists } from './oracle-spill.js';

const KEYS = ['dns', 'tls_sni', 'quic_sni', 'http_host'] as const;
const DNS = 0;
const TLS = 1;
const QUIC = 2;
const HTTP = 3;
/** Characters gathered before one write to the output. */
const OUT_CHUNK_CHARS = 64 * 1024;

/** Where writeOracleDoc() prints. When write() returns false and the sink has once() (a Node stream: stdout),
 *  printing waits for 'drain'; when it returns a promise, printing waits for it. */
export interface DocSink {
  write(text: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

/** Writes `text`, then waits while the sink says it is full: a slow reader must not make the document pile up in
 *  the stream's buffer (a 95 MB document held there cost 417 MB RSS). */
async function put(out: DocSink, text: string): Promise<void> {
  const r = out.write(text);
  if (r === false && typeof out.once === 'function') {
    const sink = out as Required<DocSink>;
    await new Promise<void>((resolve) => sink.once('drain', resolve));
  } else if (r instanceof Promise) await r;
}

export interface WriteOracleDocOptions extends AnalyzeOptions {
  /** Bytes of entries held in memory before they spill (default memoryLimits().extractBytes; tests force spills). */
  spillBytes?: number;
  /** Called once the capture is read, before the document is printed (progress bars end there). */
  onAnalysed?(): void;
  /** Told how many bytes went to the temporary file (0 when none). */
  onSpill?(bytes: number): void;
}

/** Analyses `path` and prints its document to `out` in bounded memory; returns the capture summary. Prints nothing
 *  when the capture cannot be read at all (the CaptureError propagates). `analyze` reads the capture (--jobs:
 *  src/jobs analyzerFor). */
export async function writeOracleDoc(path: string, out: DocSink, opts: WriteOracleDocOptions = {}, analyze = analyzeCapture): Promise<CaptureSummary> {
  const maxBytes = opts.spillBytes ?? memoryLimits(resolveMemoryBudget(opts.memoryBudgetMb)).extractBytes;
  const lists = new SpillLists(KEYS.length, maxBytes);
  try {
    const summary = await analyze(
      path,
      {
        oracle: {
          dns: (e) => lists.add(DNS, e.frame, JSON.stringify(e)),
          tls: (e) => lists.add(TLS, e.frame, JSON.stringify(e)),
          quic: (e) => lists.add(QUIC, e.frame, JSON.stringify(e)),
          http: (e) => lists.add(HTTP, e.frame, JSON.stringify(e)),
        },
      },
      opts,
    );
    opts.onAnalysed?.();
    let text = `{\n "capture": ${JSON.stringify(basename(path))},\n "oracle": ${JSON.stringify(`residency ${TOOL_VERSION}`)},\n`;
    for (let i = 0; i < KEYS.length; i++) {
      const k = KEYS[i];
      const end = i === KEYS.length - 1 ? '' : ',';
      const list = lists.lists[i];
      if (list.count === 0) {
        text += ` "${k}": []${end}\n`;
        continue;
      }
      text += ` "${k}": [\n`;
      let first = true;
      for (const json of list.entries()) {
        text += (first ? '  ' : ',\n  ') + json;
        first = false;
        if (text.length >= OUT_CHUNK_CHARS) {
          await put(out, text);
          text = '';
        }
      }
      text += `\n ]${end}\n`;
    }
    await put(out, text + '}\n');
    opts.onSpill?.(lists.spilledBytes);
    return summary;
  } finally {
    lists.close();
  }
}

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
