import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCaseStore } from '../../src/store/open.js';
import { numberedPlaceholders } from '../../src/store/sql.js';
import { storeContract } from './contract.js';

const dir = mkdtempSync(path.join(tmpdir(), 'store-contract-'));
let n = 0;
storeContract('sqlite', () => openCaseStore(path.join(dir, 'case.db')), () => {
  const f = path.join(dir, `c${n++}.pcap`);
  writeFileSync(f, `capture ${n} ${Date.now()}`);
  return f;
});

describe('placeholder translation', () => {
  it('numbers ? outside literals, quoted identifiers and comments', () => {
    expect(numberedPlaceholders(`SELECT a FROM t WHERE b = ? AND c = '?''?' AND "d?" = ? -- ?\n AND e = ? /* ? */ AND f IN (?, ?)`)).toBe(
      `SELECT a FROM t WHERE b = $1 AND c = '?''?' AND "d?" = $2 -- ?\n AND e = $3 /* ? */ AND f IN ($4, $5)`,
    );
  });

});
