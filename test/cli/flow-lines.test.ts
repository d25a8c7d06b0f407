// src/cli/flow-lines.ts: a flow's NDJSON line made from its record and its geolocation apart is the text of the
// merged object `{ capture, ...record, ...geo }` it replaced, byte for byte: on the sample captures' flows with
// their geolocation as `flows` makes it (objects shared between flows of one address, so each geolocation text is
// reused), with the vantage rule, without geolocation, and for any capture name and any members.

import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowLines } from '../../src/cli/flow-lines.js';
import { GeoLocator } from '../../src/geo/index.js';
import { analyzeCapture } from '../../src/pipeline.js';
import { vantageRule } from '../../src/pipeline/flow-geo.js';
import type { FlowGeoFields, FlowRecord } from '../../src/types.js';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import { GOLDEN_VANTAGE, sampleCaptures } from '../golden/golden-kinds.js';

function merged(capture: string, r: FlowRecord, g?: FlowGeoFields): string {
  return JSON.stringify({ capture, ...r, ...g }) + '\n';
}

describe('FlowLines', () => {
  it('writes what the merged record stringified to, on the sample captures with and without geolocation', async () => {
    const geo = await GeoLocator.open({});
    const rule = vantageRule(GOLDEN_VANTAGE);
    let flows = 0;
    let shared = 0;
    for (const c of sampleCaptures()) {
      const records: FlowRecord[] = [];
      await analyzeCapture(join(REPO_ROOT, 'captures', c), { flow: (r) => records.push(r) });
      const capture = c.split('/').pop() ?? c;
      const lines = new FlowLines(capture);
      const seen = new Set<FlowGeoFields>();
      // Twice over: the second pass meets every geolocation object's text already made.
      for (const pass of [1, 2]) {
        for (const r of records) {
          const g = geo.enrichFlow(r);
          if (pass === 1 && seen.has(g)) shared++;
          seen.add(g);
          expect(lines.line(r, g)).toBe(merged(capture, r, g));
          const v = rule(g, r.rtt_ms, false);
          expect(lines.line(r, v)).toBe(merged(capture, r, v));
          expect(lines.line(r)).toBe(merged(capture, r));
        }
      }
      flows += records.length;
    }
    expect(flows).toBeGreaterThanOrEqual(20);
    // Flows of one address share their geolocation object: the reuse of its text is exercised.
    expect(shared).toBeGreaterThan(0);
  });

  it('matches the merged record for any capture name and any members, none shared', () => {
    const value = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(undefined), fc.array(fc.string(), { maxLength: 3 }));
    const record = fc.dictionary(fc.string().map((k) => `r_${k}`), value, { maxKeys: 8 });
    const geoFields = fc.dictionary(fc.string().map((k) => `g_${k}`), value, { maxKeys: 8 });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer(), record, fc.option(geoFields, { nil: undefined }), (capture, id, rest, g) => {
        const r = { flow_id: id, ...rest } as unknown as FlowRecord;
        const geo = g as FlowGeoFields | undefined;
        const lines = new FlowLines(capture);
        expect(lines.line(r, geo)).toBe(merged(capture, r, geo));
        expect(lines.line(r, geo)).toBe(merged(capture, r, geo));
      }),
    );
  });

  it('closes the object when the geolocation has no member to add', () => {
    const r = { flow_id: 7, uid: undefined } as FlowRecord;
    const lines = new FlowLines('a"b\\c.pcap');
    expect(lines.line(r, {})).toBe('{"capture":"a\\"b\\\\c.pcap","flow_id":7}\n');
    expect(lines.line(r, { country: undefined })).toBe(merged('a"b\\c.pcap', r, {}));
    expect(JSON.parse(lines.line(r, { country: 'IN' }))).toEqual({ capture: 'a"b\\c.pcap', flow_id: 7, country: 'IN' });
  });
});
