// Every capture of the shared corpus through `extract`, scored against what tshark extracts from it
// (expected/*.json): each category must match exactly, except the differences listed in known-differences.ts,
// each checked by hand and explained in DIFFERENCES.md.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractOracleDoc } from '../../src/oracle-doc.js';
import { CaptureError } from '../../src/errors.js';
import type { OracleDoc } from '../../src/types.js';
import { CATEGORIES, score } from './compare.js';
import { CORPUS, HAVE_CORPUS, SKIP_MESSAGE, corpusFiles } from './shared-corpus.js';
import { KNOWN_DIFFERENCES, UNREADABLE } from './known-differences.js';

if (!HAVE_CORPUS) console.warn(SKIP_MESSAGE);

describe.skipIf(!HAVE_CORPUS)('conformance with tshark on the shared corpus', () => {
  const files = corpusFiles();

  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(80);
  });

  for (const file of files) {
    if (UNREADABLE[file] !== undefined) {
      it(`${file}: refused with a CaptureError naming the file and offset`, async () => {
        const err = await extractOracleDoc(join(CORPUS, file)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(CaptureError);
        expect((err as CaptureError).code).toBe(UNREADABLE[file]);
        expect((err as CaptureError).message).toContain(file.split('/').pop());
      });
      continue;
    }
    it(`${file}: matches tshark`, async () => {
      const oracle = JSON.parse(readFileSync(join(CORPUS, 'expected', `${file}.json`), 'utf8')) as OracleDoc;
      const { doc } = await extractOracleDoc(join(CORPUS, file));
      const s = score(oracle, doc);
      const known = KNOWN_DIFFERENCES[file] ?? {};
      for (const c of CATEGORIES) {
        expect({ category: c, missing: s[c].missing }).toEqual({ category: c, missing: known[c]?.missing ?? [] });
        expect({ category: c, extra: s[c].extra }).toEqual({ category: c, extra: known[c]?.extra ?? [] });
      }
    });
  }
});
