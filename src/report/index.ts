// Report stage entry point: pure renderers re-exported, and writeReports, which writes the requested formats into
// one directory. Each file is written to a temporary name and renamed, so a crash never leaves half a report.

import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReportModel } from '../audit/report-model.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export { renderCoverageCsv, renderCsv, renderDestinationsCsv, renderFlowsCsv } from './csv.js';
export { renderHtml } from './html.js';
export { renderJson } from './json.js';
export { renderMarkdown } from './markdown.js';

export type ReportFormat = 'json' | 'html' | 'md' | 'csv';

/** Formats in the order their files are written (and returned). */
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'html', 'md', 'csv'];

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}

/**
 * Renders `formats` (duplicates ignored) into `outDir` (created if missing) and returns the written paths in a
 * fixed order: report.json, report.html, report.md, flows.csv, destinations.csv, coverage.csv.
 */
export async function writeReports(model: ReportModel, outDir: string, formats: readonly ReportFormat[]): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const wanted = new Set(formats);
  const files: [string, string][] = [];
  for (const format of REPORT_FORMATS) {
    if (!wanted.has(format)) continue;
    if (format === 'json') files.push(['report.json', renderJson(model)]);
    else if (format === 'html') files.push(['report.html', renderHtml(model)]);
    else if (format === 'md') files.push(['report.md', renderMarkdown(model)]);
    else {
      const csv = renderCsv(model);
      files.push(['flows.csv', csv['flows.csv']], ['destinations.csv', csv['destinations.csv']], ['coverage.csv', csv['coverage.csv']]);
    }
  }
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(outDir, name);
    await writeAtomic(file, text);
    written.push(file);
  }
  return written;
}
