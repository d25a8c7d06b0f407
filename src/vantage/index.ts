// Public API of the vantage stage (issue 18): measurements from several places (RIPE Atlas, ping, mtr), the
// feasible region of each address, claimed places tested against it, and anycast detection.

export { VantageEvidence, captureMeasurement, labVantage, type MeasurementFileInfo, type PlaceVerdict } from './evidence.js';
export { parseAtlasProbes, parseAtlasResults, probeVantage, type AtlasProbe, type ProbeTable } from './atlas.js';
export { parsePingText } from './ping-text.js';
export { parseMtr } from './mtr.js';
export {
  canonicalIp,
  issueText,
  mergeMeasurements,
  type Measurement,
  type MeasurementKind,
  type ParseIssue,
  type ParseResult,
  type SourceRef,
  type VantagePoint,
} from './measurement.js';
export {
  boundaryCrossings,
  discOf,
  excludedBy,
  feasibleRegion,
  inDisc,
  insideRegion,
  type Disc,
  type Exclusion,
  type FeasibleRegion,
  type Point,
} from './multilateration.js';
export {
  AnyOfPlaces,
  claimPlaces,
  knownPlacesFrom,
  pointPlace,
  PointSetPlace,
  type ClaimedPlace,
  type CountryPoint,
  type KnownPlaces,
  type MetroEntry,
  type PlacePoint,
  type PlaceTest,
  type PointTest,
} from './claimed-place.js';
export { detectAnycast, kmText, measurementText, sourceText, type AnycastFinding, type DisjointPair } from './anycast.js';
