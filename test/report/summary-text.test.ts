import { describe, expect, it } from 'vitest';
import { CoverageTally } from '../../src/audit/coverage.js';
import type { ReportModel } from '../../src/audit/report-model.js';
import { summaryText } from '../../src/report/summary-text.js';

const zero = { flows: 0, bytes_up: 0, bytes_down: 0 };
const cov = new CoverageTally();
cov.add('tls_sni', 1500);
cov.add('ech', 500);
const model: ReportModel = {
  schema: 'residency.report/2', generated_at: 'x', tool: { name: 'residency', version: '1', options: { thresholds: {}, formats: [] } },
  claims_file: { path: 'c.yaml', sha256: 'a' }, inputs: [], problems: [], geo_sources: [],
  vendors: [{
    name: 'Evil\u001b[31mVendor\n', first_party: [], captures: [], destinations: [], devices: [], destinations_omitted: 0, devices_omitted: 0, bytes_by_country: [], bytes_by_provider: [],
    totals: { flows: 3, bytes_up: 2048, bytes_down: 0 },
    claims: [{
      id: 'c1', text: 'Stored\rin SG', scope: 'first-party', verdict: 'refuted', reasons: [{ code: 'inconsistent_upload', text: 'most bytes went elsewhere' }],
      totals: { in_scope: { flows: 2, bytes_up: 2000, bytes_down: 0 }, consistent: { flows: 1, bytes_up: 500, bytes_down: 0 }, inconsistent: { flows: 1, bytes_up: 1500, bytes_down: 0 }, unknown: zero, hidden: zero },
      evidence: [], evidence_omitted: 0, coverage: cov.result('claim_in_scope_and_hidden_upload'), evidence_complete: true,
    }],
    coverage: cov.result('vendor_non_local_upload'),
  }],
  summary: { confirmed: 0, refuted: 1, inconclusive: 0, unobservable: 0, exit_code: 3 },
};

describe('summaryText', () => {
  const text = summaryText(model, ['out/report.json']);
  it('prints counts, one block per claim with the upload split and the first reason, and the files', () => {
    expect(text).toContain('0 confirmed, 1 refuted, 0 inconclusive, 0 unobservable (0 captures)');
    expect(text).toMatch(/REFUTED\s+c1: Stored\\x0din SG/);
    expect(text).toContain('25% consistent, 75% inconsistent, 0% unknown');
    expect(text).toContain('inconsistent_upload: most bytes went elsewhere');
    expect(text).toContain('reports: out/report.json');
  });
  it('escapes control characters from the claims file', () => {
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain('Evil\\x1b[31mVendor\\x0a');
  });
});
