// `flows --format ndjson`: the line of one flow, `JSON.stringify({ capture, ...record, ...geo })`, without building
// that merged object. The record and its geolocation are stringified apart and their members joined: the same
// text, since their keys never overlap (checked below at compile time) and JSON.stringify keeps each object's key
// order. A geolocation object is shared by every flow of an address whose names change nothing (geo/locator.ts
// enrichFlow: 85,312 flows, 4,854 geolocation objects on the small-packet bench capture), so its text is made once
// per object. On that capture the merged object and its text were ~55 % of what the process allocated
// (sampling heap profile) and ~20 % of its CPU profile (docs/performance.md, "flows output").

import type { FlowGeoFields, FlowRecord } from '../types.js';

/** Keys both a flow record and its geolocation could hold: none, or a merged object's key order would differ
 *  (this assignment stops compiling the day one is added to both). */
type SharedKeys = keyof FlowRecord & keyof FlowGeoFields;
export const KEYS_DISJOINT: [SharedKeys] extends [never] ? true : never = true;

export class FlowLines {
  /** Each geolocation object's members as text (`,"country_agreement":...}`), kept while the object lives. */
  private readonly geoText = new WeakMap<FlowGeoFields, string>();
  private readonly head: string;

  constructor(capture: string) {
    this.head = `{"capture":${JSON.stringify(capture)}`;
  }

  /** The NDJSON line (with its newline) of `{ capture, ...r, ...g }`; without `g`, of `{ capture, ...r }`. */
  line(r: FlowRecord, g?: FlowGeoFields): string {
    const record = members(JSON.stringify(r));
    if (g === undefined) return this.head + record + '}\n';
    let tail = this.geoText.get(g);
    if (tail === undefined) {
      tail = members(JSON.stringify(g)) + '}\n';
      this.geoText.set(g, tail);
    }
    return this.head + record + tail;
  }
}

/** An object's JSON text without its braces, after a comma (`,"a":1`), or '' when it has no members. */
function members(json: string): string {
  return json.length > 2 ? ',' + json.slice(1, -1) : '';
}
