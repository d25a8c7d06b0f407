// Region (and CDN edge) from DNS names, table-driven, plus a property: the parser never throws.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RegionTable } from '../../src/geo/index.js';
import { regionFromName } from '../../src/geo/region-from-name.js';

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
});
