// Public API of the geo stage: the locator, the physical check and what the back half and audit build on it.

export { GeoLocator, type GeoLocatorOptions } from './locator.js';
export { FIBRE_KM_PER_RTT_MS, greatCircleKm, maxDistanceKm, physicalCheck } from './rtt-check.js';
export { settleByRtt } from './consensus.js';
export { RegionTable } from './regions.js';
export { ProviderTable } from './provider.js';
