// `residency dns CAPTURE...`: one record per DNS transaction (query matched with its response).

import { Command, Option } from 'commander';
import { basename } from 'node:path';
import { recordWriter, type Format } from '../render.js';
import { progressFor } from '../progress.js';
import { reportWarnings } from './warnings.js';
import { forEachCapture, STRICT_HELP } from './batch.js';
import type { CliIo } from '../io.js';
import { csvRow } from '../../report/escape.js';
import { analyzerFor, jobsOption, runCapturesInParallel } from '../../jobs/index.js';
import { memoryBudgetOption } from './memory-budget.js';

/** CSV columns: every field of schema/dns.schema.json, in its order (test/schema holds them together). */
export const DNS_COLUMNS = [
  'capture', 'ts', 'frame', 'uid', 'protocol', 'transport', 'client_ip', 'client_port', 'server_ip', 'server_port', 'id',
  'qname', 'qtype', 'qtype_name', 'rcode', 'rcode_name', 'answers', 'rtt_ms', 'query_seen', 'response_seen', 'response_frame',
] as const;

/** The table's columns: the CSV's without the numeric codes their names stand for. */
const DNS_TABLE_COLUMNS = DNS_COLUMNS.filter((c) => c !== 'qtype' && c !== 'rcode');

export function dnsCommand(io: CliIo): Command {
  return new Command('dns')
    .description('one record per DNS, mDNS or LLMNR transaction')
    .argument('<captures...>', 'capture files (or Zeek log folders, conn logs, eve.json); - for standard input')
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'table', 'csv']).default('ndjson'))
    .option('--strict', STRICT_HELP)
    .addOption(memoryBudgetOption())
    .addOption(jobsOption())
    .action(async (captures: string[], opts: { format: Format; strict?: boolean; memoryBudget?: number; jobs?: string }, cmd: Command) => {
      const header = opts.format === 'csv' ? csvRow(DNS_COLUMNS) : undefined;
      if (await runCapturesInParallel({ command: 'dns', define: dnsCommand, captures, cmd, io, header, concatenable: opts.format !== 'table' })) return;
      const analyze = analyzerFor(opts.jobs);
      const w = recordWriter(opts.format, opts.format === 'table' ? DNS_TABLE_COLUMNS : DNS_COLUMNS, io.stdout);
      await forEachCapture(captures, io, opts.strict === true, async (c) => {
        const progress = progressFor(c, io);
        const capture = basename(c);
        const summary = await analyze(
          c,
          {
            dns: (r) =>
              w.write({
                capture,
                ...r,
                answers: opts.format === 'ndjson' ? r.answers : r.answers.map((a) => `${a.type} ${a.data}`),
              }),
          },
          { onProgress: (b) => progress.update(b), pace: () => io.pace(), memoryBudgetMb: opts.memoryBudget },
        );
        progress.done();
        reportWarnings(summary, io);
      });
      w.end();
    });
}
