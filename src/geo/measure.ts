// Owns the geo numbers the benchmark reports: cost of opening the data, lookups per second (cold: first lookup
// of each IP; warm: cached), and the RSS the loaded databases add. Not used on the analysis path.

import { GeoLocator, type GeoLocatorOptions } from './locator.js';

export interface GeoMeasurement {
  ips: number;
  open_ms: number;
  /** Loading the data the IPs need (mmdb files of the families present, ASN tables): one lookup per family. */
  load_ms: number;
  /** First lookup of every IP (data already loaded: the per-IP work, uncached). */
  cold_ms: number;
  cold_lookups_per_s: number;
  /** Second pass over the same IPs (per-IP cache hits). */
  warm_ms: number;
  warm_lookups_per_s: number;
  rss_before_bytes: number;
  rss_after_bytes: number;
  /** rss_after - rss_before: what the loaded databases and the cache cost. */
  rss_delta_bytes: number;
  memory: Record<string, number>;
}

/** Opens a fresh GeoLocator, looks every IP up twice and reports time and memory. */
export async function measureGeo(ips: string[], opts: GeoLocatorOptions = {}): Promise<GeoMeasurement> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const geo = await GeoLocator.open(opts);
  const tLoad = performance.now();
  const first4 = ips.find((ip) => !ip.includes(':'));
  const first6 = ips.find((ip) => ip.includes(':'));
  if (first4) geo.lookup(first4);
  if (first6) geo.lookup(first6);
  const t1 = performance.now();
  for (const ip of ips) geo.lookup(ip);
  const t2 = performance.now();
  for (const ip of ips) geo.lookup(ip);
  const t3 = performance.now();
  gc?.();
  const rssAfter = process.memoryUsage().rss;
  const rate = (n: number, ms: number): number => (ms > 0 ? Math.round((n * 1000) / ms) : 0);
  return {
    ips: ips.length,
    open_ms: round(tLoad - t0),
    load_ms: round(t1 - tLoad),
    cold_ms: round(t2 - t1),
    cold_lookups_per_s: rate(ips.length, t2 - t1),
    warm_ms: round(t3 - t2),
    warm_lookups_per_s: rate(ips.length, t3 - t2),
    rss_before_bytes: rssBefore,
    rss_after_bytes: rssAfter,
    rss_delta_bytes: rssAfter - rssBefore,
    memory: geo.memoryReport(),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
