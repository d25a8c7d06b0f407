// The audit in bounded memory (issue 14.2): a subprocess audits generated captures of two sizes (every flow from
// its own client: as many groups and devices as flows) and the high-water RSS must stay low and flat. The
// audit that held every flow grew ~12 KB per flow (3.5 GB at 293,000 flows): 15,000 more flows would add ~180 MB.
// The full-size figures (1 million flows) are in docs/performance.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPORT_MAX_DEVICES } from '../../src/limits.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

function audit(flows: number): { flows: number; maxRssMb: number; devices: number; omitted: number; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), `audit-mem-${flows}-`));
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'audit-memory-child.ts'), dir, String(flows)], {
    cwd: repo, encoding: 'utf8', timeout: 240_000,
  });
  if (r.status !== 0) throw new Error(`audit child failed (${r.status}): ${r.stderr}`);
  return { ...(JSON.parse(r.stdout.trim().split('\n').pop() as string) as { flows: number; maxRssMb: number; devices: number; omitted: number }), dir };
}

describe('audit memory', () => {
  it('stays flat as flows grow: every flow in flows.csv, a bounded report', () => {
    const small = audit(5_000);
    const large = audit(20_000);
    expect([small.flows, large.flows]).toEqual([5_000, 20_000]);
    // devices (one per client) bounded, the rest counted; flows.csv has every flow
    expect(large.devices).toBe(REPORT_MAX_DEVICES);
    expect(large.devices + large.omitted).toBe(20_000);
    expect(readFileSync(path.join(large.dir, 'out', 'flows.csv'), 'utf8').trimEnd().split('\r\n')).toHaveLength(20_001);
    console.log(`audit memory: ${small.flows} flows ${small.maxRssMb.toFixed(0)} MB, ${large.flows} flows ${large.maxRssMb.toFixed(0)} MB`);
    const perFlowKb = ((large.maxRssMb - small.maxRssMb) * 1024) / (large.flows - small.flows);
    expect(large.maxRssMb).toBeLessThan(450);
    expect(perFlowKb).toBeLessThan(4); // the audit that held every flow: ~12 KB per flow
  }, 300_000);
});
