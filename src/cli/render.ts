// Renders record streams for the terminal or for other tools: NDJSON (one JSON object a line), CSV (RFC 4180,
// formula-injection safe, via report/escape.ts) and an aligned text table. Records are flattened for CSV/table:
// arrays joined with `;`, nested objects as JSON.

import { csvRow } from '../report/escape.js';
import type { TextSink } from './io.js';
import { terminalText } from './terminal-text.js';

export type Format = 'ndjson' | 'csv' | 'table' | 'json';

export interface RecordWriter {
  write(rec: Record<string, unknown>): void;
  end(): void;
}

function flat(v: unknown): string | number | boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(';');
  if (typeof v === 'object') return JSON.stringify(v);
  return v as string | number | boolean;
}

export function recordWriter(format: Format, columns: readonly string[], out: TextSink): RecordWriter {
  switch (format) {
    case 'ndjson':
      return { write: (r) => out.write(JSON.stringify(r) + '\n'), end: () => undefined };
    case 'json': {
      let first = true;
      return {
        write: (r) => {
          out.write((first ? '[\n' : ',\n') + JSON.stringify(r));
          first = false;
        },
        end: () => out.write(first ? '[]\n' : '\n]\n'),
      };
    }
    case 'csv': {
      out.write(csvRow(columns));
      return { write: (r) => out.write(csvRow(columns.map((c) => flat(r[c])))), end: () => undefined };
    }
    case 'table': {
      const rows: string[][] = [];
      return {
        write: (r) => rows.push(columns.map((c) => terminalText(String(flat(r[c]) ?? '-')))),
        end: () => out.write(renderTable(columns, rows)),
      };
    }
  }
}

export function renderTable(columns: readonly string[], rows: readonly string[][], maxWidth = 48): string {
  const widths = columns.map((c, i) => Math.min(maxWidth, Math.max(c.length, ...rows.map((r) => r[i].length))));
  const cut = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  const line = (cells: readonly string[]) => cells.map((c, i) => cut(c, widths[i])).join('  ').trimEnd() + '\n';
  return line(columns) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('');
}
