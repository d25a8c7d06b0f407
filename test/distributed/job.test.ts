// The ingest job's payload rules: stable ids, geo data comparison, payload checks (no database needed).
import { describe, expect, it } from 'vitest';
import { badPayload, geoDataDifferences, geoDataVersions, JOB_FORMAT, jobId, type IngestJob } from '../../src/distributed/job.js';
import type { GeoProvenance } from '../../src/types.js';

const prov = (source: string, sha256: string, version?: string): GeoProvenance => ({ source, kind: 'mmdb', file: `/x/${source}.mmdb`, sha256, ...(version ? { version } : {}) });

function job(over: Partial<IngestJob> = {}): IngestJob {
  return {
    format: JOB_FORMAT,
    path: '/cases/a.pcap',
    sha256: 'a'.repeat(64),
    size_bytes: 10,
    geo: geoDataVersions([prov('geolite2-city', '1'.repeat(64), '2026-06-17'), prov('asn-ipv4', '2'.repeat(64))]),
    options: { vendor: 'V', tool_version: '0.1.0' },
    ...over,
  };
}

describe('ingest jobs', () => {
  it('sorts geo data versions by source and drops file paths (machines mount data in different places)', () => {
    const v = geoDataVersions([prov('b', '2'), prov('a', '1', 'v1')]);
    expect(v).toEqual([{ source: 'a', sha256: '1', version: 'v1' }, { source: 'b', sha256: '2' }]);
  });

  it('names each differing, missing or extra source; nothing when only versions labels or order differ', () => {
    const want = geoDataVersions([prov('a', '1'.repeat(64), '2026-01'), prov('b', '2'.repeat(64))]);
    expect(geoDataDifferences(want, geoDataVersions([prov('b', '2'.repeat(64)), prov('a', '1'.repeat(64), 'other label')]))).toEqual([]);
    const diffs = geoDataDifferences(want, geoDataVersions([prov('a', '3'.repeat(64), '2025-12'), prov('c', '4'.repeat(64))]));
    expect(diffs).toEqual([
      'a: the job was made with sha256 111111111111… (2026-01), this worker has sha256 333333333333… (2025-12)',
      'b: the job was made with sha256 222222222222…, this worker has none',
      'c: the job was made with none, this worker has sha256 444444444444…',
    ]);
  });

  it('gives the same capture, data and options the same UUID, and anything else another', () => {
    const id = jobId(job());
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(jobId(job({ path: '/other/mount/a.pcap', size_bytes: 99 }))).toBe(id);
    expect(jobId(job({ sha256: 'b'.repeat(64) }))).not.toBe(id);
    expect(jobId(job({ options: { vendor: 'W', tool_version: '0.1.0' } }))).not.toBe(id);
    expect(jobId(job({ geo: [] }))).not.toBe(id);
  });

  it('refuses payloads of another format or shape with a message', () => {
    expect(badPayload(job())).toBeUndefined();
    expect(badPayload(null)).toMatch(/no payload/);
    expect(badPayload({ ...job(), format: 2 })).toMatch(/format is 2.*same residency version/);
    expect(badPayload({ ...job(), geo: 'x' })).toMatch(/malformed/);
  });
});
