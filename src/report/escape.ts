// Escaping for every rendered report: HTML text and attributes, CSV cells (RFC 4180 quoting plus formula-injection
// neutralising), Markdown text. Names seen in a capture (TLS/QUIC SNI, HTTP Host, DNS names) are attacker-controlled:
// every string that reaches a report goes through one of these functions.

/**
 * Characters that are invisible or that reorder text: C0/C1 controls, DEL, bidi embeddings/overrides/isolates
 * (U+202A-202E, U+2066-2069; "Trojan Source", CVE-2021-42574), marks (U+200E/200F, U+061C), zero-width characters,
 * line/paragraph separators, the BOM, and lone surrogates (which would not survive UTF-8 encoding).
 */
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Same set minus TAB, LF and CR, which CSV keeps (quoted) so that multi-line values round-trip. */
const INVISIBLE_CSV =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visibleCode(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Replaces invisible and reordering characters with a visible `\xNN` / `\uNNNN` spelling. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, visibleCode);
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** HTML-escapes text for element content or a double-quoted attribute value; invisible characters made visible. */
export function html(text: string | number | undefined | null): string {
  if (text === undefined || text === null) return '';
  return visible(String(text)).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

/** A double-quoted attribute: ` name="escaped"`. Attribute names are constants from the renderer, never data. */
export function attr(name: string, value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  return ` ${name}="${html(value)}"`;
}

/** First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): strings starting with = + - @ TAB or CR get a leading apostrophe so spreadsheets show
 * them as text; other invisible characters are made visible; the cell is quoted when it holds a comma, quote,
 * CR or LF (quotes doubled) or when it was neutralised. Numbers and booleans are written as they are.
 */
export function csvCell(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value.replace(INVISIBLE_CSV, visibleCode);
  if (FORMULA_START.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text) || text.startsWith("'")) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

/** One CSV record terminated by CRLF (RFC 4180 section 2). */
export function csvRow(cells: readonly (string | number | boolean | undefined | null)[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

/**
 * Markdown inline text (CommonMark/GFM, also inside table cells): backslash-escapes the punctuation that starts
 * emphasis, code, links (brackets: with `[` `]` escaped, `(` `)` and `!` cannot form a link or image), headings'
 * closing `#`, tables and strikethrough; writes HTML-significant characters as entities so raw HTML in a name can
 * never become markup.
 */
export function markdown(text: string | number | undefined | null): string {
  if (text === undefined || text === null) return '';
  return visible(String(text))
    .replace(/[\\`*_[\]#|~]/g, (c) => `\\${c}`)
    .replace(/[&<>"]/g, (c) => HTML_ENTITIES[c]);
}
