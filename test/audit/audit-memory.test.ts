// The audit in bounded memory (issue 14.2): a subprocess audits generated captures of two sizes (every flow from
// its own client: as many groups and devices as flows) and the high-water RSS must stay low and flat. The
// audit that held every flow grew ~12 KB per flow (3.5 GB at 293,000 flows): 20,000 more flows would add ~240 MB.
// At the smallest budget (16 MiB: SQLite's two page caches 8 MiB each, limits.ts storeMemory) the caches are
// nearly full at the smaller size, so what remains of the growth is per flow. Measured: +22 MB from 5,000 to 25,000
// flows (~1.1 KB a flow, most of it the caches filling); the audit of 965,237 flows peaked at 438 MB at the default
// budget (docs/memory.md). Sizes fit the suite's time (~45 s under load), not the 1M run's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPORT_MAX_DEVICES } from '../../src/limits.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

// The child's JavaScript heap is capped (96 MB): V8 then collects before it grows, so the high-water RSS is what
// the audit holds, not how late the collector ran on a loaded machine (without the cap the slope read 0.8 to
// 2.8 KB a flow from one run to the next; with it ~1.3). An audit that held every flow would run out of heap here.
function audit(flows: number): { flows: number; maxRssMb: number; devices: number; omitted: number; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), `audit-mem-${flows}-`));
  const r = spawnSync(process.execPath, ['--max-old-space-size=96', '--import', 'tsx', path.join(here, 'audit-memory-child.ts'), dir, String(flows)], {
    cwd: repo, encoding: 'utf8', timeout: 240_000, env: { ...process.env, RESIDENCY_MEMORY_BUDGET_MB: '16' },
  });
  if (r.status !== 0) throw new Error(`audit child failed (${r.status}): ${r.stderr}`);
  return { ...(JSON.parse(r.stdout.trim().split('\n').pop() as string) as { flows: number; maxRssMb: number; devices: number; omitted: number }), dir };
}

describe('audit memory', () => {
  it('stays flat as flows grow: every flow in flows.csv, a bounded report', () => {
    const small = audit(5_000);
    const large = audit(25_000);
    expect([small.flows, large.flows]).toEqual([5_000, 25_000]);
    // devices (one per client) bounded, the rest counted; flows.csv has every flow
    expect(large.devices).toBe(REPORT_MAX_DEVICES);
    expect(large.devices + large.omitted).toBe(25_000);
    expect(readFileSync(path.join(large.dir, 'out', 'flows.csv'), 'utf8').trimEnd().split('\r\n')).toHaveLength(25_001);
    console.log(`audit memory: ${small.flows} flows ${small.maxRssMb.toFixed(0)} MB, ${large.flows} flows ${large.maxRssMb.toFixed(0)} MB`);
    const perFlowKb = ((large.maxRssMb - small.maxRssMb) * 1024) / (large.flows - small.flows);
    expect(large.maxRssMb).toBeLessThan(450);
    expect(perFlowKb).toBeLessThan(2); // the audit that held every flow: ~12 KB per flow
    for (const d of [small.dir, large.dir]) rmSync(d, { recursive: true, force: true });
  }, 300_000);
});
