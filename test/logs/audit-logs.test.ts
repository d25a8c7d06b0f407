// `audit` over logs: the sample case's claims file pointed at Zeek logs and at eve.json written from the same
// captures gives the verdicts the captures give, except where the evidence is what logs cannot carry (the handshake
// RTT: Vendor Dogwood). The rule for that lack is the capture path's (a capture whose handshakes measure nothing is
// judged alike), and the lab's ping file (captures/measurements/) restores the captures' verdicts from logs.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ReportClaim } from '../../src/audit/report-model.js';
import { runAudit, type AuditResult } from '../../src/pipeline/back-half.js';
import { renderHtml, renderJson, renderMarkdown } from '../../src/report/index.js';
import { writeZeekLogs } from '../../src/synth/zeek-log-writer.js';
import { writeEve } from '../../src/synth/eve-writer.js';
import { F_SYN, internetChecksum, ipv4Bytes } from '../../src/synth/packets.js';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import { validate } from '../schema/record-schemas.js';
import { captureRecords, linkHeaderBytes } from './sample-logs.js';

const fixed = (): Date => new Date('2026-03-02T12:00:00Z');

interface ClaimsYaml {
  vendors: { name: string; captures: string[] }[];
  measurements?: { file: string; kind: string }[];
}

/** The sample lab's ping file (scripts/gen-samples.ts writeLabPing: its fastest replies are the captures' handshakes). */
const LAB_PING = 'measurements/new-delhi-ping.txt';

/** The sample claims file with each vendor's captures replaced by logs written from them, in `dir`; with `ping`,
 *  also the lab's ping file as a `measurements:` entry (what a lab that keeps only logs adds). */
async function logsCase(dir: string, kind: 'zeek' | 'eve', ping = false): Promise<string> {
  const claims = parse(readFileSync(path.join(REPO_ROOT, 'captures/claims.yaml'), 'utf8')) as ClaimsYaml;
  if (ping) {
    mkdirSync(path.join(dir, path.dirname(LAB_PING)), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, 'captures', LAB_PING), path.join(dir, LAB_PING));
    claims.measurements = [{ file: LAB_PING, kind: 'ping' }];
  }
  for (const v of claims.vendors) {
    const inputs: string[] = [];
    for (const pattern of v.captures) {
      const folder = path.dirname(pattern);
      const { readdirSync } = await import('node:fs');
      for (const name of readdirSync(path.join(REPO_ROOT, 'captures', folder))) {
        const r = await captureRecords(path.join(REPO_ROOT, 'captures', folder, name));
        const out = path.join(dir, folder, `${name}.${kind}`);
        mkdirSync(out, { recursive: true });
        if (kind === 'zeek') {
          for (const [log, text] of Object.entries(writeZeekLogs(r.flows, r.dns, { format: 'tsv', policies: true }))) writeFileSync(path.join(out, `${log}.log`), text);
          inputs.push(`${folder}/${name}.zeek`); // a Zeek log folder
        } else {
          writeFileSync(path.join(out, 'eve.json'), writeEve(r.flows, r.dns, { linkHeaderBytes: linkHeaderBytes(r.summary.link_types) }));
          inputs.push(`${folder}/${name}.eve/eve.json`);
        }
      }
    }
    v.captures = inputs;
  }
  const file = path.join(dir, 'claims.yaml');
  writeFileSync(file, stringify(claims));
  return file;
}

/** Vendor Dogwood's capture with its tablet moved to PCAPdroid's VPN range (handshakes synthesised on the device). */
const SYNTH_PCAP = 'vendor-dogwood/dogwood-tablet-pcapdroid.pcap';

/** The records of a classic little-endian raw-IP pcap: the global header, then each packet (views into `pcap`). */
function rawIpRecords(pcap: Buffer): { header: Buffer; records: { head: Buffer; ip: Buffer }[] } {
  expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
  expect(pcap.readUInt32LE(20)).toBe(101);
  const records: { head: Buffer; ip: Buffer }[] = [];
  for (let off = 24; off + 16 <= pcap.length; ) {
    const len = pcap.readUInt32LE(off + 8);
    records.push({ head: pcap.subarray(off, off + 16), ip: pcap.subarray(off + 16, off + 16 + len) });
    off += 16 + len;
  }
  return { header: pcap.subarray(0, 24), records };
}

