// Public API of the geo stage: the locator, flow batching, the physical check, name and range parsing.

export { GeoLocator, type GeoLocatorOptions, type LookupHints } from './locator.js';
export { GeoBatcher, GEO_BATCH_FLOWS, SynthesisGate, type SynthesisGateEvents } from './batch.js';
export { detectSynthesizedHandshakes, SynthesisDetector, EARTH_MEAN_RADIUS_KM, FIBRE_KM_PER_RTT_MS, greatCircleKm, maxDistanceKm, physicalCheck, checkPlace, checkSources } from './rtt-check.js';
export { regionFromName, NAME_RULES, type NameHint } from './region-from-name.js';
export { parseAwsRanges, parseGcpRanges, parseOracleRanges, parseRangesText, RangeIndex, type ParsedRanges, type RangeEntry } from './provider-ranges.js';
export { consensus, settleByRtt } from './consensus.js';
export { RegionTable } from './regions.js';
export { edgeOf, providerOf, ProviderTable, regionOf, withNames } from './provider.js';
