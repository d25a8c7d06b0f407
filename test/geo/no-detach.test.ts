// No ArrayBuffer may be detached while a capture is geolocated. The first detach anywhere in a process (a
// WebAssembly memory.grow() detaches the memory's old buffer) invalidates V8's ArrayBufferDetaching protector, and
// from then on every typed-array and Buffer access in optimised code checks for detachment: the packet pipeline
// ran ~5 % more instructions with geolocation on until LookupCore stopped growing its memory. V8 reports the
// invalidation under --trace-protector-invalidation; the code runs from an esbuild bundle, since tsx (which the
// other subprocess tests use) detaches buffers itself.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHandsetCapture } from '../pipeline/handset-capture.js';

const ROOT = resolve(__dirname, '../..');
mkdirSync(join(ROOT, '.cache'), { recursive: true }); // absent in a fresh clone
const dir = mkdtempSync(join(ROOT, '.cache', 'no-detach-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENTRY = `
import { analyzeCapture } from ${JSON.stringify(join(ROOT, 'src/pipeline.ts'))};
import { GeoLocator, GeoBatcher } from ${JSON.stringify(join(ROOT, 'src/geo/index.ts'))};
const [capture, cacheDir, extra] = process.argv.slice(2);
const geo = await GeoLocator.open({ cacheDir });
geo.preload();
let flows = 0;
const batcher = new GeoBatcher(geo, () => flows++);
await analyzeCapture(capture, { flow: (f) => batcher.add(f) });
batcher.flush();
// More distinct addresses than the combination table's first size (8,192 slots, doubled when half full).
let located = 0;
for (let i = 0; i < Number(extra); i++) {
  const r = geo.lookup(\`\${1 + (i % 223)}.\${(i * 7) & 255}.\${(i * 13) & 255}.\${i & 255}\`);
  if (r.scope === 'public') located++;
}
console.log(JSON.stringify({ flows, located }));
`;

function runTraced(extra: number): { out: string; flows: number; located: number } {
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, ENTRY);
  const bundle = join(dir, 'entry.mjs');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: bundle, logLevel: 'silent' });
  const capture = join(dir, 'handset.pcap');
  writeFileSync(capture, buildHandsetCapture().pcap);
  const r = spawnSync(process.execPath, ['--trace-protector-invalidation', bundle, capture, join(dir, 'geo-cache'), String(extra)], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  expect(r.status, r.stderr).toBe(0);
  const out = r.stdout + r.stderr;
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  return { out, ...(JSON.parse(last) as { flows: number; located: number }) };
}

describe('geolocation detaches no ArrayBuffer', () => {
  it('flows of a capture enriched, then 20,000 distinct addresses looked up: V8 keeps its detach protector', () => {
    const r = runTraced(20_000);
    expect(r.flows).toBeGreaterThan(0);
    expect(r.located).toBeGreaterThan(10_000);
    // The trace is live: V8 prints other protectors' invalidations in the same run.
    expect(r.out).toMatch(/Invalidating protector cell/);
    expect(r.out).not.toMatch(/ArrayBufferDetaching/);
  }, 60_000);
});
