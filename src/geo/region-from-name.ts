// Owns reading a provider region (or a CDN edge) out of a DNS name, table-driven: each rule names the DNS suffix
// it applies to, the provider, and how the region appears in the labels. A candidate region counts only when
// regions.json knows it for that provider, so `s3.amazonaws.com` or a random label never invents a region.
// Some services do not encode a region (`*.blob.core.windows.net`, `*.a.run.app`): those rules give the
// provider only. Never throws.

import type { RegionTable } from './regions.js';

export interface NameHint {
  /** providers.json id (`aws`, `gcp`, `alibaba` ...). */
  provider: string;
  region?: string;
  edge?: boolean;
  edge_reason?: string;
}

interface NameRule {
  suffixes: string[];
  provider: string;
  /** regions.json key used to validate candidates; absent for edge-only rules. */
  regions?: string;
  /** How candidates are cut out of the labels left of the suffix. */
  extract?: (labels: string[], name: string) => string[];
  /** Fixed region for special host forms (AWS `compute-1.amazonaws.com` is us-east-1). */
  fixed?: (name: string) => string | undefined;
  edge_reason?: string;
}

/** Every label, plus each label with a service prefix/suffix removed (`s3-eu-west-1`, `oss-cn-hangzhou-internal`). */
function labelsWithAffixes(prefixes: string[], suffixes: string[]): (labels: string[]) => string[] {
  return (labels) => {
    const out: string[] = [];
    for (const l of labels) {
      out.push(l);
      for (const p of prefixes) if (l.startsWith(p)) out.push(l.slice(p.length));
      for (const s of suffixes) if (l.endsWith(s)) out.push(l.slice(0, -s.length));
      for (const p of prefixes) for (const s of suffixes) if (l.startsWith(p) && l.endsWith(s) && l.length > p.length + s.length) out.push(l.slice(p.length, -s.length));
    }
    return out;
  };
}

/** Substrings shaped like a region name joined to other words by `-` or `.` (GCP's `asia-southeast1-run`). */
function regexCandidates(re: RegExp): (labels: string[], name: string) => string[] {
  return (_labels, name) => {
    const out: string[] = [];
    for (const m of name.matchAll(re)) out.push(m[1]);
    return out;
  };
}

const AWS_PREFIXES = ['s3-website-', 's3-website.', 's3-', 'ec2-', 'dualstack.'];
const GCP_REGION_RE = /(?:^|[.-])((?:us|europe|asia|australia|northamerica|southamerica|me|africa)-[a-z]+\d{1,2})(?=[.-]|$)/g;

