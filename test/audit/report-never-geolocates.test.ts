// `report` never geolocates (issue 15.1: geolocation is computed once per capture and stored, and `report` reused
// to geolocate again). On the sample case: `audit --db` stores the captures with their geolocation; `report` on
// that store then runs with GeoLocator.open made to fail (the geolocation databases unavailable) and writes the
// same report.json, flows.csv, destinations.csv and coverage.csv as the audit did (report.json up to its
// generation time). A store ingested with `--no-geo` is geolocated by its first report, once: the check that the
// spy sees the locator being opened when it is.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { EXIT } from '../../src/errors.js';
import { GeoLocator } from '../../src/geo/index.js';
import { runAudit } from '../../src/pipeline/back-half.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const claims = path.join(repo, 'captures', 'claims.yaml');
const CAPTURES = ['vendor-alder/alder-phone.pcap', 'vendor-birch/birch-two-phones.pcapng', 'vendor-cedar/cedar-phone.pcapng', 'vendor-dogwood/dogwood-tablet-rawip.pcap'];

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const code = await runProgram(['node', 'residency', ...args], COMMANDS, io);
  return { code, out: io.out(), err: io.err() };
}

/** Geolocation unavailable: opening a locator fails, and the spy counts the attempts. */
function geolocationUnavailable() {
  return vi.spyOn(GeoLocator, 'open').mockRejectedValue(new Error('the geolocation databases are unavailable in this test'));
}

const withoutTime = (file: string): unknown => ({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), generated_at: '(masked)' });

describe.skipIf(!existsSync(claims))('`report` never geolocates (captures/claims.yaml)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'report-no-geo-'));
    const audit = await cli(['audit', claims, '--db', path.join(dir, 'case.db'), '--out', path.join(dir, 'audit')]);
    expect(audit.code, audit.err).toBe(EXIT.REFUTED);
  }, 120_000);
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the audit\'s report from the store with the geolocation databases unavailable', async () => {
    const open = geolocationUnavailable();
    const report = await cli(['report', '--db', path.join(dir, 'case.db'), '--claims', claims, '--out', path.join(dir, 'report')]);
    expect(report.err).not.toMatch(/error/);
    expect(report.code).toBe(EXIT.REFUTED);
    expect(open).not.toHaveBeenCalled();
    const json = (d: string) => path.join(dir, d, 'report.json');
    expect(withoutTime(json('report'))).toEqual(withoutTime(json('audit')));
    expect(JSON.parse(readFileSync(json('report'), 'utf8')).geo_sources.length).toBeGreaterThan(0);
    for (const f of ['flows.csv', 'destinations.csv', 'coverage.csv']) {
      expect(readFileSync(path.join(dir, 'report', f), 'utf8'), f).toBe(readFileSync(path.join(dir, 'audit', f), 'utf8'));
    }
  }, 120_000);

  it('runAudit with noIngest says it geolocated nothing (AuditResult.geolocated)', async () => {
    const open = geolocationUnavailable();
    const r = await runAudit(claims, { db: path.join(dir, 'case.db'), noIngest: true, formats: ['json'] });
    expect(r.geolocated).toBe(false);
    expect(open).not.toHaveBeenCalled();
    expect(r.model.vendors.flatMap((v) => v.destinations).some((d) => d.country !== undefined)).toBe(true);
  }, 120_000);

  it('a store ingested without geolocation is geolocated by its first report, once', async () => {
    const db = path.join(dir, 'no-geo.db');
    const ingest = await cli(['ingest', '--db', db, '--no-geo', ...CAPTURES.map((c) => path.join(repo, 'captures', c))]);
    expect(ingest.code, ingest.err).toBe(EXIT.OK);
    const first = await runAudit(claims, { db, noIngest: true, formats: ['json'] });
    expect(first.geolocated).toBe(true);
    const open = geolocationUnavailable();
    const second = await runAudit(claims, { db, noIngest: true, formats: ['json'] });
    expect(second.geolocated).toBe(false);
    expect(open).not.toHaveBeenCalled();
    expect(second.model.vendors).toEqual(first.model.vendors);
    // The spy does catch an attempt to geolocate: a fresh --no-geo store fails with the databases unavailable.
    const db2 = path.join(dir, 'no-geo-2.db');
    expect((await cli(['ingest', '--db', db2, '--no-geo', path.join(repo, 'captures', CAPTURES[0])])).code).toBe(EXIT.OK);
    const blocked = await cli(['report', '--db', db2, '--claims', claims, '--out', path.join(dir, 'blocked')]);
    expect(open).toHaveBeenCalledTimes(1);
    expect(blocked.code).not.toBe(EXIT.OK);
  }, 120_000);
});
