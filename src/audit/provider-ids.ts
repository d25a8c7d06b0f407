// Canonical provider ids used by claims and by geolocation (geo/providers.json, read by src/geo/provider.ts),
// the aliases a claims file may use for them, and which observed provider ids satisfy a claimed one
// (a claim of `gcp` is met by Google's own ASNs too). A claim's provider is normalised here before comparison.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { geoDataDir } from '../geo/data-paths.js';

/** canonical id -> accepted spellings (lower case, compared after trimming and lower-casing). */
const ALIASES: Record<string, readonly string[]> = {
  aws: ['amazon', 'amazon web services', 'amazon-web-services', 'amazonaws', 'ec2', 'cloudfront'],
  gcp: ['google', 'google cloud', 'google-cloud', 'google cloud platform', 'googlecloud'],
  azure: ['microsoft', 'microsoft azure', 'msft'],
  alibaba: ['alibaba cloud', 'alibaba-cloud', 'aliyun', 'alicloud'],
  tencent: ['tencent cloud', 'tencent-cloud', 'qcloud'],
  huawei: ['huawei cloud', 'huawei-cloud', 'huaweicloud'],
  oracle: ['oracle cloud', 'oci', 'oracle-cloud'],
  ibm: ['ibm cloud', 'softlayer'],
  cloudflare: [],
  akamai: [],
  linode: ['akamai cloud', 'akamai-cloud'],
  vultr: [],
  edgio: ['limelight'],
  cdn77: ['datacamp'],
  bunny: ['bunnycdn', 'bunny cdn'],
  netflix: [],
  twitter: ['x'],
  fastly: [],
  digitalocean: ['digital ocean', 'digital-ocean'],
  ovh: ['ovhcloud'],
  hetzner: [],
  apple: ['icloud'],
  meta: ['facebook'],
  baidu: ['baidu cloud'],
  bytedance: ['byteplus', 'volcengine'],
};

/** [id, display name] of every provider geo/providers.json knows (accepted even when not listed above);
 *  the locator reports providers by display name (`AWS`, `Alibaba Cloud`), so both spellings map to the id. */
function geoProviders(): [string, string | undefined][] {
  try {
    const doc = JSON.parse(readFileSync(path.join(geoDataDir(), 'providers.json'), 'utf8')) as { providers?: { id?: unknown; name?: unknown }[] };
    return (doc.providers ?? [])
      .filter((p): p is { id: string; name?: unknown } => typeof p.id === 'string')
      .map((p) => [p.id, typeof p.name === 'string' ? p.name : undefined]);
  } catch {
    return [];
  }
}

/** Observed provider ids that also satisfy a claimed one (besides itself). */
const ALSO_MATCHES: Record<string, readonly string[]> = { gcp: ['google'] };

/** Geolocation's own ids and display names -> id (for providers observed on flows). */
const GEO_LOOKUP: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [id, name] of geoProviders()) {
    m.set(id, id);
    if (name !== undefined && !m.has(name.toLowerCase())) m.set(name.toLowerCase(), id);
  }
  return m;
})();

const LOOKUP: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>(GEO_LOOKUP);
  for (const [id, names] of Object.entries(ALIASES)) {
    m.set(id, id);
    for (const n of names) m.set(n, id);
  }
  return m;
})();

/** Canonical id for a provider name or alias, or undefined when unknown. */
export function normaliseProvider(name: string): string | undefined {
  return LOOKUP.get(name.trim().toLowerCase());
}

/** Provider id for what geolocation reports on a flow (an id or a display name such as `AWS`); unknown names pass through lower-cased. */
export function observedProviderId(name: string): string {
  const key = name.trim().toLowerCase();
  return GEO_LOOKUP.get(key) ?? LOOKUP.get(key) ?? key;
}

/** Canonical ids, sorted (for error messages). */
export function providerIds(): string[] {
  return [...new Set(LOOKUP.values())].sort();
}

/** True when a flow whose provider is `observed` is on the `claimed` provider. */
export function providerSatisfies(claimed: string, observed: string): boolean {
  return observed === claimed || (ALSO_MATCHES[claimed]?.includes(observed) ?? false);
}
