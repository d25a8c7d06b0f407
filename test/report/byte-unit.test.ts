// One byte unit everywhere: every human-readable surface (terminal summary, Markdown, HTML with its map and
// charts) writes byte counts through number-format.ts `bytes` (SI: kB = 1000 B). Checked two ways: no renderer
// carries its own unit arithmetic or binary unit names, and every size printed in the outputs is one `bytes` wrote.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { summaryText } from '../../src/report/summary-text.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { bytes } from '../../src/report/number-format.js';
import { fixtureModel } from './fixture-model.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RENDERERS = [
  ...readdirSync(path.join(REPO, 'src/report'))
    .filter((f) => f.endsWith('.ts') && f !== 'number-format.ts' && f !== 'world-outline.ts')
    .map((f) => `src/report/${f}`),
  'src/report/summary-text.ts',
];

/** Every `12.3 kB`-like size in a text, whatever unit spelling. */
const SIZE = /\b\d+(?:\.\d+)? ?(?:B|kB|KB|KiB|MB|MiB|GB|GiB|TB|TiB)\b/g;

describe('one byte unit (SI) in every renderer', () => {
  it('no renderer divides by 1024 or names a binary or upper-case kilo unit', () => {
    expect(RENDERERS.length).toBeGreaterThan(8);
    for (const file of RENDERERS) {
      const src = readFileSync(path.join(REPO, file), 'utf8');
      expect(src, file).not.toMatch(/\b1024\b|\/ *1000\b|\/ *1e3\b|\bKiB\b|\bMiB\b|\bGiB\b|['`" ]KB\b/);
    }
  });

  it('every renderer that writes sizes imports the one formatter', () => {
    for (const file of ['src/report/html.ts', 'src/report/html-tables.ts', 'src/report/markdown.ts', 'src/report/map-svg.ts', 'src/report/chart-svg.ts', 'src/report/summary-text.ts']) {
      expect(readFileSync(path.join(REPO, file), 'utf8'), file).toMatch(/import \{[^}]*\bbytes\b[^}]*\} from '[./]*\/?(report\/)?number-format\.js'/);
    }
  });

  it('every size in the summary, Markdown and HTML is one bytes() wrote, and the vendor total reads the same in each', () => {
    const model = fixtureModel();
    const total = model.vendors[0].totals.bytes_up;
    expect(total).toBeGreaterThan(1000);
    const outputs = { summary: summaryText(model), markdown: renderMarkdown(model), html: renderHtml(model) };
    const allowed = new Set<string>();
    const walk = (v: unknown, key = ''): void => {
      if (typeof v === 'number' && /bytes|size/.test(key)) allowed.add(bytes(v));
      else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    walk(model);
    for (const [name, text] of Object.entries(outputs)) {
      expect(text, name).toContain(bytes(total));
      const sizes = text.match(SIZE) ?? [];
      expect(sizes.length, name).toBeGreaterThan(0);
      for (const s of sizes) {
        expect(s, `${name}: ${s}`).not.toMatch(/KB|KiB|MiB|GiB|TiB/);
        if (!/ B$/.test(s)) expect(s, `${name}: ${s}`).toMatch(/^\d+\.\d (kB|MB|GB|TB)$/);
      }
    }
    // The summary used to print 2048 bytes as "2.0 KB" (1024-based): now the same bytes() text as the reports.
    const small = fixtureModel();
    small.vendors[0].totals.bytes_up = 2048;
    expect(summaryText(small)).toContain('2.0 kB up');
    expect(summaryText(small)).not.toMatch(/KB/);
  });
});
