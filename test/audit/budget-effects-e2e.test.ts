// End to end: an audit of a generated capture where the smallest memory budget's live-flow bound bites (8,000 TLS
// connections open before any sends its upload, src/synth/budget-capture.ts). The capture is not damaged: stderr,
// the summary and report.json say what the budget did, with counts, and how to avoid it; every byte is counted, so
// the verdicts are the ones the same audit gives with a budget that holds every flow.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/audit/report-model.js';
import { bufferIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { EXIT } from '../../src/errors.js';
import { MEMORY_BUDGET_ENV, MEMORY_BUDGET_MIN_MB } from '../../src/limits.js';
import { budgetCapture } from '../../src/synth/budget-capture.js';
import { validate } from '../schema/record-schemas.js';

const dir = mkdtempSync(path.join(tmpdir(), 'residency-budget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(path.join(dir, 'cap.pcap'), budgetCapture({ flows: 8_000, sni: 'api.vendor.example', servers: ['13.228.64.17', '13.228.64.18'], uploadBytes: 1_200 }));
writeFileSync(
  path.join(dir, 'claims.yaml'),
  `vantage: { name: lab, lat: 1.29, lon: 103.85, country: SG }
vendors:
  - name: V
    captures: [cap.pcap]
    first_party: [vendor.example]
    claims:
      - { id: sg-fp, text: first-party AWS SG, country: SG, provider: aws }
      - { id: sg-all, text: all AWS SG, scope: all, country: SG, provider: aws }
      - { id: us-all, text: all US, scope: all, country: US }
`,
);

/** `audit` in-process with the memory budget given by `--memory-budget` (`via: 'option'`) or its environment variable. */
async function audit(budgetMb: number, out: string, via: 'option' | 'env'): Promise<{ code: number; out: string; err: string; model: ReportModel }> {
  const before = process.env[MEMORY_BUDGET_ENV];
  if (via === 'env') process.env[MEMORY_BUDGET_ENV] = String(budgetMb);
  else delete process.env[MEMORY_BUDGET_ENV];
  try {
    const io = bufferIo();
    const code = await runProgram(['node', 'residency', 'audit', path.join(dir, 'claims.yaml'), '--jobs', '1', '--out', path.join(dir, out), '--format', 'json', ...(via === 'option' ? ['--memory-budget', String(budgetMb)] : [])], COMMANDS, io);
    const json: unknown = JSON.parse(readFileSync(path.join(dir, out, 'report.json'), 'utf8'));
    expect(validate('report', json), `${out}/report.json against schema/report.schema.json`).toEqual([]);
    const model = json as ReportModel;
    return { code, out: io.out(), err: io.err(), model };
  } finally {
    if (before === undefined) delete process.env[MEMORY_BUDGET_ENV];
    else process.env[MEMORY_BUDGET_ENV] = before;
  }
}

describe('audit of a capture where the memory budget bites', () => {
  it('is not damaged, says what the budget did, and gives the verdicts a budget holding every flow gives', async () => {
    const small = await audit(MEMORY_BUDGET_MIN_MB, 'small', 'option');
    const large = await audit(64, 'large', 'env');

    // The large budget holds every connection: one named record each, nothing to report.
    expect(large.model.budget_effects).toBeUndefined();
    expect(large.model.inputs[0]).toMatchObject({ status: 'ok' });
    expect(large.model.inputs[0].memory_budget).toBeUndefined();
    expect(large.model.vendors[0].totals.flows).toBe(8_000);

    // The small one ends flows early: more records, the same bytes, no damage.
    const m = small.model;
    expect(m.inputs[0].status).toBe('ok');
    expect(m.inputs[0].warnings).toBeUndefined();
    expect(m.problems).toEqual([]);
    const ended = m.inputs[0].memory_budget?.flows_ended_early ?? 0;
    expect(ended).toBeGreaterThan(1_000);
    expect(m.inputs[0].memory_budget?.budget_mb).toBe(MEMORY_BUDGET_MIN_MB);
    expect(m.budget_effects).toEqual([expect.objectContaining({ capture: 'cap.pcap', status: 'budget_limited', vendors: ['V'], flows_ended_early: ended })]);
    expect(m.vendors[0].totals.flows).toBeGreaterThan(8_000);
    expect(m.vendors[0].totals.bytes_up).toBe(large.model.vendors[0].totals.bytes_up);

    const grouped = ended.toLocaleString('en-US');
    expect(small.err).toMatch(
      new RegExp(`^residency: warning: cap\\.pcap: budget_limited: ${grouped} flows ended early by the memory budget \\(${MEMORY_BUDGET_MIN_MB} MiB\\); their later packets were counted as new flows; names carried only by first packets .*--memory-budget N \\(or RESIDENCY_MEMORY_BUDGET_MB=N\\).*\\[memory_budget_reached\\]$`, 'm'),
    );
    expect(small.err).not.toMatch(/damaged/);
    expect(small.out).toContain('MEMORY BUDGET REACHED: 1 capture(s), read to the end (not damaged)');
    expect(small.out).not.toContain('EVIDENCE INCOMPLETE');
    expect(small.out).not.toContain('[evidence incomplete]');
    expect(small.out).not.toContain('damaged parts were not seen');

    // The same verdicts, each complete, each saying what the budget did; the first-party claim still sees the later
    // records as the vendor's (tied by address to the name their first records carried).
    const verdicts = (r: typeof small) => r.model.vendors[0].claims.map((c) => [c.id, c.verdict, c.evidence_complete]);
    expect(verdicts(small)).toEqual([['sg-fp', 'confirmed', true], ['sg-all', 'confirmed', true], ['us-all', 'refuted', true]]);
    expect(verdicts(large)).toEqual(verdicts(small));
    expect(small.code).toBe(EXIT.REFUTED);
    expect(large.code).toBe(EXIT.REFUTED);
    for (const c of m.vendors[0].claims) {
      expect(c.reasons[0].code).toBe('capture_budget_limited');
      expect(c.reasons[0].text).toContain(`${grouped} flows ended early by the memory budget`);
      const l = large.model.vendors[0].claims.find((x) => x.id === c.id);
      expect(c.totals.in_scope.bytes_up).toBe(l?.totals.in_scope.bytes_up);
      expect(c.totals.inconsistent.bytes_up).toBe(l?.totals.inconsistent.bytes_up);
    }
    expect(large.model.vendors[0].claims.flatMap((c) => c.reasons).some((r) => r.code === 'capture_budget_limited')).toBe(false);
  }, 120_000);
});
