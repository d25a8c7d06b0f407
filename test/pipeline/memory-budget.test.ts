// The memory budget seen from outside: the option and variable that set it, the limits it gives, and what a run
// reports when a part of it is full (anomalies per capture, the memory_budget_reached warning).

import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/pipeline.js';
import { parseMemoryBudget, resolveMemoryBudget } from '../../src/memory-budget.js';
import {
  MEMORY_BUDGET_DEFAULT_MB,
  MEMORY_BUDGET_ENV,
  MEMORY_BUDGET_MIN_MB,
  MAX_FRAG_PENDING_BYTES,
  memoryLimits,
} from '../../src/limits.js';
import { UsageError } from '../../src/errors.js';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { PcapWriter } from '../../src/synth/pcap-writer.js';
import { ethernetFrame, udpPacket } from '../../src/synth/packets.js';
import { encode } from '../extract/dns/dns-build.js';
import { chunks } from './handset-capture.js';
import type { FlowRecord } from '../../src/types.js';

/** `n` DNS exchanges from 64 clients, each a new name and address, then one flow per client to its last address. */
function dnsFlood(n: number): Buffer {
  const w = new PcapWriter({ linkType: 1 });
  const T = 1_700_000_000;
  for (let i = 0; i < n; i++) {
    const client = `10.9.0.${(i % 64) + 1}`;
    const name = `h${i}.flood.example`;
    const addr = `203.0.${(i >> 8) & 255}.${i & 255}`;
    const ts = T + i / 1000;
    const q = encode({ type: 'query', id: i & 0xffff, flags: 0x0100, questions: [{ type: 'A', name }] });
    const r = encode({ type: 'response', id: i & 0xffff, flags: 0x8180, questions: [{ type: 'A', name }], answers: [{ type: 'A', name, ttl: 600, data: addr }] });
    w.add(ethernetFrame(udpPacket({ src: client, dst: '10.9.0.254', sport: 20000 + (i % 40000), dport: 53, payload: q })), ts);
    w.add(ethernetFrame(udpPacket({ src: '10.9.0.254', dst: client, sport: 53, dport: 20000 + (i % 40000), payload: r })), ts + 0.0001);
  }
  for (let c = 0; c < 64; c++) {
    const i = n - 64 + c;
    w.add(ethernetFrame(udpPacket({ src: `10.9.0.${(i % 64) + 1}`, dst: `203.0.${(i >> 8) & 255}.${i & 255}`, sport: 50000, dport: 443, payload: Buffer.alloc(8) })), T + n / 1000 + 1);
  }
  return w.toBuffer();
}

describe('memory budget', () => {
  it('parses whole MiB within its range, from the option or the environment variable', () => {
    expect(parseMemoryBudget('64', '--memory-budget')).toBe(64);
    expect(() => parseMemoryBudget('8', '--memory-budget')).toThrow(UsageError);
    expect(() => parseMemoryBudget('1.5', '--memory-budget')).toThrow(/whole number/);
    expect(() => parseMemoryBudget('lots', '--memory-budget')).toThrow(UsageError);
    expect(resolveMemoryBudget(undefined, {})).toBe(MEMORY_BUDGET_DEFAULT_MB);
    expect(resolveMemoryBudget(undefined, { [MEMORY_BUDGET_ENV]: '128' })).toBe(128);
    expect(resolveMemoryBudget(40, { [MEMORY_BUDGET_ENV]: '128' })).toBe(40);
    expect(() => resolveMemoryBudget(undefined, { [MEMORY_BUDGET_ENV]: 'x' })).toThrow(new RegExp(MEMORY_BUDGET_ENV));
  });

  it('splits a budget into its parts, all of them growing with it, the fragment buffers counted first', () => {
    const small = memoryLimits(MEMORY_BUDGET_MIN_MB);
    const big = memoryLimits(1024);
    expect(small.fragBytes).toBe(MAX_FRAG_PENDING_BYTES);
    for (const k of ['maxLiveFlows', 'reassemblyBytes', 'dnsCacheEntries', 'dnsCacheBytes', 'dnsPendingQueries', 'heldRecords', 'extractBytes'] as const) {
      expect(small[k]).toBeGreaterThan(0);
      expect(big[k]).toBeGreaterThan(small[k]);
    }
    const sum = (l: typeof big) => l.fragBytes + l.maxLiveFlows * 1000 + l.reassemblyBytes + l.dnsCacheBytes + l.extractBytes;
    expect(sum(big)).toBeLessThanOrEqual(1024 * 1048576);
    expect(memoryLimits(1).budgetMb).toBe(MEMORY_BUDGET_MIN_MB);
  });

  it('counts what a full part dropped per capture, warns once, and names flows as an unbounded run would until then', async () => {
    const pcap = dnsFlood(30_000);
    const run = async (memoryBudgetMb: number) => {
      const flows: FlowRecord[] = [];
      const s = await analyzeCapture('flood.pcap', { flow: (f) => flows.push(f) }, { source: chunks(pcap, []), memoryBudgetMb });
      return { s, flows };
    };
    const small = await run(MEMORY_BUDGET_MIN_MB);
    const big = await run(4096);
    expect(big.s.anomalies.dns_cache_evicted).toBeUndefined();
    expect(big.s.warnings.filter((w) => w.code === 'memory_budget_reached')).toEqual([]);
    expect(small.s.anomalies.dns_cache_evicted).toBeGreaterThan(0);
    expect(small.s.anomalies.flow_table_full).toBeGreaterThan(0);
    const warn = small.s.warnings.filter((w) => w.code === 'memory_budget_reached');
    expect(warn).toHaveLength(1);
    expect(warn[0].message).toMatch(/dns_cache_evicted/);
    expect(warn[0].message).toMatch(/--memory-budget/);
    // The most recent answers are still there: the last flows are named in both runs.
    const named = (flows: FlowRecord[]) => flows.filter((f) => f.server_port === 443).map((f) => f.hostname).sort();
    expect(named(small.flows)).toHaveLength(64);
    expect(named(small.flows)).toEqual(named(big.flows));
    expect(named(big.flows).every((h) => h !== undefined && h.endsWith('.flood.example'))).toBe(true);
    // Every flow is still reported (ended early, not dropped).
    expect(small.flows.length).toBeGreaterThanOrEqual(big.flows.length);
  }, 60_000);

  it('the capture commands take --memory-budget and refuse a budget below the minimum', async () => {
    for (const cmd of ['flows', 'dns', 'extract']) {
      const io = bufferIo();
      const code = await runProgram(['node', 'residency', cmd, '--memory-budget', '4', 'x.pcap'], COMMANDS, io);
      expect(code).toBe(2);
      expect(io.err()).toMatch(/--memory-budget "4"/);
    }
  });
});
