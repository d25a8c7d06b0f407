// Parses Zeek's JSON logs (LogAscii::use_json=T): one object per line with Zeek's field names as keys
// (`"id.orig_h"`), times as epoch seconds or, with LogAscii::json_timestamps=JSON::TS_ISO8601, as ISO 8601 text,
// unset fields left out. A nested `"id": {"orig_h": ...}` (some exporters) is flattened to `id.orig_h`. Pure,
// line-at-a-time; never throws: a bad line is reported as a LogLineError.

import type { LogLineError } from './zeek-tsv.js';
import type { ZeekRow, ZeekScalar, ZeekValue } from './zeek-row.js';

/** Fields holding times (converted from ISO 8601 text when a log writes them so). */
const TIME_FIELDS = new Set(['ts', '_write_ts']);

/** ISO 8601 date-time with an optional fraction and zone (`2020-02-26T03:40:03.724911Z`) -> epoch seconds. */
export function isoToEpoch(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const base = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (!Number.isFinite(base)) return undefined;
  let offsetMin = 0;
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMin = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  // Seconds plus the fraction as written, rounded to microseconds (what Zeek and Suricata keep).
  const fraction = frac === undefined ? 0 : Number(`0.${frac}`);
  return Math.round((base / 1000 - offsetMin * 60 + fraction) * 1e6) / 1e6;
}

export function parseZeekJsonLine(text: string): ZeekRow | LogLineError | null {
  const t = text.trim();
  if (t.length === 0) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(t);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { error: 'not a JSON object' };
  const row: ZeekRow = new Map();
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (k === 'id' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [ik, iv] of Object.entries(v as Record<string, unknown>)) {
        const val = value(iv);
        if (val !== undefined) row.set(`id.${ik}`, val);
      }
      continue;
    }
    let val = value(v);
    if (val === undefined) continue;
    if (TIME_FIELDS.has(k) && typeof val === 'string') {
      const n = isoToEpoch(val);
      if (n === undefined) return { error: `${k}: ${JSON.stringify(val.slice(0, 64))} is not a time` };
      val = n;
    }
    row.set(k, val);
  }
  return row;
}

function value(v: unknown): ZeekValue | undefined {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (Array.isArray(v)) {
    const out: ZeekScalar[] = [];
    for (const x of v) if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push(x);
    return out;
  }
  return undefined;
}
