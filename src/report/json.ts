// report.json: the report model serialised deterministically. Keys are written in a fixed order (the top level in
// TOP_LEVEL_ORDER, every nested object alphabetically) whatever order the model was built in; undefined fields are
// omitted (absent, as in the Zeek habit), non-finite numbers become null, -0 becomes 0; 2-space indent and a
// final newline. Two renders of the same model differ only in `generated_at`.

import type { ReportModel } from '../audit/report-model.js';

/** Top-level keys in reading order; any other top-level key follows, alphabetically. */
const TOP_LEVEL_ORDER = ['schema', 'generated_at', 'tool', 'summary', 'problems', 'budget_effects', 'claims_file', 'vantage', 'inputs', 'geo_sources', 'vendors'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function canonical(value: unknown, top: boolean): Json | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => canonical(item, false) ?? null);
  if (value instanceof Date) return value.toISOString();
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source).sort();
  if (top) keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: { [key: string]: Json } = {};
  for (const key of keys) {
    const item = canonical(source[key], false);
    if (item !== undefined) out[key] = item;
  }
  return out;
}

function rank(key: string): number {
  const i = TOP_LEVEL_ORDER.indexOf(key);
  return i < 0 ? TOP_LEVEL_ORDER.length : i;
}

/** The model as report.json text (pure). */
export function renderJson(model: ReportModel): string {
  return JSON.stringify(canonical(model, true), null, 2) + '\n';
}
