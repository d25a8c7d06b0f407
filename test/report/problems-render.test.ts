// Capture problems (missing, truncated, damaged inputs) in every surface: report.json's top-level `problems`, the
// Markdown and HTML problem sections and verdict marks, the inputs tables, the terminal summary and stderr lines.
// The fixture's problem captures have hostile names (markup, bidi overrides): escaped everywhere.

import { describe, expect, it } from 'vitest';
import { problemLines, summaryText } from '../../src/report/summary-text.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { fixtureModel, HOSTILE } from './fixture-model.js';

const model = fixtureModel();

describe('problems in report.json', () => {
  it('lists them right after the summary, with input statuses and warnings', () => {
    const text = renderJson(model);
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys.slice(0, 6)).toEqual(['schema', 'generated_at', 'tool', 'summary', 'problems', 'claims_file']);
    const json = JSON.parse(text) as typeof model;
    expect(json.problems.map((p) => p.status)).toEqual(['truncated', 'missing']);
    expect(json.inputs.map((i) => i.status)).toEqual(['ok', 'truncated', 'missing']);
    expect(json.inputs[2].sha256).toBeUndefined();
  });
});

describe('problems in report.md', () => {
  const md = renderMarkdown(model);
  it('has a problems table before the vendors, escaped, and marks incomplete verdicts', () => {
    const at = md.indexOf('## Capture problems: the evidence is incomplete');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(md.indexOf('## Vendor A'));
    expect(md).toContain('| **TRUNCATED** | vendor-b/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.evil.example.pcap | 40 | pcap\\_truncated\\_record | file ends 2 bytes into a record that needs 16 | Vendor &lt;B&gt; &quot;quoted&quot; |');
    // Markdown escapes the backslash of the visible spelling too: it renders as \u202e.
    expect(md).toContain('| **MISSING** | vendor-b/safe\\\\u202egnp.exe\\\\u2066x\\\\u2069.example.pcap | - | capture\\_missing |');
    expect(md).toContain('**UNOBSERVABLE** (incomplete evidence)');
    expect(md.match(/\(incomplete evidence\)/g)).toHaveLength(1);
    expect(md).toMatch(/\| vendor-b\/safe\\\\u202egnp\.exe\\\\u2066x\\\\u2069\.example\.pcap \| - \| - \| - \| - \| Vendor &lt;B&gt; \| \*\*missing\*\* \|/);
    expect(md).not.toMatch(/[\u202e\u2066]/);
  });

  it('has no problems section when every input read cleanly', () => {
    const clean = fixtureModel();
    clean.problems = [];
    expect(renderMarkdown(clean)).not.toContain('Capture problems');
  });
});

describe('problems in report.html', () => {
  const page = renderHtml(model);
  it('opens with a problems box (escaped names) linked from the table of contents', () => {
    const box = page.match(/<section id="problems" class="problems">[\s\S]*?<\/section>/)?.[0] ?? '';
    expect(page.indexOf(box)).toBeLessThan(page.indexOf('<section id="summary">'));
    expect(page).toContain('<a href="#problems">Capture problems</a>');
    expect(box).toContain('1 missing, 1 truncated, 0 damaged.');
    expect(box).toContain('<strong class="st-truncated">truncated</strong> <span class="name" title="vendor-b/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.evil.example.pcap">');
    expect(box).toContain(' at byte 40: file ends 2 bytes into a record that needs 16 <code>pcap_truncated_record</code>');
    expect(box).toContain('safe\\u202egnp.exe\\u2066x\\u2069.example.pcap');
    expect(box).not.toMatch(/<script|[\u202e\u2066]/);
  });

  it('marks incomplete verdicts in the summary table and the claim heading, and gives each input its status', () => {
    expect(page.match(/<span class="badge incomplete"/g)).toHaveLength(2);
    expect(page).toMatch(/<h3><span class="badge v-unobservable">unobservable<\/span> <span class="badge incomplete"[^>]*>incomplete evidence<\/span> <code>b-hidden<\/code>/);
    const inputs = page.match(/<table class="inputs">[\s\S]*?<\/table>/)?.[0] ?? '';
    expect(inputs).toContain('<strong class="st-truncated">truncated</strong><br><span class="note">pcap_truncated_record at byte 40: file ends 2 bytes into a record that needs 16</span>');
    expect(inputs).toContain('<strong class="st-missing">missing</strong><br><span class="note">listed in the claims file but not in the case store</span>');
  });

  it('has no problems box when every input read cleanly', () => {
    const clean = fixtureModel();
    clean.problems = [];
    for (const v of clean.vendors) for (const c of v.claims) c.evidence_complete = true;
    const p = renderHtml(clean);
    expect(p).not.toContain('id="problems"');
    expect(p).not.toContain('class="badge incomplete"');
  });
});

describe('problems in the terminal', () => {
  it('prints one escaped stderr line per problem, with the offset where known', () => {
    expect(problemLines(model)).toEqual([
      `residency: warning: vendor-b/${HOSTILE.script}.pcap: truncated at byte 40: file ends 2 bytes into a record that needs 16 [pcap_truncated_record]`,
      'residency: warning: vendor-b/safe\\u202egnp.exe\\u2066x\\u2069.example.pcap: missing: listed in the claims file but not in the case store [capture_missing]',
    ]);
  });

  it('heads the summary with them and marks the claims they touch, listing every capture reason', () => {
    const text = summaryText(model);
    expect(text.split('\n')[2]).toBe('EVIDENCE INCOMPLETE: 1 missing, 1 truncated capture(s); the verdicts they touch say so');
    expect(text).toMatch(/UNOBSERVABLE b-hidden: Data stays in <India> {2}\[evidence incomplete\]/);
    expect(text).toContain('capture_missing: 1 capture(s) the claims file lists');
    expect(text).toContain('capture_truncated: Reading stopped');
    expect(text).toContain('names_hidden: All in-scope traffic uses ECH.');
    expect(text).not.toMatch(/[\u202e\u2066]/);
  });
});
