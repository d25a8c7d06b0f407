// The ingest/audit/report commands through the real program (src/cli/main.ts): exit codes and the summary.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const samples = path.join(repo, 'captures');
const dir = mkdtempSync(path.join(tmpdir(), 'audit-cli-'));

/** A claims file in a temporary folder naming a sample capture by its absolute path: outside the claims file's
 *  folder, so audits of it pass --allow-outside. */
function claimsFor(name: string, vendor: string, capture: string, domain: string, claim: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `vantage: { name: lab, lat: 28.6139, lon: 77.209, country: IN }
vendors:
  - name: ${vendor}
    captures: [${JSON.stringify(path.join(samples, capture))}]
    first_party: [${domain}]
    claims:
      - ${claim}
`);
  return file;
}

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(['node', 'residency', ...args]);
    return { code, out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe.skipIf(!existsSync(path.join(samples, 'claims.yaml')))('residency ingest / audit / report', () => {
  it('exits 0 when every claim is confirmed and prints the summary', async () => {
    const f = claimsFor('birch', 'Vendor Birch', 'vendor-birch/birch-two-phones.pcapng', 'birchdevice-cloud.net', '{ id: b, text: "AWS Singapore", country: SG, provider: aws, region: ap-southeast-1 }');
    const r = await run('audit', f, '--no-reports', '--allow-outside');
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain('1 confirmed, 0 refuted');
    expect(r.out).toMatch(/CONFIRMED\s+b: AWS Singapore/);
  }, 60_000);

  it('exits 4 for an unobservable claim', async () => {
    const f = claimsFor('cedar', 'Vendor Cedar', 'vendor-cedar/cedar-phone.pcapng', 'cedarwatch-services.com', '{ id: c, text: India, country: IN }');
    expect((await run('audit', f, '--no-reports', '--allow-outside')).code).toBe(EXIT.INCONCLUSIVE);
  }, 60_000);

  it('exits 3 when a claim is refuted, and `report` from the store agrees; `ingest` skips a stored capture', async () => {
    const f = claimsFor('alder', 'Vendor Alder', 'vendor-alder/alder-phone.pcap', 'alderphone-sync.com', '{ id: a, text: "AWS Singapore", country: SG, provider: aws }');
    const db = path.join(dir, 'case.db');
    const audit = await run('audit', f, '--db', db, '--out', path.join(dir, 'out'), '--format', 'json,md', '--allow-outside');
    expect(audit.code).toBe(EXIT.REFUTED);
    expect(existsSync(path.join(dir, 'out', 'report.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'out', 'report.html'))).toBe(false);
    const report = await run('report', '--db', db, '--claims', f, '--out', path.join(dir, 'out2'), '--format', 'md', '--allow-outside');
    expect(report.code).toBe(EXIT.REFUTED);
    expect(existsSync(path.join(dir, 'out2', 'report.md'))).toBe(true);
    const ingest = await run('ingest', path.join(samples, 'vendor-alder/alder-phone.pcap'), '--db', db);
    expect(ingest.code).toBe(EXIT.OK);
    expect(ingest.out).toMatch(/^already stored\t[0-9a-f]{64}\t/);
  }, 60_000);

  it('exits 2 for a file that is not a capture and stores nothing', async () => {
    const junk = path.join(dir, 'junk.pcap');
    writeFileSync(junk, 'this is not a capture file at all, just text that is long enough to be read');
    const db = path.join(dir, 'junk.db');
    expect((await run('ingest', junk, '--db', db)).code).toBe(EXIT.BAD_INPUT);
    const { openStore } = await import('../../src/store/db.js');
    const store = openStore(db);
    expect(store.db.prepare('SELECT count(*) AS n FROM captures').get()).toEqual({ n: 0 });
    store.close();
  }, 60_000);

  it('exits 2 for a malformed claims file, a missing store or an unknown format', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'vendors:\n  - name: X\n    captures: [a.pcap]\n    first_party: [x.com]\n    claims:\n      - { id: x, text: t, country: Singapore }\n');
    expect((await run('audit', bad)).code).toBe(EXIT.BAD_INPUT);
    expect((await run('report', '--db', path.join(dir, 'none.db'), '--claims', bad)).code).toBe(EXIT.BAD_INPUT);
    const f = claimsFor('fmt', 'Vendor Birch', 'vendor-birch/birch-two-phones.pcapng', 'birchdevice-cloud.net', '{ id: b, text: t, country: SG }');
    expect((await run('audit', f, '--format', 'pdf')).code).toBe(EXIT.BAD_INPUT);
  }, 60_000);
});
