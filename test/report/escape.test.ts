import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attr, csvCell, csvRow, html, markdown, visible } from '../../src/report/escape.js';
import { parseCsv } from './csv-parse.js';

// Anything a capture name could hold: full Unicode plus the characters that matter to HTML, CSV and Markdown.
const hostileChar = fc.oneof(
  fc.constantFrom('<', '>', '&', '"', "'", '`', '|', '[', ']', '(', ')', '\\', '*', '_', '=', '+', '-', '@', '\t', '\r', '\n', ',', '\u0000', '\u001b', '\u202e', '\u2066', '\ud800', '\udc00', '\u0085'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const hostile = fc.array(hostileChar, { maxLength: 40 }).map((a) => a.join(''));

const INVISIBLE_OR_REORDERING = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('visible', () => {
  it('spells control, bidi and zero-width characters out', () => {
    expect(visible('a\u0000b\u001bc\u202ed\u200be\u007f')).toBe('a\\x00b\\x1bc\\u202ed\\u200be\\x7f');
    expect(visible('plain.example.com')).toBe('plain.example.com');
    expect(visible('emoji \u{1f600} ok')).toBe('emoji \u{1f600} ok');
    expect(visible('lone \ud800 high')).toBe('lone \\ud800 high');
  });
});

describe('html', () => {
  it('escapes markup and both quote kinds', () => {
    expect(html('<script>alert("x")</script>')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html(`a'b&c`)).toBe('a&#39;b&amp;c');
    expect(html(undefined)).toBe('');
    expect(attr('title', '"><img src=x>')).toBe(' title="&quot;&gt;&lt;img src=x&gt;"');
    expect(attr('title', undefined)).toBe('');
  });

  it('never lets markup, quotes, invisible or reordering characters through (property)', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = html(s);
        expect(out).not.toMatch(/[<>"']/);
        expect(out).not.toMatch(INVISIBLE_OR_REORDERING);
        expect(out).not.toMatch(LONE_SURROGATE);
        // Every & starts an entity we wrote.
        expect(out.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
      }),
      { numRuns: 500 },
    );
  });
});

describe('csvCell', () => {
  it('neutralises formula starts with an apostrophe (OWASP)', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) {
      const [[cell]] = parseCsv(csvRow([s]));
      expect(cell).toBe(`'${s}`);
    }
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
  });

  it('writes numbers (including negative ones) and booleans as they are', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(1.5)).toBe('1.5');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(undefined)).toBe('');
    expect(csvRow(['a', 1, undefined, false])).toBe('a,1,,false\r\n');
  });

  it('quotes commas, quotes and line breaks so they round-trip', () => {
    const cells = ['a,b', 'say "hi"', 'line1\nline2', 'cr\r\nlf', 'plain'];
    expect(parseCsv(csvRow(cells))).toEqual([cells]);
  });

  it('round-trips any string through an RFC 4180 parser, neutralised or made visible (property)', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 5 }), (cells) => {
        const parsed = parseCsv(csvRow(cells));
        expect(parsed).toHaveLength(1);
        expect(parsed[0]).toHaveLength(cells.length);
        parsed[0].forEach((got, i) => {
          const expected = cells[i].replace(/[^\t\r\n\P{Cc}]|[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu, (c) => visible(c));
          expect(got).toBe(/^[=+\-@\t\r]/.test(expected) ? `'${expected}` : expected);
          expect(got).not.toMatch(/^[=+\-@\t\r]/);
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('markdown', () => {
  it('escapes table pipes, code ticks, links and HTML', () => {
    expect(markdown('|a|')).toBe('\\|a\\|');
    expect(markdown('`x`')).toBe('\\`x\\`');
    expect(markdown('[t](javascript:alert(1))')).toBe('\\[t\\](javascript:alert(1))');
    expect(markdown('![i](x)')).toBe('!\\[i\\](x)');
    expect(markdown('<script>')).toBe('&lt;script&gt;');
    expect(markdown('*em* _u_ ~s~')).toBe('\\*em\\* \\_u\\_ \\~s\\~');
  });

  it('leaves no unescaped pipe, tick, bracket or angle bracket (property)', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = markdown(s);
        expect(out).not.toMatch(/[<>\n\r]/);
        // Strip escaped pairs; what remains must hold none of the special characters.
        expect(out.replace(/\\[\\`*_[\]#|~]/g, '')).not.toMatch(/[\\`*_[\]#|~]/);
      }),
      { numRuns: 500 },
    );
  });
});
