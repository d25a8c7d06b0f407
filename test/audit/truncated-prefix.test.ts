// A truncated capture is audited on what was read, and says so: the verdicts, totals, evidence and destinations
// equal those of an audit over its clean prefix (the file up to the record where reading stopped, a whole capture
// with nothing wrong in it); the truncation only adds the `capture_truncated` reason, `evidence_complete: false`,
// the summary's EVIDENCE INCOMPLETE block and a warning on stderr (../shared/repro/README.md, truncated-audit).
// Inputs: ../shared/repro/truncated-audit (skipped with a message when absent), and the samples cut at several
// places: pcap, pcapng inside a block, and a gzip stream cut short (its offset is in the decompressed stream).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportClaim, ReportModel } from '../../src/audit/report-model.js';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const samples = path.join(repo, 'captures');
const repro = path.resolve(repo, '..', 'shared', 'repro', 'truncated-audit');
const HAVE_SAMPLES = existsSync(path.join(samples, 'claims.yaml'));
const HAVE_REPRO = existsSync(path.join(repro, 'claims.yaml'));
if (!HAVE_REPRO) console.warn(`skipping the ../shared truncated-audit case: ${repro} not found (the cuts of the samples still run)`);

const dir = mkdtempSync(path.join(tmpdir(), 'residency-trunc-prefix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Audit {
  code: number;
  out: string;
  err: string;
  model: ReportModel;
}

/** Audits `capture` (in `dir`) for one vendor with the samples' Alder and Birch claims, JSON report only. */
async function audit(name: string, capture: string, firstParty: string[]): Promise<Audit> {
  const claims = path.join(dir, `${name}.yaml`);
  writeFileSync(
    claims,
    `vantage: { name: lab, lat: 28.6139, lon: 77.209, country: IN }
vendors:
  - name: Vendor
    captures: [${JSON.stringify(capture)}]
    first_party: ${JSON.stringify(firstParty)}
    claims:
      - { id: sg-aws, text: "AWS Singapore", country: SG, provider: aws }
      - { id: in-only, text: "India only", country: IN }
      - { id: all-sg, text: "Everything in Singapore", scope: all, country: SG }
`,
  );
  const io = bufferIo();
  const out = path.join(dir, `${name}-out`);
  const code = await runProgram(['node', 'residency', 'audit', claims, '--out', out, '--format', 'json'], COMMANDS, io);
  return { code, out: io.out(), err: io.err(), model: JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as ReportModel };
}

/** What a claim decided, with the capture's file name made neutral: the truncated file and its prefix differ there. */
function decided(c: ReportClaim, file: string): unknown {
  const neutral = (s: string): string => s.split(file).join('CAPTURE');
  return {
    id: c.id,
    verdict: c.verdict,
    reasons: c.reasons.map((r) => ({ code: r.code, text: neutral(r.text) })),
    totals: c.totals,
    evidence: c.evidence.map((e) => [e.flow_id, e.status, e.server_ip, e.hostname, e.bytes_up, e.bytes_down, e.country, e.provider]),
    evidence_omitted: c.evidence_omitted,
    coverage: c.coverage,
  };
}

/**
 * Audits the truncated file `name` (already in `dir`), then the clean prefix the audit names (bytes before the
 * reported offset of `plain`, the capture as read: decompressed for gzip; `prefixEnd` maps that offset to the end
 * of the last whole record when the reader reports another one), and checks they decide alike.
 */
async function checkAgainstPrefix(
  name: string,
  plain: Buffer,
  firstParty: string[],
  prefixEnd: (offset: number) => number = (o) => o,
): Promise<{ truncated: Audit; prefix: Audit }> {
  const truncated = await audit(`t-${name}`, name, firstParty);
  const problem = truncated.model.problems[0];
  expect(truncated.model.problems).toEqual([expect.objectContaining({ capture: name, status: 'truncated' })]);
  expect(problem.offset).toBeGreaterThan(0);
  expect(truncated.err).toContain(`residency: warning: ${name}: truncated at byte ${problem.offset}: `);
  expect(truncated.out).toContain('EVIDENCE INCOMPLETE: 1 truncated capture(s)');

  const prefixName = `prefix-${name.replace(/\.gz$/, '')}`;
  writeFileSync(path.join(dir, prefixName), plain.subarray(0, prefixEnd(problem.offset ?? 0)));
  const prefix = await audit(`p-${name}`, prefixName, firstParty);
  // The prefix is a whole capture: nothing to say about it.
  expect(prefix.model.problems).toEqual([]);
  expect(prefix.err).not.toContain('warning');
  expect(prefix.out).not.toContain('EVIDENCE INCOMPLETE');

  const t = truncated.model.vendors[0];
  const p = prefix.model.vendors[0];
  expect(t.totals).toEqual(p.totals);
  expect(t.destinations).toEqual(p.destinations);
  expect(t.devices).toEqual(p.devices);
  expect(truncated.model.inputs[0].packets).toBe(prefix.model.inputs[0].packets);
  expect(t.claims.length).toBe(p.claims.length);
  for (let i = 0; i < t.claims.length; i++) {
    const tc = t.claims[i];
    const pc = p.claims[i];
    // The truncation leads the reasons and marks the evidence incomplete; the rest is the prefix's decision.
    expect(tc.reasons[0]).toMatchObject({ code: 'capture_truncated', captures: [name] });
    expect(tc.reasons[0].text).toContain(`${name} at byte ${problem.offset?.toLocaleString('en-US')}`);
    expect([tc.evidence_complete, pc.evidence_complete]).toEqual([false, true]);
    expect(decided({ ...tc, reasons: tc.reasons.slice(1) }, name)).toEqual(decided(pc, prefixName));
    expect(truncated.out).toMatch(new RegExp(`${tc.verdict.toUpperCase()}\\s+${tc.id}: .*\\[evidence incomplete\\]`));
  }
  // The exit code follows the verdicts, as the prefix's does.
  expect(truncated.code).toBe(prefix.code);
  return { truncated, prefix };
}

describe.skipIf(!HAVE_REPRO)('../shared/repro/truncated-audit decides as its clean prefix does', () => {
  it('alder-trunc.pcap (the sample cut at 30,000 bytes): the prefix verdicts, plus the truncation', async () => {
    const bytes = readFileSync(path.join(repro, 'alder-trunc.pcap'));
    writeFileSync(path.join(dir, 'alder-trunc.pcap'), bytes);
    const { truncated } = await checkAgainstPrefix('alder-trunc.pcap', bytes, ['alderphone-sync.com']);
    expect(truncated.model.vendors[0].claims.map((c) => c.verdict)).toContain('confirmed');
  }, 120_000);
});

describe.skipIf(!HAVE_SAMPLES)('captures cut short decide as their clean prefix does', () => {
  const alder = readFileSync(path.join(samples, 'vendor-alder', 'alder-phone.pcap'));
  const birch = readFileSync(path.join(samples, 'vendor-birch', 'birch-two-phones.pcapng'));

  it('pcap cut at several places (early: confirmed on what was read; near the end: refuted as the whole file is)', async () => {
    const verdicts = new Set<string>();
    for (const cut of [30_000, 120_000, 250_000, alder.length - 7]) {
      const name = `alder-${cut}.pcap`;
      writeFileSync(path.join(dir, name), alder.subarray(0, cut));
      const { truncated } = await checkAgainstPrefix(name, alder, ['alderphone-sync.com']);
      for (const c of truncated.model.vendors[0].claims) verdicts.add(c.verdict);
    }
    // The cuts reach both sides of the decision: a truncation never turns a refutation into a confirmation by itself.
    expect(verdicts).toContain('confirmed');
    expect(verdicts).toContain('refuted');
  }, 300_000);

  it('pcapng cut inside a block (the prefix ends at that block)', async () => {
    for (const at of [0.3, 0.8]) {
      const name = `birch-${at}.pcapng`;
      writeFileSync(path.join(dir, name), birch.subarray(0, Math.floor(birch.length * at)));
      await checkAgainstPrefix(name, birch, ['birchdevice-cloud.net']);
    }
  }, 300_000);

  it('a gzip stream cut short: the offset is in the decompressed capture, and its prefix decides alike', async () => {
    const gz = gzipSync(alder);
    const name = 'alder-cut.pcap.gz';
    writeFileSync(path.join(dir, name), gz.subarray(0, Math.floor(gz.length * 0.6)));
    const plain = gunzipSync(gz);
    // The gzip reader reports where the decompressed stream stopped, inside a record: the prefix keeps the whole
    // records before it (the pcap records' own lengths).
    const wholeRecords = (offset: number): number => {
      let o = 24;
      while (o + 16 <= offset && o + 16 + plain.readUInt32LE(o + 8) <= offset) o += 16 + plain.readUInt32LE(o + 8);
      return o;
    };
    const { truncated } = await checkAgainstPrefix(name, plain, ['alderphone-sync.com'], wholeRecords);
    expect(truncated.model.inputs[0]).toMatchObject({ status: 'truncated', truncated: true });
  }, 120_000);
});