/**
 * The pcap with every IPv4 packet from or to `from` moved to `to` (IPv4 header and TCP/UDP checksums recomputed,
 * RFC 1071), so that a raw-IP capture reads as PCAPdroid's: a client in 10.215.173.0/24.
 */
function moveClient(pcap: Buffer, from: string, to: string): Buffer {
  const out = Buffer.from(pcap);
  const a = ipv4Bytes(from);
  const b = ipv4Bytes(to);
  for (const { ip } of rawIpRecords(out).records) {
    if (ip[0] >> 4 !== 4) continue;
    const ihl = (ip[0] & 15) * 4;
    for (const at of [12, 16]) if (ip.subarray(at, at + 4).equals(a)) b.copy(ip, at);
    ip.writeUInt16BE(0, 10);
    ip.writeUInt16BE(internetChecksum(ip.subarray(0, ihl)), 10);
    const l4 = ip.subarray(ihl, ip.readUInt16BE(2));
    const at = ip[9] === 6 ? 16 : ip[9] === 17 ? 6 : -1;
    if (at < 0 || (ip[9] === 17 && l4.readUInt16BE(6) === 0)) continue;
    l4.writeUInt16BE(0, at);
    const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, ip[9], l4.length >> 8, l4.length & 255])]);
    l4.writeUInt16BE(internetChecksum(pseudo, l4) || 0xffff, at);
  }
  return out;
}

/** The pcap without its TCP SYN and SYN/ACK segments: TCP connections seen from mid-stream, with no handshake RTT. */
function withoutTcpHandshakes(pcap: Buffer): Buffer {
  const { header, records } = rawIpRecords(pcap);
  const syn = (ip: Buffer): boolean => ip[0] >> 4 === 4 && ip[9] === 6 && (ip[(ip[0] & 15) * 4 + 13] & F_SYN) !== 0;
  const kept = records.filter((r) => !syn(r.ip));
  expect(kept.length).toBeLessThan(records.length);
  return Buffer.concat([header, ...kept.flatMap((r) => [r.head, r.ip])]);
}

/** Vendor Dogwood's capture seen from mid-stream (TCP handshakes left out; its QUIC handshake kept). */
const MIDSTREAM_PCAP = 'vendor-dogwood/dogwood-tablet-midstream.pcap';

/** The sample claims file for Vendor Dogwood alone over `file` (its capture edited by `edit`), in `dir`. */
function dogwoodCase(dir: string, file: string, edit: (pcap: Buffer) => Buffer, ping: boolean): string {
  const claims = parse(readFileSync(path.join(REPO_ROOT, 'captures/claims.yaml'), 'utf8')) as ClaimsYaml;
  claims.vendors = claims.vendors.filter((v) => v.name === 'Vendor Dogwood');
  claims.vendors[0].captures = [file];
  mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
  writeFileSync(path.join(dir, file), edit(readFileSync(path.join(REPO_ROOT, 'captures/vendor-dogwood/dogwood-tablet-rawip.pcap'))));
  if (ping) {
    mkdirSync(path.join(dir, path.dirname(LAB_PING)), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, 'captures', LAB_PING), path.join(dir, LAB_PING));
    claims.measurements = [{ file: LAB_PING, kind: 'ping' }];
  }
  const claimsFile = path.join(dir, 'claims.yaml');
  writeFileSync(claimsFile, stringify(claims));
  return claimsFile;
}

const claimOf = (r: AuditResult, id: string): ReportClaim => {
  const c = r.model.vendors.flatMap((v) => v.claims).find((x) => x.id === id);
  if (c === undefined) throw new Error(`no claim ${id}`);
  return c;
};
const noEch = (xs: string[]): string[] => xs.filter((x) => x !== 'names_hidden_ech');

