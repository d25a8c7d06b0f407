// End to end: `audit` and `report` name every listed capture that is truncated, damaged or missing from the store,
// on stderr, in the summary, in report.json/report.md/report.html and as a reason on every verdict it touches.
// Inputs: ../shared/repro/truncated-audit (skipped with a message when absent), and captures made here from the
// samples: cut short (pcap and pcapng), damaged in the middle (a packet for an undeclared interface), and a store
// that lacks a listed capture or whose file is gone.

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/audit/report-model.js';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { EXIT } from '../../src/errors.js';
import { validate } from '../schema/record-schemas.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const samples = path.join(repo, 'captures');
const repro = path.resolve(repo, '..', 'shared', 'repro', 'truncated-audit');
const HAVE_SAMPLES = existsSync(path.join(samples, 'claims.yaml'));
const HAVE_REPRO = existsSync(path.join(repro, 'claims.yaml'));
if (!HAVE_REPRO) console.warn(`skipping the ../shared truncated-audit case: ${repro} not found (the synthetic truncated captures still run)`);

const dir = mkdtempSync(path.join(tmpdir(), 'residency-incomplete-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command in-process. The claims files below name the samples by absolute path, outside their own temp
 *  folder: audit and report get --allow-outside. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const extra = args[0] === 'audit' || args[0] === 'report' ? ['--allow-outside'] : [];
  const code = await runProgram(['node', 'residency', ...args, ...extra], COMMANDS, io);
  return { code, out: io.out(), err: io.err() };
}

function claims(name: string, vendor: string, captures: string[], firstParty: string[], claim = '{ id: sg, text: "AWS Singapore", country: SG, provider: aws }'): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `vantage: { name: lab, lat: 28.6139, lon: 77.209, country: IN }
vendors:
  - name: ${vendor}
    captures: ${JSON.stringify(captures)}
    first_party: ${JSON.stringify(firstParty)}
    claims:
      - ${claim}
`);
  return file;
}

/** report.json of a run, checked against schema/report.schema.json. */
function report(out: string): ReportModel {
  const json: unknown = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
  expect(validate('report', json), `${out}/report.json against schema/report.schema.json`).toEqual([]);
  return json as ReportModel;
}

/** Offsets of the pcapng blocks of a little- or big-endian file: [type, offset, length]. */
function pcapngBlocks(b: Buffer): [number, number, number][] {
  const le = b.readUInt32LE(8) === 0x1a2b3c4d;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const out: [number, number, number][] = [];
  for (let o = 0; o + 12 <= b.length; ) {
    const len = u32(o + 4);
    out.push([u32(o), o, len]);
    o += len;
  }
  return out;
}

