// Test helper: the sample captures' records, and Zeek logs / eve.json written from them into a temporary folder.
// Not a test file itself.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyzeCapture } from '../../src/pipeline.js';
import { analyzeInput } from '../../src/input.js';
import { writeZeekLogs, type ZeekWriteOptions } from '../../src/synth/zeek-log-writer.js';
import { writeEve } from '../../src/synth/eve-writer.js';
import type { CaptureSummary, DnsRecord, FlowRecord } from '../../src/types.js';

export interface Records {
  flows: FlowRecord[];
  dns: DnsRecord[];
  summary: CaptureSummary;
}

export async function recordsOf(input: string): Promise<Records> {
  const flows: FlowRecord[] = [];
  const dns: DnsRecord[] = [];
  const summary = await analyzeInput(input, { flow: (f) => flows.push(f), dns: (d) => dns.push(d) });
  return { flows, dns, summary };
}

export async function captureRecords(capture: string): Promise<Records> {
  const flows: FlowRecord[] = [];
  const dns: DnsRecord[] = [];
  const summary = await analyzeCapture(capture, { flow: (f) => flows.push(f), dns: (d) => dns.push(d) });
  return { flows, dns, summary };
}

/** Link-layer header bytes per packet of a capture's (single) link type, as Suricata would count them. */
export function linkHeaderBytes(linkTypes: number[]): number {
  // LINKTYPE_ETHERNET 1: 14 bytes; raw IP (101, 12, 228, 229): none.
  return linkTypes.includes(1) ? 14 : 0;
}

/** Writes Zeek logs for `r` into a new folder; returns the folder. */
export function writeZeekFolder(r: Records, opts: ZeekWriteOptions, gz = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'zeek-logs-'));
  const logs = writeZeekLogs(r.flows, r.dns, opts);
  for (const [name, text] of Object.entries(logs)) {
    const file = join(dir, `${name}.log${gz ? '.gz' : ''}`);
    writeFileSync(file, gz ? gzip(text) : text);
  }
  return dir;
}

/** Writes eve.json for `r` into a new folder; returns the file. */
export function writeEveFile(r: Records): string {
  const dir = mkdtempSync(join(tmpdir(), 'eve-'));
  const file = join(dir, 'eve.json');
  writeFileSync(file, writeEve(r.flows, r.dns, { linkHeaderBytes: linkHeaderBytes(r.summary.link_types) }));
  return file;
}

function gzip(text: string): Buffer {
  return gzipSync(Buffer.from(text));
}
