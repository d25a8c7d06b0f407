// `residency extract CAPTURE...`: prints one JSON document per capture in the shape of ../shared/tools/tshark-oracle
// (dns, tls_sni, quic_sni, http_host), so it can be compared with tshark by compare-oracle. Several captures give
// several documents, one after the other in the order given (a capture that cannot be read gives none).

import { Command } from 'commander';
import { writeOracleDoc, type DocSink } from '../../oracle-doc.js';
import { progressFor } from '../progress.js';
import { reportWarnings } from './warnings.js';
import { forEachCapture, STRICT_HELP } from './batch.js';
import type { CliIo } from '../io.js';
import { analyzerFor, jobsOption, runCapturesInParallel } from '../../jobs/index.js';
import { memoryBudgetOption } from './memory-budget.js';

export function extractCommand(io: CliIo): Command {
  return new Command('extract')
    .description('print the DNS messages, TLS SNI, QUIC SNI and HTTP Host of each capture as a tshark-oracle-shaped JSON document')
    .argument('<captures...>', 'pcap, pcapng or gzip-compressed captures; - for standard input')
    .option('--strict', STRICT_HELP)
    .addOption(memoryBudgetOption())
    .addOption(jobsOption())
    .action(async (captures: string[], opts: { strict?: boolean; memoryBudget?: number; jobs?: string }, cmd: Command) => {
      if (await runCapturesInParallel({ command: 'extract', define: extractCommand, captures, cmd, io })) return;
      const analyze = analyzerFor(opts.jobs);
      // Printing waits while stdout is full (io.pace), as the capture read does.
      const out: DocSink = {
        write: (text: string) => {
          io.stdout.write(text);
          return io.pace();
        },
      };
      await forEachCapture(captures, io, opts.strict === true, async (capture) => {
        const progress = progressFor(capture, io);
        // Streamed: entries beyond the memory budget wait in a temporary file until the document is printed.
        const summary = await writeOracleDoc(capture, out, {
          onProgress: (b) => progress.update(b),
          pace: () => io.pace(),
          memoryBudgetMb: opts.memoryBudget,
          onAnalysed: () => progress.done(),
        }, analyze);
        reportWarnings(summary, io);
      });
    });
}
