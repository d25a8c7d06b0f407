// Public API of the geo stage: the locator, the physical check, name parsing and range parsing.

export { GeoLocator, type GeoLocatorOptions, type LookupHints } from './locator.js';
export { GeoBatcher, GEO_BATCH_FLOWS } from './batch.js';
export { measureGeo, type GeoMeasurement } from './measure.js';
export {
  detectSynthesizedHandshakes,
  SynthesisDetector,
  EARTH_MEAN_RADIUS_KM,
  FIBRE_KM_PER_RTT_MS,
  greatCircleKm,
  maxDistanceKm,
  physicalCheck,
} from './rtt-check.js';
export { regionFromName, hintsFromNames, NAME_RULES, type NameHint } from './region-from-name.js';
export {
  parseAwsRanges,
  parseGcpRanges,
  parseOracleRanges,
  parseRangesText,
  RangeIndex,
  type ParsedRanges,
  type RangeEntry,
} from './provider-ranges.js';
export { privateReason } from './private-ranges.js';
export { consensus, settleByRtt } from './consensus.js';
export { RegionTable } from './regions.js';
export { ProviderTable } from './provider.js';
