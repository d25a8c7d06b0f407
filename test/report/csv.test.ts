import { describe, expect, it } from 'vitest';
import { renderCsv } from '../../src/report/csv.js';
import { parseCsv } from './csv-parse.js';
import { fixtureFlows, fixtureModel, HOSTILE } from './fixture-model.js';

const model = fixtureModel();
const vendorFlows = fixtureFlows(model);
const { 'flows.csv': flowsCsv, 'destinations.csv': destinationsCsv } = await renderCsv(model, (i) => vendorFlows[i]);
const flows = parseCsv(flowsCsv);
const destinations = parseCsv(destinationsCsv);

function column(rows: string[][], name: string): string[] {
  const i = rows[0].indexOf(name);
  expect(i).toBeGreaterThanOrEqual(0);
  return rows.slice(1).map((r) => r[i]);
}

describe('flows.csv', () => {
  it('has a header and one rectangular row per flow of every vendor', () => {
    const total = vendorFlows.reduce((n, v) => n + v.length, 0);
    expect(flows).toHaveLength(total + 1);
    expect(flows[0].slice(0, 4)).toEqual(['vendor', 'capture', 'capture_sha256', 'flow_id']);
    for (const r of flows) expect(r).toHaveLength(flows[0].length);
    expect(flowsCsv.endsWith('\r\n')).toBe(true);
  });

  it('neutralises every formula-looking hostname with a leading apostrophe', () => {
    const names = column(flows, 'hostname');
    for (const s of [HOSTILE.formulaEq, HOSTILE.formulaPlus, HOSTILE.formulaMinus, HOSTILE.formulaAt, HOSTILE.formulaTab, HOSTILE.formulaCr]) {
      expect(names).toContain(`'${s}`);
    }
    for (const cell of flows.flat()) expect(cell).not.toMatch(/^[=+@\t\r]/);
  });

  it('round-trips quotes, commas and newlines, and shows other control characters visibly', () => {
    const names = column(flows, 'hostname');
    expect(names).toContain(HOSTILE.csvQuote);
    expect(names).toContain(HOSTILE.newline);
    expect(names).toContain(HOSTILE.script);
    expect(names).toContain('ctl\\x00\\x07\\x1b[31mred\\x7f\\x85.example');
    expect(names).toContain('safe\\u202egnp.exe\\u2066x\\u2069.example');
    expect(flowsCsv).not.toMatch(/[\u0000\u001b\u202e]/);
  });

  it('keeps numbers exact and numeric (no apostrophe on model numbers)', () => {
    const f = vendorFlows[0][0];
    const row = flows[1];
    expect(row[flows[0].indexOf('bytes_up')]).toBe(String(f.bytes_up));
    expect(row[flows[0].indexOf('first_seen')]).toBe(String(f.first_seen));
    expect(row[flows[0].indexOf('geo_sources')]).toBe('dbip-city=SG;geolite2-city=SG');
  });
});

describe('destinations.csv', () => {
  it('lists every destination with its consistency and per-claim status', () => {
    const total = model.vendors.reduce((n, v) => n + v.destinations.length, 0);
    expect(destinations).toHaveLength(total + 1);
    for (const r of destinations) expect(r).toHaveLength(destinations[0].length);
    const d = model.vendors[0].destinations[0];
    const first = destinations[1];
    expect(first[destinations[0].indexOf('server_ip')]).toBe(d.server_ip);
    expect(first[destinations[0].indexOf('consistency')]).toBe(d.consistency);
    expect(first[destinations[0].indexOf('claims')]).toBe(d.claims.map((c) => `${c.id}=${c.status}`).join(';'));
  });

  it('is deterministic', async () => {
    const again = fixtureModel('2030-01-01T00:00:00.000Z');
    expect((await renderCsv(again, (i) => fixtureFlows(again)[i]))['destinations.csv']).toBe(destinationsCsv);
  });
});