const verdicts = (r: AuditResult): Record<string, string> => Object.fromEntries(r.model.vendors.flatMap((v) => v.claims.map((c) => [c.id, c.verdict])));
const reasons = (r: AuditResult, id: string): string[] => r.model.vendors.flatMap((v) => v.claims).find((c) => c.id === id)?.reasons.map((x) => x.code) ?? [];

describe('audit over logs written from the sample captures', () => {
  let pcap: AuditResult;
  const logs: Record<string, AuditResult> = {};
  /** The same logs with the lab's ping file. */
  const pinged: Record<string, AuditResult> = {};
  /** Vendor Dogwood's capture with synthesised handshakes, without and with the ping file. */
  let synth: AuditResult;
  let synthPinged: AuditResult;
  /** Vendor Dogwood's capture without its TCP handshakes. */
  let midstream: AuditResult;
  /** The reasons the logs give a claim: the captures', and physical_check_unavailable before the coverage verdict
   *  when the claim has in-scope upload (every input is a log, and no log bounds a destination). */
  const unchecked = (id: string, xs: string[]): string[] =>
    claimOf(pcap, id).totals.in_scope.bytes_up > 0
      ? [...xs.filter((x) => x !== 'coverage_met' && x !== 'coverage_below_threshold'), 'physical_check_unavailable', ...xs.filter((x) => x === 'coverage_met' || x === 'coverage_below_threshold')]
      : xs;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-logs-'));
    pcap = await runAudit(path.join(REPO_ROOT, 'captures/claims.yaml'), { now: fixed });
    for (const kind of ['zeek', 'eve'] as const) {
      for (const ping of [false, true]) {
        const d = path.join(dir, `${kind}${ping ? '-ping' : ''}`);
        mkdirSync(d);
        (ping ? pinged : logs)[kind] = await runAudit(await logsCase(d, kind, ping), { db: path.join(d, 'case.db'), now: fixed });
      }
    }
    const toPcapdroid = (b: Buffer): Buffer => moveClient(b, '192.168.50.51', '10.215.173.51');
    for (const ping of [false, true]) {
      const d = path.join(dir, `synth${ping ? '-ping' : ''}`);
      mkdirSync(d);
      const r = await runAudit(dogwoodCase(d, SYNTH_PCAP, toPcapdroid, ping), { now: fixed });
      if (ping) synthPinged = r;
      else synth = r;
    }
    const d = path.join(dir, 'midstream');
    mkdirSync(d);
    midstream = await runAudit(dogwoodCase(d, MIDSTREAM_PCAP, withoutTcpHandshakes, false), { now: fixed });
  }, 300_000);

  it.each(['zeek', 'eve'])('%s: report.json validates against schema/report.schema.json', (kind) => {
    expect(logs[kind].model.inputs.length).toBeGreaterThan(0);
    expect(validate('report', JSON.parse(renderJson(logs[kind].model)))).toEqual([]);
  });

  it.each(['zeek', 'eve'])('%s: the verdicts of the captures, but for the one claim that only handshake RTTs refute', (kind) => {
    const got = verdicts(logs[kind]);
    const want = verdicts(pcap);
    // The one claim allowed to differ is Vendor Dogwood's: names, provider and every database agree with it, and the
    // only evidence against it is the physical check on its handshake RTTs (captures/README.md). Neither Zeek's nor
    // Suricata's logs carry a handshake RTT, so from logs alone nothing refutes it.
    const dogwoodPcap = claimOf(pcap, 'dogwood-us-aws');
    expect(dogwoodPcap.verdict).toBe('refuted');
    expect(dogwoodPcap.reasons.map((x) => x.code)).toEqual(['claimed_location_impossible', 'inconsistent_upload']);
    expect(dogwoodPcap.evidence.filter((e) => e.status === 'inconsistent').every((e) => e.claimed_location_impossible)).toBe(true);
    expect(reasons(logs[kind], 'dogwood-us-aws')).not.toContain('claimed_location_impossible');
    const { 'dogwood-us-aws': _d1, ...rest } = got;
    const { 'dogwood-us-aws': _d2, ...restWant } = want;
    expect(rest).toEqual(restWant);
    // ECH is not in Zeek's ssl.log nor in Suricata's tls events: Vendor Cedar's TLS flow to the ECH public name is
    // hidden evidence in the captures only; its DNS over HTTPS still hides the vendor's names, so the verdict stands.
    expect(reasons(pcap, 'cedar-in')).toContain('names_hidden_ech');
    // With a vantage, every location claim with in-scope upload from logs says its physics was not checked.
    for (const id of Object.keys(rest)) expect(reasons(logs[kind], id)).toEqual(unchecked(id, noEch(reasons(pcap, id))));
    expect(reasons(pcap, 'alder-sg-aws')).not.toContain('physical_check_unavailable');
    // Without the RTT Dogwood's claim is confirmed, as the capture path confirms it when its handshakes measure
    // nothing (next test). The README says so under "Logs as input": the physical check needs captures with
    // handshakes, or a measurement file.
    expect(got['dogwood-us-aws']).toBe('confirmed');
    expect(reasons(logs[kind], 'dogwood-us-aws')).toEqual(['physical_check_unavailable', 'coverage_met']);
    // ... and says so: the claim's reasons name the log input and its unchecked bytes, in every report format.
    const dogwood = claimOf(logs[kind], 'dogwood-us-aws');
    const caveat = dogwood.reasons.find((x) => x.code === 'physical_check_unavailable');
    expect(caveat?.text).toContain('dogwood-tablet-rawip.pcap');
    expect(caveat?.text).toContain(`${dogwood.totals.in_scope.bytes_up} in-scope upload bytes`);
    expect(caveat?.text).toContain(kind === 'zeek' ? 'Zeek logs carry no handshake RTT' : 'Suricata eve.json carries no handshake RTT');
    for (const text of [renderJson(logs[kind].model), renderMarkdown(logs[kind].model), renderHtml(logs[kind].model)]) expect(text).toContain('could not be checked against the handshake RTT from the vantage');
    expect(logs[kind].model.inputs).toHaveLength(pcap.model.inputs.length);
    for (const i of logs[kind].model.inputs) expect(i.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the capture path applies the same rule to the same lack of evidence: handshakes that measure nothing', () => {
    // Dogwood's capture moved to PCAPdroid's VPN addresses on its raw-IP link: its handshakes are synthesised on the
    // device, so the capture has no usable RTT, as a log has none. Same verdict, same reasons as the logs.
    const c = claimOf(synth, 'dogwood-us-aws');
    expect(c.verdict).toBe('confirmed');
    expect(c.reasons.map((x) => x.code)).toEqual(reasons(logs.zeek, 'dogwood-us-aws'));
    expect(c.reasons[0].text).toContain(`${SYNTH_PCAP} (handshakes synthesised on the device: ${c.totals.in_scope.bytes_up} bytes)`);
    expect(c.totals.in_scope.bytes_up).toBe(claimOf(pcap, 'dogwood-us-aws').totals.in_scope.bytes_up);
    // With the lab's ping file the capture path refutes it again, naming the ping (not the synthesised handshakes).
    const p = claimOf(synthPinged, 'dogwood-us-aws');
    expect(p.verdict).toBe('refuted');
    expect(p.reasons.map((x) => x.code)).toEqual(reasons(pcap, 'dogwood-us-aws'));
    expect(p.reasons[0].measurements?.every((m) => m.file === LAB_PING)).toBe(true);
  });

  it('... and to flows without a handshake: their bytes are unchecked, the other flows still refute', () => {
    // Without its SYNs, the TCP connection to 54.164.77.12 has no RTT and nothing else bounds that address; the QUIC
    // flow to 3.208.120.45 keeps its handshake, which still puts the US out of reach.
    const c = claimOf(midstream, 'dogwood-us-aws');
    expect(c.verdict).toBe('refuted');
    expect(c.reasons.map((x) => x.code)).toEqual(['claimed_location_impossible', 'inconsistent_upload', 'physical_check_unavailable']);
    const tcp = c.evidence.filter((e) => e.server_ip === '54.164.77.12');
    expect(tcp.length).toBeGreaterThan(0);
    expect(tcp.every((e) => e.rtt_ms === undefined && !e.claimed_location_impossible)).toBe(true);
    const up = tcp.reduce((n, e) => n + e.bytes_up, 0);
    expect(c.reasons.find((x) => x.code === 'physical_check_unavailable')?.text).toContain(`${MIDSTREAM_PCAP} (no handshake RTT to these addresses: ${up} bytes)`);
    const quic = c.evidence.filter((e) => e.server_ip === '3.208.120.45');
    expect(quic.length).toBeGreaterThan(0);
    expect(quic.every((e) => e.claimed_location_impossible)).toBe(true);
  });

  it.each(['zeek', 'eve'])('%s + the lab\'s ping file: the verdicts and reasons of the captures, the refutation naming the ping', (kind) => {
    const r = pinged[kind];
    expect(verdicts(r)).toEqual(verdicts(pcap));
    // Every destination is bounded by the ping, so no claim says its physics went unchecked.
    for (const id of Object.keys(verdicts(pcap))) expect(reasons(r, id)).toEqual(noEch(reasons(pcap, id)));
    const dogwood = claimOf(r, 'dogwood-us-aws');
    expect(dogwood.verdict).toBe('refuted');
    const reason = dogwood.reasons.find((x) => x.code === 'claimed_location_impossible');
    const ms = reason?.measurements ?? [];
    // Both of Dogwood's addresses, each refuted by the ping's fastest reply (= the capture's fastest handshake).
    expect(ms.map((m) => [m.file, m.vantage_id, m.vantage, m.rtt_ms]).sort()).toEqual([
      [LAB_PING, 'vantage', 'New Delhi lab', 3.4],
      [LAB_PING, 'vantage', 'New Delhi lab', 3.7],
    ]);
    const lines = readFileSync(path.join(REPO_ROOT, 'captures', LAB_PING), 'utf8').split('\n');
    for (const m of ms) expect(lines[(m.line as number) - 1]).toContain(`time=${m.rtt_ms.toFixed(1)} ms`);
    expect(reason?.text).toContain(`New Delhi lab (IN) 3.4 ms (${LAB_PING}:`);
    expect(reason?.text).not.toContain('.pcap flow');
    expect(dogwood.evidence.every((e) => e.claimed_location_impossible)).toBe(true);
    // The ping file is listed with its hash (provenance), as any measurement file.
    expect(r.model.measurement_files?.map((f) => [f.path, f.kind, f.sha256, f.measurements])).toEqual([
      [LAB_PING, 'ping', createHash('sha256').update(readFileSync(path.join(REPO_ROOT, 'captures', LAB_PING))).digest('hex'), 8],
    ]);
  });

  it('the byte totals of each claim are those of the captures (Zeek: IP-level counts; eve: whole frames less Ethernet)', () => {
    const totals = (r: AuditResult): Record<string, number> =>
      Object.fromEntries(r.model.vendors.flatMap((v) => v.claims).map((c) => [c.id, c.totals.in_scope.bytes_up]));
    expect(totals(logs.zeek)).toEqual(totals(pcap));
    // eve.json assumes Ethernet framing: exact for the Ethernet captures; the raw-IP one (Dogwood) loses 14 bytes a
    // packet that its frames never had.
    const eve = totals(logs.eve);
    const want = totals(pcap);
    for (const id of ['alder-sg-aws', 'birch-sg-aws', 'cedar-in']) expect(eve[id]).toBe(want[id]);
    expect(eve['dogwood-us-aws']).toBeLessThan(want['dogwood-us-aws']);
  });
});
