// Parses Zeek's tab-separated logs (the ASCII writer's default): the `#separator`, `#set_separator`,
// `#empty_field`, `#unset_field`, `#path`, `#fields` and `#types` header lines, then one row per line. Values are
// typed by `#types` (time/interval/double/count/int/port -> number, bool T/F, set[..]/vector[..] -> list, the
// rest text) and unescaped (`\xNN`, which is also how a separator or a literal `-` inside a value is written).
// Pure and line-at-a-time: the caller feeds lines in order; a header may appear again mid-file (concatenated or
// rotated logs) and replaces the previous one. Never throws: a bad line is reported as a LogLineError.

import type { ZeekRow, ZeekScalar, ZeekValue } from './zeek-row.js';

export interface ZeekTsvHeader {
  separator: string;
  setSeparator: string;
  emptyField: string;
  unsetField: string;
  path?: string;
  fields: string[];
  types: string[];
}

export interface LogLineError {
  error: string;
}

export function isLogLineError(x: unknown): x is LogLineError {
  return typeof x === 'object' && x !== null && 'error' in x;
}

/** Decodes Zeek's `\xNN` escapes (and leaves any other backslash as it is, as Zeek writes it). */
export function unescapeZeek(s: string): string {
  if (s.indexOf('\\x') < 0) return s;
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const NUMERIC = new Set(['time', 'interval', 'double', 'count', 'int', 'port']);

export class ZeekTsvParser {
  header: ZeekTsvHeader = { separator: '\t', setSeparator: ',', emptyField: '(empty)', unsetField: '-', fields: [], types: [] };
  /** `#fields` seen since the last `#separator` (a data line before it is an error). */
  private haveFields = false;

  /**
   * One line: a header line updates the header and gives null; a data line gives its row; a damaged line gives
   * an error saying what is wrong with it.
   */
  line(text: string): ZeekRow | LogLineError | null {
    if (text.length === 0) return null;
    if (text.charCodeAt(0) === 35 /* # */) return this.headerLine(text);
    if (!this.haveFields) return { error: 'data line before the #fields header' };
    const h = this.header;
    const parts = text.split(h.separator);
    if (parts.length !== h.fields.length) {
      return { error: `expected ${h.fields.length} fields (#fields), found ${parts.length}` };
    }
    const row: ZeekRow = new Map();
    for (let i = 0; i < parts.length; i++) {
      const raw = parts[i];
      if (raw === h.unsetField) continue;
      const v = typed(raw, h.types[i] ?? 'string', h);
      if (v === undefined) return { error: `field ${h.fields[i]}: ${JSON.stringify(raw.slice(0, 64))} is not a ${h.types[i]}` };
      row.set(h.fields[i], v);
    }
    return row;
  }

  private headerLine(text: string): LogLineError | null {
    // `#separator` names its separator with an escape (`#separator \x09`) and is itself separated by a space.
    if (text.startsWith('#separator')) {
      const arg = text.slice('#separator'.length).trim();
      const sep = unescapeZeek(arg);
      if (sep.length === 0) return { error: '#separator without a separator' };
      this.header = { separator: sep, setSeparator: ',', emptyField: '(empty)', unsetField: '-', fields: [], types: [] };
      this.haveFields = false;
      return null;
    }
    const sep = this.header.separator;
    const cut = text.indexOf(sep);
    const key = cut < 0 ? text : text.slice(0, cut);
    const value = cut < 0 ? '' : text.slice(cut + sep.length);
    switch (key) {
      case '#set_separator':
        this.header.setSeparator = unescapeZeek(value);
        break;
      case '#empty_field':
        this.header.emptyField = unescapeZeek(value);
        break;
      case '#unset_field':
        this.header.unsetField = unescapeZeek(value);
        break;
      case '#path':
        this.header.path = unescapeZeek(value);
        break;
      case '#fields':
        this.header.fields = value.split(sep);
        this.haveFields = this.header.fields.length > 0 && this.header.fields[0] !== '';
        if (!this.haveFields) return { error: '#fields names no field' };
        break;
      case '#types':
        this.header.types = value.split(sep);
        break;
      default:
        break; // #open, #close and comments
    }
    return null;
  }
}

function typed(raw: string, type: string, h: ZeekTsvHeader): ZeekValue | undefined {
  const open = type.indexOf('[');
  if (open > 0 && type.endsWith(']')) {
    if (raw === h.emptyField) return [];
    const inner = type.slice(open + 1, -1);
    const out: ZeekScalar[] = [];
    for (const part of raw.split(h.setSeparator)) {
      const v = scalar(part, inner);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  return scalar(raw, type);
}

function scalar(raw: string, type: string): ZeekScalar | undefined {
  if (NUMERIC.has(type)) {
    if (raw.length === 0) return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  if (type === 'bool') {
    if (raw === 'T') return true;
    if (raw === 'F') return false;
    return undefined;
  }
  return unescapeZeek(raw);
}
