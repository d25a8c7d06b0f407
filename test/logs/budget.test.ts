// A log input's held state comes from the one memory budget (src/limits.ts memoryLimits: logJoinRows,
// logDnsAnswers): side-log rows waiting for their flow and DNS answers kept to name flows. Past the budget the
// oldest go, the anomalies count them, and the summary carries the `memory_budget_reached` warning that captures
// carry (so `audit` reports the capture as budget-limited, not damaged); a larger budget keeps them all.

import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeInput } from '../../src/input.js';
import { memoryLimits } from '../../src/limits.js';
import { budgetCounts, budgetMayLoseNames } from '../../src/audit/input-problems.js';
import type { CaptureSummary, DnsRecord, FlowRecord } from '../../src/types.js';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import { captureRecords, writeZeekFolder, type Records } from './sample-logs.js';

const SMALL_MB = 16;
const LARGE_MB = 256;

/** `n` copies of the sample's first TLS flow with an SNI, each its own connection (uid, client port, server address),
 *  each named by its own DNS answer before it starts. */
function manyFlows(r: Records, n: number): Records {
  const tls = r.flows.find((f) => f.sni !== undefined && f.transport === 'tcp' && f.ip_version === 4) as FlowRecord;
  const dnsT = r.dns.find((d) => d.answers !== undefined && d.answers.some((a) => a.type === 'A')) as DnsRecord;
  expect(tls).toBeDefined();
  expect(dnsT).toBeDefined();
  const flows: FlowRecord[] = [];
  const dns: DnsRecord[] = [];
  for (let i = 0; i < n; i++) {
    const server = `198.51.${(i >> 8) & 255}.${i & 255}`;
    const name = `h${i}.example.com`;
    const t = tls.first_seen + i * 0.001;
    dns.push({ ...dnsT, uid: `CD${i}`, ts: t - 1, client_ip: tls.client_ip, client_port: 20000 + (i % 40000), qname: name, answers: [{ name, type: 'A', data: server, ttl: 3600 }] });
    flows.push({ ...tls, uid: `CF${i}`, flow_id: i, client_port: 10000 + (i % 50000), server_ip: server, sni: name, first_seen: t, last_seen: t + 0.01 });
  }
  return { flows, dns, summary: r.summary };
}

describe('log inputs under the memory budget', () => {
  let dir: string;
  const N = Math.max(memoryLimits(SMALL_MB).logJoinRows, memoryLimits(SMALL_MB).logDnsAnswers) + 2000;

  beforeAll(async () => {
    const r = await captureRecords(join(REPO_ROOT, 'captures/vendor-alder/alder-phone.pcap'));
    dir = writeZeekFolder(manyFlows(r, N), { format: 'json' });
  }, 120_000);

  const run = async (mb: number): Promise<{ flows: FlowRecord[]; summary: CaptureSummary }> => {
    const flows: FlowRecord[] = [];
    const summary = await analyzeInput(dir, { flow: (f) => flows.push(f) }, { memoryBudgetMb: mb });
    return { flows, summary };
  };

  it('drops the oldest rows and answers past a small budget, counts them and warns as a capture does', async () => {
    const lim = memoryLimits(SMALL_MB);
    expect(N).toBeGreaterThan(lim.logJoinRows);
    expect(N).toBeGreaterThan(lim.logDnsAnswers);
    const { flows, summary } = await run(SMALL_MB);
    expect(flows).toHaveLength(N);
    expect(summary.anomalies.log_join_cap_reached).toBe(N - lim.logJoinRows);
    expect(summary.anomalies.log_dns_timeline_cap_reached).toBeGreaterThanOrEqual(N - lim.logDnsAnswers);
    expect(flows.filter((f) => f.sni === undefined)).toHaveLength(N - lim.logJoinRows);
    expect(flows.filter((f) => f.dns_qname === undefined).length).toBeGreaterThanOrEqual(N - lim.logDnsAnswers);
    const w = summary.warnings.find((x) => x.code === 'memory_budget_reached');
    expect(w?.message).toContain(`memory budget of ${SMALL_MB} MiB`);
    expect(w?.message).toContain('log_join_cap_reached');
    const b = budgetCounts(summary.warnings, summary.anomalies, summary.counters);
    expect(b?.log_rows_dropped).toBe(N - lim.logJoinRows);
    expect(b?.log_dns_answers_dropped).toBe(summary.anomalies.log_dns_timeline_cap_reached);
    expect(b !== undefined && budgetMayLoseNames(b)).toBe(true);
  }, 120_000);

  it('keeps every row and answer within a budget that holds them', async () => {
    expect(memoryLimits(LARGE_MB).logJoinRows).toBeGreaterThan(N);
    expect(memoryLimits(LARGE_MB).logDnsAnswers).toBeGreaterThan(N);
    const { flows, summary } = await run(LARGE_MB);
    expect(summary.anomalies.log_join_cap_reached).toBeUndefined();
    expect(summary.anomalies.log_dns_timeline_cap_reached).toBeUndefined();
    expect(summary.warnings.some((x) => x.code === 'memory_budget_reached')).toBe(false);
    expect(flows.filter((f) => f.sni === undefined)).toHaveLength(0);
    expect(flows.filter((f) => f.dns_qname === undefined).map((f) => f.server_ip).slice(0, 5)).toEqual([]);
  }, 120_000);
});
