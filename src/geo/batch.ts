// Owns enriching flow records in batches for `residency flows`: a batch's records are enriched back to back, then
// emitted in arrival order. Geo lookups interleaved with packet processing cost more than back to back, where the
// databases' memory and the lookup code stay warm (npm run bench, flows-geo).

import type { FlowGeoFields, FlowRecord } from '../types.js';
import type { GeoLocator } from './locator.js';
import { GEO_SYNTHESIZED_RTT_MS } from '../limits.js';
import { detectSynthesizedHandshakes, RAW_IP_LINK_TYPES } from './rtt-check.js';

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

/** What SynthesisGate tells its caller: the physical check was disabled (reason), or decided on part of a capture. */
export interface SynthesisGateEvents {
  disabled(reason: string): void;
  decidedEarly(held: number): void;
}

const UNDECIDED = 0;
const DECIDED = 1;

/**
 * `flows --vantage`: the physical RTT check needs to know whether a capture's handshakes were synthesised on the
 * phone (detectSynthesizedHandshakes: a raw-IP link type with a PCAPdroid VPN client address, or every RTT under
 * GEO_SYNTHESIZED_RTT_MS). Records are held only until that is known, at most `maxHeld` of them
 * (memoryLimits().heldRecords), then stream through a GeoBatcher:
 * - a raw-IP link type with a PCAPdroid client: synthesised, whatever follows (decided at once, the same reason);
 * - an RTT of GEO_SYNTHESIZED_RTT_MS or more while no raw-IP link type was seen: not synthesised, whatever follows;
 * - the end of the capture: decided on all of it, as before the hold was bounded (so output is unchanged whenever
 *   the capture ends before the hold is full);
 * - `maxHeld` records held and still undecided: decided on those (`decidedEarly`, a warning), and what follows
 *   cannot change the decision.
 */
export class SynthesisGate {
  private readonly held: FlowRecord[] = [];
  private readonly batch: GeoBatcher;
  private readonly linkTypes: number[] = [];
  private rawLink = false;
  private state = UNDECIDED;
  private synth = false;

  constructor(
    private readonly geo: GeoLocator,
    emit: (r: FlowRecord, g: FlowGeoFields) => void,
    private readonly maxHeld: number,
    private readonly events: SynthesisGateEvents,
  ) {
    this.batch = new GeoBatcher(geo, emit);
    geo.enablePhysicalCheck(); // whatever an earlier capture (one that failed, say) left behind
  }

  /** A link type met in the capture's packets. */
  linkType(t: number): void {
    if (this.linkTypes.includes(t)) return;
    this.linkTypes.push(t);
    if (RAW_IP_LINK_TYPES.includes(t)) this.rawLink = true;
  }

  add(r: FlowRecord): void {
    if (this.state === DECIDED) {
      this.batch.add(r);
      return;
    }
    this.held.push(r);
    if (this.rawLink) {
      const one = detectSynthesizedHandshakes([r], this.linkTypes);
      if (one.synthesized) {
        this.decide(one);
        return;
      }
    } else if (r.rtt_ms !== undefined && Number.isFinite(r.rtt_ms) && r.rtt_ms >= GEO_SYNTHESIZED_RTT_MS) {
      this.decide({ synthesized: false });
      return;
    }
    if (this.held.length >= this.maxHeld) {
      this.events.decidedEarly(this.held.length);
      this.decide(detectSynthesizedHandshakes(this.held, this.linkTypes));
    }
  }

  /** End of the capture (`linkTypes`: all of its link types): decides if still undecided, writes what is held. */
  finish(linkTypes: number[]): void {
    if (this.state === UNDECIDED) this.decide(detectSynthesizedHandshakes(this.held, linkTypes));
    this.batch.flush();
    this.geo.enablePhysicalCheck();
  }

  /** Whether the capture's handshakes were found synthesised (false until decided; records are emitted only after). */
  get synthesized(): boolean {
    return this.synth;
  }

  get heldCount(): number {
    return this.held.length;
  }

  private decide(d: { synthesized: boolean; reason?: string }): void {
    this.state = DECIDED;
    this.synth = d.synthesized;
    if (d.synthesized) {
      const reason = d.reason ?? 'handshakes synthesised on the device';
      this.geo.disablePhysicalCheck(reason);
      this.events.disabled(reason);
    }
    for (const r of this.held) this.batch.add(r);
    this.held.length = 0;
  }
}
