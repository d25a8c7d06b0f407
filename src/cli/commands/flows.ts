// `residency flows CAPTURE...`: one record per flow with its names, and (unless --no-geo) its geolocation.

import { Command, Option } from 'commander';
import { basename } from 'node:path';
import { recordWriter, type Format } from '../render.js';
import { FlowLines } from '../flow-lines.js';
import { progressFor } from '../progress.js';
import { reportGeoWarnings, reportWarnings } from './warnings.js';
import { forEachCapture, STRICT_HELP } from './batch.js';
import { parseVantage } from './vantage.js';
import { memoryLimits, TCP_IDLE_TIMEOUT_S, UDP_IDLE_TIMEOUT_S } from '../../limits.js';
import { resolveMemoryBudget } from '../../memory-budget.js';
import { memoryBudgetOption } from './memory-budget.js';
import { UsageError } from '../../errors.js';
import type { CliIo } from '../io.js';
import type { FlowGeoFields, FlowRecord } from '../../types.js';
import { csvRow } from '../../report/escape.js';
import { analyzerFor, jobsOption, runCapturesInParallel, sharedInBatch } from '../../jobs/index.js';

function seconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError('bad_timeout', `${flag} "${text}": expected a positive number of seconds`);
  return n;
}

/** CSV columns: every field of schema/flow.schema.json, in its order (test/schema holds them together). */
export const FLOW_COLUMNS = [
  'capture', 'flow_id', 'uid', 'community_id', 'transport', 'ip_version', 'client_ip', 'client_port', 'server_ip', 'server_port', 'first_seen', 'last_seen',
  'first_frame', 'packets_up', 'packets_down', 'bytes_up', 'bytes_down', 'payload_up', 'payload_down', 'tcp_flags',
  'end_reason', 'sni', 'quic', 'quic_version', 'http_host', 'hostname', 'name_source', 'cname_chain', 'dns_qname',
  'dns_uid', 'dns_frame', 'rtt_ms', 'rtt_source', 'ech', 'alpn', 'tls_versions', 'client_mac', 'vlan', 'app', 'app_uid', 'anomalies',
  'country', 'country_agreement', 'country_settled_by', 'city', 'lat', 'lon', 'asn', 'as_org', 'provider', 'region', 'region_source', 'edge',
  'physical', 'geo_sources',
] as const;

const TABLE_COLUMNS = [
  'transport', 'client_ip', 'server_ip', 'server_port', 'bytes_up', 'bytes_down', 'hostname', 'name_source', 'rtt_ms',
  'country', 'provider', 'region', 'edge', 'physical',
] as const;

interface FlowsOptions {
  format: Format;
  tcpTimeout?: string;
  udpTimeout?: string;
  geo: boolean;
  geoDir?: string;
  vantage?: string;
  strict?: boolean;
  memoryBudget?: number;
  jobs?: string;
}

export function flowsCommand(io: CliIo): Command {
  return new Command('flows')
    .description('one record per flow: endpoints, counters, names and how they were found, RTT, geolocation')
    .argument('<captures...>', 'capture files (or Zeek log folders, conn logs, eve.json); - for standard input')
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'csv', 'table']).default('ndjson'))
    .option('--no-geo', 'skip geolocation (faster; no country/provider/region fields)')
    .option('--geo-dir <dir>', 'also read MaxMind GeoIP2/GeoLite2 mmdb files and provider range files from this folder')
    .option('--vantage <lat,lon>', 'where the capture was taken: enables the physical RTT check')
    .option('--tcp-timeout <seconds>', `TCP idle timeout before a flow is closed (default ${TCP_IDLE_TIMEOUT_S})`)
    .option('--udp-timeout <seconds>', `UDP idle timeout before a flow is closed (default ${UDP_IDLE_TIMEOUT_S})`)
    .option('--strict', STRICT_HELP)
    .addOption(memoryBudgetOption())
    .addOption(jobsOption())
    .action(async (captures: string[], opts: FlowsOptions, cmd: Command) => {
      const header = opts.format === 'csv' ? csvRow(FLOW_COLUMNS) : undefined;
      if (await runCapturesInParallel({ command: 'flows', define: flowsCommand, captures, cmd, io, header, concatenable: opts.format !== 'table' })) return;
      const analyze = analyzerFor(opts.jobs);
      const memoryBudgetMb = resolveMemoryBudget(opts.memoryBudget);
      const vantage = opts.vantage !== undefined ? parseVantage(opts.vantage) : undefined;
      const tcpIdleTimeout = seconds('--tcp-timeout', opts.tcpTimeout);
      const udpIdleTimeout = seconds('--udp-timeout', opts.udpTimeout);
      const backHalf = opts.geo ? await import('../../pipeline/flow-geo.js') : undefined;
      // In a batch (--jobs N, several captures) every capture is its own run: the runs in one process share the data.
      const geo = backHalf !== undefined ? await sharedInBatch(`geo:${opts.geoDir ?? ''}`, () => backHalf.openIngestLocator(opts.geoDir)) : undefined;
      const cols = opts.format === 'table' ? TABLE_COLUMNS : FLOW_COLUMNS;
      const w = recordWriter(opts.format, cols, io.stdout);
      await forEachCapture(captures, io, opts.strict === true, async (c) => {
        const progress = progressFor(c, io);
        const capture = basename(c);
        // NDJSON lines are made from the record and its geolocation as they are (flow-lines.ts); other formats
        // flatten the merged record.
        const lines = opts.format === 'ndjson' ? new FlowLines(capture) : undefined;
        const emit = (r: FlowRecord, g?: FlowGeoFields): void => {
          if (lines !== undefined) io.stdout.write(lines.line(r, g));
          else w.write({ capture, ...r, ...g });
        };
        // Geolocation and the vantage rule, in the order the back half sets (pipeline/flow-geo.ts). With a vantage
        // point a capture's records are held until it is known whether its handshakes are synthesised on the phone
        // (a bounded number: SynthesisGate), then stream.
        const enricher =
          backHalf !== undefined && geo !== undefined
            ? new backHalf.FlowEnricher(geo, vantage, emit, memoryLimits(memoryBudgetMb).heldRecords, {
                disabled: (reason) => io.stderr.write(`residency: ${capture}: physical RTT check disabled: ${reason}\n`),
                decidedEarly: (n) =>
                  io.stderr.write(
                    `residency: warning: ${capture}: synthesised handshakes decided on the first ${n} flows (the memory budget holds no more); later flows cannot change it\n`,
                  ),
              })
            : undefined;
        const summary = await analyze(
          c,
          {
            flow: (r) => (enricher !== undefined ? enricher.add(r) : emit(r)),
            linkType: enricher !== undefined ? (t) => enricher.linkType(t) : undefined,
          },
          { onProgress: (b) => progress.update(b), pace: () => io.pace(), tcpIdleTimeout, udpIdleTimeout, memoryBudgetMb },
        );
        progress.done();
        enricher?.finish(summary.link_types);
        reportWarnings(summary, io);
      });
      reportGeoWarnings(geo?.warnings() ?? [], io);
      w.end();
    });
}
