import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCsv, renderHtml, renderJson, renderMarkdown, writeReports } from '../../src/report/index.js';
import { fixtureFlows, fixtureModel } from './fixture-model.js';

const root = mkdtempSync(path.join(tmpdir(), 'residency-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeReports', () => {
  it('writes every format in a fixed order, creating the directory, with the pure renderers\' text', async () => {
    const model = fixtureModel();
    const out = path.join(root, 'all', 'nested');
    const flows = (i: number) => fixtureFlows(model)[i];
    const written = await writeReports(model, out, ['csv', 'md', 'html', 'json', 'csv'], flows);
    expect(written.map((p) => path.basename(p))).toEqual(['report.json', 'report.html', 'report.md', 'flows.csv', 'destinations.csv', 'coverage.csv']);
    expect(written.every((p) => path.dirname(p) === out)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['coverage.csv', 'destinations.csv', 'flows.csv', 'report.html', 'report.json', 'report.md']);
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe(renderJson(model));
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toBe(renderHtml(model));
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toBe(renderMarkdown(model));
    const csv = await renderCsv(model, flows);
    expect(readFileSync(path.join(out, 'flows.csv'), 'utf8')).toBe(csv['flows.csv']);
    expect(readFileSync(path.join(out, 'coverage.csv'), 'utf8')).toBe(csv['coverage.csv']);
    expect(csv['flows.csv'].split('\r\n').length - 2).toBe(fixtureFlows(model)[0].length);
  });

  it('removes its temporary file when a report cannot be written, and keeps what it wrote before', async () => {
    const model = fixtureModel();
    const out = path.join(root, 'failing');
    async function* failing(): AsyncIterableIterator<ReturnType<typeof fixtureFlows>[number][number]> {
      yield fixtureFlows(model)[0][0];
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    await expect(writeReports(model, out, ['json', 'csv'], () => failing())).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(out)).toEqual(['report.json']);
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
    const ma = fixtureModel('2026-01-01T00:00:00.000Z');
    const mb = fixtureModel('2026-02-02T00:00:00.000Z');
    await writeReports(ma, a, ['json', 'html', 'md', 'csv'], (i) => fixtureFlows(ma)[i]);
    await writeReports(mb, b, ['json', 'html', 'md', 'csv'], (i) => fixtureFlows(mb)[i]);
    for (const name of readdirSync(a)) {
      const left = readFileSync(path.join(a, name), 'utf8').replaceAll('2026-01-01T00:00:00.000Z', 'T');
      const right = readFileSync(path.join(b, name), 'utf8').replaceAll('2026-02-02T00:00:00.000Z', 'T');
      expect(left, name).toBe(right);
    }
  });
});
