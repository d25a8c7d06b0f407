// The part of the back half `flows` runs (pipeline/back-half.ts has the whole order): flow records through
// geolocation and the vantage rule, and the locator it uses. Kept apart from back-half.ts so that `flows` loads
// none of what audits need (claims, attribution, reports, the case store: ~60 ms of module loading per process).

import {
  GeoBatcher,
  GeoLocator,
  physicalCheck,
  ProviderTable,
  RegionTable,
  settleByRtt,
  SynthesisGate,
  type SynthesisGateEvents,
} from '../geo/index.js';
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