describe.skipIf(!HAVE_REPRO)('audit over ../shared/repro/truncated-audit (a sample cut at 30,000 bytes)', () => {
  it('still confirms on what was read, but says so on stderr, in the summary, in report.json and as the first reason', async () => {
    const out = path.join(dir, 'repro');
    const r = await cli('audit', path.join(repro, 'claims.yaml'), '--out', out, '--format', 'json,md,html');
    expect(r.code).toBe(EXIT.OK);
    expect(r.err).toMatch(/^residency: warning: alder-trunc\.pcap: truncated at byte \d+: file ends \d+ bytes into a record that needs \d+ \[pcap_truncated_record\]$/m);
    expect(r.out).toContain('EVIDENCE INCOMPLETE: 1 truncated');
    expect(r.out).toMatch(/CONFIRMED\s+alder-sg-aws: AWS SG {2}\[evidence incomplete\]/);
    expect(r.out).toMatch(/capture_truncated: Reading stopped before the end of 1 capture\(s\): alder-trunc\.pcap at byte [\d,]+ \(pcap_truncated_record/);
    const m = report(out);
    expect(m.inputs[0]).toMatchObject({ path: 'alder-trunc.pcap', status: 'truncated', truncated: true });
    expect(m.inputs[0].warnings?.[0].code).toBe('pcap_truncated_record');
    expect(m.problems).toEqual([expect.objectContaining({ capture: 'alder-trunc.pcap', status: 'truncated', vendors: ['Vendor Alder'], code: 'pcap_truncated_record' })]);
    const claim = m.vendors[0].claims[0];
    expect(claim).toMatchObject({ verdict: 'confirmed', evidence_complete: false });
    expect(claim.reasons[0]).toMatchObject({ code: 'capture_truncated', captures: ['alder-trunc.pcap'] });
    expect(claim.reasons[0].text).toContain(`at byte ${m.problems[0].offset?.toLocaleString('en-US')}`);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('**CONFIRMED** (incomplete evidence)');
    const page = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(page).toContain('<section id="problems" class="problems">');
    expect(page).toContain('<span class="badge incomplete"');
  }, 120_000);
});

describe.skipIf(!HAVE_SAMPLES)('audit over captures cut short or damaged (made from the samples)', () => {
  const alder = path.join(samples, 'vendor-alder', 'alder-phone.pcap');
  const birch = path.join(samples, 'vendor-birch', 'birch-two-phones.pcapng');

  it('a listed file that is not a capture is skipped, and the verdict says a listed capture is missing', async () => {
    writeFileSync(path.join(dir, 'notes.pcap'), 'not a capture\n');
    const f = claims('skipped', 'Vendor Birch', [birch, 'notes.pcap'], ['birchdevice-cloud.net']);
    const r = await cli('audit', f, '--no-reports');
    expect(r.code).toBe(EXIT.INCONCLUSIVE);
    expect(r.err).toContain('notes.pcap skipped');
    expect(r.out).toContain('capture_missing');
    expect(r.out).toMatch(/INCONCLUSIVE sg: AWS Singapore {2}\[evidence incomplete\]/);
  }, 180_000);

  it('the full sample is refuted; cut at 30,000 bytes it is confirmed on what was read, marked truncated', async () => {
    const cutFile = path.join(dir, 'alder-cut.pcap');
    writeFileSync(cutFile, readFileSync(alder).subarray(0, 30_000));
    const full = await cli('audit', claims('full', 'Vendor Alder', [alder], ['alderphone-sync.com']), '--no-reports');
    expect(full.code).toBe(EXIT.REFUTED);
    expect(full.err).not.toContain('warning');
    expect(full.out).not.toContain('EVIDENCE INCOMPLETE');
    const cut = await cli('audit', claims('cut', 'Vendor Alder', ['alder-cut.pcap'], ['alderphone-sync.com']), '--out', path.join(dir, 'cut'), '--format', 'json');
    expect(cut.code).toBe(EXIT.OK);
    expect(cut.err).toMatch(/residency: warning: alder-cut\.pcap: truncated at byte \d+: .*\[pcap_truncated_record\]/);
    const m = report(path.join(dir, 'cut'));
    expect(m.vendors[0].claims[0].reasons[0].code).toBe('capture_truncated');
    // The reader's message reaches the report without the path the capture had when it was ingested.
    expect(JSON.stringify(m)).not.toContain(dir);
    expect(m.inputs[0].warnings?.[0].message).toMatch(/^file ends \d+ bytes into a record/);
  }, 120_000);

  it('a pcapng cut inside a block is truncated at that block, and every claim of the vendor says so', async () => {
    const bytes = readFileSync(birch);
    const blocks = pcapngBlocks(bytes);
    const [, off, len] = blocks[Math.floor(blocks.length / 2)];
    writeFileSync(path.join(dir, 'birch-cut.pcapng'), bytes.subarray(0, off + Math.floor(len / 2)));
    const f = claims('birchcut', 'Vendor Birch', ['birch-cut.pcapng'], ['birchdevice-cloud.net']);
    const r = await cli('audit', f, '--out', path.join(dir, 'birchcut'), '--format', 'json');
    expect(r.err).toContain(`residency: warning: birch-cut.pcapng: truncated at byte ${off}: `);
    const m = report(path.join(dir, 'birchcut'));
    expect(m.problems).toEqual([expect.objectContaining({ status: 'truncated', code: 'pcapng_truncated_block', offset: off })]);
    expect(m.vendors[0].claims.every((c) => c.reasons[0].code === 'capture_truncated' && !c.evidence_complete)).toBe(true);
  }, 120_000);

  it('a pcapng with a damaged packet block in the middle is damaged: read to the end, the damage named and located', async () => {
    const bytes = Buffer.from(readFileSync(birch));
    const le = bytes.readUInt32LE(8) === 0x1a2b3c4d;
    const epbs = pcapngBlocks(bytes).filter(([type]) => type === 6);
    const [, block] = epbs[Math.floor(epbs.length / 2)];
    const off = block + 8; // the interface id field, where the reader locates the damage
    if (le) bytes.writeUInt32LE(99, off);
    else bytes.writeUInt32BE(99, off);
    writeFileSync(path.join(dir, 'birch-damaged.pcapng'), bytes);
    const f = claims('birchdamaged', 'Vendor Birch', ['birch-damaged.pcapng'], ['birchdevice-cloud.net']);
    const r = await cli('audit', f, '--out', path.join(dir, 'birchdamaged'), '--format', 'json');
    expect(r.err).toMatch(new RegExp(`residency: warning: birch-damaged\\.pcapng: damaged at byte ${off}: .*\\[pcapng_unknown_interface\\]`));
    expect(r.out).toContain('EVIDENCE INCOMPLETE: 1 damaged');
    const m = report(path.join(dir, 'birchdamaged'));
    expect(m.inputs[0]).toMatchObject({ status: 'damaged', truncated: false });
    expect(m.inputs[0].packets).toBeGreaterThan(epbs.length - 5);
    const claim = m.vendors[0].claims[0];
    expect(claim.reasons[0].code).toBe('capture_damaged');
    expect(claim.reasons[0].text).toContain(`first at byte ${off.toLocaleString('en-US')}: pcapng_unknown_interface`);
  }, 120_000);
});

describe.skipIf(!HAVE_SAMPLES)('report over a store that lacks a listed capture', () => {
  // One vendor, two captures: the Birch one alone confirms "AWS Singapore", the Alder one (also first-party here)
  // sends 44 % of the upload to Alibaba in China and refutes it.
  const firstParty = ['birchdevice-cloud.net', 'alderphone-sync.com'];
  const db = path.join(dir, 'partial.db');

  it('does not confirm what the store only half holds: capture_missing, inconclusive, said on stderr', async () => {
    copyFileSync(path.join(samples, 'vendor-birch', 'birch-two-phones.pcapng'), path.join(dir, 'birch.pcapng'));
    copyFileSync(path.join(samples, 'vendor-alder', 'alder-phone.pcap'), path.join(dir, 'alder.pcap'));
    const both = claims('both', 'Mixed', ['birch.pcapng', 'alder.pcap'], firstParty);
    expect((await cli('audit', both, '--no-reports')).code).toBe(EXIT.REFUTED);
    // The store was filled from a claims file listing only the Birch capture.
    const onlyBirch = claims('only-birch', 'Mixed', ['birch.pcapng'], firstParty);
    expect((await cli('audit', onlyBirch, '--db', db, '--no-reports')).code).toBe(EXIT.OK);
    const r = await cli('report', '--db', db, '--claims', both, '--out', path.join(dir, 'partial'), '--format', 'json,md');
    expect(r.code).toBe(EXIT.INCONCLUSIVE);
    expect(r.err).toContain('residency: warning: alder.pcap: missing: listed in the claims file but not in the case store [capture_missing]');
    expect(r.out).toMatch(/INCONCLUSIVE\s+sg: AWS Singapore {2}\[evidence incomplete\]/);
    expect(r.out).toContain('capture_missing: 1 capture(s) the claims file lists are not in the evidence: alder.pcap');
    const m = report(path.join(dir, 'partial'));
    expect(m.inputs.map((i) => [i.path, i.status])).toEqual([['alder.pcap', 'missing'], ['birch.pcapng', 'ok']]);
    expect(m.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.vendors[0].claims[0].reasons.map((x) => x.code).slice(0, 2)).toEqual(['capture_missing', 'coverage_met']);
    expect(m.vendors[0].captures).toEqual(['alder.pcap', 'birch.pcapng']);
    expect(readFileSync(path.join(dir, 'partial', 'report.md'), 'utf8')).toContain('| **MISSING** | alder.pcap | - | capture\\_missing |');
  }, 180_000);

  it('names a listed file that no longer exists, and one that changed since it was ingested', async () => {
    const gone = claims('gone', 'Mixed', ['birch.pcapng', 'deleted.pcap'], firstParty);
    const r = await cli('report', '--db', db, '--claims', gone, '--out', path.join(dir, 'gone'), '--format', 'json');
    expect(r.err).toContain('residency: warning: deleted.pcap: missing: matches no file, and the case store holds no capture from that path [capture_missing]');
    expect(r.code).toBe(EXIT.INCONCLUSIVE);
    const m = report(path.join(dir, 'gone'));
    expect(m.inputs.find((i) => i.path === 'deleted.pcap')).toEqual({ path: 'deleted.pcap', status: 'missing', truncated: false, vendor: 'Mixed', missing_reason: 'matches no file, and the case store holds no capture from that path' });
    // The stored capture's file is rewritten (one byte more): the store holds the earlier version.
    writeFileSync(path.join(dir, 'birch.pcapng'), Buffer.concat([readFileSync(path.join(dir, 'birch.pcapng')), Buffer.alloc(1)]));
    const changed = await cli('report', '--db', db, '--claims', claims('changed', 'Mixed', ['birch.pcapng'], firstParty), '--out', path.join(dir, 'changed'), '--format', 'json');
    expect(changed.err).toMatch(/birch\.pcapng: missing: listed in the claims file but not in the case store \(the store holds another version of this file, sha256 [0-9a-f]{12}…: it changed since it was ingested\)/);
    expect(changed.code).toBe(EXIT.INCONCLUSIVE);
  }, 180_000);

  it('says nothing when the store holds every listed capture', async () => {
    const f = claims('stored', 'Mixed', [path.join(samples, 'vendor-birch', 'birch-two-phones.pcapng')], firstParty);
    const ok = await cli('report', '--db', db, '--claims', f, '--out', path.join(dir, 'stored'), '--format', 'json');
    expect(ok.err).toBe('');
    expect(ok.code).toBe(EXIT.OK);
    expect(report(path.join(dir, 'stored')).problems).toEqual([]);
  }, 180_000);
});
