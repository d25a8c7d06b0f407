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
import { ethernetFrame, tcpPacket, udpPacket } from '../../src/synth/packets.js';
import { encode } from '../extract/dns/dns-build.js';
import { chunks } from './handset-capture.js';
import { analyzeWithJobs } from '../../src/jobs/analyze.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DnsRecord, FlowRecord } from '../../src/types.js';

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

  it('gives each shard of a split run (--jobs) its share of every part but the fragment buffers', () => {
    const one = memoryLimits(64);
    const half = memoryLimits(64, 2);
    expect(half.budgetMb).toBe(64);
    expect(half.fragBytes).toBe(one.fragBytes);
    for (const k of ['maxLiveFlows', 'dnsCacheBytes', 'dnsPendingBytes', 'extractBytes'] as const) {
      expect(Math.abs(2 * half[k] - one[k])).toBeLessThanOrEqual(2);
    }
    const sum = (l: typeof one) => l.maxLiveFlows * 1000 + l.reassemblyBytes + l.dnsCacheBytes + l.extractBytes;
    expect(4 * sum(memoryLimits(64, 4))).toBeLessThanOrEqual(64 * 1048576 - MAX_FRAG_PENDING_BYTES);
  });

  it('a split run (--jobs 2) holds its budget across its shards and warns once with the whole budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residency-budget-'));
    try {
      const file = join(dir, 'flood.pcap');
      writeFileSync(file, dnsFlood(30_000));
      const run = async (memoryBudgetMb: number) => {
        const flows: FlowRecord[] = [];
        const s = await analyzeWithJobs(file, { flow: (f) => flows.push(f) }, { memoryBudgetMb }, 2, 0);
        return { s, flows };
      };
      const small = await run(MEMORY_BUDGET_MIN_MB);
      const big = await run(4096);
      expect(big.s.warnings.filter((w) => w.code === 'memory_budget_reached')).toEqual([]);
      expect(small.s.anomalies.dns_cache_evicted).toBeGreaterThan(0);
      expect(small.s.anomalies.flow_table_full).toBeGreaterThan(0);
      const warn = small.s.warnings.filter((w) => w.code === 'memory_budget_reached');
      expect(warn).toHaveLength(1);
      expect(warn[0].message).toMatch(new RegExp(`memory budget of ${MEMORY_BUDGET_MIN_MB} MiB`));
      // Each shard's naming cache sees every answer: the newest are still there, the last flows named.
      const named = (flows: FlowRecord[]) => flows.filter((f) => f.server_port === 443).map((f) => f.hostname).sort();
      expect(named(small.flows)).toHaveLength(64);
      expect(named(small.flows)).toEqual(named(big.flows));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

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

  it('dns: queries awaiting a response stay within the budget, the oldest written unanswered first, every query once', async () => {
    const lim = memoryLimits(MEMORY_BUDGET_MIN_MB);
    const n = lim.dnsPendingQueries + 2000;
    const answered = 100;
    const w = new PcapWriter({ linkType: 1 });
    const T = 1_700_000_000;
    const msg = (i: number, response: boolean): Buffer => {
      const name = `q${i}.pending.example`;
      return response
        ? encode({ type: 'response', id: i & 0xffff, flags: 0x8180, questions: [{ type: 'A', name }], answers: [{ type: 'A', name, ttl: 60, data: '203.0.113.9' }] })
        : encode({ type: 'query', id: i & 0xffff, flags: 0x0100, questions: [{ type: 'A', name }] });
    };
    const port = (i: number): number => 20000 + (i % 40000);
    for (let i = 0; i < n; i++) {
      w.add(ethernetFrame(udpPacket({ src: '10.9.1.2', dst: '10.9.1.254', sport: port(i), dport: 53, payload: msg(i, false) })), T + i / 100_000);
    }
    for (let i = n - answered; i < n; i++) {
      w.add(ethernetFrame(udpPacket({ src: '10.9.1.254', dst: '10.9.1.2', sport: 53, dport: port(i), payload: msg(i, true) })), T + n / 100_000 + 0.001);
    }
    const recs: DnsRecord[] = [];
    const s = await analyzeCapture('pending.pcap', { dns: (r) => recs.push(r) }, { source: chunks(w.toBuffer(), []), memoryBudgetMb: MEMORY_BUDGET_MIN_MB });
    expect(recs).toHaveLength(n);
    expect(new Set(recs.map((r) => r.qname)).size).toBe(n);
    expect(s.anomalies.dns_pending_cap_reached).toBeGreaterThanOrEqual(n - lim.dnsPendingQueries);
    // The oldest went first: the first queries came out unanswered before any response, the last ones were paired.
    const byName = new Map(recs.map((r) => [r.qname, r]));
    expect(byName.get('q0.pending.example')?.response_seen).toBe(false);
    expect(recs.slice(0, 1000).every((r) => !r.response_seen)).toBe(true);
    for (let i = n - answered; i < n; i++) expect(byName.get(`q${i}.pending.example`)?.response_seen, `q${i}`).toBe(true);
    const warn = s.warnings.filter((x) => x.code === 'memory_budget_reached');
    expect(warn).toHaveLength(1);
    expect(warn[0].message).toMatch(/dns_pending_cap_reached/);
  }, 60_000);

  it('TCP: data behind holes stays within the reassembly budget, the flow holding longest sheds first, named on its record', async () => {
    const lim = memoryLimits(MEMORY_BUDGET_MIN_MB);
    const seg = Buffer.alloc(8192, 0x17);
    const perFlow = 2;
    // Enough flows that their held bytes are three times the reassembly part of the budget.
    const nFlows = Math.ceil((3 * lim.reassemblyBytes) / (perFlow * seg.length));
    const w = new PcapWriter({ linkType: 1 });
    const T = 1_700_000_000;
    const client = (i: number): string => `10.8.${i >> 8}.${i & 255}`;
    let ts = T;
    for (let i = 0; i < nFlows; i++) {
      const c = { src: client(i), dst: '198.51.100.7', sport: 40000, dport: 443 };
      const r = { src: '198.51.100.7', dst: client(i), sport: 443, dport: 40000 };
      w.add(ethernetFrame(tcpPacket({ ...c, seq: 1000, ack: 0, flags: 0x02 })), (ts += 0.001));
      w.add(ethernetFrame(tcpPacket({ ...r, seq: 5000, ack: 1001, flags: 0x12 })), (ts += 0.001));
      // Byte 1001 never comes: everything after it waits in reassembly.
      for (let k = 0; k < perFlow; k++) {
        w.add(ethernetFrame(tcpPacket({ ...c, seq: 1002 + k * seg.length, ack: 5001, flags: 0x18, payload: seg })), (ts += 0.001));
      }
    }
    const flows: FlowRecord[] = [];
    const s = await analyzeCapture('holes.pcap', { flow: (f) => flows.push(f) }, { source: chunks(w.toBuffer(), []), memoryBudgetMb: MEMORY_BUDGET_MIN_MB });
    expect(flows).toHaveLength(nFlows);
    const shed = (f: FlowRecord): boolean => (f.anomalies ?? []).includes('tcp_reassembly_budget_exceeded');
    const byClient = new Map(flows.map((f) => [f.client_ip, f]));
    const order = Array.from({ length: nFlows }, (_, i) => byClient.get(client(i)));
    expect(order.every((f) => f !== undefined)).toBe(true);
    // The oldest flows gave their bytes up, the newest (what the budget holds at the end) did not.
    expect(shed(order[0]!)).toBe(true);
    expect(shed(order[nFlows - 1]!)).toBe(false);
    const nShed = order.filter((f) => shed(f!)).length;
    expect(nShed).toBeGreaterThan(nFlows / 2);
    expect(order.slice(0, nShed).every((f) => shed(f!))).toBe(true);
    expect(s.anomalies.tcp_reassembly_budget_exceeded).toBe(nShed);
    expect(s.warnings.filter((x) => x.code === 'memory_budget_reached')[0]?.message).toMatch(/tcp_reassembly_budget_exceeded/);
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
