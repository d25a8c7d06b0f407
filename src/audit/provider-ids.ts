// Canonical provider ids used by claims and by geolocation (src/geo/ provider tables), and the aliases
// a claims file may use for them. A claim's provider is normalised here before it is compared.

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
  akamai: ['linode'],
  fastly: [],
  digitalocean: ['digital ocean', 'digital-ocean'],
  ovh: ['ovhcloud'],
  hetzner: [],
  apple: ['icloud'],
  meta: ['facebook'],
  baidu: ['baidu cloud'],
  bytedance: ['byteplus', 'volcengine'],
};

const LOOKUP: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
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

/** Canonical ids, sorted (for error messages). */
export function providerIds(): string[] {
  return Object.keys(ALIASES).sort();
}
