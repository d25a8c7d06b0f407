// Region (and CDN edge) from DNS names, table-driven, plus a property: the parser never throws.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NAME_RULES, RegionTable, regionFromName } from '../../src/geo/index.js';

const regions = RegionTable.load();

describe('regionFromName', () => {
  it.each([
    ['my-lb-123456.ap-southeast-1.elb.amazonaws.com', 'aws', 'ap-southeast-1'],
    ['ec2-13-232-1-2.ap-south-1.compute.amazonaws.com', 'aws', 'ap-south-1'],
    ['ec2-54-1-2-3.compute-1.amazonaws.com', 'aws', 'us-east-1'],
    ['s3.eu-west-1.amazonaws.com', 'aws', 'eu-west-1'],
    ['bucket.s3.dualstack.eu-central-1.amazonaws.com', 'aws', 'eu-central-1'],
    ['bucket.s3-ap-northeast-1.amazonaws.com', 'aws', 'ap-northeast-1'],
    ['bucket.s3-website-us-west-2.amazonaws.com', 'aws', 'us-west-2'],
    ['abc.execute-api.sa-east-1.amazonaws.com', 'aws', 'sa-east-1'],
    ['xyz.lambda-url.eu-north-1.on.aws', 'aws', 'eu-north-1'],
    ['s3.cn-north-1.amazonaws.com.cn', 'aws', 'cn-north-1'],
    ['S3.EU-WEST-2.AMAZONAWS.COM.', 'aws', 'eu-west-2'],
    ['bucket.oss-cn-hangzhou.aliyuncs.com', 'alibaba', 'cn-hangzhou'],
    ['bucket.oss-cn-shanghai-internal.aliyuncs.com', 'alibaba', 'cn-shanghai'],
    ['ecs.ap-southeast-1.aliyuncs.com', 'alibaba', 'ap-southeast-1'],
    ['proj.cn-beijing.log.aliyuncs.com', 'alibaba', 'cn-beijing'],
    ['bucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'tencent', 'ap-guangzhou'],
    ['cvm.ap-singapore.tencentcloudapi.com', 'tencent', 'ap-singapore'],
    ['bucket.obs.cn-north-4.myhuaweicloud.com', 'huawei', 'cn-north-4'],
    ['ecs.ap-southeast-3.myhuaweicloud.com', 'huawei', 'ap-southeast-3'],
    ['hello-abc123-asia-southeast1.run.app', 'gcp', 'asia-southeast1'],
    ['asia-south1-aiplatform.googleapis.com', 'gcp', 'asia-south1'],
    ['europe-west1-docker.pkg.dev', 'gcp', 'europe-west1'],
    ['us-central1-myproj.cloudfunctions.net', 'gcp', 'us-central1'],
    ['myvm.westeurope.cloudapp.azure.com', 'azure', 'westeurope'],
    ['objectstorage.ap-mumbai-1.oraclecloud.com', 'oracle', 'ap-mumbai-1'],
  ])('%s -> %s %s', (name, provider, region) => {
    const h = regionFromName(name, regions);
    expect(h?.provider).toBe(provider);
    expect(h?.region).toBe(region);
    expect(h?.edge).toBeUndefined();
  });

  it.each([
    ['s3.amazonaws.com', 'aws'],
    ['myaccount.blob.core.windows.net', 'azure'],
    ['hello-abc123-uc.a.run.app', 'gcp'],
    ['bucket.oss-xx-nowhere-9.aliyuncs.com', 'alibaba'],
    ['dynamodb.mars-north-1.amazonaws.com', 'aws'],
  ])('%s -> provider %s but no region it cannot prove', (name, provider) => {
    const h = regionFromName(name, regions);
    expect(h?.provider).toBe(provider);
    if (name === 's3.amazonaws.com') expect(h?.region).toBe('us-east-1'); // the legacy global endpoint is us-east-1
    else expect(h?.region).toBeUndefined();
  });

  it.each([
    ['d111111abcdef8.cloudfront.net', 'aws', 'cloudfront'],
    ['e1234.a.akamaiedge.net', 'akamai', 'akamai cdn'],
    ['www.example.com.edgekey.net', 'akamai', 'akamai cdn'],
    ['dualstack.example.map.fastly.net', 'fastly', 'fastly anycast'],
    ['example.com.cdn.cloudflare.net', 'cloudflare', 'cloudflare anycast'],
    ['example.azureedge.net', 'azure', 'azure front door'],
    ['img.alicdn.com', 'alibaba', 'alibaba cloud cdn'],
  ])('%s is a CDN edge (%s)', (name, provider, reason) => {
    const h = regionFromName(name, regions);
    expect(h?.provider).toBe(provider);
    expect(h?.edge).toBe(true);
    expect(h?.edge_reason).toBe(reason);
  });

  it.each(['www.example.com', 'amazonaws.com.evil.example', 'notamazonaws.com', '', '.', 'ap-southeast-1'])(
    '%j matches nothing',
    (name) => {
      expect(regionFromName(name, regions)).toBeNull();
    },
  );

  it('never throws, and any region it returns is one regions.json knows for that provider', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{0,20}$/);
    const suffix = fc.constantFrom('amazonaws.com', 'aliyuncs.com', 'myqcloud.com', 'run.app', 'cloudapp.azure.com', 'oraclecloud.com', 'myhuaweicloud.com', 'example.org', '');
    const name = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.tuple(fc.array(label, { maxLength: 6 }), suffix).map(([ls, s]) => [...ls, s].join('.')),
    );
    fc.assert(
      fc.property(name, (n) => {
        const h = regionFromName(n, regions);
        if (h?.region) expect(regions.has(h.provider === 'aws' ? 'aws' : h.provider, h.region)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
  it('answers as trying every rule\'s suffixes in order does (the plain loop it replaced)', () => {
    // The plain loop: the first rule (in NAME_RULES order) with a suffix the name is or ends with after a dot, and
    // that rule's first such suffix; then the same steps. regionFromName first turns away names whose last two
    // labels are those of no suffix.
    const ends = (n: string, x: string) => n === x || (n.endsWith(x) && n.charCodeAt(n.length - x.length - 1) === 46);
    const plain = (raw: string) => {
      if (raw.length === 0 || raw.length > 1025) return null;
      let n = raw.toLowerCase();
      if (n.endsWith('.')) n = n.slice(0, -1);
      if (n.length === 0) return null;
      for (const rule of NAME_RULES) {
        const suffix = rule.suffixes.find((x) => ends(n, x));
        if (!suffix) continue;
        const hint: Record<string, unknown> = { provider: rule.provider, name: n };
        if (rule.edge_reason) return { ...hint, edge: true, edge_reason: rule.edge_reason };
        const fixed = rule.fixed?.(n);
        if (fixed && rule.regions && regions.has(rule.regions, fixed)) return { ...hint, region: fixed };
        if (rule.extract && rule.regions) {
          const left = n.length > suffix.length ? n.slice(0, n.length - suffix.length - 1) : '';
          const c = rule.extract(left.length > 0 ? left.split('.') : [], n).find((x) => regions.has(rule.regions as string, x));
          if (c) hint.region = c;
        }
        return hint;
      }
      return null;
    };
    const allSuffixes = NAME_RULES.flatMap((r) => r.suffixes);
    const label = fc.oneof(
      fc.stringMatching(/^[a-z0-9-]{0,12}$/),
      fc.constantFrom('eu-west-1', 's3-eu-west-1', 'oss-cn-hangzhou', 'ap-southeast-1', 'us-central1', 'compute-1', 'afd', 'cdn', 's3'),
    );
    const name = fc
      .tuple(fc.array(label, { maxLength: 4 }), fc.array(fc.constantFrom(...allSuffixes, 'example.org'), { minLength: 1, maxLength: 2 }), fc.boolean(), fc.boolean())
      .map(([ls, sx, upper, dot]) => {
        const n = [...ls, ...sx].join('.');
        return (upper ? n.toUpperCase() : n) + (dot ? '.' : '');
      });
    fc.assert(
      fc.property(fc.oneof(name, fc.string({ maxLength: 40 })), (n) => {
        expect(regionFromName(n, regions)).toEqual(plain(n));
      }),
      { numRuns: 4000 },
    );
  });
});
