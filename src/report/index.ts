// Report stage entry point: pure renderers re-exported, and writeReports, which writes the requested formats into
// one directory. Each file is written to a temporary name and renamed, so a crash never leaves half a report, and a
// failed write (a full disk) removes its temporary file. flows.csv streams from the caller's flows (the case store).

import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { ReportModel } from '../audit/report-model.js';
import { UsageError } from '../errors.js';
import { flowsCsvHeader, flowsCsvRow, renderCoverageCsv, renderDestinationsCsv, type VendorFlows } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export { renderCoverageCsv, renderCsv, renderDestinationsCsv, renderFlowsCsv, type VendorFlows } from './csv.js';
export { renderHtml } from './html.js';
export { renderJson } from './json.js';
export { renderMarkdown } from './markdown.js';

export type ReportFormat = 'json' | 'html' | 'md' | 'csv';

/** Formats in the order their files are written (and returned). */
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'html', 'md', 'csv'];

/** Parses `--format json,html`: validated against the renderers' list. */
export function parseFormats(formats: string[] | undefined): ReportFormat[] {
  if (formats === undefined || formats.length === 0) return [...REPORT_FORMATS];
  const out: ReportFormat[] = [];
  for (const f of formats.flatMap((x) => x.split(',')).map((x) => x.trim().toLowerCase()).filter((x) => x !== '')) {
    const norm = f === 'markdown' ? 'md' : f;
    if (!(REPORT_FORMATS as readonly string[]).includes(norm)) {
      throw new UsageError('bad_format', `unknown report format ${JSON.stringify(f)} (expected ${REPORT_FORMATS.join(', ')})`);
    }
    if (!out.includes(norm as ReportFormat)) out.push(norm as ReportFormat);
  }
  return out;
}

/** Writes `file` through a temporary name and renames it; on failure (a full disk) the temporary file is removed. */
async function writeAtomic(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await write(tmp);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Streams flows.csv into `tmp`: one record per flow, waiting for the disk when its buffer is full. */
async function writeFlowsCsv(tmp: string, model: ReportModel, flows: VendorFlows): Promise<void> {
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  let failed: Error | undefined;
  out.on('error', (e) => (failed ??= e));
  const put = async (text: string): Promise<void> => {
    if (failed) throw failed;
    if (!out.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          out.off('drain', done);
          out.off('close', done);
          resolve();
        };
        out.on('drain', done);
        out.on('close', done);
      });
    }
    if (failed) throw failed;
  };
  try {
    await put(flowsCsvHeader());
    for (let i = 0; i < model.vendors.length; i++) for await (const f of flows(i)) await put(flowsCsvRow(model.vendors[i].name, f));
  } finally {
    out.end();
    if (!out.closed) await Promise.race([once(out, 'close'), once(out, 'error').catch(() => undefined)]).catch(() => undefined);
  }
  if (failed) throw failed;
}

/**
 * Renders `formats` (duplicates ignored) into `outDir` (created if missing) and returns the written paths in a
 * fixed order: report.json, report.html, report.md, flows.csv, destinations.csv, coverage.csv.
 */
export async function writeReports(model: ReportModel, outDir: string, formats: readonly ReportFormat[], flows: VendorFlows = () => []): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const wanted = new Set(formats);
  const files: [string, (tmp: string) => Promise<void>][] = [];
  const text = (render: () => string) => (tmp: string) => writeFile(tmp, render(), 'utf8');
  for (const format of REPORT_FORMATS) {
    if (!wanted.has(format)) continue;
    if (format === 'json') files.push(['report.json', text(() => renderJson(model))]);
    else if (format === 'html') files.push(['report.html', text(() => renderHtml(model))]);
    else if (format === 'md') files.push(['report.md', text(() => renderMarkdown(model))]);
    else {
      files.push(
        ['flows.csv', (tmp) => writeFlowsCsv(tmp, model, flows)],
        ['destinations.csv', text(() => renderDestinationsCsv(model))],
        ['coverage.csv', text(() => renderCoverageCsv(model))],
      );
    }
  }
  const written: string[] = [];
  for (const [name, write] of files) {
    const file = path.join(outDir, name);
    await writeAtomic(file, write);
    written.push(file);
  }
  return written;
}
