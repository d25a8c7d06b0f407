import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCsv, renderHtml, renderJson, renderMarkdown, writeReports } from '../../src/report/index.js';
import { fixtureModel } from './fixture-model.js';

const root = mkdtempSync(path.join(tmpdir(), 'residency-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeReports', () => {
  it('writes every format in a fixed order, creating the directory, with the pure renderers\' text', async () => {
    const model = fixtureModel();
    const out = path.join(root, 'all', 'nested');
    const written = await writeReports(model, out, ['csv', 'md', 'html', 'json', 'csv']);
    expect(written.map((p) => path.basename(p))).toEqual(['report.json', 'report.html', 'report.md', 'flows.csv', 'destinations.csv', 'coverage.csv']);
    expect(written.every((p) => path.dirname(p) === out)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['coverage.csv', 'destinations.csv', 'flows.csv', 'report.html', 'report.json', 'report.md']);
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe(renderJson(model));
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toBe(renderHtml(model));
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toBe(renderMarkdown(model));
    expect(readFileSync(path.join(out, 'flows.csv'), 'utf8')).toBe(renderCsv(model)['flows.csv']);
    expect(readFileSync(path.join(out, 'coverage.csv'), 'utf8')).toBe(renderCsv(model)['coverage.csv']);
  });

  it('writes only what was asked for', async () => {
    const out = path.join(root, 'json-only');
    const written = await writeReports(fixtureModel(), out, ['json']);
    expect(written).toEqual([path.join(out, 'report.json')]);
    expect(readdirSync(out)).toEqual(['report.json']);
  });

  it('gives byte-identical files on a re-run except generated_at', async () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    await writeReports(fixtureModel('2026-01-01T00:00:00.000Z'), a, ['json', 'html', 'md', 'csv']);
    await writeReports(fixtureModel('2026-02-02T00:00:00.000Z'), b, ['json', 'html', 'md', 'csv']);
    for (const name of readdirSync(a)) {
      const left = readFileSync(path.join(a, name), 'utf8').replaceAll('2026-01-01T00:00:00.000Z', 'T');
      const right = readFileSync(path.join(b, name), 'utf8').replaceAll('2026-02-02T00:00:00.000Z', 'T');
      expect(left, name).toBe(right);
    }
  });
});
