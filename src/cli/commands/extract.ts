// `residency extract CAPTURE`: prints one JSON document in the shape of ../shared/tools/tshark-oracle
// (dns, tls_sni, quic_sni, http_host), so it can be compared with tshark by compare-oracle.

import { Command } from 'commander';
import { writeOracleDoc } from '../../oracle-doc.js';
import { progressFor } from '../progress.js';
import { reportWarnings } from './warnings.js';
import type { CliIo } from '../io.js';
import { memoryBudgetOption } from './memory-budget.js';

export function extractCommand(io: CliIo): Command {
  return new Command('extract')
    .description('print the DNS messages, TLS SNI, QUIC SNI and HTTP Host of a capture as one tshark-oracle-shaped JSON document')
    .argument('<capture>', 'pcap, pcapng or gzip-compressed capture; - for standard input')
    .addOption(memoryBudgetOption())
    .action(async (capture: string, opts: { memoryBudget?: number }) => {
      const progress = progressFor(capture, io);
      // Streamed: entries beyond the memory budget wait in a temporary file until the document is printed.
      const summary = await writeOracleDoc(capture, io.stdout, {
        onProgress: (b) => progress.update(b),
        memoryBudgetMb: opts.memoryBudget,
        onAnalysed: () => progress.done(),
      });
      reportWarnings(summary, io);
    });
}
