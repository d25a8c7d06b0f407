// Micro-benchmarks for the per-flow identities (one record each): Community ID, the uid from its digest, the uid
// alone (a DNS flow's, needed before its record), and the one-block SHA-1 under them, against node:crypto as the
// peer. Run: npx vitest bench test/bench/flow-ids.bench.ts
import { createHash } from 'node:crypto';
import { bench, describe } from 'vitest';
import { communityId } from '../../src/flow/community-id.js';
import { SHA1_INPUT, sha1Block } from '../../src/flow/sha1-block.js';
import { flowUid, uidFromDigest } from '../../src/flow/uid.js';

const v4 = Int32Array.from([0xc0a83215 | 0, 0, 0, 0, 0x0de44011, 0, 0, 0]);
const v6 = Int32Array.from([0x20010db8, 0, 0, 1, 0x2a001450, 0x4001, 0x80b, 0x200e]);
let i = 0;

describe('per-flow identities', () => {
  bench('communityId IPv4 + uidFromDigest (a flow record)', () => {
    v4[4] = ++i;
    communityId(6, 4, v4, 40000, 443);
    uidFromDigest(1772442000050000 + i);
  });
  bench('communityId IPv6', () => {
    v6[7] = ++i;
    communityId(17, 6, v6, 40000, 443);
  });
  bench('flowUid IPv4 (a DNS flow, before its record)', () => {
    v4[4] = ++i;
    flowUid(17, 4, v4, 40000, 53, 1772442000050000 + i);
  });
});

describe('SHA-1 of 40 bytes', () => {
  const msg = Buffer.alloc(40, 7);
  bench('sha1Block', () => {
    SHA1_INPUT[0] = ++i;
    sha1Block(40);
  });
  bench('node:crypto createHash (peer)', () => {
    msg[0] = ++i;
    createHash('sha1').update(msg).digest();
  });
});
