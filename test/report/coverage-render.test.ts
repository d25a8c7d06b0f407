// Coverage in every report format: report.json (per vendor and claim), Markdown and HTML tables (HTML also bars),
// coverage.csv, and the one-line terminal summary. Shares add up to 100 % per scope in every format.

import { describe, expect, it } from 'vitest';
import { COVERAGE_SOURCES, CoverageTally } from '../../src/audit/coverage.js';
import type { ReportModel } from '../../src/audit/report-model.js';
import { summaryText } from '../../src/report/summary-text.js';
import { COVERAGE_COLUMNS, renderCoverageCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { bytes } from '../../src/report/number-format.js';
import { parseCsv } from './csv-parse.js';
import { fixtureModel, HOSTILE } from './fixture-model.js';

/** The fixture with known coverage: 600 kB TLS SNI, 250 kB DNS, 100 kB ECH, 50 kB unnamed QUIC that failed to decrypt. */
function model(): ReportModel {
  const m = fixtureModel();
  const t = new CoverageTally();
  t.add('tls_sni', 600_000, 6);
  t.add('dns', 250_000, 2);
  t.add('ech', 100_000, 1);
  t.add('quic_undecryptable', 50_000, 1);
  m.vendors[0].coverage = t.result('vendor_non_local_upload');
  const c = new CoverageTally();
  c.add('tls_sni', 1, 1);
  c.add('address', 1, 1);
  c.add('unnamed', 1, 1);
  m.vendors[0].claims[0].coverage = c.result('claim_in_scope_and_hidden_upload');
  // Names from the claims file reach the new tables' headers: a hostile claim id and vendor name.
  m.vendors[0].claims[0].id = HOSTILE.script;
  m.vendors[0].name = `${HOSTILE.formulaEq}|${HOSTILE.markdown}`;
  return m;
}

describe('coverage in report.json', () => {
  it('has a coverage object per vendor and per claim with every source, bytes, flows and shares adding up to 100', () => {
    const json = JSON.parse(renderJson(model())) as ReportModel;
    const all = [json.vendors[0].coverage, ...json.vendors[0].claims.map((c) => c.coverage)];
    expect(all[0].scope).toBe('vendor_non_local_upload');
    expect(all[1].scope).toBe('claim_in_scope_and_hidden_upload');
    for (const c of all) {
      expect(Object.keys(c.sources).sort()).toEqual([...COVERAGE_SOURCES].sort());
      if (c.bytes_up > 0) expect(Object.values(c.sources).reduce((s, b) => s + Math.round(b.share * 10), 0)).toBe(1000);
    }
    expect(json.vendors[0].coverage.sources.tls_sni).toEqual({ bytes_up: 600_000, flows: 6, share: 60 });
    // A third each: 33.4 + 33.3 + 33.3, not 99.9.
    expect(json.vendors[0].claims[0].coverage.sources.tls_sni.share).toBe(33.4);
  });
});

describe('coverage in report.md', () => {
  const md = renderMarkdown(model());
  it('has a table per vendor: one column per scope, rows for sources with bytes, a total', () => {
    const section = md.slice(md.indexOf('### Coverage'));
    const table = section.split('\n\n')[2].split('\n');
    expect(table[0]).toBe(`| Source | Vendor: all non-local upload | &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.evil.example: in scope + hidden | a-confirmed: in scope + hidden |`);
    expect(table).toContain(`| TLS SNI (tls\\_sni) | 60.0% (${bytes(600_000)}) | 33.4% (1 B) | 0.0% (0 B) |`);
    expect(table).toContain(`| hidden: undecryptable QUIC (quic\\_undecryptable) | 5.0% (${bytes(50_000)}) | 0.0% (0 B) | 0.0% (0 B) |`);
    expect(table.some((l) => l.startsWith('| DNS HTTPS hint'))).toBe(false);
    expect(table[table.length - 1]).toBe(`| **Total** | 100.0% (${bytes(1_000_000)}, 10 flows) | 100.0% (3 B, 3 flows) | - (0 B, 0 flows) |`);
  });
});

describe('coverage in report.html', () => {
  const page = renderHtml(model());
  it('draws a stacked bar per scope and a table whose shares match the model', () => {
    const section = page.slice(page.indexOf('<h3>Coverage'), page.indexOf('<h3>Upload by country'));
    expect(section.match(/<svg class="cov-bar"/g)).toHaveLength(3);
    // Segments in source order, widths in proportion (600 units wide): 360 + 150 + 60 + 30.
    expect(section).toMatch(/<rect class="cov-tls_sni" x="0" y="0" width="360" height="16">/);
    expect(section).toMatch(/<rect class="cov-dns" x="360" y="0" width="150" height="16">/);
    expect(section).toMatch(/<rect class="cov-ech" x="510" y="0" width="60" height="16">/);
    expect(section).toMatch(/<rect class="cov-quic_undecryptable" x="570" y="0" width="30" height="16">/);
    expect(section).toContain('<rect class="cov-empty"');
    expect(section).toContain('<table class="coverage">');
    expect(section).toContain('Claim &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.evil.example (in scope + hidden)');
    expect(section).not.toContain('<script>');
  });
});

describe('coverage.csv', () => {
  const rows = parseCsv(renderCoverageCsv(model()));
  it('has one row per scope and source (zeros included), shares adding up to 100 per scope', () => {
    expect(rows[0]).toEqual([...COVERAGE_COLUMNS]);
    const scopes = 1 + 2 + 1 + 1; // vendor A and its two claims, vendor B and its claim
    expect(rows.length - 1).toBe(scopes * COVERAGE_SOURCES.length);
    const byScope = new Map<string, number>();
    for (const r of rows.slice(1)) {
      const key = `${r[0]}\u0000${r[1]}\u0000${r[2]}`;
      byScope.set(key, (byScope.get(key) ?? 0) + Math.round(Number(r[7]) * 10));
    }
    expect([...byScope.values()].sort()).toEqual([0, 0, 0, 1000, 1000]);
    const tls = rows.find((r) => r[1] === 'vendor_non_local_upload' && r[3] === 'tls_sni');
    expect(tls?.slice(3)).toEqual(['tls_sni', 'named', '600000', '6', '60.0']);
  });

  it('neutralises a formula-looking vendor name and keeps the hostile claim id as text', () => {
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+@\t\r]/);
    expect(rows[1][0].startsWith("'=HYPERLINK")).toBe(true);
    expect(rows.some((r) => r[2] === HOSTILE.script)).toBe(true);
  });
});

describe('coverage in the terminal summary', () => {
  it('prints one line per vendor naming the sources with bytes', () => {
    const text = summaryText(model());
    expect(text).toContain(`coverage of ${bytes(1_000_000)} non-local upload: tls_sni 60.0%, dns 25.0%, ech 10.0%, quic_undecryptable 5.0%`);
    expect(text).toContain('coverage of 0 B non-local upload: none');
  });
});
