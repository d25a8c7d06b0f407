// `residency extract CAPTURE`: prints one JSON document in the shape of ../shared/tools/tshark-oracle
// (dns, tls_sni, quic_sni, http_host), so it can be compared with tshark by compare-oracle.

import { Command } from 'commander';
import { extractOracleDoc, formatOracleDoc } from '../../oracle-doc.js';
import { progressFor } from '../progress.js';
import { reportWarnings } from './warnings.js';
import type { CliIo } from '../io.js';

export function extractCommand(io: CliIo): Command {
  return new Command('extract')
    .description('print the DNS messages, TLS SNI, QUIC SNI and HTTP Host of a capture as one tshark-oracle-shaped JSON document')
    .argument('<capture>', 'pcap, pcapng or gzip-compressed capture; - for standard input')
    .action(async (capture: string) => {
      const progress = progressFor(capture, io);
      const { doc, summary } = await extractOracleDoc(capture, { onProgress: (b) => progress.update(b) });
      progress.done();
      io.stdout.write(formatOracleDoc(doc));
      reportWarnings(summary, io);
    });
}
