// Owns enriching flow records in batches for `residency flows`: a batch's records are enriched back to back, then
// emitted in arrival order. Geo lookups interleaved with packet processing cost more than back to back, where the
// databases' memory and the lookup code stay warm (npm run bench, flows-geo).

import type { FlowGeoFields, FlowRecord } from '../types.js';
import type { GeoLocator } from './locator.js';

/** Records held before a batch is enriched and emitted. */
export const GEO_BATCH_FLOWS = 1024;

export class GeoBatcher {
  private readonly held: FlowRecord[] = [];

  constructor(
    private readonly geo: GeoLocator,
    private readonly emit: (r: FlowRecord, g: FlowGeoFields) => void,
    private readonly size: number = GEO_BATCH_FLOWS,
  ) {}

  add(r: FlowRecord): void {
    this.held.push(r);
    if (this.held.length >= this.size) this.flush();
  }

  /** Enriches and emits everything held, in arrival order. */
  flush(): void {
    for (const r of this.held) this.emit(r, this.geo.enrichFlow(r));
    this.held.length = 0;
  }
}
