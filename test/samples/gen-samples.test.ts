// The sample generator is deterministic: two runs give identical bytes, identical to the committed captures.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSamples } from '../../scripts/gen-samples.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'residency-samples-'));
  dirs.push(d);
  return d;
};
const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('scripts/gen-samples.ts', () => {
  const a = fresh();
  const b = fresh();
  const filesA = writeSamples(a);
  const filesB = writeSamples(b);

  it('writes the four vendor captures and the claims file', () => {
    expect(filesA).toEqual([
      'vendor-alder/alder-phone.pcap',
      'vendor-birch/birch-two-phones.pcapng',
      'vendor-cedar/cedar-phone.pcapng',
      'vendor-dogwood/dogwood-tablet-rawip.pcap',
      'claims.yaml',
    ]);
    expect(filesB).toEqual(filesA);
  });

  it('gives identical bytes on two runs', () => {
    for (const f of filesA) expect(sha(path.join(b, f)), f).toBe(sha(path.join(a, f)));
  });

  it('matches the committed captures (regenerate with `npx tsx scripts/gen-samples.ts`)', () => {
    for (const f of filesA) expect(sha(path.join(repo, 'captures', f)), f).toBe(sha(path.join(a, f)));
  });

  it('covers classic pcap, pcapng and raw IP (LINKTYPE 101), and stays small', () => {
    const magic = (f: string): string => readFileSync(path.join(a, f)).subarray(0, 4).toString('hex');
    expect(magic('vendor-alder/alder-phone.pcap')).toBe('d4c3b2a1');
    expect(magic('vendor-birch/birch-two-phones.pcapng')).toBe('0a0d0d0a');
    const raw = readFileSync(path.join(a, 'vendor-dogwood/dogwood-tablet-rawip.pcap'));
    expect(raw.readUInt32LE(20)).toBe(101);
    const total = filesA.reduce((n, f) => n + statSync(path.join(a, f)).size, 0);
    expect(total).toBeLessThan(3 * 1024 * 1024);
  });
});
