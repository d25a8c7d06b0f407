// The part of the back half `flows` runs (pipeline/back-half.ts has the whole order): flow records through
// geolocation and the vantage rule, and the locator it uses. Kept apart from back-half.ts so that `flows` loads
// none of what audits need (claims, attribution, reports, the case store: ~60 ms of module loading per process).
// Records are enriched in batches (GeoBatcher), and with a vantage held only until it is known whether the
// capture's handshakes were synthesised on the device (SynthesisGate).

import { detectSynthesizedHandshakes, RAW_IP_LINK_TYPES } from '../flow/synthesized-handshakes.js';
import { GeoLocator, ProviderTable, RegionTable } from '../geo/index.js';
import { physicalCheck } from '../physics.js';
import { settleByRtt } from '../vantage/settle.js';
import { GEO_SYNTHESIZED_RTT_MS } from '../limits.js';
import { observedProviderId } from '../audit/provider-ids.js';
import type { ApplyVantage, StoredGeo } from '../audit/aggregate.js';
import type { FlowGeoFields, FlowRecord, GeoSourceAnswer } from '../types.js';

/** Geolocation sources that give a registration country, not a location (they never carry a place). */
const REGISTRATION_SOURCES: ReadonlySet<string> = new Set(['geo-whois-asn-country']);

/**
 * The vantage rule over a vantage-independent result: with a vantage, a usable RTT and a public address, each
 * source's place and the consensus place are checked against the RTT (physicalCheck), and a disputed country is
 * settled when the RTT sets impossible sources aside (settleByRtt; the settled place keeps a region only when it
 * came from published ranges or a DNS name, else the provider's region nearest the settled place). Synthesised handshakes leave such flows `unchecked`. The key order is
 * that of GeoLocator.enrichFlow, so records read the same whichever path made them.
 */
export function vantageRule(vantage: { lat: number; lon: number } | undefined): ApplyVantage {
  let tables: { providers: ProviderTable; regions: RegionTable } | undefined;
  return (g: StoredGeo | FlowGeoFields, rttMs: number | undefined, synthesized: boolean): FlowGeoFields => {
    const out: FlowGeoFields = {
      country_agreement: g.country_agreement,
      country_settled_by: undefined,
      edge: g.edge,
      geo_sources: g.geo_sources,
      country: g.country,
      city: g.city,
      lat: g.lat,
      lon: g.lon,
      asn: g.asn,
      as_org: g.as_org,
      provider: g.provider,
      region: g.region,
      region_source: g.region_source,
      physical: undefined,
    };
    if (vantage === undefined || rttMs === undefined || !Number.isFinite(rttMs) || rttMs < 0 || g.geo_sources === undefined) return out;
    if (synthesized) {
      out.physical = 'unchecked';
      return out;
    }
    const sources: GeoSourceAnswer[] = g.geo_sources.map((s) =>
      s.lat !== undefined && s.lon !== undefined ? { ...s, physical: physicalCheck(vantage, rttMs, s.lat, s.lon) } : s,
    );
    out.geo_sources = sources;
    if (out.country_agreement === 'disputed') {
      const c = settleByRtt(
        sources.filter((s) => !REGISTRATION_SOURCES.has(s.source)),
        sources.filter((s) => REGISTRATION_SOURCES.has(s.source)),
      );
      if (c !== undefined) {
        out.country = c.country;
        out.country_agreement = c.agreement;
        out.country_settled_by = 'rtt';
        out.city = c.city;
        out.lat = c.lat;
        out.lon = c.lon;
        if (!out.edge && out.region_source !== 'provider-ranges' && out.region_source !== 'dns-name') {
          // The nearest region of the provider to the settled place, as the geo stage names one (curated tables).
          const t = (tables ??= { providers: ProviderTable.load(), regions: RegionTable.load() });
          const id = out.provider === undefined ? undefined : observedProviderId(out.provider);
          const key = id === undefined ? undefined : t.providers.byProviderId(id)?.regions;
          const near = key !== undefined && c.city !== undefined && c.lat !== undefined && c.lon !== undefined ? t.regions.nearest(key, c.lat, c.lon, c.country) : undefined;
          out.region = near?.region;
          out.region_source = near === undefined ? undefined : 'nearest-city';
        }
      }
    }
    out.physical = out.lat !== undefined && out.lon !== undefined ? physicalCheck(vantage, rttMs, out.lat, out.lon) : 'unchecked';
    return out;
  };
}

/** Opens the locator used to geolocate at ingest (no vantage). */
export function openIngestLocator(geoDir: string | undefined): Promise<GeoLocator> {
  return GeoLocator.open({ geoDir });
}

/**
 * `flows`: each capture's records through geolocation and the vantage rule, in arrival order (in batches,
 * GeoBatcher). With a vantage, a capture's records are held only until it is known whether its handshakes were
 * synthesised on the device (SynthesisGate, at most `maxHeld` of them); the vantage rule then applies to each.
 * One enricher per capture.
 */
export class FlowEnricher {
  private readonly gate: SynthesisGate | undefined;
  private readonly batch: GeoBatcher | undefined;

  constructor(
    locator: GeoLocator,
    vantage: { lat: number; lon: number } | undefined,
    emit: (r: FlowRecord, g: FlowGeoFields) => void,
    maxHeld: number,
    /** Told when the capture's physical check is off (with the reason) or was decided on its first records. */
    events: SynthesisGateEvents,
  ) {
    if (vantage === undefined) {
      this.batch = new GeoBatcher(locator, emit);
      return;
    }
    const rule = vantageRule(vantage);
    const gate: SynthesisGate = new SynthesisGate(locator, (r, g) => emit(r, rule(g, r.rtt_ms, gate.synthesized)), maxHeld, events);
    this.gate = gate;
  }

  /** A link type met in the capture's packets. */
  linkType(t: number): void {
    this.gate?.linkType(t);
  }

  add(r: FlowRecord): void {
    if (this.gate !== undefined) this.gate.add(r);
    else this.batch?.add(r);
  }

  /** End of the capture with these link types: decides the physical check if still undecided, writes what is held. */
  finish(linkTypes: number[]): void {
    this.gate?.finish(linkTypes);
    this.batch?.flush();
  }
}

// ---------------------------------------------------------------- batches, and the hold for synthesised handshakes

// Geo lookups interleaved with packet processing cost more than back to back, where the databases' memory and the
// lookup code stay warm (npm run bench, flows-geo): a batch's records are enriched back to back, then emitted in
// arrival order.

/** Records held before a batch is enriched and emitted. */
const GEO_BATCH_FLOWS = 1024;

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
    geo: GeoLocator,
    emit: (r: FlowRecord, g: FlowGeoFields) => void,
    private readonly maxHeld: number,
    private readonly events: SynthesisGateEvents,
  ) {
    this.batch = new GeoBatcher(geo, emit);
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
      this.events.disabled(d.reason ?? 'handshakes synthesised on the device');
    }
    for (const r of this.held) this.batch.add(r);
    this.held.length = 0;
  }
}