/** Rule order matters only for edge-only rules overlapping a provider suffix (none do today). */
export const NAME_RULES: readonly NameRule[] = [
  { suffixes: ['cloudfront.net'], provider: 'aws', edge_reason: 'cloudfront' },
  { suffixes: ['awsglobalaccelerator.com'], provider: 'aws', edge_reason: 'aws global accelerator' },
  { suffixes: ['amazonaws.com', 'amazonaws.com.cn', 'on.aws', 'api.aws'],
    provider: 'aws', regions: 'aws', extract: labelsWithAffixes(AWS_PREFIXES, []),
    fixed: (n) => (/(^|\.)compute-1\.amazonaws\.com$/.test(n) || /(^|\.)s3\.amazonaws\.com$/.test(n) ? 'us-east-1' : undefined) },
  { suffixes: ['aliyuncs.com', 'alibabacloud.com', 'aliyuncs.com.cn'],
    provider: 'alibaba', regions: 'alibaba', extract: labelsWithAffixes(['oss-', 'ecs-', 'slb-'], ['-internal', '-vpc', '-finance']) },
  { suffixes: ['kunlunca.com', 'kunlunaq.com', 'alikunlun.com', 'alikunlun.net', 'alicdn.com', 'kunlungr.com'], provider: 'alibaba', edge_reason: 'alibaba cloud cdn' },
  { suffixes: ['myqcloud.com', 'tencentcloudapi.com', 'tencentcos.cn', 'tencentcos.com', 'tencentcs.com'],
    provider: 'tencent', regions: 'tencent', extract: labelsWithAffixes([], []) },
  { suffixes: ['cdn.dnsv1.com', 'cdn.dnsv1.com.cn', 'dsa.dnsv1.com', 'tdnsv5.com', 'tdnsv6.com'], provider: 'tencent', edge_reason: 'tencent cloud cdn' },
  { suffixes: ['myhuaweicloud.com', 'huaweicloud.com', 'myhuaweicloud.cn', 'huaweicloudsite.cn'],
    provider: 'huawei', regions: 'huawei', extract: labelsWithAffixes(['obs-'], []) },
  { suffixes: ['hwcdn.net', 'huaweicloud-cdn.com'], provider: 'huawei', edge_reason: 'huawei cloud cdn' },
  { suffixes: ['run.app', 'googleapis.com', 'cloudfunctions.net', 'pkg.dev', 'appspot.com', 'gcr.io', 'composer.googleusercontent.com'],
    provider: 'gcp', regions: 'gcp', extract: regexCandidates(GCP_REGION_RE) },
  { suffixes: ['cloudapp.azure.com', 'cloudapp.net', 'azurecontainer.io', 'azurecontainerapps.io', 'azmk8s.io', 'api.cognitive.microsoft.com', 'azurewebsites.net', 'core.windows.net'],
    provider: 'azure', regions: 'azure', extract: labelsWithAffixes([], []) },
  { suffixes: ['azureedge.net', 'azurefd.net', 'afd.azureedge.net', 't-msedge.net', 'azurefd.us'], provider: 'azure', edge_reason: 'azure front door' },
  { suffixes: ['oraclecloud.com', 'oci.customer-oci.com', 'oraclecloud.eu'],
    provider: 'oracle', regions: 'oracle', extract: labelsWithAffixes([], []) },
  { suffixes: ['akamaiedge.net', 'akamai.net', 'edgekey.net', 'edgesuite.net', 'akamaized.net', 'akamaihd.net', 'akamaitechnologies.com'], provider: 'akamai', edge_reason: 'akamai cdn' },
  { suffixes: ['fastly.net', 'fastlylb.net', 'fastly-edge.com'], provider: 'fastly', edge_reason: 'fastly anycast' },
  { suffixes: ['cdn.cloudflare.net'], provider: 'cloudflare', edge_reason: 'cloudflare anycast' },
];

/** Lowercased name without the trailing root dot, or null when it is not a plausible DNS name. */
function normalise(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > 1025) return null;
  let n = name.toLowerCase();
  if (n.endsWith('.')) n = n.slice(0, -1);
  return n.length > 0 ? n : null;
}

function matchSuffix(name: string, suffix: string): boolean {
  return name === suffix || (name.endsWith(suffix) && name.charCodeAt(name.length - suffix.length - 1) === 46);
}

/** The provider, region and/or edge a single DNS name encodes, or null. */
export function regionFromName(name: string, regions: RegionTable): NameHint | null {
  const n = normalise(name);
  if (!n) return null;
  for (const rule of NAME_RULES) {
    const suffix = rule.suffixes.find((s) => matchSuffix(n, s));
    if (!suffix) continue;
    const hint: NameHint = { provider: rule.provider };
    if (rule.edge_reason) {
      hint.edge = true;
      hint.edge_reason = rule.edge_reason;
      return hint;
    }
    const fixed = rule.fixed?.(n);
    if (fixed && rule.regions && regions.has(rule.regions, fixed)) {
      hint.region = fixed;
      return hint;
    }
    if (rule.extract && rule.regions) {
      const left = n.length > suffix.length ? n.slice(0, n.length - suffix.length - 1) : '';
      const labels = left.length > 0 ? left.split('.') : [];
      for (const c of rule.extract(labels, n)) {
        if (regions.has(rule.regions, c)) {
          hint.region = c;
          break;
        }
      }
    }
    return hint;
  }
  return null;
}
