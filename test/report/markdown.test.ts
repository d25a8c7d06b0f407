import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/report/markdown.js';
import { fixtureModel } from './fixture-model.js';

const md = renderMarkdown(fixtureModel());

/** Cells of a Markdown table row, splitting only on unescaped pipes. */
function cells(line: string): string[] {
  return line.replace(/\\\|/g, '\u0001').split('|').slice(1, -1);
}

describe('renderMarkdown', () => {
  it('gives every table row the same number of cells as its header (pipes in names are escaped)', () => {
    const lines = md.split('\n');
    let width = -1;
    let tables = 0;
    for (const line of lines) {
      if (!line.startsWith('|')) {
        width = -1;
        continue;
      }
      if (width < 0) {
        width = cells(line).length;
        tables++;
      } else {
        expect(cells(line)).toHaveLength(width);
      }
    }
    expect(tables).toBeGreaterThanOrEqual(4);
  });

  it('contains no raw HTML, backticks or link syntax from the data', () => {
    expect(md).not.toMatch(/<[a-zA-Z/]/);
    expect(md).toContain('&lt;script&gt;');
    expect(md).not.toMatch(/(^|[^\\])`/m);
    expect(md).not.toMatch(/(^|[^\\])\]\(/m);
    expect(md).toContain('Vendor &lt;B&gt; &quot;quoted&quot;');
  });

  it('shows control and bidi characters visibly and keeps no raw ones', () => {
    expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e\u2066]/);
  });

  it('summarises verdicts and reasons per vendor', () => {
    expect(md).toContain('Verdicts: 1 confirmed, 1 refuted, 0 inconclusive, 1 unobservable (exit code 3).');
    expect(md).toContain('**REFUTED**');
    expect(md).toContain('- inconsistent\\_upload\\_above\\_tolerance: Upload to US and DE exceeds the 1% tolerance.');
    expect(md).toContain('### Top destinations by upload (10 of 19)');
  });

  it('is deterministic apart from generated_at', () => {
    const other = renderMarkdown(fixtureModel('2030-01-01T00:00:00.000Z'));
    expect(other.replace(/Generated \S+/, '')).toBe(md.replace(/Generated \S+/, ''));
  });
});
