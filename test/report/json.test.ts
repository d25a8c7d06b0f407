import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/json.js';
import { fixtureModel } from './fixture-model.js';

const mask = (s: string) => s.replace(/"generated_at": "[^"]*"/, '"generated_at": "<masked>"');

/** Rebuilds every object with its keys in reverse order: the output must not depend on construction order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).reverse().map(([k, v]) => [k, reversed(v)]));
  }
  return value;
}

describe('renderJson', () => {
  const a = renderJson(fixtureModel('2026-11-23T05:00:00.000Z'));
  const b = renderJson(fixtureModel('2027-01-01T12:34:56.789Z'));

  it('is byte-identical for the same model except generated_at', () => {
    expect(a).not.toBe(b);
    expect(mask(a)).toBe(mask(b));
  });

  it('does not depend on the order the model object was built in', () => {
    expect(renderJson(reversed(fixtureModel()) as ReturnType<typeof fixtureModel>)).toBe(a);
  });

  it('writes 2-space indented JSON that starts with schema and generated_at and ends with a newline', () => {
    expect(a.startsWith('{\n  "schema": "residency.report/2",\n  "generated_at": "2026-11-23T05:00:00.000Z",\n  "tool": {')).toBe(true);
    expect(a.endsWith('}\n')).toBe(true);
  });

  it('parses back to the model with undefined fields omitted', () => {
    const model = fixtureModel();
    expect(JSON.parse(a)).toEqual(JSON.parse(JSON.stringify(model)));
    expect(a).not.toContain('undefined');
  });

  it('sorts nested keys alphabetically', () => {
    const parsed = JSON.parse(a);
    const flow = parsed.vendors[0].claims[0].evidence[0];
    const keys = Object.keys(flow);
    expect(keys).toEqual([...keys].sort());
  });

  it('writes non-finite numbers as null and -0 as 0', () => {
    const model = fixtureModel();
    model.vendors[0].claims[0].evidence[0].rtt_ms = Number.NaN;
    model.vendors[0].claims[0].evidence[0].lat = -0;
    const parsed = JSON.parse(renderJson(model));
    expect(parsed.vendors[0].claims[0].evidence[0].rtt_ms).toBeNull();
    expect(Object.is(parsed.vendors[0].claims[0].evidence[0].lat, 0)).toBe(true);
  });
});
