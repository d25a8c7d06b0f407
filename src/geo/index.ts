// Public API of the geo stage: the locator and the tables the back half and audit build on it.

export { GeoLocator, type GeoLocatorOptions } from './locator.js';
export { RegionTable } from './regions.js';
export { ProviderTable } from './provider.js';
