// Owns finding the elements of a top-level JSON list without parsing the whole file: one pass over the text that
// tracks strings and bracket depth and yields each element's span and first line, so every element is parsed on
// its own (JSON.parse) and a problem is reported at its line; a damaged element costs only itself, and a truncated
// file keeps every element before the cut. Pure; never throws. Grammar: RFC 8259 (whitespace: space, tab, LF, CR).

/** One element of a JSON list: text[start, end) and the 1-based line it starts on. */
export interface JsonSpan {
  start: number;
  end: number;
  line: number;
  index: number;
}

export interface SpanScan {
  spans: JsonSpan[];
  /** Damage in the list's own structure (not closed, text after it), with its line. */
  error?: { line: number; message: string };
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Counts lines the way textLines() splits them: LF, CRLF and a lone CR each end one. */
function endsLine(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a);
}

/** Index of the first non-whitespace character at or after `from` (text.length if none), and its line. */
export function skipWs(text: string, from: number, line: number): { at: number; line: number } {
  let i = from;
  let l = line;
  while (i < text.length && isWs(text.charCodeAt(i))) {
    if (endsLine(text, i)) l++;
    i++;
  }
  return { at: i, line: l };
}

/** The elements of the list whose `[` is at `open` (on line `openLine`). `whole`: the list is the whole document,
 *  so text after it is damage (not so for a list inside an object). */
export function arrayElementSpans(text: string, open: number, openLine: number, whole = true): SpanScan {
  const spans: JsonSpan[] = [];
  let line = openLine;
  let depth = 0;
  let inString = false;
  let escape = false;
  let start = -1;
  let startLine = 0;
  let lastEnd = -1;
  const close = (): void => {
    if (start >= 0) spans.push({ start, end: lastEnd, line: startLine, index: spans.length });
    start = -1;
  };
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (endsLine(text, i)) line++;
    if (inString) {
      if (escape) escape = false;
      else if (c === 0x5c) escape = true;
      else if (c === 0x22) inString = false;
      lastEnd = i + 1;
      continue;
    }
    if (isWs(c)) continue;
    if (depth === 0 && (c === 0x2c || c === 0x5d)) {
      // `,` or `]` at the list's own level. A missing element (`[1,,2]`, `[1,]`) becomes an empty span, which
      // parseSpan() reports; `[]` has none.
      if (start >= 0) close();
      else if (c === 0x2c || spans.length > 0) spans.push({ start: i, end: i, line, index: spans.length });
      if (c === 0x5d) {
        const after = skipWs(text, i + 1, line);
        return whole && after.at < text.length ? { spans, error: { line: after.line, message: 'text after the end of the list' } } : { spans };
      }
      continue;
    }
    if (start < 0) {
      start = i;
      startLine = line;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) depth++;
    else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
    lastEnd = i + 1;
  }
  close();
  return { spans, error: { line, message: 'the list is not closed (file truncated?)' } };
}

/**
 * In the object whose `{` is at `open`, the `[` that starts the value of top-level key `key`, or undefined when the
 * object has no such key with a list value (or is damaged before it).
 */
export function findListValue(text: string, open: number, openLine: number, key: string): { at: number; line: number } | undefined {
  let line = openLine;
  let depth = 0;
  let inString = false;
  let escape = false;
  let expectKey = true;
  let keyStart = -1;
  let lastKey: string | undefined;
  let valueNext = false;
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (endsLine(text, i)) line++;
    if (inString) {
      if (escape) escape = false;
      else if (c === 0x5c) escape = true;
      else if (c === 0x22) {
        inString = false;
        if (depth === 0 && expectKey && keyStart >= 0) {
          try {
            lastKey = JSON.parse(text.slice(keyStart, i + 1)) as string;
          } catch {
            lastKey = undefined;
          }
          keyStart = -1;
        }
      }
      continue;
    }
    if (isWs(c)) continue;
    if (valueNext) {
      valueNext = false;
      if (c === 0x5b && lastKey === key) return { at: i, line };
    }
    if (c === 0x22) {
      inString = true;
      if (depth === 0 && expectKey) keyStart = i;
    } else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      if (depth === 0) return undefined;
      depth--;
    } else if (depth === 0 && c === 0x3a) {
      expectKey = false;
      valueNext = true;
    } else if (depth === 0 && c === 0x2c) {
      expectKey = true;
      lastKey = undefined;
    }
  }
  return undefined;
}

/** JSON.parse of one span: the value, or the parser's message. */
export function parseSpan(text: string, span: { start: number; end: number }): { value: unknown } | { error: string } {
  if (span.end <= span.start) return { error: 'empty list element' };
  try {
    return { value: JSON.parse(text.slice(span.start, span.end)) as unknown };
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
}
