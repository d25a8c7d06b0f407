// `residency dns CAPTURE...`: one record per DNS transaction (query matched with its response).

import { Command, Option } from 'commander';
import { basename } from 'node:path';
import { analyzeCapture } from '../../pipeline.js';
import { recordWriter, type Format } from '../render.js';
import { progressFor } from '../progress.js';
import { reportWarnings } from './warnings.js';
import type { CliIo } from '../io.js';
import { memoryBudgetOption } from './memory-budget.js';

export const DNS_COLUMNS = [
  'capture', 'ts', 'frame', 'protocol', 'transport', 'client_ip', 'client_port', 'server_ip', 'server_port', 'id',
  'qname', 'qtype_name', 'rcode_name', 'answers', 'rtt_ms', 'query_seen', 'response_seen',
] as const;

export function dnsCommand(io: CliIo): Command {
  return new Command('dns')
    .description('one record per DNS, mDNS or LLMNR transaction')
    .argument('<captures...>', 'capture files; - for standard input')
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'table', 'csv']).default('ndjson'))
    .addOption(memoryBudgetOption())
    .action(async (captures: string[], opts: { format: Format; memoryBudget?: number }) => {
      const w = recordWriter(opts.format, DNS_COLUMNS, io.stdout);
      for (const c of captures) {
        const progress = progressFor(c, io);
        const capture = basename(c);
        const summary = await analyzeCapture(
          c,
          {
            dns: (r) =>
              w.write({
                capture,
                ...r,
                answers: opts.format === 'ndjson' ? r.answers : r.answers.map((a) => `${a.type} ${a.data}`),
              }),
          },
          { onProgress: (b) => progress.update(b), memoryBudgetMb: opts.memoryBudget },
        );
        progress.done();
        reportWarnings(summary, io);
      }
      w.end();
    });
}
