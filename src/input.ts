// Picks, by content, how an input is read: captures (pcap, pcapng, gzip, standard input) by the packet pipeline,
// Zeek logs and Suricata eve.json by the log reader (logs/detect.ts says how a log input is given). Both give the
// same FlowRecord/DnsRecord streams through the same handlers, so every command that takes captures takes logs.

import { analyzeCapture, type AnalyzeHandlers, type AnalyzeOptions } from './pipeline.js';
import { detectLogInput } from './logs/detect.js';
import type { CaptureSummary } from './types.js';

// The log reader is loaded only for log inputs: a capture run does not pay for it at startup.

/** Analyses a capture or a log input at `path` (see module comment). */
export async function analyzeInput(path: string, handlers: AnalyzeHandlers, opts: AnalyzeOptions = {}): Promise<CaptureSummary> {
  if (path === '-' || opts.source !== undefined) return analyzeCapture(path, handlers, opts);
  const logs = detectLogInput(path);
  if (logs === null) return analyzeCapture(path, handlers, opts);
  const { analyzeLogs } = await import('./logs/analyze.js');
  const summary = await analyzeLogs(logs, handlers, { onProgress: opts.onProgress, memoryBudgetMb: opts.memoryBudgetMb });
  if (opts.hash) summary.sha256 = (await (await import('./logs/identity.js')).logInputIdentity(logs)).sha256;
  return summary;
}

/** The case-store identity of a log input (SHA-256 and size), or null when `path` is a capture. */
export async function logIdentity(path: string): Promise<{ sha256: string; sizeBytes: number } | null> {
  if (path === '-') return null;
  const logs = detectLogInput(path);
  return logs === null ? null : (await import('./logs/identity.js')).logInputIdentity(logs);
}
